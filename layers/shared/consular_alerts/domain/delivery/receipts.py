"""SMS delivery receipts: SNS's delivery-status log records -> what the report counts.

A record says whether the carrier took the SMS (`status` SUCCESS or FAILURE), why not
(`providerResponse`), what it cost, the phone's network (MCC/MNC) and the phone number. The
number is turned into a keyed hash (to tell a receipt that arrives twice from a second phone)
and its country (from its prefix), then dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import phonenumbers
from pydantic import ValidationError

from consular_alerts.models.receipts import SmsDeliveryLog

# SNS's providerResponse strings (its developer guide's list of failure reasons), by what a
# duty officer can do about them. Anything else is "other"; the text itself stays on the
# receipt item for whoever looks closer.
FAILURE_REASONS: dict[str, str] = {
    "phone is currently unreachable/unavailable": "unreachable",
    "unknown error attempting to reach phone": "unreachable",
    "phone carrier is currently unreachable/unavailable": "carrier_unavailable",
    "blocked as spam by phone carrier": "blocked",
    "phone carrier has blocked this message": "blocked",
    "phone has blocked sms": "blocked",
    "destination is blacklisted": "blocked",
    "phone is blacklisted": "blocked",
    "phone number is opted out": "opted_out",
    "invalid phone number": "invalid_number",
    "message body is invalid": "invalid_message",
    "this delivery would exceed max price": "max_price",
    "sandboxed account unable to send to number.": "sandbox",
}


def failure_reason(provider_response: str) -> str:
    text = provider_response.strip().lower()
    if text in FAILURE_REASONS:
        return FAILURE_REASONS[text]
    if "expired" in text or "ttl" in text.split():
        return "expired"
    return "other"


class UnreadableReceiptError(ValueError):
    """A log line that is not an SMS delivery-status record (counted, never raised on)."""


@dataclass(frozen=True)
class Receipt:
    message_id: str
    topic_arn: str  # when the record names the topic (not in direct-publish records)
    published_at: datetime  # notification.timestamp: when SNS accepted the publish
    received_at: datetime  # when the phone (or else the carrier) acknowledged it
    delivered: bool
    reason: str  # "" when delivered, else a FAILURE_REASONS category
    provider_response: str
    price_usd: float
    country: str  # of the phone number, from its prefix ("" when unknown)
    operator: str  # "MCC-MNC", "" when SNS gave none (0 means unknown in its records)
    destination_hash: str  # keyed hash of the phone number: never the number

    @property
    def status(self) -> str:
        return "delivered" if self.delivered else "failed"


def phone_country(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


def read_receipt(
    message: str, logged_at: datetime, hash_destination: Callable[[str], str]
) -> Receipt:
    """One log event's message -> a receipt. `logged_at`: the log event's own timestamp,
    used when the record carries no times of its own."""
    try:
        record = SmsDeliveryLog.model_validate(json.loads(message))
    except (ValueError, ValidationError) as error:
        # The error text could quote the record (and its phone number): name the kind only.
        raise UnreadableReceiptError(type(error).__name__) from None
    status = record.status.strip().upper()
    if status not in {"SUCCESS", "FAILURE"}:
        raise UnreadableReceiptError(f"status {status[:20]!r}")
    delivery = record.delivery
    published = record.notification.timestamp or logged_at
    dwell = delivery.dwell_until_ack_ms if delivery.dwell_until_ack_ms else delivery.dwell_ms
    received = published + timedelta(milliseconds=dwell) if dwell is not None else logged_at
    operator = (
        f"{delivery.mcc:03d}-{delivery.mnc:02d}"
        if delivery.mcc and delivery.mnc is not None
        else ""
    )
    delivered = status == "SUCCESS"
    return Receipt(
        message_id=record.notification.message_id,
        topic_arn=record.notification.topic_arn or delivery.topic_arn,
        published_at=published.astimezone(UTC),
        received_at=received.astimezone(UTC),
        delivered=delivered,
        reason="" if delivered else failure_reason(delivery.provider_response),
        provider_response=delivery.provider_response,
        price_usd=delivery.price_usd,
        country=phone_country(delivery.destination),
        operator=operator,
        destination_hash=hash_destination(delivery.destination) if delivery.destination else "",
    )

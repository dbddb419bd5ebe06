"""SMS delivery-status records as SNS writes them, and the `awslogs` payload a CloudWatch Logs
subscription filter hands to Lambda (base64 of gzipped JSON): for the local runtime, which
plays SNS's receipts, and for the tests that feed the receipts function."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from consular_alerts.domain.messages.preview import SmsPrices

DELIVERED = "Message has been accepted by phone carrier"
# Real providerResponse strings of failed SMS (SNS developer guide's list).
FAILURES = (
    "Phone is currently unreachable/unavailable",
    "Phone carrier has blocked this message",
    "Phone number is opted out",
    "Unknown error attempting to reach phone",
    "Phone carrier is currently unreachable/unavailable",
)
# (MCC, MNC, carrier) by the phone number's country, for records that look real.
NETWORKS = {
    "KZ": (401, 2, "Kcell"),
    "KG": (437, 1, "Beeline KG"),
    "RU": (250, 1, "MTS"),
    "TR": (286, 1, "Turkcell"),
}


@dataclass(frozen=True)
class LogEvent:
    event_id: str
    timestamp: datetime
    message: str


def log_group(region: str, account: str, *, failure: bool) -> str:
    name = f"sns/{region}/{account}/DirectPublishToPhoneNumber"
    return f"{name}/Failure" if failure else name


def delivery_status_record(
    message_id: str,
    published: datetime,
    phone: str,
    *,
    delivered: bool,
    provider_response: str = "",
    price_usd: float = 0.0,
    country: str = "",
    parts: int = 1,
    dwell_ms: int = 600,
    until_ack_ms: int | None = 1300,
    topic_arn: str = "",
) -> dict[str, Any]:
    """One record in SNS's format (`topic_arn` only when a test wants the record to name
    the topic, which direct-publish records do not)."""
    mcc, mnc, carrier = NETWORKS.get(country, (0, 0, ""))
    delivery: dict[str, Any] = {
        "mnc": mnc if delivered else 0,
        "numberOfMessageParts": parts,
        "destination": phone,
        "priceInUSD": price_usd,
        "smsType": "Transactional",
        "mcc": mcc if delivered else 0,
        "providerResponse": provider_response or (DELIVERED if delivered else FAILURES[0]),
        "dwellTimeMs": dwell_ms,
    }
    if carrier and delivered:
        delivery["phoneCarrier"] = carrier
    if until_ack_ms is not None:
        delivery["dwellTimeMsUntilDeviceAck"] = until_ack_ms
    notification: dict[str, Any] = {
        "messageId": message_id,
        "timestamp": published.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
    }
    if topic_arn:
        notification["topicArn"] = topic_arn
    return {
        "notification": notification,
        "delivery": delivery,
        "status": "SUCCESS" if delivered else "FAILURE",
    }


def awslogs_event(
    group: str, events: Sequence[LogEvent], *, owner: str = "123456789012"
) -> dict[str, Any]:
    """What Lambda receives from a subscription filter on `group`."""
    data = {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": group,
        "logStream": "local",
        "subscriptionFilters": ["ReceiptsFromSmsDeliveries"],
        "logEvents": [
            {
                "id": e.event_id,
                "timestamp": int(e.timestamp.timestamp() * 1000),
                "message": e.message,
            }
            for e in events
        ],
    }
    packed = gzip.compress(json.dumps(data).encode("utf-8"))
    return {"awslogs": {"data": base64.b64encode(packed).decode("ascii")}}


class ReceiptWriter:
    """Writes a delivery-status record for each SMS the outbox delivers, to moto's log
    groups as SNS would. `failure_share` of them fail (every n-th, so a run is reproducible),
    each with one of SNS's real failure responses in turn; the price is the per-segment price
    of config/sms-prices.json times the SMS's segments.

    Locally the record carries the topic publish's message id (moto gives nothing else);
    whether SNS does the same for topic-delivered SMS is the open question README states."""

    def __init__(
        self,
        logs: Any,
        region: str,
        account: str,
        failure_share: float,
        prices: SmsPrices,
        stream: str = "local",
    ) -> None:
        if not 0 <= failure_share <= 1:
            raise ValueError(f"failure share {failure_share}: between 0 and 1")
        self._logs = logs
        self._region, self._account = region, account
        self._share = failure_share
        self._prices = prices
        self._sent = 0
        self._failed = 0
        self._lock = threading.Lock()
        self._streams: set[str] = set()
        # One stream per local stack: moto's backends are shared by every stack of a process.
        self._stream = stream

    def _fails(self) -> bool:
        """Every n-th SMS, n = 1 / share: floor((k + 1) * share) > floor(k * share)."""
        k = self._sent
        self._sent += 1
        return math.floor((k + 1) * self._share) > math.floor(k * self._share)

    def write(self, message_id: str, phone: str, segments: int) -> bool:
        """Record one SMS; whether it was delivered."""
        with self._lock:
            failed = self._fails()
            response = FAILURES[self._failed % len(FAILURES)] if failed else DELIVERED
            self._failed += failed
        try:
            country = phonenumbers.region_code_for_number(phonenumbers.parse(phone, None)) or ""
        except phonenumbers.NumberParseException:
            country = ""
        now = datetime.now(UTC)
        record = delivery_status_record(
            message_id,
            now,
            phone,
            delivered=not failed,
            provider_response=response,
            price_usd=round(self._prices.price(country) * max(segments, 1), 5),
            country=country,
            parts=segments,
        )
        group = log_group(self._region, self._account, failure=failed)
        if group not in self._streams:
            with contextlib.suppress(self._logs.exceptions.ResourceAlreadyExistsException):
                self._logs.create_log_group(logGroupName=group)
            with contextlib.suppress(self._logs.exceptions.ResourceAlreadyExistsException):
                self._logs.create_log_stream(logGroupName=group, logStreamName=self._stream)
            self._streams.add(group)
        self._logs.put_log_events(
            logGroupName=group,
            logStreamName=self._stream,
            logEvents=[{"timestamp": int(now.timestamp() * 1000), "message": json.dumps(record)}],
        )
        return not failed

"""SNS SMS delivery-status log records, as SNS writes them to CloudWatch Logs (the edge the
receipts function reads), and the delivery report the publisher API answers with.

A record (sns/<region>/<account>/DirectPublishToPhoneNumber and .../Failure):

    {"notification": {"messageId": "34d9b400-...", "timestamp": "2016-06-28 00:40:34.558"},
     "delivery": {"phoneCarrier": "...", "mnc": 270, "mcc": 310, "destination": "+1XXX5550100",
                  "priceInUSD": 0.00645, "smsType": "Transactional", "numberOfMessageParts": 1,
                  "providerResponse": "Message has been accepted by phone carrier",
                  "dwellTimeMs": 599, "dwellTimeMsUntilDeviceAck": 1344},
     "status": "SUCCESS"}

`destination` is a phone number: it is read, hashed with a key and dropped, never stored or
logged (`repr=False`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


class _Lenient(BaseModel):
    # SNS adds fields over time (numberOfMessageParts, phoneCarrier...): never refuse one.
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class LogNotification(_Lenient):
    message_id: str = Field(alias="messageId", min_length=1, max_length=200)
    timestamp: AwareDatetime | None = None
    # Present in SNS's topic delivery-status records for other protocols; read when there.
    topic_arn: str = Field(default="", alias="topicArn", max_length=300)

    @field_validator("timestamp", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        # "2016-06-28 00:40:34.558": UTC without an offset.
        if isinstance(value, str) and value and "+" not in value and not value.endswith("Z"):
            return datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=UTC)
        return value


class LogDelivery(_Lenient):
    destination: str = Field(default="", repr=False, max_length=40)
    provider_response: str = Field(default="", alias="providerResponse", max_length=500)
    price_usd: float = Field(default=0.0, alias="priceInUSD", ge=0, le=100)
    mcc: int | None = Field(default=None, ge=0, le=999)
    mnc: int | None = Field(default=None, ge=0, le=999)
    parts: int | None = Field(default=None, alias="numberOfMessageParts", ge=0, le=100)
    dwell_ms: int | None = Field(default=None, alias="dwellTimeMs", ge=0)
    dwell_until_ack_ms: int | None = Field(default=None, alias="dwellTimeMsUntilDeviceAck", ge=0)
    topic_arn: str = Field(default="", alias="topicArn", max_length=300)


class SmsDeliveryLog(_Lenient):
    notification: LogNotification
    delivery: LogDelivery = Field(default_factory=LogDelivery)
    status: str = Field(max_length=40)


# --- The delivery report (GET /advisories/{advisory_id}/versions/{version}/delivery) -----


class SmsCounts(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivered: int = 0
    failed: int = 0
    failed_by_reason: dict[str, int] = Field(default_factory=dict)
    cost_usd: float = 0.0
    by_country: dict[str, int] = Field(
        default_factory=dict, description="Receipts by the phone number's country"
    )
    by_operator: dict[str, int] = Field(
        default_factory=dict, description="Receipts by mobile network (MCC-MNC)"
    )
    duplicates: int = Field(default=0, description="Receipts that arrived again (not counted)")


class EmailCounts(BaseModel):
    """SES's word on the emails of a segment (or all): what was sent, and its events."""

    model_config = ConfigDict(frozen=True)

    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    complained: int = 0
    bounced_by_type: dict[str, int] = Field(
        default_factory=dict, description="permanent, transient, undetermined"
    )
    duplicates: int = Field(default=0, description="Events that arrived again (not counted)")


class SegmentDelivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    segment: str
    message_id: str
    published_at: AwareDatetime
    audience: int | None = Field(
        description="Subscribers of the segment (its topic's phones and its confirmed email "
        "addresses) when the report first looked; None until then"
    )
    sms: SmsCounts
    pending: int | None = Field(
        description="audience - SMS delivered - SMS failed - emails delivered - emails "
        "bounced: at most this many subscribers' messages have no known fate yet"
    )
    last_receipt_at: AwareDatetime | None = None
    email: EmailCounts = Field(default_factory=EmailCounts)


class DeliveryReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    advisory_id: str
    version: int
    published_at: AwareDatetime | None
    last_receipt_at: AwareDatetime | None
    seconds_to_last_receipt: float | None
    audience: int | None
    sms: SmsCounts
    pending: int | None
    delivered_share: float | None = Field(
        description="delivered / (delivered + failed): of the SMS whose fate is known, the "
        "share that reached a phone"
    )
    segments: list[SegmentDelivery]
    email: str = Field(description="What is known of email deliveries")
    emails: EmailCounts = Field(
        default_factory=EmailCounts, description="Emails sent through SES and their events"
    )

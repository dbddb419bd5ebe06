"""SMS delivery-status records as SNS writes them, and the `awslogs` payload a CloudWatch Logs
subscription filter hands to Lambda (base64 of gzipped JSON): for the local runtime, which
plays SNS's receipts, and for the tests that feed the receipts function."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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

"""SES events (delivery, bounce, complaint) as the delivery report counts them, and which of
them end a subscription (pure).

Each email the delivery function sends carries SES message tags naming its advisory, version,
segment and subscriber, so an event is attributed by its own tags, never by a lookup. A
permanent bounce (the address does not exist) and a complaint (the reader marked it as spam)
end the subscription: sending on would hurt the ministry's sending reputation, and SES puts
an account that keeps doing so under review. A transient bounce (mailbox full) is counted and
nothing more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from consular_alerts.models.email_events import SesEventRecord

COUNTED = {"Delivery": "delivered", "Bounce": "bounced", "Complaint": "complained"}


class UnreadableEmailEventError(ValueError):
    pass


@dataclass(frozen=True)
class EmailEvent:
    kind: str  # delivered, bounced, complained (the report's names)
    message_id: str
    advisory_id: str
    version: int
    segment: str
    subscriber_id: str
    at: datetime
    bounce_type: str = ""  # Permanent, Transient, Undetermined

    @property
    def of_advisory(self) -> bool:
        return bool(self.advisory_id)

    @property
    def delivery_key(self) -> str:
        return f"{self.advisory_id}#v{self.version}"

    @property
    def ends_subscription(self) -> bool:
        return self.kind == "complained" or (
            self.kind == "bounced" and self.bounce_type == "Permanent"
        )

    @property
    def reason(self) -> str:
        if self.kind == "bounced":
            return f"bounced ({self.bounce_type.lower() or 'undetermined'})"
        return self.kind


def _tag(record: SesEventRecord, name: str) -> str:
    values = record.mail.tags.get(name) or [""]
    return values[0]


def read_email_event(message: str, received_at: datetime) -> EmailEvent | None:
    """The event in an SNS message from SES; None for a type the report does not count
    (Send, DeliveryDelay, Open...). Raises UnreadableEmailEventError for anything else."""
    try:
        record = SesEventRecord.model_validate(json.loads(message))
    except (ValueError, ValidationError) as error:
        raise UnreadableEmailEventError(f"not an SES event: {type(error).__name__}") from None
    kind = COUNTED.get(record.event_type)
    if kind is None:
        return None
    advisory_id, version, segment = (_tag(record, n) for n in ("advisory", "version", "segment"))
    subscriber_id = _tag(record, "subscriber")
    # A confirmation email carries only its subscriber: it ends a bounced sign-up, and is
    # no advisory's delivery.
    advisory_tagged = bool(advisory_id and version.isdigit() and segment)
    if not advisory_tagged and not subscriber_id:
        raise UnreadableEmailEventError("SES event without this service's tags")
    detail = record.bounce or record.complaint or record.delivery
    at = (detail.timestamp if detail is not None else None) or received_at
    return EmailEvent(
        kind=kind,
        message_id=record.mail.message_id,
        advisory_id=advisory_id if advisory_tagged else "",
        version=int(version) if advisory_tagged else 0,
        segment=segment if advisory_tagged else "",
        subscriber_id=subscriber_id,
        at=at,
        bounce_type=record.bounce.bounce_type if record.bounce is not None else "",
    )

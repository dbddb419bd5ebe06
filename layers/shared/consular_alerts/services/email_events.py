"""SES events (delivery, bounce, complaint), counted into the advisory's delivery report the
way SMS receipts are (once per message and event type, attributed by the message's own
tags), and the end of the subscriptions they condemn: a permanent bounce or a complaint.
One bad record never stops the others."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from consular_alerts.domain.delivery.email_events import (
    UnreadableEmailEventError,
    read_email_event,
)
from consular_alerts.observability import redacting_logger
from consular_alerts.services.email_subscriptions import EmailSubscriptionEnds
from consular_alerts.services.ports import EmailTallies, RecordOutcome

logger = redacting_logger()


@dataclass
class EmailEventTally:
    delivered: int = 0
    bounced: int = 0
    complained: int = 0
    duplicates: int = 0
    ended: int = 0  # subscriptions ended by a permanent bounce or a complaint
    ignored: int = 0  # event types the report does not count (Send, Open...)
    unreadable: int = 0

    def as_json(self) -> dict[str, int]:
        return asdict(self)


class EmailEventService:
    def __init__(self, tallies: EmailTallies, ends: EmailSubscriptionEnds) -> None:
        self._tallies = tallies
        self._ends = ends

    def record(self, messages: Iterable[tuple[str, datetime]]) -> EmailEventTally:
        """`messages`: each SNS message SES published, with when it arrived."""
        tally = EmailEventTally()
        for message, received_at in messages:
            try:
                event = read_email_event(message, received_at)
            except UnreadableEmailEventError as problem:
                tally.unreadable += 1
                logger.warning("not an SES event of this service", problem=str(problem))
                continue
            if event is None:
                tally.ignored += 1
                continue
            if event.of_advisory:
                if self._tallies.record(event) is RecordOutcome.DUPLICATE:
                    tally.duplicates += 1
                else:
                    setattr(tally, event.kind, getattr(tally, event.kind) + 1)
            if event.ends_subscription and event.subscriber_id:
                tally.ended += self._ends.end_by_feedback(event.subscriber_id, event.reason)
        return tally

"""Training mode's fan-out: an exercise the ministry posted goes to each staff-flagged
subscription it would reach as a citizen (domain/staff.py), one message each, never to a
segment topic or a segment's email members. Each message is claimed in the delivery ledger
first, under the version's staff key, so a retried or replayed record sends nothing twice;
the staff key keeps these out of the version's delivery report and the SMS receipts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from aws_lambda_powertools import Logger

from consular_alerts.domain.messages.render import RenderedMessage
from consular_alerts.domain.segments import Segment
from consular_alerts.domain.staff import staff_reached
from consular_alerts.errors import AmbiguousPublishError, PermanentError, RetryableError
from consular_alerts.models.citizen import Channel, Subscriber
from consular_alerts.services.ports import (
    ClaimOutcome,
    DeliveryLedger,
    StaffDirectory,
    StaffEmail,
    StaffMessenger,
)

logger = Logger(child=True)

STAFF_KEY_SUFFIX = "#staff"  # "<advisory_id>#v<n>#staff": the version's staff messages
# A sent staff message's outcome, "staff:<message id>": the ledger keeps it out of the index
# where SMS receipts find segment publishes.
STAFF_OUTCOME = "staff:"


class StaffTally(Protocol):
    """Where the fan-out's report counts each staff message (FanoutReport's lists)."""

    published: list[str]
    already_done: list[str]
    refused: list[str]
    refused_earlier: list[str]
    taken_over: list[str]


def staff_key(delivery_key: str) -> str:
    return delivery_key + STAFF_KEY_SUFFIX


class StaffFanout:
    def __init__(
        self,
        directory: StaffDirectory,
        messenger: StaffMessenger,
        ledger: DeliveryLedger,
        clock: Callable[[], datetime],
        sender_id: str,
    ) -> None:
        self._directory = directory
        self._messenger = messenger
        self._ledger = ledger
        self._clock = clock
        self._sender_id = sender_id

    def deliver(
        self,
        delivery_key: str,
        segments: list[Segment],
        message: Callable[[Segment], RenderedMessage],
        report: StaffTally,
        *,
        retry_refused: bool = False,
    ) -> None:
        """`segments`: the version's audience among citizens, which staff are matched
        against; `message(segment)` renders what that segment would get."""
        key = staff_key(delivery_key)
        for subscriber, segment in staff_reached(self._directory.staff(), segments):
            name = f"staff-{subscriber.subscriber_id}"
            outcome = self._ledger.claim(key, name, self._clock(), retry_refused=retry_refused)
            if outcome is ClaimOutcome.DONE:
                report.already_done.append(name)
                continue
            if outcome is ClaimOutcome.REFUSED:
                report.refused_earlier.append(name)
                continue
            if outcome is ClaimOutcome.BUSY:
                # Another invocation is sending it: the stream retries the record later.
                raise RetryableError(f"{key} {name}: being sent by another invocation")
            if outcome is ClaimOutcome.TAKEN_OVER:
                report.taken_over.append(name)
            try:
                self._send_claimed(delivery_key, key, name, subscriber, segment, message(segment))
            except PermanentError as error:
                # Refused for good (an invalid number): recorded; the others still go.
                logger.error("staff message refused", staff=name, error=str(error))
                self._ledger.refuse(key, name, str(error)[:500], self._clock())
                report.refused.append(name)
                continue
            report.published.append(name)

    def _send_claimed(
        self,
        delivery_key: str,
        key: str,
        name: str,
        subscriber: Subscriber,
        segment: Segment,
        message: RenderedMessage,
    ) -> None:
        try:
            if subscriber.channel is Channel.SMS:
                sent = self._messenger.sms(subscriber.address, message.sms.text, self._sender_id)
            else:
                sent = self._messenger.email(
                    StaffEmail(
                        delivery_key,
                        segment.name,
                        subscriber.subscriber_id,
                        message.email_subject,
                        message.email_body,
                    )
                )
        except (AmbiguousPublishError, PermanentError):
            raise  # may have gone out (the claim stays until its lease ends), or refused
        except Exception:
            self._ledger.release(key, name)  # nothing went out: a retry may claim it
            raise
        self._ledger.complete(key, name, STAFF_OUTCOME + sent, self._clock())
        logger.info("staff message sent", staff=name, channel=subscriber.channel.value)

"""Email delivery: each segment publication the email queue receives, sent through SES to
each confirmed email subscriber of the segment, once per advisory version and address.

A version reaches several segments an address may hold (two countries of one advisory, the
tiers of a raised level): the ledger's conditional claim per (version, subscriber) lets the
first segment send and the others find it done. One message per recipient: each carries its
own `List-Unsubscribe` URL (a per-recipient header SES's 50-destination sends cannot vary),
so the work grows with the segment's email subscribers (`make bench` measures it).

Faults: a send SES refuses for good (an address it will not deliver to) is recorded as
refused and the others go on; a transient one gives the claim back and the publication is
retried by the queue, whose retry finds the sent ones done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from consular_alerts.domain.citizens.links import LinkPurpose
from consular_alerts.domain.delivery.report import delivery_key
from consular_alerts.domain.messages.email_letters import advisory_letter
from consular_alerts.domain.segments import Segment, segments_for_subscriber
from consular_alerts.errors import PermanentError, RetryableError
from consular_alerts.models.citizen import Channel, Subscriber, SubscriberStatus
from consular_alerts.services.email_subscriptions import unsubscribe_link
from consular_alerts.services.ports import (
    ClaimOutcome,
    EmailLedger,
    EmailMembers,
    EmailTallies,
    Mailer,
)
from consular_alerts.services.subscription_policy import SubscriberKeys

logger = Logger(child=True)


@dataclass(frozen=True)
class SegmentMail:
    """What the fan-out published to one segment, as the email queue receives it."""

    advisory_id: str
    version: int
    segment: str
    subject: str
    body: str
    staff_subscriber: str = ""  # training mode: an exercise's email to this staff member only


@dataclass
class EmailTally:
    sent: int = 0
    already_sent: int = 0  # this version reached the address through another segment
    skipped: int = 0  # not (or no longer) a confirmed subscriber of the segment
    refused: int = 0
    retry: int = 0  # given back for the queue's retry

    def as_json(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class EmailDeliveryConfig:
    site_url: str  # links in messages, unsubscribe pages (the site forwards /email/*)
    mailto: str = ""
    link_days: int = 366


class EmailDeliveryService:
    def __init__(
        self,
        members: EmailMembers,
        ledger: EmailLedger,
        mailer: Mailer,
        tallies: EmailTallies,
        keys: SubscriberKeys,
        config: EmailDeliveryConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self._members = members
        self._ledger = ledger
        self._mailer = mailer
        self._tallies = tallies
        self._keys = keys
        self._config = config
        self._clock = clock

    def deliver(self, mail: SegmentMail) -> EmailTally:
        """Raises RetryableError after the rest of the segment is sent if any send was
        transient (the queue retries; the ledger keeps the sent ones from going twice)."""
        tally = EmailTally()
        key = delivery_key(mail.advisory_id, mail.version)
        segment = Segment.parse(mail.segment)
        if mail.staff_subscriber:
            return self._deliver_to_staff(key, mail, tally)
        for page in self._members.members(mail.segment):
            for subscriber in self._members.subscribers(page):
                if not _receives(subscriber, segment):
                    tally.skipped += 1
                    if subscriber.status is SubscriberStatus.UNSUBSCRIBED:
                        self._members.leave(subscriber.subscriber_id, [mail.segment])
                    continue
                self._send_once(key, mail, subscriber, tally)
        if tally.sent:
            self._tallies.sent(key, mail.segment, tally.sent, self._clock())
        logger.info(
            "segment emailed",
            advisory_id=mail.advisory_id,
            version=mail.version,
            segment=mail.segment,
            extra={"counts": tally.as_json()},
        )
        if tally.retry:
            raise RetryableError(f"{key} {mail.segment}: {tally.retry} email(s) to retry")
        return tally

    def _deliver_to_staff(self, key: str, mail: SegmentMail, tally: EmailTally) -> EmailTally:
        """An exercise's email to one staff subscription, if it is still confirmed and
        flagged; not counted in the segment's (citizens') email tallies."""
        for subscriber in self._members.subscribers([mail.staff_subscriber]):
            if subscriber.staff and _receives(subscriber, Segment.parse(mail.segment)):
                self._send_once(key, mail, subscriber, tally)
            else:
                tally.skipped += 1
        logger.info(
            "staff emailed",
            advisory_id=mail.advisory_id,
            version=mail.version,
            staff=mail.staff_subscriber,
            extra={"counts": tally.as_json()},
        )
        if tally.retry:
            raise RetryableError(f"{key} staff {mail.staff_subscriber}: email to retry")
        return tally

    def _send_once(
        self, key: str, mail: SegmentMail, subscriber: Subscriber, tally: EmailTally
    ) -> None:
        outcome = self._ledger.claim(key, subscriber.subscriber_id, self._clock())
        if outcome in {ClaimOutcome.DONE, ClaimOutcome.REFUSED}:
            tally.already_sent += 1
            return
        if outcome is ClaimOutcome.BUSY:
            tally.retry += 1  # another segment's delivery is sending it right now
            return
        letter = advisory_letter(
            subscriber.language.value,
            mail.subject,
            mail.body,
            site_url=self._config.site_url,
            unsubscribe_url=self._unsubscribe_url(subscriber),
            mailto=self._config.mailto,
            reference=f"{mail.advisory_id}; version={mail.version}; segment={mail.segment}",
        )
        tags = {
            "advisory": mail.advisory_id,
            "version": str(mail.version),
            "segment": mail.segment,
            "subscriber": subscriber.subscriber_id,
        }
        try:
            message_id = self._mailer.send(subscriber.address, letter, tags)
        except PermanentError as error:
            self._ledger.refuse(key, subscriber.subscriber_id, str(error)[:300], self._clock())
            tally.refused += 1
            logger.warning("email refused", subscriber_id=subscriber.subscriber_id)
            return
        except RetryableError:
            self._ledger.release(key, subscriber.subscriber_id)
            tally.retry += 1
            return
        self._ledger.complete(
            key, subscriber.subscriber_id, mail.segment, message_id, self._clock()
        )
        tally.sent += 1

    def _unsubscribe_url(self, subscriber: Subscriber) -> str:
        # Signed at the subscription's link generation: a new manage token retires it.
        expires = self._clock() + timedelta(days=self._config.link_days)
        token = self._keys.links.token(
            subscriber.subscriber_id, LinkPurpose.UNSUBSCRIBE, expires, subscriber.link_generation
        )
        return unsubscribe_link(self._config.site_url, subscriber.subscriber_id, token)


def _receives(subscriber: Subscriber, segment: Segment) -> bool:
    """A confirmed email subscriber that (still) holds the segment: preferences may have
    changed since the membership was read."""
    return (
        subscriber.channel is Channel.EMAIL
        and subscriber.status is SubscriberStatus.ACTIVE
        and bool(subscriber.address)
        and segment
        in segments_for_subscriber(
            subscriber.countries, subscriber.language.value, subscriber.min_level
        )
    )

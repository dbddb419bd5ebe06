"""The small interfaces services need from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from consular_alerts.domain.alerts_out.site_file import SiteFile
from consular_alerts.domain.citizens.codes import PhoneCode
from consular_alerts.domain.citizens.limits import Budget, Refusal
from consular_alerts.domain.delivery.email_events import EmailEvent
from consular_alerts.domain.delivery.receipts import Receipt
from consular_alerts.domain.delivery.report import Publication, SegmentTally
from consular_alerts.domain.messages.email_letters import Letter
from consular_alerts.domain.messages.render import RenderedMessage
from consular_alerts.domain.segments import Segment
from consular_alerts.domain.staff import StaffPreferences
from consular_alerts.models.advisory import Advisory, Approval
from consular_alerts.models.citizen import Subscriber, SubscriberStatus
from consular_alerts.models.countries import Internet
from consular_alerts.models.feeds import FeedConfig, FeedState

if TYPE_CHECKING:  # the fan-out and the citizen API load this module, never these models
    from consular_alerts.models.publisher import VersionRecord


@dataclass(frozen=True)
class AdvisoryHead:
    advisory_id: str
    version: int
    content_hash: str
    # The content hashes of the versions before the latest: a repost of one is stale.
    earlier_hashes: frozenset[str] = frozenset()


class AdvisoryRepository(Protocol):
    def head(self, advisory_id: str) -> AdvisoryHead | None: ...

    def save_version(
        self, advisory: Advisory, previous: AdvisoryHead | None, *, revert: bool = False
    ) -> bool:
        """Store `advisory` as the next version, in one conditional write with the head
        (which then also counts `previous`'s hash among the earlier ones). False if
        `previous` is no longer the head, the head already has this content (someone else
        stored it first), or, unless `revert`, an earlier version had this content."""
        ...

    def get(self, advisory_id: str, version: int) -> Advisory | None: ...

    def mark_replaced(self, advisory_id: str, by: Advisory) -> None:
        """Record on `advisory_id` (if on record) that `by` cancels or supersedes it."""
        ...

    def settle_approval(
        self,
        advisory_id: str,
        version: int,
        state: Approval,
        *,
        at: datetime,
        by: str | None = None,
        reason: str | None = None,
        while_latest: bool = False,
    ) -> bool:
        """Decide a pending version (approved, rejected, replaced, expired) in one conditional
        write: False if it no longer waits, or (`while_latest`) a newer version exists."""
        ...

    def pending_approvals(self) -> list[Advisory]:
        """Every version waiting for a second officer, oldest first."""
        ...


class VersionHistory(Protocol):
    def versions(self, advisory_id: str) -> list[VersionRecord]:
        """Every stored version of the advisory, oldest first (empty: no such advisory)."""
        ...


@dataclass(frozen=True)
class AdvisoryState:
    """What the head item says about an advisory as a whole: its latest version and, once a
    later advisory cancelled or superseded it, that advisory ("<id>#v<version>")."""

    advisory_id: str
    latest_version: int
    lifecycle: str = ""  # "", "closed" (cancelled) or "superseded"
    replaced_by: str = ""


class AdvisoryReader(Protocol):
    """Reads for the public advisory page: no writes."""

    def state(self, advisory_id: str) -> AdvisoryState | None: ...

    def get(self, advisory_id: str, version: int) -> Advisory | None: ...

    def find_by_reference(self, reference: str) -> str | None:
        """The advisory_id whose short reference (domain/identity.py) this is, if any; the
        most recently updated one should two ids ever share a reference."""
        ...


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"  # ours to publish
    # Ours to publish, taken over from an invocation that claimed it and went silent past
    # the lease: it may have died after SNS took the message, so this publish may be the
    # one duplicate the design allows (counted in a metric).
    TAKEN_OVER = "taken_over"
    DONE = "done"  # already published (or known to have no audience)
    BUSY = "busy"  # another invocation is publishing it right now
    REFUSED = "refused"  # the provider refused it for good; only a replay tries it again


@dataclass(frozen=True)
class SentMessage:
    """A message a segment got: its digest per channel, and the version that sent it."""

    version: int
    digests: dict[str, str]  # channel -> digest (domain/messages/digests.py)


class DeliveryLedger(Protocol):
    def claim(
        self, delivery_key: str, segment: str, now: datetime, *, retry_refused: bool = False
    ) -> ClaimOutcome: ...

    def complete(self, delivery_key: str, segment: str, outcome: str, now: datetime) -> None: ...

    def release(self, delivery_key: str, segment: str) -> None: ...

    def refuse(self, delivery_key: str, segment: str, reason: str, now: datetime) -> None:
        """Record that the provider refused the publish (not retried until a replay)."""
        ...

    def last_sent(self, advisory_id: str, segment: str) -> SentMessage | None:
        """What the segment last got of this advisory (None: nothing yet)."""
        ...

    def remember_sent(
        self, advisory_id: str, segment: str, sent: SentMessage, now: datetime
    ) -> None:
        """`sent` is now the segment's last message of the advisory, unless a later version's
        is recorded already (fan-outs of two versions may finish out of order)."""
        ...


@dataclass(frozen=True)
class DeadLetter:
    """An advisory version the fan-out could not finish, for `alerts replay` after a fix."""

    advisory_id: str
    version: int
    reason: str
    segments: tuple[str, ...] = ()  # refused segments; empty: the whole version


class DeadLetters(Protocol):
    def send(self, letter: DeadLetter) -> None: ...


class SegmentPublisher(Protocol):
    def publish(
        self, segment: Segment, message: RenderedMessage, sender_id: str, delivery_key: str = ""
    ) -> str | None:
        """Publish to the segment's topic; the message id, or None if the segment has no
        topic (nobody ever subscribed to it). Raises RetryableError for transient faults.
        `delivery_key` names the advisory version for the email queue."""
        ...


class AudienceCounter(Protocol):
    def subscribers(self, segments: list[Segment]) -> dict[Segment, int]:
        """Confirmed subscribers per segment, phones and email addresses (0 for a segment
        nobody ever joined)."""
        ...

    def email_subscribers(self, segments: list[Segment]) -> dict[Segment, int]:
        """The email addresses among them (what SMS does not bill)."""
        ...


class SmsSender(Protocol):
    def send_sms(self, phone_number: str, text: str, sender_id: str) -> str: ...


class SegmentDirectory(Protocol):
    def subscribe(self, segment: Segment, protocol: str, endpoint: str) -> str:
        """Subscribe an endpoint to the segment's topic (creating it); the subscription ARN."""
        ...

    def unsubscribe(self, subscription_arn: str) -> None: ...


class RateLimiter(Protocol):
    def acquire(self, budget: Budget, now: datetime) -> Refusal | None:
        """Count one use against every counter of `budget` and start its cooldowns, all or
        nothing; the first limit that has no room, or None when all had room."""
        ...

    def refund(self, budget: Budget, now: datetime) -> None:
        """Give back what `acquire(budget, now)` counted (the request failed before anything
        was sent), as far as nothing else has moved the counters since."""
        ...


class PhoneCodeStore(Protocol):
    """Codes sent to a number, by the keyed hash of the number (never the number)."""

    def put(self, phone_key: str, code_hash: str, expires_at: datetime) -> None:
        """Store the number's current code (the earlier one stops working), no attempt yet."""
        ...

    def count_attempt(self, phone_key: str, max_attempts: int, now: datetime) -> PhoneCode | None:
        """Count one attempt at the number's code, atomically, before it is compared: the
        code with this attempt counted, or None when there is none, it expired or its
        attempts are used up."""
        ...

    def clear(self, phone_key: str, code_hash: str) -> None:
        """The code was used: it stops working (unless a newer one replaced it)."""
        ...


class SubscriberRepository(Protocol):
    def create(self, subscriber: Subscriber) -> None: ...

    def get(self, subscriber_id: str) -> Subscriber | None: ...

    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        """Write `subscriber` if the stored one still has `expected_status` and the revision
        before `subscriber.revision` (nobody wrote in between)."""
        ...

    def find_live(self, lookup_hash: str) -> list[Subscriber]:
        """Live subscriptions (active, pending confirmation) of the address with this hash."""
        ...

    def count_attempt(self, subscriber: Subscriber, max_attempts: int) -> Subscriber | None:
        """Count one attempt at the current code, atomically, before it is compared: adds 1 to
        `attempts` (and to `revision`) if the stored record still has the status and the code
        of `subscriber` and fewer than `max_attempts` attempts. The record as stored after,
        or None when refused (attempts used up, or a new code or status meanwhile)."""
        ...


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when the feed has not changed since the validators we sent
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


class FetchError(Exception):
    """The feed could not be fetched within its bounds (size, time, HTTP status)."""


class Fetcher(Protocol):
    def fetch(
        self,
        url: str,
        *,
        etag: str,
        last_modified: str,
        max_bytes: int,
        timeout: float,
        linked_from: str | None = None,
    ) -> Fetched:
        """`linked_from` marks a URL found inside the feed at that URL: untrusted."""
        ...


class FeedRepository(Protocol):
    def feeds(self) -> list[tuple[FeedConfig, FeedState]]: ...

    def save_state(self, feed_id: str, state: FeedState) -> None: ...


@dataclass(frozen=True)
class StoredFile:
    body: bytes
    etag: str


class SiteFiles(Protocol):
    """The site's public files that the CAP feed function keeps (its CAP documents and
    feeds); the rest of the site is the pages'."""

    def read(self, key: str) -> StoredFile | None: ...

    def write(self, file: SiteFile) -> None: ...

    def replace(self, file: SiteFile, etag: str | None) -> bool:
        """Write `file` only if the stored one still has `etag` (None: only if there is
        none); False when another writer came first."""
        ...


@dataclass(frozen=True)
class CountryRecord:
    """What the countries table holds for one country (shutdown mode)."""

    country_code: str
    internet: Internet
    updated_at: datetime | None = None


class CountryStore(Protocol):
    def disrupted(self, countries: list[str]) -> frozenset[str]:
        """Those of `countries` whose internet the duty officer marked disrupted (read at
        every fan-out and preview: a change applies to the next message)."""
        ...

    def records(self) -> list[CountryRecord]:
        """Every country with a state on record."""
        ...

    def set_internet(self, country: str, internet: Internet, now: datetime) -> CountryRecord: ...


class PublicationLog(Protocol):
    """The delivery ledger's published segments, looked up as receipts and reports need."""

    def by_message_id(self, message_id: str, around: datetime) -> Publication | None:
        """The publish with this SNS message id, made on the day of `around` or the day
        before or after (receipts arrive after midnight too)."""
        ...

    def latest_to_segment(self, segment: str, before: datetime) -> Publication | None:
        """The last publish to `segment` at or before `before` (within a day)."""
        ...

    def published_between(self, start: datetime, end: datetime) -> list[Publication]: ...

    def of_version(self, delivery_key: str) -> list[Publication]: ...


class RecordOutcome(StrEnum):
    COUNTED = "counted"  # a receipt not seen before
    DUPLICATE = "duplicate"  # the same receipt again (a redelivered log event): not counted
    CHANGED = "changed"  # the same phone and publish, another status: moved, not added


class ReceiptStore(Protocol):
    def record(self, publication: Publication, receipt: Receipt) -> RecordOutcome:
        """Count a receipt against its publication, once per (publish, phone)."""
        ...

    def record_unattributed(self, receipt: Receipt) -> None:
        """Count a receipt no publish of an advisory can be found for (by day)."""
        ...

    def tallies(self, delivery_key: str) -> dict[str, SegmentTally]:
        """What has been counted for each segment of an advisory version."""
        ...

    def set_audience(self, delivery_key: str, segment: str, audience: int) -> None:
        """Keep the segment's subscriber count as first seen (later calls change nothing)."""
        ...

    def receipt_status(self, publication: Publication, phone_hash: str) -> str | None:
        """ "delivered" or "failed" for the phone with this hash, None if no receipt came."""
        ...


class OperationsNotifier(Protocol):
    def notify(self, subject: str, text: str) -> None:
        """Tell the people on call (the operations topic the alarms go to)."""
        ...


# --- Email through SES (services/email_subscriptions.py, email_delivery.py, email_events.py) --


class EmailMembers(Protocol):
    """Which confirmed email subscribers each segment has (SNS holds no email subscription)."""

    def join(self, subscriber_id: str, segments: list[str]) -> None: ...

    def leave(self, subscriber_id: str, segments: list[str]) -> None: ...

    def members(self, segment: str) -> Iterator[list[str]]:
        """The segment's subscriber ids, a page at a time."""
        ...

    def subscribers(self, subscriber_ids: list[str]) -> list[Subscriber]:
        """The records of these ids that exist (read in batches)."""
        ...


class Mailer(Protocol):
    def send(self, to: str, letter: Letter, tags: dict[str, str]) -> str:
        """Send one letter to one address; the provider's message id. Raises RetryableError
        (throttled, unreachable) or PermanentError (refused for good)."""
        ...


class EmailLedger(Protocol):
    """One item per (advisory version, subscriber): claimed, then sent, so an address gets a
    version once whatever number of its segments the version reaches."""

    def claim(self, delivery_key: str, subscriber_id: str, now: datetime) -> ClaimOutcome: ...

    def complete(
        self, delivery_key: str, subscriber_id: str, segment: str, message_id: str, now: datetime
    ) -> None: ...

    def release(self, delivery_key: str, subscriber_id: str) -> None: ...

    def refuse(self, delivery_key: str, subscriber_id: str, reason: str, now: datetime) -> None: ...


class EmailTallies(Protocol):
    """Email counts per advisory version and segment, in the delivery receipts table."""

    def sent(self, delivery_key: str, segment: str, count: int, now: datetime) -> None: ...

    def record(self, event: EmailEvent) -> RecordOutcome:
        """Count an SES event once per (message, event type)."""
        ...

    def email_tallies(self, delivery_key: str) -> dict[str, dict[str, int]]:
        """Segment -> counters (sent, delivered, bounced, complained, duplicates...)."""
        ...


# --- Training mode (services/staff.py, services/staff_fanout.py) --------------------------------


class StaffDirectory(Protocol):
    """The staff-flagged live subscriptions (a sparse index of the subscribers table)."""

    def staff(self) -> list[Subscriber]:
        """Every active staff subscription's record, strongly consistent."""
        ...

    def preferences(self) -> list[StaffPreferences]:
        """What the index holds of each (no address, no record read): for counting."""
        ...


class StaffMessenger(Protocol):
    """An exercise's message to one staff subscriber: never through a segment topic."""

    def sms(self, phone_number: str, text: str, sender_id: str) -> str:
        """A direct SMS; the provider's message id."""
        ...

    def email(self, publication: StaffEmail) -> str:
        """Queued for the email-delivery function (SES); the queue's message id."""
        ...


@dataclass(frozen=True)
class StaffEmail:
    """An exercise's email for one staff subscriber: the subscriber id, never the address."""

    delivery_key: str
    segment: str  # the subscriber's segment the exercise reached (its language and tier)
    subscriber_id: str
    subject: str
    body: str

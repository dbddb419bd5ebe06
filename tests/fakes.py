"""In-memory fakes of the service ports, for domain and service tests (no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consular_alerts.domain.alerts_out.site_file import SiteFile
from consular_alerts.domain.citizens.codes import PhoneCode
from consular_alerts.domain.citizens.limits import (
    Budget,
    Refusal,
    cooldown_refusal,
    counter_refusal,
)
from consular_alerts.domain.identity import short_reference
from consular_alerts.domain.messages.email_letters import Letter
from consular_alerts.domain.messages.render import RenderedMessage
from consular_alerts.domain.segments import Segment
from consular_alerts.errors import PermanentError, RetryableError
from consular_alerts.models.advisory import Advisory, Approval
from consular_alerts.models.citizen import LIVE_STATUSES, Subscriber, SubscriberStatus
from consular_alerts.services.ports import (
    AdvisoryHead,
    AdvisoryState,
    ClaimOutcome,
    DeadLetter,
    SentMessage,
    StoredFile,
)

from tests.builders import NOW


class FakeClock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class FakeAdvisoryRepository:
    items: dict[tuple[str, int], Advisory] = field(default_factory=dict)
    heads: dict[str, AdvisoryHead] = field(default_factory=dict)
    interfere_times: int = 0  # simulate another writer moving the head first
    replaced: dict[str, str] = field(default_factory=dict)
    # What the head item's lifecycle and replaced_by hold (as the DynamoDB adapter writes).
    lifecycles: dict[str, tuple[str, str]] = field(default_factory=dict)
    reads: list[tuple[str, object]] = field(default_factory=list)  # calls, for cost checks

    def head(self, advisory_id: str) -> AdvisoryHead | None:
        return self.heads.get(advisory_id)

    def save_version(
        self, advisory: Advisory, previous: AdvisoryHead | None, *, revert: bool = False
    ) -> bool:
        if self.interfere_times:
            self.interfere_times -= 1
            version = (previous.version if previous else 0) + 1
            earlier = previous.earlier_hashes | {previous.content_hash} if previous else set()
            self.heads[advisory.advisory_id] = AdvisoryHead(
                advisory.advisory_id, version, "f" * 64, frozenset(earlier)
            )
            return False
        if self.heads.get(advisory.advisory_id) != previous:
            return False
        if previous is not None and not revert and advisory.content_hash in previous.earlier_hashes:
            return False
        earlier = previous.earlier_hashes | {previous.content_hash} if previous else frozenset()
        self.items[(advisory.advisory_id, advisory.version)] = advisory
        self.heads[advisory.advisory_id] = AdvisoryHead(
            advisory.advisory_id, advisory.version, advisory.content_hash, frozenset(earlier)
        )
        return True

    def get(self, advisory_id: str, version: int) -> Advisory | None:
        self.reads.append(("get", (advisory_id, version)))
        return self.items.get((advisory_id, version))

    def mark_replaced(self, advisory_id: str, by: Advisory) -> None:
        if advisory_id in self.heads:
            self.replaced[advisory_id] = f"{by.msg_type.value}:{by.advisory_id}#v{by.version}"
            state = "closed" if by.msg_type.value == "cancel" else "superseded"
            self.lifecycles[advisory_id] = (state, f"{by.advisory_id}#v{by.version}")

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
        stored = self.items.get((advisory_id, version))
        if stored is None or stored.approval is not Approval.PENDING:
            return False
        if while_latest and self.heads[advisory_id].version != version:
            return False
        self.items[(advisory_id, version)] = stored.model_copy(
            update={"approval": state, "decided_at": at, "decided_by": by,
                    "decision_reason": reason or None}
        )  # fmt: skip
        return True

    def pending_approvals(self) -> list[Advisory]:
        waiting = [a for a in self.items.values() if a.approval is Approval.PENDING]
        return sorted(waiting, key=lambda a: a.received_at)

    def state(self, advisory_id: str) -> AdvisoryState | None:
        self.reads.append(("state", advisory_id))
        head = self.heads.get(advisory_id)
        if head is None:
            return None
        lifecycle, replaced_by = self.lifecycles.get(advisory_id, ("", ""))
        return AdvisoryState(advisory_id, head.version, lifecycle, replaced_by)

    def find_by_reference(self, reference: str) -> str | None:
        self.reads.append(("find_by_reference", reference))
        matches = [key for key in self.heads if short_reference(key) == reference]
        return matches[-1] if matches else None


@dataclass
class FakeLedger:
    states: dict[tuple[str, str], str] = field(default_factory=dict)
    claimed_at: dict[tuple[str, str], datetime] = field(default_factory=dict)
    lease: timedelta = timedelta(seconds=30)
    # (advisory_id, segment) -> the last message the segment got of the advisory
    sent: dict[tuple[str, str], SentMessage] = field(default_factory=dict)

    def claim(
        self, delivery_key: str, segment: str, now: datetime, *, retry_refused: bool = False
    ) -> ClaimOutcome:
        key = (delivery_key, segment)
        state = self.states.get(key)
        stale = state == "publishing" and self.claimed_at.get(key, now) < now - self.lease
        retry = retry_refused and state is not None and state.startswith("refused:")
        if state is None or stale or retry:
            self.states[key] = "publishing"
            self.claimed_at[key] = now
            return ClaimOutcome.TAKEN_OVER if stale else ClaimOutcome.CLAIMED
        if state == "publishing":
            return ClaimOutcome.BUSY
        return ClaimOutcome.REFUSED if state.startswith("refused:") else ClaimOutcome.DONE

    def complete(self, delivery_key: str, segment: str, outcome: str, now: datetime) -> None:
        self.states[(delivery_key, segment)] = f"done:{outcome}"

    def refuse(self, delivery_key: str, segment: str, reason: str, now: datetime) -> None:
        self.states[(delivery_key, segment)] = f"refused:{reason}"

    def release(self, delivery_key: str, segment: str) -> None:
        if self.states.get((delivery_key, segment)) == "publishing":
            del self.states[(delivery_key, segment)]

    def last_sent(self, advisory_id: str, segment: str) -> SentMessage | None:
        return self.sent.get((advisory_id, segment))

    def remember_sent(
        self, advisory_id: str, segment: str, sent: SentMessage, now: datetime
    ) -> None:
        last = self.sent.get((advisory_id, segment))
        if last is None or last.version <= sent.version:
            self.sent[(advisory_id, segment)] = sent


@dataclass
class FakeDeadLetters:
    letters: list[DeadLetter] = field(default_factory=list)

    def send(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


def decode_image(image: dict[str, object]) -> Advisory:
    """Stands in for the DynamoDB image decoder: fakes carry plain records."""
    return Advisory.model_validate(image)


@dataclass
class FakePublisher:
    topics: set[str] = field(default_factory=set)  # segment names that have a topic
    published: list[tuple[str, RenderedMessage]] = field(default_factory=list)
    fail_on: set[str] = field(default_factory=set)  # segments that raise RetryableError
    refuse: set[str] = field(default_factory=set)  # segments that raise PermanentError

    def publish(
        self, segment: Segment, message: RenderedMessage, sender_id: str, delivery_key: str = ""
    ) -> str | None:
        if segment.name in self.fail_on:
            raise RetryableError(f"throttled on {segment.name}")
        if segment.name in self.refuse:
            raise PermanentError(f"SNS publish to {segment.name}: InvalidParameter")
        if segment.name not in self.topics:
            return None
        self.published.append((segment.name, message))
        return f"msg-{len(self.published)}"


@dataclass
class FakeSmsSender:
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send_sms(self, phone_number: str, text: str, sender_id: str) -> str:
        self.sent.append((phone_number, text))
        return f"sms-{len(self.sent)}"


@dataclass
class FakeDirectory:
    """Segment topics in memory. Subscribing an endpoint twice to one topic returns the same
    ARN, as SNS does."""

    subscriptions: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # arn -> seg
    filter_policies: dict[str, str] = field(default_factory=dict)  # never set by the service
    calls: list[str] = field(default_factory=list)  # "subscribe <seg>", "unsubscribe <seg>"
    topic_prefix: str = "arn:aws:sns:us-east-1:123456789012:test-seg-"
    _serial: int = 0

    def subscribe(self, segment: Segment, protocol: str, endpoint: str) -> str:
        self.calls.append(f"subscribe {segment.name}")
        for arn, held in self.subscriptions.items():
            if held == (segment.name, protocol, endpoint):
                return arn
        self._serial += 1
        arn = f"{self.topic_prefix}{segment.name}:{self._serial:08d}-fake"
        self.subscriptions[arn] = (segment.name, protocol, endpoint)
        return arn

    def unsubscribe(self, subscription_arn: str) -> None:
        held = self.subscriptions.pop(subscription_arn, None)
        if held is not None:
            self.calls.append(f"unsubscribe {held[0]}")

    def segments(self, protocol: str | None = None) -> list[str]:
        return sorted(
            seg
            for seg, proto, _ in self.subscriptions.values()
            if proto == protocol or protocol is None
        )


@dataclass
class FakeSubscriberRepository:
    records: dict[str, Subscriber] = field(default_factory=dict)
    interfere_times: int = 0  # simulate a concurrent writer winning the next replace
    calls: list[str] = field(default_factory=list)  # the methods called, in order

    def create(self, subscriber: Subscriber) -> None:
        self.calls.append("create")
        assert subscriber.subscriber_id not in self.records
        self.records[subscriber.subscriber_id] = subscriber

    def get(self, subscriber_id: str) -> Subscriber | None:
        self.calls.append("get")
        return self.records.get(subscriber_id)

    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        self.calls.append("replace")
        current = self.records.get(subscriber.subscriber_id)
        if self.interfere_times:
            self.interfere_times -= 1
            return False
        if current is None or current.status is not expected_status:
            return False
        if current.revision != subscriber.revision - 1:
            return False
        self.records[subscriber.subscriber_id] = subscriber
        return True

    def count_attempt(self, subscriber: Subscriber, max_attempts: int) -> Subscriber | None:
        self.calls.append("count_attempt")
        current = self.records.get(subscriber.subscriber_id)
        if (
            current is None
            or current.status is not subscriber.status
            or current.code_hash != subscriber.code_hash
            or current.attempts >= max_attempts
        ):
            return None
        counted = current.model_copy(
            update={"attempts": current.attempts + 1, "revision": current.revision + 1}
        )
        self.records[subscriber.subscriber_id] = counted
        return counted

    def find_live(self, lookup_hash: str) -> list[Subscriber]:
        self.calls.append("find_live")
        return [
            s
            for s in self.records.values()
            if s.lookup_hash == lookup_hash and s.status in LIVE_STATUSES
        ]


@dataclass
class FakeEmailMembers:
    """Segment memberships of confirmed email subscribers, in memory."""

    repository: FakeSubscriberRepository
    segments: dict[str, set[str]] = field(default_factory=dict)  # segment -> subscriber ids

    def join(self, subscriber_id: str, segments: list[str]) -> None:
        for segment in segments:
            self.segments.setdefault(segment, set()).add(subscriber_id)

    def leave(self, subscriber_id: str, segments: list[str]) -> None:
        for segment in segments:
            self.segments.get(segment, set()).discard(subscriber_id)

    def members(self, segment: str) -> Iterator[list[str]]:
        found = sorted(self.segments.get(segment, set()))
        if found:
            yield found

    def subscribers(self, subscriber_ids: list[str]) -> list[Subscriber]:
        return [self.repository.records[i] for i in subscriber_ids if i in self.repository.records]

    def of(self, subscriber_id: str) -> list[str]:
        """The segments this subscriber is a member of."""
        return sorted(name for name, ids in self.segments.items() if subscriber_id in ids)


@dataclass
class FakeMailer:
    """Letters as SES would take them: (to, letter, tags), in order."""

    sent: list[tuple[str, Letter, dict[str, str]]] = field(default_factory=list)

    def send(self, to: str, letter: Letter, tags: dict[str, str]) -> str:
        self.sent.append((to, letter, tags))
        return f"ses-{len(self.sent)}"


@dataclass
class FakeRateLimiter:
    """The DynamoDB limiter's semantics in memory: every counter of a budget must have room,
    and every cooldown must have passed, or nothing is counted."""

    hits: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    # "acquire phone,client,...+cooldowns": the counters (not their keys or costs) written
    calls: list[str] = field(default_factory=list)

    @staticmethod
    def _shape(budget: Budget) -> str:
        counters = ",".join(counter.limit.value for counter in budget.counters)
        return f"{counters}+{len(budget.cooldowns)} cooldown(s)"

    def acquire(self, budget: Budget, now: datetime) -> Refusal | None:
        self.calls.append(f"acquire {self._shape(budget)}")
        epoch = int(now.timestamp())
        refusal: Refusal | None = None
        for counter in budget.counters:
            if self.hits.get(counter.key, 0) >= counter.maximum:
                refusal = counter_refusal(counter, now)
                break
        if refusal is None:
            for cooldown in budget.cooldowns:
                last = self.last.get(cooldown.key)
                if last is not None and last > epoch - cooldown.seconds:
                    refusal = cooldown_refusal(cooldown, last, now)
                    break
        if refusal is not None:
            self.refusals.append(refusal)
            return refusal
        for counter in budget.counters:
            self.hits[counter.key] = self.hits.get(counter.key, 0) + counter.cost
        for cooldown in budget.cooldowns:
            self.last[cooldown.key] = epoch
        return None

    def refund(self, budget: Budget, now: datetime) -> None:
        self.calls.append(f"refund {self._shape(budget)}")
        for counter in budget.counters:
            if self.hits.get(counter.key, 0) >= counter.cost:
                self.hits[counter.key] -= counter.cost
        for cooldown in budget.cooldowns:
            if self.last.get(cooldown.key) == int(now.timestamp()):
                del self.last[cooldown.key]


@dataclass
class FakePhoneCodes:
    """Codes sent to numbers, as the rate-limits table keeps them (DynamoPhoneCodes)."""

    codes: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # hash, expiry, tries
    calls: list[str] = field(default_factory=list)  # "put", "count_attempt", "clear"

    def put(self, phone_key: str, code_hash: str, expires_at: datetime) -> None:
        self.calls.append("put")
        self.codes[phone_key] = (code_hash, int(expires_at.timestamp()), 0)

    def count_attempt(self, phone_key: str, max_attempts: int, now: datetime) -> PhoneCode | None:
        self.calls.append("count_attempt")
        stored = self.codes.get(phone_key)
        if stored is None or stored[1] <= now.timestamp() or stored[2] >= max_attempts:
            return None
        self.codes[phone_key] = (stored[0], stored[1], stored[2] + 1)
        return PhoneCode(code_hash=stored[0], attempts=stored[2] + 1)

    def clear(self, phone_key: str, code_hash: str) -> None:
        self.calls.append("clear")
        if phone_key in self.codes and self.codes[phone_key][0] == code_hash:
            del self.codes[phone_key]


@dataclass
class FakeSiteFiles:
    """The site bucket: files with ETags, and conditional writes as S3 does them."""

    files: dict[str, SiteFile] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    # Before each of the next conditional writes, another writer changes the file this way.
    interfere: list[SiteFile] = field(default_factory=list)

    def etag(self, key: str) -> str:
        return f'"{key}-{self.versions.get(key, 0)}"'

    def read(self, key: str) -> StoredFile | None:
        found = self.files.get(key)
        return StoredFile(found.body, self.etag(key)) if found is not None else None

    def write(self, file: SiteFile) -> None:
        self.files[file.key] = file
        self.versions[file.key] = self.versions.get(file.key, 0) + 1

    def replace(self, file: SiteFile, etag: str | None) -> bool:
        if self.interfere:
            self.write(self.interfere.pop(0))
        current = self.etag(file.key) if file.key in self.files else None
        if current != etag:
            return False
        self.write(file)
        return True

    def text(self, key: str) -> str:
        return self.files[key].body.decode("utf-8")

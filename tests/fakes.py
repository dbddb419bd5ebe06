"""In-memory fakes of the service ports, for domain and service tests (no mocks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from consular_alerts.domain.render import RenderedMessage
from consular_alerts.domain.segments import Segment
from consular_alerts.models import Advisory, Subscriber, SubscriberStatus
from consular_alerts.services.ports import AdvisoryHead, ClaimOutcome, RetryableError


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)) -> None:
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

    def head(self, advisory_id: str) -> AdvisoryHead | None:
        return self.heads.get(advisory_id)

    def save_version(self, advisory: Advisory, previous: AdvisoryHead | None) -> bool:
        if self.interfere_times:
            self.interfere_times -= 1
            version = (previous.version if previous else 0) + 1
            self.heads[advisory.advisory_id] = AdvisoryHead(advisory.advisory_id, version, "f" * 64)
            return False
        if self.heads.get(advisory.advisory_id) != previous:
            return False
        self.items[(advisory.advisory_id, advisory.version)] = advisory
        self.heads[advisory.advisory_id] = AdvisoryHead(
            advisory.advisory_id, advisory.version, advisory.content_hash
        )
        return True

    def get(self, advisory_id: str, version: int) -> Advisory | None:
        return self.items.get((advisory_id, version))


@dataclass
class FakeLedger:
    states: dict[tuple[str, str], str] = field(default_factory=dict)

    def claim(self, delivery_key: str, segment: str, now: datetime) -> ClaimOutcome:
        state = self.states.get((delivery_key, segment))
        if state is None:
            self.states[(delivery_key, segment)] = "publishing"
            return ClaimOutcome.CLAIMED
        return ClaimOutcome.BUSY if state == "publishing" else ClaimOutcome.DONE

    def complete(self, delivery_key: str, segment: str, outcome: str, now: datetime) -> None:
        self.states[(delivery_key, segment)] = f"done:{outcome}"

    def release(self, delivery_key: str, segment: str) -> None:
        del self.states[(delivery_key, segment)]


@dataclass
class FakePublisher:
    topics: set[str] = field(default_factory=set)  # segment names that have a topic
    published: list[tuple[str, RenderedMessage]] = field(default_factory=list)
    fail_on: set[str] = field(default_factory=set)  # segments that raise RetryableError

    def publish(self, segment: Segment, message: RenderedMessage, sender_id: str) -> str | None:
        if segment.name in self.fail_on:
            raise RetryableError(f"throttled on {segment.name}")
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
    subscriptions: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # arn -> seg

    def subscribe(self, segment: Segment, protocol: str, endpoint: str) -> str:
        arn = f"arn:fake:{segment.name}:{len(self.subscriptions) + 1}"
        self.subscriptions[arn] = (segment.name, protocol, endpoint)
        return arn

    def unsubscribe(self, subscription_arn: str) -> None:
        self.subscriptions.pop(subscription_arn, None)


@dataclass
class FakeSubscriberRepository:
    records: dict[str, Subscriber] = field(default_factory=dict)

    def create(self, subscriber: Subscriber) -> None:
        assert subscriber.subscriber_id not in self.records
        self.records[subscriber.subscriber_id] = subscriber

    def get(self, subscriber_id: str) -> Subscriber | None:
        return self.records.get(subscriber_id)

    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        current = self.records.get(subscriber.subscriber_id)
        if current is None or current.status is not expected_status:
            return False
        self.records[subscriber.subscriber_id] = subscriber
        return True

"""The audience of a segment with email through SES: the topic's phones (without the email
queue's one subscription) plus the segment's confirmed email members."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from consular_alerts.adapters.sns import SegmentTopics, SnsAudienceCounter
from consular_alerts.domain.approval import ApprovalRules
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.domain.segments import Segment
from consular_alerts.models.advisory import Approval
from consular_alerts.services.ingest import IngestService

from tests.builders import a_draft
from tests.fakes import FakeAdvisoryRepository, FakeClock

TOPICS = SegmentTopics("arn:aws:sns:eu-central-1:123456789012:alerts-seg-")
SEGMENT = Segment("KZ", "ru", 1)


@dataclass
class FakeTopicAttributes:
    """SNS's GetTopicAttributes: SubscriptionsConfirmed per topic ARN."""

    confirmed: dict[str, int]
    calls: int = 0

    def get_topic_attributes(self, TopicArn: str) -> dict[str, Any]:
        self.calls += 1
        return {"Attributes": {"SubscriptionsConfirmed": str(self.confirmed.get(TopicArn, 0))}}


@dataclass
class FakeMembers:
    members: dict[str, int] = field(default_factory=dict)

    def count(self, segment: str) -> int:
        return self.members.get(segment, 0)


def topic(phones: int, emails: int) -> FakeTopicAttributes:
    # The queue is one more confirmed subscription of a topic with email members.
    return FakeTopicAttributes({TOPICS.arn(SEGMENT): phones + (1 if emails else 0)})


def counter(
    phones: int, emails: int, now: list[float] | None = None, sns: FakeTopicAttributes | None = None
) -> SnsAudienceCounter:
    sns = sns or topic(phones, emails)
    clock = (lambda: now[0]) if now is not None else (lambda: 0.0)
    return SnsAudienceCounter(
        cast(Any, sns), TOPICS, clock=clock, email_members=FakeMembers({SEGMENT.name: emails})
    )


def test_a_segment_counts_its_phones_and_every_email_member() -> None:
    audience = counter(phones=7, emails=5000)
    assert audience.subscribers([SEGMENT]) == {SEGMENT: 5007}
    assert audience.email_subscribers([SEGMENT]) == {SEGMENT: 5000}


def test_without_email_members_every_topic_subscription_is_a_phone() -> None:
    audience = counter(phones=3, emails=0)
    assert audience.subscribers([SEGMENT]) == {SEGMENT: 3}
    assert audience.email_subscribers([SEGMENT]) == {SEGMENT: 0}


def test_counts_are_kept_for_thirty_seconds() -> None:
    now = [0.0]
    sns = topic(phones=2, emails=1)
    audience = counter(phones=2, emails=1, now=now, sns=sns)
    audience.subscribers([SEGMENT])
    now[0] = 29.0
    audience.email_subscribers([SEGMENT])
    assert sns.calls == 1
    now[0] = 31.0
    audience.subscribers([SEGMENT])
    assert sns.calls == 2


def test_email_subscribers_alone_make_a_version_wait_for_a_second_officer() -> None:
    repository = FakeAdvisoryRepository()
    ingest = IngestService(
        repository,
        IngestPolicy(),
        FakeClock(),
        audience=counter(phones=2, emails=50),
        approvals=ApprovalRules(level=4, audience=10),
    )
    stored = ingest.ingest(a_draft(level=1)).advisory
    assert stored.approval is Approval.PENDING
    assert stored.approval_rule is not None
    assert "52 subscribers" in stored.approval_rule

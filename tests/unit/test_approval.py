"""Two-person approval with in-memory fakes: which versions wait (domain/approval.py), the
second officer's decision, the sweep that expires what waited too long, and the fan-out,
which sends a held version only once it is approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from consular_alerts.domain.approval import ApprovalRules, Origin, approval_needed
from consular_alerts.domain.policy import decide
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.errors import RequestError
from consular_alerts.models.advisory import Approval, MsgType, Status
from consular_alerts.services.approvals import ApprovalService
from consular_alerts.services.fanout import FanoutConfig, FanoutService
from consular_alerts.services.ingest import IngestService

from tests.builders import NOW, a_draft, an_advisory
from tests.fakes import (
    FakeAdvisoryRepository,
    FakeClock,
    FakeDeadLetters,
    FakeLedger,
    FakePublisher,
    decode_image,
)

RULES = ApprovalRules()
OFFICER, SECOND = "arn:aws:iam::1:user/officer", "arn:aws:iam::1:user/second"


def _needed(level: int, **changes: object) -> str | None:
    advisory = an_advisory(level=level, **changes)
    return approval_needed(advisory, None, decide(advisory, None, NOW), 10, RULES)


@pytest.mark.parametrize(("level", "waits"), [(1, False), (2, False), (3, True), (4, True)])
def test_a_level_at_or_above_approval_level_waits(level: int, waits: bool) -> None:
    assert (_needed(level) is not None) is waits


@pytest.mark.parametrize("status", ["exercise", "test", "draft", "system"])
def test_what_tells_no_citizen_needs_no_approval(status: str) -> None:
    assert _needed(4, status=status) is None


def test_audience_and_feed_rules_each_hold_a_version_and_say_why() -> None:
    advisory = an_advisory(level=2)
    decision = decide(advisory, None, NOW)
    wide = approval_needed(advisory, None, decision, 1001, RULES)
    assert wide == "1001 subscribers (more than ApprovalAudience 1000)"
    assert approval_needed(advisory, None, decision, 1000, RULES) is None
    feed = approval_needed(advisory, None, decision, 0, RULES, Origin("us-state"))
    assert feed == "from feed us-state, not marked auto_publish"
    assert approval_needed(advisory, None, decision, 0, RULES, Origin("mfa", True)) is None
    # A trusted feed's level 4 still waits: auto_publish lifts only the feed rule.
    serious = an_advisory(level=4)
    assert approval_needed(serious, None, decide(serious, None, NOW), 0, RULES, Origin("mfa", True))


def test_cancels_and_all_clears_of_a_released_advisory_go_straight_out() -> None:
    released = an_advisory(level=4)
    cancel = an_advisory(level=4, version=2, msg_type=MsgType.CANCEL)
    assert approval_needed(cancel, released, decide(cancel, released, NOW), 5000, RULES) is None
    clear = an_advisory(level=1, version=2, msg_type=MsgType.UPDATE)
    assert approval_needed(clear, released, decide(clear, released, NOW), 5000, RULES) is None
    # A first alert marked cancel is not the end of anything citizens were told.
    assert approval_needed(cancel, None, decide(cancel, None, NOW), 5000, RULES) is not None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> FakeAdvisoryRepository:
    return FakeAdvisoryRepository()


def _ingest(repository: FakeAdvisoryRepository, clock: FakeClock) -> IngestService:
    return IngestService(repository, IngestPolicy(), clock, approvals=RULES)


def test_the_second_officer_decides_once_and_the_publisher_never(
    repository: FakeAdvisoryRepository, clock: FakeClock
) -> None:
    stored = _ingest(repository, clock).ingest(a_draft(level=3), published_by=OFFICER)
    assert stored.pending
    service = ApprovalService(repository, clock, RULES)
    advisory_id = stored.advisory.advisory_id
    with pytest.raises(RequestError) as same:
        service.decide(advisory_id, 1, OFFICER, approve=True, reason="")
    assert same.value.status_code == 403
    approved = service.decide(advisory_id, 1, SECOND, approve=True, reason="ok")
    assert (approved.approval, approved.decided_by) == (Approval.APPROVED, SECOND)
    for approve in (True, False):  # approving twice, rejecting after
        with pytest.raises(RequestError) as again:
            service.decide(advisory_id, 1, SECOND, approve=approve, reason="again")
        assert again.value.status_code == 409
    assert repository.items[(advisory_id, 1)].approval is Approval.APPROVED


def test_the_sweep_expires_what_waited_too_long_and_counts_what_waits(
    repository: FakeAdvisoryRepository, clock: FakeClock
) -> None:
    ingest = _ingest(repository, clock)
    old = ingest.ingest(a_draft(level=4, source_id="old"), published_by=OFFICER).advisory
    clock.advance(minutes=50)
    fresh = ingest.ingest(a_draft(level=4, source_id="fresh"), published_by=OFFICER).advisory
    clock.advance(minutes=11)  # the first has waited 61 minutes, the second 11
    report = ApprovalService(repository, clock, RULES).sweep()
    assert report.expired == [f"{old.advisory_id}#v1"]
    assert (report.waiting, round(report.oldest_minutes)) == (1, 11)
    assert repository.items[(old.advisory_id, 1)].approval is Approval.EXPIRED
    assert repository.items[(fresh.advisory_id, 1)].approval is Approval.PENDING
    with pytest.raises(RequestError) as late:
        ApprovalService(repository, clock, RULES).decide(
            old.advisory_id, 1, SECOND, approve=True, reason=""
        )
    assert late.value.status_code == 409


def test_a_newer_version_replaces_a_waiting_one_and_compares_with_what_was_sent(
    repository: FakeAdvisoryRepository, clock: FakeClock
) -> None:
    ingest = _ingest(repository, clock)
    first = ingest.ingest(a_draft(level=2), published_by=OFFICER).advisory
    assert first.approval is None  # level 2: out at once
    held = ingest.ingest(a_draft(level=4), published_by=OFFICER)
    assert held.pending
    lower = ingest.ingest(a_draft(level=2, content={"ru": {"headline": "Спокойно"}}))
    assert lower.advisory.version == 3
    assert repository.items[(first.advisory_id, 2)].approval is Approval.REPLACED
    # Version 2 reached nobody: version 3 follows version 1, same level, so no approval.
    assert not lower.pending


def test_the_fan_out_sends_a_held_version_only_once_approved(clock: FakeClock) -> None:
    repository = FakeAdvisoryRepository()
    publisher = FakePublisher(topics={"KZ-ru-L1", "KZ-ru-L2", "KZ-ru-L3"})
    service = FanoutService(
        repository,
        FakeLedger(),
        publisher,
        FanoutConfig(sender_id="MFAKG", sms_budget=2, base_url="https://alerts.example"),
        clock,
        FakeDeadLetters(),
        decode_image,
    )
    for state in (Approval.PENDING, Approval.REJECTED, Approval.REPLACED, Approval.EXPIRED):
        held = an_advisory(approval=state)
        repository.items[(held.advisory_id, 1)] = held
        report = service.fan_out_version(held.advisory_id, 1, None)
        assert not report.notified
        assert publisher.published == []
    approved = an_advisory(approval=Approval.APPROVED, decided_by=SECOND)
    repository.items[(approved.advisory_id, 1)] = approved
    assert service.fan_out_version(approved.advisory_id, 1, None).notified
    assert len(publisher.published) == 3


def test_a_drill_never_waits(repository: FakeAdvisoryRepository, clock: FakeClock) -> None:
    stored = _ingest(repository, clock).ingest(a_draft(level=4, status=Status.EXERCISE))
    assert not stored.pending
    assert RULES.timeout == timedelta(minutes=60)

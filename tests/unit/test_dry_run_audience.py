"""The publisher's dry run: subscribers of each segment an advisory reaches, and the cost."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from consular_alerts.domain.messages.preview import SmsPrices, audience_from_counts
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.domain.segments import Segment
from consular_alerts.services.ingest import IngestService

from tests.builders import a_draft
from tests.fakes import FakeAdvisoryRepository, FakeClock

PRICES = SmsPrices("USD", default=0.5, per_country={"KZ": 0.07, "KG": 0.1})


@dataclass
class FakeCounter:
    counts: dict[str, int] = field(default_factory=dict)  # phones and addresses
    emails: dict[str, int] = field(default_factory=dict)  # the addresses among them
    asked: list[list[str]] = field(default_factory=list)

    def subscribers(self, segments: list[Segment]) -> dict[Segment, int]:
        self.asked.append([segment.name for segment in segments])
        return {segment: self.counts.get(segment.name, 0) for segment in segments}

    def email_subscribers(self, segments: list[Segment]) -> dict[Segment, int]:
        return {segment: self.emails.get(segment.name, 0) for segment in segments}


@pytest.fixture
def repository() -> FakeAdvisoryRepository:
    return FakeAdvisoryRepository()


def service(repository: FakeAdvisoryRepository, counter: FakeCounter) -> IngestService:
    return IngestService(repository, IngestPolicy(), FakeClock(), audience=counter, prices=PRICES)


def test_dry_run_counts_every_reached_segment_and_prices_the_sms(
    repository: FakeAdvisoryRepository,
) -> None:
    counter = FakeCounter({"KZ-ru-L1": 120, "KZ-ru-L2": 30, "KZ-en-L2": 4, "KZ-ru-L3": 999})
    result = service(repository, counter).dry_run(a_draft(level=2))
    assert result.audience is not None
    assert result.cost is not None
    # Level 2 for KZ: tiers 1 and 2 in three languages; the L3 subscribers are not reached.
    assert sorted(s.name for s in result.audience) == [
        "KZ-en-L1", "KZ-en-L2", "KZ-ky-L1", "KZ-ky-L2", "KZ-ru-L1", "KZ-ru-L2",
    ]  # fmt: skip
    assert result.audience[Segment("KZ", "ru", 1)] == 120
    ru_segments = result.rendered["ru"].sms.segments
    en_segments = result.rendered["en"].sms.segments
    assert result.cost.billed_segments == 150 * ru_segments + 4 * en_segments
    assert result.cost.total == pytest.approx((150 * ru_segments + 4 * en_segments) * 0.07)
    assert {line.destination for line in result.cost.lines} == {"KZ"}
    assert repository.items == {}  # a dry run stores nothing


def test_a_cancel_is_priced_for_everyone_the_cancelled_version_reached(
    repository: FakeAdvisoryRepository,
) -> None:
    counter = FakeCounter({"KG-ru-L3": 10, "KZ-ru-L1": 5})
    svc = service(repository, counter)
    svc.ingest(a_draft(countries=["KZ", "KG"], level=3))
    cancel = svc.dry_run(a_draft(countries=["KZ"], level=1, msg_type="cancel"))
    assert cancel.decision.notify
    assert cancel.audience is not None
    assert cancel.cost is not None
    assert cancel.audience[Segment("KG", "ru", 3)] == 10
    assert {line.segment for line in cancel.cost.lines} == {"KG-ru-L3", "KZ-ru-L1"}


def test_without_a_counter_the_dry_run_has_no_audience(
    repository: FakeAdvisoryRepository,
) -> None:
    result = IngestService(repository, IngestPolicy(), FakeClock()).dry_run(a_draft(level=2))
    assert result.audience is None
    assert result.cost is None


def test_counts_alone_price_each_subscriber_as_an_sms_to_the_segment_country() -> None:
    audiences = audience_from_counts({Segment("KG", "ky", 1): 3, Segment("KZ", "ru", 2): 0})
    assert [(a.segment.name, a.sms_by_country, a.email) for a in audiences] == [
        ("KG-ky-L1", {"KG": 3}, 0)
    ]


def test_email_subscribers_count_in_the_audience_but_only_phones_are_billed(
    repository: FakeAdvisoryRepository,
) -> None:
    counter = FakeCounter({"KZ-ru-L1": 5007}, emails={"KZ-ru-L1": 5000})
    result = service(repository, counter).dry_run(a_draft(level=1))
    assert result.audience is not None
    assert result.cost is not None
    assert result.audience[Segment("KZ", "ru", 1)] == 5007
    assert result.cost.emails == 5000
    assert [line.recipients for line in result.cost.lines] == [7]
    assert result.cost.billed_segments == 7 * result.rendered["ru"].sms.segments


def test_a_segment_of_email_subscribers_only_has_no_sms_line() -> None:
    audiences = audience_from_counts({Segment("KG", "ky", 1): 4}, {Segment("KG", "ky", 1): 4})
    assert [(a.sms_by_country, a.email) for a in audiences] == [({}, 4)]

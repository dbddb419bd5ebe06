from __future__ import annotations

from datetime import timedelta

import pytest
from consular_alerts.domain.normalize import sealed
from consular_alerts.domain.segments import segments_reached
from consular_alerts.models import Advisory
from consular_alerts.services.fanout import FanoutConfig, FanoutService, SegmentBusyError
from consular_alerts.services.ports import RetryableError

from tests.fakes import FakeClock, FakeLedger, FakePublisher

CONFIG = FanoutConfig(sender_id="MFAKG", sms_budget=2, base_url="https://alerts.example")


def advisory(clock: FakeClock, **changes: object) -> Advisory:
    record: dict[str, object] = {
        "advisory_id": "mfa-kg-abc",
        "version": 1,
        "content_hash": "0" * 64,
        "source": "mfa-kg",
        "source_id": "abc",
        "sent": clock.now,
        "received_at": clock.now,
        "countries": ["KZ"],
        "level": 3,
        "content": {
            "ru": {
                "headline": "Протесты в Казахстане",
                "instruction": "Избегайте мест массового скопления людей.",
            }
        },
        "hotlines": [{"number": "+996772454444", "label": "Посольство"}],
    }
    record.update(changes)
    return sealed(record)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def all_topics(countries: list[str]) -> set[str]:
    return {s.name for s in segments_reached(countries, 4)}


def test_publishes_once_per_segment_reached(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ", "RU"]))
    service = FanoutService(FakeLedger(), publisher, CONFIG, clock)
    report = service.fan_out(advisory(clock, level=2))
    published = [name for name, _ in publisher.published]
    # 1 country x 3 languages x tiers 1..2: never per subscriber, never other countries.
    assert sorted(published) == sorted(s.name for s in segments_reached(["KZ"], 2))
    assert len(published) == 6
    assert report.notified
    assert not any(name.startswith("RU-") for name in published)


def test_messages_are_in_the_segment_language(clock: FakeClock) -> None:
    publisher = FakePublisher(topics={"KZ-ky-L1", "KZ-ru-L1"})
    FanoutService(FakeLedger(), publisher, CONFIG, clock).fan_out(advisory(clock))
    by_segment = dict(publisher.published)
    assert by_segment["KZ-ru-L1"].language == "ru"
    assert by_segment["KZ-ky-L1"].language == "ky"
    assert "Казахстан" in by_segment["KZ-ru-L1"].sms.text
    assert "Казакстан" in by_segment["KZ-ky-L1"].sms.text


def test_same_version_twice_publishes_nothing_the_second_time(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    service = FanoutService(FakeLedger(), publisher, CONFIG, clock)
    item = advisory(clock)
    service.fan_out(item)
    count = len(publisher.published)
    report = service.fan_out(item)
    assert len(publisher.published) == count == 9
    assert len(report.already_done) == 9  # level 3: 3 languages x tiers 1..3
    assert report.published == []


def test_segments_without_topic_are_remembered_not_retried(clock: FakeClock) -> None:
    publisher = FakePublisher(topics={"KZ-ru-L1"})
    ledger = FakeLedger()
    report = FanoutService(ledger, publisher, CONFIG, clock).fan_out(advisory(clock))
    assert report.published == ["KZ-ru-L1"]
    assert len(report.no_audience) == 8
    assert all(state.startswith("done:") for state in ledger.states.values())


@pytest.mark.parametrize("status", ["test", "exercise", "draft", "system"])
def test_non_actual_status_never_reaches_citizens(clock: FakeClock, status: str) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    report = FanoutService(FakeLedger(), publisher, CONFIG, clock).fan_out(
        advisory(clock, status=status)
    )
    assert publisher.published == []
    assert not report.notified
    assert status in report.reason


def test_expired_advisory_does_not_notify(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    item = advisory(clock, expires=clock.now - timedelta(minutes=1))
    report = FanoutService(FakeLedger(), publisher, CONFIG, clock).fan_out(item)
    assert publisher.published == []
    assert "expired" in report.reason


def test_failed_publish_is_retried_without_repeating_the_others(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]), fail_on={"KZ-en-L2"})
    ledger = FakeLedger()
    service = FanoutService(ledger, publisher, CONFIG, clock)
    item = advisory(clock)
    with pytest.raises(RetryableError):
        service.fan_out(item)
    first_attempt = [name for name, _ in publisher.published]
    assert ("mfa-kg-abc#v1", "KZ-en-L2") not in ledger.states  # claim given back

    publisher.fail_on.clear()
    service.fan_out(item)
    published = [name for name, _ in publisher.published]
    assert len(published) == len(set(published)) == 9  # each segment exactly once
    assert published[: len(first_attempt)] == first_attempt


def test_segment_claimed_elsewhere_makes_the_record_retry(clock: FakeClock) -> None:
    ledger = FakeLedger(states={("mfa-kg-abc#v1", "KZ-ky-L1"): "publishing"})
    service = FanoutService(ledger, FakePublisher(topics=all_topics(["KZ"])), CONFIG, clock)
    with pytest.raises(SegmentBusyError):
        service.fan_out(advisory(clock))


def test_update_and_cancel_carry_their_marker(clock: FakeClock) -> None:
    publisher = FakePublisher(topics={"KZ-en-L1"})
    service = FanoutService(FakeLedger(), publisher, CONFIG, clock)
    content = {"en": {"headline": "Unrest in Almaty", "instruction": "Stay at home."}}
    service.fan_out(advisory(clock, version=2, content=content))
    service.fan_out(advisory(clock, version=3, msg_type="cancel", content=content))
    texts = [message.sms.text for _, message in publisher.published]
    assert "UPDATE" in texts[0]
    assert "CANCELLED" in texts[1]

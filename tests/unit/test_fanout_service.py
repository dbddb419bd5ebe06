from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from consular_alerts.domain.segments import segments_reached
from consular_alerts.errors import RetryableError
from consular_alerts.models.advisory import Advisory
from consular_alerts.services.fanout import (
    FanoutConfig,
    FanoutService,
    SegmentBusyError,
    SupersededError,
)

from tests.builders import an_advisory
from tests.fakes import (
    FakeAdvisoryRepository,
    FakeClock,
    FakeDeadLetters,
    FakeLedger,
    FakePublisher,
    decode_image,
)

CONFIG = FanoutConfig(sender_id="MFAKG", sms_budget=2, base_url="https://alerts.example")


def fanout_service(
    repository: FakeAdvisoryRepository,
    ledger: FakeLedger,
    publisher: FakePublisher,
    config: FanoutConfig,
    clock: FakeClock,
    dead_letters: FakeDeadLetters | None = None,
    **kwargs: Any,
) -> FanoutService:
    return FanoutService(
        repository,
        ledger,
        publisher,
        config,
        clock,
        dead_letters if dead_letters is not None else FakeDeadLetters(),
        decode_image,
        **kwargs,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def all_topics(countries: list[str]) -> set[str]:
    return {s.name for s in segments_reached(countries, 4)}


def test_publishes_once_per_segment_reached(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ", "RU"]))
    service = fanout_service(
        FakeAdvisoryRepository(),
        FakeLedger(),
        publisher,
        CONFIG,
        clock,
    )
    report = service.fan_out(an_advisory(level=2))
    published = [name for name, _ in publisher.published]
    # 1 country x 3 languages x tiers 1..2: never per subscriber, never other countries.
    assert sorted(published) == sorted(s.name for s in segments_reached(["KZ"], 2))
    assert len(published) == 6
    assert report.notified
    assert not any(name.startswith("RU-") for name in published)


def test_messages_are_in_the_segment_language(clock: FakeClock) -> None:
    publisher = FakePublisher(topics={"KZ-ky-L1", "KZ-ru-L1"})
    fanout_service(
        FakeAdvisoryRepository(),
        FakeLedger(),
        publisher,
        CONFIG,
        clock,
    ).fan_out(an_advisory())
    by_segment = dict(publisher.published)
    assert by_segment["KZ-ru-L1"].language == "ru"
    assert by_segment["KZ-ky-L1"].language == "ky"
    assert "Казахстан" in by_segment["KZ-ru-L1"].sms.text
    assert "Казакстан" in by_segment["KZ-ky-L1"].sms.text


def test_same_version_twice_publishes_nothing_the_second_time(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    service = fanout_service(
        FakeAdvisoryRepository(),
        FakeLedger(),
        publisher,
        CONFIG,
        clock,
    )
    item = an_advisory()
    service.fan_out(item)
    count = len(publisher.published)
    report = service.fan_out(item)
    assert len(publisher.published) == count == 9
    assert len(report.already_done) == 9  # level 3: 3 languages x tiers 1..3
    assert report.published == []


def test_segments_without_topic_are_remembered_not_retried(clock: FakeClock) -> None:
    publisher = FakePublisher(topics={"KZ-ru-L1"})
    ledger = FakeLedger()
    report = fanout_service(FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock).fan_out(
        an_advisory()
    )
    assert report.published == ["KZ-ru-L1"]
    assert len(report.no_audience) == 8
    assert all(state.startswith("done:") for state in ledger.states.values())


@pytest.mark.parametrize("status", ["test", "exercise", "draft", "system"])
def test_non_actual_status_never_reaches_citizens(clock: FakeClock, status: str) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    report = fanout_service(
        FakeAdvisoryRepository(),
        FakeLedger(),
        publisher,
        CONFIG,
        clock,
    ).fan_out(an_advisory(status=status))
    assert publisher.published == []
    assert not report.notified
    assert status in report.reason


def test_expired_advisory_does_not_notify(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    item = an_advisory(expires=clock.now - timedelta(minutes=1))
    report = fanout_service(
        FakeAdvisoryRepository(),
        FakeLedger(),
        publisher,
        CONFIG,
        clock,
    ).fan_out(item)
    assert publisher.published == []
    assert "expired" in report.reason


def test_failed_publish_is_retried_without_repeating_the_others(clock: FakeClock) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]), fail_on={"KZ-en-L2"})
    ledger = FakeLedger()
    service = fanout_service(FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock)
    item = an_advisory()
    with pytest.raises(RetryableError):
        service.fan_out(item)
    first_attempt = [name for name, _ in publisher.published]
    assert ("mfa-kg-abc#v1", "KZ-en-L2") not in ledger.states  # claim given back

    publisher.fail_on.clear()
    service.fan_out(item)
    published = [name for name, _ in publisher.published]
    assert len(published) == len(set(published)) == 9  # each segment exactly once
    assert published[: len(first_attempt)] == first_attempt


def test_a_busy_segment_does_not_hold_up_the_others_and_is_taken_over_when_stale(
    clock: FakeClock,
) -> None:
    key = ("mfa-kg-abc#v1", "KZ-ky-L1")
    # An invocation died after claiming KZ-ky-L1: its claim goes stale after the lease.
    ledger = FakeLedger(states={key: "publishing"}, claimed_at={key: clock.now})
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    service = fanout_service(
        FakeAdvisoryRepository(),
        ledger,
        publisher,
        CONFIG,
        clock,
        sleep=lambda seconds: clock.advance(seconds=seconds),
    )
    report = service.fan_out(an_advisory())
    published = [name for name, _ in publisher.published]
    assert len(published) == len(set(published)) == 9  # every segment, once
    assert published[-1] == "KZ-ky-L1"  # the others did not wait for it
    assert ledger.states[key].startswith("done:")
    assert report.notified


def test_a_segment_busy_beyond_the_wait_makes_the_record_retry_after_the_others(
    clock: FakeClock,
) -> None:
    from datetime import timedelta as span

    key = ("mfa-kg-abc#v1", "KZ-ky-L1")
    ledger = FakeLedger(
        states={key: "publishing"}, claimed_at={key: clock.now}, lease=span(minutes=5)
    )
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    service = fanout_service(
        FakeAdvisoryRepository(),
        ledger,
        publisher,
        CONFIG,
        clock,
        sleep=lambda seconds: clock.advance(seconds=seconds),
    )
    with pytest.raises(SegmentBusyError, match="KZ-ky-L1"):
        service.fan_out(an_advisory())
    assert len(publisher.published) == 8  # everything else went out meanwhile


def stored(repository: FakeAdvisoryRepository, item: Advisory) -> Advisory:
    repository.items[(item.advisory_id, item.version)] = item
    from consular_alerts.services.ports import AdvisoryHead

    repository.heads[item.advisory_id] = AdvisoryHead(
        item.advisory_id, item.version, item.content_hash
    )
    return item


EN = {"en": {"headline": "Unrest in Almaty", "instruction": "Stay at home."}}


def history_service(
    clock: FakeClock,
) -> tuple[FanoutService, FakeAdvisoryRepository, FakePublisher]:
    repository = FakeAdvisoryRepository()
    publisher = FakePublisher(topics=all_topics(["KZ", "KG"]))
    return (
        fanout_service(repository, FakeLedger(), publisher, CONFIG, clock),
        repository,
        publisher,
    )


def test_raised_level_notifies_as_update_and_says_what_it_replaces(clock: FakeClock) -> None:
    service, repository, publisher = history_service(clock)
    stored(repository, an_advisory(content=EN, level=2))
    report = service.fan_out(an_advisory(content=EN, level=3, version=2))
    assert report.notified
    assert "raised 2 -> 3" in report.reason
    english = next(m for name, m in publisher.published if name == "KZ-en-L3")
    assert english.sms.text.startswith("Kyrgyz MFA: UPDATE, level 3/4")
    assert 'Replaces: "Unrest in Almaty" (v1, ' in english.email_body


def test_minor_edit_is_silent_and_major_update_notifies(clock: FakeClock) -> None:
    service, repository, publisher = history_service(clock)
    stored(repository, an_advisory(content=EN))
    edited = {"en": {**EN["en"], "body": "Typo fixed."}}
    silent = service.fan_out(an_advisory(content=edited, version=2))
    assert not silent.notified
    assert "minor edit" in silent.reason
    assert publisher.published == []

    stored(repository, an_advisory(content=edited, version=2))
    major = service.fan_out(an_advisory(content=edited, version=3, significance="major"))
    assert major.notified
    assert "marked major" in major.reason


def test_lowered_level_notifies_everyone_the_old_level_reached(clock: FakeClock) -> None:
    service, repository, publisher = history_service(clock)
    stored(repository, an_advisory(content=EN, level=4))
    report = service.fan_out(an_advisory(content=EN, level=2, version=2))
    assert report.notified
    assert {name for name, _ in publisher.published} >= {"KZ-en-L4", "KZ-en-L3"}


def test_lowered_level_can_be_configured_silent(clock: FakeClock) -> None:
    from dataclasses import replace

    from consular_alerts.domain.policy import NotifyPolicy

    repository = FakeAdvisoryRepository()
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    quiet = replace(CONFIG, policy=NotifyPolicy(notify_lowered_level=False))
    service = fanout_service(repository, FakeLedger(), publisher, quiet, clock)
    stored(repository, an_advisory(content=EN, level=4))
    report = service.fan_out(an_advisory(content=EN, level=2, version=2))
    assert not report.notified
    assert publisher.published == []


def test_level_1_after_higher_is_an_all_clear(clock: FakeClock) -> None:
    service, repository, publisher = history_service(clock)
    stored(repository, an_advisory(content=EN, level=3))
    service.fan_out(an_advisory(content=EN, level=1, version=2))
    texts = {name: m.sms.text for name, m in publisher.published}
    assert texts["KZ-en-L3"].startswith("Kyrgyz MFA: ALL CLEAR, level 1/4")


def test_cancel_of_a_referenced_advisory_reaches_its_audience(clock: FakeClock) -> None:
    service, repository, publisher = history_service(clock)
    stored(repository, an_advisory(content=EN, level=3, countries=["KG"]))
    cancel = an_advisory(
        advisory_id="cap-other",
        source_id="other",
        content=EN,
        level=1,
        msg_type="cancel",
        references=["mfa-kg-abc"],
    )
    report = service.fan_out(cancel)
    names = {name for name, _ in publisher.published}
    assert report.notified
    assert "KG-en-L3" in names  # the cancelled advisory's subscribers hear it is over
    assert "KZ-en-L1" in names
    english = dict(publisher.published)["KG-en-L3"]
    assert english.sms.text.startswith("Kyrgyz MFA: CANCELLED")
    assert 'Replaces: "Unrest in Almaty" (v1, ' in english.email_body


@pytest.mark.parametrize("rehearsal", ["test", "draft", "exercise"])
def test_a_rehearsed_advisory_published_as_actual_notifies_as_new(
    clock: FakeClock, rehearsal: str
) -> None:
    service, repository, publisher = history_service(clock)
    stored(repository, an_advisory(content=EN, status=rehearsal))
    report = service.fan_out(an_advisory(content=EN, version=2))  # same text, now actual
    assert report.notified
    assert f"v1 was {rehearsal}" in report.reason
    english = dict(publisher.published)["KZ-en-L1"]
    assert english.sms.text.startswith("Kyrgyz MFA: ALERT")


def test_an_advisory_reissued_after_it_expired_notifies_as_new(clock: FakeClock) -> None:
    service, repository, _ = history_service(clock)
    stored(repository, an_advisory(content=EN, expires=clock.now - timedelta(hours=1)))
    report = service.fan_out(an_advisory(content=EN, version=2))
    assert report.notified
    assert "expired" in report.reason


def test_an_ambiguous_publish_keeps_its_claim_so_a_quick_retry_does_not_repeat_it(
    clock: FakeClock,
) -> None:
    from consular_alerts.errors import AmbiguousPublishError

    class TimesOutOnce(FakePublisher):
        def publish(self, segment, message, sender_id, delivery_key=""):  # type: ignore[no-untyped-def]
            if segment.name == "KZ-ru-L1" and not getattr(self, "timed_out", False):
                self.timed_out = True
                raise AmbiguousPublishError("read timeout")
            return super().publish(segment, message, sender_id, delivery_key)

    ledger = FakeLedger()
    publisher = TimesOutOnce(topics=all_topics(["KZ"]))
    quick = fanout_service(FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock,
                          sleep=lambda seconds: None)  # fmt: skip
    with pytest.raises(AmbiguousPublishError):
        quick.fan_out(an_advisory())
    assert ledger.states[("mfa-kg-abc#v1", "KZ-ru-L1")] == "publishing"  # claim kept

    patient = fanout_service(FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock,
                            sleep=lambda seconds: clock.advance(seconds=seconds))  # fmt: skip
    patient.fan_out(an_advisory())  # the claim goes stale, then it is published again
    assert [name for name, _ in publisher.published].count("KZ-ru-L1") == 1
    assert ledger.states[("mfa-kg-abc#v1", "KZ-ru-L1")].startswith("done:")


def test_a_refused_segment_is_recorded_dead_lettered_and_the_others_go_out(
    clock: FakeClock,
) -> None:
    publisher = FakePublisher(topics=all_topics(["KZ"]), refuse={"KZ-ru-L2"})
    ledger, letters = FakeLedger(), FakeDeadLetters()
    service = fanout_service(FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock, letters)
    report = service.fan_out(an_advisory())  # no exception: a retry would be refused again
    assert report.refused == ["KZ-ru-L2"]
    assert len(publisher.published) == 8
    assert ledger.states[("mfa-kg-abc#v1", "KZ-ru-L2")].startswith("refused:")
    assert [(d.advisory_id, d.version, d.segments) for d in letters.letters] == [
        ("mfa-kg-abc", 1, ("KZ-ru-L2",))
    ]
    # A redelivery leaves it alone; a replay after the fix publishes it, and only it.
    assert service.fan_out(an_advisory()).refused_earlier == ["KZ-ru-L2"]
    publisher.refuse.clear()
    replayed = service.fan_out(an_advisory(), retry_refused=True)
    assert replayed.published == ["KZ-ru-L2"]
    published = [name for name, _ in publisher.published]
    assert len(published) == len(set(published)) == 9


def test_an_unreadable_record_is_dead_lettered_not_retried(clock: FakeClock) -> None:
    letters = FakeDeadLetters()
    service = fanout_service(
        FakeAdvisoryRepository(), FakeLedger(), FakePublisher(), CONFIG, clock, letters
    )
    report = service.fan_out_version("mfa-kg-abc", 1, {"level": 9})
    assert report.dead_letter is not None
    assert "ValidationError" in report.dead_letter
    assert [(d.advisory_id, d.version, d.segments) for d in letters.letters] == [
        ("mfa-kg-abc", 1, ())
    ]


def test_a_replay_reads_the_version_from_the_table_and_a_missing_one_is_kept(
    clock: FakeClock,
) -> None:
    repository, letters = FakeAdvisoryRepository(), FakeDeadLetters()
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    service = fanout_service(repository, FakeLedger(), publisher, CONFIG, clock, letters)
    # A replay raises rather than letters again: `alerts replay` keeps its message.
    with pytest.raises(LookupError, match="mfa-kg-abc v1 is not on record"):
        service.fan_out_version("mfa-kg-abc", 1, None, replay=True)
    assert letters.letters == []
    stored(repository, an_advisory())
    report = service.fan_out_version("mfa-kg-abc", 1, None, replay=True)
    assert len(report.published) == 9


def test_transient_faults_raise_for_the_stream_to_retry(clock: FakeClock) -> None:
    letters = FakeDeadLetters()
    publisher = FakePublisher(topics=all_topics(["KZ"]), fail_on={"KZ-en-L1"})
    service = fanout_service(
        FakeAdvisoryRepository(), FakeLedger(), publisher, CONFIG, clock, letters
    )
    item = an_advisory()
    with pytest.raises(RetryableError):
        service.fan_out_version(item.advisory_id, 1, item.model_dump(mode="json"))
    assert letters.letters == []


def test_a_claim_taken_over_after_its_lease_is_reported_as_a_possible_duplicate(
    clock: FakeClock,
) -> None:
    key = ("mfa-kg-abc#v1", "KZ-ky-L1")
    ledger = FakeLedger(states={key: "publishing"}, claimed_at={key: clock.now})
    clock.advance(seconds=31)
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    report = fanout_service(FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock).fan_out(
        an_advisory()
    )
    assert report.taken_over == ["KZ-ky-L1"]
    assert len(report.published) == 9


def test_recording_a_publish_is_retried_before_the_record_is_given_back(
    clock: FakeClock,
) -> None:
    class BusyLedger(FakeLedger):
        failures = 3

        def complete(self, delivery_key: str, segment: str, outcome: str, now: object) -> None:
            if self.failures:
                self.failures -= 1
                raise RetryableError("ProvisionedThroughputExceededException")
            super().complete(delivery_key, segment, outcome, now)  # type: ignore[arg-type]

    ledger = BusyLedger()
    waits: list[float] = []
    publisher = FakePublisher(topics={"KZ-ru-L1"})
    report = fanout_service(
        FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock, sleep=waits.append
    ).fan_out(an_advisory())
    assert report.published == ["KZ-ru-L1"]
    assert ledger.failures == 0
    assert waits == [0.25, 0.5, 1.0]  # backing off, within one invocation
    assert ledger.states[("mfa-kg-abc#v1", "KZ-ru-L1")].startswith("done:")


def test_a_replay_of_a_superseded_version_is_not_sent_late(clock: FakeClock) -> None:
    repository = FakeAdvisoryRepository()
    publisher = FakePublisher(topics=all_topics(["KZ"]))
    service = fanout_service(repository, FakeLedger(), publisher, CONFIG, clock)
    stored(repository, an_advisory(level=4))
    stored(repository, an_advisory(version=2, msg_type="cancel", content_hash="1" * 64))
    with pytest.raises(SupersededError, match="superseded by v2"):
        service.fan_out_version("mfa-kg-abc", 1, None, replay=True)
    assert publisher.published == []


def test_segments_refused_by_an_earlier_attempt_are_lettered_again(clock: FakeClock) -> None:
    # The first attempt refused KZ-ru-L2, then died on a throttle before its letter went out.
    publisher = FakePublisher(topics=all_topics(["KZ"]), refuse={"KZ-ru-L2"}, fail_on={"KZ-en-L3"})
    letters = FakeDeadLetters()
    service = fanout_service(
        FakeAdvisoryRepository(), FakeLedger(), publisher, CONFIG, clock, letters
    )
    with pytest.raises(RetryableError):
        service.fan_out(an_advisory())
    assert letters.letters == []
    publisher.fail_on.clear()
    report = service.fan_out(an_advisory())  # the stream's retry
    assert report.refused_earlier == ["KZ-ru-L2"]
    assert [d.segments for d in letters.letters] == [("KZ-ru-L2",)]


def test_a_takeover_is_counted_even_when_the_attempt_then_fails(clock: FakeClock) -> None:
    key = ("mfa-kg-abc#v1", "KZ-ky-L1")
    ledger = FakeLedger(states={key: "publishing"}, claimed_at={key: clock.now})
    clock.advance(seconds=31)
    publisher = FakePublisher(topics=all_topics(["KZ"]), fail_on={"KZ-en-L3"})
    counted: list[str] = []
    service = fanout_service(FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock)
    item = an_advisory()
    with pytest.raises(RetryableError):
        service.fan_out_version(
            item.advisory_id, 1, item.model_dump(mode="json"), on_takeover=counted.append
        )
    assert counted == ["KZ-ky-L1"]  # the retry will find it done: only now can it count


def test_a_segment_never_gets_its_last_sms_of_the_advisory_again(clock: FakeClock) -> None:
    service, repository, publisher = history_service(clock)
    stored(repository, an_advisory(content=EN, level=4))
    first = {"en": {**EN["en"], "body": "Roads closed."}}
    second = {"en": {**EN["en"], "body": "Roads and airport closed."}}
    update = service.fan_out(an_advisory(content=first, level=4, version=2, significance="major"))
    assert update.published
    stored(repository, an_advisory(content=first, level=4, version=2))
    # Only the body changed again: every segment's last SMS already reads the same.
    again = service.fan_out(an_advisory(content=second, level=4, version=3, significance="major"))
    assert again.notified
    assert again.published == []
    assert sorted(again.repeated) == sorted(update.published)
    assert len(publisher.published) == len(update.published)


def test_every_change_of_level_goes_out_though_it_reads_like_an_earlier_sms(
    clock: FakeClock,
) -> None:
    service, repository, publisher = history_service(clock)
    for version, level in enumerate((3, 4, 3, 4), start=1):
        body = {"en": {**EN["en"], "body": f"Report {version}."}}
        report = service.fan_out(an_advisory(content=body, level=level, version=version))
        stored(repository, an_advisory(content=body, level=level, version=version))
        assert report.repeated == []
    texts = [m.sms.text for name, m in publisher.published if name == "KZ-en-L3"]
    assert len(texts) == 4
    assert texts[1] == texts[3]  # 4/4 twice, but never twice in a row
    assert "4/4" in texts[-1]


def test_a_message_nobody_received_is_not_remembered(clock: FakeClock) -> None:
    ledger = FakeLedger()
    service = fanout_service(
        FakeAdvisoryRepository(), ledger, FakePublisher(topics=set()), CONFIG, clock
    )
    report = service.fan_out(an_advisory())
    assert report.no_audience
    assert ledger.sent == {}

"""Training mode: the policy of an exercise, its marker in each language, the fan-out to
staff only (fakes), the mixing rule and the staff flag's operator service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from consular_alerts.domain.approval import ApprovalRules, approval_needed
from consular_alerts.domain.messages.render import render
from consular_alerts.domain.messages.sms import count_segments
from consular_alerts.domain.policy import Kind, decide
from consular_alerts.domain.segments import segments_reached
from consular_alerts.domain.staff import StaffPreferences, staff_count, staff_reached
from consular_alerts.errors import MixedStatusError
from consular_alerts.models.citizen import Channel, Subscriber, SubscriberStatus
from consular_alerts.services.fanout import FanoutConfig, FanoutService
from consular_alerts.services.ingest import IngestService
from consular_alerts.services.ports import StaffEmail
from consular_alerts.services.staff import StaffError, StaffService
from consular_alerts.services.staff_fanout import StaffFanout

from alerts_cli.cli import main
from tests.builders import NOW, a_draft, an_advisory
from tests.fakes import (
    FakeAdvisoryRepository,
    FakeClock,
    FakeDeadLetters,
    FakeLedger,
    FakePublisher,
    FakeSubscriberRepository,
    decode_image,
)

OFFICER = "arn:aws:iam::123456789012:user/duty-officer"
CONFIG = FanoutConfig(sender_id="MFAKG", sms_budget=2, base_url="https://alerts.example")
MARKERS = {"ky": "МАШЫГУУ: ", "ru": "УЧЕНИЕ: ", "en": "EXERCISE: "}


def a_subscriber(**changes: object) -> Subscriber:
    record: dict[str, object] = {
        "subscriber_id": str(uuid.uuid4()),
        "channel": "sms",
        "address": "+77010000001",
        "address_hash": "h",
        "address_salt": "s",
        "countries": ["KZ"],
        "language": "ru",
        "min_level": 1,
        "status": "active",
        "created_at": NOW,
        "staff": True,
    }
    record.update(changes)
    return Subscriber.model_validate(record)


def an_exercise(**changes: object) -> object:
    return an_advisory(status="exercise", published_by=OFFICER, **changes)


@dataclass
class FakeStaff:
    members: list[Subscriber] = field(default_factory=list)

    def staff(self) -> list[Subscriber]:
        return list(self.members)

    def preferences(self) -> list[StaffPreferences]:
        return [
            StaffPreferences(s.subscriber_id, s.countries, s.language.value, s.min_level)
            for s in self.members
            if s.staff_shard
        ]


@dataclass
class FakeMessenger:
    sms_sent: list[tuple[str, str]] = field(default_factory=list)
    emails: list[StaffEmail] = field(default_factory=list)

    def sms(self, phone_number: str, text: str, sender_id: str) -> str:
        self.sms_sent.append((phone_number, text))
        return f"sms-{len(self.sms_sent)}"

    def email(self, publication: StaffEmail) -> str:
        self.emails.append(publication)
        return f"email-{len(self.emails)}"


# --- policy --------------------------------------------------------------------------------


def test_an_officers_exercise_notifies_staff_only_by_the_actual_rules() -> None:
    first = an_exercise()
    decision = decide(first, None, NOW)
    assert (decision.notify, decision.staff_only, decision.kind) == (True, True, Kind.NEW)
    raised = an_exercise(version=2, level=4)
    assert decide(raised, first, NOW).kind is Kind.UPDATE
    assert decide(raised, first, NOW).staff_only
    minor = an_exercise(version=2, significance="minor")
    assert not decide(minor, first, NOW).notify  # a minor edit is silent, as for citizens
    cancel = an_exercise(version=2, msg_type="cancel")
    assert decide(cancel, first, NOW).kind is Kind.CANCEL


@pytest.mark.parametrize("published_by", [None, "feed:foreign-cap"])
def test_an_exercise_from_a_feed_or_nobody_reaches_nobody(published_by: str | None) -> None:
    decision = decide(an_advisory(status="exercise", published_by=published_by), None, NOW)
    assert not decision.notify
    assert not decision.staff_only


def test_an_actual_advisory_is_never_staff_only() -> None:
    decision = decide(an_advisory(published_by=OFFICER), None, NOW)
    assert decision.notify
    assert not decision.staff_only


# --- the marker ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
@pytest.mark.parametrize("kind", ["new", "update", "cancel"])
def test_every_exercise_message_says_so_first_in_the_readers_language(
    language: str, kind: str
) -> None:
    message = render(an_exercise(), language, kind, base_url="https://alerts.example", sms_budget=2)
    marker = MARKERS[language]
    assert message.sms.text.startswith(marker)
    assert count_segments(message.sms.text).segments <= 2
    assert message.email_subject.startswith(marker)
    assert message.email_body.startswith(marker)


def test_an_actual_message_has_no_exercise_marker() -> None:
    message = render(an_advisory(), "ru", "new", base_url="https://alerts.example", sms_budget=2)
    assert "УЧЕНИЕ" not in message.sms.text + message.email_subject + message.email_body


# --- who an exercise reaches ----------------------------------------------------------------


def test_staff_reached_by_country_level_language_and_flag() -> None:
    reached_kz_ru = a_subscriber()
    other_country = a_subscriber(countries=["KG"])
    above_level = a_subscriber(min_level=4)
    unflagged = a_subscriber(staff=False)
    ended = a_subscriber(status="unsubscribed", address="")
    english = a_subscriber(language="en", channel="email", address="a@example.org")
    staff = [reached_kz_ru, other_country, above_level, unflagged, ended, english]
    reached = staff_reached(staff, segments_reached(["KZ"], 3))
    assert {s.subscriber_id for s, _ in reached} == {
        reached_kz_ru.subscriber_id,
        english.subscriber_id,
    }
    assert {segment.name for _, segment in reached} == {"KZ-ru-L1", "KZ-en-L1"}
    # Counted from the index's preferences (dry run, approval): the same two.
    assert staff_count(FakeStaff(staff).preferences(), segments_reached(["KZ"], 3)) == 2
    assert staff_count(FakeStaff(staff).preferences(), segments_reached(["UZ"], 4)) == 0


def test_the_fan_out_of_an_exercise_goes_to_staff_once_and_never_to_a_segment() -> None:
    clock = FakeClock()
    phone = a_subscriber()
    email = a_subscriber(channel="email", address="duty@example.org", language="en")
    messenger, ledger = FakeMessenger(), FakeLedger()
    publisher = FakePublisher(topics={s.name for s in segments_reached(["KZ"], 4)})
    service = FanoutService(
        FakeAdvisoryRepository(), ledger, publisher, CONFIG, clock, FakeDeadLetters(),
        decode_image,
        staff=StaffFanout(FakeStaff([phone, email]), messenger, ledger, clock, "MFAKG"),
    )  # fmt: skip
    report = service.fan_out(an_exercise())
    assert publisher.published == []
    [(number, text)] = messenger.sms_sent
    assert number == phone.address
    assert text.startswith("УЧЕНИЕ: ")
    [letter] = messenger.emails
    assert letter.subscriber_id == email.subscriber_id
    assert letter.subject.startswith("EXERCISE: ")
    assert len(report.published) == 2
    # The same record again: the ledger holds both messages done.
    again = service.fan_out(an_exercise())
    assert len(messenger.sms_sent) == 1
    assert len(messenger.emails) == 1
    assert len(again.already_done) == 2
    assert publisher.published == []


def test_approval_counts_the_staff_an_exercise_reaches() -> None:
    exercise = an_exercise(level=1)
    decision = decide(exercise, None, NOW)
    rules = ApprovalRules(level=3, audience=1)
    assert approval_needed(exercise, None, decision, 1, rules) is None
    assert "2 subscribers" in str(approval_needed(exercise, None, decision, 2, rules))
    assert "level 3" in str(
        approval_needed(an_exercise(), None, decide(an_exercise(), None, NOW), 0, rules)
    )


# --- exercise and actual never mix -------------------------------------------------------------


@pytest.mark.parametrize(("first", "then"), [("actual", "exercise"), ("exercise", "actual")])
def test_an_exercise_and_an_actual_version_never_follow_each_other(first: str, then: str) -> None:
    repository = FakeAdvisoryRepository()
    ingest = IngestService(repository, policy_for_tests(), FakeClock())
    stored = ingest.ingest(a_draft(status=first), published_by=OFFICER).advisory
    with pytest.raises(MixedStatusError, match=f"{then} cannot follow"):
        ingest.ingest(a_draft(status=then, level=4), published_by=OFFICER)
    with pytest.raises(MixedStatusError):
        ingest.ingest(
            a_draft(source_id="cms-99", status=then, msg_type="cancel",
                    references=[stored.advisory_id]),
            published_by=OFFICER,
        )  # fmt: skip
    assert repository.head(stored.advisory_id).version == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("between", ["draft", "test", "system"])
@pytest.mark.parametrize(("first", "then"), [("actual", "exercise"), ("exercise", "actual")])
def test_a_version_sent_to_no_one_in_between_does_not_let_them_mix(
    first: str, then: str, between: str
) -> None:
    repository = FakeAdvisoryRepository()
    ingest = IngestService(repository, policy_for_tests(), FakeClock())
    stored = ingest.ingest(a_draft(status=first), published_by=OFFICER).advisory
    ingest.ingest(a_draft(status=between, level=3), published_by=OFFICER)
    ingest.ingest(a_draft(status=between, level=4), published_by=OFFICER)
    with pytest.raises(MixedStatusError, match=f"{then} cannot follow this advisory version 1"):
        ingest.ingest(a_draft(status=then, level=2), published_by=OFFICER)
    assert repository.head(stored.advisory_id).version == 3  # type: ignore[union-attr]
    # The same kind again, after them: allowed.
    again = ingest.ingest(a_draft(status=first, level=2), published_by=OFFICER)
    assert again.advisory.version == 4


def policy_for_tests() -> object:
    from consular_alerts.domain.publication import IngestPolicy

    return IngestPolicy(ministry_country="KG", default_source="mfa-kg")


# --- the operator's flag -------------------------------------------------------------------------


def test_only_an_active_subscription_is_flagged_and_a_repeat_writes_nothing() -> None:
    pending = a_subscriber(status="pending_verification", staff=False)
    active = a_subscriber(staff=False)
    repository = FakeSubscriberRepository(
        records={pending.subscriber_id: pending, active.subscriber_id: active}
    )
    service = StaffService(repository, FakeStaff())
    with pytest.raises(StaffError, match="only an active subscription"):
        service.set_staff(pending.subscriber_id, True)
    with pytest.raises(StaffError, match="no subscription"):
        service.set_staff(str(uuid.uuid4()), True)
    flagged = service.set_staff(active.subscriber_id, True)
    assert flagged.staff
    assert flagged.staff_shard == "staff"
    assert flagged.revision == active.revision + 1
    calls = len(repository.calls)
    assert service.set_staff(active.subscriber_id, True).staff
    assert repository.calls[calls:] == ["get"]  # unchanged: nothing written
    assert not service.set_staff(active.subscriber_id, False).staff


def test_the_staff_index_key_is_stored_only_while_flagged_and_active() -> None:
    assert a_subscriber().staff_shard == "staff"
    assert a_subscriber(staff=False).staff_shard is None
    assert a_subscriber(status=SubscriberStatus.LOCKED).staff_shard is None
    assert a_subscriber(channel=Channel.EMAIL, address="a@example.org").staff_shard == "staff"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["staff", "flag", "--stack", "s"], "flag needs --subscription-id"),
        (["staff", "flag", "--stack", "s", "--subscription-id", "12"], "a subscription id"),
        (["staff", "list", "--stack", "s", "--subscription-id", "x"], "list takes no"),
        (["staff", "promote", "--stack", "s"], "invalid choice"),
        (["staff", "list"], "--stack"),
        (["staff", "list", "--stack", "s", "--staff", "true"], "unrecognized"),
    ],
)
def test_bad_staff_commands_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        raise SystemExit(main(argv))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1

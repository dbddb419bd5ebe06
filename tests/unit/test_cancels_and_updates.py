"""Cancels and updates read as what they are (issue 13, item 7), in ky, ru and en: a cancel
says it cancels and names what (the cancelled advisory's headline when it is on record,
else the cancel's own text), never shows a level or a raw identifier; an update whose
predecessor is unknown still says it is an update."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from consular_alerts.domain.formats.cap import parse_cap
from consular_alerts.domain.messages.render import render
from consular_alerts.domain.policy import Kind, announced_kind, decide

from alerts_cli.cli import main
from tests.builders import NOW, an_advisory
from tests.unit.test_cap import alert, info

BASE = "https://alerts.mfa.gov.kg"
REFERENCE = "ntwc@noaa.gov,PAAQ-2011-1,2011-09-02T10:55:00-00:00"
TSUNAMI_CANCEL = alert(
    msg_type="Cancel",
    references=REFERENCE,
    infos=(
        info(
            headline="The tsunami warning is cancelled",
            description="The tsunami warning for the coast of Alaska is cancelled.",
            instruction="",
            severity="Unknown",
        ),
    ),
)
MINISTRY = {"ky": "КР ТИМ", "ru": "МИД КР", "en": "Kyrgyz MFA"}
MARKER = {"ky": "ЖОККО ЧЫГАРЫЛДЫ", "ru": "ОТМЕНА", "en": "CANCELLED"}
CANCELS = {
    "ky": '"{}" жокко чыгарылды.',
    "ru": 'Отменено: "{}".',
    "en": 'Cancelled: "{}".',
}
LEVEL = {"ky": "-деңгээл", "ru": "ур.", "en": "level"}


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_a_cap_cancel_says_it_cancels_and_names_what_without_a_level(language: str) -> None:
    cancel = parse_cap(TSUNAMI_CANCEL, received_at=NOW)
    kind = announced_kind(cancel)
    assert kind is Kind.CANCEL
    message = render(cancel, language, kind, base_url=BASE, sms_budget=2)
    sms = message.sms.text
    statement = CANCELS[language].format("The tsunami warning is cancelled")
    assert sms.startswith(f"{MINISTRY[language]}: {MARKER[language]}, ")
    assert statement in sms
    assert LEVEL[language] not in sms
    assert "ALERT" not in sms
    assert message.email_subject.startswith(MARKER[language])
    assert "The tsunami warning is cancelled" in message.email_subject
    assert LEVEL[language] not in message.email_subject
    # After the note that the text is in English, the statement comes first.
    assert f"\n\n{statement}\n" in "\n\n" + message.email_body


@pytest.mark.parametrize(
    ("language", "headline"),
    [
        ("ky", "Алматыдагы башаламандыктар"),
        ("ru", "Беспорядки в Алматы"),
        ("en", "Unrest in Almaty"),
    ],
)
def test_a_cancel_names_the_headline_of_the_advisory_it_cancels(
    language: str, headline: str
) -> None:
    original = an_advisory(
        content={
            "ky": {"headline": "Алматыдагы башаламандыктар", "instruction": "Үйдө калгыла."},
            "ru": {"headline": "Беспорядки в Алматы", "instruction": "Оставайтесь дома."},
            "en": {"headline": "Unrest in Almaty", "instruction": "Stay at home."},
        }
    )
    cancel = an_advisory(
        advisory_id="cap-other",
        msg_type="cancel",
        references=["mfa-kg-abc"],
        level=1,
        sent=NOW + timedelta(hours=2),
        content={"en": {"headline": "Cancel of 2024-0042"}},
    )
    decision = decide(cancel, original, NOW)
    message = render(
        cancel, language, decision.kind, base_url=BASE, sms_budget=2, previous=original
    )
    assert CANCELS[language].format(headline).rstrip(".") in message.sms.text
    assert headline in message.email_subject
    assert headline in message.email_body
    assert "mfa-kg-abc" not in message.email_body.split("https://")[0]  # no raw id as text


def test_a_cancel_without_info_is_never_headed_by_a_raw_identifier() -> None:
    bare = alert(msg_type="Cancel", identifier="1017033100951096", references=REFERENCE, infos=())
    cancel = parse_cap(bare, received_at=NOW)
    for language in ("ky", "ru", "en"):
        message = render(cancel, language, Kind.CANCEL, base_url=BASE, sms_budget=2)
        assert "1017033100951096" not in message.sms.text
        assert "1017033100951096" not in message.email_body
        assert "2011-09-02 10:55 UTC" in message.sms.text


@pytest.mark.parametrize(
    ("language", "marker"), [("ky", "ЖАҢЫЛАНУУ"), ("ru", "ОБНОВЛЕНИЕ"), ("en", "UPDATE")]
)
def test_an_update_whose_predecessor_is_unknown_still_says_update(
    language: str, marker: str
) -> None:
    update = an_advisory(msg_type="update", references=["mfa-kg-gone"])
    decision = decide(update, None, NOW)
    assert decision.notify
    assert decision.kind is Kind.UPDATE
    message = render(update, language, decision.kind, base_url=BASE, sms_budget=2)
    assert marker in message.sms.text.split(".")[0]
    assert message.email_subject.startswith(marker)


def test_a_previewed_test_cancel_still_reads_as_a_cancel() -> None:
    cancel = an_advisory(msg_type="cancel", references=["x"], status="test")
    decision = decide(cancel, None, NOW)
    assert not decision.notify
    assert decision.kind is Kind.CANCEL


def test_alerts_render_shows_a_cap_cancel_as_a_cancel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cancel.cap"
    path.write_bytes(TSUNAMI_CANCEL)
    assert main(["render", str(path), "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    for language in ("ky", "ru", "en"):
        sms = preview[language]["sms"]["text"]
        assert MARKER[language] in sms
        assert LEVEL[language] not in sms

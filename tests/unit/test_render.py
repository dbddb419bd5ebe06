from __future__ import annotations

from datetime import timedelta

import pytest
from consular_alerts.domain.messages.render import render, short_link
from consular_alerts.domain.messages.sms import count_segments

from tests.builders import NOW, an_advisory

# Two hotlines: the email lists both.
HOTLINES = [
    {"number": "+996772454444", "label": "Посольство в Астане"},
    {"number": "+77770371448", "label": "Консульство в Алматы"},
]
RU = {
    "ru": {
        "headline": "Протесты в Казахстане: оставайтесь дома",
        "summary": "В городах Казахстана продолжаются протесты.",
        "body": "В городах Казахстана продолжаются протесты. " * 20,
        "instruction": "Избегайте мест массового скопления людей и оставайтесь дома.",
    }
}
RU_ADVISORY = an_advisory(content=RU, hotlines=HOTLINES)


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
@pytest.mark.parametrize("budget", [1, 2, 3])
def test_sms_stays_in_budget_and_keeps_the_hotline(language: str, budget: int) -> None:
    message = render(RU_ADVISORY, language, "new", base_url="https://a.example", sms_budget=budget)
    assert count_segments(message.sms.text).segments <= budget
    assert "+996772454444" in message.sms.text


def test_russian_sms_names_country_level_and_advice() -> None:
    message = render(RU_ADVISORY, "ru", "new", base_url="https://alerts.mfa.gov.kg", sms_budget=2)
    assert message.sms.text.startswith("МИД КР: ВНИМАНИЕ, ур. 3/4, Казахстан.")
    # In 2 UCS-2 segments the advice is cut; hotline and link always stay (no STOP in KZ).
    assert "Избегайте мест массового скопления" in message.sms.text
    assert message.sms.text.endswith("alerts.mfa.gov.kg/a/" + message.sms.text[-8:])
    assert "+996772454444" in message.sms.text
    assert message.sms.encoding.value == "ucs2"
    roomier = render(RU_ADVISORY, "ru", "new", base_url="https://alerts.mfa.gov.kg", sms_budget=3)
    assert RU["ru"]["instruction"] in roomier.sms.text
    assert "alerts.mfa.gov.kg/a/" in roomier.sms.text


def test_email_subject_is_one_short_line_and_body_has_everything() -> None:
    long_headline = {"ru": {**RU["ru"], "headline": "Очень длинный заголовок\nс переносом " * 8}}
    item = an_advisory(
        content=long_headline,
        hotlines=HOTLINES,
        expires=NOW + timedelta(days=2),
        references=["mfa-kg-old"],
    )
    message = render(item, "ru", "update", base_url="https://a.example", sms_budget=2)
    assert len(message.email_subject) < 100
    assert "\n" not in message.email_subject
    assert message.email_subject.startswith("ОБНОВЛЕНИЕ")
    body = message.email_body
    for expected in (
        "+996772454444",
        "+77770371448",
        "Консульство в Алматы",
        "Действует до",
        "Заменяет: предыдущее предупреждение https://a.example/a/mfa-kg-old",
        "Отписаться",
        "https://a.example/a/mfa-kg-",
    ):
        assert expected in body


def test_missing_language_falls_back_with_a_note_in_the_subscribers_language() -> None:
    message = render(RU_ADVISORY, "en", "new", base_url="https://a.example", sms_budget=2)
    assert message.content_language == "ru"
    assert message.email_body.startswith("This advisory is not available in English")
    assert "Kazakhstan" in message.sms.text


def test_short_link_is_stable_and_short() -> None:
    item = RU_ADVISORY
    assert short_link("https://alerts.mfa.gov.kg/", item) == short_link(
        "https://alerts.mfa.gov.kg", item
    )
    assert len(short_link("https://alerts.mfa.gov.kg", item)) == len("alerts.mfa.gov.kg/a/") + 8

"""Shutdown mode (issue 17, part 5): for a country whose internet is cut, the SMS carries no
link and uses the room for more advice and a second hotline, within the segment budget."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from consular_alerts.domain.messages.offline import (
    CountryConditions,
    compose_offline_sms,
    parse_country_budgets,
)
from consular_alerts.domain.messages.render import render
from consular_alerts.domain.messages.sms import count_segments
from consular_alerts.domain.normalize import sealed
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.countries import Internet

NOW = datetime(2022, 1, 6, 3, 0, tzinfo=UTC)
SITE = "https://alerts.mfa.gov.kg"
HOTLINES = ["+996772454444", "+77770371448", "+77778150072"]

# The advice of the seed in each citizen language, as a publisher would give it.
CONTENT = {
    "ky": {
        "headline": "Казакстандагы нааразылык акциялары",
        "instruction": "Нааразылык акцияларына катышпаңыз, эл көп чогулган жерлерден алыс "
        "болуңуз жана жашаган жериңизде калыңыз.",
    },
    "ru": {
        "headline": "Протесты в Казахстане",
        "instruction": "Не принимать участие в протестах, избегать мест массового скопления "
        "людей и оставаться в местах своего проживания.",
    },
    "en": {
        "headline": "Protests in Kazakhstan",
        "instruction": "Do not take part in protests, avoid crowds and stay where you live "
        "until the situation is calm.",
    },
}


def seed_like() -> Advisory:
    return sealed(
        {
            "advisory_id": "mfa-kg-0123456789abcdef0123",
            "version": 1,
            "content_hash": "0" * 64,
            "source": "mfa-kg",
            "source_id": "seed",
            "sent": NOW,
            "received_at": NOW,
            "countries": ["KZ"],
            "level": 3,
            "content": CONTENT,
            "hotlines": [{"number": n, "label": "Горячая линия"} for n in HOTLINES],
        }
    )


def _no_link(text: str) -> bool:
    return "alerts.mfa.gov.kg" not in text and "/a/" not in text and "http" not in text


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
@pytest.mark.parametrize("budget", [1, 2, 3])
def test_offline_sms_has_no_link_keeps_a_hotline_and_the_budget(language: str, budget: int) -> None:
    message = render(seed_like(), language, "new", base_url=SITE, sms_budget=budget, offline=True)
    text = message.sms.text
    assert _no_link(text), text
    assert HOTLINES[0] in text
    assert count_segments(text).segments <= budget
    assert message.sms.segments <= budget


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_the_room_of_the_link_goes_to_advice_and_a_second_hotline(language: str) -> None:
    online = render(seed_like(), language, "new", base_url=SITE, sms_budget=2)
    offline = render(seed_like(), language, "new", base_url=SITE, sms_budget=2, offline=True)
    assert "alerts.mfa.gov.kg/a/" in online.sms.text  # the normal SMS links to the page
    assert HOTLINES[1] not in online.sms.text
    assert HOTLINES[1] in offline.sms.text  # the second hotline
    # As much advice at least (English fits whole either way), more in Cyrillic.
    more = offline.sms.text.index("+996") - online.sms.text.index("+996")
    assert more > 0 if language != "en" else more >= 0
    assert offline.sms.segments <= 2


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_one_segment_keeps_the_head_and_one_hotline_rather_than_two(language: str) -> None:
    message = render(seed_like(), language, "new", base_url=SITE, sms_budget=1, offline=True)
    # 70 UCS-2 units: a second number would leave no advice at all.
    assert message.sms.text.count("+") == 1
    assert message.sms.segments == 1


def test_one_gsm7_segment_has_room_for_advice_and_both_hotlines() -> None:
    message = render(seed_like(), "en", "new", base_url=SITE, sms_budget=1, offline=True)
    assert "Do not take part in protests" in message.sms.text
    assert message.sms.text.endswith(f"Tel. {HOTLINES[0]}, {HOTLINES[1]}")
    assert message.sms.segments == 1


@pytest.mark.parametrize(
    ("language", "note"),
    [("ky", "интернет бузулган"), ("ru", "интернет нарушен"), ("en", "Internet access is")],
)
def test_the_email_says_the_page_may_not_open(language: str, note: str) -> None:
    message = render(seed_like(), language, "new", base_url=SITE, sms_budget=2, offline=True)
    first_line = message.email_body.splitlines()[0]
    assert note in first_line
    # Every hotline is still in the body, and the link stays for when the internet is back.
    for number in HOTLINES:
        assert number in message.email_body
    assert f"{SITE}/a/" in message.email_body
    normal = render(seed_like(), language, "new", base_url=SITE, sms_budget=2)
    assert note not in normal.email_body


def test_without_hotlines_the_offline_sms_is_head_and_advice() -> None:
    composed = compose_offline_sms("МИД КР: ВНИМАНИЕ.", "Оставайтесь дома.", [], "Тел.", 1)
    assert composed.text == "МИД КР: ВНИМАНИЕ. Оставайтесь дома."


def test_country_budgets_parse_and_refuse_what_they_cannot_mean() -> None:
    assert parse_country_budgets("") == {}
    assert parse_country_budgets("TJ=1, UZ=1") == {"TJ": 1, "UZ": 1}
    for bad in ("tj=1", "TJ=0", "TJ=11", "TJ", "TJ=1;UZ=1"):
        with pytest.raises(ValueError, match=r"(?i)tj"):
            parse_country_budgets(bad)


def test_country_conditions_give_each_country_its_budget_and_state() -> None:
    conditions = CountryConditions(default_budget=2, budgets={"UZ": 1}, disrupted=frozenset({"KZ"}))
    assert (conditions.budget("UZ"), conditions.budget("KZ")) == (1, 2)
    assert conditions.internet("KZ") is Internet.DISRUPTED
    assert conditions.internet("UZ") is Internet.NORMAL

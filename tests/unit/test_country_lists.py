"""Countries of a post (issue 13, item 4), in ky, ru and en: every country of a list is kept
(no relevance cut-off drops a listed one), the country the post is about leads, and the
issuer (the ministry's own country, "the US Embassy", "МИД Кыргызстана") is never a
destination."""

from __future__ import annotations

import pytest
from consular_alerts.domain.formats.ministry import extract_post
from consular_alerts.domain.language.places import rank_countries

FOURTEEN = ["AF", "IQ", "SY", "YE", "LY", "SO", "SD", "SS", "ML", "BF", "NE", "VE", "HT", "MM"]


def test_a_comma_separated_list_of_14_countries_keeps_all_of_them_ru() -> None:
    text = (
        "МИД Кыргызстана призвал граждан воздержаться от поездок в Афганистан, Ирак, Сирию, "
        "Йемен, Ливию, Сомали, Судан, Южный Судан, Мали, Буркина-Фасо, Нигер, Венесуэлу, "
        "Гаити и Мьянму. Ситуация в Афганистане особенно опасна: в Афганистане идут бои, "
        "в Кабуле закрыт аэропорт."
    )
    post = extract_post(text)
    assert sorted(post.countries) == sorted(FOURTEEN)
    assert post.countries[0] == "AF"  # the one the post is about leads
    assert "KG" not in post.countries


def test_a_bulleted_list_keeps_every_country_en() -> None:
    text = (
        "Citizens of Kyrgyzstan should not travel to the following countries:\n"
        "• Afghanistan\n• Iraq\n• Syria\n• Yemen\n• Libya\n"
        "Afghanistan is the most dangerous, with fighting across Afghanistan, in Kabul, "
        "Kandahar and Herat. Afghanistan's borders are closed."
    )
    countries = rank_countries(text, "en", exclude="KG")
    assert sorted(countries) == ["AF", "IQ", "LY", "SY", "YE"]
    assert countries[0] == "AF"


def test_a_list_with_and_keeps_every_country_ky() -> None:
    text = (
        "Кыргызстандыктарга Ооганстанга, Иракка, Сирияга, Йеменге жана Ливияга барбоо "
        "сунушталат. Ооганстандагы кырдаал өтө оор, Ооганстанда согуш жүрүп жатат, Кабулда да."
    )
    post = extract_post(text)
    assert sorted(post.countries) == ["AF", "IQ", "LY", "SY", "YE"]
    assert post.countries[0] == "AF"


def test_a_passing_mention_outside_a_list_is_still_dropped() -> None:
    text = (
        "Жарандар Түркияга барбашы керек. Түркиядагы кырдаал оор. Стамбулда жана Анкарада "
        "митинг. Ошондой эле Грузияга."
    )
    assert rank_countries(text, "ky", exclude="KG") == ["TR"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("U.S. Embassy Astana: Demonstration alert in Almaty.", "en", ["KZ"]),
        ("The US Embassy in Ankara warns of protests in Istanbul.", "en", ["TR"]),
        ("Embassy of the United States in Kazakhstan: avoid central Almaty.", "en", ["KZ"]),
        ("Посольство США в Турции сообщает о протестах в Стамбуле.", "ru", ["TR"]),
        ("МИД России рекомендует избегать поездок в Грузию.", "ru", ["GE"]),
        (
            "Кыргыз Республикасынын Түркиядагы элчилиги Стамбулдагы жарандарга кайрылат.",
            "ky",
            ["TR"],
        ),
        ("Орусиянын элчилиги Казакстандагы жарандарга кайрылат.", "ky", ["KZ"]),
    ],
)
def test_the_issuer_is_never_a_destination(text: str, language: str, expected: list[str]) -> None:
    assert rank_countries(text, language, exclude="KG") == expected


def test_the_ministrys_own_country_never_leads() -> None:
    text = (
        "МИД Кыргызстана сообщает: кыргызстанцам в Казахстане следует избегать митингов. "
        "Посольство Кыргызстана в Астане работает круглосуточно."
    )
    post = extract_post(text)
    assert post.countries == ["KZ"]


def test_a_post_naming_only_its_issuer_has_no_destination() -> None:
    assert rank_countries("The US Embassy is closed on Monday.", "en", exclude="KG") == []
    assert rank_countries("МИД Кыргызстана сообщает о ситуации.", "ru", exclude="KG") == []

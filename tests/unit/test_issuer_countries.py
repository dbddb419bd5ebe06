"""The issuer of a post (the government that speaks, or whose citizens are addressed) is
never a destination; a country where the advice sends or keeps people always is."""

from __future__ import annotations

import pytest
from consular_alerts.domain.language.places import rank_countries


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # The ministry that speaks and the citizens it addresses: not destinations.
        (
            "МИД Украины призывает граждан Украины воздержаться от поездок в Кыргызстан. "
            "Гражданам Украины, которые находятся в Кыргызстане, рекомендуют выехать.",
            "ru",
            ["KG"],
        ),
        (
            "МИД Латвии призвал своих граждан покинуть Россию. Гражданам Латвии не посещать "
            "территорию России.",
            "ru",
            ["RU"],
        ),
        (
            "U.S. citizens in Iraq are at high risk. We urge U.S. citizens to depart Iraq "
            "immediately. The US government cannot help U.S. citizens there.",
            "en",
            ["IQ"],
        ),
        (
            "The US on Monday issued a security alert for its citizens in Sri Lanka.",
            "en",
            ["LK"],
        ),
        (
            "Казакстандын жарандары Түркияга барбагыла. Казакстандын элчилиги кабарлады.",
            "ky",
            ["TR"],
        ),
    ],
)
def test_the_issuer_and_its_citizens_are_not_destinations(
    text: str, language: str, expected: list[str]
) -> None:
    assert rank_countries(text, language, exclude="KG") == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Other governments that said the same thing speak too: they are not destinations.
        (
            "Латвия призвала граждан покинуть Россию. С таким же призывом выступили "
            "Польша и Болгария.",
            "ru",
            ["RU"],
        ),
        (
            "Americans must leave Russia now. Poland also urged its citizens to leave Russia.",
            "en",
            ["RU"],
        ),
        (
            "Жарандар Орусияга барбагыла. Казакстан элчилиги да ушундай кайрылды.",
            "ky",
            ["RU"],
        ),
    ],
)
def test_other_speakers_are_not_destinations(text: str, language: str, expected: list[str]) -> None:
    assert rank_countries(text, language, exclude="KG") == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # A country both speaking and left ("Ukrainians must leave Ukraine") stays.
        (
            "МИД Беларуси призвал граждан Беларуси покинуть Беларусь и Украину.",
            "ru",
            ["BY", "UA"],
        ),
        (
            "The US Embassy urges Americans to leave the United States and Mexico.",
            "en",
            ["US", "MX"],
        ),
    ],
)
def test_a_speaker_that_is_also_left_stays(text: str, language: str, expected: list[str]) -> None:
    assert sorted(rank_countries(text, language, exclude="KG")) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # The ministry's own country closes its border to citizens of others: those are
        # the subject, not issuers.
        (
            "Предлагается ограничить въезд в Кыргызстан гражданам Японии, Ирана и Италии.",
            "ru",
            ["JP", "IR", "IT"],
        ),
        (
            "Kyrgyzstan closes entry to citizens of Japan, Iran and Italy.",
            "en",
            ["JP", "IR", "IT"],
        ),
        (
            "Кыргызстанга Жапониянын, Ирандын жана Италиянын жарандары кире албайт.",
            "ky",
            ["JP", "IR", "IT"],
        ),
    ],
)
def test_citizens_barred_from_the_home_country_are_the_subject(
    text: str, language: str, expected: list[str]
) -> None:
    assert sorted(rank_countries(text, language, exclude="KG")) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Do not travel to Afghanistan. Call 1-888-407-4747 toll-free in the United States "
            "and Canada.",
            "en",
            ["AF"],
        ),
        (
            "Рекомендуем покинуть Афганистан. Обращаться в посольство в Таджикистане: "
            "+992 900 006 520.",
            "ru",
            ["AF"],
        ),
        (
            "Ооганстанга барбагыла. Тажикстандагы элчиликке кайрылгыла: +992 900 006 520.",
            "ky",
            ["AF"],
        ),
    ],
)
def test_a_country_named_only_where_to_call_is_not_a_destination(
    text: str, language: str, expected: list[str]
) -> None:
    assert rank_countries(text, language, exclude="KG") == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Гражданам отказывают во въезде в россию без объяснения причин.", "ru", ["RU"]),
        ("Travelers were refused when travelling to russia last week.", "en", ["RU"]),
        ("Жарандарга орусияга баруу сунушталбайт.", "ky", ["RU"]),
    ],
)
def test_a_lowercase_name_counts_after_a_travel_word(
    text: str, language: str, expected: list[str]
) -> None:
    assert rank_countries(text, language, exclude="KG") == expected


def test_a_lowercase_name_elsewhere_is_not_a_place() -> None:
    assert rank_countries("Турция: чад над городом после пожара.", "ru") == ["TR"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Не рекомендуется посещать регионы Египта.", ["EG"]), ("Туристы в Египте.", ["EG"])],
)
def test_a_fleeting_vowel_is_read_ru(text: str, expected: list[str]) -> None:
    assert rank_countries(text, "ru") == expected


def test_burma_is_myanmar_en() -> None:
    assert rank_countries("Do not travel to Burma.", "en") == ["MM"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Citizens should avoid Lebanon. Lebanon is tense. Americans in Lebanon should "
            "stay home. Lebanon's airport is open. Earlier a tanker was hit off the United "
            "Arab Emirates (UAE).",
            "en",
        ),
        (
            "Гражданам рекомендуется избегать поездок в Ливан. В Ливане неспокойно. В Ливане "
            "закрыт аэропорт. Ливан ждёт. Ранее танкер атаковали у Объединённых Арабских "
            "Эмиратов (ОАЭ).",
            "ru",
        ),
    ],
)
def test_a_name_and_its_abbreviation_are_one_mention(text: str, language: str) -> None:
    assert rank_countries(text, language, exclude="KG") == ["LB"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Туристы на Сейшельских островах и Мальдивских островах.", ["SC", "MV"]),
        ("Не посещать Сейшельские острова.", ["SC"]),
    ],
)
def test_island_states_are_read_in_the_plural_ru(text: str, expected: list[str]) -> None:
    assert rank_countries(text, "ru") == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # A government in the news is not the issuer: only foreign-affairs voices speak.
        (
            "Кыргызстанцам в Казахстане рекомендуется не участвовать в протестах. "
            "Правительство Казахстана ушло в отставку.",
            "ru",
            ["KZ"],
        ),
        (
            "Citizens in Kazakhstan should avoid protests. The government of Kazakhstan "
            "resigned; Kazakhstan authorities closed the airport.",
            "en",
            ["KZ"],
        ),
        (
            "Казакстандагы жарандар митингдерге катышпагыла. Казакстандын өкмөтү отставкага кетти.",
            "ky",
            ["KZ"],
        ),
    ],
)
def test_a_government_in_the_news_stays_a_destination(
    text: str, language: str, expected: list[str]
) -> None:
    assert rank_countries(text, language, exclude="KG") == expected

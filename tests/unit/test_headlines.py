"""Headlines of free-text posts (issue 13, item 5), in ky, ru and en: times, prices, dates,
rubric words and bylines are never a headline; when the post reports advice, the headline
and the email subject are the advice itself. The clutter vocabulary is a data file."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from consular_alerts.domain.formats.documents import normalize_document
from consular_alerts.domain.formats.ministry import extract_post
from consular_alerts.domain.language.headlines import is_clutter, reports_advice
from consular_alerts.domain.messages.render import render
from consular_alerts.domain.policy import Kind

from tests.builders import NOW

CLUTTER = [
    "USD 79.35",
    "EUR 85,10 ▲ 0.3%",
    "23:46",
    "9:05 am",
    "Общество, 06 дек, 03:32",
    "В мире | 6 января 2022, 14:00",
    "Коом, 06-январь, 2022",
    "Politics, 6 January 2022, 14:00 GMT",
    "06.01.2022",
    "Автор: Иван Петров",
    "Фото: AP",
    "By John Smith",
    "Сүрөт: Kaktus.media",
    "Поделиться",
]
NOT_CLUTTER = [
    "Протесты в Алматы, 06 дек",
    "Землетрясение в Турции",
    "Түркиядагы жер титирөө",
    "Unrest in Almaty on 6 January",
    "By order of the ministry, leave the city now.",
    "Мирный протест",
]


@pytest.mark.parametrize("line", CLUTTER)
def test_page_clutter_is_recognised(line: str) -> None:
    assert is_clutter(line)


@pytest.mark.parametrize("line", NOT_CLUTTER)
def test_a_real_headline_is_not_clutter(line: str) -> None:
    assert not is_clutter(line)


NEWS = {
    "ru": (
        "Общество, 06 дек, 03:32\nUSD 79.35\n23:46\n"
        "МИД Кыргызстана в ночь на 6 января распространил сообщение для граждан в Казахстане. "
        "Гражданам рекомендуется воздержаться от поездок в Алматы и оставаться дома.",
        "Воздержаться от поездок в Алматы и оставаться дома.",
    ),
    "ky": (
        "Коом, 06-январь, 2022\n23:46\n"
        "КР ТИМ 6-январда Казакстандагы жарандар үчүн билдирүү таратты.\n"
        "Кыргызстандыктарга Алматыга барбоо жана үйдө калуу сунушталат.",
        "Алматыга барбоо жана үйдө калуу сунушталат.",
    ),
    "en": (
        "Politics, 6 January 2022, 14:00 GMT\nUSD 79.35\nBy John Smith\n"
        "The Ministry of Foreign Affairs on the night of 6 January distributed a message to "
        "citizens in Kazakhstan. Citizens are advised to stay at home and avoid the centre of "
        "Almaty.",
        "Stay at home and avoid the centre of Almaty.",
    ),
}


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_a_news_page_reporting_advice_is_headed_by_the_advice(language: str) -> None:
    text, advice = NEWS[language]
    post = extract_post(text)
    assert post.language == language
    assert post.headline == advice
    assert post.countries == ["KZ"]
    assert not any(is_clutter(line) for line in post.summary.split("\n"))
    assert "79.35" not in post.summary
    assert "23:46" not in post.summary


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_the_email_subject_is_the_advice_not_the_clutter(language: str) -> None:
    text, advice = NEWS[language]
    (advisory,) = normalize_document(text.encode(), received_at=NOW).advisories
    message = render(advisory, language, Kind.NEW, base_url="https://a.kg", sms_budget=2)
    assert advice[:40] in message.email_subject
    for clutter in ("USD", "23:46", "03:32", "14:00", "Общество", "Коом", "Politics"):
        assert clutter not in message.email_subject


@pytest.mark.parametrize(
    "sentence",
    [
        "The Ministry of Foreign Affairs on the night of 6 January distributed a message.",
        "МИД Кыргызстана распространил срочное сообщение.",
        "КР ТИМ билдирүү таратты.",
        "The embassy said on Friday that the border is closed.",
    ],
)
def test_sentences_that_report_are_recognised(sentence: str) -> None:
    assert reports_advice(sentence)


def test_a_title_first_stays_the_headline() -> None:
    post = extract_post(
        "Землетрясение в Турции\nМИД рекомендует гражданам воздержаться от поездок в Турцию."
    )
    assert post.headline == "Землетрясение в Турции"


def test_a_post_without_advice_keeps_its_first_real_sentence() -> None:
    post = extract_post("23:46\nUSD 79.35\nВ Алматы прошли митинги. Ситуация спокойная.")
    assert post.headline == "В Алматы прошли митинги."


def test_the_clutter_file_documents_its_syntax_and_parses() -> None:
    text = (
        resources.files("consular_alerts.domain.language")
        .joinpath("headline_clutter.toml")
        .read_text(encoding="utf-8")
    )
    assert text.startswith("# Headline clutter")
    data = tomllib.loads(text)
    assert {"tokens", "words", "bylines", "reporting"} <= set(data)
    assert "Общество" in data["words"]
    assert "Коом" in data["words"]


@pytest.mark.parametrize(
    "line",
    [
        # page menus, weekdays and Kyrgyz month names
        "• Башкы бет",
        "• Шаршемби 8 Бугу 2024",
        "• Среда 8 Май 2024",
        "Home • News",
        "13:59, 2022-ж., 5-май",
        # site names: a radio station, a domain, words glued by a menu
        "Марал Радиосу",
        "Europe Radio FM",
        "Govori.TV",
        "ВажливеПолітика",
        "BreakingNews",
    ],
)
def test_menus_weekdays_and_site_names_are_clutter(line: str) -> None:
    assert is_clutter(line)


@pytest.mark.parametrize(
    "line",
    ["Радио Азаттык: жарандар Орусияга барбасын", "Эвакуация из Турции", "McDonald's closes"],
)
def test_a_line_naming_a_site_with_words_of_its_own_is_not_clutter(line: str) -> None:
    assert not is_clutter(line)


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        (
            "• Башкы бет\n• Кыргызстандыктар Орусияга барбагыла\nКыргызстандыктар Орусияга "
            "барбагыла. Жарандар элчиликке кайрылгыла.",
            "Кыргызстандыктар Орусияга барбагыла",
        ),
        (
            "• Среда 8 Май 2024\n• Гражданам рекомендуется покинуть Турцию\n"
            "Гражданам рекомендуется покинуть Турцию.",
            "окинуть Турцию",
        ),
        (
            "• Home\n• Travelers should avoid Turkey\nTravelers should avoid Turkey.",
            "Travelers should avoid Turkey",
        ),
    ],
)
def test_a_bullet_is_never_part_of_the_headline(text: str, headline: str) -> None:
    post = extract_post(text)
    assert not post.headline.startswith("•")
    assert headline in post.headline


@pytest.mark.parametrize(
    ("text", "language", "expected", "forbidden"),
    [
        (
            "Бишкек, 28.02.20. /Индира Камчыбекова-Кабар/. Гражданам рекомендуется временно "
            "воздержаться от поездок в Китай.",
            "ru",
            "воздержаться",
            "Кабар",
        ),
        (
            "Бишкек, 05.05.20. /Кабар/. Жарандар Казакстандын чек арасына барбагыла.",
            "ky",
            "барбагыла",
            "Кабар",
        ),
        (
            "WASHINGTON, 12.03.24. /AP/. Travelers should avoid Haiti.",
            "en",
            "avoid Haiti",
            "AP",
        ),
    ],
)
def test_a_dateline_is_never_part_of_the_headline(
    text: str, language: str, expected: str, forbidden: str
) -> None:
    post = extract_post(text)
    assert post.language == language
    assert expected in post.headline
    assert forbidden not in post.headline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("МИД призывает граждан покинуть Россию1\n\nМИД Латвии сообщил это в Twitter.", "Россию"),
        ("ТИМ жарандарды Орусиядан чыгууга чакырат2\n\nБул тууралуу ТИМ билдирди.", "чакырат"),
        ("Americans must leave Russia now1\n\nThe embassy said so on Monday.", "Russia"),
    ],
)
def test_a_footnote_number_is_not_part_of_the_headline(text: str, expected: str) -> None:
    headline = extract_post(text).headline
    assert expected in headline
    assert not any(f"{expected}{digit}" in headline for digit in "12")


@pytest.mark.parametrize(
    ("text", "advice", "report"),
    [
        (
            "МИД Киргизии выпустил рекомендации для граждан, планирующих посетить Россию\n"
            "«МИД рекомендует гражданам временно воздержаться от поездки в Россию».",
            "воздерж",
            "выпустил",
        ),
        (
            "Министерство иностранных дел России выступило с экстренным заявлением для граждан. "
            "В дипведомстве рекомендовали отказаться от поездок в Иран.",
            "отказаться",
            "выступило",
        ),
        (
            "Орусиядагы жарандарды ташыган автобустар жолго чыгууда – ТИМ\n"
            "ТИМ жарандарды чек арага келбөөгө чакырат.",
            "келбөө",
            "автобустар",
        ),
        (
            "Buses with citizens are ready to leave the border - State Department\n"
            "Citizens should not come to the border until it opens.",
            "should not come",
            "Buses",
        ),
    ],
)
def test_a_title_reporting_advice_gives_way_to_the_advice(
    text: str, advice: str, report: str
) -> None:
    headline = extract_post(text).headline
    assert advice in headline
    assert report not in headline

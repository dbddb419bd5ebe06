"""Free-text posts -> advisory fields (consular_alerts.domain.formats.ministry and the
language package it uses: detection, hotlines, html, places).

The posts below are written for these tests in the style of the ministry's posts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from consular_alerts.domain.formats.ministry import ExtractedPost, TextExtractionError, extract_post
from consular_alerts.domain.language.detection import detect_language
from consular_alerts.domain.language.hotlines import extract_hotlines
from consular_alerts.domain.language.html import html_to_text
from consular_alerts.domain.language.places import rank_countries
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

E164 = re.compile(r"^\+[1-9]\d{6,14}$")

RU_POST = (
    "date 2023-03 МИД Кыргызстана в ночь на 3 марта обратился к кыргызстанцам, находящимся "
    "в Казахстане, с призывом не принимать участие в несанкционированных митингах. "
    "Кроме этого в министерстве советуют избегать мест массового скопления людей и "
    "оставаться дома. «Посольство в Астане и консульство в Алматы следят за ситуацией», — "
    "говорится в сообщении. Пункты пропуска на границе с Казахстаном работают в штатном "
    "режиме. Для связи: Посольство в Астане — +996 (555) 12-34-56; Генеральное консульство "
    "в Алматы — +7 (701) 111-22-33, +7 (701) 444-55-66. Митинги начались в Алматы и "
    "Шымкенте после роста цен на топливо. В тот же день премьер-министр Армении заявил, "
    "что следит за событиями."
)

KY_POST = (
    "Кыргыз Республикасынын Тышкы иштер министрлиги Казакстандагы кыргызстандыктарга "
    "массалык иш-чараларга катышпоону сунуштайт. Жарандар Алматыдагы жана Нур-Султандагы "
    "митингдерден алыс болушу керек.\n"
    "Кырдаал боюнча элчиликке кайрылгыла: Нур-Султандагы элчилик — +996 555 123 456."
)

# Kyrgyz full of Russian loanwords (ситуация, мониторинг, полиция, информация ...).
KY_LOANWORDS = (
    "Министрлик ситуацияны мониторинг кылып жатат. Консулдук департамент полиция жана "
    "миграция кызматтары менен координацияда иштейт. Демонстрациялар жана протесттер "
    "учурунда документтериңизди өзүңүздө алып жүргүлө, такси жана транспорт боюнча "
    "информацияны телефон аркылуу тактагыла."
)

EN_POST = (
    "date 2022-01-05 The Ministry of Foreign Affairs of the Kyrgyz Republic advises citizens "
    "in Kazakhstan to avoid mass gatherings. Protests continue in Almaty and Nur-Sultan. "
    "Citizens should stay at home and follow the instructions of local authorities. "
    "Embassy in Nur-Sultan: +996 555 123 456."
)

HTML_POST = (
    "<html><head><title>МИД КР | Новости</title><style>p { color: red }</style></head>"
    "<body><h1>Землетрясение в Турции</h1>"
    "<p>Кыргызстанцам в Турции&nbsp;рекомендуется избегать &laquo;старых&raquo; зданий "
    "&amp; оставаться на открытых местах.</p>"
    '<script>var country = "Казахстан";</script>'
    "<p>Генеральное консульство в Стамбуле &mdash; +90 212 252 12 34</p></body></html>"
)

SEED_HOTLINE_SENTENCE = (
    "Посольство в Нур-Султане — +996 (772) 454 444; Генеральное консульство Кыргызстана в "
    "Алматы — +7 (777) 037-14-48, +7 (777) 815-00-72."
)


# --- language ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (RU_POST, "ru"),
        (KY_POST, "ky"),
        (KY_LOANWORDS, "ky"),
        (EN_POST, "en"),
        ("Бишкекте митинг өтөт. Жарандар борбордук аянттан алыс болгула.", "ky"),
        # Russian with Kyrgyz names in it stays Russian.
        ("Министр Жээнбек Кулубаев провел встречу с послом Өмүрбеком Текебаевым в Бишкеке.", "ru"),
        # Mostly Latin with one Cyrillic word: the majority script decides.
        ("The embassy in Almaty (Алматы) is open as usual.", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


# --- hotlines ---------------------------------------------------------------------------------


def test_seed_hotline_sentence_gives_three_labelled_numbers() -> None:
    hotlines = extract_hotlines(SEED_HOTLINE_SENTENCE)
    assert [(h.number, h.label) for h in hotlines] == [
        ("+996772454444", "Посольство в Нур-Султане"),
        ("+77770371448", "Генеральное консульство Кыргызстана в Алматы"),
        ("+77778150072", "Генеральное консульство Кыргызстана в Алматы"),
    ]


def test_hotlines_in_a_post_are_e164_labelled_in_order() -> None:
    post = extract_post(RU_POST)
    assert [(h.number, h.label) for h in post.hotlines] == [
        ("+996555123456", "Посольство в Астане"),
        ("+77011112233", "Генеральное консульство в Алматы"),
        ("+77014445566", "Генеральное консульство в Алматы"),
    ]


def test_hotlines_are_not_repeated_and_local_numbers_are_read_as_the_text_country() -> None:
    text = "Дежурный тел.: 0312 62 05 45. Повторяем: дежурный — +996 312 62 05 45."
    hotlines = extract_hotlines(text, ["KG"])
    assert [h.number for h in hotlines] == ["+996312620545"]
    assert hotlines[0].label == "Дежурный"


def test_hotline_label_is_capped_at_a_word_boundary() -> None:
    long_clause = "горячая линия " * 12 + "посольства в Бишкеке"
    hotline = extract_hotlines(f"{long_clause} +996 312 62 05 45")[0]
    assert len(hotline.label) <= 80
    assert hotline.label.endswith("посольства в Бишкеке")
    assert long_clause.endswith(hotline.label)


def test_kyrgyz_and_english_labels() -> None:
    assert [h.label for h in extract_post(KY_POST).hotlines] == ["Нур-Султандагы элчилик"]
    assert [h.label for h in extract_post(EN_POST).hotlines] == ["Embassy in Nur-Sultan"]


# --- countries ---------------------------------------------------------------------------------


def test_countries_rank_the_subject_first_and_exclude_the_ministry() -> None:
    post = extract_post(RU_POST, ministry_country="KG")
    assert post.countries[0] == "KZ"
    assert "KG" not in post.countries


def test_a_country_mentioned_in_passing_comes_after_or_not_at_all() -> None:
    text = (
        "МИД призывает кыргызстанцев, находящихся в Казахстане, избегать мест массового "
        "скопления людей. Ситуация в Алматы остается напряженной. Граждане, которые "
        "планируют выезд через Узбекистан, должны учитывать очереди на границе с "
        "Узбекистаном. Протесты в Казахстане продолжаются."
    )
    assert rank_countries(text, "ru", exclude="KG") == ["KZ", "UZ"]
    # Armenia, named once at the very end of RU_POST, is below the relevance cut-off.
    countries = extract_post(RU_POST).countries
    assert "AM" not in countries[:1]
    assert "AM" not in countries


def test_own_country_stays_when_it_is_the_only_one() -> None:
    text = "Бишкекте митинг өтөт. Жарандар борбордук аянттан алыс болгула."
    assert rank_countries(text, "ky", exclude="KG") == ["KG"]
    assert extract_post(text).countries == ["KG"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Бишкекте жана Бишкектеги базарларда", "ky", ["KG"]),
        ("Казакстанда жашаган жарандар", "ky", ["KZ"]),
        ("Казакстандагы кыргызстандыктарга", "ky", ["KZ"]),
        ("Стамбулда жашаган жарандар", "ky", ["TR"]),
        ("Орусияда жана Түркияда эмгек мигранттар", "ky", ["RU", "TR"]),
        ("в Нур-Султане", "ru", ["KZ"]),
        ("граждане в Армении", "ru", ["AM"]),
        ("граждане, выехавшие в Армению", "ru", ["AM"]),
        ("в Российской Федерации", "ru", ["RU"]),
        ("в Южной Корее", "ru", ["KR"]),
        ("в Объединённых Арабских Эмиратах", "ru", ["AE"]),
        ("in the UK", "en", ["GB"]),
    ],
)
def test_inflected_names_and_cities(text: str, language: str, expected: list[str]) -> None:
    assert rank_countries(text, language) == expected


def test_demonyms_and_lowercase_words_are_not_places() -> None:
    assert rank_countries("кыргызстанцы и казахстанцы", "ru") == []
    assert rank_countries("Кыргызстандыктар эс алышат", "ky") == []
    assert rank_countries("Кроме того, это касается всех", "ru") == []
    # Short names do not match inside other words, nor regions of the world as countries.
    assert rank_countries("Ошондой эле, Южной Америке и Латинской Америке", "ky") == []
    assert rank_countries("They told us about South America", "en") == []


# --- areas -------------------------------------------------------------------------------------


def test_areas_are_deduplicated_most_mentioned_first_with_iso_codes() -> None:
    post = extract_post(RU_POST)
    assert [(a.name, a.iso_3166_2) for a in post.areas] == [
        ("Алматы", "KZ-75"),
        ("Астана", "KZ-71"),
        ("Шымкент", "KZ-79"),
    ]


def test_areas_use_the_name_as_written_in_the_nominative() -> None:
    post = extract_post(
        "Митинги в Нур-Султане и в Мангистауской области. Кыргызстанцам в Нур-Султане "
        "советуют оставаться дома."
    )
    assert [(a.name, a.iso_3166_2) for a in post.areas] == [
        ("Нур-Султан", "KZ-71"),
        ("Мангистауская область", "KZ-47"),
    ]
    assert [a.name for a in extract_post(KY_POST).areas] == ["Нур-Султан", "Алматы"]


# --- headline, summary, instruction, date ------------------------------------------------------


def test_headline_is_the_first_sentence_cut_at_a_word_boundary() -> None:
    post = extract_post(RU_POST)
    assert len(post.headline) <= 120
    assert post.headline.endswith("…")
    cut = post.headline.removesuffix("…")
    assert post.body.startswith(cut)
    assert post.body[len(cut)] in " ,"  # the cut fell between words


def test_a_first_sentence_reporting_advice_gives_the_advice_as_headline() -> None:
    post = extract_post(EN_POST)
    assert post.headline == "Avoid mass gatherings."  # the advice, as the SMS condenses it
    assert post.summary == (
        "The Ministry of Foreign Affairs of the Kyrgyz Republic advises citizens in "
        "Kazakhstan to avoid mass gatherings. Protests continue in Almaty and Nur-Sultan."
    )
    assert len(post.summary) <= 300


def test_instruction_keeps_only_advice_sentences() -> None:
    post = extract_post(RU_POST)
    assert "не принимать участие" in post.instruction
    assert "оставаться дома" in post.instruction
    assert "Шымкенте" not in post.instruction
    assert len(post.instruction) <= 400
    en = extract_post(EN_POST).instruction
    assert en.startswith("The Ministry of Foreign Affairs")
    assert "should stay at home" in en
    assert "Protests continue" not in en
    ky = extract_post(KY_POST).instruction
    assert "сунуштайт" in ky
    assert extract_post("Митинг в Бишкеке прошел спокойно.").instruction == ""


def test_sentences_do_not_break_inside_quotes_or_after_abbreviations() -> None:
    post = extract_post(
        "Встреча прошла в г. Бишкек, т.е. в столице. Лозунг: «Шал, кет!» («Старик, уходи!»). "
        "Второе предложение."
    )
    assert post.headline == "Встреча прошла в г. Бишкек, т.е. в столице."
    assert post.summary == (
        "Встреча прошла в г. Бишкек, т.е. в столице. Лозунг: «Шал, кет!» («Старик, уходи!»)."
    )


def test_a_unit_before_a_full_stop_ends_the_sentence_but_an_initial_does_not() -> None:
    post = extract_post("В Алматы ветер 25 м/с. Не стойте у деревьев. Посол А. Иванов.")
    assert post.headline == "В Алматы ветер 25 м/с."
    assert post.summary == "В Алматы ветер 25 м/с. Не стойте у деревьев."


def test_date_marker_sets_sent_and_is_removed_from_the_body() -> None:
    post = extract_post(RU_POST)
    assert post.sent == datetime(2023, 3, 1, tzinfo=UTC)
    assert post.body.startswith("МИД Кыргызстана")
    assert extract_post(EN_POST).sent == datetime(2022, 1, 5, tzinfo=UTC)
    assert extract_post(KY_POST).sent is None


def test_an_impossible_date_marker_is_refused() -> None:
    with pytest.raises(TextExtractionError, match="date"):
        extract_post("date 2022-13 Митинг в Бишкеке.")


def test_body_whitespace_is_normalized() -> None:
    post = extract_post("  Митинг\u00a0 в   Бишкеке.\r\n\r\n\r\n  Избегайте площади.  ")
    assert post.body == "Митинг в Бишкеке.\n\nИзбегайте площади."


# --- HTML --------------------------------------------------------------------------------------


def test_html_to_text_drops_scripts_and_decodes_entities() -> None:
    text = html_to_text(HTML_POST)
    assert "var country" not in text
    assert "color" not in text
    assert "МИД КР | Новости" not in text
    assert "«старых»" in text
    assert "&" in text
    assert "&amp;" not in text
    assert text.splitlines()[0] == "Землетрясение в Турции"
    assert html_to_text("<p>a<br>b</p><ul><li>x</li><li>y</li></ul>") == "a\nb\nx\ny"
    # A malformed marked section, on which html.parser raises, is read as text.
    assert html_to_text("<p>Митинг</p><![; в Оше") == "Митинг\n<![; в Оше"


def test_html_post_is_extracted() -> None:
    post = extract_post(HTML_POST, is_html=True)
    assert post.language == "ru"
    assert post.countries == ["TR"]  # "Казахстан" only appears inside <script>
    assert post.headline == "Землетрясение в Турции"
    assert [(h.number, h.label) for h in post.hotlines] == [
        ("+902122521234", "Генеральное консульство в Стамбуле")
    ]
    assert [(a.name, a.iso_3166_2) for a in post.areas] == [("Стамбул", "TR-34")]
    assert "избегать" in post.instruction


# --- errors and properties ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t ", "<p> </p>"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(TextExtractionError, match=r"empty|no visible text"):
        extract_post(text, is_html=text.startswith("<"))


def test_text_without_words_is_refused() -> None:
    with pytest.raises(TextExtractionError, match="no words"):
        extract_post("+++ 12345 ---")
    with pytest.raises(TextExtractionError, match="nothing after"):
        extract_post("date 2022-01")


def test_extracted_post_shape_on_a_kyrgyz_post() -> None:
    post = extract_post(KY_POST)
    assert isinstance(post, ExtractedPost)
    assert post.language == "ky"
    assert post.countries == ["KZ"]
    assert post.hotlines[0].number == "+996555123456"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
def test_extract_post_returns_a_post_or_refuses_clearly(text: str) -> None:
    try:
        post = extract_post(text)
    except TextExtractionError as error:
        refusal = str(error)
        post = None
    if post is None:
        assert refusal  # a refusal always says why
        return
    assert post.language in {"ky", "ru", "en"}
    assert 0 < len(post.headline) <= 120
    assert len(post.summary) <= 300
    assert len(post.instruction) <= 400
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in post.countries)
    assert all(E164.match(h.number) for h in post.hotlines)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="+0123456789 ()-", max_size=20),
            st.sampled_from(["+996 555 123 456", "+7 701 111 22 33", "0312 62 05 45"]),
            st.text(max_size=20),
        ),
        max_size=8,
    ).map(" ".join)
)
def test_hotline_numbers_are_always_e164(text: str) -> None:
    hotlines = extract_hotlines(text)
    assert all(E164.match(h.number) for h in hotlines)
    assert len({h.number for h in hotlines}) == len(hotlines)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>/!-&;#x[]ap scriptbr\"'=\n")))
def test_html_to_text_never_raises(html: str) -> None:
    text = html_to_text(html)
    assert "\n\n" not in text
    assert text == text.strip()

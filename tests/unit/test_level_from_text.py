"""The level a post's own words give (consular_alerts.domain.language.levels and its data
file level_phrases.toml), and how a post's level is decided: metadata, else the words, else
the default, with the reason in the record. Sentences written for these tests."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

import pytest
from consular_alerts.domain.language import levels
from consular_alerts.domain.language.levels import (
    LEVEL_BY_DEFAULT,
    LEVEL_FROM_METADATA,
    level_from_text,
)
from consular_alerts.domain.normalize import normalize_text_post
from consular_alerts.models.publisher import PostMetadata, TextPost

from tests.conftest import REPO_ROOT

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "level", "phrase"),
    [
        # level 4
        ("МИД призывает граждан срочно покинуть территорию Ирана.", 4, "срочно покинуть"),
        ("Гражданам рекомендуется покинуть Ливан.", 4, "рекомендуется покинуть"),
        ("Жарандарга Ирандан тезинен чыгып кетүү сунушталат.", 4, "тезинен чыгып кетүү"),
        ("Citizens should leave the country immediately.", 4, "should leave"),
        ("Leave Iran as soon as possible.", 4, "Leave Iran as soon as possible"),
        ("Level 4: Do not travel to Yemen.", 4, "Level 4"),
        # level 3
        ("Не рекомендуется посещать Таиланд в ближайшие дни.", 3, "Не рекомендуется посещать"),
        ("МИД советует воздержаться от поездок в Непал.", 3, "воздержаться от поездок"),
        ("Жарандарга Непалга барбоо сунушталат.", 3, "барбоо"),
        ("Саякатка чыгууну кийинкиге калтыргыла.", 3, "Саякатка чыгууну кийинкиге калтыргыла"),
        ("We advise you to refrain from travel to Nepal.", 3, "refrain from travel"),
        ("Avoid all but essential travel to Mali.", 3, "all but essential travel"),
        # level 3: a list of countries to stay away from, and sheltering in place
        (
            "МИД рекомендует воздержаться от посещения таких стран как Ливия и Сирия.",
            3,
            "воздержаться от посещения таких стран",
        ),
        ("Continue to shelter in place in Turkey.", 3, "shelter in place"),
        ("Гражданам следует укрыться в убежищах.", 3, "укрыться в убежищах"),
        ("Калкалоочу жайларда калгыла.", 3, "Калкалоочу жайларда калгыла"),
        # level 2
        ("В Алматы соблюдайте повышенную осторожность.", 2, "повышенную осторожность"),
        ("Казакстандагы жарандар сак болгула.", 2, "сак болгула"),
        ("Exercise increased caution in Turkey.", 2, "increased caution"),
        # level 1
        ("Соблюдайте обычные меры предосторожности в Дании.", 1, "обычные меры предосторожности"),
        ("Exercise normal precautions in Denmark.", 1, "normal precautions"),
        ("Данияда 1-деңгээлдеги кеңеш.", 1, "1-деңгээлдеги"),
    ],
)
def test_each_level_is_read_in_each_language(text: str, level: int, phrase: str) -> None:
    cue = level_from_text(text)
    assert cue is not None
    assert (cue.level, cue.phrase) == (level, phrase)


@pytest.mark.parametrize(
    "text",
    [
        "Нет необходимости покидать страну срочно.",
        "Нет необходимости срочно покидать страну.",
        "Кыргызстандыктардын Казакстандан тезинен чыгып кетүүсүнүн азырынча зарылчылыгы жок.",
        "There is no need to leave the country immediately.",
        "Citizens are urged not to leave their homes.",
    ],
)
def test_a_negated_level_4_phrase_is_not_level_4(text: str) -> None:
    cue = level_from_text(text)
    assert cue is None or cue.level < 4


@pytest.mark.parametrize(
    "text",
    [
        "There is no need to shelter in place.",
        "Нет необходимости укрыться в убежищах.",
        "Калкалоочу жайларда калуунун зарылчылыгы жок.",
    ],
)
def test_a_negated_shelter_phrase_is_not_read(text: str) -> None:
    assert level_from_text(text) is None


def test_a_negation_takes_back_only_its_own_clause() -> None:
    cue = level_from_text("Нет необходимости паниковать. Срочно покиньте страну.")
    assert cue is not None
    assert (cue.level, cue.phrase) == (4, "Срочно покиньте")


def test_the_highest_level_said_wins_and_ordinary_text_names_none() -> None:
    cue = level_from_text("Избегайте митингов. Рекомендуем срочно покинуть страну.")
    assert cue is not None
    assert cue.level == 4
    assert level_from_text("The weather in Almaty is fine and the border is open.") is None


def test_inflected_forms_and_yo_match() -> None:
    assert level_from_text("Покиньте страну немедленно!") is not None
    assert level_from_text("Будьте осторожнее: ещё возможны протесты.") is not None


# --- the data file -------------------------------------------------------------------------


def test_the_data_file_names_each_level_in_ky_ru_and_en_and_documents_its_syntax() -> None:
    path = Path(levels.__file__).with_name(levels.PHRASES_FILE)
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert sorted(data["level"]) == ["1", "2", "3", "4"]
    for by_language in data["level"].values():
        assert sorted(by_language) == ["en", "ky", "ru"]
    assert data["negation"]["before"]
    assert data["negation"]["after"]
    assert "stem*" in text  # the syntax is described for the linguist
    assert "..." in text


def test_the_data_file_is_packaged() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["consular_alerts"]
    shipped = f"domain/language/{levels.PHRASES_FILE}"
    assert any(fnmatch(shipped, pattern) for pattern in patterns)


def test_a_phrase_with_an_empty_alternative_is_refused() -> None:
    with pytest.raises(ValueError, match="empty alternative"):
        levels.phrase_pattern("покин*||выех*")


# --- a post's level ---------------------------------------------------------------------------


def post(text: str, **metadata: object) -> TextPost:
    return TextPost(text=text, format="text", metadata=PostMetadata.model_validate(metadata))


def normalized(item: TextPost) -> tuple[int, str | None]:
    advisory = normalize_text_post(
        item, received_at=NOW, ministry_country="KG", default_source="mfa-kg", default_level=2
    )
    return advisory.level, advisory.level_reason


def test_a_posts_words_give_its_level_and_the_reason_is_recorded() -> None:
    assert normalized(post("МИД КР призывает кыргызстанцев срочно покинуть Иран.")) == (
        4,
        "«срочно покинуть»",
    )
    assert normalized(post("Жарандарга Ирандан тезинен чыгып кетүү сунушталат.")) == (
        4,
        "«тезинен чыгып кетүү»",
    )
    assert normalized(post("Citizens are advised to refrain from travel to Iran.")) == (
        3,
        "«refrain from travel»",
    )


def test_metadata_wins_over_the_words() -> None:
    item = post("МИД КР призывает кыргызстанцев срочно покинуть Иран.", level=2)
    assert normalized(item) == (2, LEVEL_FROM_METADATA)


def test_the_default_applies_only_when_nothing_says() -> None:
    assert normalized(post("В Иране прошли выборы президента.")) == (2, LEVEL_BY_DEFAULT)


@pytest.mark.parametrize(
    "text",
    [
        "Не спешите срочно покидать страну.",
        "Өлкөдөн чыгып кетүүгө шашылбагыла.",
        "Do not rush to leave the country immediately.",
        "The embassy has not advised citizens to leave.",
    ],
)
def test_do_not_hurry_to_leave_is_not_level_4(text: str) -> None:
    cue = level_from_text(text)
    assert cue is None or cue.level < 4

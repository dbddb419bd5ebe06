"""A CAP alert about part of a country (issue 13, item 3): its areas are kept, the whole
country is never raised above level 3 unless the ministry sent it, and `level_reason`
says why the level is what it is. Areas and texts in ky, ru and en."""

from __future__ import annotations

import pytest
from consular_alerts.domain.formats.cap import parse_cap
from consular_alerts.domain.formats.cap_scope import scoped_level
from consular_alerts.models.advisory import Advisory

from tests.unit.test_cap import NOW, _area, _geocode, alert, info


def _parse(area: str, *, severity: str = "Extreme", language: str = "en-US", **kw: str) -> Advisory:
    data = alert(
        infos=(info(language=language, severity=severity, urgency="Immediate", area=area, web=""),),
        **kw,  # type: ignore[arg-type]
    )
    return parse_cap(data, received_at=NOW)


COUNTY = _area(_geocode("UGC", "TXC201") + _geocode("SAME", "048201"), desc="Harris County")


def test_an_extreme_alert_about_one_county_is_capped_at_level_3_and_says_why() -> None:
    advisory = _parse(COUNTY)
    assert advisory.countries == ["US"]
    assert advisory.level == 3
    assert advisory.severity == "Extreme"  # the sender's own rating is kept beside it
    assert advisory.level_reason == (
        "CAP severity Extreme for part of US (Harris County): capped at level 3"
    )
    assert [a.name for a in advisory.areas] == ["Harris County"]
    assert advisory.areas[0].geocodes == {"UGC": ["TXC201"], "SAME": ["048201"]}


def test_a_police_search_inside_a_polygon_is_part_of_the_country() -> None:
    area = (
        "<area><areaDesc>Within 2 miles of Main St, Springfield</areaDesc>"
        "<polygon>39.80,-89.70 39.82,-89.60 39.76,-89.62 39.80,-89.70</polygon></area>"
    )
    advisory = _parse(area, sender="w-nws.webmaster@noaa.gov")
    assert (advisory.level, advisory.countries) == (3, ["US"])
    assert advisory.areas[0].polygons


@pytest.mark.parametrize(
    ("area", "language", "country"),
    [
        ("<area><areaDesc>Philippines</areaDesc></area>", "en-US", "PH"),
        (_area(_geocode("ISO 3166-1", "PH"), desc="Luzon, Visayas and Mindanao"), "en-US", "PH"),
        ("<area><areaDesc>Казахстан</areaDesc></area>", "ru", "KZ"),
        ("<area><areaDesc>Түркия</areaDesc></area>", "ky", "TR"),
        ("<area><areaDesc>Nationwide</areaDesc></area>", "en-PH", "PH"),
        ("<area><areaDesc>Вся страна</areaDesc></area>", "ru-KZ", "KZ"),
        ("<area><areaDesc>Бүт өлкө</areaDesc></area>", "ky-KG", "KG"),
    ],
)
def test_an_alert_about_the_whole_country_keeps_its_level(
    area: str, language: str, country: str
) -> None:
    advisory = _parse(area, language=language, sender="someone")
    assert (advisory.level, advisory.countries) == (4, [country])
    assert advisory.level_reason == "CAP severity Extreme: level 4"


@pytest.mark.parametrize(
    ("area", "language", "country"),
    [
        (_area(_geocode("ISO 3166-2", "KZ-75"), desc="Алматы"), "ru", "KZ"),
        ("<area><areaDesc>Алматинская область, Казахстан</areaDesc></area>", "ru", "KZ"),
        ("<area><areaDesc>Анталья, Түркия</areaDesc></area>", "ky", "TR"),
        ("<area><areaDesc>Antalya Province, Türkiye</areaDesc></area>", "en", "TR"),
    ],
)
def test_a_region_or_city_is_part_of_the_country(area: str, language: str, country: str) -> None:
    advisory = _parse(area, language=language, sender="someone")
    assert (advisory.level, advisory.countries) == (3, [country])
    assert advisory.level_reason is not None
    assert f"for part of {country}" in advisory.level_reason
    assert advisory.level_reason.endswith("capped at level 3")


def test_the_ministry_itself_may_ask_level_4_for_part_of_a_country() -> None:
    area = "<area><areaDesc>Алматы, Казахстан</areaDesc></area>"
    advisory = _parse(area, language="ru", sender="cap@mfa.gov.kg")
    assert (advisory.level, advisory.countries) == (4, ["KZ"])
    assert advisory.level_reason == (
        "CAP severity Extreme for part of KZ (Алматы, Казахстан), sent by the ministry: level 4"
    )


def test_a_lower_level_for_part_of_a_country_is_kept_and_explained() -> None:
    advisory = _parse(COUNTY, severity="Minor")
    assert advisory.level == 1
    assert advisory.level_reason == "CAP severity Minor for part of US (Harris County): level 1"


def test_the_reason_names_a_lowering_by_urgency() -> None:
    data = alert(infos=(info(severity="Severe", urgency="Past", area=COUNTY),))
    advisory = parse_cap(data, received_at=NOW)
    assert advisory.level == 2
    assert advisory.level_reason == (
        "CAP severity Severe, urgency Past (one lower) for part of US (Harris County): level 2"
    )


def test_many_areas_are_named_briefly() -> None:
    areas = "".join(_area(_geocode("UGC", f"TXC{n:03d}"), desc=f"County {n}") for n in range(5))
    advisory = _parse(areas)
    assert advisory.level_reason is not None
    assert "(County 0; County 1 and 3 more)" in advisory.level_reason
    assert len(advisory.areas) == 5


def test_the_ministrys_own_domain_is_not_a_destination() -> None:
    data = alert(sender="cap@mfa.gov.kg", infos=(info(language="en", area=_area(), web=""),))
    with pytest.raises(ValueError, match="cannot tell which country"):
        parse_cap(data, received_at=NOW)


@pytest.mark.parametrize(
    ("authority", "language"),
    [
        ("Montgomery County MD", "en-US"),
        ("MI Michigan State Police Emerg", "en-US"),
        ("Администрация Алматинской области", "ru-KZ"),
        ("Ош шаарынын мэриясы", "ky-KG"),
    ],
)
def test_a_local_authority_without_areas_is_part_of_the_country(
    authority: str, language: str
) -> None:
    level, reason = scoped_level(
        4, "CAP severity Extreme", areas=[], countries=["US"], sender="x", language=language,
        authority=authority,
    )  # fmt: skip
    assert level == 3
    assert authority[:20] in reason
    assert "capped at level 3" in reason


def test_a_national_authority_without_areas_keeps_its_level() -> None:
    level, _ = scoped_level(
        4, "CAP severity Extreme", areas=[], countries=["PH"], sender="x", language="en",
        authority="Philippine Atmospheric, Geophysical and Astronomical Services Administration",
    )  # fmt: skip
    assert level == 4


@pytest.mark.parametrize(
    "title",
    [
        "Required Monthly Test",
        "ADR Test Message",
        "THIS IS ONLY A TEST",
        "Тестовое сообщение системы оповещения",
        "Учебная тревога",
        "Сыноо билдирүүсү",
    ],
)
def test_a_test_message_is_level_1(title: str) -> None:
    level, reason = scoped_level(
        3, "CAP severity Severe", areas=[], countries=["US"], sender="x", language="en",
        titles=["Civil Emergency Message", title],
    )  # fmt: skip
    assert level == 1
    assert "test" in reason


@pytest.mark.parametrize(
    "title",
    ["North Korea missile test over the sea", "Испытание ракеты: укрыться", "Ракета сыноосу"],
)
def test_an_alert_about_a_weapons_test_is_not_a_test_message(title: str) -> None:
    level, _ = scoped_level(
        4, "CAP severity Extreme", areas=[], countries=["JP"], sender="x", language="en",
        titles=[title],
    )  # fmt: skip
    assert level == 4


@pytest.mark.parametrize(
    ("area", "language", "country"),
    [
        (
            "185 miles (298 km) NNE of Neiafu, Tonga; 186 miles (299 km) SSW of Apia, Samoa; "
            "211 miles (340 km) SW of Pago Pago, American Samoa",
            "en-US",
            "TO",
        ),
        (
            "120 км к северо-западу от Оша, Кыргызстан; 200 км к востоку от Ташкента, Узбекистан",
            "ru",
            "KG",
        ),
        (
            "Оштон 120 км түндүк-батышта, Кыргызстан; Ташкенттен 200 км чыгышта, Өзбекстан",
            "ky",
            "KG",
        ),
    ],
)
def test_an_epicentre_placed_by_distances_is_in_the_nearest_towns_country(
    area: str, language: str, country: str
) -> None:
    advisory = _parse(f"<area><areaDesc>{area}</areaDesc></area>", language=language)
    assert advisory.countries == [country]

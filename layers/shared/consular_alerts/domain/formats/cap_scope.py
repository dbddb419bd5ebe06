"""How far a CAP alert reaches, and the level that follows: an alert about part of a country
(a county, a zone, a polygon) never raises the whole country above level 3, unless the
ministry itself sent it. The reason is written to the record's `level_reason`. Pure.

An area is part of a country when it has a shape (polygon, circle), a geocode finer than a
country (SAME, FIPS, UGC, CAP-CP locations, ISO 3166-2, EMMA_ID and NUTS regions), or a
name that is more than a country's name ("Harris County", "Алматинская область"). An area
named only by a country ("Philippines", "Казахстан") or by an ISO 3166-1 / NUTS 0 code is
the whole country. An alert without areas is about part of a country when a local
authority sent it (a county, a city, a state police: <source> and <senderName>); else
its level stands.

A test or administrative message ("Required Monthly Test", "ADR Test Message") is level 1
whatever its severity: it asks nothing of citizens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pycountry

from consular_alerts.domain.formats.cap_areas import AreaDraft
from consular_alerts.domain.formats.senders import is_ministry_sender
from consular_alerts.domain.language.country_names import country_name
from consular_alerts.domain.language.places import rank_countries
from consular_alerts.domain.language.wording import cut

#: The highest level an alert about part of a country gives the whole country.
PART_OF_COUNTRY_MAX_LEVEL = 3
_BARE_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_NAME_CHARACTERS = re.compile(r"[\W_]+")
# Area names that say the whole country without naming it.
_NATIONWIDE = frozenset(
    {
        "nationwide", "whole country", "entire country", "all of the country", "national",
        "вся страна", "по всей стране", "вся территория страны", "бүт өлкө", "бүткүл өлкө",
        "өлкө боюнча",
    }
)  # fmt: skip


# A sender below the national government (the authority's own name says so).
_LOCAL_AUTHORITY = re.compile(
    r"\b(?:county|counties|city|town|township|borough|parish|municipal\w*|police|sheriff|"
    r"fire\s+department|governor|district|prefecture|province|"
    r"округ\w*|област\w*|облус\w*|район\w*|город\w*|шаар\w*|муниципал\w*|полици\w*|"
    r"милици\w*|акимиат\w*|мэри\w*)\b",
    re.IGNORECASE,
)
# Event names and headlines of messages that only test the channel (CAP events of EAS,
# IPAWS and national systems, in en, ru, ky).
_TEST_MESSAGE = re.compile(
    r"^\s*(?:test|тест|сыноо)\s*$|\b(?:required\s+(?:monthly|weekly)\s+test|"
    r"(?:test|demonstration|practice)\s+(?:message|alert)|this\s+is\s+(?:only\s+)?a\s+test|"
    r"administrative\s+message|тестов\w*\s+(?:сообщени\w*|оповещени\w*|сигнал\w*)|"
    r"учебн\w*\s+(?:тревог\w*|оповещени\w*)|проверк\w*\s+систем\w*\s+оповещени\w*|"
    r"(?:сыноо|текшерүү)\s+билдирүү\w*)\b",
    re.IGNORECASE,
)


def _key(name: str) -> str:
    return _NAME_CHARACTERS.sub(" ", name).strip().casefold().removeprefix("the ")


def _is_country_name(name: str, language: str) -> bool:
    """True when `name` is a country's name and nothing more."""
    key = _key(name)
    if not key:
        return False
    if key in _NATIONWIDE:
        return True
    try:
        pycountry.countries.lookup(name.strip())
        return True
    except LookupError:
        pass
    found = rank_countries(name, language)
    if len(found) != 1:
        return False
    code = found[0]
    names = {_key(country_name(code, lang)) for lang in ("en", "ru", "ky")}
    return key in names


def _is_whole_country(area: AreaDraft, language: str) -> bool:
    if area.polygons or area.circles:
        return False
    if area.geocodes:
        values = [v.strip().upper() for vs in area.geocodes.values() for v in vs]
        return any(_BARE_COUNTRY_CODE.match(v) for v in values)
    return _is_country_name(area.name, language)


def part_of_country(areas: Sequence[AreaDraft], language: str) -> bool:
    """True when the alert has areas and none of them is a whole country."""
    return bool(areas) and not any(_is_whole_country(a, language) for a in areas)


def _area_names(areas: Sequence[AreaDraft]) -> str:
    names = list(dict.fromkeys(a.name for a in areas))
    shown = cut("; ".join(names[:2]), 80)
    return shown + (f" and {len(names) - 2} more" if len(names) > 2 else "")


def scoped_level(
    level: int,
    why: str,
    *,
    areas: Sequence[AreaDraft],
    countries: Sequence[str],
    sender: str,
    language: str,
    authority: str = "",
    titles: Sequence[str] = (),
) -> tuple[int, str]:
    """(level, reason): `level` as the infos ask (`why` says how), 1 for a test message,
    capped for part of a country unless the ministry sent it. `authority`: the sender's
    own names (<source>, <senderName>); `titles`: the events and headlines."""
    if any(_TEST_MESSAGE.search(title) for title in titles):
        return 1, f"{why}, but a test or administrative message: level 1"
    primary = language.split("-")[0].lower()
    local = not areas and bool(_LOCAL_AUTHORITY.search(authority))
    if not local and not part_of_country(areas, primary if primary in ("ru", "ky") else "en"):
        return level, f"{why}: level {level}"
    where = (
        f"part of {'/'.join(countries)} ({_area_names(areas)})"
        if areas
        else f"part of {'/'.join(countries)} (sent by {cut(authority, 60)})"
    )
    if is_ministry_sender(sender):
        return level, f"{why} for {where}, sent by the ministry: level {level}"
    if level > PART_OF_COUNTRY_MAX_LEVEL:
        return (
            PART_OF_COUNTRY_MAX_LEVEL,
            f"{why} for {where}: capped at level {PART_OF_COUNTRY_MAX_LEVEL}",
        )
    return level, f"{why} for {where}: level {level}"

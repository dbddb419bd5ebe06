"""CAP <area> -> AreaDraft: the area's name, polygons and circles (coordinates checked,
rings closed) and geocodes, with the country and ISO 3166-2 subdivision each geocode tells
(SAME, FIPS6 and UGC: the US and its territories; CAP-CP and EC CLC: Canada; ISO 3166
codes; EMMA_ID / NUTS; Taiwan geocodes ...). Pure."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element

import pycountry

from consular_alerts.domain.formats.cap_elements import (
    cap_children,
    child_text,
    element_text,
    named,
    ordered_unique,
)
from consular_alerts.domain.formats.senders import country_from_domain
from consular_alerts.domain.formats.xml import split_tag
from consular_alerts.domain.language.html import clean_text
from consular_alerts.domain.language.wording import cut
from consular_alerts.errors import NormalizationError
from consular_alerts.models.base import is_country_code

# US territories: their own ISO 3166-1 codes (SAME/FIPS state code, UGC prefix).
_US_TERRITORY_FIPS = {"72": "PR", "66": "GU", "78": "VI", "60": "AS", "69": "MP"}
_US_TERRITORY_UGC = frozenset({"PR", "GU", "VI", "AS", "MP"})
_NATIONAL_GEOCODES: tuple[tuple[str, str], ...] = (
    ("profile:cap-cp", "CA"),
    ("layer:ec-msc-smc", "CA"),
    ("taiwan_geocode", "TW"),
    ("profile:cap-au", "AU"),
)
_ISO_VALUE = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")
_EU_CODES = {"UK": "GB", "EL": "GR"}  # Eurostat/Meteoalarm prefixes that are not ISO


def _geocode_country(value_name: str, value: str) -> tuple[str | None, str | None]:
    """(country, ISO 3166-2 subdivision) a geocode tells, each None when unknown."""
    name = value_name.strip().lower()
    code = value.strip().upper()
    if not code:
        return None, None
    if name in ("same", "fips6", "fips", "fips6-4", "fips-6"):
        state = code[-5:-3] if len(code) >= 5 else ""
        return _US_TERRITORY_FIPS.get(state, "US"), None
    if name in ("ugc", "nws-ugc"):
        return (code[:2] if code[:2] in _US_TERRITORY_UGC else "US"), None
    if "iso" in name and _ISO_VALUE.match(code):
        country = code[:2] if is_country_code(code[:2]) else None
        subdivision = None
        if country and "-" in code and _is_subdivision(code):
            subdivision = code
        return country, subdivision
    if name == "emma_id" or name.startswith("nuts"):
        prefix = _EU_CODES.get(code[:2], code[:2])
        return (prefix if is_country_code(prefix) else None), None
    for prefix, country in _NATIONAL_GEOCODES:
        if name.startswith(prefix):
            return country, None
    if "://" in name:
        return country_from_domain(name), None
    return None, None


@lru_cache(maxsize=1024)
def _is_subdivision(code: str) -> bool:  # pycountry scans its list: cached
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]


@dataclass
class AreaDraft:
    """An <area> as read, before it becomes the advisory's Area (`record()`)."""

    name: str
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    circles: list[tuple[float, float, float]] = field(default_factory=list)
    geocodes: dict[str, list[str]] = field(default_factory=dict)
    iso_3166_2: str | None = None
    countries: list[str] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        if self.polygons or self.circles:
            return ("shape", tuple(map(tuple, self.polygons)), tuple(self.circles))
        if self.geocodes:
            return ("codes", tuple((k, tuple(v)) for k, v in sorted(self.geocodes.items())))
        return ("name", self.name)

    def merge(self, other: AreaDraft) -> None:
        for name, values in other.geocodes.items():
            kept = self.geocodes.setdefault(name, [])
            kept.extend(v for v in values if v not in kept)
        self.iso_3166_2 = self.iso_3166_2 or other.iso_3166_2
        self.countries = ordered_unique([*self.countries, *other.countries])

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.iso_3166_2:
            out["iso_3166_2"] = self.iso_3166_2
        if self.polygons:
            out["polygons"] = self.polygons
        if self.circles:
            out["circles"] = self.circles
        if self.geocodes:
            out["geocodes"] = self.geocodes
        return out


def _coordinate(text: str, where: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise NormalizationError(f"CAP: {where}: {text!r} is not a number") from None
    if not low <= value <= high:  # also rejects NaN
        raise NormalizationError(f"CAP: {where}: {value} is outside {low}..{high}")
    return value


def _point(pair: str, where: str) -> tuple[float, float]:
    parts = pair.split(",")
    if len(parts) != 2:
        raise NormalizationError(f"CAP: {where}: {cut(pair, 40)!r} is not a 'lat,lon' pair")
    return (
        _coordinate(parts[0], where, -90.0, 90.0),
        _coordinate(parts[1], where, -180.0, 180.0),
    )


# Pairs separated by whitespace ("1,2 3,4"); "1,23,4" must not pass as "1,2" + "3,4".
_RING_TEXT = re.compile(r"\s*[^\s,]+,[^\s,]+(?:\s+[^\s,]+,[^\s,]+)*\s*")


def _fast_ring(text: str) -> list[tuple[float, float]] | None:
    """The ring when every pair is well-formed and in range (C-speed path), else None."""
    if not _RING_TEXT.fullmatch(text):
        return None
    try:
        numbers = list(map(float, text.replace(",", " ").split()))
        if not math.isfinite(math.fsum(numbers)):
            return None
    except (ValueError, OverflowError):
        return None
    if not numbers or len(numbers) % 2:  # the regex and str.split() see whitespace apart
        return None
    lats, lons = numbers[0::2], numbers[1::2]
    if min(lats) < -90 or max(lats) > 90 or min(lons) < -180 or max(lons) > 180:
        return None
    return list(zip(lats, lons, strict=True))


def _polygon(text: str, where: str, warnings: list[str]) -> list[tuple[float, float]]:
    pairs = text.split()
    if not pairs:
        raise NormalizationError(f"CAP: {where} is empty")
    ring = _fast_ring(text)
    if ring is None:  # something is wrong: find the pair and say which
        ring = [_point(pair, where) for pair in pairs]
    distinct = len(set(ring))
    if distinct < 3:
        raise NormalizationError(
            f"CAP: {where} has {distinct} distinct points; a polygon needs at least 3"
        )
    if ring[0] != ring[-1]:
        ring.append(ring[0])
        warnings.append(f"CAP: {where} was not closed; closed it")
    return ring


def _circle(text: str, where: str) -> tuple[float, float, float]:
    parts = text.split()
    if len(parts) != 2:
        raise NormalizationError(f"CAP: {where}: {cut(text, 40)!r} is not 'lat,lon radius'")
    lat, lon = _point(parts[0], where)
    radius = _coordinate(parts[1], where, 0.0, 40_075.0)
    return lat, lon, radius


def parse_cap_area(area: Element, where: str, warnings: list[str]) -> AreaDraft:
    """One <area> (CAP elements, any CAP namespace). Bad coordinates raise
    NormalizationError naming the element."""
    kids = cap_children(area)
    name = clean_text(child_text(kids, "areaDesc") or "")
    draft = AreaDraft(name=name)
    for index, polygon in enumerate(named(kids, "polygon"), start=1):
        text = element_text(polygon)
        if not text:  # NWS alerts often carry <polygon></polygon>: no shape, not an error
            warnings.append(f"CAP: {where}/polygon[{index}] is empty; ignored")
            continue
        draft.polygons.append(_polygon(text, f"{where}/polygon[{index}]", warnings))
    for index, circle in enumerate(named(kids, "circle"), start=1):
        text = element_text(circle)
        if not text:
            warnings.append(f"CAP: {where}/circle[{index}] is empty; ignored")
            continue
        draft.circles.append(_circle(text, f"{where}/circle[{index}]"))
    countries: list[str | None] = []
    for geocode in named(kids, "geocode"):
        value_name = value = ""
        for part in geocode:  # <valueName> and <value>; read directly: there are many
            local = split_tag(part.tag)[1]
            if local == "valueName" and not value_name:
                value_name = element_text(part)
            elif local == "value" and not value:
                value = element_text(part)
        if not value_name or not value:
            continue
        values = draft.geocodes.setdefault(value_name, [])
        if value not in values:
            values.append(value)
        country, subdivision = _geocode_country(value_name, value)
        countries.append(country)
        draft.iso_3166_2 = draft.iso_3166_2 or subdivision
    draft.countries = ordered_unique(countries)
    if not draft.name:
        draft.name = draft.iso_3166_2 or next(iter(draft.geocodes.values()), [""])[0] or "area"
        warnings.append(f"CAP: {where} has no <areaDesc>; named it {draft.name!r}")
    return draft

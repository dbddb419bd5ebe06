"""One CAP <info> -> Info: its language, texts, vocabulary values, times and areas, and the
advisory level it asks for. Pure.

Its level (1 take normal precautions ... 4 leave / do not travel), from the severity:

=========  =====
severity   level
=========  =====
Extreme    4
Severe     3
Moderate   2
Minor      1
Unknown    2
=========  =====

then one lower (never below 1) when the urgency is Past or the certainty Unlikely (the
hazard is over or improbable), and 1 when a responseType is AllClear. The level is not
raised for Immediate/Observed: level 4 asks citizens to leave a country, which only an
Extreme hazard justifies. An alert takes the highest level of its infos (cap.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element

from consular_alerts.domain.formats.cap_areas import AreaDraft, parse_cap_area
from consular_alerts.domain.formats.cap_elements import (
    Problems,
    cap_children,
    child_text,
    element_text,
    field_text,
    named,
    ordered_unique,
    parse_time,
    vocabulary_value,
)
from consular_alerts.domain.language.html import clean_text
from consular_alerts.domain.language.sentences import first_sentences
from consular_alerts.domain.language.tags import normalize_language_tag
from consular_alerts.domain.language.wording import cut
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import HEADLINE_MAX

SEVERITY_LEVELS: dict[str, int] = {
    "Extreme": 4,
    "Severe": 3,
    "Moderate": 2,
    "Minor": 1,
    "Unknown": 2,
}
_URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
_CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


@dataclass
class Info:
    """What one <info> says, read and checked."""

    language: str
    headline: str
    summary: str
    body: str
    instruction: str
    web: str
    event: str
    categories: list[str]
    severity: str
    urgency: str
    certainty: str
    response_types: list[str]
    effective: datetime | None
    onset: datetime | None
    expires: datetime | None
    areas: list[AreaDraft]
    contact: str = ""  # hotlines: domain/formats/cap_contact.py

    @property
    def level(self) -> int:
        return cap_level(self.severity, self.urgency, self.certainty, self.response_types)

    @property
    def level_basis(self) -> str:
        return cap_level_basis(self.severity, self.urgency, self.certainty, self.response_types)


def cap_level(
    severity: str, urgency: str = "", certainty: str = "", response_types: Sequence[str] = ()
) -> int:
    """The advisory level (1-4) of a CAP info: the table in this module's docstring."""
    if "AllClear" in response_types:
        return 1
    level = SEVERITY_LEVELS.get(severity, 2)
    if urgency == "Past" or certainty == "Unlikely":
        level = max(1, level - 1)
    return level


def cap_level_basis(
    severity: str, urgency: str = "", certainty: str = "", response_types: Sequence[str] = ()
) -> str:
    """Why `cap_level` gives what it gives, in words for the record's `level_reason`."""
    if "AllClear" in response_types:
        return "CAP responseType AllClear"
    basis = f"CAP severity {severity or 'Unknown'}"
    if urgency == "Past":
        basis += ", urgency Past (one lower)"
    elif certainty == "Unlikely":
        basis += ", certainty Unlikely (one lower)"
    return basis


def parse_info(info: Element, index: int, problems: Problems, warnings: list[str]) -> Info:
    where = f"info[{index}]"
    kids = cap_children(info)
    raw_language = child_text(kids, "language")
    language = "en-US"
    if raw_language:
        normalized = normalize_language_tag(raw_language)
        if normalized is None:
            warnings.append(
                f"CAP: {where}/language {raw_language!r} is not a language tag; read as en-US"
            )
        else:
            language = normalized

    def required(name: str, allowed: Sequence[str]) -> str:
        raw = child_text(kids, name)
        value = vocabulary_value(raw, allowed)
        if raw is None:
            problems.add(f"{where}/<{name}> is missing")
        elif not raw:
            problems.add(f"{where}/<{name}> is empty (expected one of {', '.join(allowed)})")
        elif value is None:
            problems.add(f"{where}/<{name}> {cut(raw, 30)!r} is not one of {', '.join(allowed)}")
        return value or "Unknown"

    urgency = required("urgency", _URGENCIES)
    severity = required("severity", tuple(SEVERITY_LEVELS))
    certainty = required("certainty", _CERTAINTIES)
    event = clean_text(child_text(kids, "event") or "")  # an event called "Unknown" is one
    if not event:
        problems.add(f"{where}/<event> is missing or empty")
    categories = ordered_unique(element_text(c) for c in named(kids, "category"))
    if not categories:
        warnings.append(f"CAP: {where} has no <category>")

    description = field_text(child_text(kids, "description"))
    headline = field_text(child_text(kids, "headline")) or event
    web = (child_text(kids, "web") or "").strip()
    if web and not web.lower().startswith(("http://", "https://")):
        warnings.append(f"CAP: {where}/<web> {cut(web, 60)!r} is not an http(s) link; dropped")
        web = ""
    areas: list[AreaDraft] = []
    for area_index, area in enumerate(named(kids, "area"), start=1):
        try:
            areas.append(parse_cap_area(area, f"{where}/area[{area_index}]", warnings))
        except NormalizationError as error:
            problems.add(str(error).removeprefix("CAP: "))
    return Info(
        language=language,
        headline=cut(headline, HEADLINE_MAX),
        summary=first_sentences(description),
        body=description,
        instruction=field_text(child_text(kids, "instruction")),
        web=web,
        event=event,
        categories=categories,
        severity=severity,
        urgency=urgency,
        certainty=certainty,
        response_types=[element_text(r) for r in named(kids, "responseType")],
        effective=parse_time(
            child_text(kids, "effective"), f"{where}/effective", problems, warnings
        ),
        onset=parse_time(child_text(kids, "onset"), f"{where}/onset", problems, warnings),
        expires=parse_time(child_text(kids, "expires"), f"{where}/expires", problems, warnings),
        areas=areas,
        contact=field_text(child_text(kids, "contact")),
    )

"""One advisory version -> a CAP 1.2 alert message, as aggregators ingest it. Pure: no I/O.

Decisions (README: "The ministry's alerts in CAP"):

* One CAP message per stored version: CAP wants every message unique by
  ``sender,identifier``, so the identifier is ``<advisory_id>.v<version>`` and the sender
  the site's host. A later version of an advisory is an ``Update`` of the version before it
  (the project's own notification policy reads it the same way); an advisory's
  ``references`` become CAP's ``sender,identifier,sent`` triples of the messages they
  name. Update and Cancel need something to replace: without any, the message is an Alert.
* The level (1 take normal precautions ... 4 leave / do not travel) becomes severity,
  urgency, certainty and response types (LEVELS); the project's CAP reader maps them back
  to the same level (``domain.formats.cap.cap_level``).
* One ``<info>`` per language, each with the same areas: one per country (its name in that
  language, geocode ``ISO3166-1``), then the advisory's own areas (``ISO3166-2`` where the
  subdivision is known, polygons and circles as they are). Geocodes of other systems are
  not written: they are other agencies' codes.
* ``<web>`` is the advisory page in that language; ``<contact>`` the hotlines, one a line
  (``domain.formats.cap_contact``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # writing only: reading is defusedxml's (formats/cap.py)
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from consular_alerts.domain.formats.cap_contact import contact_text
from consular_alerts.domain.language.country_names import country_name
from consular_alerts.models.advisory import Advisory, MsgType

CAP_1_2 = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_CONTENT_TYPE = "application/cap+xml"


@dataclass(frozen=True)
class CapLevel:
    severity: str
    urgency: str
    certainty: str
    response_types: tuple[str, ...]


#: The advisory level in CAP's terms (the table in the README).
LEVELS: Mapping[int, CapLevel] = {
    1: CapLevel("Minor", "Future", "Possible", ("Monitor",)),
    2: CapLevel("Moderate", "Future", "Likely", ("Monitor",)),
    3: CapLevel("Severe", "Future", "Observed", ("Avoid",)),
    4: CapLevel("Extreme", "Immediate", "Observed", ("Avoid", "Evacuate")),
}

_CATEGORIES = frozenset(
    {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
     "Infra", "CBRNE", "Other"}
)  # fmt: skip
# What a travel advisory is when the publisher did not say: CAP's "general emergency and
# public safety".
DEFAULT_CATEGORY = "Safety"
# <event> when the advisory names none: the site's own words for what these alerts are.
DEFAULT_EVENT = {
    "ky": "Чет өлкөдөгү жарандар үчүн эскертүү",
    "ru": "Предупреждение для граждан за рубежом",
    "en": "Advisory for citizens abroad",
}
MINISTRY_NAMES = {
    "ky": "Кыргыз Республикасынын Тышкы иштер министрлиги",
    "ru": "Министерство иностранных дел Кыргызской Республики",
    "en": "Ministry of Foreign Affairs of the Kyrgyz Republic",
}


@dataclass(frozen=True)
class CapAuthority:
    """Who the messages are from, and where their advisories are shown."""

    sender: str  # CAP <sender>: globally unique, here the site's host name
    site: str  # the site's base URL: <web> links to its advisory page
    names: Mapping[str, str] = field(default_factory=lambda: dict(MINISTRY_NAMES))

    def name(self, language: str) -> str:
        primary = language.split("-")[0].lower()
        return self.names.get(primary) or self.names.get("en") or self.sender

    def page_url(self, advisory_id: str, language: str = "") -> str:
        path = quote(advisory_id, safe="/:._-")
        query = f"?{urlencode({'l': language.split('-')[0].lower()})}" if language else ""
        return f"{self.site.rstrip('/')}/a/{path}{query}"


@dataclass(frozen=True)
class CapReference:
    """A CAP message another one names: CAP's "sender,identifier,sent"."""

    sender: str
    identifier: str
    sent: datetime

    def triple(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


def cap_identifier(advisory_id: str, version: int) -> str:
    """The CAP identifier of one version: unique per message, stable across rewrites."""
    return f"{advisory_id}.v{version}"


def cap_time(value: datetime) -> str:
    """CAP's date-time: seconds, an explicit offset, never "Z" (UTC as +00:00)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def cap_msg_type(
    advisory: Advisory, references: Sequence[CapReference], *, replaces_earlier_version: bool
) -> MsgType:
    """Alert, Update or Cancel. Update and Cancel need messages to replace (`references`);
    a later version of an advisory is an Update of the one before it."""
    if not references:
        return MsgType.ALERT
    if advisory.msg_type is MsgType.CANCEL:
        return MsgType.CANCEL
    if advisory.msg_type is MsgType.UPDATE or replaces_earlier_version:
        return MsgType.UPDATE
    return MsgType.ALERT


def _categories(advisory: Advisory) -> list[str]:
    given = [c.strip() for c in advisory.category.split(",")]
    known = list(dict.fromkeys(c for c in given if c in _CATEGORIES))
    return known or [DEFAULT_CATEGORY]


def _event(advisory: Advisory, language: str) -> str:
    if advisory.event:
        return advisory.event
    primary = language.split("-")[0].lower()
    return DEFAULT_EVENT.get(primary, DEFAULT_EVENT["en"])


def _add(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, f"{{{CAP_1_2}}}{name}")
    if text is not None:
        child.text = text
    return child


def _point(latitude: float, longitude: float) -> str:
    return f"{latitude!r},{longitude!r}"


def _areas(info: ET.Element, advisory: Advisory, language: str) -> None:
    primary = language.split("-")[0].lower()
    for code in advisory.countries:
        area = _add(info, "area")
        _add(area, "areaDesc", country_name(code, primary))
        geocode = _add(area, "geocode")
        _add(geocode, "valueName", "ISO3166-1")
        _add(geocode, "value", code)
    for place in advisory.areas:
        area = _add(info, "area")
        _add(area, "areaDesc", place.name)
        for ring in place.polygons or []:
            _add(area, "polygon", " ".join(_point(lat, lon) for lat, lon in ring))
        for lat, lon, radius in place.circles or []:
            _add(area, "circle", f"{_point(lat, lon)} {radius!r}")
        # A subdivision of a country the advisory is not about would add that country.
        if place.iso_3166_2 and place.iso_3166_2[:2] in advisory.countries:
            geocode = _add(area, "geocode")
            _add(geocode, "valueName", "ISO3166-2")
            _add(geocode, "value", place.iso_3166_2)


def write_cap(
    advisory: Advisory,
    *,
    authority: CapAuthority,
    msg_type: MsgType,
    references: Sequence[CapReference] = (),
    expires: datetime | None = None,
) -> bytes:
    """The CAP 1.2 document (UTF-8) of one advisory version. `msg_type` from
    `cap_msg_type`; `expires` overrides the advisory's own (a cancel's end in the feeds)."""
    level = LEVELS[advisory.level]
    alert = ET.Element(f"{{{CAP_1_2}}}alert")
    _add(alert, "identifier", cap_identifier(advisory.advisory_id, advisory.version))
    _add(alert, "sender", authority.sender)
    _add(alert, "sent", cap_time(advisory.sent))
    _add(alert, "status", advisory.status.value.capitalize())
    _add(alert, "msgType", msg_type.value.capitalize())
    _add(alert, "scope", "Public")
    if references:
        _add(alert, "references", " ".join(r.triple() for r in references))
    until = expires or advisory.expires
    contact = contact_text(list(advisory.hotlines))
    for language, text in advisory.content.items():
        info = _add(alert, "info")
        _add(info, "language", language)
        for category in _categories(advisory):
            _add(info, "category", category)
        _add(info, "event", _event(advisory, language))
        for response in level.response_types:
            _add(info, "responseType", response)
        _add(info, "urgency", level.urgency)
        _add(info, "severity", level.severity)
        _add(info, "certainty", level.certainty)
        for name, moment in (("effective", advisory.effective), ("onset", advisory.onset)):
            if moment is not None:
                _add(info, name, cap_time(moment))
        if until is not None:
            _add(info, "expires", cap_time(until))
        _add(info, "senderName", authority.name(language))
        _add(info, "headline", text.headline)
        description = text.body or text.summary
        if description:
            _add(info, "description", description)
        if text.instruction:
            _add(info, "instruction", text.instruction)
        _add(info, "web", authority.page_url(advisory.advisory_id, language))
        if contact:
            _add(info, "contact", contact)
        _areas(info, advisory, language)
    ET.indent(alert)
    document: bytes = ET.tostring(
        alert, encoding="utf-8", xml_declaration=True, default_namespace=CAP_1_2
    )
    return document

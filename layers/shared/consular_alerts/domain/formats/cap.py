"""CAP 1.0 / 1.1 / 1.2 alert messages -> the normalized `Advisory`: the <alert> with its
identity, references, infos merged by language, countries and scope. Pure: no I/O.

The XML is read by formats/xml.py (hardened: no DTDs, entities or external references;
size limit; encoding repaired), each <info> by cap_info.py (which also holds the level
table), each <area> by cap_areas.py. Defects worked around are reported in `warnings`,
never silently.

Mapping decisions:

* identity: ``advisory_id = advisory_id_for(source, "<sender>,<identifier>")`` and each
  ``<references>`` entry ("sender,identifier,sent") maps to the advisory id of the alert it
  names, so an Update or Cancel points at the advisory it replaces.
* every ``<info>`` is one language of ``content`` (default "en-US"; tags normalized,
  "zh-tw" -> "zh-TW"); two infos in the same language are merged (the second one's text is
  appended to the body).
* level: the highest any info asks for (cap_info.py); ``native_level`` keeps
  "Severity/Urgency/Certainty" of that info. An alert about part of a country gives it at
  most level 3 unless the ministry sent it (cap_scope.py); ``level_reason`` says why the
  level is what it is.
* countries, from the first of these that names any (most specific evidence first):
  1. geocodes of national systems (cap_areas.py: SAME, FIPS6, UGC -> US and its
     territories; CAP-CP and EC CLC -> CA; ISO 3166 codes; EMMA_ID / NUTS; Taiwan ...);
  2. country names in ``<areaDesc>`` (an earthquake USGS reports in El Salvador is about
     El Salvador, not the United States);
  3. the sender's domain (senders.py: ccTLD, .gov/.mil, known agencies), a WMO alert OID,
     national CAP profiles in ``<code>`` (IPAWS, CAP-CP, CAP-AU), the domain of an info's
     ``<web>`` link: the first of these that tells, one country;
  4. the region of an info language other than the CAP default en-US;
  5. the region of an en-US info;
  6. ``default_countries``.
* scope must be Public: Restricted and Private alerts are not for the public.
* a Cancel without ``<info>`` is headed by its ``<note>``, else by the time of the alert
  it cancels ("the alert sent 2024-05-01 16:00 UTC"), never by a raw identifier.
* hotlines: the numbers in international form in the infos' ``<contact>``,
  ``<instruction>`` and ``<description>`` (domain/formats/cap_contact.py, which also writes
  them); a national number is left out (its country is a guess).
* an empty ``<polygon>`` or ``<circle>`` is ignored with a warning (cap_areas.py); a text
  field holding only a placeholder ("Unknown", "N/A": language/placeholder_words.toml) is
  empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from consular_alerts.domain.formats.cap_areas import AreaDraft
from consular_alerts.domain.formats.cap_contact import hotlines_from_contact
from consular_alerts.domain.formats.cap_elements import (
    Problems,
    cap_children,
    child_text,
    element_text,
    field_text,
    find_cap_alert,
    is_cap_alert,
    named,
    ordered_unique,
    parse_time,
    vocabulary_value,
)
from consular_alerts.domain.formats.cap_info import Info, parse_info
from consular_alerts.domain.formats.cap_scope import scoped_level
from consular_alerts.domain.formats.senders import (
    country_from_domain,
    country_from_oid,
    is_ministry_sender,
)
from consular_alerts.domain.formats.xml import load_xml, split_tag
from consular_alerts.domain.identity import advisory_id_for
from consular_alerts.domain.language.places import rank_countries
from consular_alerts.domain.language.sentences import first_sentences
from consular_alerts.domain.language.tags import language_region
from consular_alerts.domain.language.wording import cut
from consular_alerts.domain.normalize import describe_validation_error, sealed
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory, Hotline

_SEVERITY_RANK = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1, "Unknown": 0}
_STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
_MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
_SCOPES = ("Public", "Restricted", "Private")

_PROFILE_CODES: tuple[tuple[str, str], ...] = (
    ("ipaws", "US"),
    ("cap-cp", "CA"),
    ("cap-au", "AU"),
    ("cap-nz", "NZ"),
)


def _merge_content(infos: Sequence[Info]) -> dict[str, dict[str, str]]:
    content: dict[str, dict[str, str]] = {}
    for info in infos:
        entry = content.get(info.language)
        if entry is None:
            content[info.language] = {
                "headline": info.headline,
                "summary": info.summary,
                "body": info.body,
                "instruction": info.instruction,
                "web": info.web,
            }
            continue
        # Same language twice: keep both texts (the second appended), never drop one.
        if info.body and info.body not in entry["body"]:
            heading = "" if info.headline == entry["headline"] else info.headline + "\n"
            entry["body"] = (entry["body"] + "\n\n" + heading + info.body).strip()
        if info.instruction and info.instruction not in entry["instruction"]:
            entry["instruction"] = (entry["instruction"] + "\n" + info.instruction).strip()
        entry["summary"] = entry["summary"] or info.summary
        entry["web"] = entry["web"] or info.web
    return content


def _merge_areas(infos: Sequence[Info]) -> list[AreaDraft]:
    """Areas of all infos; the same area repeated in another language is kept once."""
    merged: dict[tuple[Any, ...], AreaDraft] = {}
    for info in infos:
        for area in info.areas:
            kept = merged.get(area.key())
            if kept is None:
                merged[area.key()] = area
            else:
                kept.merge(area)
    return list(merged.values())


# "185 miles (298 km) NNE of Neiafu, Tonga; 186 miles SSW of Apia, Samoa": an epicentre
# placed by its distance from several towns is in the first (nearest) one's country.
_DISTANCE = re.compile(
    r"\d+\s*(?:miles|mi|km|kilomet(?:er|re)s|км|миль|чакырым)(?![^\W\d_])", re.IGNORECASE
)


def _nearest_reference(area_name: str) -> str:
    references = area_name.split(";")
    if len(references) > 1 and all(_DISTANCE.search(r) for r in references):
        return references[0]
    return area_name


def _countries(
    *,
    areas: Sequence[AreaDraft],
    infos: Sequence[Info],
    sender: str,
    identifier: str,
    codes: Sequence[str],
    default_countries: Sequence[str] | None,
) -> list[str]:
    from_geocodes = ordered_unique(c for area in areas for c in area.countries)
    if from_geocodes:
        return from_geocodes
    descriptions = "\n".join(dict.fromkeys(_nearest_reference(area.name) for area in areas))
    if descriptions:
        primary = infos[0].language.split("-")[0] if infos else "en"
        found = rank_countries(descriptions, primary if primary in ("ru", "ky") else "en")
        if found:
            return found
    # Who sent it and where it links: PAGASA's typhoon alert is in en-US but comes from
    # pagasa.dost.gov.ph, so the domains speak before the language's region does.
    told_by_sender = ordered_unique(
        [
            # The ministry's own domain names the issuer, never a destination.
            None if is_ministry_sender(sender) else country_from_domain(sender),
            country_from_oid(identifier),
            country_from_oid(sender),
            *(country for code in codes for p, country in _PROFILE_CODES if p in code.lower()),
            *(country_from_domain(info.web) for info in infos if info.web),
        ]
    )
    if told_by_sender:
        return told_by_sender[:1]
    languages = [info.language for info in infos]
    strong = ordered_unique(language_region(t) for t in languages if t != "en-US")
    if strong:
        return strong
    weak = ordered_unique(language_region(t) for t in languages if t == "en-US")
    if weak:
        return weak
    return list(default_countries or [])


def _cancelled_alert(references: str | None) -> str:
    """What a Cancel without <info> or <note> cancels, in words a citizen can read: the
    alert by the time it was sent (its identifier means nothing to a reader)."""
    for entry in (references or "").split():
        parts = entry.split(",")
        if len(parts) == 3:
            try:
                sent = datetime.fromisoformat(parts[2].replace("Z", "+00:00"))
            except ValueError:
                continue
            if sent.tzinfo is not None:
                return f"the alert sent {sent.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return "an earlier alert"


def _hotlines(infos: Sequence[Info]) -> list[Hotline]:
    """Numbers in international form in each info's <contact>, then <instruction>, then
    <description> ("Консульство: +7 (777) 037-14-48" in an instruction is a hotline)."""
    texts = [text for i in infos for text in (i.contact, i.instruction, i.body) if text]
    return hotlines_from_contact("\n".join(texts))


# --- The alert ------------------------------------------------------------------------------


def _references(
    raw: str | None, msg_type: str, source: str, problems: Problems, warnings: list[str]
) -> list[str]:
    entries = (raw or "").split()
    if not entries:
        if msg_type in ("Update", "Cancel"):
            said = "is missing" if raw is None else "is empty"
            problems.add(
                f"msgType {msg_type} needs <references> naming the alert(s) it replaces; "
                f"<references> {said}"
            )
        elif raw is not None:
            warnings.append("CAP: <references> is empty on an Alert; ignored")
            problems.minor.append("<references> is empty")
        return []
    ids = []
    for entry in entries:
        parts = entry.split(",")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            problems.add(f"<references> entry {cut(entry, 60)!r} is not 'sender,identifier,sent'")
            continue
        ids.append(advisory_id_for(source, f"{parts[0]},{parts[1]}"))
    return list(dict.fromkeys(ids))


def cap_from_element(
    alert: Element,
    *,
    received_at: datetime,
    source: str = "cap",
    default_countries: Sequence[str] | None = None,
    warnings: list[str] | None = None,
) -> Advisory:
    """A parsed CAP <alert> element -> Advisory (version 1, hash set).

    Raises NormalizationError naming what is wrong: missing required elements, values
    outside CAP's vocabulary, bad coordinates, Ack/Error messages, non-public scope, an
    Update or Cancel without references, no country that can be told.
    """
    notes: list[str] = warnings if warnings is not None else []
    if not is_cap_alert(alert):
        namespace, local = split_tag(alert.tag)
        raise NormalizationError(
            f"CAP: the root element is <{local}>"
            + (f" in {namespace}" if namespace else "")
            + ", not a CAP <alert>"
        )
    kids = cap_children(alert)
    identifier = field_text(child_text(kids, "identifier"))
    problems = Problems(repr(cut(identifier, 80)) if identifier else "(no identifier)")
    values: dict[str, str] = {}
    for name in ("identifier", "sender", "sent", "status", "msgType", "scope"):
        value = child_text(kids, name)
        if value is None:
            problems.add(f"required <{name}> is missing")
        elif not value:
            problems.add(f"required <{name}> is empty")
        values[name] = value or ""
    status = vocabulary_value(values["status"], _STATUSES) if values["status"] else None
    if values["status"] and status is None:
        problems.add(f"<status> {cut(values['status'], 30)!r} is not one of {', '.join(_STATUSES)}")
    msg_type = vocabulary_value(values["msgType"], _MSG_TYPES) if values["msgType"] else None
    if values["msgType"] and msg_type is None:
        problems.add(
            f"<msgType> {cut(values['msgType'], 30)!r} is not one of {', '.join(_MSG_TYPES)}"
        )
    if msg_type in ("Ack", "Error"):
        raise NormalizationError(
            f"CAP: msgType {msg_type} is not an advisory (acknowledgements and error "
            "messages are not forwarded to citizens)"
        )
    scope = vocabulary_value(values["scope"], _SCOPES) if values["scope"] else None
    if values["scope"] and scope is None:
        problems.add(f"<scope> {cut(values['scope'], 30)!r} is not one of {', '.join(_SCOPES)}")

    sent = parse_time(values["sent"] or None, "sent", problems, notes)
    references = _references(
        child_text(kids, "references"), msg_type or "", source, problems, notes
    )
    infos = [
        parse_info(info, index, problems, notes)
        for index, info in enumerate(named(kids, "info"), start=1)
    ]
    problems.raise_if_any()
    if scope in ("Restricted", "Private"):
        raise NormalizationError(
            f"CAP: scope {scope}: the alert is not public; only Public alerts reach citizens"
        )
    assert sent is not None
    assert status is not None
    assert msg_type is not None
    sender = values["sender"]
    note = field_text(child_text(kids, "note"))
    codes = [element_text(c) for c in named(kids, "code")]

    if infos:
        content = _merge_content(infos)
        chosen = max(
            infos, key=lambda i: (i.level, _SEVERITY_RANK.get(i.severity, 0))
        )  # first on ties
        level, level_basis = chosen.level, chosen.level_basis
        severity, urgency, certainty = chosen.severity, chosen.urgency, chosen.certainty
        event, category = chosen.event, ", ".join(chosen.categories)
    elif msg_type == "Cancel":
        # A Cancel may carry no <info>: say what was cancelled, in English.
        headline = first_sentences(note, 120, most=1) if note else ""
        content = {
            "en": {
                "headline": headline or _cancelled_alert(child_text(kids, "references")),
                "summary": first_sentences(note) if note else "",
                "body": note,
                "instruction": "",
                "web": "",
            }
        }
        level, severity, urgency, certainty, event, category = 1, "", "", "", "", ""
        level_basis = "CAP Cancel without <info>"
    else:
        raise NormalizationError(
            f"CAP: {msg_type} {identifier!r} has no <info>: nothing to tell citizens "
            "(only a Cancel may omit <info>)"
        )

    areas = _merge_areas(infos)
    countries = _countries(
        areas=areas,
        infos=infos,
        sender=sender,
        identifier=identifier,
        codes=codes,
        default_countries=default_countries,
    )
    if not countries:
        raise NormalizationError(
            f"CAP: cannot tell which country the alert {cut(identifier, 80)!r} is about; "
            "give countries"
        )

    authority = " ".join(
        field_text(text)
        for text in (
            child_text(kids, "source"),
            *(child_text(cap_children(info), "senderName") for info in named(kids, "info")),
        )
        if text
    )
    level, level_reason = scoped_level(
        level,
        level_basis,
        areas=areas,
        countries=countries,
        sender=sender,
        language=infos[0].language if infos else "en",
        authority=authority,
        titles=[text for info in infos for text in (info.event, info.headline)],
    )

    def first(values: Iterable[datetime | None]) -> datetime | None:
        present = [v for v in values if v is not None]
        return min(present) if present else None

    expires = [i.expires for i in infos if i.expires is not None]
    record: dict[str, Any] = {
        "advisory_id": advisory_id_for(source, f"{sender},{identifier}"),
        "version": 1,
        "source": source,
        "source_id": identifier,
        "sender": sender,
        "sent": sent,
        "received_at": received_at,
        "status": status.lower(),
        "msg_type": msg_type.lower(),
        "references": references,
        "countries": countries,
        "areas": [area.record() for area in areas],
        "level": level,
        "level_reason": level_reason,
        "native_level": "/".join(v for v in (severity, urgency, certainty) if v),
        "severity": severity,
        "urgency": urgency,
        "certainty": certainty,
        "category": category,
        "event": event,
        "effective": first(i.effective for i in infos),
        "onset": first(i.onset for i in infos),
        "expires": max(expires) if expires else None,
        "content": content,
        "hotlines": [h.model_dump() for h in _hotlines(infos)],
    }
    try:
        return sealed({k: v for k, v in record.items() if v is not None})
    except ValidationError as error:
        raise NormalizationError(
            f"CAP: alert {cut(identifier, 80)!r} does not fit the advisory contract: "
            + describe_validation_error(error)
        ) from error


def parse_cap(
    data: bytes,
    *,
    received_at: datetime,
    source: str = "cap",
    default_countries: Sequence[str] | None = None,
    warnings: list[str] | None = None,
) -> Advisory:
    """A CAP 1.0/1.1/1.2 document (bytes) -> Advisory. Defects worked around are appended
    to `warnings` when given. An alert wrapped in another XML document (e.g. EDXL-DE) is
    found and read, with a warning."""
    notes: list[str] = warnings if warnings is not None else []
    root, xml_warnings = load_xml(data)
    notes.extend(xml_warnings)
    alert = root
    if not is_cap_alert(root):
        found = find_cap_alert(root)
        if found is None:
            _, local = split_tag(root.tag)
            raise NormalizationError(f"CAP: the root element is <{local}>, not a CAP <alert>")
        notes.append(f"CAP: read the <alert> inside <{split_tag(root.tag)[1]}>")
        alert = found
    return cap_from_element(
        alert,
        received_at=received_at,
        source=source,
        default_countries=default_countries,
        warnings=notes,
    )

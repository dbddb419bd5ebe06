"""CAP 1.0 / 1.1 / 1.2 alert messages -> the normalized `Advisory`. Pure: no I/O.

Parsing is hardened (defusedxml: no DTDs, no entity declarations, no external references;
inputs over MAX_DOCUMENT_BYTES are refused before parsing), and tolerant where real alerts
are sloppy in harmless ways (a UTF-8 BOM, an encoding declaration that does not match the
bytes, a polygon ring that is not closed): each defect worked around is reported in
`warnings`, never silently.

Mapping decisions (the contract is in design.md):

* identity: ``advisory_id = advisory_id_for(source, "<sender>,<identifier>")`` and each
  ``<references>`` entry ("sender,identifier,sent") maps to the advisory id of the alert it
  names, so an Update or Cancel points at the advisory it replaces.
* every ``<info>`` is one language of ``content`` (default "en-US"; tags normalized,
  "zh-tw" -> "zh-TW"); two infos in the same language are merged (the second one's text is
  appended to the body).
* level (1 take normal precautions ... 4 leave / do not travel), from the info whose level
  is highest:

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
  Extreme hazard justifies. ``native_level`` keeps "Severity/Urgency/Certainty".
* countries, from the first of these that names any (most specific evidence first):
  1. geocodes of national systems (SAME, FIPS6, UGC -> US and its territories; CAP-CP and
     EC CLC -> CA; ISO 3166 codes; EMMA_ID / NUTS; Taiwan geocodes ...);
  2. country names in ``<areaDesc>`` (an earthquake USGS reports in El Salvador is about
     El Salvador, not the United States);
  3. the region of an info language other than the CAP default en-US, the sender's domain
     (ccTLD, .gov/.mil, known agencies), a WMO alert OID (2.49.0.1.<ISO numeric>...), and
     national CAP profiles in ``<code>`` (IPAWS, CAP-CP, CAP-AU);
  4. the region of an en-US info;
  5. ``default_countries``.
* scope must be Public: Restricted and Private alerts are not for the public.
* hotlines: the numbers in international form in the infos' ``<contact>``
  (domain/formats/cap_contact.py, which also writes them).
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped]
import pycountry
from defusedxml import (
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from pydantic import ValidationError

from consular_alerts.domain.formats.cap_contact import hotlines_from_contact
from consular_alerts.domain.identity import advisory_id_for
from consular_alerts.domain.language.text import html_to_text, rank_countries
from consular_alerts.domain.messages.wording import cut
from consular_alerts.domain.normalize import describe_validation_error, sealed
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.base import USER_ASSIGNED_COUNTRIES

__all__ = [
    "CAP_NAMESPACES",
    "MAX_DOCUMENT_BYTES",
    "SEVERITY_LEVELS",
    "AreaDraft",
    "UnsafeXMLError",
    "cap_from_element",
    "cap_level",
    "clean_text",
    "country_from_domain",
    "find_cap_alert",
    "first_sentences",
    "is_cap_alert",
    "load_xml",
    "normalize_language_tag",
    "parse_cap",
    "parse_cap_area",
    "parse_repaired_xml",
    "repair_xml_encoding",
]

#: Bigger documents are refused before any parsing.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

CAP_NAMESPACES: dict[str, str] = {
    "urn:oasis:names:tc:emergency:cap:1.2": "1.2",
    "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
    "http://www.incident.com/cap/1.0": "1.0",
    "urn:oasis:names:tc:emergency:cap:1.0": "1.0",
}

SEVERITY_LEVELS: dict[str, int] = {
    "Extreme": 4,
    "Severe": 3,
    "Moderate": 2,
    "Minor": 1,
    "Unknown": 2,
}
_SEVERITY_RANK = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1, "Unknown": 0}
_URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
_CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
_STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
_MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
_SCOPES = ("Public", "Restricted", "Private")

HEADLINE_MAX = 500
SUMMARY_MAX = 300
_MAX_PROBLEMS = 6


# --- Hardened XML ---------------------------------------------------------------------------

_DECLARATION = re.compile(rb"^<\?xml[^>]{0,300}?\?>")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._:-]{0,40})\1""")
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_DOCTYPE = re.compile(
    r"<!DOCTYPE\s+([^\s\[>]{1,100})(?:\s+(?:PUBLIC\s+(?:\"[^\"]*\"|'[^']*')|SYSTEM)\s*"
    r"(\"[^\"]*\"|'[^']*'))?",
    re.IGNORECASE,
)
_ENTITY_DECLARATION = re.compile(r"<!ENTITY\s")


class UnsafeXMLError(NormalizationError):
    """The document carries a DTD, entity declarations or external references."""


def _too_big(data: bytes | str) -> None:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise NormalizationError(
            f"document is {len(data)} bytes; at most {MAX_DOCUMENT_BYTES} are accepted"
        )


def _text_codec(name: str) -> str | None:
    """Python's codec name for a declared XML encoding, None when it is not a text codec."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def repair_xml_encoding(data: bytes) -> tuple[bytes, list[str]]:
    """The document as UTF-8 bytes an XML parser reads without surprises, and the defects
    worked around (a declared encoding the bytes do not match, characters XML forbids).

    Raises NormalizationError when the document is too big or has a DTD in its prolog.
    """
    _too_big(data)
    warnings: list[str] = []
    bom_codec = None
    for bom, bom_name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            bom_codec = bom_name
            break
    if bom_codec is None and data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        bom_codec = "utf-16-le" if data[0] == 0x3C else "utf-16-be"

    text: str | None = None
    declared = None
    if bom_codec is not None and bom_codec != "utf-8":
        try:
            text = data.decode(bom_codec)
        except UnicodeDecodeError as error:
            raise NormalizationError(
                f"XML: the byte order mark says {bom_codec} but the bytes are not "
                f"(offset {error.start})"
            ) from error
    else:
        if bom_codec == "utf-8":
            data = data[len(codecs.BOM_UTF8) :]
        head = _DECLARATION.match(data.lstrip()[:400])
        match = _DECLARED_ENCODING.search(head[0]) if head else None
        declared = match[2].decode("ascii") if match else None
        codec: str | None = "utf-8" if declared is None else _text_codec(declared)
        if bom_codec == "utf-8" and codec != "utf-8":
            if declared is not None:
                warnings.append(
                    f"XML: a UTF-8 byte order mark but {declared!r} declared; read as UTF-8"
                )
            codec = "utf-8"
        if declared is not None and codec is None:
            warnings.append(f"XML: unknown encoding {declared!r} declared; read as UTF-8")
            codec = "utf-8"
        if codec and codec.startswith(("utf-16", "utf-32")) and data[:2].startswith(b"<"):
            # Said to be 16/32-bit, yet the declaration itself is in 8-bit characters.
            warnings.append(f"XML: declared {declared} but the bytes are 8-bit; read as UTF-8")
            codec = "utf-8"
        assert codec is not None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            bad = data[error.start]
            said = f"declared {declared}" if declared else "no encoding declared (so UTF-8)"
            expected = declared or "UTF-8"
            for fallback in ("utf-8", "windows-1252", "latin-1"):
                if fallback == codec:
                    continue
                try:
                    text = data.decode(fallback)
                except UnicodeDecodeError:
                    continue
                break
            assert text is not None  # latin-1 decodes any bytes
            warnings.append(
                f"XML: {said} but the bytes are not {expected} (byte 0x{bad:02x} at offset "
                f"{error.start}); decoded as {fallback}"
            )
        except (UnicodeError, LookupError, ValueError) as error:
            raise NormalizationError(
                f"XML: cannot decode the document as {declared!r}: {error}"
            ) from error
        if not warnings and codec in ("utf-8", "ascii") and not _NOT_XML_CHARS.search(text):
            _refuse_doctype(text)
            return data, warnings  # already what the parser wants: no copy

    assert text is not None
    forbidden = len(_NOT_XML_CHARS.findall(text))
    if forbidden:
        text = _NOT_XML_CHARS.sub("", text)
        warnings.append(f"XML: removed {forbidden} control character(s) XML does not allow")
    _refuse_doctype(text)
    body = _DECLARATION.sub(b"", text.lstrip().encode("utf-8"), count=1)
    return b'<?xml version="1.0" encoding="utf-8"?>' + body, warnings


def _refuse_doctype(text: str) -> None:
    """Refuse a DOCTYPE in the prolog before any parser sees it (also for feeds that are
    not well-formed and go to the tolerant feed parser)."""
    position = 0
    while True:
        item = _PROLOG_ITEM.match(text, position)
        if item is None or item.end() == position:
            break
        position = item.end()
    start = len(text[position:]) - len(text[position:].lstrip()) + position
    if text[start : start + 9].upper() != "<!DOCTYPE":
        return
    doctype = _DOCTYPE.match(text, start)
    name = doctype[1] if doctype else "?"
    system_id = doctype[2] if doctype and doctype[2] else ""
    entities = len(_ENTITY_DECLARATION.findall(text, start, start + 100_000))
    raise UnsafeXMLError(
        f"XML: DTDs are not accepted (possible XXE): <!DOCTYPE {name}>"
        + (f" with system id {system_id[1:-1]!r}" if system_id else "")
        + (f" and {entities} entity declaration(s)" if entities else "")
    )


_PLAIN_START = re.compile(
    rb"<(?!\?xml)|<\?xml(?![^>]{0,300}?encoding\s*=\s*[\"'](?!utf-?8[\"']))", re.IGNORECASE
)


def load_xml(data: bytes) -> tuple[Element, list[str]]:
    """Parse untrusted XML safely: size limit, encoding repair, defusedxml with DTDs,
    entity declarations and external references forbidden."""
    _too_big(data)
    if _PLAIN_START.match(data):
        # UTF-8 by declaration or default, as nearly all alerts are: expat checks the
        # bytes itself; only a document it refuses goes through the repairs below.
        try:
            return parse_repaired_xml(data), []
        except UnsafeXMLError:
            repair_xml_encoding(data)  # says what the DTD holds, when it is in the prolog
            raise
        except NormalizationError:
            pass
    utf8, warnings = repair_xml_encoding(data)
    return parse_repaired_xml(utf8), warnings


def parse_repaired_xml(utf8: bytes) -> Element:
    """Parse what `repair_xml_encoding` returned (defusedxml, nothing resolved)."""
    try:
        root = DefusedET.fromstring(
            utf8, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden as error:
        raise UnsafeXMLError(
            f"XML: DTDs are not accepted (possible XXE): <!DOCTYPE {error.name}>"
            + (f" with system id {error.sysid!r}" if error.sysid else "")
        ) from error
    except EntitiesForbidden as error:
        raise UnsafeXMLError(
            f"XML: entity declarations are not accepted (possible XXE or entity expansion "
            f"bomb): <!ENTITY {error.name}>"
        ) from error
    except ExternalReferenceForbidden as error:
        raise UnsafeXMLError(
            f"XML: external references are not accepted (possible XXE): {error.sysid!r}"
        ) from error
    except ParseError as error:
        raise NormalizationError(f"XML: not well-formed: {error}") from error
    except (ValueError, UnicodeError, RecursionError) as error:
        raise NormalizationError(f"XML: cannot be parsed: {error}") from error
    if not isinstance(root, Element):  # pragma: no cover - defusedxml returns an Element
        raise NormalizationError("XML: no root element")
    return root


# --- Element helpers ------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _split_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _split_tag(tag: object) -> tuple[str, str]:
    """(namespace, local name); ("", "") for comments and processing instructions."""
    return _split_name(tag) if isinstance(tag, str) else ("", "")


def _is_cap_namespace(namespace: str) -> bool:
    return namespace == "" or namespace in CAP_NAMESPACES


def is_cap_alert(element: Element) -> bool:
    """True for a CAP <alert> element (any CAP namespace, or none)."""
    namespace, local = _split_tag(element.tag)
    return local == "alert" and _is_cap_namespace(namespace)


def find_cap_alert(element: Element) -> Element | None:
    """The first CAP <alert> at or under `element` that is in a CAP namespace, or an
    un-namespaced <alert> that has an <identifier> child."""
    for candidate in element.iter():
        namespace, local = _split_tag(candidate.tag)
        if local != "alert":
            continue
        if namespace in CAP_NAMESPACES:
            return candidate
        if namespace == "" and "identifier" in _kids(candidate):
            return candidate
    return None


# CAP children of one element by local name: built once, then every lookup is O(1).
_Kids = dict[str, list[Element]]


def _kids(element: Element) -> _Kids:
    out: _Kids = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        namespace, local = _split_name(tag)
        if namespace == "" or namespace in CAP_NAMESPACES:
            out.setdefault(local, []).append(child)
    return out


def _all(kids: _Kids, name: str) -> list[Element]:
    return kids.get(name, [])


def _element_text(element: Element) -> str:
    if len(element) == 0:  # the usual case: text only
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def _text(kids: _Kids, name: str) -> str | None:
    """Text of the first child called `name`; None when there is no such child."""
    found = kids.get(name)
    return _element_text(found[0]) if found else None


# --- Text helpers ---------------------------------------------------------------------------

# Layout tags senders escape into text, and the active ones an attacker would (scripts are
# dropped with their content): either way the field becomes its visible text.
_HTML_HINT = re.compile(
    r"<(?:br|p|div|span|ul|ol|li|b|i|u|strong|em|a|table|tr|td|th|h[1-6]|font|center"
    r"|script|style|iframe|img|svg|object|embed|link|meta|form|input|button|noscript"
    r"|template|title|html|body|head)\b[^>]{0,200}>"
    r"|&(?:[a-zA-Z]{2,8}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)
_PLACEHOLDERS = frozenset({"none", "n/a", "na", "not applicable", "-", "--", "null", "nil"})


def clean_text(text: str) -> str:
    """Plain text for a CAP or feed text field: HTML (some senders escape it into CAP
    text) becomes its visible text; lines are trimmed; at most one blank line in a row."""
    if not text:
        return ""
    if ("<" in text or "&" in text) and _HTML_HINT.search(text):
        return html_to_text(text)
    if "\n" not in text and "\r" not in text:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _field(text: str | None) -> str:
    """A CAP text field, with placeholders like "None" or "Not Applicable" dropped."""
    cleaned = clean_text(text or "")
    return "" if cleaned.casefold() in _PLACEHOLDERS else cleaned


_SENTENCE_END = re.compile(r"[.!?…]+(?=\s)|[。！？]+")
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "st", "no", "vs", "inc", "jr", "sr", "approx", "tel", "co",
        "corp", "ltd", "gen", "lt", "col", "sgt", "ave", "rd", "hwy", "mt", "ft", "est", "etc",
    }
)  # fmt: skip
_LAST_TOKEN = re.compile(r"(\S+)$")


def _sentences(flat: str) -> Iterable[str]:
    start = 0
    for match in _SENTENCE_END.finditer(flat):
        if match[0].startswith("."):
            token = _LAST_TOKEN.search(flat, start, match.start())
            word = token[1] if token else ""
            if len(word) <= 1 or "." in word or word.lower() in _ABBREVIATIONS:
                continue
        sentence = flat[start : match.end()].strip()
        if sentence:
            yield sentence
        start = match.end()
    tail = flat[start:].strip()
    if tail:
        yield tail


def first_sentences(text: str, limit: int = SUMMARY_MAX, most: int = 0) -> str:
    """The first sentence(s) of `text` that fit in `limit` characters (the first one cut
    to fit when it alone is longer); at most `most` sentences when `most` > 0."""
    flat = " ".join(text[: limit * 8].split())
    summary = ""
    for count, sentence in enumerate(_sentences(flat)):
        if most and count >= most:
            break
        if not summary:
            summary = cut(sentence, limit)
            if summary != sentence:
                break
        elif len(summary) + 1 + len(sentence) <= limit:
            summary = f"{summary} {sentence}"
        else:
            break
    return summary


# --- Language tags --------------------------------------------------------------------------

_SUBTAG = re.compile(r"^[A-Za-z0-9]{1,8}$")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def normalize_language_tag(tag: str) -> str | None:
    """BCP-47 casing ("zh-tw" -> "zh-TW", "sr_latn_rs" -> "sr-Latn-RS"); None when `tag`
    is not a language tag the contract accepts."""
    parts = tag.strip().replace("_", "-").split("-")
    if not parts or not all(_SUBTAG.match(p) for p in parts):
        return None
    out = [parts[0].lower()]
    for index, part in enumerate(parts[1:], start=1):
        if len(part) == 4 and part.isalpha() and index == 1:
            out.append(part.title())  # script
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())  # region
        else:
            out.append(part.lower())
    normalized = "-".join(out)
    return normalized if _LANGUAGE_TAG.match(normalized) else None


def _language_region(tag: str) -> str | None:
    for part in tag.split("-")[1:]:
        if len(part) == 2 and part.isalpha():
            return part if _is_country(part) else None
    return None


# --- Countries ------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _is_country(code: str) -> bool:
    # Kosovo's XK too: the contract accepts it (models/base.py), and alerts about it use it.
    if code in USER_ASSIGNED_COUNTRIES:
        return True
    return len(code) == 2 and code.isascii() and pycountry.countries.get(alpha_2=code) is not None


# Vanity ccTLDs used worldwide by companies: only a government second level counts.
_VANITY_TLDS = frozenset(
    {
        "io", "co", "tv", "me", "fm", "ai", "ly", "to", "cc", "ws", "la", "am", "gg", "sh",
        "ac", "nu", "tk", "ml", "ga", "cf", "gq", "su", "eu", "st", "vc", "mu", "so",
    }
)  # fmt: skip
_GOVERNMENT_LABELS = frozenset(
    {"gov", "gob", "go", "gouv", "govt", "gv", "mil", "government", "admin"}
)
# Agencies whose domains carry no ccTLD (the rest follow from the TLD rule).
_AGENCY_DOMAINS: dict[str, str] = {
    "weather.gov": "US",
    "noaa.gov": "US",
    "usgs.gov": "US",
    "fema.gov": "US",
    "canada.ca": "CA",
    "pelmorex.com": "CA",
}
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))+$")


def _host_of(value: str) -> str | None:
    """The host name in a sender, URL or e-mail address, lowercase; None if there is none."""
    value = value.strip().lower()
    if "://" in value:
        try:
            host = urlsplit(value).hostname or ""
        except ValueError:
            return None
    elif "@" in value:
        host = value.rsplit("@", 1)[1]
    else:
        host = value
    host = host.strip(".")
    return host if _HOST.match(host) else None


def country_from_domain(value: str) -> str | None:
    """The country a sender's or a link's domain tells: known agencies, .gov/.mil (US),
    country-code TLDs (vanity ones only under a government second level)."""
    host = _host_of(value)
    if host is None:
        return None
    for domain, country in _AGENCY_DOMAINS.items():
        if host == domain or host.endswith("." + domain):
            return country
    labels = host.split(".")
    tld = labels[-1]
    if tld in ("gov", "mil"):
        return "US"
    if len(tld) != 2 or not tld.isalpha():
        return None
    if tld in _VANITY_TLDS and not (len(labels) >= 3 and labels[-2] in _GOVERNMENT_LABELS):
        return None
    code = "GB" if tld == "uk" else tld.upper()
    return code if _is_country(code) else None


_WMO_OID = re.compile(r"(?<![\d.])2\.49\.0\.[01]\.(\d{1,3})(?![\d])")


def _country_from_oid(value: str) -> str | None:
    """WMO register of alerting authorities: 2.49.0.0.<ISO 3166 numeric> names an
    authority, 2.49.0.1.<ISO numeric>... a message of one."""
    match = _WMO_OID.search(value)
    if match is None:
        return None
    country = pycountry.countries.get(numeric=f"{int(match[1]):03d}")
    return str(country.alpha_2) if country is not None else None


_PROFILE_CODES: tuple[tuple[str, str], ...] = (
    ("ipaws", "US"),
    ("cap-cp", "CA"),
    ("cap-au", "AU"),
    ("cap-nz", "NZ"),
)
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
        country = code[:2] if _is_country(code[:2]) else None
        subdivision = None
        if country and "-" in code and _is_subdivision(code):
            subdivision = code
        return country, subdivision
    if name == "emma_id" or name.startswith("nuts"):
        prefix = _EU_CODES.get(code[:2], code[:2])
        return (prefix if _is_country(prefix) else None), None
    for prefix, country in _NATIONAL_GEOCODES:
        if name.startswith(prefix):
            return country, None
    if "://" in name:
        return country_from_domain(name), None
    return None, None


@lru_cache(maxsize=1024)
def _is_subdivision(code: str) -> bool:  # pycountry scans its list: cached
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]


def _ordered_unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# --- Parsed pieces --------------------------------------------------------------------------


@dataclass
class AreaDraft:
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
        self.countries = _ordered_unique([*self.countries, *other.countries])

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


class _Problems:
    """Schema problems collected while reading one alert; raised together, one line."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[str] = []
        self.minor: list[str] = []  # tolerated alone, named when the alert is rejected

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if self.items:
            shown = [*self.items, *self.minor][:_MAX_PROBLEMS]
            more = len(self.items) + len(self.minor) - len(shown)
            raise NormalizationError(
                f"CAP: invalid alert {self.label}: "
                + "; ".join(shown)
                + (f"; and {more} more" if more else "")
            )


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
    kids = _kids(area)
    name = clean_text(_text(kids, "areaDesc") or "")
    draft = AreaDraft(name=name)
    for index, polygon in enumerate(_all(kids, "polygon"), start=1):
        ring = _polygon(_element_text(polygon), f"{where}/polygon[{index}]", warnings)
        draft.polygons.append(ring)
    for index, circle in enumerate(_all(kids, "circle"), start=1):
        draft.circles.append(_circle(_element_text(circle), f"{where}/circle[{index}]"))
    countries: list[str | None] = []
    for geocode in _all(kids, "geocode"):
        value_name = value = ""
        for part in geocode:  # <valueName> and <value>; read directly: there are many
            local = _split_tag(part.tag)[1]
            if local == "valueName" and not value_name:
                value_name = _element_text(part)
            elif local == "value" and not value:
                value = _element_text(part)
        if not value_name or not value:
            continue
        values = draft.geocodes.setdefault(value_name, [])
        if value not in values:
            values.append(value)
        country, subdivision = _geocode_country(value_name, value)
        countries.append(country)
        draft.iso_3166_2 = draft.iso_3166_2 or subdivision
    draft.countries = _ordered_unique(countries)
    if not draft.name:
        draft.name = draft.iso_3166_2 or next(iter(draft.geocodes.values()), [""])[0] or "area"
        warnings.append(f"CAP: {where} has no <areaDesc>; named it {draft.name!r}")
    return draft


@dataclass
class _Info:
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


def _vocabulary(value: str | None, allowed: Sequence[str]) -> str | None:
    if value is None:
        return None
    wanted = value.strip().casefold()
    if wanted == "very likely":
        wanted = "likely"  # CAP 1.0 value, folded into Likely since 1.1
    return next((a for a in allowed if a.casefold() == wanted), None)


def _parse_time(
    text: str | None, where: str, problems: _Problems, warnings: list[str]
) -> datetime | None:
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        problems.add(f"<{where}> {cut(value, 40)!r} is not a date-time")
        return None
    if parsed.tzinfo is None:
        warnings.append(f"CAP: <{where}> {value!r} has no time zone; read as UTC")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _parse_info(info: Element, index: int, problems: _Problems, warnings: list[str]) -> _Info:
    where = f"info[{index}]"
    kids = _kids(info)
    raw_language = _text(kids, "language")
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
        raw = _text(kids, name)
        value = _vocabulary(raw, allowed)
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
    event = _field(_text(kids, "event"))
    if not event:
        problems.add(f"{where}/<event> is missing or empty")
    categories = _ordered_unique(_element_text(c) for c in _all(kids, "category"))
    if not categories:
        warnings.append(f"CAP: {where} has no <category>")

    description = _field(_text(kids, "description"))
    headline = _field(_text(kids, "headline")) or event
    web = (_text(kids, "web") or "").strip()
    if web and not web.lower().startswith(("http://", "https://")):
        warnings.append(f"CAP: {where}/<web> {cut(web, 60)!r} is not an http(s) link; dropped")
        web = ""
    areas: list[AreaDraft] = []
    for area_index, area in enumerate(_all(kids, "area"), start=1):
        try:
            areas.append(parse_cap_area(area, f"{where}/area[{area_index}]", warnings))
        except NormalizationError as error:
            problems.add(str(error).removeprefix("CAP: "))
    return _Info(
        language=language,
        headline=cut(headline, HEADLINE_MAX),
        summary=first_sentences(description),
        body=description,
        instruction=_field(_text(kids, "instruction")),
        web=web,
        event=event,
        categories=categories,
        severity=severity,
        urgency=urgency,
        certainty=certainty,
        response_types=[_element_text(r) for r in _all(kids, "responseType")],
        effective=_parse_time(_text(kids, "effective"), f"{where}/effective", problems, warnings),
        onset=_parse_time(_text(kids, "onset"), f"{where}/onset", problems, warnings),
        expires=_parse_time(_text(kids, "expires"), f"{where}/expires", problems, warnings),
        areas=areas,
        contact=_field(_text(kids, "contact")),
    )


def _merge_content(infos: Sequence[_Info]) -> dict[str, dict[str, str]]:
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


def _merge_areas(infos: Sequence[_Info]) -> list[AreaDraft]:
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


def _countries(
    *,
    areas: Sequence[AreaDraft],
    infos: Sequence[_Info],
    sender: str,
    identifier: str,
    codes: Sequence[str],
    default_countries: Sequence[str] | None,
) -> list[str]:
    from_geocodes = _ordered_unique(c for area in areas for c in area.countries)
    if from_geocodes:
        return from_geocodes
    descriptions = "\n".join(dict.fromkeys(area.name for area in areas))
    if descriptions:
        primary = infos[0].language.split("-")[0] if infos else "en"
        found = rank_countries(descriptions, primary if primary in ("ru", "ky") else "en")
        if found:
            return found
    languages = [info.language for info in infos]
    strong = _ordered_unique(
        [
            *(_language_region(t) for t in languages if t != "en-US"),
            country_from_domain(sender),
            _country_from_oid(identifier),
            _country_from_oid(sender),
            *(country for code in codes for p, country in _PROFILE_CODES if p in code.lower()),
        ]
    )
    if strong:
        return strong
    weak = _ordered_unique(_language_region(t) for t in languages if t == "en-US")
    if weak:
        return weak
    return list(default_countries or [])


# --- The alert ------------------------------------------------------------------------------


def _references(
    raw: str | None, msg_type: str, source: str, problems: _Problems, warnings: list[str]
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
        namespace, local = _split_tag(alert.tag)
        raise NormalizationError(
            f"CAP: the root element is <{local}>"
            + (f" in {namespace}" if namespace else "")
            + ", not a CAP <alert>"
        )
    kids = _kids(alert)
    identifier = _field(_text(kids, "identifier"))
    problems = _Problems(repr(cut(identifier, 80)) if identifier else "(no identifier)")
    values: dict[str, str] = {}
    for name in ("identifier", "sender", "sent", "status", "msgType", "scope"):
        value = _text(kids, name)
        if value is None:
            problems.add(f"required <{name}> is missing")
        elif not value:
            problems.add(f"required <{name}> is empty")
        values[name] = value or ""
    status = _vocabulary(values["status"], _STATUSES) if values["status"] else None
    if values["status"] and status is None:
        problems.add(f"<status> {cut(values['status'], 30)!r} is not one of {', '.join(_STATUSES)}")
    msg_type = _vocabulary(values["msgType"], _MSG_TYPES) if values["msgType"] else None
    if values["msgType"] and msg_type is None:
        problems.add(
            f"<msgType> {cut(values['msgType'], 30)!r} is not one of {', '.join(_MSG_TYPES)}"
        )
    if msg_type in ("Ack", "Error"):
        raise NormalizationError(
            f"CAP: msgType {msg_type} is not an advisory (acknowledgements and error "
            "messages are not forwarded to citizens)"
        )
    scope = _vocabulary(values["scope"], _SCOPES) if values["scope"] else None
    if values["scope"] and scope is None:
        problems.add(f"<scope> {cut(values['scope'], 30)!r} is not one of {', '.join(_SCOPES)}")

    sent = _parse_time(values["sent"] or None, "sent", problems, notes)
    references = _references(_text(kids, "references"), msg_type or "", source, problems, notes)
    infos = [
        _parse_info(info, index, problems, notes)
        for index, info in enumerate(_all(kids, "info"), start=1)
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
    note = _field(_text(kids, "note"))
    codes = [_element_text(c) for c in _all(kids, "code")]

    if infos:
        content = _merge_content(infos)
        chosen = max(
            infos, key=lambda i: (i.level, _SEVERITY_RANK.get(i.severity, 0))
        )  # first on ties
        level = chosen.level
        severity, urgency, certainty = chosen.severity, chosen.urgency, chosen.certainty
        event, category = chosen.event, ", ".join(chosen.categories)
    elif msg_type == "Cancel":
        # A Cancel may carry no <info>: say what was cancelled, in English.
        headline = first_sentences(note, 120, most=1) if note else ""
        content = {
            "en": {
                "headline": headline or f"Cancelled: {cut(identifier, 400)}",
                "summary": first_sentences(note) if note else "",
                "body": note,
                "instruction": "",
                "web": "",
            }
        }
        level, severity, urgency, certainty, event, category = 1, "", "", "", "", ""
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
        "hotlines": [
            h.model_dump() for h in hotlines_from_contact("\n".join(i.contact for i in infos))
        ],
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
            _, local = _split_tag(root.tag)
            raise NormalizationError(f"CAP: the root element is <{local}>, not a CAP <alert>")
        notes.append(f"CAP: read the <alert> inside <{_split_tag(root.tag)[1]}>")
        alert = found
    return cap_from_element(
        alert,
        received_at=received_at,
        source=source,
        default_countries=default_countries,
        warnings=notes,
    )

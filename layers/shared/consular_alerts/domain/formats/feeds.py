"""Advisory feeds -> normalized advisories. Pure: no I/O (feedparser is only ever given
bytes in memory, never a URL or a path).

* RSS 2.0 / RSS 1.0 / Atom (feedparser; the raw XML is also read with defusedxml for what
  feedparser flattens): entries that carry a CAP alert inline are read as CAP; entries that
  link to CAP documents become `cap_links` for the poller; other entries become one
  advisory each (a news item of a government or of the ministry itself).
* the US State Department travel-advisory RSS (travel.state.gov): levels 1-4 from the
  "Threat-Level" category or the title, countries from the FIPS 10-4 "Country-Tag".
* a GOV.UK FCDO travel-advice content item (JSON, the Content Store's `travel_advice`).

A defect that can be worked around (an encoding declaration the bytes do not match, a feed
that is not well-formed but that feedparser recovers, an entry without a country) is
reported in `warnings`; an entry that cannot become an advisory is skipped with a warning;
only a document that cannot be read at all, or that is hostile (a DTD), raises
NormalizationError.

Levels of other governments' scales (all kept as `native_level`):

==========================================  =============================================
scale                                       level 1 / 2 / 3 / 4
==========================================  =============================================
US State Department                         Exercise Normal Precautions / Exercise
                                            Increased Caution / Reconsider Travel / Do Not
                                            Travel
Canada (travel.gc.ca)                       Take normal security precautions / Exercise a
                                            high degree of caution / Avoid non-essential
                                            travel / Avoid all travel
Australia (Smartraveller)                   Exercise normal safety precautions / Exercise a
                                            high degree of caution / Reconsider your need to
                                            travel / Do not travel
New Zealand (SafeTravel)                    Exercise normal safety and security precautions
                                            / Exercise increased caution / Avoid
                                            non-essential travel / Do not travel
GB FCDO ``alert_status`` (see FCDO_LEVELS)  none / all but essential travel to parts / all
                                            travel to parts or all but essential travel to
                                            the whole country / all travel to the whole
                                            country
==========================================  =============================================
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from time import struct_time
from typing import Any, Literal
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import feedparser  # type: ignore[import-untyped]
import pycountry
from pydantic import ValidationError

from consular_alerts.domain.formats.cap import cap_from_element
from consular_alerts.domain.formats.cap_areas import parse_cap_area
from consular_alerts.domain.formats.cap_elements import CAP_NAMESPACES, find_cap_alert
from consular_alerts.domain.formats.cap_info import cap_level
from consular_alerts.domain.formats.ministry import TextExtractionError, extract_post
from consular_alerts.domain.formats.senders import country_from_domain
from consular_alerts.domain.formats.xml import (
    UnsafeXMLError,
    load_xml,
    parse_repaired_xml,
    repair_xml_encoding,
    split_tag,
)
from consular_alerts.domain.identity import advisory_id_for, text_fingerprint
from consular_alerts.domain.language.detection import detect_language
from consular_alerts.domain.language.html import clean_text, html_to_text
from consular_alerts.domain.language.places import rank_countries
from consular_alerts.domain.language.sentences import first_sentences
from consular_alerts.domain.language.tags import normalize_language_tag
from consular_alerts.domain.messages.wording import cut
from consular_alerts.domain.normalize import describe_validation_error, sealed
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.base import is_country_code

__all__ = [
    "FCDO_LEVELS",
    "FIPS_TO_ISO",
    "MAX_FEED_ENTRIES",
    "MAX_NESTING",
    "FeedResult",
    "country_from_name",
    "fips_to_iso",
    "is_fcdo_item",
    "looks_like_us_state_feed",
    "parse_fcdo",
    "parse_feed",
    "parse_us_state",
    "scale_level",
]

HEADLINE_MAX = 500
#: Entries read per feed; the rest are left with a warning (work per document is bounded).
MAX_FEED_ENTRIES = 1000
#: Deeper nesting is refused before feedparser sees it: its time grows faster than the
#: input on deeply nested content (seconds for a few hundred kilobytes).
MAX_NESTING = 100


@dataclass(frozen=True)
class FeedResult:
    advisories: list[Advisory] = field(default_factory=list)
    cap_links: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- FIPS 10-4 -> ISO 3166-1 ----------------------------------------------------------------

# FIPS 10-4 country codes (withdrawn by NIST in 2008, still what the US State Department
# tags its travel advisories with) -> ISO 3166-1 alpha-2. Written by hand: no maintained
# library maps FIPS 10-4 to ISO 3166 (pycountry knows only ISO). Several FIPS codes are
# ISO codes of *other* countries (FIPS "AU" is Austria, ISO "AU" Australia), so a tag is
# never read as ISO. The last block holds codes the State Department uses that are not
# FIPS 10-4. "KV" (Kosovo) maps to XK, a user-assigned code outside ISO 3166-1: the
# contract refuses it, and the item is skipped with a warning.
FIPS_TO_ISO: dict[str, tuple[str, ...]] = {
    "AA": ("AW",), "AC": ("AG",), "AE": ("AE",), "AF": ("AF",), "AG": ("DZ",),
    "AJ": ("AZ",), "AL": ("AL",), "AM": ("AM",), "AN": ("AD",), "AO": ("AO",),
    "AQ": ("AS",), "AR": ("AR",), "AS": ("AU",), "AT": ("AU",), "AU": ("AT",),
    "AV": ("AI",), "AY": ("AQ",), "BA": ("BH",), "BB": ("BB",), "BC": ("BW",),
    "BD": ("BM",), "BE": ("BE",), "BF": ("BS",), "BG": ("BD",), "BH": ("BZ",),
    "BK": ("BA",), "BL": ("BO",), "BM": ("MM",), "BN": ("BJ",), "BO": ("BY",),
    "BP": ("SB",), "BQ": ("UM",), "BR": ("BR",), "BS": ("TF",), "BT": ("BT",),
    "BU": ("BG",), "BV": ("BV",), "BX": ("BN",), "BY": ("BI",), "CA": ("CA",),
    "CB": ("KH",), "CD": ("TD",), "CE": ("LK",), "CF": ("CG",), "CG": ("CD",),
    "CH": ("CN",), "CI": ("CL",), "CJ": ("KY",), "CK": ("CC",), "CM": ("CM",),
    "CN": ("KM",), "CO": ("CO",), "CQ": ("MP",), "CR": ("AU",), "CS": ("CR",),
    "CT": ("CF",), "CU": ("CU",), "CV": ("CV",), "CW": ("CK",), "CY": ("CY",),
    "DA": ("DK",), "DJ": ("DJ",), "DO": ("DM",), "DQ": ("UM",), "DR": ("DO",),
    "EC": ("EC",), "EG": ("EG",), "EI": ("IE",), "EK": ("GQ",), "EN": ("EE",),
    "ER": ("ER",), "ES": ("SV",), "ET": ("ET",), "EU": ("TF",), "EZ": ("CZ",),
    "FG": ("GF",), "FI": ("FI",), "FJ": ("FJ",), "FK": ("FK",), "FM": ("FM",),
    "FO": ("FO",), "FP": ("PF",), "FQ": ("UM",), "FR": ("FR",), "FS": ("TF",),
    "GA": ("GM",), "GB": ("GA",), "GG": ("GE",), "GH": ("GH",), "GI": ("GI",),
    "GJ": ("GD",), "GK": ("GG",), "GL": ("GL",), "GM": ("DE",), "GO": ("TF",),
    "GP": ("GP",), "GQ": ("GU",), "GR": ("GR",), "GT": ("GT",), "GV": ("GN",),
    "GY": ("GY",), "GZ": ("PS",), "HA": ("HT",), "HK": ("HK",), "HM": ("HM",),
    "HO": ("HN",), "HQ": ("UM",), "HR": ("HR",), "HU": ("HU",), "IC": ("IS",),
    "ID": ("ID",), "IM": ("IM",), "IN": ("IN",), "IO": ("IO",), "IR": ("IR",),
    "IS": ("IL",), "IT": ("IT",), "IV": ("CI",), "IZ": ("IQ",), "JA": ("JP",),
    "JE": ("JE",), "JM": ("JM",), "JN": ("SJ",), "JO": ("JO",), "JQ": ("UM",),
    "JU": ("TF",), "KE": ("KE",), "KG": ("KG",), "KN": ("KP",), "KQ": ("UM",),
    "KR": ("KI",), "KS": ("KR",), "KT": ("CX",), "KU": ("KW",), "KV": ("XK",),
    "KZ": ("KZ",), "LA": ("LA",), "LE": ("LB",), "LG": ("LV",), "LH": ("LT",),
    "LI": ("LR",), "LO": ("SK",), "LQ": ("UM",), "LS": ("LI",), "LT": ("LS",),
    "LU": ("LU",), "LY": ("LY",), "MA": ("MG",), "MB": ("MQ",), "MC": ("MO",),
    "MD": ("MD",), "MF": ("YT",), "MG": ("MN",), "MH": ("MS",), "MI": ("MW",),
    "MJ": ("ME",), "MK": ("MK",), "ML": ("ML",), "MN": ("MC",), "MO": ("MA",),
    "MP": ("MU",), "MQ": ("UM",), "MR": ("MR",), "MT": ("MT",), "MU": ("OM",),
    "MV": ("MV",), "MX": ("MX",), "MY": ("MY",), "MZ": ("MZ",), "NC": ("NC",),
    "NE": ("NU",), "NF": ("NF",), "NG": ("NE",), "NH": ("VU",), "NI": ("NG",),
    "NL": ("NL",), "NN": ("SX",), "NO": ("NO",), "NP": ("NP",), "NR": ("NR",),
    "NS": ("SR",), "NU": ("NI",), "NZ": ("NZ",), "OD": ("SS",), "PA": ("PY",),
    "PC": ("PN",), "PE": ("PE",), "PK": ("PK",), "PL": ("PL",), "PM": ("PA",),
    "PO": ("PT",), "PP": ("PG",), "PS": ("PW",), "PU": ("GW",), "QA": ("QA",),
    "RE": ("RE",), "RI": ("RS",), "RM": ("MH",), "RN": ("MF",), "RO": ("RO",),
    "RP": ("PH",), "RQ": ("PR",), "RS": ("RU",), "RW": ("RW",), "SA": ("SA",),
    "SB": ("PM",), "SC": ("KN",), "SE": ("SC",), "SF": ("ZA",), "SG": ("SN",),
    "SH": ("SH",), "SI": ("SI",), "SL": ("SL",), "SM": ("SM",), "SN": ("SG",),
    "SO": ("SO",), "SP": ("ES",), "ST": ("LC",), "SU": ("SD",), "SV": ("SJ",),
    "SW": ("SE",), "SX": ("GS",), "SY": ("SY",), "SZ": ("CH",), "TB": ("BL",),
    "TD": ("TT",), "TE": ("TF",), "TH": ("TH",), "TI": ("TJ",), "TK": ("TC",),
    "TL": ("TK",), "TN": ("TO",), "TO": ("TG",), "TP": ("ST",), "TS": ("TN",),
    "TT": ("TL",), "TU": ("TR",), "TV": ("TV",), "TW": ("TW",), "TX": ("TM",),
    "TZ": ("TZ",), "UC": ("CW",), "UG": ("UG",), "UK": ("GB",), "UP": ("UA",),
    "US": ("US",), "UV": ("BF",), "UY": ("UY",), "UZ": ("UZ",), "VC": ("VC",),
    "VE": ("VE",), "VI": ("VG",), "VM": ("VN",), "VQ": ("VI",), "VT": ("VA",),
    "WA": ("NA",), "WE": ("PS",), "WF": ("WF",), "WI": ("EH",), "WQ": ("UM",),
    "WS": ("WS",), "WZ": ("SZ",), "YM": ("YE",), "ZA": ("ZM",), "ZI": ("ZW",),
    # Not FIPS 10-4: the State Department's own tags.
    "A1": ("BQ",),  # Bonaire, Sint Eustatius and Saba
    "A2": ("GF",),  # French Guiana (FIPS: FG)
    "A3": ("GP", "MQ", "BL", "MF"),  # French West Indies
    "GW": ("GW",),  # Guinea-Bissau (FIPS: PU)
    "SR": ("CH",),  # Switzerland (FIPS: SZ)
}  # fmt: skip


def fips_to_iso(code: str) -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes for a FIPS 10-4 (State Department) country tag; () if unknown."""
    return FIPS_TO_ISO.get(code.strip().upper(), ())


# --- Country names --------------------------------------------------------------------------

# Everyday and official-style names pycountry does not match (it has ISO names only).
_NAME_ALIASES: dict[str, str] = {
    "turkey": "TR", "turkiye": "TR", "russia": "RU", "burma": "MM", "burma (myanmar)": "MM",
    "macau": "MO", "macao": "MO", "mainland china": "CN", "brunei": "BN", "bahamas": "BS",
    "gambia": "GM", "cote d ivoire": "CI", "cote d'ivoire": "CI", "ivory coast": "CI",
    "kosovo": "XK", "laos": "LA", "south korea": "KR", "north korea": "KP", "vatican": "VA",
    "vatican city": "VA", "holy see": "VA", "syria": "SY", "iran": "IR", "vietnam": "VN",
    "taiwan": "TW", "moldova": "MD", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "czech republic": "CZ", "swaziland": "SZ", "cape verde": "CV", "east timor": "TL",
    "micronesia": "FM", "federated states of micronesia": "FM",
    "democratic republic of the congo": "CD", "dr congo": "CD", "republic of the congo": "CG",
    "congo": "CG", "kingdom of denmark": "DK", "usa": "US", "united states": "US", "uk": "GB",
    "united kingdom": "GB", "great britain": "GB", "saint martin": "MF", "st martin": "MF",
    "st maarten": "SX", "sint maarten": "SX", "bonaire": "BQ", "sint eustatius": "BQ",
    "saba": "BQ", "bonaire/st eustatius/saba": "BQ", "curacao": "CW",
    "french west indies": "GP", "palestine": "PS", "occupied palestinian territories": "PS",
    "israel and the occupied palestinian territories": "IL", "st kitts and nevis": "KN",
    "st lucia": "LC", "st vincent and the grenadines": "VC", "st helena": "SH",
    "st helena, ascension and tristan da cunha": "SH", "st pierre and miquelon": "PM",
    "british virgin islands": "VG", "us virgin islands": "VI", "british antarctic territory": "AQ",
    "south georgia and south sandwich islands": "GS", "pitcairn island": "PN",
    "north macedonia": "MK", "macedonia": "MK", "russian federation": "RU", "reunion": "RE",
    "the netherlands": "NL", "falkland islands": "FK", "uae": "AE",
}  # fmt: skip
_SPACES = re.compile(r"\s+")


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = _SPACES.sub(" ", plain).strip().casefold()
    return key.removeprefix("the ")


@lru_cache(maxsize=2048)
def country_from_name(name: str) -> str | None:
    """ISO 3166-1 alpha-2 of an English country name ("Turkey", "Burma (Myanmar)", "The
    Bahamas", "Curaçao"), None when unknown. May return XK (Kosovo, not ISO 3166-1)."""
    name = _SPACES.sub(" ", name).strip()
    if len(name) < 4 or len(name) > 80:
        return _NAME_ALIASES.get(_name_key(name))
    key = _name_key(name)
    if key in _NAME_ALIASES:
        return _NAME_ALIASES[key]
    for candidate in (name, key):
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            continue
    found = rank_countries(name, "en")
    return found[0] if len(found) == 1 else None


# --- Scales ---------------------------------------------------------------------------------

_SCALE_PHRASES: tuple[tuple[str, int], ...] = tuple(
    sorted(
        {
            # US State Department
            "exercise normal precautions": 1,
            "exercise increased caution": 2,
            "reconsider travel": 3,
            "do not travel": 4,
            # Canada (travel.gc.ca)
            "take normal security precautions": 1,
            "exercise a high degree of caution": 2,
            "avoid non-essential travel": 3,
            "avoid all travel": 4,
            # Australia (Smartraveller)
            "exercise normal safety precautions": 1,
            "reconsider your need to travel": 3,
            # New Zealand (SafeTravel)
            "exercise normal safety and security precautions": 1,
        }.items(),
        key=lambda item: -len(item[0]),
    )
)
_LEVEL_IN_TEXT = re.compile(r"\bLevel\s*([1-4])\s*(?::\s*([^\n]{3,60}))?", re.IGNORECASE)


def scale_level(*texts: str) -> tuple[int, str] | None:
    """(level, native wording) when one of `texts` uses a known government travel-advice
    scale ("Level 3: Reconsider Travel", "Avoid non-essential travel"); else None."""
    for text in texts:
        if not text:
            continue
        match = _LEVEL_IN_TEXT.search(text)
        if match:
            native = f"Level {match[1]}" + (f": {match[2].strip()}" if match[2] else "")
            return int(match[1]), native
        lowered = text.casefold()
        for phrase, level in _SCALE_PHRASES:
            position = lowered.find(phrase)
            if position >= 0:
                return level, text[position : position + len(phrase)]
    return None


# --- Shared helpers -------------------------------------------------------------------------


def _http_url(value: object) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return value if value.lower().startswith(("http://", "https://")) else ""


def _when(value: object) -> datetime | None:
    """A feedparser time tuple as an aware UTC datetime (None if absent or impossible)."""
    if not isinstance(value, struct_time | tuple) or len(value) < 6:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _updated(entry: Mapping[str, Any]) -> object:
    """An entry's own updated_parsed: feedparser's get() falls back to published_parsed
    with a DeprecationWarning; read the key itself."""
    if isinstance(entry, dict):
        return dict.get(entry, "updated_parsed")
    return entry.get("updated_parsed")


def _iso_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _seal(record: dict[str, Any], what: str) -> Advisory:
    try:
        return sealed({k: v for k, v in record.items() if v is not None})
    except ValidationError as error:
        raise NormalizationError(f"{what}: {describe_validation_error(error)}") from error


# A few of the commonest words of languages foreign feeds publish in: enough to tell
# which one a news item is in (detect_language tells only ky, ru and en apart).
_STOPWORDS: dict[str, frozenset[str]] = {
    language: frozenset(words.split())
    for language, words in {
        "en": "the and of to in is for on are be with that by this from at as will has have",
        "sv": "och att det som en är för på med av till inte har de den ett om vid kl",
        "de": "und der die das ist nicht mit den von zu im für auf ein eine des sich dem",
        "fr": "le la les et des est un une du dans pour pas que qui sur au aux avec ce",
        "es": "el la los las y de que en un una por con para es del al se no su",
        "pt": "o os as e de que em um uma para com não do da dos das por se ao",
        "it": "il lo la gli le e di che un una per con non del della sono si al",
        "nl": "de het een en van is dat op te in niet met voor zijn er aan ook",
    }.items()
}
_WORDS = re.compile(r"[^\W\d_]+")


def _guess_language(text: str) -> str:
    """ky / ru / en, or another language whose common words the text is full of; "und"
    (undetermined) when none stands out: a Swedish news item is not labelled English."""
    sample = text[:3000]
    language = detect_language(sample)
    if language != "en":
        return language
    words = _WORDS.findall(sample.casefold())
    if len(words) < 8:
        return "en" if words else "und"
    scores = {
        language: sum(1 for w in words if w in stopwords)
        for language, stopwords in _STOPWORDS.items()
    }
    best = max(scores, key=lambda language: scores[language])
    return best if scores[best] / len(words) >= 0.08 else "und"


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _path(url: str) -> str:
    try:
        return urlsplit(url).path.lower()
    except ValueError:
        return ""


# --- Feeds ----------------------------------------------------------------------------------


@dataclass
class _LoadedFeed:
    parsed: Any  # feedparser's FeedParserDict
    root: Element | None
    xml_entries: list[Element | None]
    warnings: list[str]


def _xml_entries(root: Element) -> list[Element]:
    _, local = split_tag(root.tag)
    if local == "feed":
        return [e for e in root if split_tag(e.tag)[1] == "entry"]
    if local == "rss":
        channel = next((c for c in root if split_tag(c.tag)[1] == "channel"), None)
        return [] if channel is None else [i for i in channel if split_tag(i.tag)[1] == "item"]
    if local == "RDF":
        return [i for i in root if split_tag(i.tag)[1] == "item"]
    return []


def _nested_deeper_than(root: Element, limit: int) -> bool:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


_TAG = re.compile(rb"<(/?)([A-Za-z_][^\s/>]*)[^>]*?(/?)>")
_VOID = frozenset({b"br", b"hr", b"img", b"input", b"meta", b"link", b"p", b"li", b"area"})


def _tags_nested_deeper_than(data: bytes, limit: int) -> bool:
    """For a document that is not well-formed: open tags never closed, estimated."""
    depth = 0
    for match in _TAG.finditer(data):
        if match[3] or match[2].lower() in _VOID:
            continue
        depth = max(0, depth - 1) if match[1] else depth + 1
        if depth > limit:
            return True
    return False


def _too_deep() -> NormalizationError:
    return NormalizationError(f"feed: elements nested deeper than {MAX_NESTING} levels; not read")


def _load_feed(data: bytes) -> _LoadedFeed:
    utf8, warnings = repair_xml_encoding(data)  # size limit, DTD refused, encoding repaired
    root: Element | None = None
    try:
        root = parse_repaired_xml(utf8)
    except UnsafeXMLError:
        raise
    except NormalizationError as error:
        if _tags_nested_deeper_than(utf8, MAX_NESTING * 10):
            raise _too_deep() from error
        warnings.append(f"feed: {error}; read with feedparser's tolerant parser")
    if root is not None:
        _, local = split_tag(root.tag)
        if local not in ("feed", "rss", "RDF"):
            raise NormalizationError(f"feed: the root element is <{local}>, not RSS or Atom")
        if _nested_deeper_than(root, MAX_NESTING):
            raise _too_deep()
    try:
        parsed = feedparser.parse(io.BytesIO(utf8))
    except Exception as error:  # a third-party parser on untrusted bytes
        raise NormalizationError(f"feed: the feed parser failed: {error!r}") from error
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        recovered = len(parsed.get("entries") or [])
        if root is None and not recovered and not parsed.get("feed", {}).get("title"):
            raise NormalizationError(f"feed: not a readable RSS or Atom feed ({problem})")
        if root is None:
            warnings.append(f"feed: not well-formed ({problem}); recovered {recovered} entries")
        else:
            warnings.append(f"feed: feedparser reports {problem!r}; read on")
    entries = parsed.get("entries") or []
    xml_entries: list[Element | None] = [None] * len(entries)
    if root is not None:
        found = _xml_entries(root)
        if len(found) == len(entries):
            xml_entries = list(found)
        else:
            warnings.append(
                f"feed: {len(entries)} entries parsed but {len(found)} in the XML; inline CAP "
                "elements were not read"
            )
    return _LoadedFeed(parsed, root, xml_entries, warnings)


def _bounded_entries(loaded: _LoadedFeed) -> list[Any]:
    entries = list(loaded.parsed.get("entries") or [])
    if len(entries) > MAX_FEED_ENTRIES:
        loaded.warnings.append(f"feed: {len(entries)} entries; read the first {MAX_FEED_ENTRIES}")
    return entries[:MAX_FEED_ENTRIES]


def _is_cap_index(loaded: _LoadedFeed) -> bool:
    feed = loaded.parsed.get("feed", {})
    for key in ("title", "subtitle", "generator"):
        value = feed.get(key)
        if isinstance(value, str) and re.search(r"\bCAP\b", value):
            return True
    namespaces = loaded.parsed.get("namespaces") or {}
    return any(ns in CAP_NAMESPACES for ns in namespaces.values())


def _entry_cap_links(entry: Mapping[str, Any], cap_index: bool) -> list[str]:
    links: list[str] = []
    for link in entry.get("links") or []:
        href = _http_url(link.get("href"))
        if not href:
            continue
        kind = str(link.get("type") or "").lower()
        if "cap+xml" in kind or _path(href).endswith(".cap"):
            links.append(href)
    if links or not cap_index:
        return list(dict.fromkeys(links))
    for candidate in (entry.get("link"), entry.get("id") if entry.get("guidislink") else None):
        href = _http_url(candidate)
        if href and (_path(href).endswith(".xml") or "cap" in href.lower()):
            return [href]
    return []


def _cap_children(entry: Element) -> list[Element]:
    """Direct children of a feed entry in a CAP namespace (feeds like krisinformation.se
    put cap:event and cap:area straight into the entry)."""
    return [c for c in entry if split_tag(c.tag)[0] in CAP_NAMESPACES]


def _embedded_alert(entry: Element) -> Element | None:
    """A CAP alert inside an entry: as XML (<content type="text/xml">) or escaped text."""
    found = find_cap_alert(entry)
    if found is not None:
        return found
    for element in entry.iter():
        text = element.text or ""
        if "<alert" in text and "urn:oasis:names:tc:emergency:cap" in text:
            root, _ = load_xml(text.strip().encode("utf-8"))
            return find_cap_alert(root)
    return None


def _entry_text(entry: Mapping[str, Any]) -> tuple[str, str]:
    """(title, body) as plain text."""
    title_detail = entry.get("title_detail") or {}
    title = str(entry.get("title") or "")
    if "html" in str(title_detail.get("type") or ""):
        title = html_to_text(title)
    body_html, body_type = "", ""
    for content in entry.get("content") or []:
        value = content.get("value")
        if isinstance(value, str) and value.strip():
            body_html, body_type = value, str(content.get("type") or "")
            break
    if not body_html:
        summary = entry.get("summary")
        body_html = summary if isinstance(summary, str) else ""
        body_type = str((entry.get("summary_detail") or {}).get("type") or "text/html")
    body = html_to_text(body_html) if "html" in body_type else clean_text(body_html)
    return " ".join(title.split()), body


def _entry_language(entry: Mapping[str, Any], feed: Mapping[str, Any], text: str) -> str:
    for candidate in (
        *(c.get("language") for c in entry.get("content") or []),
        (entry.get("summary_detail") or {}).get("language"),
        (entry.get("title_detail") or {}).get("language"),
        feed.get("language"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            tag = normalize_language_tag(candidate)
            if tag:
                return tag
    return _guess_language(text)


def _news_advisory(
    entry: Mapping[str, Any],
    xml_entry: Element | None,
    *,
    feed: Mapping[str, Any],
    received_at: datetime,
    source: str,
    feed_country: str | None,
    own_feed: bool,
    default_countries: Sequence[str] | None,
    default_level: int,
    ministry_country: str,
    warnings: list[str],
) -> Advisory | None:
    title, body = _entry_text(entry)
    if not title and not body:
        raise NormalizationError("entry has neither a title nor a text")
    language = _entry_language(entry, feed, f"{title}\n{body}")
    link = _http_url(entry.get("link"))
    where = f"entry {cut(title or link, 60)!r}"

    # What a feed of CAP elements inline adds: event, areas, CAP severity.
    event, areas, cap_countries = "", [], []
    severity = urgency = certainty = ""
    if xml_entry is not None:
        cap_elements = _cap_children(xml_entry)
        for index, element in enumerate(cap_elements, start=1):
            _, local = split_tag(element.tag)
            value = "".join(element.itertext()).strip()
            if local == "event":
                event = value
            elif local == "severity":
                severity = value.capitalize()
            elif local == "urgency":
                urgency = value.capitalize()
            elif local == "certainty":
                certainty = value.capitalize()
            elif local == "area":
                try:
                    area = parse_cap_area(element, f"{where}/area[{index}]", warnings)
                except NormalizationError as error:
                    warnings.append(f"feed: {error}; area ignored")
                    continue
                areas.append(area.record())
                cap_countries.extend(area.countries)

    hotlines: list[dict[str, str]] = []
    instruction = ""
    text = f"{title}\n{body}".strip()
    countries = list(dict.fromkeys(cap_countries))
    if own_feed:
        # The ministry's own news: read like a ministry post (hotlines, advice, places).
        try:
            extracted = extract_post(text, ministry_country=ministry_country)
        except TextExtractionError as error:
            raise NormalizationError(f"{where}: {error}") from error
        countries = countries or extracted.countries
        hotlines = [h.model_dump() for h in extracted.hotlines]
        instruction = extracted.instruction
        areas = areas or [a.model_dump(exclude_none=True) for a in extracted.areas]
        language = language if language != "und" else extracted.language
    if not countries:
        countries = rank_countries(text, language.split("-")[0], exclude=ministry_country)
    if not countries and default_countries:
        countries = list(default_countries)
    if not countries and feed_country and feed_country != ministry_country:
        countries = [feed_country]  # another government's feed: about its own country
    if not countries:
        warnings.append(f"feed: {where}: cannot tell which country it is about; skipped")
        return None

    tags = [str(t.get("term") or "") for t in entry.get("tags") or []]
    scale = scale_level(title, *tags)
    if severity in ("Extreme", "Severe", "Moderate", "Minor", "Unknown"):
        level = cap_level(severity, urgency, certainty)
        native = "/".join(v for v in (severity, urgency, certainty) if v)
    elif scale is not None:
        level, native = scale
    else:
        level, native = default_level, ""
    raw_id = str(entry.get("id") or link or "")
    source_id = raw_id if 0 < len(raw_id) <= 500 else text_fingerprint(text)
    record: dict[str, Any] = {
        "advisory_id": advisory_id_for(source, source_id),
        "version": 1,
        "source": source,
        "source_id": source_id,
        "source_url": link,
        "sender": str(entry.get("author") or feed.get("author") or "")[:200],
        "sent": _when(entry.get("published_parsed")) or _when(_updated(entry)) or received_at,
        "received_at": received_at,
        "countries": [c for c in countries if is_country_code(c)] or countries,
        "areas": areas,
        "level": level,
        "native_level": native,
        "severity": severity,
        "urgency": urgency,
        "certainty": certainty,
        "event": event,
        "content": {
            language: {
                "headline": cut(title or first_sentences(body, 120), HEADLINE_MAX),
                "summary": first_sentences(body),
                "body": body,
                "instruction": instruction,
                "web": link,
            }
        },
        "hotlines": hotlines,
    }
    return _seal(record, f"feed: {where}")


def _feed_host(loaded: _LoadedFeed) -> str:
    feed = loaded.parsed.get("feed", {})
    for candidate in (
        feed.get("link"),
        *(link.get("href") for link in feed.get("links") or []),
        feed.get("id"),
        *(e.get("link") for e in loaded.parsed.get("entries") or []),
    ):
        host = _host(_http_url(candidate))
        if host:
            return host
    return ""


def parse_feed(
    data: bytes,
    *,
    received_at: datetime,
    source: str | None = None,
    default_countries: Sequence[str] | None = None,
    default_level: int = 2,
    ministry_country: str = "KG",
    kind: Literal["auto", "rss", "atom", "us-state"] = "auto",
) -> FeedResult:
    """An RSS or Atom feed -> advisories, CAP links and warnings.

    Entries with an inline CAP alert are read as CAP (source "cap" unless `source` is
    given); entries linking to CAP documents (type application/cap+xml, a .cap file, or
    the items of a CAP index feed) go to `cap_links`; other entries become one advisory
    each, skipped with a warning when no country can be told. The feed of the ministry's
    own country (its link's domain is in `ministry_country`) is read like ministry posts.
    """
    loaded = _load_feed(data)
    if kind == "us-state" or (kind == "auto" and looks_like_us_state_feed(loaded.parsed)):
        return _us_state(loaded, received_at=received_at, source=source or "us-state")
    warnings = loaded.warnings
    feed = loaded.parsed.get("feed", {})
    host = _feed_host(loaded)
    feed_country = country_from_domain(host) if host else None
    own_feed = feed_country == ministry_country.upper() or (source or "").startswith("mfa-")
    news_source = source or (f"feed:{host}"[:64] if host else "feed")
    cap_index = _is_cap_index(loaded)
    advisories: list[Advisory] = []
    cap_links: list[str] = []
    entries = _bounded_entries(loaded)
    for number, (entry, xml_entry) in enumerate(
        zip(entries, loaded.xml_entries[: len(entries)], strict=True), start=1
    ):
        label = f"entry {number}"
        try:
            alert = _embedded_alert(xml_entry) if xml_entry is not None else None
            if alert is not None:
                advisories.append(
                    cap_from_element(
                        alert,
                        received_at=received_at,
                        source=source or "cap",
                        default_countries=default_countries,
                        warnings=warnings,
                    )
                )
                continue
            links = _entry_cap_links(entry, cap_index)
            if links and (xml_entry is None or not _cap_children(xml_entry)):
                cap_links.extend(link for link in links if link not in cap_links)
                continue
            advisory = _news_advisory(
                entry,
                xml_entry,
                feed=feed,
                received_at=received_at,
                source=news_source,
                feed_country=feed_country,
                own_feed=own_feed,
                default_countries=default_countries,
                default_level=default_level,
                ministry_country=ministry_country,
                warnings=warnings,
            )
        except UnsafeXMLError:
            raise
        except NormalizationError as error:
            warnings.append(f"feed: {label}: {error}; skipped")
            continue
        if advisory is not None:
            advisories.append(advisory)
    return FeedResult(advisories, cap_links, warnings)


# --- US State Department --------------------------------------------------------------------

_US_STATE_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*travel\.state\.gov$")
_TITLE_LEVEL = re.compile(r"\s*[-–—]\s*Level\s*([1-4])\s*:\s*(.+?)\s*$", re.IGNORECASE)
_TAG_LEVEL = re.compile(r"^\s*Level\s*([1-4])\s*:\s*(.+?)\s*$", re.IGNORECASE)


def looks_like_us_state_feed(parsed: Mapping[str, Any]) -> bool:
    """RSS whose channel link, or most of whose items, are on travel.state.gov."""
    feed = parsed.get("feed", {})
    if _US_STATE_HOST.match(_host(_http_url(feed.get("link")))):
        return True
    entries = parsed.get("entries") or []
    on_site = sum(1 for e in entries if _US_STATE_HOST.match(_host(_http_url(e.get("link")))))
    return bool(entries) and on_site * 2 > len(entries)


def _title_countries(name: str) -> list[str]:
    whole = country_from_name(name)
    if whole:
        return [whole]
    parts = [p for p in re.split(r"\s*(?:,|&|/)\s*", name) if p]
    return [c for c in (country_from_name(p) for p in parts) if c] if len(parts) > 1 else []


def _dc_identifier(entry: Mapping[str, Any]) -> str:
    return str(entry.get("dc_identifier") or "").strip()


def _us_state_item(
    entry: Mapping[str, Any],
    *,
    received_at: datetime,
    source: str,
    warnings: list[str],
    shared_identifiers: frozenset[str] = frozenset(),
) -> Advisory | None:
    title = " ".join(str(entry.get("title") or "").split())
    tags = entry.get("tags") or []
    level_tag = next(
        (str(t.get("term")) for t in tags if str(t.get("scheme")) == "Threat-Level"), ""
    )
    match = _TAG_LEVEL.match(level_tag) or _TITLE_LEVEL.search(title)
    if match is None:
        warnings.append(f"us-state: {cut(title, 60)!r}: no 'Level N' in its title or tags; skipped")
        return None
    level, wording = int(match[1]), match[2].strip()
    title_match = _TITLE_LEVEL.search(title)
    name = title[: title_match.start()] if title_match else title
    name = re.sub(r"\s*[-–—]\s*See Summaries\s*$|\s+Travel Advisory\s*$", "", name).strip()

    codes: list[str] = []
    for tag in tags:
        if str(tag.get("scheme")) != "Country-Tag":
            continue
        term = str(tag.get("term") or "").strip()
        mapped = fips_to_iso(term)
        if not mapped:
            warnings.append(f"us-state: {name!r}: unknown Country-Tag {term!r}")
        codes.extend(mapped)
    codes.extend(_title_countries(name))
    countries = list(dict.fromkeys(codes))
    outside = [c for c in countries if not is_country_code(c)]
    countries = [c for c in countries if is_country_code(c)]
    if not countries:
        reason = (
            f"{', '.join(outside)} is not an ISO 3166-1 code the advisory contract accepts"
            if outside
            else "no Country-Tag and no country name in the title"
        )
        warnings.append(f"us-state: {name!r}: {reason}; skipped")
        return None

    link = _http_url(entry.get("link"))
    identifier = _dc_identifier(entry) or link or title
    if identifier in shared_identifiers and link:
        # dc:identifier is the Country-Tag: the State Department gives one tag to several
        # destinations (A1: Bonaire, Sint Eustatius, Saba), which are separate advisories.
        identifier = f"{identifier} {link}"
    summary_detail = entry.get("summary_detail") or {}
    raw = str(entry.get("summary") or "")
    body = html_to_text(raw) if "html" in str(summary_detail.get("type") or "html") else raw
    native = f"Level {level}: {wording}"
    record: dict[str, Any] = {
        "advisory_id": advisory_id_for(source, identifier),
        "version": 1,
        "source": source,
        "source_id": cut(identifier, 500),
        "source_url": link,
        "sender": "travel.state.gov",
        "sent": _when(entry.get("published_parsed")) or _when(_updated(entry)) or received_at,
        "received_at": received_at,
        "countries": countries,
        "level": level,
        "native_level": native,
        "event": "Travel Advisory",
        "content": {
            "en": {
                "headline": cut(title, HEADLINE_MAX),
                "summary": first_sentences(body),
                "body": body,
                "instruction": wording.rstrip(".") + ".",
                "web": link,
            }
        },
    }
    return _seal(record, f"us-state: {name!r}")


def _us_state(loaded: _LoadedFeed, *, received_at: datetime, source: str) -> FeedResult:
    warnings = loaded.warnings
    advisories: list[Advisory] = []
    entries = _bounded_entries(loaded)
    seen: set[str] = set()
    shared: set[str] = set()
    for entry in entries:
        identifier = _dc_identifier(entry)
        (shared if identifier in seen else seen).add(identifier)
    for entry in entries:
        try:
            advisory = _us_state_item(
                entry,
                received_at=received_at,
                source=source,
                warnings=warnings,
                shared_identifiers=frozenset(shared),
            )
        except NormalizationError as error:
            warnings.append(f"us-state: {error}; skipped")
            continue
        if advisory is not None:
            advisories.append(advisory)
    return FeedResult(advisories, [], warnings)


def parse_us_state(data: bytes, *, received_at: datetime, source: str = "us-state") -> FeedResult:
    """The travel.state.gov travel-advisory RSS -> one advisory per country item."""
    return _us_state(_load_feed(data), received_at=received_at, source=source)


# --- GOV.UK FCDO travel advice --------------------------------------------------------------

#: FCDO alert_status values -> level; an item takes the highest of its values, 1 for none.
FCDO_LEVELS: dict[str, int] = {
    "avoid_all_travel_to_whole_country": 4,
    "avoid_all_travel_to_parts": 3,
    "avoid_all_but_essential_travel_to_whole_country": 3,
    "avoid_all_but_essential_travel_to_parts": 2,
}


def is_fcdo_item(item: object) -> bool:
    """A GOV.UK Content Store travel-advice item (document_type or schema_name)."""
    return isinstance(item, dict) and (
        item.get("document_type") == "travel_advice" or item.get("schema_name") == "travel_advice"
    )


def _fcdo_text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise NormalizationError(f"FCDO: {where} is not a string")
    return value


def parse_fcdo(
    item: Mapping[str, Any], *, received_at: datetime, source: str = "gb-fcdo"
) -> FeedResult:
    """A GOV.UK FCDO travel-advice content item (parsed JSON) -> one advisory.

    A withdrawn item (a non-empty ``withdrawn_notice``) becomes a cancel of the advisory
    with the withdrawal explanation first in its body.
    """
    if not is_fcdo_item(item):
        raise NormalizationError("FCDO: not a travel_advice content item")
    warnings: list[str] = []
    details = item.get("details")
    if not isinstance(details, dict):
        raise NormalizationError("FCDO: details is missing or not an object")
    country_info = details.get("country")
    if not isinstance(country_info, dict):
        raise NormalizationError("FCDO: details.country is missing or not an object")
    name = _fcdo_text(country_info.get("name"), "details.country.name")
    slug = _fcdo_text(country_info.get("slug"), "details.country.slug")
    country = (name and country_from_name(name)) or (
        slug and country_from_name(slug.replace("-", " "))
    )
    if not country or not is_country_code(country):
        raise NormalizationError(
            f"FCDO: details.country {name or slug!r} is not an ISO 3166-1 country"
        )

    statuses = details.get("alert_status") or []
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise NormalizationError("FCDO: details.alert_status is not a list of strings")
    level = 1
    for status in statuses:
        if status in FCDO_LEVELS:
            level = max(level, FCDO_LEVELS[status])
        else:
            warnings.append(f"FCDO: unknown alert_status {status!r}; ignored")

    parts = details.get("parts") or []
    if not isinstance(parts, list):
        raise NormalizationError("FCDO: details.parts is not a list")
    sections: list[str] = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise NormalizationError(f"FCDO: details.parts[{index}] is not an object")
        part_title = _fcdo_text(part.get("title"), f"details.parts[{index}].title").strip()
        part_body = html_to_text(_fcdo_text(part.get("body"), f"details.parts[{index}].body"))
        section = "\n".join(s for s in (part_title, part_body) if s)
        if section:
            sections.append(section)

    msg_type = "alert"
    notice = item.get("withdrawn_notice")
    if isinstance(notice, dict) and (notice.get("explanation") or notice.get("withdrawn_at")):
        msg_type = "cancel"
        explanation = html_to_text(_fcdo_text(notice.get("explanation"), "withdrawn_notice"))
        withdrawn_at = _fcdo_text(notice.get("withdrawn_at"), "withdrawn_notice.withdrawn_at")
        heading = "Withdrawn" + (f" on {withdrawn_at[:10]}" if withdrawn_at else "")
        sections.insert(0, f"{heading}: {explanation}" if explanation else heading)

    title = " ".join(_fcdo_text(item.get("title"), "title").split())
    description = " ".join(_fcdo_text(item.get("description"), "description").split())
    base_path = _fcdo_text(item.get("base_path"), "base_path").strip()
    web = "https://www.gov.uk" + base_path if base_path.startswith("/") else ""
    content_id = _fcdo_text(item.get("content_id"), "content_id").strip()
    source_id = content_id or base_path or f"country:{country}"
    sent = _iso_time(item.get("public_updated_at")) or _iso_time(item.get("updated_at"))
    if sent is None:
        warnings.append("FCDO: no public_updated_at; sent = received_at")
        sent = received_at
    advisory_id = advisory_id_for(source, cut(source_id, 500))
    language = normalize_language_tag(str(item.get("locale") or "en")) or "en"
    record: dict[str, Any] = {
        "advisory_id": advisory_id,
        "version": 1,
        "source": source,
        "source_id": cut(source_id, 500),
        "source_url": web,
        "sender": "Foreign, Commonwealth & Development Office",
        "sent": sent,
        "received_at": received_at,
        "msg_type": msg_type,
        "references": [advisory_id] if msg_type == "cancel" else [],
        "countries": [country],
        "level": level,
        "native_level": ", ".join(statuses),
        "event": "Travel advice",
        "content": {
            language: {
                "headline": cut(title or f"{name} travel advice", HEADLINE_MAX),
                "summary": cut(description, 300),
                "body": "\n\n".join(sections),
                "instruction": _fcdo_text(
                    details.get("change_description"), "details.change_description"
                ).strip(),
                "web": web,
            }
        },
    }
    return FeedResult([_seal(record, "FCDO")], [], warnings)

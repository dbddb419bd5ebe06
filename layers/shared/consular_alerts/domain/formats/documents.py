"""Any published document -> normalized advisories: format detection and dispatch. Pure.

Formats (FORMATS):

========  =====================================================================
cap       a CAP 1.0/1.1/1.2 alert (formats.cap)
rss       RSS 2.0 / 1.0 feed (formats.syndication), including CAP index feeds
atom      Atom feed (formats.syndication), including feeds with CAP inline
us-state  the travel.state.gov travel-advisory RSS (formats.us_state)
fcdo      a GOV.UK FCDO travel-advice content item, JSON (formats.fcdo)
json      a ministry JSON advisory with explicit fields (models.publisher.AdvisoryDraft)
text      a ministry post as plain text (models.publisher.TextPost; formats.ministry)
html      a ministry post as HTML (models.publisher.TextPost; formats.ministry)
========  =====================================================================

Every defect in the input surfaces as NormalizationError with a one-line message saying
what and where; defects worked around are returned as `warnings` for the caller to log.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from consular_alerts.defaults import MINISTRY_SOURCE
from consular_alerts.domain.formats.cap import parse_cap
from consular_alerts.domain.formats.fcdo import is_fcdo_item, parse_fcdo
from consular_alerts.domain.formats.json_shapes import looks_like, unsupported_format
from consular_alerts.domain.formats.syndication import parse_feed
from consular_alerts.domain.formats.xml import MAX_DOCUMENT_BYTES
from consular_alerts.domain.normalize import (
    describe_validation_error,
    normalize_draft,
    normalize_text_post,
)
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.publisher import AdvisoryDraft, PostMetadata, TextPost

__all__ = [
    "FORMATS",
    "DocumentResult",
    "detect_format",
    "normalize_document",
]

FORMATS = ("cap", "rss", "atom", "fcdo", "us-state", "json", "text", "html")


@dataclass(frozen=True)
class DocumentResult:
    advisories: list[Advisory]
    cap_links: list[str] = field(default_factory=list)  # CAP documents an index links to
    warnings: list[str] = field(default_factory=list)  # defects worked around; to be logged


# --- Detection ------------------------------------------------------------------------------

_SNIFF_BYTES = 64 * 1024
_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
_HTML_ROOTS = frozenset(
    {
        "html", "head", "body", "div", "p", "span", "section", "article", "main", "header",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "b", "i",
        "strong", "em", "a", "br", "meta", "title", "font", "center", "pre", "blockquote",
    }
)  # fmt: skip
_US_STATE = re.compile(r"https?://(?:[a-z0-9-]+\.)*travel\.state\.gov", re.IGNORECASE)
_SUFFIXES = {
    ".cap": "cap",
    ".atom": "atom",
    ".rss": "rss",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}


def _head_text(data: bytes) -> str:
    """The start of the document as text, for sniffing only (never for parsing)."""
    head = data[:_SNIFF_BYTES]
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(codec, errors="replace")
    if head[:4] in (b"<\x00?\x00", b"<\x00!\x00"):
        return head.decode("utf-16-le", errors="replace")
    if head[:4] in (b"\x00<\x00?", b"\x00<\x00!"):
        return head.decode("utf-16-be", errors="replace")
    return head.decode("utf-8", errors="replace")


def _markup_format(head: str, filename: str) -> str:
    position = 0
    while True:
        item = _PROLOG.match(head, position)
        if item is None or item.end() == position:
            break
        position = item.end()
    root = _ROOT.match(head, position)
    if root is None:
        return "html"
    name = root[1]
    local = name.rsplit(":", 1)[-1]
    if local in ("alert", "EDXLDistribution"):
        return "cap"
    if local == "feed":
        return "atom"
    if local in ("rss", "RDF"):
        return "us-state" if _US_STATE.search(head[:8192]) else "rss"
    if _looks_like_html(local) or filename.lower().endswith((".html", ".htm")):
        return "html"
    if "urn:oasis:names:tc:emergency:cap" in head:
        return "cap"  # an alert wrapped in another envelope; parse_cap finds it
    raise NormalizationError(
        f"document: XML with root <{name}> is not CAP, RSS or Atom; give the format"
    )


def _looks_like_html(local: str) -> bool:
    return local.lower() in _HTML_ROOTS


def _detect(data: bytes, filename: str) -> tuple[str, Any]:
    """(format, parsed JSON when the document is JSON)."""
    head = _head_text(data).lstrip("\ufeff \t\r\n")
    if not head:
        raise NormalizationError("document is empty")
    if head[0] in "{[":
        try:
            parsed = json.loads(data)
        except RecursionError as error:
            raise NormalizationError("JSON: nested too deeply") from error
        except ValueError:
            # Named .json: JSON with an error, which the JSON path reports; else a post
            # that starts like "[URGENT] ...".
            return ("json" if filename.lower().endswith(".json") else "text"), None
        return ("fcdo" if is_fcdo_item(parsed) else "json"), parsed
    if head[0] == "<":
        return _markup_format(head, filename), None
    for suffix, format_ in _SUFFIXES.items():
        if filename.lower().endswith(suffix) and format_ in ("text", "html"):
            return format_, None
    if "\x00" in head:
        raise NormalizationError("document is binary (NUL bytes), not a text format")
    return "text", None


def detect_format(data: bytes, filename: str = "") -> str:
    """One of FORMATS, from the bytes (the filename only breaks ties between text and
    HTML). Raises NormalizationError for an empty document, unknown XML or binary data."""
    return _detect(bytes(data), filename)[0]


# --- Normalization --------------------------------------------------------------------------


def _json_error(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"JSON: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
    return f"JSON: {error}"


def _decode_post(data: bytes, warnings: list[str]) -> str:
    """A ministry post's bytes as text: UTF-8 (with or without BOM, or UTF-16 with a BOM);
    else windows-1251 when that reads as Cyrillic, else windows-1252, with a warning."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise NormalizationError(f"text: not valid UTF-16 ({error.reason})") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first_bad = f"byte 0x{data[error.start]:02x} at offset {error.start}"
    cyrillic = data.decode("windows-1251", errors="replace")
    letters = [c for c in cyrillic if c.isalpha()]
    if letters and sum("\u0400" <= c <= "\u04ff" for c in letters) * 2 > len(letters):
        warnings.append(f"text: not UTF-8 ({first_bad}); decoded as windows-1251")
        return cyrillic
    warnings.append(f"text: not UTF-8 ({first_bad}); decoded as windows-1252")
    return data.decode("windows-1252", errors="replace")


def _ministry_items(
    format_: str,
    data: bytes,
    parsed_json: Any,
    *,
    received_at: datetime,
    source: str | None,
    default_countries: Sequence[str] | None,
    default_level: int,
    ministry_country: str,
    warnings: list[str],
) -> list[Advisory]:
    default_source = source or MINISTRY_SOURCE
    items: list[AdvisoryDraft | TextPost] = []
    try:
        if format_ == "json":
            if parsed_json is None:
                try:
                    parsed_json = json.loads(data)
                except RecursionError as error:
                    raise NormalizationError("JSON: nested too deeply") from error
                except ValueError as error:
                    raise NormalizationError(_json_error(error)) from error
            objects = parsed_json if isinstance(parsed_json, list) else [parsed_json]
            if not objects:
                raise NormalizationError("JSON: an empty list holds no advisory")
            for index, obj in enumerate(objects):
                if not isinstance(obj, dict):
                    raise NormalizationError(
                        f"JSON{f'[{index}]' if len(objects) > 1 else ''}: an advisory must be "
                        "an object"
                    )
                shape = looks_like(obj)
                if shape is not None:
                    where = f"JSON[{index}]" if len(objects) > 1 else "JSON"
                    raise NormalizationError(f"{where}: {unsupported_format(shape)}")
                if "countries" not in obj and default_countries:
                    obj = {**obj, "countries": list(default_countries)}
                try:
                    items.append(AdvisoryDraft.model_validate(obj))
                except ValidationError as error:
                    prefix = f"JSON[{index}]: " if len(objects) > 1 else "JSON: "
                    raise NormalizationError(prefix + describe_validation_error(error)) from error
        else:
            text = _decode_post(data, warnings)
            metadata = PostMetadata(
                countries=list(default_countries) if default_countries else None,
                source=source,
            )
            items.append(TextPost(text=text, format=format_, metadata=metadata))
    except ValidationError as error:
        raise NormalizationError(f"{format_} post: {describe_validation_error(error)}") from error
    return [
        normalize_text_post(
            item,
            received_at=received_at,
            ministry_country=ministry_country,
            default_source=default_source,
            default_level=default_level,
            warnings=warnings,
        )
        if isinstance(item, TextPost)
        else normalize_draft(item, received_at=received_at, default_source=default_source)
        for item in items
    ]


def normalize_document(
    data: bytes,
    *,
    received_at: datetime,
    format: str | None = None,
    source: str | None = None,
    default_countries: list[str] | None = None,
    default_level: int = 2,
    ministry_country: str = "KG",
) -> DocumentResult:
    """A published document (bytes) -> its advisories, the CAP documents it links to, and
    the defects worked around. `format` None: detected (detect_format).

    `default_countries` apply where the document does not tell the country; `source`
    overrides the source name ("cap", "us-state", "gb-fcdo", "feed:<host>", "mfa-kg").
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise NormalizationError(
            f"document is {len(data)} bytes; at most {MAX_DOCUMENT_BYTES} are accepted"
        )
    if not data.strip():
        raise NormalizationError("document is empty")
    parsed_json: Any = None
    if format is None:
        format, parsed_json = _detect(data, "")
    elif format not in FORMATS:
        raise NormalizationError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    warnings: list[str] = []

    if format == "cap":
        advisory = parse_cap(
            data,
            received_at=received_at,
            source=source or "cap",
            default_countries=default_countries,
            warnings=warnings,
        )
        return DocumentResult([advisory], [], warnings)
    if format in ("rss", "atom", "us-state"):
        result = parse_feed(
            data,
            received_at=received_at,
            source=source,
            default_countries=default_countries,
            default_level=default_level,
            ministry_country=ministry_country,
            kind="us-state" if format == "us-state" else "auto",
        )
        return DocumentResult(result.advisories, result.cap_links, result.warnings)
    if format == "fcdo":
        if parsed_json is None:
            try:
                parsed_json = json.loads(data)
            except (ValueError, RecursionError) as error:
                raise NormalizationError(f"FCDO: {_json_error(error)}") from error
        if not isinstance(parsed_json, dict):
            raise NormalizationError("FCDO: the document is not a JSON object")
        result = parse_fcdo(parsed_json, received_at=received_at, source=source or "gb-fcdo")
        return DocumentResult(result.advisories, [], result.warnings)
    advisories = _ministry_items(
        format,
        data,
        parsed_json,
        received_at=received_at,
        source=source,
        default_countries=default_countries,
        default_level=default_level,
        ministry_country=ministry_country,
        warnings=warnings,
    )
    return DocumentResult(advisories, [], warnings)

"""A feed document (RSS 2.0, RSS 1.0, Atom) read safely: feedparser's view of it beside the
raw XML entries (for what feedparser flattens, such as inline CAP), with the size limit,
DTD refusal and encoding repair of formats/xml.py, nesting and entry bounds. Pure:
feedparser is only ever given bytes in memory, never a URL or a path.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import feedparser  # type: ignore[import-untyped]

from consular_alerts.domain.formats.xml import (
    UnsafeXMLError,
    parse_repaired_xml,
    repair_xml_encoding,
    split_tag,
)
from consular_alerts.errors import NormalizationError

#: Entries read per feed; the rest are left with a warning (work per document is bounded).
MAX_FEED_ENTRIES = 1000
#: Deeper nesting is refused before feedparser sees it: its time grows faster than the
#: input on deeply nested content (seconds for a few hundred kilobytes).
MAX_NESTING = 100


@dataclass
class LoadedFeed:
    """A feed as feedparser reads it, its XML root and entries (None where unread)."""

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


def load_feed(data: bytes) -> LoadedFeed:
    """Read a feed document; NormalizationError when it cannot be read or is hostile."""
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
    return LoadedFeed(parsed, root, xml_entries, warnings)


def bounded_entries(loaded: LoadedFeed) -> list[Any]:
    """The first MAX_FEED_ENTRIES entries, with a warning when there are more."""
    entries = list(loaded.parsed.get("entries") or [])
    if len(entries) > MAX_FEED_ENTRIES:
        loaded.warnings.append(f"feed: {len(entries)} entries; read the first {MAX_FEED_ENTRIES}")
    return entries[:MAX_FEED_ENTRIES]

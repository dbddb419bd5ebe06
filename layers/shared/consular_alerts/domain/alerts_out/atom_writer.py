"""An Atom 1.0 feed (RFC 4287), as CAP aggregators read an authority's index. Pure: no I/O.

The same entries give the same bytes (nothing here reads the clock), so a feed rewritten
without a change keeps its ETag and an aggregator's conditional GET stays a 304.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # writing only: reading is defusedxml's (formats/feeds.py)
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

ATOM = "http://www.w3.org/2005/Atom"
ATOM_CONTENT_TYPE = "application/atom+xml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class AtomLink:
    href: str
    rel: str = "alternate"
    type: str = ""


@dataclass(frozen=True)
class AtomEntry:
    id: str
    title: str
    updated: datetime
    language: str = ""
    summary: str = ""
    links: Sequence[AtomLink] = ()
    categories: Sequence[tuple[str, str]] = ()  # (term, label)


@dataclass(frozen=True)
class AtomFeed:
    id: str
    title: str
    updated: datetime
    author: str
    links: Sequence[AtomLink] = ()
    entries: Sequence[AtomEntry] = field(default_factory=list)


def atom_time(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# Names unqualified under an xmlns attribute on the root: ElementTree's default_namespace
# refuses the unqualified attributes (rel, href) Atom elements carry.
def _add(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, name)
    if text is not None:
        child.text = text
    return child


def _link(parent: ET.Element, link: AtomLink) -> None:
    attributes = {"rel": link.rel, "href": link.href}
    if link.type:
        attributes["type"] = link.type
    ET.SubElement(parent, "link", attributes)


def write_atom(feed: AtomFeed) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM})
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    _add(root, "updated", atom_time(feed.updated))
    author = _add(root, "author")
    _add(author, "name", feed.author)
    for link in feed.links:
        _link(root, link)
    for entry in feed.entries:
        item = _add(root, "entry")
        _add(item, "id", entry.id)
        title = _add(item, "title", entry.title)
        if entry.language:
            title.set(_XML_LANG, entry.language)
        _add(item, "updated", atom_time(entry.updated))
        for link in entry.links:
            _link(item, link)
        for term, label in entry.categories:
            ET.SubElement(item, "category", {"term": term, "label": label})
        if entry.summary:
            summary = _add(item, "summary", entry.summary)
            if entry.language:
                summary.set(_XML_LANG, entry.language)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document

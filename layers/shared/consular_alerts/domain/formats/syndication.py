"""RSS 2.0 / RSS 1.0 / Atom feeds -> normalized advisories. Pure: no I/O (feed_loading.py
reads the bytes).

* RSS 2.0 / RSS 1.0 / Atom (feedparser; the raw XML is also read with defusedxml for what
  feedparser flattens): entries that carry a CAP alert inline are read as CAP; entries that
  link to CAP documents become `cap_links` for the poller; other entries become one
  advisory each (a news item of a government or of the ministry itself).
* a feed of the US State Department is recognised and read by us_state.py.

A defect that can be worked around (an encoding declaration the bytes do not match, a feed
that is not well-formed but that feedparser recovers, an entry without a country) is
reported in `warnings`; an entry that cannot become an advisory is skipped with a warning;
only a document that cannot be read at all, or that is hostile (a DTD), raises
NormalizationError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from consular_alerts.domain.formats.cap import cap_from_element
from consular_alerts.domain.formats.cap_areas import parse_cap_area
from consular_alerts.domain.formats.cap_elements import CAP_NAMESPACES, find_cap_alert
from consular_alerts.domain.formats.cap_info import cap_level
from consular_alerts.domain.formats.feed_loading import LoadedFeed, bounded_entries, load_feed
from consular_alerts.domain.formats.feed_records import (
    FeedResult,
    entry_sent,
    http_url,
    seal,
    url_host,
)
from consular_alerts.domain.formats.ministry import TextExtractionError, extract_post
from consular_alerts.domain.formats.scales import scale_level
from consular_alerts.domain.formats.senders import country_from_domain
from consular_alerts.domain.formats.us_state import looks_like_us_state_feed, read_us_state
from consular_alerts.domain.formats.xml import UnsafeXMLError, load_xml, split_tag
from consular_alerts.domain.identity import advisory_id_for, text_fingerprint
from consular_alerts.domain.language.detection import guess_language
from consular_alerts.domain.language.html import clean_text, html_to_text
from consular_alerts.domain.language.levels import LEVEL_BY_DEFAULT, level_from_text
from consular_alerts.domain.language.places import rank_countries
from consular_alerts.domain.language.sentences import first_sentences
from consular_alerts.domain.language.tags import normalize_language_tag
from consular_alerts.domain.language.wording import cut
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import HEADLINE_MAX, Advisory
from consular_alerts.models.base import is_country_code


def _path(url: str) -> str:
    try:
        return urlsplit(url).path.lower()
    except ValueError:
        return ""


def _is_cap_index(loaded: LoadedFeed) -> bool:
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
        href = http_url(link.get("href"))
        if not href:
            continue
        kind = str(link.get("type") or "").lower()
        if "cap+xml" in kind or _path(href).endswith(".cap"):
            links.append(href)
    if links or not cap_index:
        return list(dict.fromkeys(links))
    for candidate in (entry.get("link"), entry.get("id") if entry.get("guidislink") else None):
        href = http_url(candidate)
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
    return guess_language(text)


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
    link = http_url(entry.get("link"))
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
        warnings.extend(f"feed: {where}: {warning}" for warning in extracted.warnings)
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
    level_reason: str | None = None
    if severity in ("Extreme", "Severe", "Moderate", "Minor", "Unknown"):
        level = cap_level(severity, urgency, certainty)
        native = "/".join(v for v in (severity, urgency, certainty) if v)
    elif scale is not None:
        level, native = scale
    else:
        # Free text: the item's own words (domain/language/levels.py), else the default.
        cue = level_from_text(text)
        level, native = (cue.level, "") if cue else (default_level, "")
        level_reason = cue.reason() if cue else LEVEL_BY_DEFAULT
    raw_id = str(entry.get("id") or link or "")
    source_id = raw_id if 0 < len(raw_id) <= 500 else text_fingerprint(text)
    record: dict[str, Any] = {
        "advisory_id": advisory_id_for(source, source_id),
        "version": 1,
        "source": source,
        "source_id": source_id,
        "source_url": link,
        "sender": str(entry.get("author") or feed.get("author") or "")[:200],
        "sent": entry_sent(entry, received_at),
        "received_at": received_at,
        "countries": [c for c in countries if is_country_code(c)] or countries,
        "areas": areas,
        "level": level,
        "level_reason": level_reason,
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
    return seal(record, f"feed: {where}")


def _feed_host(loaded: LoadedFeed) -> str:
    feed = loaded.parsed.get("feed", {})
    for candidate in (
        feed.get("link"),
        *(link.get("href") for link in feed.get("links") or []),
        feed.get("id"),
        *(e.get("link") for e in loaded.parsed.get("entries") or []),
    ):
        host = url_host(http_url(candidate))
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
    loaded = load_feed(data)
    if kind == "us-state" or (kind == "auto" and looks_like_us_state_feed(loaded.parsed)):
        return read_us_state(loaded, received_at=received_at, source=source or "us-state")
    warnings = loaded.warnings
    feed = loaded.parsed.get("feed", {})
    host = _feed_host(loaded)
    feed_country = country_from_domain(host) if host else None
    own_feed = feed_country == ministry_country.upper() or (source or "").startswith("mfa-")
    news_source = source or (f"feed:{host}"[:64] if host else "feed")
    cap_index = _is_cap_index(loaded)
    advisories: list[Advisory] = []
    cap_links: list[str] = []
    entries = bounded_entries(loaded)
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

"""The US State Department travel-advisory RSS (travel.state.gov) -> one advisory per
country item: level 1-4 from the "Threat-Level" category or the title, countries from the
FIPS 10-4 "Country-Tag" (language/countries.py) and the title. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from consular_alerts.domain.formats.feed_loading import LoadedFeed, bounded_entries, load_feed
from consular_alerts.domain.formats.feed_records import (
    FeedResult,
    feed_date,
    http_url,
    possible_entry_sent,
    seal,
    url_host,
)
from consular_alerts.domain.identity import advisory_id_for
from consular_alerts.domain.language.countries import country_from_name, fips_to_iso
from consular_alerts.domain.language.html import html_to_text
from consular_alerts.domain.language.sentences import first_sentences
from consular_alerts.domain.language.wording import cut
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import HEADLINE_MAX, Advisory
from consular_alerts.models.base import is_country_code

_US_STATE_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*travel\.state\.gov$")
_TITLE_LEVEL = re.compile(r"\s*[-–—]\s*Level\s*([1-4])\s*:\s*(.+?)\s*$", re.IGNORECASE)
_TAG_LEVEL = re.compile(r"^\s*Level\s*([1-4])\s*:\s*(.+?)\s*$", re.IGNORECASE)


def looks_like_us_state_feed(parsed: Mapping[str, Any]) -> bool:
    """RSS whose channel link, or most of whose items, are on travel.state.gov."""
    feed = parsed.get("feed", {})
    if _US_STATE_HOST.match(url_host(http_url(feed.get("link")))):
        return True
    entries = parsed.get("entries") or []
    on_site = sum(1 for e in entries if _US_STATE_HOST.match(url_host(http_url(e.get("link")))))
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
    feed_sent: datetime | None = None,
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

    link = http_url(entry.get("link"))
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
        "sent": possible_entry_sent(
            entry, received_at, feed_sent=feed_sent, where=f"us-state: {name!r}", warnings=warnings
        ),
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
    return seal(record, f"us-state: {name!r}")


def read_us_state(loaded: LoadedFeed, *, received_at: datetime, source: str) -> FeedResult:
    """The advisories of a loaded State Department feed (parse_feed detects one)."""
    warnings = loaded.warnings
    advisories: list[Advisory] = []
    entries = bounded_entries(loaded)
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
                feed_sent=feed_date(loaded.parsed),
            )
        except NormalizationError as error:
            warnings.append(f"us-state: {error}; skipped")
            continue
        if advisory is not None:
            advisories.append(advisory)
    return FeedResult(advisories, [], warnings)


def parse_us_state(data: bytes, *, received_at: datetime, source: str = "us-state") -> FeedResult:
    """The travel.state.gov travel-advisory RSS -> one advisory per country item."""
    return read_us_state(load_feed(data), received_at=received_at, source=source)

"""What the feed formats (RSS/Atom, US State Department, GOV.UK FCDO) share in turning items
into advisories: the result type, the values read from feedparser's entries (http links,
hosts, when sent) and sealing a record with the format's name in any error. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from consular_alerts.domain.normalize import describe_validation_error, sealed
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.plaintext import FIRST_YEAR, LAST_YEAR


@dataclass(frozen=True)
class FeedResult:
    """Advisories read from a document, the CAP documents it links to, defects worked around."""

    advisories: list[Advisory] = field(default_factory=list)
    cap_links: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def http_url(value: object) -> str:
    """`value` when it is an http(s) URL, else ""."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return value if value.lower().startswith(("http://", "https://")) else ""


def _entry_time(value: object) -> datetime | None:
    """A feedparser time tuple as an aware UTC datetime (None if absent or impossible)."""
    if not isinstance(value, struct_time | tuple) or len(value) < 6:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _updated_parsed(entry: Mapping[str, Any]) -> object:
    """An entry's own updated_parsed: feedparser's get() falls back to published_parsed
    with a DeprecationWarning; read the key itself."""
    if isinstance(entry, dict):
        return dict.get(entry, "updated_parsed")
    return entry.get("updated_parsed")


def entry_sent(entry: Mapping[str, Any], received_at: datetime) -> datetime:
    """When a feed entry was published, else last updated, else `received_at`."""
    return (
        _entry_time(entry.get("published_parsed"))
        or _entry_time(_updated_parsed(entry))
        or received_at
    )


def _possible(moment: datetime | None) -> bool:
    return moment is not None and FIRST_YEAR <= moment.year <= LAST_YEAR


def feed_date(parsed: Mapping[str, Any]) -> datetime | None:
    """When the feed itself says it was published or built (RSS pubDate, lastBuildDate)."""
    feed = parsed.get("feed") or {}
    return _entry_time(feed.get("published_parsed")) or _entry_time(_updated_parsed(feed))


def possible_entry_sent(
    entry: Mapping[str, Any],
    received_at: datetime,
    *,
    feed_sent: datetime | None,
    where: str,
    warnings: list[str],
) -> datetime:
    """`entry_sent`, except that an impossible date (1970, from a zero timestamp) gives way
    to the entry's other date, then the feed's own date, then `received_at`, with a warning:
    the item is kept, not lost for its date."""
    published = _entry_time(entry.get("published_parsed"))
    updated = _entry_time(_updated_parsed(entry))
    given = [moment for moment in (published, updated) if moment is not None]
    if not given or _possible(given[0]):
        return given[0] if given else received_at
    for moment, whose in ((updated, "its update date"), (feed_sent, "the feed's date")):
        if _possible(moment) and moment is not None:
            warnings.append(
                f"{where}: date {given[0]:%Y-%m-%d} is impossible; took {whose} {moment:%Y-%m-%d}"
            )
            return moment
    warnings.append(
        f"{where}: date {given[0]:%Y-%m-%d} is impossible; took the time it was received"
    )
    return received_at


def seal(record: dict[str, Any], what: str) -> Advisory:
    """The record as a sealed Advisory; NormalizationError "<what>: <fields>" if it does not fit."""
    try:
        return sealed({k: v for k, v in record.items() if v is not None})
    except ValidationError as error:
        raise NormalizationError(f"{what}: {describe_validation_error(error)}") from error


def url_host(url: str) -> str:
    """The host of `url`, lower case; "" when there is none."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""

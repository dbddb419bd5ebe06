"""The public files built from the index of alerts in force. Pure.

* ``feeds/alerts.atom``: every actual alert in force, newest first (what an aggregator
  subscribes to);
* ``feeds/<CC>.atom``: the same for one country;
* ``feeds/test.atom``: test alerts, apart, as aggregators expect;
* ``feeds/index.json``: the index itself, which the site's pages read.

Each Atom entry links to its CAP document (type application/cap+xml) and its advisory page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from consular_alerts.domain.alerts_out.atom_writer import (
    ATOM_CONTENT_TYPE,
    AtomEntry,
    AtomFeed,
    AtomLink,
    write_atom,
)
from consular_alerts.domain.alerts_out.cap_writer import CAP_CONTENT_TYPE, MINISTRY_NAMES
from consular_alerts.domain.alerts_out.site_file import SiteFile
from consular_alerts.domain.language.country_names import country_name
from consular_alerts.models.alert_index import AlertIndex, IndexEntry

INDEX_KEY = "feeds/index.json"
ALL_KEY = "feeds/alerts.atom"
TEST_KEY = "feeds/test.atom"
# Titles in English: aggregators are international; each entry says its own language.
TITLE_LANGUAGES = ("en", "ru", "ky")


def country_key(code: str) -> str:
    return f"feeds/{code}.atom"


def _in_language(texts: dict[str, str]) -> tuple[str, str]:
    """(language, text) in the first of TITLE_LANGUAGES the entry has, else its first."""
    for wanted in TITLE_LANGUAGES:
        for tag, text in texts.items():
            if tag.split("-")[0].lower() == wanted:
                return tag, text
    tag = next(iter(texts), "")
    return tag, texts.get(tag, "")


def _entry(entry: IndexEntry, site: str) -> AtomEntry:
    language, title = _in_language(entry.headline)
    summary = entry.summary.get(language, "")
    return AtomEntry(
        id=site + entry.cap,
        title=title,
        updated=entry.sent,
        language=language,
        summary=summary,
        links=[
            AtomLink(site + entry.cap, "alternate", CAP_CONTENT_TYPE),
            AtomLink(site + entry.page, "related", "text/html"),
        ],
        categories=[(code, country_name(code, "en")) for code in entry.countries],
    )


def _feed(
    index: AlertIndex, key: str, title: str, entries: Sequence[IndexEntry], site: str
) -> SiteFile:
    assert index.updated_at is not None, "stamp the index before publishing it"
    feed = AtomFeed(
        id=f"{site}/{key}",
        title=title,
        updated=index.updated_at,
        author=MINISTRY_NAMES["en"],
        links=[AtomLink(f"{site}/{key}", "self", ATOM_CONTENT_TYPE), AtomLink(f"{site}/")],
        entries=[_entry(entry, site) for entry in entries],
    )
    return SiteFile(key, write_atom(feed), ATOM_CONTENT_TYPE)


def index_file(index: AlertIndex) -> SiteFile:
    body = index.model_dump_json(exclude_none=True).encode("utf-8")
    return SiteFile(INDEX_KEY, body, "application/json; charset=utf-8")


def feed_files(index: AlertIndex, *, site: str, countries: Iterable[str]) -> list[SiteFile]:
    """The Atom feeds of `index` (stamped); one for each of `countries`, including those
    with nothing in force any more (an empty feed says so)."""
    site = site.rstrip("/")
    files = [
        _feed(index, ALL_KEY, "Kyrgyz MFA: advisories in force (CAP 1.2)", index.alerts, site),
        _feed(index, TEST_KEY, "Kyrgyz MFA: test alerts (CAP 1.2)", index.tests, site),
    ]
    for code in sorted(set(countries)):
        title = f"Kyrgyz MFA: advisories in force for {country_name(code, 'en')} (CAP 1.2)"
        entries = [entry for entry in index.alerts if code in entry.countries]
        files.append(_feed(index, country_key(code), title, entries, site))
    return files

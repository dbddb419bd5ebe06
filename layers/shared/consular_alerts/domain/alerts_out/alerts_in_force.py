"""Which published CAP messages are in force: the index the public feeds are built from. Pure.

Rules (README: "The ministry's alerts in CAP"):

* an advisory is in force through its latest published version; a new version takes the
  place of the one before it;
* an advisory that another one references (an update, a cancel) leaves, and a late copy of
  its older versions (a retried or replayed stream record) does not bring it back;
* expired messages leave; a cancel stays until its own expiry (CANCEL_LIFETIME after it
  was sent when it names none), so that aggregators learn of it;
* test messages are kept apart (the test feed), and leave TEST_LIFETIME after they were
  sent when they name no expiry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import quote

from consular_alerts.domain.alerts_out.cap_writer import cap_identifier
from consular_alerts.domain.language.country_names import country_name
from consular_alerts.domain.language.wording import cut
from consular_alerts.domain.messages.advice import condense_advice
from consular_alerts.models.advisory import Advisory, MsgType, Status
from consular_alerts.models.alert_index import AlertIndex, IndexEntry, Replaced
from consular_alerts.models.base import CITIZEN_LANGUAGES

CANCEL_LIFETIME = timedelta(days=1)
TEST_LIFETIME = timedelta(days=7)
# Longer than a stream record can be retried or replayed (the stream keeps 24 hours).
REMEMBER_REPLACED = timedelta(days=30)
SUMMARY_MAX = 300


def cap_path(advisory_id: str, version: int) -> str:
    """Where one version's CAP document is on the site (and, without the slash, its key)."""
    return f"/cap/{advisory_id}/{version}.xml"


def page_path(advisory_id: str) -> str:
    return "/a/" + quote(advisory_id, safe="/:._-")


def in_force_until(advisory: Advisory, msg_type: MsgType) -> datetime | None:
    """When the message leaves the index: its expiry; a cancel naming none, after
    CANCEL_LIFETIME; None: until replaced."""
    if advisory.expires is not None:
        return advisory.expires
    if msg_type is MsgType.CANCEL:
        return advisory.sent + CANCEL_LIFETIME
    return None


def _what_to_do(instruction: str, summary: str, language: str) -> str:
    """The advice as the SMS and the advisory page put it ("Do not take part in protests",
    not "the ministry called on citizens not to..."), else the summary."""
    return condense_advice(instruction, language) if instruction else summary


def entry_for(advisory: Advisory, msg_type: MsgType, expires: datetime | None) -> IndexEntry:
    return IndexEntry(
        advisory_id=advisory.advisory_id,
        version=advisory.version,
        identifier=cap_identifier(advisory.advisory_id, advisory.version),
        status=advisory.status,
        msg_type=msg_type,
        level=advisory.level,
        countries=list(advisory.countries),
        sent=advisory.sent,
        expires=expires,
        headline={tag: text.headline for tag, text in advisory.content.items()},
        summary={
            tag: cut(
                " ".join(_what_to_do(text.instruction, text.summary, tag).split()), SUMMARY_MAX
            )
            for tag, text in advisory.content.items()
            if text.instruction or text.summary
        },
        cap=cap_path(advisory.advisory_id, advisory.version),
        page=page_path(advisory.advisory_id),
    )


def find(index: AlertIndex, advisory_id: str) -> IndexEntry | None:
    return next((e for e in (*index.alerts, *index.tests) if e.advisory_id == advisory_id), None)


def _newest_first(entries: Iterable[IndexEntry]) -> list[IndexEntry]:
    return sorted(entries, key=lambda e: (e.sent, e.advisory_id), reverse=True)


def with_message(
    index: AlertIndex, entry: IndexEntry, replaces: Sequence[tuple[str, int]], now: datetime
) -> AlertIndex:
    """The index once `entry` is published; `replaces`: (advisory_id, version) of the
    messages it updates or cancels. Idempotent, and an older copy changes nothing."""
    gone = index.replaced.get(entry.advisory_id)
    if entry.status is Status.ACTUAL and gone is not None and gone.version >= entry.version:
        return index
    current = find(index, entry.advisory_id)
    if current is not None and current.version > entry.version:
        return index
    public = entry.status is Status.ACTUAL
    ends = dict(replaces)  # advisory_id -> the latest version this message replaces
    replaced = dict(index.replaced)
    if public:
        by = f"{entry.advisory_id}#v{entry.version}"
        for advisory_id, version in ends.items():
            known = replaced.get(advisory_id)
            if known is None or known.version <= version:
                replaced[advisory_id] = Replaced(
                    version=version, by=by, until=now + REMEMBER_REPLACED
                )

    def remaining(entries: list[IndexEntry], same_kind: bool) -> list[IndexEntry]:
        left = [e for e in entries if e.advisory_id != entry.advisory_id]
        if same_kind:  # references replace messages of their own kind only (a drill's, drills)
            left = [e for e in left if e.version > ends.get(e.advisory_id, 0)]
        return left

    alerts = remaining(index.alerts, public)
    tests = remaining(index.tests, not public)
    (alerts if public else tests).append(entry)
    return index.model_copy(
        update={
            "alerts": _newest_first(alerts),
            "tests": _newest_first(tests),
            "replaced": replaced,
        }
    )


def _current(entry: IndexEntry, now: datetime) -> bool:
    if entry.expires is not None:
        return entry.expires > now
    return entry.status is Status.ACTUAL or entry.sent + TEST_LIFETIME > now


def without_expired(index: AlertIndex, now: datetime) -> AlertIndex:
    return index.model_copy(
        update={
            "alerts": [e for e in index.alerts if _current(e, now)],
            "tests": [e for e in index.tests if _current(e, now)],
            "replaced": {k: v for k, v in index.replaced.items() if v.until > now},
        }
    )


def same_messages(one: AlertIndex, other: AlertIndex) -> bool:
    """Whether both say the same (when they were written aside)."""
    fields = {"alerts", "tests", "replaced"}
    return one.model_dump(include=fields) == other.model_dump(include=fields)


def countries_of(index: AlertIndex) -> set[str]:
    """The countries of the public alerts (a drill makes no country's feed)."""
    return {code for entry in index.alerts for code in entry.countries}


def stamped(index: AlertIndex, now: datetime) -> AlertIndex:
    """Ready to publish: the time of the change and the countries' names for the pages."""
    return index.model_copy(
        update={
            "updated_at": now,
            "country_names": {
                code: {language: country_name(code, language) for language in CITIZEN_LANGUAGES}
                for code in sorted(countries_of(index))
            },
        }
    )

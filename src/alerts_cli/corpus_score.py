"""Scoring the real-world corpus: what the service made of each input against what a careful
duty officer expects (corpus_manifest). Pure: outcomes in, a summary and its text out.

A field is one expectation of one advisory (its countries, level, message type, hotlines,
headline) or, for an input that must be refused, the refusal. Wrong hotlines are counted on
their own: a number that is neither required nor allowed is worse than no number at all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from alerts_cli.corpus_manifest import CorpusInput, Expectation

FIELDS = ("accepted", "count", "advisory", "countries", "level", "msg_type", "hotlines", "headline")


@dataclass(frozen=True)
class Accepted:
    records: list[dict[str, Any]]  # Advisory.to_record() of each advisory, in order


@dataclass(frozen=True)
class Refused:
    message: str  # the 4xx-like refusal the CLI and the API give


@dataclass(frozen=True)
class Crashed:
    error: str  # anything else: the 5xx-like internal error that must never happen


Outcome = Accepted | Refused | Crashed


@dataclass(frozen=True)
class Miss:
    file: str
    item: int | None  # the feed item (1-based), None for a single advisory
    field: str
    expected: str
    got: str

    def describe(self) -> str:
        where = self.file if self.item is None else f"{self.file} item {self.item}"
        return f"{where}: {self.field}: expected {self.expected}; got {self.got}"


@dataclass
class Summary:
    inputs: int = 0
    fields: int = 0
    right: int = 0
    misses: list[Miss] = field(default_factory=list)
    wrong_hotlines: list[Miss] = field(default_factory=list)
    crashes: list[Miss] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def share(self) -> float:
        return self.right / self.fields if self.fields else 1.0

    def add(
        self, file: str, item: int | None, name: str, ok: bool, expected: str, got: str
    ) -> None:
        self.fields += 1
        if ok:
            self.right += 1
        else:
            self.misses.append(Miss(file, item, name, expected, got))


def score(entries: list[CorpusInput], outcomes: dict[str, Outcome]) -> Summary:
    """Every input's fields against its outcome (outcomes keyed by file name)."""
    summary = Summary()
    for entry in entries:
        summary.inputs += 1
        summary.kinds[entry.kind] += 1
        _score_input(summary, entry, outcomes[entry.file])
    return summary


def _score_input(summary: Summary, entry: CorpusInput, outcome: Outcome) -> None:
    if isinstance(outcome, Crashed):
        summary.crashes.append(Miss(entry.file, None, "crash", "no internal error", outcome.error))
        summary.add(entry.file, None, "accepted", False, _accepted_text(entry), "internal error")
        return
    if not entry.accepted:
        if isinstance(outcome, Refused):
            pattern = entry.refusal_matches
            ok = pattern is None or re.search(pattern, outcome.message, re.IGNORECASE) is not None
            wanted = f"refused, matching /{pattern}/" if pattern else "refused"
            summary.add(entry.file, None, "accepted", ok, wanted, f"refused: {outcome.message}")
        else:
            got = f"accepted as {len(outcome.records)} advisory(ies)"
            summary.add(entry.file, None, "accepted", False, "refused", got)
            for record in outcome.records:
                _count_wrong_hotlines(summary, entry.file, None, entry, record)
        return
    if isinstance(outcome, Refused):
        summary.add(entry.file, None, "accepted", False, "accepted", f"refused: {outcome.message}")
        return
    summary.add(entry.file, None, "accepted", True, "accepted", "accepted")
    expected = entry.expected_items()
    count = entry.expected_count()
    records = outcome.records
    if count is not None and count != 1:
        summary.add(entry.file, None, "count", len(records) == count, str(count), str(len(records)))
    single = count == 1 and entry.kind != "feed"
    for index, expectation in enumerate(expected):
        item = None if single else index + 1
        if index >= len(records):
            summary.add(entry.file, item, "advisory", False, "an advisory", "none")
            continue
        _score_advisory(summary, entry.file, item, expectation, records[index])
    for index in range(len(expected), len(records)):
        # Advisories nobody expected still must not carry a wrong number.
        _count_wrong_hotlines(summary, entry.file, index + 1, Expectation(), records[index])


def _score_advisory(
    summary: Summary, file: str, item: int | None, expect: Expectation, record: dict[str, Any]
) -> None:
    countries: list[str] = list(record.get("countries", []))
    if expect.countries is not None:
        ok = set(countries) == set(expect.countries) and len(countries) == len(expect.countries)
        summary.add(file, item, "countries", ok, _set(expect.countries), _list(countries))
    if expect.lead is not None:
        first = countries[0] if countries else "none"
        summary.add(file, item, "countries", first == expect.lead, f"{expect.lead} first", first)
    if expect.level is not None:
        level = record.get("level")
        wanted = " or ".join(str(value) for value in expect.level)
        summary.add(file, item, "level", level in expect.level, wanted, str(level))
    if expect.msg_type is not None:
        got = str(record.get("msg_type"))
        summary.add(file, item, "msg_type", got == expect.msg_type, expect.msg_type, got)
    numbers = _numbers(record)
    if expect.hotlines:
        missing = [number for number in expect.hotlines if number not in numbers]
        summary.add(file, item, "hotlines", not missing, _list(expect.hotlines), _list(numbers))
    _count_wrong_hotlines(summary, file, item, expect, record)
    if expect.headline_contains or expect.headline_matches or expect.headline_forbids:
        headlines = _headlines(record)
        ok, why = headline_acceptable(headlines, expect)
        summary.add(file, item, "headline", ok, why, " | ".join(headlines) or "none")


def headline_acceptable(headlines: list[str], expect: Expectation) -> tuple[bool, str]:
    """Every language's headline free of the forbidden patterns, and the wanted words (and
    pattern) in at least one of them; with what was wanted, for the report."""
    wanted = []
    if expect.headline_contains:
        wanted.append("containing " + ", ".join(repr(w) for w in expect.headline_contains))
    if expect.headline_matches:
        wanted.append(f"matching /{expect.headline_matches}/")
    if expect.headline_forbids:
        wanted.append("not matching " + ", ".join(f"/{p}/" for p in expect.headline_forbids))
    forbidden = any(
        re.search(pattern, headline, re.IGNORECASE)
        for pattern in expect.headline_forbids
        for headline in headlines
    )
    contains = any(
        all(word.casefold() in headline.casefold() for word in expect.headline_contains)
        and (
            expect.headline_matches is None
            or re.search(expect.headline_matches, headline, re.IGNORECASE) is not None
        )
        for headline in headlines
    )
    return bool(headlines) and contains and not forbidden, "a headline " + "; ".join(wanted)


def _count_wrong_hotlines(
    summary: Summary, file: str, item: int | None, expect: Expectation, record: dict[str, Any]
) -> None:
    allowed = set(expect.hotlines) | set(expect.hotlines_may)
    for number in _numbers(record):
        if number not in allowed:
            wanted = _list(sorted(allowed)) if allowed else "no number"
            summary.wrong_hotlines.append(Miss(file, item, "wrong hotline", wanted, number))


def _numbers(record: dict[str, Any]) -> list[str]:
    return [str(hotline.get("number", "")) for hotline in record.get("hotlines", [])]


def _headlines(record: dict[str, Any]) -> list[str]:
    content: dict[str, dict[str, Any]] = record.get("content", {})
    return [str(text.get("headline", "")) for text in content.values() if text.get("headline")]


def _accepted_text(entry: CorpusInput) -> str:
    return "accepted" if entry.accepted else "refused"


def _set(values: list[str]) -> str:
    return "{" + ", ".join(values) + "}" if values else "none"


def _list(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


def render(summary: Summary) -> str:
    """The report: the share of right fields, every miss by field, wrong hotlines, crashes."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.kinds.items()))
    lines = [
        f"real-world corpus: {summary.inputs} inputs ({kinds})",
        f"right fields: {summary.right}/{summary.fields} = {summary.share:.1%}",
        f"wrong hotlines: {len(summary.wrong_hotlines)}",
        f"internal errors: {len(summary.crashes)}",
    ]
    by_field = Counter(miss.field for miss in summary.misses)
    if by_field:
        ordered = sorted(by_field, key=lambda name: (*FIELDS, name).index(name))
        lines.append("misses by field: " + ", ".join(f"{n} {by_field[n]}" for n in ordered))
    for title, misses in (
        ("internal errors", summary.crashes),
        ("wrong hotlines", summary.wrong_hotlines),
        ("misses", summary.misses),
    ):
        if misses:
            lines.append(f"\n{title}:")
            lines.extend(f"  {miss.describe()}" for miss in misses)
    return "\n".join(lines)

"""Headlines of free-text posts: page clutter (times, prices, dates, rubric words, bylines)
is never one, and a post that reports advice is headed by the advice itself. The patterns
live in headline_clutter.toml, for a linguist to read and extend. Pure."""

from __future__ import annotations

import re
from functools import cache

from consular_alerts.domain.language.data_files import word_list

_CLUTTER_FILE = "headline_clutter.toml"
_LETTER = re.compile(r"[^\W\d_]")
_MAX_BYLINE_WORDS = 8


@cache
def _clutter_pattern() -> re.Pattern[str]:
    tokens = list(word_list(_CLUTTER_FILE, "tokens"))
    words = sorted(word_list(_CLUTTER_FILE, "words"), key=len, reverse=True)
    alternatives = [*(f"(?:{t})" for t in tokens), *(re.escape(w) for w in words)]
    # Whole words only: "Мир" is taken out of "Мир, 06 дек", not out of "Мирный".
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])", re.IGNORECASE)


@cache
def _byline_pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(b) for b in word_list(_CLUTTER_FILE, "bylines"))
    return re.compile(rf"^(?:{names})(?P<colon>\s*:)?\s*(?P<rest>.*)$", re.IGNORECASE)


@cache
def _strip_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in word_list(_CLUTTER_FILE, "strip"))


def _stripped(line: str) -> str:
    for pattern in _strip_patterns():
        line = pattern.sub("", line)
    return line


@cache
def _reporting_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(
        re.compile(p, re.IGNORECASE | re.DOTALL) for p in word_list(_CLUTTER_FILE, "reporting")
    )


def is_clutter(line: str) -> bool:
    """True when `line` is page furniture, never a headline: nothing but times, prices,
    dates and rubric words, or a short byline."""
    text = " ".join(line.split())
    if not text:
        return True
    if not _LETTER.search(_clutter_pattern().sub(" ", text)):
        return True
    byline = _byline_pattern().match(text)
    if byline is None or len(text.split()) > _MAX_BYLINE_WORDS:
        return False
    # "Photo: AP" and "By John Smith" are credits; "By order of the ministry, ..." is not.
    return bool(byline["colon"]) or all(w[:1].isupper() for w in byline["rest"].split())


def without_clutter(text: str) -> str:
    """`text` without its clutter lines (blank lines kept) and without the datelines and
    footnote numbers of the others."""
    lines = (_stripped(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if not line.strip() or not is_clutter(line))


_BULLET = re.compile(r"^[\s•·*▪◦‣–—-]+")


def headline_text(sentence: str) -> str:
    """`sentence` as a headline: without the bullet a page list put before it."""
    return _BULLET.sub("", sentence) or sentence


def reports_advice(sentence: str) -> bool:
    """True when `sentence` says that advice was given ("The Ministry ... distributed a
    message"), rather than giving it."""
    return any(p.search(sentence) for p in _reporting_patterns())

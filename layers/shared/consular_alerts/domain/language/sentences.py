"""Sentences: where they end (abbreviations, initials, quotes), and the first ones of a
text as a summary. Pure. The one splitter of the project: CAP and feed summaries, ministry
posts (headline, summary, advice) and the weighing of place names all use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from consular_alerts.domain.language.wording import cut

SUMMARY_MAX = 300


# A sentence ends at . ! ? … (and closing quotes or brackets) before a space and a letter
# or digit that is not lower case, possibly after an opening quote or bracket, a dash or a
# bullet; or at 。！？ (CJK, no space needed). Not after an abbreviation or an initial, not
# after a list number alone ("1."), not inside «quotes» or “quotes” («Шал, кет!» («Старик,
# уходи!») is one sentence); every line break ends one too.
_BOUNDARY = re.compile(r"[.!?…]+[\"»”’)\]]*\s+(?=[«\"„“'(—–*•·-]*\s*([^\W_]))|[。！？]+")
_ABBREVIATIONS = frozenset(
    {
        # Russian and Kyrgyz
        "гг", "ул", "пр", "просп", "пер", "им", "обл", "р-н", "тел", "моб", "см", "стр",
        "руб", "млн", "млрд", "тыс", "св", "пос", "ст", "каб", "ок", "др", "пп", "проф",
        "акад",
        # English
        "mr", "mrs", "ms", "dr", "st", "no", "vs", "inc", "jr", "sr", "approx", "tel", "co",
        "corp", "ltd", "gen", "lt", "col", "sgt", "ave", "rd", "hwy", "mt", "ft", "est", "etc",
    }
)  # fmt: skip
_QUOTE_PAIRS = {"«": "»", "“": "”"}
# The word before a full stop; the look-behind starts it at a first letter (fast on long words).
_WORD_BEFORE_DOT = re.compile(r"(?<![^\W\d_])([^\W\d_]+(?:-[^\W\d_]+)?)[.]*$")
_LIST_NUMBER = re.compile(r"\d{1,2}")


def is_abbreviation(before: str) -> bool:
    """True if the text before a full stop (`before` ends with it) ends with an
    abbreviation or an initial ("U.S.", "г."; not the unit in "25 m/s.")."""
    if not before.endswith("."):
        return False
    before = before[-40:]
    match = _WORD_BEFORE_DOT.search(before[:-1]) if before[:-1] else None
    if match is None:
        return False
    word = match[1]
    if len(word) == 1:
        return before[match.start() - 1 : match.start()] != "/"
    return word.lower() in _ABBREVIATIONS


def _quoted_spans(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if "«" not in line and "“" not in line:
        return spans  # the usual case, found at C speed
    stack: list[tuple[str, int]] = []
    for index, char in enumerate(line):
        if char in _QUOTE_PAIRS:
            stack.append((char, index))
        elif stack and char == _QUOTE_PAIRS[stack[-1][0]]:
            _, start = stack.pop()
            if not stack:
                spans.append((start, index))
    return spans


def _sentences(text: str) -> Iterator[str]:
    for line in text.splitlines():
        spans: list[tuple[int, int]] | None = None  # found when a boundary needs them
        start = 0
        for match in _BOUNDARY.finditer(line):
            end = match.end()
            stop = match.start() + len(match[0].rstrip())
            starter = match[1]
            if starter is not None:  # . ! ? …, not CJK
                if starter.islower():
                    continue
                if spans is None:
                    spans = _quoted_spans(line)
                if any(a < match.start() < b for a, b in spans):
                    continue
                if is_abbreviation(line[max(start, match.start() - 39) : match.start() + 1]):
                    continue
                if _LIST_NUMBER.fullmatch(line[start : match.start()].strip()):
                    continue
            sentence = line[start:stop].strip()
            if sentence:
                yield sentence
            start = end
        rest = line[start:].strip()
        if rest:
            yield rest


def split_sentences(text: str) -> list[str]:
    """Sentences in order; every line break is a boundary too. Never returns empty strings."""
    return list(_sentences(text))


def first_sentences(text: str, limit: int = SUMMARY_MAX, most: int = 0) -> str:
    """The first sentence(s) of `text` that fit in `limit` characters (the first one cut
    to fit when it alone is longer); at most `most` sentences when `most` > 0. Line breaks
    are not boundaries here: descriptions are often wrapped mid-sentence."""
    flat = " ".join(text[: limit * 8].split())
    summary = ""
    for count, sentence in enumerate(_sentences(flat)):  # lazily: most texts stop early
        if most and count >= most:
            break
        if not summary:
            summary = cut(sentence, limit)
            if summary != sentence:
                break
        elif len(summary) + 1 + len(sentence) <= limit:
            summary = f"{summary} {sentence}"
        else:
            break
    return summary

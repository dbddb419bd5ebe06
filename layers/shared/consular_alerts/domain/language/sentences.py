"""Sentences: where they end (abbreviations, initials, quotes), and the first ones of a
text as a summary. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from consular_alerts.domain.messages.wording import cut

SUMMARY_MAX = 300


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# A sentence ends at . ! ? … (and closing quotes/brackets) before a space and a capital
# letter or digit, possibly after an opening quote or a dash; not before "(" («Шал, кет!»
# («Старик, уходи!») is one sentence), not after an abbreviation, not inside «quotes».
_BOUNDARY = re.compile(r"[.!?…]+[\"»”’)\]]*\s+(?=[«\"„“'—–-]*\s*([^\W_]))")
_ABBREVIATIONS = _word_set(
    """гг ул пр просп пер им обл р-н тел моб см стр руб млн млрд тыс св пос ст каб ок
    др пп проф акад etc mr mrs ms dr st no vs inc jr sr approx tel"""
)
_QUOTE_PAIRS = {"«": "»", "“": "”"}
_WORD_BEFORE_DOT = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)?)[.]*$")


def is_abbreviation(before: str) -> bool:
    """True if the text before a full stop ends with an abbreviation or an initial."""
    if not before.endswith("."):
        return False
    before = before[-40:]
    match = _WORD_BEFORE_DOT.search(before[:-1]) if before[:-1] else None
    if match is None:
        return False
    word = match[1]
    return len(word) == 1 or word.lower() in _ABBREVIATIONS


def _quoted_spans(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for index, char in enumerate(line):
        if char in _QUOTE_PAIRS:
            stack.append((char, index))
        elif stack and char == _QUOTE_PAIRS[stack[-1][0]]:
            _, start = stack.pop()
            if not stack:
                spans.append((start, index))
    return spans


def split_sentences(text: str) -> list[str]:
    """Sentences in order; every line break is a boundary too. Never returns empty strings."""
    sentences: list[str] = []
    for line in text.splitlines():
        spans = _quoted_spans(line)
        start = 0
        for match in _BOUNDARY.finditer(line):
            end = match.end()
            stop = match.start() + len(match[0].rstrip())
            starter = match[1]
            if not (starter.isupper() or starter.isdigit()):
                continue
            if any(a < match.start() < b for a, b in spans):
                continue
            if is_abbreviation(line[start : match.start() + 1]):
                continue
            sentence = line[start:stop].strip()
            if sentence:
                sentences.append(sentence)
            start = end
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


_SENTENCE_END = re.compile(r"[.!?…]+(?=\s)|[。！？]+")
_CAP_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "st", "no", "vs", "inc", "jr", "sr", "approx", "tel", "co",
        "corp", "ltd", "gen", "lt", "col", "sgt", "ave", "rd", "hwy", "mt", "ft", "est", "etc",
    }
)  # fmt: skip
_LAST_TOKEN = re.compile(r"(\S+)$")


def _sentences(flat: str) -> Iterable[str]:
    start = 0
    for match in _SENTENCE_END.finditer(flat):
        if match[0].startswith("."):
            token = _LAST_TOKEN.search(flat, start, match.start())
            word = token[1] if token else ""
            if len(word) <= 1 or "." in word or word.lower() in _CAP_ABBREVIATIONS:
                continue
        sentence = flat[start : match.end()].strip()
        if sentence:
            yield sentence
        start = match.end()
    tail = flat[start:].strip()
    if tail:
        yield tail


def first_sentences(text: str, limit: int = SUMMARY_MAX, most: int = 0) -> str:
    """The first sentence(s) of `text` that fit in `limit` characters (the first one cut
    to fit when it alone is longer); at most `most` sentences when `most` > 0."""
    flat = " ".join(text[: limit * 8].split())
    summary = ""
    for count, sentence in enumerate(_sentences(flat)):
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

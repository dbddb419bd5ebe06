"""SMS text: GSM-7 / UCS-2 segment counting and composing a message to a segment budget.

docs/architecture.md fact 4: GSM-7 carries 160 septets in one segment and 153 per part when split;
UCS-2 carries 70 UTF-16 code units, 67 per part when split. Cyrillic (Russian, Kyrgyz with
ң ө ү) is always UCS-2. SNS bills every segment to every recipient, and many citizens have
cheap phones and little credit, so the SMS is composed to a budget of segments and keeps
what a citizen needs: the head (country, level), what to do, a hotline and a link.

Why this is written by hand: no maintained PyPI library counts GSM-7 / UCS-2 segments with
the GSM 03.38 extension table *and* the part packing handsets do (an escape sequence or a
surrogate pair never straddles two parts), and none is installed in the project's venv
(`pip list` shows no sms/gsm/pdu package). The tables below are GSM 03.38 (3GPP TS 23.038)
verbatim; the rest is a few small pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

# GSM 03.38 default alphabet, in code order 0x00..0x7F. 0x1B (ESC) is not a character of
# its own: it introduces an extension-table character, so it is left out of the set.
_GSM_BASIC_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
assert len(_GSM_BASIC_TABLE) == 128
GSM_BASIC: frozenset[str] = frozenset(_GSM_BASIC_TABLE) - {"\x1b"}
# Extension table (each costs ESC + code = 2 septets). Form feed is in it too.
GSM_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160  # septets in a one-segment message
GSM7_PART = 153  # septets per part of a multi-part message (7 go to the UDH)
UCS2_SINGLE = 70  # UTF-16 code units in a one-segment message
UCS2_PART = 67  # UTF-16 code units per part of a multi-part message


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SmsCount:
    encoding: Encoding
    units: int  # GSM-7 septets (extension chars count 2) or UTF-16 code units (astral count 2)
    segments: int  # 0 for empty text


# --- cleaning ---------------------------------------------------------------------------

# C0/C1 controls that are line or column breaks become a space; all other controls go.
_BREAKS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85")
# Format characters that only reorder or hide text (bidi embeddings, overrides, isolates,
# BOM): a spoofing vector in a message from a ministry, and they would force UCS-2.
_HIDDEN = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
_SPACES = re.compile(r"\s+")


def sanitize(text: str) -> str:
    """Drop control/bidi characters and lone surrogates, NFC-normalize, collapse whitespace.

    Line breaks and tabs become spaces (the SMS is one line), every other C0/C1 control
    character is removed, runs of whitespace become one space, and the ends are stripped.
    NFC makes a decomposed é one GSM-7 character and a decomposed й one UTF-16 unit.
    """
    out: list[str] = []
    for char in text:
        if char in _BREAKS:
            out.append(" ")
        elif char in _HIDDEN or unicodedata.category(char) in ("Cc", "Cs"):
            continue
        else:
            out.append(char)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", "".join(out))).strip()


# Typographic characters with a GSM-7 equivalent. Only punctuation and spaces: letters are
# never transliterated (Cyrillic stays Cyrillic and the message is UCS-2, which is fine).
_TO_GSM: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "‘’‚‛′‹›"), "'"),
    **dict.fromkeys(map(ord, "“”„‟«»″"), '"'),
    **dict.fromkeys(map(ord, "‐‑‒–—―−"), "-"),
    ord("…"): "...",
    ord("•"): "*",
    # no-break, thin, narrow no-break and the other Unicode spaces
    **dict.fromkeys(
        [0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000],
        " ",
    ),
    # soft hyphen and zero-width characters
    **dict.fromkeys([0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF], None),
}


def to_gsm(text: str) -> str:
    """Replace typographic quotes, dashes, ellipsis, bullets and spaces by GSM-7 ones.

    Soft hyphens and zero-width characters are removed. Nothing is transliterated.
    """
    return text.translate(_TO_GSM)


# --- counting ---------------------------------------------------------------------------


def is_gsm7(text: str) -> bool:
    """True if every character is in the GSM 03.38 basic set or its extension table."""
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def _pack(costs: Sequence[int], single: int, part: int) -> int:
    """Segments for characters of the given costs: one if they fit `single`, else parts.

    Greedy packing: a character that does not fit whole in the current part starts the
    next one, so an escape sequence or a surrogate pair is never split. This can need one
    more segment than ceil(units / part).
    """
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments += 1
            used = 0
        used += cost
    return segments


def count_segments(text: str) -> SmsCount:
    """Encoding, units and segments of `text` exactly as given (it is not cleaned)."""
    if is_gsm7(text):
        costs = [2 if char in GSM_EXTENSION else 1 for char in text]
        return SmsCount(Encoding.GSM7, sum(costs), _pack(costs, GSM7_SINGLE, GSM7_PART))
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SmsCount(Encoding.UCS2, sum(costs), _pack(costs, UCS2_SINGLE, UCS2_PART))


def fits(text: str, budget: int) -> bool:
    return count_segments(text).segments <= budget


# --- composing --------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsParts:
    head: str  # marker, level and country: kept; shortened only as a last resort
    action: str  # what to do; the part shortened first
    hotline: str = ""  # "label: +996..." — never dropped when non-empty
    link: str = ""  # dropped only when head + hotline + link do not fit


@dataclass(frozen=True)
class ComposedSms:
    text: str
    encoding: Encoding
    segments: int
    truncated: bool  # True if anything was shortened or dropped


# Stripped from the end of a shortened part before the ellipsis is appended.
_TRAIL = " ,;:.-–—…"
# Fewest characters kept when a word must be cut inside (room for a few letters only).
MIN_WORD_CUT = 8
_PHONE = re.compile(r"\+\d{7,15}")


def _join(parts: Sequence[str]) -> str:
    return " ".join(part for part in parts if part)


def _largest(
    positions: Sequence[int], build: Callable[[int], str | None], budget: int
) -> tuple[int, str] | None:
    """Largest position whose candidate fits, by binary search (O(log n) counts).

    Candidates grow with the position, so fitting is monotone in practice; the answer
    is always a candidate that was counted and fits, even if it were not.
    """
    best: tuple[int, str] | None = None
    lo, hi = 0, len(positions)
    while lo < hi:
        mid = (lo + hi) // 2
        candidate = build(positions[mid])
        if candidate is not None and fits(candidate, budget):
            best = (positions[mid], candidate)
            lo = mid + 1
        else:
            hi = mid
    return best


def _grapheme_safe(text: str, cut: int) -> int:
    """Move a cut left so it does not separate a mark, skin tone or ZWJ from its base."""

    def inside(i: int) -> bool:
        char = text[i]
        return (
            unicodedata.category(char).startswith("M")
            or 0x1F3FB <= ord(char) <= 0x1F3FF
            or text[i - 1] == "\u200d"
        )

    while 0 < cut < len(text) and inside(cut):
        cut -= 1
    return cut


def _shorten(
    before: list[str], text: str, after: list[str], budget: int, min_inside: int = MIN_WORD_CUT
) -> str | None:
    """`before + text[:cut] + ellipsis + after` for the longest cut that fits, or None.

    The cut is at a word boundary; a word longer than all the room the part has is cut
    inside, if at least `min_inside` characters of the text are kept. The ellipsis is
    "..." when the message is GSM-7 without it, else "…".
    """
    start = next((i for i, char in enumerate(text) if char not in _TRAIL), None)
    if start is None:
        return None

    def build(cut: int) -> str | None:
        kept = text[:cut].rstrip(_TRAIL)
        if not kept:
            return None
        plain = _join([*before, kept, *after])
        ellipsis = "..." if is_gsm7(plain) else "…"
        return _join([*before, kept + ellipsis, *after])

    by_char = _largest(range(start + 1, len(text)), build, budget)
    if by_char is None:
        return None
    room, char_cut = by_char
    # Word boundaries: cut just before a space (texts are sanitized: single spaces).
    bounds = [i for i in range(start + 1, len(text)) if text[i] == " "]
    by_word = _largest(bounds, build, budget)
    word_start = text.rfind(" ", 0, room) + 1
    word_end = text.find(" ", room)
    word_end = len(text) if word_end == -1 else word_end
    if by_word is not None and word_end - word_start <= room:
        return by_word[1]
    if room < min_inside:  # "По…" tells a citizen nothing
        return by_word[1] if by_word is not None else None
    safe = _grapheme_safe(text, room)
    if safe != room:
        candidate = build(safe)
        if candidate is not None and fits(candidate, budget):
            return candidate
    return char_cut


def _prefixes(text: str) -> Callable[[int], str | None]:
    return lambda cut: text[:cut]


def _composed(text: str, truncated: bool) -> ComposedSms:
    count = count_segments(text)
    return ComposedSms(text, count.encoding, count.segments, truncated)


def compose_sms(parts: SmsParts, budget: int = 2) -> ComposedSms:
    """The SMS for `parts` in at most `budget` segments.

    Layout: head, action, hotline, link joined by spaces. When it does not fit: shorten
    the action (word boundary + ellipsis); drop it; shorten the head; hotline and link
    alone; the hotline alone; as a last resort the hotline's number alone, or the hotline
    cut. Never raises for budget >= 1, never
    exceeds the budget, never returns an empty text unless every part is empty.
    """
    if budget < 1:
        raise ValueError(f"SMS budget must be at least 1 segment, got {budget}")
    head, action, hotline, link = (
        sanitize(to_gsm(part)) for part in (parts.head, parts.action, parts.hotline, parts.link)
    )

    full = _join([head, action, hotline, link])
    if fits(full, budget):
        return _composed(full, truncated=False)

    # The hotline and the link are what a citizen can act on with no reply channel (no STOP
    # in KZ and KG, docs/architecture.md fact 3): they go last, the action and then the head
    # give way.
    attempts: list[Callable[[], str | None]] = [
        lambda: _shorten([head], action, [hotline, link], budget) if action else None,
        lambda: _join([head, hotline, link]),
        lambda: _shorten([], head, [hotline, link], budget) if head else None,
        lambda: _join([hotline, link]),
        lambda: hotline,
        lambda: next(iter(_PHONE.findall(hotline)), None),
    ]
    for attempt in attempts:
        candidate = attempt()
        if candidate and fits(candidate, budget):
            return _composed(candidate, truncated=True)

    # Last resort: the most important non-empty part, cut to the budget.
    for part in (hotline, head, action, link):
        if not part:
            continue
        shortened = _shorten([], part, [], budget, min_inside=1)
        if shortened:
            return _composed(shortened, truncated=True)
        hard = _largest(range(1, len(part) + 1), _prefixes(part), budget)
        if hard:
            return _composed(hard[1], truncated=True)
    return _composed("", truncated=False)

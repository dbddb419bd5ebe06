"""Hotlines: the valid phone numbers of a text as E.164, each labelled by the clause before
it. Pure; ``phonenumbers`` finds, validates and formats the numbers."""

from __future__ import annotations

import re

import phonenumbers

from consular_alerts.domain.language.sentences import is_abbreviation
from consular_alerts.models.advisory import Hotline

LABEL_MAX = 80

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Text between two numbers that makes them one group sharing a label ("..., +7 ...").
_GROUP_SEPARATOR = re.compile(r"^[\s,/]*(?:(?:или|or|and|жана|же|и|а\s+также)[\s,/]*)?$")
_LABEL_PUNCTUATION = re.compile(r"[\s\-–—:=(\[,]+$")
_LABEL_PHONE_WORD = re.compile(
    r"(?:\b(?:по|by|on|at)\s+)?\b(?:тел|телефон\w*|tel|phone|ph|номер\w*|моб|mob|mobile|"
    r"whatsapp|ватсап|т)\.?$",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[;:\n]|[.!?…](?=\s)")


def _label_before(segment: str) -> str:
    """The clause just before a number: back to the previous ; : . or line break."""
    # Drop what stands between a label and its number: "—", ":", "тел.", "phone" ...
    while True:
        trimmed = _LABEL_PHONE_WORD.sub("", _LABEL_PUNCTUATION.sub("", segment))
        if trimmed == segment:
            break
        segment = trimmed
    start = 0
    for match in _CLAUSE_END.finditer(segment):
        if match[0] == "." and is_abbreviation(segment[: match.end()]):
            continue
        start = match.end()
    label = " ".join(segment[start:].split()).strip(" -–—:;,.")
    if len(label) > LABEL_MAX:
        # Too long: keep the words nearest the number, which name what it is.
        words = label.split(" ")
        kept: list[str] = []
        while words and len(" ".join([words[-1], *kept])) <= LABEL_MAX:
            kept.insert(0, words.pop())
        label = " ".join(kept) if kept else label[-LABEL_MAX:]
    return label


def extract_hotlines(text: str, default_region: str = "KG") -> list[Hotline]:
    """Valid phone numbers in `text` as E.164, labelled by the clause before them."""
    hotlines: list[Hotline] = []
    seen: set[str] = set()
    previous_end = 0
    label = ""
    region = default_region.upper() if default_region else None
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        between = text[previous_end : match.start]
        if not hotlines or not _GROUP_SEPARATOR.match(between):
            label = _label_before(between)
        previous_end = match.end
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if not _E164.match(number) or number in seen:
            continue
        seen.add(number)
        hotlines.append(Hotline(number=number, label=label))
    return hotlines

"""The ministry's free-text post (ky, ru, en; plain text or HTML) -> the fields of an
advisory: language, countries and areas, hotlines, headline, summary, advice, date. Pure.

Libraries do the parts they can (``html.parser``, ``phonenumbers``, pycountry: see the
language package); this module puts the pieces together and adds what belongs to a post
only: cleaning, a leading date marker, the advice sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from consular_alerts.domain.language.cues import ADVICE
from consular_alerts.domain.language.detection import detect_language
from consular_alerts.domain.language.headlines import (
    headline_text,
    reports_advice,
    without_clutter,
)
from consular_alerts.domain.language.hotlines import extract_hotlines
from consular_alerts.domain.language.html import html_to_text
from consular_alerts.domain.language.places import countries_and_areas, rank_countries
from consular_alerts.domain.language.sentences import SUMMARY_MAX, split_sentences
from consular_alerts.domain.language.wording import cut
from consular_alerts.domain.messages.advice import condense_advice
from consular_alerts.models.advisory import Area, Hotline

#: Posts longer than this are refused (the API takes at most 100,000 characters).
MAX_TEXT_CHARS = 200_000
HEADLINE_MAX = 120
INSTRUCTION_MAX = 400


@dataclass(frozen=True)
class ExtractedPost:
    language: str  # "ky", "ru" or "en"
    countries: list[str]  # ISO 3166-1 alpha-2, most relevant first (may be empty)
    areas: list[Area]  # cities/regions named, with iso_3166_2 where known
    hotlines: list[Hotline]  # E.164 numbers with labels, in order of appearance
    headline: str  # <= 120 chars
    summary: str  # first 1-2 sentences, <= 300 chars
    instruction: str  # the sentences telling citizens what to do, "" if none
    body: str  # the cleaned full text
    sent: datetime | None  # from a leading "date YYYY-MM[-DD]" marker, else None
    warnings: list[str] = field(default_factory=list)  # what was left out, and why


class TextExtractionError(ValueError):
    """The post's text cannot be used; the message says why."""


# --- Cleaning -----------------------------------------------------------------------------------

# Zero-width characters, BOM, soft hyphen; other control characters become spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_CONTROLS = dict.fromkeys((*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F), " ")
_DATE_MARKER = re.compile(
    r"^date:?[ \t]+([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?(?![0-9])(?!-[0-9])[ \t]*[:.,]?",
    re.IGNORECASE,
)


def _clean(text: str) -> str:
    """Trim lines, collapse runs of spaces, keep at most one blank line between paragraphs."""
    text = text.translate(_INVISIBLE).replace("\r\n", "\n").translate(_CONTROLS)
    out: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line:
            out.append(line)
        elif out and out[-1]:
            out.append("")
    return "\n".join(out).strip()


def _split_date_marker(text: str) -> tuple[datetime | None, str]:
    match = _DATE_MARKER.match(text)
    if match is None:
        return None, text
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        sent = datetime(year, month, day, tzinfo=UTC)
    except ValueError as error:
        raise TextExtractionError(
            f"the leading date marker {match[0].strip()!r} is not a valid date"
        ) from error
    return sent, text[match.end() :].strip()


def _advice_sentences(sentences: Iterable[str]) -> str:
    chosen: list[str] = []
    length = 0
    for sentence in sentences:
        if not ADVICE.search(sentence):
            continue
        if not sentence.rstrip().endswith((".", "!", "?", "…", "»", '"', ";")):
            sentence = f"{sentence.rstrip()}."  # a title line: keep it a sentence of its own
        if not chosen:
            chosen.append(cut(sentence, INSTRUCTION_MAX))
            length = len(chosen[0])
        elif length + 1 + len(sentence) <= INSTRUCTION_MAX:
            chosen.append(sentence)
            length += 1 + len(sentence)
    return " ".join(chosen)


def _bare_report(sentence: str, language: str) -> bool:
    return reports_advice(sentence) and condense_advice(sentence, language) == sentence


def _headline(sentences: list[str], instruction: str, language: str) -> str:
    """The first sentence; when it reports advice ("МИД призвал граждан ...", "The Ministry
    ... distributed a message"), the advice itself, as the SMS condenses it."""
    first = headline_text(sentences[0])
    reported = reports_advice(first) or condense_advice(first, language) != first
    if reported and instruction:
        advice = split_sentences(condense_advice(instruction, language))
        # The advice itself, not a bare report of it ("МИД выпустил рекомендации для
        # граждан") that may open the instruction.
        given = [s for s in advice if not _bare_report(s, language)] or advice
        if given:
            return cut(headline_text(given[0]), HEADLINE_MAX)
    return cut(first, HEADLINE_MAX)


# --- The whole post -----------------------------------------------------------------------------


def extract_post(
    text: str,
    *,
    is_html: bool = False,
    ministry_country: str = "KG",
    countries: list[str] | None = None,
) -> ExtractedPost:
    """Everything an advisory needs that a free-text post says. `countries`: the ones the
    publisher says the post is about (else those the text names); local-format hotlines
    are read as theirs.

    Raises TextExtractionError when the text is empty, too long, has no words, or starts
    with a date marker that is not a date.
    """
    if not text or not text.strip():
        raise TextExtractionError("post text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise TextExtractionError(
            f"post text is too long ({len(text)} characters; at most {MAX_TEXT_CHARS})"
        )
    if is_html:
        text = html_to_text(text)
        if not text.strip():
            raise TextExtractionError("post HTML has no visible text")
    sent, body = _split_date_marker(_clean(text))
    if not body:
        raise TextExtractionError("post text has nothing after its date marker")
    if not re.search(r"[^\W\d_]", body):
        raise TextExtractionError("post text has no words")

    language = detect_language(body)
    named, areas = countries_and_areas(body, language, ministry_country)
    warnings: list[str] = []
    hotlines = extract_hotlines(
        body,
        countries or named,
        home=ministry_country,
        warnings=warnings,
        label_countries=lambda label: rank_countries(label, language, ministry_country),
    )
    # Headline, summary and advice from the text without page clutter ("USD 79.35", "23:46").
    sentences = split_sentences(without_clutter(body)) or split_sentences(body)
    summary = cut(sentences[0], SUMMARY_MAX)
    if len(sentences) > 1 and len(summary) + 1 + len(sentences[1]) <= SUMMARY_MAX:
        summary = f"{summary} {sentences[1]}"
    instruction = _advice_sentences(sentences)
    return ExtractedPost(
        language=language,
        countries=named,
        areas=areas,
        hotlines=hotlines,
        headline=_headline(sentences, instruction, language),
        summary=summary,
        instruction=instruction,
        body=body,
        sent=sent,
        warnings=warnings,
    )

"""Which countries, cities and regions a text is about: place names found in their
inflected forms (the gazetteer), weighed by where they stand and by the sentences that
hold them. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consular_alerts.domain.language.cues import ADVICE, CITIZEN_CUE
from consular_alerts.domain.language.gazetteer import Pattern, Place, gazetteer
from consular_alerts.domain.language.inflections import (
    KY_LOCATIVE,
    RU_LOCATIVE_PREPOSITIONS,
    WORD,
    norm,
)
from consular_alerts.domain.language.sentences import split_sentences
from consular_alerts.models.advisory import Area


@dataclass(frozen=True)
class _Token:
    text: str
    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class _Mention:
    place: Place
    start: int
    locative: bool
    sentence: int
    end: int = 0


_GAP = re.compile(r"^\s*[.—–-]?\s*$")


def _tokens(text: str) -> list[_Token]:
    return [_Token(m[0], norm(m[0]), m.start(), m.end()) for m in WORD.finditer(text)]


def _sentence_starts(text: str) -> list[int]:
    starts: list[int] = []
    position = 0
    for sentence in split_sentences(text):
        found = text.find(sentence, position)
        if found >= 0:
            starts.append(found)
            position = found + len(sentence)
    return starts or [0]


def _find_mentions(text: str, language: str) -> list[_Mention]:
    index = gazetteer(language if language in ("ru", "ky") else "en")
    latin = gazetteer("en") if language != "en" else None
    tokens = _tokens(text)
    starts = _sentence_starts(text)
    mentions: list[_Mention] = []
    sentence = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        patterns = index.get(token.norm, ())
        if latin is not None and token.text.isascii():
            patterns = latin.get(token.norm, ())
        match = None
        if token.text[:1].isupper():
            for pattern in patterns:
                if _pattern_matches(pattern, tokens, i, text):
                    match = pattern
                    break
        if match is None:
            i += 1
            continue
        while sentence + 1 < len(starts) and starts[sentence + 1] <= token.start:
            sentence += 1
        if match.place.country is not None:
            last = tokens[i + len(match.rest)]
            locative = (
                i > 0
                and tokens[i - 1].norm in RU_LOCATIVE_PREPOSITIONS
                and not text[tokens[i - 1].end : token.start].strip()
            ) or (last.norm != match.last_base and last.norm.endswith(KY_LOCATIVE))
            mentions.append(_Mention(match.place, token.start, locative, sentence, last.end))
        i += 1 + len(match.rest)
    return mentions


def _pattern_matches(pattern: Pattern, tokens: list[_Token], i: int, text: str) -> bool:
    if i + len(pattern.rest) >= len(tokens):
        return False
    if pattern.exact is not None and not tokens[i].text.startswith(pattern.exact):
        return False
    for offset, forms in enumerate(pattern.rest, start=1):
        token = tokens[i + offset]
        if token.norm not in forms or not _GAP.match(
            text[tokens[i + offset - 1].end : token.start]
        ):
            return False
    return True


# Who speaks, not where: a country named as the owner of an embassy, consulate or foreign
# ministry ("the US Embassy", "Embassy of the United States", "Посольство США", "МИД
# Кыргызстана", "Кыргыз Республикасынын элчилиги") is the issuer, never a destination.
_ISSUER_BEFORE = re.compile(
    r"(?:\b(?:embassy|consulate(?:\s+general)?|ministry\s+of\s+foreign\s+affairs|"
    r"foreign\s+ministry|mfa)\s+of\s+(?:the\s+)?|"
    r"\b(?:посольств\w*|консульств\w*|генконсульств\w*|мид|"
    r"министерств\w*\s+иностранных\s+дел)\s+)$",
    re.IGNORECASE,
)
_ISSUER_AFTER = re.compile(
    r"^\.?(?:'s|’s)?\s*(?:embassy|consulate|foreign\s+ministry|ministry\s+of\s+foreign|mfa|"
    r"state\s+department|department\s+of\s+state|элчилиг\w*|консулдуг\w*|"
    r"тышкы\s+иштер\s+министрлиг\w*|тим)\b",
    re.IGNORECASE,
)
_ISSUER_REACH = 60


def _is_issuer(text: str, mention: _Mention) -> bool:
    before = text[max(0, mention.start - _ISSUER_REACH) : mention.start]
    if _ISSUER_BEFORE.search(before):
        return True
    # "Türkiyadagy elchilik" (the embassy in Türkiye) is a place: only a non-locative owner.
    after = text[mention.end : mention.end + _ISSUER_REACH]
    return not mention.locative and bool(_ISSUER_AFTER.match(after))


# A list of places: only commas, "and", bullets, numbers or line breaks between two names.
_LIST_GAP = re.compile(
    r"^[\s,;:•·*▪◦\-–—\d.)(]*(?:(?:and|or|и|или|а\s+также|жана|же|менен)\b[\s,;:•·*\-–—]*)?$",
    re.IGNORECASE,
)


def _listed(text: str, mentions: list[_Mention]) -> set[str]:
    """Countries named in a list of two or more (comma-separated, "and", bulleted): each
    is a subject, whatever its score."""
    listed: set[str] = set()
    run: list[_Mention] = []
    for mention in mentions:
        if run and not _LIST_GAP.match(text[run[-1].end : mention.start]):
            if len({m.place.country for m in run}) >= 2:
                listed.update(m.place.country for m in run if m.place.country)
            run = []
        run.append(mention)
    if len({m.place.country for m in run}) >= 2:
        listed.update(m.place.country for m in run if m.place.country)
    return listed


def _sentence_weights(text: str) -> list[float]:
    weights = []
    for number, sentence in enumerate(split_sentences(text)):
        weight = 1.5 if number == 0 else 1.0
        if ADVICE.search(sentence) or CITIZEN_CUE.search(sentence):
            weight *= 1.5
        weights.append(weight)
    return weights or [1.0]


#: Countries scoring under this share of the top one are passing mentions, not the subject.
RELEVANCE_CUTOFF = 0.2


def _rank(
    text: str, mentions: list[_Mention], exclude: str | None
) -> tuple[list[str], dict[str, float]]:
    mentions = [m for m in mentions if not _is_issuer(text, m)]
    listed = _listed(text, mentions)
    weights = _sentence_weights(text)
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    length = max(len(text), 1)
    for mention in mentions:
        country = mention.place.country
        assert country is not None
        score = 1.0 if mention.place.area is None else 0.9
        score *= 2.0 - mention.start / length  # earlier mentions weigh more
        score *= weights[min(mention.sentence, len(weights) - 1)]
        if mention.locative:
            score *= 1.3
        scores[country] = scores.get(country, 0.0) + score
        first.setdefault(country, mention.start)
    if exclude is not None and len(scores) > 1:
        scores.pop(exclude.upper(), None)
    if not scores:
        return [], scores
    top = max(scores.values())
    ranked = sorted(scores, key=lambda c: (-scores[c], first[c]))
    return [c for c in ranked if scores[c] >= RELEVANCE_CUTOFF * top or c in listed], scores


def rank_countries(text: str, language: str, exclude: str | None = None) -> list[str]:
    """ISO 3166-1 alpha-2 codes of the countries `text` is about, most relevant first.

    Countries and cities count in their inflected forms; early mentions and mentions in
    sentences addressed to citizens weigh more. `exclude` (the ministry's own country) is
    dropped unless it is the only country named; a country named as the owner of an
    embassy or foreign ministry ("the US Embassy") is the issuer and does not count;
    passing mentions (under RELEVANCE_CUTOFF of the top score) are dropped, except the
    countries of a list ("Afghanistan, Iraq, Syria and Yemen"; bulleted lines), which are
    all kept.
    """
    ranked, _ = _rank(text, _find_mentions(text, language), exclude)
    return ranked


def _areas(mentions: list[_Mention], countries: list[str], language: str) -> list[Area]:
    counts: dict[str, int] = {}
    aliases: dict[str, dict[str, int]] = {}
    places: dict[str, Place] = {}
    for mention in mentions:
        place = mention.place
        if place.area is None or place.country not in countries:
            continue
        counts[place.area] = counts.get(place.area, 0) + 1
        places.setdefault(place.area, place)
        name = place.name
        if place.alias_language != language:
            name = dict(place.canonical).get(language, place.name)
        by_alias = aliases.setdefault(place.area, {})
        by_alias[name] = by_alias.get(name, 0) + 1
    order = sorted(counts, key=lambda key: -counts[key])  # stable: first mention breaks ties
    areas = []
    for key in order:
        by_alias = aliases[key]
        name = max(by_alias, key=lambda alias: by_alias[alias])
        areas.append(Area(name=name, iso_3166_2=places[key].iso_3166_2))
    return areas


def countries_and_areas(
    text: str, language: str, exclude: str | None = None
) -> tuple[list[str], list[Area]]:
    """`rank_countries` of `text`, and the cities and regions it names in those countries
    (most often named first; each under the name used most in `language`)."""
    mentions = _find_mentions(text, language)
    countries, _ = _rank(text, mentions, exclude)
    return countries, _areas(mentions, countries, language)

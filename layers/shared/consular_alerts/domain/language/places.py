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
from consular_alerts.domain.language.issuers import is_destination, issuer_role
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
        # A lowercase name counts only where a travel word sends people there
        # ("отказ во въезде в россию"); elsewhere it may be an ordinary word.
        if patterns and (token.text[:1].isupper() or is_destination(text, token.start, token.end)):
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


def _is_issuer(text: str, mention: _Mention) -> bool:
    return issuer_role(text, mention.start, mention.end, mention.locative) is not None


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


def _issuer_roles(text: str, mentions: list[_Mention]) -> set[int]:
    """Indexes of the mentions naming a speaker or the citizenship addressed. The role
    of one name goes to the whole list it stands in ("выступили Польша и Болгария",
    "Japan, Iran and Italy citizens")."""
    runs: list[list[int]] = []
    for index, mention in enumerate(mentions):
        if runs:
            previous = mentions[runs[-1][-1]]
            gap = text[previous.end : mention.start]
            if previous.locative == mention.locative and gap.strip() and _LIST_GAP.match(gap):
                runs[-1].append(index)
                continue
        runs.append([index])
    return {i for run in runs if any(_is_issuer(text, mentions[j]) for j in run) for i in run}


_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_CONTACT = re.compile(
    r"\b(?:contact|call|phone|обращаться|обращайтесь|обратиться|телефон\w*|горяч\w+\s+лини\w*|"
    r"кайрыл\w*|байланыш\w*)\b",
    re.IGNORECASE,
)


def _without_issuers(text: str, mentions: list[_Mention], exclude: str | None) -> list[_Mention]:
    """The mentions of places where the advice applies. The issuer's country (speaker or
    citizenship addressed) goes entirely unless the advice also sends people there
    ("leave Russia"); so does a country named only where the post says whom to call
    ("toll-free in the United States and Canada"). Nothing goes when nothing else is
    named."""
    roles = _issuer_roles(text, mentions)
    kept = [m for i, m in enumerate(mentions) if i not in roles]
    destinations = {m.place.country for m in kept if is_destination(text, m.start, m.end)}
    issuers = {mentions[i].place.country for i in roles} - destinations
    others = [m for m in kept if m.place.country not in issuers]
    if not any(m.place.country != exclude for m in others):
        # Only the ministry's own country is left ("entry to Kyrgyzstan is closed to
        # citizens of Japan, Iran ..."): the citizenships named are the subject.
        speakers = {
            m.place.country
            for m in mentions
            if issuer_role(text, m.start, m.end, m.locative) == "speaker"
        }
        others = [m for m in mentions if m.place.country not in speakers]
    kept = others
    sentences = split_sentences(text)
    contact = {
        n
        for n, sentence in enumerate(sentences)
        if _PHONE.search(sentence) or _CONTACT.search(sentence)
    }
    outside = {m.place.country for m in kept if m.sentence not in contact}
    if outside:
        kept = [m for m in kept if m.place.country in outside]
    return kept


_ABBREVIATION_GAP = re.compile(r"^\s*\(\s*$")


def _without_abbreviations(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """One mention for a name and its abbreviation in brackets ("United Arab Emirates
    (UAE)", "Российской Федерации (РФ)")."""
    kept: list[_Mention] = []
    for mention in mentions:
        if (
            kept
            and kept[-1].place.country == mention.place.country
            and _ABBREVIATION_GAP.match(text[kept[-1].end : mention.start])
        ):
            continue
        kept.append(mention)
    return kept


#: Countries scoring under this share of the top one are passing mentions, not the subject.
RELEVANCE_CUTOFF = 0.2


def _rank(
    text: str, mentions: list[_Mention], exclude: str | None
) -> tuple[list[str], dict[str, float]]:
    mentions = _without_issuers(
        text, _without_abbreviations(text, mentions), exclude and exclude.upper()
    )
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

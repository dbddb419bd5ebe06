"""Hotlines: the valid phone numbers of a text as E.164, each labelled by the clause before
it. Pure; ``phonenumbers`` finds, validates and formats the numbers.

Which country a number belongs to (a wrong hotline is worse than none):

- written in international format (``+7 ...``, ``00 7 ...``): its own country code;
- a toll-free number in the North American (``1-888-...``) or Russian/Kazakh (``8-800-...``)
  format: that plan's;
- written in local format (``0700-114-000``): the country its label names ("Консульство в
  Алматы"), else the country the text is about (`destinations`).
  The issuer's own country (`home`) only when the clause before the number says it is a
  home number ("МИД КР", "в Бишкеке", "in Kyrgyzstan") or when the text is about the home
  country alone. A number that is valid in none of those, or in several with different
  results, is left out with a warning: nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers import CountryCodeSource, PhoneNumberType

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

# Toll-free plans whose numbers are written without a country code: the region to read
# them with, tried for every local-format number and kept only when toll-free there.
_TOLL_FREE_REGIONS = ("US", "RU")
_INTERNATIONAL = frozenset(
    {CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN, CountryCodeSource.FROM_NUMBER_WITH_IDD}
)
# Words in the clause before a number that say it is a number in the issuer's country
# (ky, ru, en). Only Kyrgyzstan's: the ministry publishing is Kyrgyz.
_HOME_CUES = {
    "KG": re.compile(
        r"(?:\b(?:МИД|ТИМ)\s+(?:КР|Кыргыз\w*)|Тышкы\s+иштер\s+министрлиги|"
        r"Министерств\w*\s+иностранных\s+дел\s+(?:КР|Кыргыз\w*)|"
        r"Ministry\s+of\s+Foreign\s+Affairs\s+of\s+(?:the\s+)?Kyrgyz\w*|\bMFA\s+(?:of\s+)?"
        r"(?:KR|Kyrgyz\w*)|Бишкек\w*|Bishkek|в\s+Кыргызстане|в\s+Киргизии|Кыргызстанда|"
        r"in\s+Kyrgyzstan|in\s+the\s+Kyrgyz\s+Republic)",
        re.IGNORECASE,
    )
}


_ABROAD = re.compile(
    r"посольств|консульств|консул\w*\s+отдел|элчили|консулдук|embassy|consulate", re.IGNORECASE
)


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


@dataclass(frozen=True)
class _Candidate:
    """One number as read with one region."""

    start: int
    end: int
    raw: str
    region: str | None
    number: phonenumbers.PhoneNumber

    @property
    def e164(self) -> str:
        return phonenumbers.format_number(self.number, phonenumbers.PhoneNumberFormat.E164)

    def is_international(self) -> bool:
        try:
            again = phonenumbers.parse(self.raw, self.region, keep_raw_input=True)
        except phonenumbers.NumberParseException:
            return False
        return again.country_code_source in _INTERNATIONAL

    def is_toll_free(self) -> bool:
        return phonenumbers.number_type(self.number) == PhoneNumberType.TOLL_FREE


def _candidates(text: str, regions: Sequence[str | None]) -> dict[int, list[_Candidate]]:
    """Every valid number `phonenumbers` finds reading `text` with each region, by start."""
    found: dict[int, list[_Candidate]] = {}
    for region in regions:
        matcher = phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        )
        for match in matcher:
            found.setdefault(match.start, []).append(
                _Candidate(match.start, match.end, match.raw_string, region, match.number)
            )
    return found


def _read_as(candidate: _Candidate, region: str) -> _Candidate | None:
    """`candidate`'s digits read as a local number of `region`, when valid there."""
    try:
        number = phonenumbers.parse(candidate.raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(number, region):
        return None
    return _Candidate(candidate.start, candidate.end, candidate.raw, region, number)


def _masked(raw: str) -> str:
    """A number as warnings may show it (they are logged: never a whole number)."""
    digits = re.sub(r"\D", "", raw)
    return f"{digits[:4]}… ({len(digits)} digits)"


def _resolve(
    readings: list[_Candidate],
    destinations: Sequence[str],
    home: str | None,
    home_said: bool,
    warnings: list[str],
    label: str,
    named: Sequence[str],
) -> _Candidate | None:
    """The one reading of a number the text supports, or None (with a warning).

    In order: international format; home when the label says so; the country the label
    names, else the one country the text is about; a toll-free number; else nothing."""
    international = [c for c in readings if c.is_international()]
    if international:
        return international[0]
    by_region = {c.region: c for c in readings}
    if home is not None and home_said and home in by_region:
        return by_region[home]
    where = f"hotline {_masked(readings[0].raw)}" + (f" ({label})" if label else "")
    if named:
        # The label names where the number is ("Консульство в Алматы"): its country only.
        local = {c.e164: c for c in (_read_as(readings[0], region) for region in named) if c}
        problem = f"not a local number of {', '.join(named)}, which its label names"
    else:
        local = {by_region[r].e164: by_region[r] for r in destinations if r in by_region}
        valid_in = ", ".join(r for r in destinations if r in by_region)
        if len(local) > 1:
            problem = f"a local number valid in {valid_in}"
        elif destinations and home is not None and home in by_region:
            problem = (
                f"a local number that is not one of {', '.join(destinations)} and the text "
                f"does not say it is in {home}"
            )
        else:
            problem = "a local number of no country the text is about"
    if len(local) == 1:
        return next(iter(local.values()))
    toll_free = [
        by_region[r] for r in _TOLL_FREE_REGIONS if r in by_region and by_region[r].is_toll_free()
    ]
    if toll_free and len(local) == 0:
        return toll_free[0]
    warnings.append(f"{where}: {problem}; left out (write it with +country code)")
    return None


def extract_hotlines(
    text: str,
    destinations: Sequence[str] = (),
    *,
    home: str | None = None,
    warnings: list[str] | None = None,
    label_countries: Callable[[str], Sequence[str]] | None = None,
) -> list[Hotline]:
    """Valid phone numbers in `text` as E.164, labelled by the clause before them.

    `destinations`: the countries the text is about (a local-format number is read as
    theirs); `home`: the issuer's country (read as its number only when the clause says so,
    or when `destinations` is `home` alone); `label_countries`: the countries a number's
    label names ("Консульство в Алматы": KZ), which then decide alone. Numbers that cannot
    be placed without guessing are left out, each with a line in `warnings`."""
    notes = warnings if warnings is not None else []
    targets = [d.upper() for d in destinations]
    home = home.upper() if home else None
    # The text is about home alone: its local numbers are home numbers.
    about_home = home is not None and targets == [home]
    home_cue = _HOME_CUES.get(home or "")
    regions: list[str | None] = list(
        dict.fromkeys([*targets, *([home] if home else []), *_TOLL_FREE_REGIONS])
    )
    found = _candidates(text, regions or [None])
    hotlines: list[Hotline] = []
    seen: set[str] = set()
    previous_end = 0
    label = ""
    for start in sorted(found):
        if start < previous_end:
            continue  # inside a number already read with another region
        readings = found[start]
        between = text[previous_end:start]
        if not hotlines or not _GROUP_SEPARATOR.match(between):
            label = _label_before(between)
        # The clause before the number (its label) must say it is at home.
        named = [c for c in label_countries(label) if c != home] if label_countries else []
        # An embassy or consulate, or a place abroad, in the label: not a home number, even
        # when the label names the ministry ("Тышкы иштер министрлигинин Кабулдагы элчилиги").
        home_said = about_home or bool(
            home_cue and home_cue.search(label) and not named and not _ABROAD.search(label)
        )
        chosen = _resolve(readings, targets, home, home_said, notes, label, named)
        previous_end = chosen.end if chosen else max(c.end for c in readings)
        if chosen is None:
            continue
        number = chosen.e164
        if not _E164.match(number) or number in seen:
            continue
        seen.add(number)
        hotlines.append(Hotline(number=number, label=label))
    return hotlines

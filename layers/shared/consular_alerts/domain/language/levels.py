"""The advisory level (1-4) a post's own words give: the phrases of each level in ky, ru
and en, kept in `level_phrases.toml` (its syntax is described at its top) so a linguist can
read and extend them. Pure (the data file ships inside the package)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from consular_alerts.domain.language.data_files import read_data_file

PHRASES_FILE = "level_phrases.toml"
#: `level_reason` of a post whose level its publisher gave, or that nothing in it names.
LEVEL_FROM_METADATA = "given by the publisher (metadata)"
LEVEL_BY_DEFAULT = "the default: the text names no level"
GAP_WORDS = 5

# Words a "..." never stands for: a gap must not hide a negation.
_NEGATION_WORDS = r"(?:not|no|never|не|нет|никогда|эмес|жок)(?![\w-])"
_SEPARATOR = r"[\s,]+"
_WORD = r"[\w'’-]+"
_GAP = rf"(?:{_SEPARATOR}(?!{_NEGATION_WORDS}){_WORD}){{0,{GAP_WORDS}}}"
_CLAUSE_END = re.compile(r"[.!?;:\n]")


@dataclass(frozen=True)
class LevelCue:
    """The level a text's words give, and the words that gave it (as written)."""

    level: int
    phrase: str

    def reason(self) -> str:
        return f"«{self.phrase}»"


@dataclass(frozen=True)
class _Vocabulary:
    levels: tuple[tuple[int, tuple[re.Pattern[str], ...]], ...]  # highest level first
    before: re.Pattern[str]  # a negation ending where a phrase starts
    after: re.Pattern[str]  # a negation starting where a phrase ends


def fold(text: str) -> str:
    """Lower case with ё as е, every character kept in place (spans stay valid)."""
    return "".join(("е" if c in "ёЁ" else low) if len(low := c.lower()) == 1 else c for c in text)


def _word_pattern(word: str) -> str:
    alternatives = []
    for option in fold(word).split("|"):
        if not option:
            raise ValueError(f"{PHRASES_FILE}: an empty alternative in {word!r}")
        stem = option.endswith("*")
        core = re.escape(option.rstrip("*"))
        alternatives.append(core + (r"[\w-]*" if stem else r"(?![\w-])"))
    return "(?:" + "|".join(alternatives) + ")"


def phrase_pattern(phrase: str) -> str:
    """A phrase of the data file as a regular expression over folded text; a leading or
    trailing "..." becomes a gap at that side."""
    words = phrase.split()
    if not words or all(w == "..." for w in words):
        raise ValueError(f"{PHRASES_FILE}: an empty phrase {phrase!r}")
    parts: list[str] = []
    for index, word in enumerate(words):
        if word == "...":
            parts.append(_GAP)  # each word of the gap brings its own separator
            continue
        if index > 0:
            parts.append(_SEPARATOR)
        parts.append(_word_pattern(word))
    return "".join(parts)


def _compile_phrase(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + phrase_pattern(phrase))


@cache
def vocabulary() -> _Vocabulary:
    """The data file, compiled once per process."""
    data = read_data_file(PHRASES_FILE)
    levels = []
    for key, by_language in sorted(data["level"].items(), reverse=True):
        level = int(key)
        if not 1 <= level <= 4:
            raise ValueError(f"{PHRASES_FILE}: level {key} is not 1-4")
        phrases = [p for language in sorted(by_language) for p in by_language[language]]
        levels.append((level, tuple(_compile_phrase(p) for p in phrases)))
    negation = data["negation"]
    before = "|".join(f"(?:{phrase_pattern(p)})" for p in negation["before"])
    after = "|".join(f"(?:{phrase_pattern(p)})" for p in negation["after"])
    return _Vocabulary(
        tuple(levels),
        re.compile(rf"(?<![\w-])(?:{before})[\s,]*$"),
        re.compile(rf"^(?:{after})(?![\w-])"),
    )


def _negated(folded: str, start: int, end: int, words: _Vocabulary) -> bool:
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(folded, 0, start)), default=0)
    following = _CLAUSE_END.search(folded, end)
    clause_end = following.start() if following else len(folded)
    return bool(
        words.before.search(folded[clause_start:start]) or words.after.match(folded[end:clause_end])
    )


def level_from_text(text: str) -> LevelCue | None:
    """The highest level whose phrase `text` uses and no negation takes back, with the
    first such words as the text has them; None when the text names no level."""
    words = vocabulary()
    folded = fold(text)
    for level, patterns in words.levels:
        found = [
            match
            for pattern in patterns
            for match in pattern.finditer(folded)
            if not _negated(folded, match.start(), match.end(), words)
        ]
        if found:
            # The first to end, and of those the shortest: "срочно покинуть" rather than
            # "призывает граждан срочно покинуть".
            first = min(found, key=lambda match: (match.end(), -match.start()))
            phrase = " ".join(text[first.start() : first.end()].split())
            return LevelCue(level, phrase.strip(" ,"))
    return None

"""Word forms of place names: Russian declension, Kyrgyz case and relative suffixes, and
the normal form words are compared in. Pure.

pycountry has only nominative names; Russian declines them and Kyrgyz adds suffixes, so the
forms are generated: Russian by declension class, Kyrgyz as name + case/relative suffix.
Demonyms (кыргызстанцы, кыргызстандыктар) are deliberately not forms: they name people.
"""

from __future__ import annotations

import re
import unicodedata

#: A word: letters, with hyphens inside ("Санкт-Петербург", "Алма-Ата").
WORD = re.compile(r"[^\W\d_]+(?:[-‐‑][^\W\d_]+)*")

_RU_ADJECTIVE_ENDINGS = (
    "ая", "ой", "ую", "ою", "ый", "ий", "ого", "ому", "ым", "ом", "ое", "ые", "ых", "ыми",
    "ие", "их", "им", "ими", "ее", "ей", "его", "ему", "ем",
)  # fmt: skip
_RU_ADJECTIVE_TAILS = ("ая", "ый", "ий", "ой", "ое", "ые", "ие")
_KY_CASES = (
    # locative
    "да", "де", "до", "дө", "та", "те", "то", "тө",
    # dative
    "га", "ге", "го", "гө", "ка", "ке", "ко", "кө",
    # ablative
    "дан", "ден", "дон", "дөн", "тан", "тен", "тон", "төн", "нан", "нен", "нон", "нөн",
    # genitive
    "нын", "нин", "нун", "нүн", "дын", "дин", "дун", "дүн", "тын", "тин", "тун", "түн",
    # accusative
    "ны", "ни", "ну", "нү", "ды", "ди", "ду", "дү", "ты", "ти", "ту", "тү",
    # after a possessive (Федерациясы-нда, облусу-нда)
    "нда", "нде", "ндо", "ндө", "на", "не", "но", "нө",
)  # fmt: skip
_KY_RELATIVE = ("дагы", "деги", "догу", "дөгү", "тагы", "теги", "тогу", "төгү", "ндагы", "ндеги")
KY_LOCATIVE = (
    "да", "де", "до", "дө", "та", "те", "то", "тө", "нда", "нде", "ндо", "ндө", *_KY_RELATIVE
)  # fmt: skip
_KY_SUFFIXES: tuple[str, ...] = (
    "",
    *_KY_CASES,
    *(
        rel + plural + case
        for rel in _KY_RELATIVE
        for plural in ("", "лар", "лер")
        for case in ("", "га", "ге", "дын", "дин", "ды", "ди")
    ),
)
RU_LOCATIVE_PREPOSITIONS = frozenset({"в", "во", "in", "at"})
# Capitalised at the start of a sentence these are ordinary words, not places.
_STOP_FORMS = frozenset({"того", "кита", "мала", "чада"})


def norm(word: str) -> str:
    word = unicodedata.normalize("NFD", word.casefold())
    word = "".join(c for c in word if unicodedata.category(c) != "Mn" or c in "\u0306\u0308")
    return unicodedata.normalize("NFC", word).replace("ё", "е").replace("‐", "-").replace("‑", "-")


def _ru_forms(word: str, *, adjective: bool) -> frozenset[str]:
    if adjective and word.endswith(_RU_ADJECTIVE_TAILS):
        stem = word[:-2]
        return frozenset({word, *(stem + e for e in _RU_ADJECTIVE_ENDINGS)})
    last = word[-1]
    if word.endswith("ия"):
        endings: tuple[str, ...] = ("и", "ю", "ей", "ею")
        stem = word[:-1]
    elif last in "ая":
        # and the plural of "острова": островов, островах
        endings = ("а", "ы", "и", "е", "у", "ю", "ой", "ей", "ою", "ею", "я", "ов", "ах", "ам")
        stem = word[:-1]
    elif last == "й":
        endings = ("й", "я", "ю", "е", "ем", "и")
        stem = word[:-1]
    elif last == "ь":
        endings = ("ь", "и", "ью", "я", "ю", "е", "ем", "ей")
        stem = word[:-1]
    elif last == "ы":
        endings = ("ов", "ам", "ами", "ах")
        stem = word[:-1]
    elif last in "иоуеюэ" or not word[-1].isalpha():
        return frozenset({word})  # indeclinable: Душанбе, Перу, Чили
    else:
        endings = ("а", "у", "е", "ом", "ем")
        stem = word
        if len(word) > 4 and word[-2] in "ео" and word[-3] not in "аеёиоуыэюяй":
            # A fleeting vowel: Египет -> Египта, Египте.
            fleeting = word[:-2] + word[-1]
            return frozenset(
                {word, *(stem + e for e in endings), *(fleeting + e for e in endings)} - _STOP_FORMS
            )
    return frozenset({word, *(stem + e for e in endings)} - _STOP_FORMS)


def word_forms(words: list[str], language: str) -> list[frozenset[str]]:
    if language == "ru":
        return [_ru_forms(w, adjective=i < len(words) - 1) for i, w in enumerate(words)]
    if language == "ky":
        # Kyrgyz suffixes go on the last word of the phrase only.
        last = words[-1]
        return [frozenset({w}) for w in words[:-1]] + [
            frozenset(last + s for s in _KY_SUFFIXES) - _STOP_FORMS
        ]
    return [frozenset({w}) for w in words]

"""Which language a text is in: Kyrgyz, Russian or English (the ministry's languages). Pure.

The majority script tells Cyrillic from Latin; letters, function words and endings tell
Kyrgyz from Russian, which no library does (both borrow words from each other).
"""

from __future__ import annotations

import re
import unicodedata

from consular_alerts.domain.language.inflections import WORD


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_KY_LETTERS = frozenset("ңөүҢӨҮ")
_RU_LETTERS = frozenset("щъёЩЪЁ")
_KY_WORDS = _word_set(
    """жана менен боюнча үчүн керек болуп жатат жатышат жаткан мамлекет мамлекеттин бул
    деп дагы да ал алар анын аны биз сиз силер эмес болот болгон болсо тарабынан ошондой
    ошол ушул мындай кийин чейин тууралуу жөнүндө өлкө өлкөдө шаар шаарында ичинде учурда
    азыр бардык өз эң көп аркылуу дайыма жарандар жарандарга жарандарын жаран жарандары
    элчилиги элчилигинин министрлиги кырдаал коопсуздук маалымат байланыш кайрылуу
    сураныч же"""
)
_RU_WORDS = _word_set(
    """и в во на что не для по из с со к ко о об от до как это а но за у же так также при
    был была были было его ее её или который которая которые которых чтобы уже только
    после между через под над их они он она мы вы все всех этого этом того сообщили
    говорится является"""
)
_KY_SUFFIX = re.compile(
    r"(?:дагы|деги|тагы|теги|лар|лер|лор|лөр|дар|дер|тар|тер|нын|нин|нун|нүн|дын|дин|"
    r"тын|тин|ган|ген|гыла|гиле|гула|ууга|ууну|оону|ондо|ында|инде|ыбыз|ибиз)$"
)
_RU_SUFFIX = re.compile(
    r"(?:ого|его|ться|тся|ание|ение|ости|ями|ыми|ими|ых|ий|ая|ое|ую|ие|ией|ется|ются)$"
)
_KY_DOUBLE_VOWELS = re.compile(r"аа|ээ|уу|өө|үү|ыы")


def detect_language(text: str) -> str:
    """ "ky", "ru" or "en": the majority script decides Cyrillic vs Latin; scores of letters,
    function words and endings decide Kyrgyz vs Russian (both borrow from each other)."""
    cyrillic = latin = 0
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            if name.startswith("CYRILLIC"):
                cyrillic += 1
            elif name.startswith("LATIN"):
                latin += 1
    if cyrillic == 0 or latin > cyrillic:
        return "en"
    ky = ru = 0.0
    for match in WORD.finditer(text):
        word = match[0].lower()
        if not any("а" <= c <= "я" or c in "ёңөү" for c in word):
            continue
        if word in _KY_WORDS:
            ky += 2
        elif word in _RU_WORDS:
            ru += 2
        if _KY_LETTERS.intersection(word):
            ky += 2
        if _RU_LETTERS.intersection(word):
            ru += 1
        ky += len(_KY_DOUBLE_VOWELS.findall(word))
        if len(word) > 4:
            if _KY_SUFFIX.search(word):
                ky += 0.5
            if _RU_SUFFIX.search(word):
                ru += 0.5
    return "ky" if ky > ru else "ru"

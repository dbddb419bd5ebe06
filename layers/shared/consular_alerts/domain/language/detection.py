"""Which language a text is in. Pure.

`detect_language` tells the ministry's languages apart (Kyrgyz, Russian, English): the
majority script tells Cyrillic from Latin; letters, function words and endings tell Kyrgyz
from Russian, which no library does (both borrow words from each other). `guess_language`
builds on it for foreign feeds: a Latin-script text is English only when its common words
say so, else Swedish, German ... or "und" (undetermined).
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


# A few of the commonest words of languages foreign feeds publish in: enough to tell
# which one a news item is in (detect_language tells only ky, ru and en apart).
_STOPWORDS: dict[str, frozenset[str]] = {
    language: _word_set(words)
    for language, words in {
        "en": "the and of to in is for on are be with that by this from at as will has have",
        "sv": "och att det som en är för på med av till inte har de den ett om vid kl",
        "de": "und der die das ist nicht mit den von zu im für auf ein eine des sich dem",
        "fr": "le la les et des est un une du dans pour pas que qui sur au aux avec ce",
        "es": "el la los las y de que en un una por con para es del al se no su",
        "pt": "o os as e de que em um uma para com não do da dos das por se ao",
        "it": "il lo la gli le e di che un una per con non del della sono si al",
        "nl": "de het een en van is dat op te in niet met voor zijn er aan ook",
    }.items()
}
_WORDS = re.compile(r"[^\W\d_]+")


def guess_language(text: str) -> str:
    """ky / ru / en, or another language whose common words the text is full of; "und"
    (undetermined) when none stands out: a Swedish news item is not labelled English."""
    sample = text[:3000]
    language = detect_language(sample)
    if language != "en":
        return language
    words = _WORDS.findall(sample.casefold())
    if len(words) < 8:
        return "en" if words else "und"
    scores = {
        language: sum(1 for w in words if w in stopwords)
        for language, stopwords in _STOPWORDS.items()
    }
    best = max(scores, key=lambda language: scores[language])
    return best if scores[best] / len(words) >= 0.08 else "und"

"""Which language a text is in. Pure.

`detect_language` tells the ministry's languages apart (Kyrgyz, Russian, English): the
majority script tells Cyrillic from Latin; letters, function words and endings tell Kyrgyz
from Russian, which no library does (both borrow words from each other). `guess_language`
builds on it for foreign feeds: a Latin-script text is English only when its common words
say so, else Swedish, German ... or "und" (undetermined). `unread_language` names the
language of a post the service cannot read (Ukrainian, Bulgarian, Kazakh, German ...), which
`detect_language` would take for Russian or English.
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


#: Names of the languages `unread_language` recognizes, for the publisher's error message.
LANGUAGE_NAMES = {
    "uk": "Ukrainian",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "kk": "Kazakh",
    "sv": "Swedish",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
}
_UK_LETTERS = frozenset("іїєґІЇЄҐ")
_BE_LETTERS = frozenset("ўЎ")
_KK_LETTERS = frozenset("әғқұһӘҒҚҰҺ")
_RU_ONLY_LETTERS = frozenset("ыэёЫЭЁ")
# Bulgarian words Russian does not have (and Russian's that Bulgarian does not).
_BG_WORDS = _word_set("че са във със към това тези няма които който която някои също сега тук")
_RU_ONLY_WORDS = _word_set("что это который которые также из он был была были его ее её они")
# A hard sign inside a word, not after a prefix before е/ё/ю/я: Bulgarian's vowel ъ.
_BG_HARD_SIGN = re.compile(r"\wъ(?![еёюя])\w", re.IGNORECASE)


def _cyrillic_language(text: str, *, kyrgyz: bool) -> str | None:
    """Kazakh (its letters, which Kyrgyz has not), else for a text read as Russian:
    Belarusian, Ukrainian or Bulgarian."""
    letters = [c for c in text if c.isalpha()]
    minimum = max(3, len(letters) // 200)  # a few letters, or 0.5 % of a long text

    def count(alphabet: frozenset[str]) -> int:
        return sum(1 for c in letters if c in alphabet)

    russian = count(_RU_ONLY_LETTERS)
    # Kazakh place names may stand in a Kyrgyz or Russian post: a few letters do not decide.
    if count(_KK_LETTERS) >= max(5, len(letters) // 100):
        return "kk"
    if kyrgyz:
        return None
    if count(_BE_LETTERS) >= 2 and count(_UK_LETTERS) >= minimum:
        return "be"
    if count(_UK_LETTERS) >= minimum and count(_UK_LETTERS) > russian:
        return "uk"
    words = [m[0].lower() for m in WORD.finditer(text)]
    bulgarian = len(_BG_HARD_SIGN.findall(text)) + 2 * sum(1 for w in words if w in _BG_WORDS)
    russian += 2 * sum(1 for w in words if w in _RU_ONLY_WORDS)
    if bulgarian >= 4 and bulgarian > 2 * russian:
        return "bg"
    return None


def unread_language(text: str) -> str | None:
    """The code of the language `text` is in (a key of LANGUAGE_NAMES) when it is none of
    ky, ru and en but one these tell apart from them; None for ky, ru, en or undetermined
    text. Kyrgyz is taken for Kazakh only when Kazakh's own letters (ә ғ қ ұ һ) are there."""
    sample = text[:3000]
    language = detect_language(sample)
    if language in ("ky", "ru"):
        return _cyrillic_language(sample, kyrgyz=language == "ky")
    guessed = guess_language(sample)
    return guessed if guessed in LANGUAGE_NAMES else None

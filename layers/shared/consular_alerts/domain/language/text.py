"""Free-text ministry posts (ky, ru, en; plain text or HTML) -> the fields of an advisory.

Pure: no I/O beyond pycountry's bundled data (names and their gettext translations).

Libraries do the parts they can: ``html.parser`` reads HTML, ``phonenumbers`` finds and
formats phone numbers, pycountry supplies country names in English, Russian and Kyrgyz and
ISO 3166-2 codes. Written by hand here is only what none of them does: telling Kyrgyz from
Russian, inflected place names (pycountry has only nominative forms, design.md fact 10),
everyday and city names, hotline labels, sentence splitting and advice sentences.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser

import phonenumbers
import pycountry

from consular_alerts.domain.messages.wording import cut
from consular_alerts.models.advisory import Area, Hotline

__all__ = [
    "ExtractedPost",
    "TextExtractionError",
    "detect_language",
    "extract_hotlines",
    "extract_post",
    "html_to_text",
    "rank_countries",
]

#: Posts longer than this are refused (the API takes at most 100,000 characters).
MAX_TEXT_CHARS = 200_000
HEADLINE_MAX = 120
SUMMARY_MAX = 300
INSTRUCTION_MAX = 400
LABEL_MAX = 80


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


class TextExtractionError(ValueError):
    """The post's text cannot be used; the message says why."""


# --- HTML ---------------------------------------------------------------------------------------

_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "title"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tr", "ul",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment or page: one line per block, entities decoded."""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except AssertionError:
        # html.parser raises on a malformed marked section ("<![;"): read it as text.
        collector = _TextCollector()
        collector.feed(html.replace("<![", "&lt;!["))
        collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    return "\n".join(line for line in lines if line)


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


# --- Language -----------------------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD = re.compile(r"[^\W\d_]+(?:[-‐‑][^\W\d_]+)*")
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
    for match in _WORD.finditer(text):
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


# --- Sentences ----------------------------------------------------------------------------------

# A sentence ends at . ! ? … (and closing quotes/brackets) before a space and a capital
# letter or digit, possibly after an opening quote or a dash; not before "(" («Шал, кет!»
# («Старик, уходи!») is one sentence), not after an abbreviation, not inside «quotes».
_BOUNDARY = re.compile(r"[.!?…]+[\"»”’)\]]*\s+(?=[«\"„“'—–-]*\s*([^\W_]))")
_ABBREVIATIONS = _word_set(
    """гг ул пр просп пер им обл р-н тел моб см стр руб млн млрд тыс св пос ст каб ок
    др пп проф акад etc mr mrs ms dr st no vs inc jr sr approx tel"""
)
_QUOTE_PAIRS = {"«": "»", "“": "”"}
_WORD_BEFORE_DOT = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)?)[.]*$")


def _is_abbreviation(before: str) -> bool:
    """True if the text before a full stop ends with an abbreviation or an initial."""
    if not before.endswith("."):
        return False
    before = before[-40:]
    match = _WORD_BEFORE_DOT.search(before[:-1]) if before[:-1] else None
    if match is None:
        return False
    word = match[1]
    return len(word) == 1 or word.lower() in _ABBREVIATIONS


def _quoted_spans(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for index, char in enumerate(line):
        if char in _QUOTE_PAIRS:
            stack.append((char, index))
        elif stack and char == _QUOTE_PAIRS[stack[-1][0]]:
            _, start = stack.pop()
            if not stack:
                spans.append((start, index))
    return spans


def _split_sentences(text: str) -> list[str]:
    """Sentences in order; every line break is a boundary too. Never returns empty strings."""
    sentences: list[str] = []
    for line in text.splitlines():
        spans = _quoted_spans(line)
        start = 0
        for match in _BOUNDARY.finditer(line):
            end = match.end()
            stop = match.start() + len(match[0].rstrip())
            starter = match[1]
            if not (starter.isupper() or starter.isdigit()):
                continue
            if any(a < match.start() < b for a, b in spans):
                continue
            if _is_abbreviation(line[start : match.start() + 1]):
                continue
            sentence = line[start:stop].strip()
            if sentence:
                sentences.append(sentence)
            start = end
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


# --- Advice -------------------------------------------------------------------------------------

_ADVICE = re.compile(
    r"\b(?:"
    # ru
    r"призв\w*|призыва\w*|совету\w*|рекоменд\w*|избега\w*|избегайте|оставаться|воздерж\w*|"
    r"не\s+принимать|не\s+выезжать|не\s+посещать|просим|следует|"
    # ky: plural imperatives (-гыла, -кыла ...) and advice verbs
    r"сунушта\w*|кайрылгыла|качкыла|калгыла|болбогула|чакыр\w*|\w+(?:гыла|гиле|гула|гүлө|"
    r"кыла|киле|кула|күлө)|керек|"
    # en
    r"avoid\w*|stay\w*|advise\w*|recommend\w*|do\s+not|don't|should|leave|follow\w*|"
    r"urge\w*|refrain\w*"
    r")\b",
    re.IGNORECASE,
)
_CITIZEN_CUE = re.compile(
    r"\b(?:находящ|проживающ|пребывающ|граждан|соотечественник|кыргызстанц|жаран|"
    r"кыргызстандык|мекендеш|citizen|national|travel)\w*",
    re.IGNORECASE,
)


def _advice_sentences(sentences: Iterable[str]) -> str:
    chosen: list[str] = []
    length = 0
    for sentence in sentences:
        if not _ADVICE.search(sentence):
            continue
        if not chosen:
            chosen.append(cut(sentence, INSTRUCTION_MAX))
            length = len(chosen[0])
        elif length + 1 + len(sentence) <= INSTRUCTION_MAX:
            chosen.append(sentence)
            length += 1 + len(sentence)
    return " ".join(chosen)


# --- Hotlines -----------------------------------------------------------------------------------

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
        if match[0] == "." and _is_abbreviation(segment[: match.end()]):
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


# --- Places: gazetteer --------------------------------------------------------------------------

# pycountry has only nominative names; Russian declines them and Kyrgyz adds suffixes, so the
# forms are generated: Russian by declension class, Kyrgyz as name + case/relative suffix.
# Demonyms (кыргызстанцы, кыргызстандыктар) are deliberately not forms: they name people.
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
_KY_LOCATIVE = (
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
_RU_LOCATIVE_PREPOSITIONS = frozenset({"в", "во", "in", "at"})
# Capitalised at the start of a sentence these are ordinary words, not places.
_STOP_FORMS = frozenset({"того", "кита", "мала", "чада"})


@dataclass(frozen=True)
class _Place:
    country: str | None  # None: a blocker ("Южная Америка" is not the US)
    area: str | None = None  # key of a city/region, else a country name
    iso_3166_2: str | None = None
    name: str = ""  # the alias as listed (nominative)
    alias_language: str = ""
    canonical: tuple[tuple[str, str], ...] = ()  # (language, name) of an area


@dataclass(frozen=True)
class _Pattern:
    first: str  # the normalized first word as listed (for Kyrgyz locative suffixes)
    rest: tuple[frozenset[str], ...]  # accepted forms of each further word
    last_base: str
    exact: str | None  # case-sensitive prefix of the first token (abbreviations)
    place: _Place
    priority: int


def _norm(word: str) -> str:
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
        endings = ("а", "ы", "и", "е", "у", "ю", "ой", "ей", "ою", "ею", "я")
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
    return frozenset({word, *(stem + e for e in endings)} - _STOP_FORMS)


def _word_forms(words: list[str], language: str) -> list[frozenset[str]]:
    if language == "ru":
        return [_ru_forms(w, adjective=i < len(words) - 1) for i, w in enumerate(words)]
    if language == "ky":
        # Kyrgyz suffixes go on the last word of the phrase only.
        last = words[-1]
        return [frozenset({w}) for w in words[:-1]] + [
            frozenset(last + s for s in _KY_SUFFIXES) - _STOP_FORMS
        ]
    return [frozenset({w}) for w in words]


def _base_name(name: str) -> str:
    """'Korea, Republic of' -> 'Korea'; 'Cocos (Keeling) Islands' -> 'Cocos Islands'."""
    name = re.sub(r"\s*\([^)]*\)", "", name.split(",")[0])
    return " ".join(name.split())


def _is_cyrillic(name: str) -> bool:
    return any("CYRILLIC" in unicodedata.name(c, "") for c in name if c.isalpha())


# Everyday names pycountry lacks (or has only in an official form). "!" marks an
# abbreviation that must match case-sensitively.
_EVERYDAY: dict[str, dict[str, tuple[str, ...]]] = {
    "ru": {
        "KG": ("Кыргызстан", "Киргизия", "Кыргызская Республика", "Киргизская Республика"),
        "KZ": ("Казахстан", "Республика Казахстан"),
        "RU": ("Россия", "!РФ"),
        "TR": ("Турция",),
        "US": ("!США", "Америка", "Соединенные Штаты"),
        "GB": ("Англия", "Великобритания", "Британия"),
        "AE": ("!ОАЭ", "Эмираты", "Арабские Эмираты"),
        "KR": ("Корея", "Южная Корея"),
        "KP": ("Северная Корея", "!КНДР"),
        "CN": ("!КНР",),
        "BY": ("Беларусь", "Белоруссия"),
        "MD": ("Молдавия", "Молдова"),
        "DE": ("!ФРГ",),
        "NL": ("Голландия", "Нидерланды"),
        "CZ": ("Чехия",),
        "SY": ("Сирия",),
        "IR": ("Иран",),
        "VN": ("Вьетнам",),
        "LA": ("Лаос",),
        "TW": ("Тайвань",),
        "MK": ("Македония",),
    },
    "ky": {
        "KG": ("Кыргызстан", "Кыргыз Республикасы"),
        "KZ": ("Казакстан", "Казахстан"),
        "RU": ("Орусия", "Россия", "!РФ"),
        "TR": ("Түркия", "Туркия"),
        "US": ("!АКШ", "Америка"),
        "GB": ("Улуу Британия", "Англия", "Британия"),
        "AE": ("!БАЭ", "Бириккен Араб Эмирликтери"),
        "KR": ("Корея", "Түштүк Корея"),
        "KP": ("Түндүк Корея",),
        "UZ": ("Өзбекстан",),
        "TJ": ("Тажикстан", "Тажикистан"),
        "CN": ("Кытай",),
    },
    "en": {
        "KG": ("Kyrgyzstan", "Kirghizia", "Kyrgyz Republic"),
        "KZ": ("Kazakhstan", "Kazakstan"),
        "RU": ("Russia",),
        "TR": ("Turkey", "Türkiye"),
        "US": ("!USA", "!US", "!U.S.", "United States", "America"),
        "GB": ("!UK", "Britain", "Great Britain", "England", "United Kingdom"),
        "AE": ("!UAE", "Emirates"),
        "KR": ("Korea", "South Korea"),
        "KP": ("North Korea", "!DPRK"),
        "CZ": ("Czech Republic",),
        "NL": ("Holland",),
        "CI": ("Ivory Coast",),
        "VN": ("Vietnam",),
    },
}

# Regions of the world, not countries: matched so that their last word is not.
_BLOCKERS: dict[str, tuple[str, ...]] = {
    "ru": ("Южная Америка", "Северная Америка", "Латинская Америка", "Центральная Америка"),
    "ky": ("Түштүк Америка", "Түндүк Америка", "Латын Америкасы", "Борбордук Америка"),
    "en": (
        "South America", "North America", "Latin America", "Central America", "New Mexico",
        "New Jersey",
    ),
}  # fmt: skip

# Major cities and regions: (country, ISO 3166-2 code if the place is a subdivision,
# {language: names, canonical first}).
_CITIES: tuple[tuple[str, str | None, dict[str, tuple[str, ...]]], ...] = (
    ("KZ", "KZ-75", {"ru": ("Алматы", "Алма-Ата"), "ky": ("Алматы",),
                     "en": ("Almaty", "Alma-Ata")}),
    ("KZ", "KZ-71", {"ru": ("Астана", "Нур-Султан"), "ky": ("Астана", "Нур-Султан"),
                     "en": ("Astana", "Nur-Sultan")}),
    ("KZ", "KZ-79", {"ru": ("Шымкент", "Чимкент"), "ky": ("Шымкент",), "en": ("Shymkent",)}),
    ("KZ", "KZ-47", {"ru": ("Мангистауская область", "Мангистау", "Мангыстау"),
                     "ky": ("Маңгыстау облусу", "Маңгыстау"),
                     "en": ("Mangystau Region", "Mangystau", "Mangistau")}),
    ("KZ", "KZ-19", {"ru": ("Алматинская область",), "ky": ("Алматы облусу",),
                     "en": ("Almaty Region",)}),
    ("KZ", None, {"ru": ("Жанаозен",), "ky": ("Жаңаөзөн", "Жанаозен"), "en": ("Zhanaozen",)}),
    ("KZ", None, {"ru": ("Актау",), "ky": ("Актау",), "en": ("Aktau",)}),
    ("KZ", None, {"ru": ("Караганда",), "ky": ("Караганды",), "en": ("Karaganda",)}),
    ("KZ", None, {"ru": ("Тараз",), "ky": ("Тараз",), "en": ("Taraz",)}),
    ("KG", "KG-GB", {"ru": ("Бишкек",), "ky": ("Бишкек",), "en": ("Bishkek",)}),
    ("KG", "KG-GO", {"ru": ("Ош",), "ky": ("Ош",), "en": ("Osh",)}),
    ("KG", "KG-C", {"ru": ("Чуйская область",), "ky": ("Чүй облусу",), "en": ("Chuy Region",)}),
    ("UZ", "UZ-TK", {"ru": ("Ташкент",), "ky": ("Ташкент",), "en": ("Tashkent",)}),
    ("UZ", None, {"ru": ("Самарканд",), "ky": ("Самарканд",), "en": ("Samarkand",)}),
    ("TJ", "TJ-DU", {"ru": ("Душанбе",), "ky": ("Душанбе",), "en": ("Dushanbe",)}),
    ("RU", "RU-MOW", {"ru": ("Москва",), "ky": ("Москва",), "en": ("Moscow",)}),
    ("RU", "RU-SPE", {"ru": ("Санкт-Петербург", "Петербург"),
                      "ky": ("Санкт-Петербург", "Петербург"),
                      "en": ("Saint Petersburg", "St. Petersburg", "St Petersburg")}),
    ("RU", None, {"ru": ("Екатеринбург",), "ky": ("Екатеринбург",), "en": ("Yekaterinburg",)}),
    ("RU", None, {"ru": ("Новосибирск",), "ky": ("Новосибирск",), "en": ("Novosibirsk",)}),
    ("RU", None, {"ru": ("Казань",), "ky": ("Казань",), "en": ("Kazan",)}),
    ("TR", "TR-34", {"ru": ("Стамбул",), "ky": ("Стамбул",), "en": ("Istanbul",)}),
    ("TR", "TR-06", {"ru": ("Анкара",), "ky": ("Анкара",), "en": ("Ankara",)}),
    ("AE", "AE-DU", {"ru": ("Дубай",), "ky": ("Дубай",), "en": ("Dubai",)}),
    ("AE", "AE-AZ", {"ru": ("Абу-Даби",), "ky": ("Абу-Даби",), "en": ("Abu Dhabi",)}),
    ("KR", "KR-11", {"ru": ("Сеул",), "ky": ("Сеул",), "en": ("Seoul",)}),
)  # fmt: skip


@cache
def _subdivision_codes() -> frozenset[str]:
    return frozenset(str(subdivision.code) for subdivision in pycountry.subdivisions)


def _pycountry_names(language: str) -> Iterator[tuple[str, str, int]]:
    """(country, name, priority) from pycountry; short names before official ones."""
    translations = (
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        if language != "en"
        else gettext.NullTranslations()
    )
    for country in pycountry.countries:
        for attribute, priority in (("name", 2), ("common_name", 2), ("official_name", 3)):
            english = getattr(country, attribute, None)
            if not english:
                continue
            name = _base_name(translations.gettext(str(english)))
            if language != "en" and not _is_cyrillic(name):
                continue  # untranslated: the English name covers it
            yield str(country.alpha_2), name, priority


def _entries(language: str) -> Iterator[tuple[str, _Place, int]]:
    """(name, place, priority) for one text language's gazetteer; lower priority wins."""
    # A Kyrgyz text also uses Russian names (Москва, Россия) with Kyrgyz suffixes.
    name_languages = ("ky", "ru") if language == "ky" else (language,)
    for name_language in name_languages:
        for name in _BLOCKERS[name_language]:
            yield name, _Place(None, alias_language=name_language), 0
        for code, names in _EVERYDAY[name_language].items():
            for name in names:
                yield name, _Place(code, name=name.lstrip("!"), alias_language=name_language), 1
        for country, iso, names_by_language in _CITIES:
            if iso not in _subdivision_codes():
                iso = None
            canonical = tuple((lang, names[0]) for lang, names in names_by_language.items())
            key = f"{country}:{names_by_language['en'][0]}"
            for name in names_by_language[name_language]:
                place = _Place(country, key, iso, name, name_language, canonical)
                yield name, place, 1
        for code, name, priority in _pycountry_names(name_language):
            yield name, _Place(code, name=name, alias_language=name_language), priority


@cache
def _gazetteer(language: str) -> dict[str, tuple[_Pattern, ...]]:
    """First-word form -> patterns (longest first). Built once per language."""
    best: dict[tuple[str, ...], tuple[int, set[str | None], list[tuple[str, _Place]]]] = {}
    for name, place, priority in _entries(language):
        words = tuple(_norm(m[0]) for m in _WORD.finditer(name.lstrip("!")))
        if not words:
            continue
        current = best.get(words)
        if current is None or priority < current[0]:
            best[words] = (priority, {place.country}, [(name, place)])
        elif priority == current[0]:
            current[1].add(place.country)
            current[2].append((name, place))
    index: dict[str, list[_Pattern]] = {}
    for words, (priority, countries, candidates) in best.items():
        if len(countries) > 1:
            continue  # the same name for two countries ("Virgin Islands"): ambiguous
        name, place = candidates[0]
        forms = _word_forms(list(words), language)
        exact = None
        if name.startswith("!"):
            first_word = _WORD.search(name[1:])
            exact = first_word[0] if first_word else None
        pattern = _Pattern(words[0], tuple(forms[1:]), words[-1], exact, place, priority)
        for form in forms[0]:
            index.setdefault(form, []).append(pattern)
    return {
        form: tuple(sorted(patterns, key=lambda p: (-len(p.rest), p.priority)))
        for form, patterns in index.items()
    }


# --- Places: matching and ranking ---------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str
    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class _Mention:
    place: _Place
    start: int
    locative: bool
    sentence: int


_GAP = re.compile(r"^\s*[.—–-]?\s*$")


def _tokens(text: str) -> list[_Token]:
    return [_Token(m[0], _norm(m[0]), m.start(), m.end()) for m in _WORD.finditer(text)]


def _sentence_starts(text: str) -> list[int]:
    starts: list[int] = []
    position = 0
    for sentence in _split_sentences(text):
        found = text.find(sentence, position)
        if found >= 0:
            starts.append(found)
            position = found + len(sentence)
    return starts or [0]


def _find_mentions(text: str, language: str) -> list[_Mention]:
    index = _gazetteer(language if language in ("ru", "ky") else "en")
    latin = _gazetteer("en") if language != "en" else None
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
                and tokens[i - 1].norm in _RU_LOCATIVE_PREPOSITIONS
                and not text[tokens[i - 1].end : token.start].strip()
            ) or (last.norm != match.last_base and last.norm.endswith(_KY_LOCATIVE))
            mentions.append(_Mention(match.place, token.start, locative, sentence))
        i += 1 + len(match.rest)
    return mentions


def _pattern_matches(pattern: _Pattern, tokens: list[_Token], i: int, text: str) -> bool:
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


def _sentence_weights(text: str) -> list[float]:
    weights = []
    for number, sentence in enumerate(_split_sentences(text)):
        weight = 1.5 if number == 0 else 1.0
        if _ADVICE.search(sentence) or _CITIZEN_CUE.search(sentence):
            weight *= 1.5
        weights.append(weight)
    return weights or [1.0]


#: Countries scoring under this share of the top one are passing mentions, not the subject.
RELEVANCE_CUTOFF = 0.2


def _rank(
    text: str, mentions: list[_Mention], exclude: str | None
) -> tuple[list[str], dict[str, float]]:
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
    return [c for c in ranked if scores[c] >= RELEVANCE_CUTOFF * top], scores


def rank_countries(text: str, language: str, exclude: str | None = None) -> list[str]:
    """ISO 3166-1 alpha-2 codes of the countries `text` is about, most relevant first.

    Countries and cities count in their inflected forms; early mentions and mentions in
    sentences addressed to citizens weigh more. `exclude` (the ministry's own country) is
    dropped unless it is the only country named; passing mentions (under
    RELEVANCE_CUTOFF of the top score) are dropped.
    """
    ranked, _ = _rank(text, _find_mentions(text, language), exclude)
    return ranked


def _areas(mentions: list[_Mention], countries: list[str], language: str) -> list[Area]:
    counts: dict[str, int] = {}
    aliases: dict[str, dict[str, int]] = {}
    places: dict[str, _Place] = {}
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


# --- The whole post -----------------------------------------------------------------------------


def extract_post(
    text: str, *, is_html: bool = False, ministry_country: str = "KG"
) -> ExtractedPost:
    """Everything an advisory needs that a free-text post says.

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
    mentions = _find_mentions(body, language)
    countries, _ = _rank(body, mentions, ministry_country)
    sentences = _split_sentences(body)
    summary = cut(sentences[0], SUMMARY_MAX)
    if len(sentences) > 1 and len(summary) + 1 + len(sentences[1]) <= SUMMARY_MAX:
        summary = f"{summary} {sentences[1]}"
    return ExtractedPost(
        language=language,
        countries=countries,
        areas=_areas(mentions, countries, language),
        hotlines=extract_hotlines(body, default_region=ministry_country),
        headline=cut(sentences[0], HEADLINE_MAX),
        summary=summary,
        instruction=_advice_sentences(sentences),
        body=body,
        sent=sent,
    )

"""The gazetteer: place names (countries from pycountry in English, Russian and Kyrgyz,
everyday names, major cities and regions) indexed by the inflected forms of their words.
Pure: no I/O beyond pycountry's bundled data (names and their gettext translations).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pycountry

from consular_alerts.domain.language.inflections import WORD, norm, word_forms


@dataclass(frozen=True)
class Place:
    """What a listed name denotes: a country, a city or region in one, or nothing (a blocker)."""

    country: str | None  # None: a blocker ("Южная Америка" is not the US)
    area: str | None = None  # key of a city/region, else a country name
    iso_3166_2: str | None = None
    name: str = ""  # the alias as listed (nominative)
    alias_language: str = ""
    canonical: tuple[tuple[str, str], ...] = ()  # (language, name) of an area


@dataclass(frozen=True)
class Pattern:
    """A listed name as matched against a text: its words in every accepted form."""

    first: str  # the normalized first word as listed (for Kyrgyz locative suffixes)
    rest: tuple[frozenset[str], ...]  # accepted forms of each further word
    last_base: str
    exact: str | None  # case-sensitive prefix of the first token (abbreviations)
    place: Place
    priority: int


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
        "SC": ("Сейшелы", "Сейшельские острова"),
        "MV": ("Мальдивы", "Мальдивские острова"),
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
        "MM": ("Burma", "Myanmar"),
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


def _entries(language: str) -> Iterator[tuple[str, Place, int]]:
    """(name, place, priority) for one text language's gazetteer; lower priority wins."""
    # A Kyrgyz text also uses Russian names (Москва, Россия) with Kyrgyz suffixes.
    name_languages = ("ky", "ru") if language == "ky" else (language,)
    for name_language in name_languages:
        for name in _BLOCKERS[name_language]:
            yield name, Place(None, alias_language=name_language), 0
        for code, names in _EVERYDAY[name_language].items():
            for name in names:
                yield name, Place(code, name=name.lstrip("!"), alias_language=name_language), 1
        for country, iso, names_by_language in _CITIES:
            if iso not in _subdivision_codes():
                iso = None
            canonical = tuple((lang, names[0]) for lang, names in names_by_language.items())
            key = f"{country}:{names_by_language['en'][0]}"
            for name in names_by_language[name_language]:
                place = Place(country, key, iso, name, name_language, canonical)
                yield name, place, 1
        for code, name, priority in _pycountry_names(name_language):
            yield name, Place(code, name=name, alias_language=name_language), priority


@cache
def gazetteer(language: str) -> dict[str, tuple[Pattern, ...]]:
    """First-word form -> patterns (longest first). Built once per language."""
    best: dict[tuple[str, ...], tuple[int, set[str | None], list[tuple[str, Place]]]] = {}
    for name, place, priority in _entries(language):
        words = tuple(norm(m[0]) for m in WORD.finditer(name.lstrip("!")))
        if not words:
            continue
        current = best.get(words)
        if current is None or priority < current[0]:
            best[words] = (priority, {place.country}, [(name, place)])
        elif priority == current[0]:
            current[1].add(place.country)
            current[2].append((name, place))
    index: dict[str, list[Pattern]] = {}
    for words, (priority, countries, candidates) in best.items():
        if len(countries) > 1:
            continue  # the same name for two countries ("Virgin Islands"): ambiguous
        name, place = candidates[0]
        forms = word_forms(list(words), language)
        exact = None
        if name.startswith("!"):
            first_word = WORD.search(name[1:])
            exact = first_word[0] if first_word else None
        pattern = Pattern(words[0], tuple(forms[1:]), words[-1], exact, place, priority)
        for form in forms[0]:
            index.setdefault(form, []).append(pattern)
    return {
        form: tuple(sorted(patterns, key=lambda p: (-len(p.rest), p.priority)))
        for form, patterns in index.items()
    }

"""Country names in the citizens' languages.

pycountry carries ISO 3166 names in Russian and Kyrgyz (docs/architecture.md, fact 10), but in their
official long forms; SMS needs the everyday short name, so a few are overridden here.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

_EVERYDAY = {
    "ru": {
        "RU": "Россия",
        "KG": "Кыргызстан",
        "US": "США",
        "GB": "Великобритания",
        "KR": "Южная Корея",
        "AE": "ОАЭ",
        "IR": "Иран",
        "SY": "Сирия",
        "XK": "Косово",
    },
    "ky": {
        "TR": "Түркия",
        "US": "АКШ",
        "GB": "Улуу Британия",
        "KR": "Түштүк Корея",
        "RU": "Орусия",
    },
    "en": {
        "XK": "Kosovo",
        "RU": "Russia",
        "US": "USA",
        "GB": "United Kingdom",
        "KR": "South Korea",
    },
}


@cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str, language: str) -> str:
    """Short name of an ISO 3166-1 alpha-2 country in `language` (ky, ru, en)."""
    override = _EVERYDAY.get(language, {}).get(code)
    if override:
        return override
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    if language == "en":
        return str(english)
    return _translations(language).gettext(str(country.name))

"""BCP-47 language tags: normalized casing, and the country of a tag's region. Pure."""

from __future__ import annotations

import re

from consular_alerts.models.base import is_country_code

_SUBTAG = re.compile(r"^[A-Za-z0-9]{1,8}$")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def normalize_language_tag(tag: str) -> str | None:
    """BCP-47 casing ("zh-tw" -> "zh-TW", "sr_latn_rs" -> "sr-Latn-RS"); None when `tag`
    is not a language tag the contract accepts."""
    parts = tag.strip().replace("_", "-").split("-")
    if not parts or not all(_SUBTAG.match(p) for p in parts):
        return None
    out = [parts[0].lower()]
    for index, part in enumerate(parts[1:], start=1):
        if len(part) == 4 and part.isalpha() and index == 1:
            out.append(part.title())  # script
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())  # region
        else:
            out.append(part.lower())
    normalized = "-".join(out)
    return normalized if _LANGUAGE_TAG.match(normalized) else None


def language_region(tag: str) -> str | None:
    """The country of a tag's region subtag ("fr-CA" -> "CA"); None when it names none."""
    for part in tag.split("-")[1:]:
        if len(part) == 2 and part.isalpha():
            return part if is_country_code(part) else None
    return None

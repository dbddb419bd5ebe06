"""The ground floor of the models: field types and validators every edge shares.

Imports nothing of the project but `models.plaintext`, so that every layer may use it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from consular_alerts.models.plaintext import (
    no_markup,
    plain_text,
    web_url,
    year_in_range,
)

E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9]\d{6,14}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Level = Annotated[int, Field(ge=1, le=4)]
# What a publisher's JSON must say: an integer, not true, "3" or 3.0.
StrictLevel = Annotated[int, Field(ge=1, le=4, strict=True)]
# BCP-47 as used by advisories: a primary language subtag with optional script/region.
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]

#: Languages citizens can choose for their messages.
CITIZEN_LANGUAGES: tuple[str, ...] = ("ky", "ru", "en")


class StrictModel(BaseModel):
    # defer_build: a model's validator is built when first used, so a cold start builds the
    # models its request needs (a citizen API request: two or three of its modules' dozens).
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True
    )


def _sane_date(value: Any) -> Any:
    year_in_range(value.year)
    return value


# Dates of advisories: with an offset, and in a year an advisory can have (models/plaintext.py).
Date = Annotated[AwareDatetime, AfterValidator(_sane_date)]
# The normalized advisory holds no markup (models/plaintext.py explains why).
NoMarkup = Annotated[str, AfterValidator(no_markup)]
# What a publisher sends as plain text: no markup, no control characters.
PlainText = Annotated[str, AfterValidator(plain_text)]
WebUrl = Annotated[str, AfterValidator(web_url)]
Reference = Annotated[PlainText, StringConstraints(max_length=500)]


# Codes in common use that ISO 3166-1 has not assigned: Kosovo (used by the EU, the US State
# Department, SWIFT and phone numbering).
USER_ASSIGNED_COUNTRIES = {"XK": "Kosovo"}


@lru_cache(maxsize=1024)
def is_country_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code, or one in common use that ISO has not assigned
    (USER_ASSIGNED_COUNTRIES: XK). The one check every layer uses."""
    if code in USER_ASSIGNED_COUNTRIES:
        return True
    if len(code) != 2 or not code.isascii():
        return False
    # Imported here: pycountry loads its database lazily and only validation needs it.
    import pycountry

    return pycountry.countries.get(alpha_2=code) is not None


def _known_country(code: str) -> str:
    if not is_country_code(code):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


KnownCountry = Annotated[CountryCode, AfterValidator(_known_country)]

"""Canary phones: staff numbers, per country and operator, subscribed to every segment of
their country, so that each advisory there is seen to reach each operator. Configuration
(a secret the operators set), never the public API:

    [{"country": "KZ", "operator": "Kcell", "phone": "+77011234567"}, ...]

A canary with no delivered receipt for a level 3-4 advisory `CanaryMinutes` after publishing
raises the canary alarm, naming its operator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from consular_alerts.domain.segments import LEVELS, Segment
from consular_alerts.models.base import CITIZEN_LANGUAGES

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Canary:
    country: str  # the segments it watches: every language and tier of this country
    operator: str  # as the operators name it ("Kcell"), for the alarm
    phone: str  # kept in memory only, to subscribe it; never logged
    phone_hash: str  # as the receipts know it

    def __repr__(self) -> str:  # no number in a log line, ever
        return f"Canary({self.country}, {self.operator})"

    def segments(self) -> list[Segment]:
        return [
            Segment(self.country, language, tier)
            for language in CITIZEN_LANGUAGES
            for tier in LEVELS
        ]


class CanaryConfigError(ValueError):
    """The configuration is not a list of {country, operator, phone}: says which entry."""


def parse_canaries(text: str, hash_phone: Callable[[str], str]) -> list[Canary]:
    try:
        entries = json.loads(text or "[]")
    except ValueError:
        raise CanaryConfigError("canary phones: not JSON") from None
    if not isinstance(entries, list):
        raise CanaryConfigError("canary phones: a JSON list of {country, operator, phone}")
    canaries = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"country", "operator", "phone"}:
            raise CanaryConfigError(f"canary phones[{index}]: exactly country, operator, phone")
        country, operator, phone = (str(entry[k]).strip() for k in ("country", "operator", "phone"))
        if not _COUNTRY.match(country):
            raise CanaryConfigError(f"canary phones[{index}].country: an ISO code like KZ")
        if not operator or len(operator) > 60:
            raise CanaryConfigError(f"canary phones[{index}].operator: 1 to 60 characters")
        if not _E164.match(phone):
            raise CanaryConfigError(f"canary phones[{index}].phone: E.164, + and digits")
        canaries.append(Canary(country, operator, phone, hash_phone(phone)))
    return canaries

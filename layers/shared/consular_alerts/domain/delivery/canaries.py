"""Canary phones: staff numbers, per country and operator, subscribed to every segment of
their country, so that each advisory there is seen to reach each operator. Configuration
(a secret the operators set), never the public API:

    [{"country": "KZ", "operator": "Kcell", "phone": "+77011234567"}, ...]

A canary with no delivered receipt for a level 3-4 advisory `CanaryMinutes` after publishing
raises the canary alarm, and the operations topic gets a notice naming the country and the
operator (`canary_notice`): whom the duty officer calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class CanaryMiss:
    """A canary phone without a delivered receipt for a segment it watches."""

    operator: str
    country: str
    segment: str
    advisory_id: str
    version: int
    receipt: str  # "failed", or "none"
    published_at: datetime  # of the segment's publish


#: SNS refuses a subject over 99 characters, or one that is not ASCII.
_SUBJECT_LIMIT = 99


def canary_notice(misses: list[CanaryMiss], minutes: int) -> tuple[str, str]:
    """The subject and text of the notice the operations topic gets for `misses`: one line
    per operator and advisory version, operator first (whom to call), then what is missing."""
    grouped: dict[tuple[str, str, str, int], list[CanaryMiss]] = {}
    for miss in misses:
        grouped.setdefault((miss.country, miss.operator, miss.advisory_id, miss.version), [])
        grouped[(miss.country, miss.operator, miss.advisory_id, miss.version)].append(miss)
    lines = []
    for (country, operator, advisory_id, version), missed in sorted(grouped.items()):
        failed = sorted(m.segment for m in missed if m.receipt == "failed")
        silent = sorted(m.segment for m in missed if m.receipt != "failed")
        what = "; ".join(
            part
            for part in (
                f"failed on {', '.join(failed)}" if failed else "",
                f"no receipt on {', '.join(silent)}" if silent else "",
            )
            if part
        )
        lines.append(f"{operator} ({country}): {what} - advisory {advisory_id} version {version}")
    named = sorted({f"{m.operator} ({m.country})" for m in misses})
    subject = f"Canary phones not reached: {', '.join(named)}"
    subject = subject.encode("ascii", "replace").decode("ascii")
    if len(subject) > _SUBJECT_LIMIT:
        subject = subject[: _SUBJECT_LIMIT - 3] + "..."
    text = "\n".join(
        [
            f"Canary phones had no delivered SMS for a level 3-4 advisory {minutes} minutes "
            "after publishing. Call these operators (canaries not listed were reached):",
            "",
            *lines,
            "",
            "Per segment: GET /advisories/{advisory_id}/versions/{version}/delivery, or the "
            "console's delivery panel.",
        ]
    )
    return subject, text

"""Audience segments: country x language x level tier (docs/architecture.md, fact 1).

A citizen who wants advisories of level >= m for country C in language L holds one
subscription, on the topic of segment (C, L, m). An advisory of level n for C therefore
reaches tiers 1..n: at most 4 publishes per country and language, whatever the number of
subscribers, and no filter policy anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consular_alerts.domain.policy import Decision, Kind
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.base import CITIZEN_LANGUAGES

LEVELS = (1, 2, 3, 4)
_NAME = re.compile(r"^(?P<country>[A-Z]{2})-(?P<language>[a-z]{2})-L(?P<tier>[1-4])$")


@dataclass(frozen=True, order=True)
class Segment:
    country: str
    language: str
    tier: int  # the subscriber's minimum level

    @property
    def name(self) -> str:
        """Suffix of the segment's SNS topic name (the prefix is the stack's)."""
        return f"{self.country}-{self.language}-L{self.tier}"

    @classmethod
    def parse(cls, name: str) -> Segment:
        match = _NAME.match(name)
        if match is None:
            raise ValueError(f"not a segment name: {name!r}")
        return cls(match["country"], match["language"], int(match["tier"]))


def segments_reached(countries: list[str], level: int) -> list[Segment]:
    """Every segment whose subscribers want an advisory of `level` about `countries`."""
    return [
        Segment(country, language, tier)
        for country in countries
        for language in CITIZEN_LANGUAGES
        for tier in LEVELS
        if tier <= level
    ]


def segments_for_subscriber(countries: list[str], language: str, min_level: int) -> list[Segment]:
    """The segments one subscriber belongs to: one per chosen country."""
    return [Segment(country, language, min_level) for country in countries]


def segment_of_subscription(subscription_arn: str) -> Segment:
    """The segment of an SNS subscription, from its ARN:
    arn:aws:sns:<region>:<account>:<stack>-seg-<CC>-<lang>-L<n>:<subscription uuid>."""
    parts = subscription_arn.split(":")
    if len(parts) < 7 or "-seg-" not in parts[5]:
        raise ValueError(f"not a segment subscription: {subscription_arn!r}")
    return Segment.parse(parts[5].rsplit("-seg-", 1)[1])


def audience(advisory: Advisory, previous: Advisory | None, decision: Decision) -> list[Segment]:
    """Segments to publish to. A cancel, an all-clear or a lowered level must also reach
    everyone the replaced version reached."""
    countries, level = list(advisory.countries), advisory.level
    widen = decision.kind in {Kind.CANCEL, Kind.ALL_CLEAR} or (
        previous is not None and previous.level > advisory.level
    )
    if previous is not None and widen:
        countries += [c for c in previous.countries if c not in countries]
        level = max(level, previous.level)
    return segments_reached(countries, level)

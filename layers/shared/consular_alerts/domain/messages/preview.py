"""What sending an advisory would look like and cost, before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from consular_alerts.domain.messages.render import FALLBACK_ORDER, RenderedMessage, render
from consular_alerts.domain.policy import Kind
from consular_alerts.domain.segments import Segment, segments_reached
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.base import CITIZEN_LANGUAGES


def render_all(
    advisory: Advisory,
    kind: Kind,
    *,
    base_url: str,
    sms_budget: int,
    previous: Advisory | None = None,
    fallback_order: tuple[str, ...] = FALLBACK_ORDER,
    offline: bool = False,
) -> dict[str, RenderedMessage]:
    return {
        language: render(
            advisory,
            language,
            kind,
            base_url=base_url,
            sms_budget=sms_budget,
            previous=previous,
            fallback_order=fallback_order,
            offline=offline,
        )
        for language in CITIZEN_LANGUAGES
    }


def preview_json(rendered: dict[str, RenderedMessage]) -> dict[str, Any]:
    """`{"ru": {"sms": {"text", "encoding", "segments"}, "email": {"subject", "body"}}, ...}`"""
    return {
        language: {
            "sms": {
                "text": message.sms.text,
                "encoding": message.sms.encoding.value,
                "segments": message.sms.segments,
            },
            "email": {"subject": message.email_subject, "body": message.email_body},
        }
        for language, message in rendered.items()
    }


@dataclass(frozen=True)
class SmsPrices:
    currency: str
    default: float
    per_country: dict[str, float]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SmsPrices:
        return cls(
            currency=str(data["currency"]),
            default=float(data["default"]),
            per_country={str(k): float(v) for k, v in data.get("per_country", {}).items()},
        )

    def price(self, country: str) -> float:
        return self.per_country.get(country, self.default)


@dataclass(frozen=True)
class Audience:
    """Subscribers of one segment: SMS recipients by the country of their phone number
    (what SMS is billed by), and email recipients."""

    segment: Segment
    sms_by_country: dict[str, int] = field(default_factory=dict)
    email: int = 0


@dataclass(frozen=True)
class CostLine:
    segment: str
    destination: str
    recipients: int
    segments_each: int
    billed_segments: int
    cost: float


@dataclass(frozen=True)
class CostReport:
    currency: str
    lines: list[CostLine]
    emails: int

    @property
    def billed_segments(self) -> int:
        return sum(line.billed_segments for line in self.lines)

    @property
    def total(self) -> float:
        return round(sum(line.cost for line in self.lines), 4)


def sms_cost(
    advisory: Advisory,
    rendered: dict[str, RenderedMessage],
    audiences: list[Audience],
    prices: SmsPrices,
    reached: Iterable[Segment] | None = None,
    per_country: Mapping[str, Mapping[str, RenderedMessage]] | None = None,
) -> CostReport:
    """SMS segments sending would bill, and their cost, for the segments the advisory
    reaches (audiences of other segments are ignored, as the fan-out would). `reached`:
    the segments the fan-out would publish to, when known (a cancel also reaches those of
    the version it replaces); else those of the advisory's countries and level.
    `per_country`: the messages of countries with a budget or internet state of their own
    (domain/messages/country_preview.py), by language."""
    reached = set(
        segments_reached(advisory.countries, advisory.level) if reached is None else reached
    )
    lines: list[CostLine] = []
    emails = 0
    for audience in audiences:
        if audience.segment not in reached:
            continue
        emails += audience.email
        messages = (per_country or {}).get(audience.segment.country, rendered)
        each = messages[audience.segment.language].sms.segments
        for country, recipients in sorted(audience.sms_by_country.items()):
            billed = recipients * each
            lines.append(
                CostLine(
                    audience.segment.name,
                    country,
                    recipients,
                    each,
                    billed,
                    round(billed * prices.price(country), 4),
                )
            )
    return CostReport(prices.currency, lines, emails)


def audience_from_counts(
    counts: Mapping[Segment, int], emails: Mapping[Segment, int] | None = None
) -> list[Audience]:
    """Audiences when only each segment's number of subscribers is known, and of them the
    email addresses (`emails`): every other subscriber is counted as an SMS to a phone of
    the segment's country. An estimate: a phone from another country is billed at that
    country's price."""
    audiences = []
    for segment, count in sorted(counts.items()):
        email = min(count, (emails or {}).get(segment, 0))
        phones = {segment.country: count - email} if count > email else {}
        if count > 0:
            audiences.append(Audience(segment, phones, email=email))
    return audiences


def cost_json(report: CostReport) -> dict[str, Any]:
    return {
        "currency": report.currency,
        "billed_segments": report.billed_segments,
        "total": report.total,
        "emails": report.emails,
        "lines": [
            {
                "segment": line.segment,
                "destination": line.destination,
                "recipients": line.recipients,
                "segments_each": line.segments_each,
                "billed_segments": line.billed_segments,
                "cost": line.cost,
            }
            for line in report.lines
        ],
    }

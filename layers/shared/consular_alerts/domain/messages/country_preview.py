"""The preview of countries whose messages differ from the rest: internet disrupted (no link
in the SMS) or a segment budget of their own. The dry run, `alerts render` and the console
show these beside the messages every other country gets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from consular_alerts.domain.messages.offline import CountryConditions
from consular_alerts.domain.messages.preview import preview_json, render_all
from consular_alerts.domain.messages.render import FALLBACK_ORDER, RenderedMessage
from consular_alerts.domain.policy import Kind
from consular_alerts.models.advisory import Advisory

ByCountry = dict[str, dict[str, RenderedMessage]]


def render_by_country(
    advisory: Advisory,
    kind: Kind,
    countries: Iterable[str],
    conditions: CountryConditions,
    *,
    base_url: str,
    previous: Advisory | None = None,
    fallback_order: tuple[str, ...] = FALLBACK_ORDER,
) -> ByCountry:
    """Messages per language for each of `countries` whose conditions differ from the
    default (a budget of its own, or its internet disrupted); the others get the default."""
    return {
        country: render_all(
            advisory,
            kind,
            base_url=base_url,
            sms_budget=conditions.budget(country),
            previous=previous,
            fallback_order=fallback_order,
            offline=conditions.offline(country),
        )
        for country in sorted(set(countries))
        if conditions.offline(country) or conditions.budget(country) != conditions.default_budget
    }


def countries_json(by_country: ByCountry, conditions: CountryConditions) -> dict[str, Any]:
    """`{"KZ": {"internet": "disrupted", "sms_segment_budget": 2, "preview": {...}}}`"""
    return {
        country: {
            "internet": conditions.internet(country).value,
            "sms_segment_budget": conditions.budget(country),
            "preview": preview_json(rendered),
        }
        for country, rendered in by_country.items()
    }

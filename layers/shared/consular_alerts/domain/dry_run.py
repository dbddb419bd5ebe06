"""What posting an advisory would do, without doing it: the dry run's result and the JSON
the publisher is answered with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consular_alerts.domain.messages.country_preview import ByCountry, countries_json
from consular_alerts.domain.messages.offline import CountryConditions
from consular_alerts.domain.messages.preview import CostReport, cost_json, preview_json
from consular_alerts.domain.messages.reach import Reach, reach_json
from consular_alerts.domain.messages.render import RenderedMessage
from consular_alerts.domain.policy import Decision
from consular_alerts.domain.segments import Segment
from consular_alerts.models.advisory import Advisory


@dataclass(frozen=True)
class DryRun:
    """What posting would do: the version it would store (if any), whether and why it
    would notify, and the messages per language."""

    advisory: Advisory
    would_store: bool
    decision: Decision
    rendered: dict[str, RenderedMessage]
    # The segments sending would publish to, with their subscribers, and what the SMS would
    # cost: only when the service was given an audience counter (and prices).
    audience: dict[Segment, int] | None = None
    cost: CostReport | None = None
    # Countries whose messages differ (internet disrupted, a budget of their own).
    by_country: ByCountry = field(default_factory=dict)
    conditions: CountryConditions = field(default_factory=CountryConditions)
    reach: Reach | None = None  # how long the SMS would take to go out, with the cost
    # What normalizing left out or worked around (a hotline it could not place).
    warnings: list[str] = field(default_factory=list)
    # Training mode: the staff subscriptions an exercise would reach (citizens: none).
    staff: int | None = None


def dry_run_json(result: DryRun) -> dict[str, Any]:
    """Nothing stored, nothing sent: what posting would store and send, and (when the
    function can count them) the subscribers of each segment it reaches and the SMS cost."""
    body: dict[str, Any] = {
        "dry_run": True,
        "advisory_id": result.advisory.advisory_id,
        "version": result.advisory.version,
        "would_store": result.would_store,
        "would_notify": result.decision.notify,
        # Two-person approval: posting it would hold it for a second officer (and why).
        "would_need_approval": result.advisory.approval_rule,
        "reason": result.decision.reason,
        "advisory": result.advisory.to_record(),
        "preview": preview_json(result.rendered),
    }
    if result.audience is not None:
        body["audience"] = [
            {"segment": segment.name, "subscribers": count}
            for segment, count in sorted(result.audience.items())
        ]
    if result.staff is not None:
        body["exercise"] = {"staff_subscriptions": result.staff, "citizens": 0}
    if result.cost is not None:
        body["cost"] = cost_json(result.cost)
    if result.reach is not None:
        body["reach"] = reach_json(result.reach)
    if result.warnings:
        body["warnings"] = list(result.warnings)
    if result.by_country:  # shutdown mode, budgets of their own (domain/messages/offline.py)
        body["countries"] = countries_json(result.by_country, result.conditions)
    return body


def pending_json(result: DryRun, expires_at: datetime) -> dict[str, Any]:
    """A version waiting for a second officer, as the approval queue lists it: who posted
    it, why it waits, until when, and what releasing it would send, to whom, at what cost."""
    advisory = result.advisory
    body = dry_run_json(result)
    for key in ("dry_run", "would_store", "would_need_approval"):
        body.pop(key)
    return {
        **body,
        "status": "pending_approval",
        "published_by": advisory.published_by,
        "received_at": advisory.received_at.isoformat(),
        "approval_rule": advisory.approval_rule,
        "expires_at": expires_at.isoformat(),
    }

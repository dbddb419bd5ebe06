"""Two-person approval: which versions a second officer must release before anyone is told,
and whether a waiting version can still be approved. Pure: the ingest and approval services
give it what they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from consular_alerts.domain.policy import Decision, Kind
from consular_alerts.models.advisory import Advisory, Approval, MsgType, Status

#: ApprovalLevel that no level reaches: no version needs approval for its level.
NO_LEVEL = 5


@dataclass(frozen=True)
class ApprovalRules:
    """The template's ApprovalLevel, ApprovalAudience and ApprovalTimeoutMinutes."""

    level: int = 3  # a version of this level or above needs a second officer
    audience: int = 1000  # a version reaching more subscribers than this too
    timeout: timedelta = timedelta(minutes=60)  # a version waiting longer is never sent


@dataclass(frozen=True)
class Origin:
    """Where a version came from: a feed (the poller) or an officer (the publisher API)."""

    feed_id: str | None = None
    auto_publish: bool = False  # the feed's configuration lets its items out unreviewed


BY_OFFICER = Origin()  # posted through the publisher API


def approval_needed(
    advisory: Advisory,
    previous: Advisory | None,
    decision: Decision,
    subscribers: int | None,
    rules: ApprovalRules,
    origin: Origin = BY_OFFICER,
) -> str | None:
    """Why `advisory` needs a second officer before it is sent, or None when it goes out
    (or stays silent) on its own. `previous` is the last released version it follows,
    `decision` whether it would notify, `subscribers` the audience it would reach (None: not
    counted; for an exercise, the staff it reaches: training mode rehearses approval too)."""
    if not decision.notify or (advisory.status is not Status.ACTUAL and not decision.staff_only):
        return None  # tells nobody: nothing to approve
    if previous is not None and (
        advisory.msg_type is MsgType.CANCEL or decision.kind is Kind.ALL_CLEAR
    ):
        return None  # ending what citizens were told must never wait
    reasons = []
    if advisory.level >= rules.level:
        reasons.append(f"level {advisory.level} (ApprovalLevel {rules.level})")
    if subscribers is not None and subscribers > rules.audience:
        reasons.append(f"{subscribers} subscribers (more than ApprovalAudience {rules.audience})")
    if origin.feed_id is not None and not origin.auto_publish:
        reasons.append(f"from feed {origin.feed_id}, not marked auto_publish")
    return "; ".join(reasons) or None


def expired(advisory: Advisory, now: datetime, rules: ApprovalRules) -> bool:
    """A pending version that waited longer than the timeout: never sent."""
    return advisory.approval is Approval.PENDING and now - advisory.received_at > rules.timeout

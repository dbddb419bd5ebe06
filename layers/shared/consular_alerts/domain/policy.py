"""Whether an advisory version notifies citizens, and why (every decision is logged).

Notify: a new alert, a raised level, a cancel or all-clear, an update the publisher marks as
major, and (by default) a lowered level. Stay silent: minor edits, status other than actual,
expired advisories. An exercise the ministry posted (training mode) follows the same rules
for staff-flagged subscriptions only; an exercise from a feed stays silent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from consular_alerts.models.advisory import Advisory, MsgType, Significance, Status


class Kind(StrEnum):
    """What the messages announce: it picks the marker citizens see first."""

    NEW = "new"
    UPDATE = "update"
    CANCEL = "cancel"
    ALL_CLEAR = "all_clear"


@dataclass(frozen=True)
class NotifyPolicy:
    notify_lowered_level: bool = True
    # An update nobody marked, with the same level and countries, reads as a minor edit.
    notify_unmarked_updates: bool = False


@dataclass(frozen=True)
class Decision:
    notify: bool
    reason: str
    kind: Kind = Kind.NEW
    # Training mode: the messages go to staff-flagged subscriptions only, never a segment.
    staff_only: bool = False


def ministry_exercise(advisory: Advisory) -> bool:
    """An exercise an officer posted (the publisher API names who): staff rehearse it. A
    feed's Exercise is someone else's drill and reaches nobody."""
    by = advisory.published_by
    return advisory.status is Status.EXERCISE and bool(by) and not str(by).startswith("feed:")


def decide(
    advisory: Advisory,
    previous: Advisory | None,
    now: datetime,
    policy: NotifyPolicy = NotifyPolicy(),
) -> Decision:
    """`previous` is the version this one replaces: the prior version of the same advisory,
    or the latest version of the advisory it references; None for a first alert."""
    if ministry_exercise(advisory):
        decision = _rules(advisory, previous, now, policy)
        return replace(decision, reason=f"exercise, staff only: {decision.reason}", staff_only=True)
    if advisory.status is not Status.ACTUAL:
        return Decision(
            False,
            f"status {advisory.status.value} never reaches citizens",
            announced_kind(advisory),  # a preview still reads as what it is
        )
    return _rules(advisory, previous, now, policy)


def _rules(
    advisory: Advisory, previous: Advisory | None, now: datetime, policy: NotifyPolicy
) -> Decision:
    """The rules for an actual version, or for an exercise among exercises (an exercise
    never follows an actual version, nor the reverse: services/ingest.py refuses it)."""
    if advisory.expires is not None and advisory.expires <= now:
        return Decision(
            False, f"expired at {advisory.expires.isoformat()}", announced_kind(advisory)
        )
    if advisory.msg_type is MsgType.CANCEL:
        return Decision(True, "cancel of an advisory citizens were told about", Kind.CANCEL)
    if previous is None:
        if advisory.msg_type is MsgType.UPDATE:
            # Citizens may have heard of it elsewhere: it still says it is an update.
            return Decision(True, "update of an advisory not on record", Kind.UPDATE)
        return Decision(True, "new alert", Kind.NEW)
    if previous.status is not advisory.status:
        # Rehearsed as test or draft, now published: citizens have heard nothing yet.
        return Decision(
            True,
            f"first {advisory.status.value} version (v{previous.version} was "
            f"{previous.status.value})",
            Kind.NEW,
        )
    if previous.expires is not None and previous.expires <= advisory.received_at:
        return Decision(True, f"reissued after v{previous.version} expired", Kind.NEW)

    change = f"v{previous.version} -> v{advisory.version}"
    if advisory.level > previous.level:
        return Decision(
            True, f"level raised {previous.level} -> {advisory.level} ({change})", Kind.UPDATE
        )
    if advisory.level < previous.level:
        kind = Kind.ALL_CLEAR if advisory.level == 1 else Kind.UPDATE
        return Decision(
            policy.notify_lowered_level,
            f"level lowered {previous.level} -> {advisory.level} ({change})"
            + ("" if policy.notify_lowered_level else "; lowered levels are configured silent"),
            kind,
        )
    if advisory.significance is Significance.MAJOR:
        return Decision(True, f"update marked major ({change})", Kind.UPDATE)
    if advisory.significance is Significance.MINOR:
        return Decision(False, f"minor edit ({change})", Kind.UPDATE)
    if set(advisory.countries) != set(previous.countries):
        return Decision(True, f"countries changed ({change})", Kind.UPDATE)
    if policy.notify_unmarked_updates:
        return Decision(True, f"unmarked update, configured to notify ({change})", Kind.UPDATE)
    return Decision(
        False, f"minor edit: same level and countries, not marked major ({change})", Kind.UPDATE
    )


def announced_kind(advisory: Advisory) -> Kind:
    """What a version announces on its own, with nothing on record (previews, `alerts
    render`): a cancel cancels, an update updates, anything else is new."""
    if advisory.msg_type is MsgType.CANCEL:
        return Kind.CANCEL
    if advisory.msg_type is MsgType.UPDATE:
        return Kind.UPDATE
    return Kind.NEW

"""Training mode: which staff-flagged subscriptions an exercise reaches. The same rule as a
citizen's segments (a country of theirs, a level at or above their minimum, their language),
applied to each staff record instead of a segment topic."""

from __future__ import annotations

from dataclasses import dataclass

from consular_alerts.domain.segments import Segment, segments_for_subscriber
from consular_alerts.models.citizen import Subscriber, SubscriberStatus


@dataclass(frozen=True)
class StaffPreferences:
    """What the staff index holds of a staff subscription: its preferences, no address."""

    subscriber_id: str
    countries: list[str]
    language: str
    min_level: int


def matching_segment(
    countries: list[str], language: str, min_level: int, segments: list[Segment]
) -> Segment | None:
    """The first of a subscriber's segments among `segments`, if any."""
    wanted = set(segments)
    mine = segments_for_subscriber(countries, language, min_level)
    return next((segment for segment in mine if segment in wanted), None)


def staff_count(staff: list[StaffPreferences], segments: list[Segment]) -> int:
    """How many staff subscriptions an exercise reaching `segments` goes to (dry run,
    approval: counted from the index, no record read)."""
    return sum(
        matching_segment(s.countries, s.language, s.min_level, segments) is not None for s in staff
    )


def staff_reached(
    staff: list[Subscriber], segments: list[Segment]
) -> list[tuple[Subscriber, Segment]]:
    """Each live staff subscription one of `segments` (the audience the version would have
    among citizens) contains, with that segment: it picks the message's language and country
    conditions. Sorted by subscription id, so a retry goes in the same order."""
    reached = []
    for subscriber in sorted(staff, key=lambda s: s.subscriber_id):
        if not (subscriber.staff and subscriber.status is SubscriberStatus.ACTIVE):
            continue
        if not subscriber.address:
            continue
        segment = matching_segment(
            subscriber.countries, subscriber.language.value, subscriber.min_level, segments
        )
        if segment is not None:
            reached.append((subscriber, segment))
    return reached

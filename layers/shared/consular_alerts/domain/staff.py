"""Training mode: which staff-flagged subscriptions an exercise reaches. The same rule as a
citizen's segments (a country of theirs, a level at or above their minimum, their language),
applied to each staff record instead of a segment topic."""

from __future__ import annotations

from consular_alerts.domain.segments import Segment, segments_for_subscriber
from consular_alerts.models.citizen import Subscriber, SubscriberStatus


def staff_reached(
    staff: list[Subscriber], segments: list[Segment]
) -> list[tuple[Subscriber, Segment]]:
    """Each live staff subscription one of `segments` (the audience the version would have
    among citizens) contains, with that segment: it picks the message's language and country
    conditions. Sorted by subscription id, so a retry goes in the same order."""
    wanted = set(segments)
    reached = []
    for subscriber in sorted(staff, key=lambda s: s.subscriber_id):
        if not (subscriber.staff and subscriber.status is SubscriberStatus.ACTIVE):
            continue
        if not subscriber.address:
            continue
        mine = segments_for_subscriber(
            subscriber.countries, subscriber.language.value, subscriber.min_level
        )
        matched = [segment for segment in mine if segment in wanted]
        if matched:
            reached.append((subscriber, matched[0]))
    return reached

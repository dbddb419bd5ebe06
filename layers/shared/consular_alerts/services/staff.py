"""Training mode's staff list, as operators keep it (`alerts staff`, or `/_local/staff` on
the local runtime): a subscription verified or confirmed through the citizens' own flow is
flagged staff, so its owner rehearses with their countries, language and minimum level.
Never reachable through the citizen API."""

from __future__ import annotations

from consular_alerts.domain.citizens.privacy import mask_address
from consular_alerts.models.citizen import Subscriber, SubscriberStatus
from consular_alerts.services.ports import StaffDirectory, SubscriberRepository


class StaffError(ValueError):
    """Why a subscription cannot be flagged or unflagged, in one line."""


class StaffService:
    def __init__(self, subscribers: SubscriberRepository, directory: StaffDirectory) -> None:
        self._subscribers = subscribers
        self._directory = directory

    def set_staff(self, subscriber_id: str, staff: bool) -> Subscriber:
        """Flag (or unflag) one subscription; an unchanged flag writes nothing."""
        for _ in range(3):
            subscriber = self._subscribers.get(subscriber_id)
            if subscriber is None:
                raise StaffError(f"no subscription {subscriber_id}")
            if staff and subscriber.status is not SubscriberStatus.ACTIVE:
                raise StaffError(
                    f"subscription {subscriber_id} is {subscriber.status.value}: only an active "
                    "subscription (phone verified, email confirmed) can be flagged staff"
                )
            if subscriber.staff == staff:
                return subscriber
            updated = subscriber.model_copy(
                update={"staff": staff, "revision": subscriber.revision + 1}
            )
            # Conditional on the revision read: a citizen's change in between is kept.
            if self._subscribers.replace(updated, subscriber.status):
                return updated
        raise StaffError(f"subscription {subscriber_id} is being changed; try again")

    def staff(self) -> list[Subscriber]:
        return sorted(self._directory.staff(), key=lambda s: s.subscriber_id)


def describe(subscriber: Subscriber) -> str:
    """One line per staff subscription, its address masked."""
    return (
        f"{subscriber.subscriber_id}  {subscriber.channel.value}  "
        f"{mask_address(subscriber.address)}  {','.join(subscriber.countries)}  "
        f"{subscriber.language.value}  min level {subscriber.min_level}  "
        f"{'staff' if subscriber.staff else 'not staff'}"
    )

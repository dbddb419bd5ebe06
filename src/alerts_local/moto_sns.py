"""moto's SNS reports 0 confirmed subscriptions on every topic (GetTopicAttributes'
SubscriptionsConfirmed is never updated). SNS reports the topic's subscriptions, so the
publisher's dry run counts each segment's audience; locally every subscription counts as
confirmed, as moto confirms them at once (README: the local runtime)."""

from __future__ import annotations

from typing import Any

from moto.sns.models import Topic


def _confirmed(topic: Any) -> int:
    return sum(
        1
        for subscription in list(topic.sns_backend.subscriptions.values())
        if subscription.topic.arn == topic.arn
    )


def count_confirmed_subscriptions() -> None:
    """Make GetTopicAttributes report each topic's live subscriptions (idempotent)."""
    if not isinstance(getattr(Topic, "subscriptions_confimed", None), property):
        # moto's own spelling; its constructor assigns 0, which the setter ignores.
        Topic.subscriptions_confimed = property(_confirmed, lambda _topic, _value: None)  # type: ignore[assignment]

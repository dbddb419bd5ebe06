"""Plays CloudWatch Logs subscription filters against moto's log groups: new events of each
subscribed group go to the function as the `awslogs` payload Lambda would receive (the SMS
receipts the outbox writes as SNS would, for the receipts function)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from alerts_local.lambdas import LocalFunctions
from alerts_local.sms_receipts import LogEvent, awslogs_event
from alerts_local.stack import LOCAL_ACCOUNT, DeployedStack, LogSubscription

BATCH = 100  # events per invocation (CloudWatch Logs batches them too)


class LogSubscriptionPump:
    def __init__(self, stack: DeployedStack, functions: LocalFunctions) -> None:
        self._logs = stack.client("logs")
        self._functions = functions
        self._subscriptions = stack.log_subscriptions
        # Only this stack's stream: moto's log groups are shared by every local stack of a
        # process (their names are account-wide), and the outbox writes to one named after it.
        self._stream = stack.name
        self._seen: dict[str, set[str]] = {s.log_group: set() for s in self._subscriptions}
        self._lock = threading.Lock()
        self.invocations = 0

    def _new_events(self, subscription: LogSubscription) -> list[LogEvent]:
        seen = self._seen[subscription.log_group]
        events: list[LogEvent] = []
        request: dict[str, Any] = {
            "logGroupName": subscription.log_group,
            "logStreamNames": [self._stream],
        }
        try:
            while True:
                page = self._logs.filter_log_events(**request)
                for event in page.get("events", []):
                    if event["eventId"] not in seen:
                        seen.add(event["eventId"])
                        events.append(_log_event(event))
                if not page.get("nextToken"):
                    return events
                request["nextToken"] = page["nextToken"]
        except self._logs.exceptions.ResourceNotFoundException:
            return []  # nothing written there yet

    def drain(self) -> int:
        """Deliver every event not delivered yet; the number of invocations."""
        count = 0
        with self._lock:
            for subscription in self._subscriptions:
                events = self._new_events(subscription)
                for start in range(0, len(events), BATCH):
                    payload = awslogs_event(
                        subscription.log_group, events[start : start + BATCH], owner=LOCAL_ACCOUNT
                    )
                    self._functions.invoke(subscription.function, payload)
                    count += 1
        self.invocations += count
        return count


def _log_event(event: dict[str, object]) -> LogEvent:
    timestamp = int(str(event["timestamp"]))
    return LogEvent(
        str(event["eventId"]), datetime.fromtimestamp(timestamp / 1000, UTC), str(event["message"])
    )

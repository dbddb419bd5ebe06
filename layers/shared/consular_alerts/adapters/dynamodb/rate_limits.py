"""The rate-limits table: the abuse limits' hourly counters and cooldowns."""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from consular_alerts.adapters.errors import translate_errors
from consular_alerts.domain.citizens.limits import (
    Budget,
    Refusal,
    cooldown_refusal,
    counter_refusal,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoRateLimiter:
    """Hourly counters and cooldowns in one table, taken all or nothing in one transaction:
    `UpdateItem ADD` with a condition per counter, so concurrent requests never overshoot."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB rate limits")
    def acquire(self, budget: Budget, now: datetime) -> Refusal | None:
        epoch = int(now.timestamp())
        items: list[dict[str, Any]] = []
        for counter in budget.counters:
            items.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"limit_key": {"S": counter.key}},
                        "UpdateExpression": "ADD hits :one SET expires_at = :ttl",
                        "ConditionExpression": "attribute_not_exists(hits) OR hits < :max",
                        # ADD 0 when the request sends nothing: checked and written
                        # like the others, counted by none.
                        "ExpressionAttributeValues": {
                            ":one": {"N": str(counter.cost)},
                            ":max": {"N": str(counter.maximum)},
                            ":ttl": {"N": str(counter.expires_at)},
                        },
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
        for cooldown in budget.cooldowns:
            items.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"limit_key": {"S": cooldown.key}},
                        "UpdateExpression": "SET last_at = :now, expires_at = :ttl",
                        "ConditionExpression": "attribute_not_exists(last_at) OR last_at <= :cut",
                        "ExpressionAttributeValues": {
                            ":now": {"N": str(epoch)},
                            ":cut": {"N": str(epoch - cooldown.seconds)},
                            ":ttl": {"N": str(epoch + cooldown.seconds + 60)},
                        },
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
        if not items:
            return None
        for attempt in range(self.CONFLICT_RETRIES + 1):
            try:
                self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons: list[dict[str, Any]] = error.response.get(  # type: ignore[assignment]
                    "CancellationReasons", []
                )
                refusal = self._refusal(budget, reasons, now)
                if refusal is not None:
                    return refusal
                # Cancelled by a concurrent request on the same counter (TransactionConflict):
                # nothing was counted, so trying again is safe.
                if attempt == self.CONFLICT_RETRIES:
                    raise
                time.sleep(0.02 * (2**attempt) * (0.5 + random.random()))  # noqa: S311
            else:
                return None
        return None  # pragma: no cover (the loop returns or raises)

    CONFLICT_RETRIES = 4

    @translate_errors("DynamoDB rate limits")
    def refund(self, budget: Budget, now: datetime) -> None:
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"limit_key": {"S": counter.key}},
                    "UpdateExpression": "ADD hits :minus",
                    "ConditionExpression": "hits >= :cost",
                    "ExpressionAttributeValues": {
                        ":minus": {"N": str(-counter.cost)},
                        ":cost": {"N": str(counter.cost)},
                    },
                }
            }
            for counter in budget.counters
            if counter.cost
        ]
        items += [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"limit_key": {"S": cooldown.key}},
                    "UpdateExpression": "REMOVE last_at",
                    # Only the cooldown this request started.
                    "ConditionExpression": "last_at = :now",
                    "ExpressionAttributeValues": {":now": {"N": str(int(now.timestamp()))}},
                }
            }
            for cooldown in budget.cooldowns
        ]
        if not items:
            return
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            # Something else moved a counter meanwhile: keep the stricter count.
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise

    @staticmethod
    def _refusal(budget: Budget, reasons: list[dict[str, Any]], now: datetime) -> Refusal | None:
        for index, reason in enumerate(reasons):
            if reason.get("Code") != "ConditionalCheckFailed":
                continue
            if index < len(budget.counters):
                return counter_refusal(budget.counters[index], now)
            cooldown = budget.cooldowns[index - len(budget.counters)]
            last = reason.get("Item", {}).get("last_at", {}).get("N")
            return cooldown_refusal(cooldown, int(last) if last else None, now)
        return None

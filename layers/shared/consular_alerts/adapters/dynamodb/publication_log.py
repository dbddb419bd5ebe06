"""The delivery ledger's published segments, read for receipts and reports: the sparse index
PublishedByDay (published_day, message_id) that DynamoDeliveryLedger.complete fills, and the
ledger's own items of one advisory version."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from consular_alerts.adapters.errors import translate_errors
from consular_alerts.domain.delivery.report import Publication

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


# Sparse index of published segments: (published_day, message_id) -> the ledger item.
PUBLISHED_BY_DAY = "PublishedByDay"


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _publication(item: dict[str, Any]) -> Publication | None:
    if "message_id" not in item or item.get("state", {}).get("S") != "done":
        return None
    return Publication(
        item["delivery_key"]["S"],
        item["segment"]["S"],
        item["message_id"]["S"],
        datetime.fromisoformat(item["completed_at"]["S"]),
    )


class DynamoPublicationLog:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def _query(self, **request: Any) -> list[Publication]:
        found: list[Publication] = []
        request = {"TableName": self._table, **request}
        while True:
            response = self._client.query(**request)
            found += [p for item in response.get("Items", []) if (p := _publication(item))]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _day(self, day: date, message_id: str | None = None) -> list[Publication]:
        condition = "published_day = :d" + (" AND message_id = :m" if message_id else "")
        values: dict[str, Any] = {":d": {"S": day.isoformat()}}
        if message_id:
            values[":m"] = {"S": message_id}
        return self._query(
            IndexName=PUBLISHED_BY_DAY,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )

    @translate_errors("DynamoDB ledger index")
    def by_message_id(self, message_id: str, around: datetime) -> Publication | None:
        for offset in (0, -1, 1):
            found = self._day(_utc_day(around) + timedelta(days=offset), message_id)
            if found:
                return found[0]
        return None

    @translate_errors("DynamoDB ledger index")
    def latest_to_segment(self, segment: str, before: datetime) -> Publication | None:
        candidates = [
            p
            for offset in (0, -1)
            for p in self._day(_utc_day(before) + timedelta(days=offset))
            if p.segment == segment and before - timedelta(days=1) <= p.published_at <= before
        ]
        return max(candidates, key=lambda p: p.published_at, default=None)

    @translate_errors("DynamoDB ledger index")
    def published_between(self, start: datetime, end: datetime) -> list[Publication]:
        first, last = _utc_day(start), _utc_day(end)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [p for day in days for p in self._day(day) if start <= p.published_at <= end]

    @translate_errors("DynamoDB ledger read")
    def of_version(self, delivery_key: str) -> list[Publication]:
        return self._query(
            KeyConditionExpression="delivery_key = :k",
            ExpressionAttributeValues={":k": {"S": delivery_key}},
            ConsistentRead=True,
        )

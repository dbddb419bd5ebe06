"""Email segment membership, in the subscribers table: one small item per (segment,
confirmed email subscriber), `member#<segment>#<subscriber id>`, carrying no address; the
index `EmailSegmentMembers` lists a segment's members. Subscriber records are read in
batches of 100 (BatchGetItem), strongly consistent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from consular_alerts.adapters.dynamodb.items import from_item
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.errors import RetryableError
from consular_alerts.models.citizen import Subscriber

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MEMBER_INDEX = "EmailSegmentMembers"
_BATCH = 100  # BatchGetItem's most keys per call


def member_key(segment: str, subscriber_id: str) -> str:
    return f"member#{segment}#{subscriber_id}"


class DynamoEmailMembers:
    def __init__(self, client: DynamoDBClient, table: str, page_size: int = 500) -> None:
        self._client = client
        self._table = table
        self._page_size = page_size

    @translate_errors("DynamoDB email membership")
    def join(self, subscriber_id: str, segments: list[str]) -> None:
        for segment in segments:  # at most 20 countries: one idempotent PutItem each
            self._client.put_item(
                TableName=self._table,
                Item={
                    "subscriber_id": {"S": member_key(segment, subscriber_id)},
                    "member_segment": {"S": segment},
                    "member_of": {"S": subscriber_id},
                },
            )

    @translate_errors("DynamoDB email membership")
    def leave(self, subscriber_id: str, segments: list[str]) -> None:
        for segment in segments:
            self._client.delete_item(
                TableName=self._table,
                Key={"subscriber_id": {"S": member_key(segment, subscriber_id)}},
            )

    @translate_errors("DynamoDB email members")
    def members(self, segment: str) -> Iterator[list[str]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": MEMBER_INDEX,
            "KeyConditionExpression": "member_segment = :s",
            "ExpressionAttributeValues": {":s": {"S": segment}},
            "Limit": self._page_size,
        }
        while True:
            response = self._client.query(**request)
            ids = [item["member_of"]["S"] for item in response.get("Items", [])]
            if ids:
                yield ids
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @translate_errors("DynamoDB email members count")
    def count(self, segment: str) -> int:
        """How many confirmed email subscribers the segment has: Select=COUNT on the index,
        page by page (each page counts up to 1 MB of keys); no item is read back."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": MEMBER_INDEX,
            "KeyConditionExpression": "member_segment = :s",
            "ExpressionAttributeValues": {":s": {"S": segment}},
            "Select": "COUNT",
        }
        total = 0
        while True:
            response = self._client.query(**request)
            total += response.get("Count", 0)
            if "LastEvaluatedKey" not in response:
                return total
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def subscribers(self, subscriber_ids: list[str]) -> list[Subscriber]:
        return read_subscribers(self._client, self._table, subscriber_ids)


@translate_errors("DynamoDB subscriber batch read")
def read_subscribers(
    client: DynamoDBClient, table: str, subscriber_ids: list[str]
) -> list[Subscriber]:
    """The records of these ids that exist, in batches of 100, strongly consistent."""
    found: list[Subscriber] = []
    unique = list(dict.fromkeys(subscriber_ids))
    for start in range(0, len(unique), _BATCH):
        keys: list[dict[str, Any]] = [
            {"subscriber_id": {"S": sid}} for sid in unique[start : start + _BATCH]
        ]
        for attempt in range(6):
            response = client.batch_get_item(
                RequestItems={table: {"Keys": keys, "ConsistentRead": True}}
            )
            found += [
                Subscriber.model_validate(from_item(item))
                for item in response.get("Responses", {}).get(table, [])
            ]
            unprocessed = response.get("UnprocessedKeys", {})
            keys = list(unprocessed[table]["Keys"]) if table in unprocessed else []
            if not keys:
                break
            time.sleep(0.05 * 2**attempt)  # DynamoDB asks to back off before retrying
        if keys:
            raise RetryableError("DynamoDB subscriber batch read: keys left unprocessed")
    return found

"""The feeds table: the feeds the poller reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consular_alerts.adapters.dynamodb.items import from_item, to_item
from consular_alerts.models.feeds import FeedConfig, FeedState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoFeedRepository:
    """Feeds table: one item per feed, its configuration beside the poller's state."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def feeds(self) -> list[tuple[FeedConfig, FeedState]]:
        found: list[tuple[FeedConfig, FeedState]] = []
        for page in self._client.get_paginator("scan").paginate(
            TableName=self._table, ConsistentRead=True
        ):
            for raw in page["Items"]:
                item = from_item(raw)
                config = {k: v for k, v in item.items() if k in FeedConfig.model_fields}
                found.append((FeedConfig.model_validate(config), FeedState.model_validate(item)))
        return sorted(found, key=lambda pair: pair[0].feed_id)

    def put_feed(self, config: FeedConfig) -> None:
        self._client.put_item(TableName=self._table, Item=to_item(config.model_dump(mode="json")))

    def save_state(self, feed_id: str, state: FeedState) -> None:
        values = state.model_dump(mode="json")
        self._client.update_item(
            TableName=self._table,
            Key={"feed_id": {"S": feed_id}},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
            ConditionExpression="attribute_exists(feed_id)",  # never resurrect a removed feed
            ExpressionAttributeNames={f"#{k}": k for k in values},
            ExpressionAttributeValues={f":{k}": v for k, v in to_item(values).items()},
        )

"""The subscribers table: one item per subscription, written conditionally (status and
revision), found by address through a sparse index of live subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from consular_alerts.adapters.dynamodb.items import condition_failed, from_item, to_item
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.models.citizen import LIVE_STATUSES, Subscriber, SubscriberStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


# A subscriber id no record has (ids are UUIDs).
_NO_SUBSCRIBER = "none"


class DynamoSubscriberRepository:
    LOOKUP_INDEX = "ByLookupHash"  # sparse: only live subscriptions carry lookup_hash

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB subscriber write")
    def create(self, subscriber: Subscriber) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=to_item(subscriber.model_dump(mode="json", exclude_none=True)),
            ConditionExpression="attribute_not_exists(subscriber_id)",
        )

    @translate_errors("DynamoDB subscriber read")
    def get(self, subscriber_id: str) -> Subscriber | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"subscriber_id": {"S": subscriber_id}},
            ConsistentRead=True,
        )
        return (
            Subscriber.model_validate(from_item(response["Item"])) if "Item" in response else None
        )

    @translate_errors("DynamoDB subscriber write")
    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        previous = subscriber.revision - 1
        # Records written before revisions existed have none: they count as revision 0.
        revision = (
            "(attribute_not_exists(revision) OR revision = :rev)"
            if previous == 0
            else "revision = :rev"
        )
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(subscriber.model_dump(mode="json", exclude_none=True)),
                ConditionExpression=f"#s = :expected AND {revision}",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":expected": {"S": expected_status.value},
                    ":rev": {"N": str(previous)},
                },
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    @translate_errors("DynamoDB code attempt")
    def count_attempt(self, subscriber: Subscriber, max_attempts: int) -> Subscriber | None:
        # One atomic conditional UpdateItem: concurrent guesses are each counted, and none
        # once `max_attempts` are. Also a write like any other (revision + 1), so a write
        # based on an earlier read cannot put the count back.
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key={"subscriber_id": {"S": subscriber.subscriber_id}},
                UpdateExpression="ADD attempts :one, revision :one",
                ConditionExpression="#s = :status AND code_hash = :code AND "
                "(attribute_not_exists(attempts) OR attempts < :max)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":status": {"S": subscriber.status.value},
                    ":code": {"S": subscriber.code_hash},
                    ":max": {"N": str(max_attempts)},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                return None
            raise
        return Subscriber.model_validate(from_item(response["Attributes"]))

    @translate_errors("DynamoDB subscriber lookup")
    def find_live(self, lookup_hash: str) -> list[Subscriber]:
        ids: list[str] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self.LOOKUP_INDEX,
            "KeyConditionExpression": "lookup_hash = :h",
            "ExpressionAttributeValues": {":h": {"S": lookup_hash}},
        }
        while True:
            response = self._client.query(**request)
            ids += [item["subscriber_id"]["S"] for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        # The index is eventually consistent: read each record itself. An address without a
        # subscription reads one (absent) item too, so it takes the same calls as one with.
        found = [self.get(subscriber_id) for subscriber_id in ids or [_NO_SUBSCRIBER]]
        return [
            s
            for s in found
            if s is not None and s.lookup_hash == lookup_hash and s.status in LIVE_STATUSES
        ]

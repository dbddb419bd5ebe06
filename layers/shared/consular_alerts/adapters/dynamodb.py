"""DynamoDB adapters: advisories (versioned), delivery ledger, subscribers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from consular_alerts.models import Advisory, Subscriber, SubscriberStatus
from consular_alerts.services.ports import AdvisoryHead, ClaimOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
HEAD_VERSION = 0  # the head item: latest version and its content hash


def to_item(record: dict[str, Any]) -> dict[str, Any]:
    # DynamoDB numbers must be Decimal; a JSON round trip turns floats into Decimals exactly.
    plain = json.loads(json.dumps(record, ensure_ascii=False), parse_float=Decimal)
    return {key: _serializer.serialize(value) for key, value in plain.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def advisory_from_image(image: dict[str, Any]) -> Advisory:
    """An advisory version from a DynamoDB item or stream NewImage (typed attribute values)."""
    return Advisory.model_validate(from_item(image))


def _condition_failed(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons
    return False


class DynamoAdvisoryRepository:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def head(self, advisory_id: str) -> AdvisoryHead | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(HEAD_VERSION)}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        return AdvisoryHead(advisory_id, int(item["latest_version"]), str(item["content_hash"]))

    def save_version(self, advisory: Advisory, previous: AdvisoryHead | None) -> bool:
        head_key = {"advisory_id": {"S": advisory.advisory_id}, "version": {"N": "0"}}
        values: dict[str, Any] = {
            ":v": {"N": str(advisory.version)},
            ":h": {"S": advisory.content_hash},
            ":t": {"S": advisory.received_at.isoformat()},
        }
        if previous is None:
            condition = "attribute_not_exists(advisory_id)"
        else:
            # The conditional write on the content hash: only if nobody moved the head and
            # the latest stored content is not already this content.
            condition = "latest_version = :prev AND content_hash <> :h"
            values[":prev"] = {"N": str(previous.version)}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": head_key,
                            "UpdateExpression": "SET latest_version = :v, content_hash = :h, "
                            "updated_at = :t",
                            "ConditionExpression": condition,
                            "ExpressionAttributeValues": values,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(advisory.to_record()),
                            "ConditionExpression": "attribute_not_exists(advisory_id)",
                        }
                    },
                ]
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def get(self, advisory_id: str, version: int) -> Advisory | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(version)}},
            ConsistentRead=True,
        )
        return advisory_from_image(response["Item"]) if "Item" in response else None


class DynamoDeliveryLedger:
    """One item per (advisory version, segment): claimed, then published."""

    def __init__(
        self, client: DynamoDBClient, table: str, lease: timedelta = timedelta(seconds=90)
    ) -> None:
        self._client = client
        self._table = table
        self._lease = lease

    def _key(self, delivery_key: str, segment: str) -> dict[str, Any]:
        return {"delivery_key": {"S": delivery_key}, "segment": {"S": segment}}

    def claim(self, delivery_key: str, segment: str, now: datetime) -> ClaimOutcome:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **self._key(delivery_key, segment),
                    "state": {"S": "publishing"},
                    "claimed_at": {"N": str(int(now.timestamp()))},
                    "expires_at": {"N": str(int((now + timedelta(days=90)).timestamp()))},
                },
                # A claim left by an invocation that died mid-publish is taken over after
                # the lease: rather a rare duplicate than a lost advisory.
                ConditionExpression="attribute_not_exists(delivery_key) OR "
                "(#s = :publishing AND claimed_at < :stale)",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={
                    ":publishing": {"S": "publishing"},
                    ":stale": {"N": str(int((now - self._lease).timestamp()))},
                },
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            item = self._client.get_item(
                TableName=self._table, Key=self._key(delivery_key, segment), ConsistentRead=True
            ).get("Item", {})
            state = item.get("state", {}).get("S")
            return ClaimOutcome.BUSY if state == "publishing" else ClaimOutcome.DONE
        return ClaimOutcome.CLAIMED

    def complete(self, delivery_key: str, segment: str, outcome: str, now: datetime) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(delivery_key, segment),
            UpdateExpression="SET #s = :done, outcome = :o, completed_at = :t",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={
                ":done": {"S": "done"},
                ":o": {"S": outcome},
                ":t": {"S": now.isoformat()},
            },
        )

    def release(self, delivery_key: str, segment: str) -> None:
        self._client.delete_item(
            TableName=self._table,
            Key=self._key(delivery_key, segment),
            ConditionExpression="#s = :publishing",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={":publishing": {"S": "publishing"}},
        )


class DynamoSubscriberRepository:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, subscriber: Subscriber) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=to_item(subscriber.model_dump(mode="json", exclude_none=True)),
            ConditionExpression="attribute_not_exists(subscriber_id)",
        )

    def get(self, subscriber_id: str) -> Subscriber | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"subscriber_id": {"S": subscriber_id}},
            ConsistentRead=True,
        )
        return (
            Subscriber.model_validate(from_item(response["Item"])) if "Item" in response else None
        )

    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(subscriber.model_dump(mode="json", exclude_none=True)),
                ConditionExpression="#s = :expected",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":expected": {"S": expected_status.value}},
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

"""Email counts in the delivery receipts table, beside the SMS ones: per advisory version
(partition `delivery_key`) one tally per segment (`E#<segment>`: sent, delivered, bounced,
complained, duplicates) and one item per SES event (`EE#<message id>#<kind>`), written with a
condition in the same transaction as the tally moves, so an event SNS delivers twice is
counted once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from consular_alerts.adapters.dynamodb.items import condition_failed
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.domain.delivery.email_events import EmailEvent
from consular_alerts.services.ports import RecordOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEEP = timedelta(days=90)  # as the SMS receipts


def _expires(moment: datetime) -> dict[str, str]:
    return {"N": str(int((moment + KEEP).timestamp()))}


class DynamoEmailTallies:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def _key(self, partition: str, item: str) -> dict[str, Any]:
        return {"delivery_key": {"S": partition}, "item": {"S": item}}

    @translate_errors("DynamoDB email tally")
    def sent(self, delivery_key: str, segment: str, count: int, now: datetime) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(delivery_key, f"E#{segment}"),
            UpdateExpression="ADD sent :n SET expires_at = :x",
            ExpressionAttributeValues={":n": {"N": str(count)}, ":x": _expires(now)},
        )

    @translate_errors("DynamoDB email event")
    def record(self, event: EmailEvent) -> RecordOutcome:
        tally_key = self._key(event.delivery_key, f"E#{event.segment}")
        counters = {event.kind: 1}
        if event.kind == "bounced":
            counters[f"bounce_{(event.bounce_type or 'undetermined').lower()}"] = 1
        names = {f"#c{i}": name for i, name in enumerate(counters)}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                **self._key(
                                    event.delivery_key, f"EE#{event.message_id}#{event.kind}"
                                ),
                                "segment": {"S": event.segment},
                                "at": {"S": event.at.isoformat()},
                                "expires_at": _expires(event.at),
                            },
                            "ConditionExpression": "attribute_not_exists(delivery_key)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": tally_key,
                            "UpdateExpression": "ADD "
                            + ", ".join(f"#c{i} :one" for i in range(len(counters)))
                            + " SET expires_at = :x",
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": {
                                ":one": {"N": "1"},
                                ":x": _expires(event.at),
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            self._client.update_item(
                TableName=self._table,
                Key=tally_key,
                UpdateExpression="ADD duplicates :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            return RecordOutcome.DUPLICATE
        return RecordOutcome.COUNTED

    @translate_errors("DynamoDB email tallies")
    def email_tallies(self, delivery_key: str) -> dict[str, dict[str, int]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "delivery_key = :k AND begins_with(#i, :e)",
            "ExpressionAttributeNames": {"#i": "item"},
            "ExpressionAttributeValues": {":k": {"S": delivery_key}, ":e": {"S": "E#"}},
            "ConsistentRead": True,
        }
        found: dict[str, dict[str, int]] = {}
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                found[item["item"]["S"].removeprefix("E#")] = {
                    name: int(value["N"])
                    for name, value in item.items()
                    if "N" in value and name != "expires_at"
                }
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

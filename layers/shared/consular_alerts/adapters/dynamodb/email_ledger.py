"""The email ledger, in the delivery ledger table: one item per (advisory version,
subscriber), partition `email#<advisory_id>#v<version>`, sort key the subscriber id. A
conditional claim before sending, the SES message id after: a version reaches an address
once, whichever of its segments comes first. A claim left by an invocation that died
mid-send is taken over after the lease (rather a rare duplicate than a lost advisory)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from consular_alerts.adapters.dynamodb.items import condition_failed
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.services.ports import ClaimOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LEASE = timedelta(seconds=60)  # far longer than one SES send (connect 2 s + read 5 s)


class DynamoEmailLedger:
    def __init__(self, client: DynamoDBClient, table: str, lease: timedelta = LEASE) -> None:
        self._client = client
        self._table = table
        self._lease = lease

    @staticmethod
    def _key(delivery_key: str, subscriber_id: str) -> dict[str, Any]:
        return {"delivery_key": {"S": f"email#{delivery_key}"}, "segment": {"S": subscriber_id}}

    @translate_errors("DynamoDB email ledger claim")
    def claim(self, delivery_key: str, subscriber_id: str, now: datetime) -> ClaimOutcome:
        key = self._key(delivery_key, subscriber_id)
        try:
            response = self._client.put_item(
                TableName=self._table,
                Item={
                    **key,
                    "state": {"S": "sending"},
                    "claimed_at": {"N": str(int(now.timestamp()))},
                    "expires_at": {"N": str(int((now + timedelta(days=90)).timestamp()))},
                },
                ConditionExpression="attribute_not_exists(delivery_key) OR "
                "(#s = :sending AND claimed_at < :stale)",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={
                    ":sending": {"S": "sending"},
                    ":stale": {"N": str(int((now - self._lease).timestamp()))},
                },
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
            state = item.get("Item", {}).get("state", {}).get("S")
            if state in {None, "sending"}:
                return ClaimOutcome.BUSY
            return ClaimOutcome.REFUSED if state == "refused" else ClaimOutcome.DONE
        previous = response.get("Attributes", {}).get("state", {}).get("S")
        return ClaimOutcome.TAKEN_OVER if previous == "sending" else ClaimOutcome.CLAIMED

    @translate_errors("DynamoDB email ledger complete")
    def complete(
        self, delivery_key: str, subscriber_id: str, segment: str, message_id: str, now: datetime
    ) -> None:
        self._set(delivery_key, subscriber_id, "sent", now, message_id=message_id, via=segment)

    @translate_errors("DynamoDB email ledger refuse")
    def refuse(self, delivery_key: str, subscriber_id: str, reason: str, now: datetime) -> None:
        self._set(delivery_key, subscriber_id, "refused", now, outcome=reason)

    def _set(
        self, delivery_key: str, subscriber_id: str, state: str, now: datetime, **extra: str
    ) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(delivery_key, subscriber_id),
            UpdateExpression="SET #s = :state, completed_at = :t"
            + "".join(f", {name} = :{name}" for name in extra),
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={
                ":state": {"S": state},
                ":t": {"S": now.isoformat()},
                **{f":{name}": {"S": value} for name, value in extra.items()},
            },
        )

    @translate_errors("DynamoDB email ledger release")
    def release(self, delivery_key: str, subscriber_id: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=self._key(delivery_key, subscriber_id),
                ConditionExpression="#s = :sending",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":sending": {"S": "sending"}},
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

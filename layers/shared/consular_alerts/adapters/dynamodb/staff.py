"""Training mode's staff list: the sparse index `StaffSubscribers` of the subscribers table
holds the keys of live staff-flagged subscriptions only (`staff_shard`, models/citizen.py);
their records are read in batches, strongly consistent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from consular_alerts.adapters import aws_clients
from consular_alerts.adapters.dynamodb.email_members import read_subscribers
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.models.citizen import STAFF_SHARD, Subscriber

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

STAFF_INDEX = "StaffSubscribers"


class DynamoStaffDirectory:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB staff list")
    def staff(self) -> list[Subscriber]:
        ids: list[str] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": STAFF_INDEX,
            "KeyConditionExpression": "staff_shard = :s",
            "ExpressionAttributeValues": {":s": {"S": STAFF_SHARD}},
        }
        while True:
            response = self._client.query(**request)
            ids += [item["subscriber_id"]["S"] for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        # The index is eventually consistent: each record itself says whether it is staff.
        records = read_subscribers(self._client, self._table, ids) if ids else []
        return [s for s in records if s.staff_shard == STAFF_SHARD]


def staff_directory(subscribers_table: str | None) -> DynamoStaffDirectory | None:
    """The staff list, when the function is given the subscribers table."""
    if not subscribers_table:
        return None
    return DynamoStaffDirectory(aws_clients.dynamodb(), subscribers_table)

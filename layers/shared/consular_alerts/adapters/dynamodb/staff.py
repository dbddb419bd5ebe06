"""Training mode's staff list: the sparse index `StaffSubscribers` of the subscribers table
holds live staff-flagged subscriptions only (`staff_shard`, models/citizen.py), with their
preferences and no address. Counting reads the index alone; the fan-out reads the records
(in batches, strongly consistent) for the addresses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from consular_alerts.adapters import aws_clients
from consular_alerts.adapters.dynamodb.email_members import read_subscribers
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.domain.staff import StaffPreferences
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
        ids = [item["subscriber_id"]["S"] for item in self._index()]
        # The index is eventually consistent: each record itself says whether it is staff.
        records = read_subscribers(self._client, self._table, ids) if ids else []
        return [s for s in records if s.staff_shard == STAFF_SHARD]

    @translate_errors("DynamoDB staff list")
    def preferences(self) -> list[StaffPreferences]:
        return [
            StaffPreferences(
                item["subscriber_id"]["S"],
                [country["S"] for country in item.get("countries", {}).get("L", [])],
                item.get("language", {}).get("S", ""),
                int(item.get("min_level", {}).get("N", "1")),
            )
            for item in self._index()
        ]

    def _index(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": STAFF_INDEX,
            "KeyConditionExpression": "staff_shard = :s",
            "ExpressionAttributeValues": {":s": {"S": STAFF_SHARD}},
        }
        while True:
            response = self._client.query(**request)
            items += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def staff_directory(subscribers_table: str | None) -> DynamoStaffDirectory | None:
    """The staff list, when the function is given the subscribers table."""
    if not subscribers_table:
        return None
    return DynamoStaffDirectory(aws_clients.dynamodb(), subscribers_table)

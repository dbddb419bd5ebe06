"""DynamoDB adapter: an advisory's versions as its publication history (a Query, projected)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from consular_alerts.adapters.dynamodb.items import from_item
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.models.publisher import VersionRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# What the history shows of each version: not the texts (GET /advisories/{id} has them).
_FIELDS = (
    "version", "received_at", "published_by", "level", "msg_type", "status", "content_hash",
    "approval", "approval_rule", "decided_by", "decided_at", "decision_reason",
)  # fmt: skip


class DynamoVersionHistory:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB advisory history")
    def versions(self, advisory_id: str) -> list[VersionRecord]:
        request: dict[str, Any] = {
            "TableName": self._table,
            # Version 0 is the head item, not a version.
            "KeyConditionExpression": "advisory_id = :a AND version > :head",
            "ExpressionAttributeValues": {":a": {"S": advisory_id}, ":head": {"N": "0"}},
            "ProjectionExpression": ", ".join(f"#{n}" for n in _FIELDS),
            "ExpressionAttributeNames": {f"#{n}": n for n in _FIELDS},
            "ConsistentRead": True,
        }
        found: list[VersionRecord] = []
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                record = from_item(item)
                found.append(
                    VersionRecord.model_validate(
                        {
                            **{k: v for k, v in record.items() if k != "received_at"},
                            "published_at": record["received_at"],
                        }
                    )
                )
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

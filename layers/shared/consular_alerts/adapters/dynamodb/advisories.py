"""The advisories table: versioned advisories, one head item per advisory (latest version,
content hash, lifecycle), and the keys of its stream records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from consular_alerts.adapters.dynamodb.items import (
    advisory_from_image,
    condition_failed,
    from_item,
    to_item,
)
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.domain.identity import short_reference
from consular_alerts.models.advisory import Advisory, Approval
from consular_alerts.services.ports import AdvisoryHead, AdvisoryState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

HEAD_VERSION = 0  # the head item: latest version and its content hash
# The index that resolves the short reference in an SMS link to its advisory (head items only).
SHORT_REFERENCE_INDEX = "ShortReference"
# The sparse index of versions that needed a second officer (key: their `approval`).
APPROVAL_INDEX = "Approval"
# Marks a stream record `alerts replay` built (keys only): refused segments are tried again.
REPLAY_FLAG = "consularAlertsReplay"


def stream_version(record: Mapping[str, Any]) -> tuple[str, int]:
    """The advisory id and version a stream record's keys name, as the fan-out receives the
    record or GetRecords answers it; a record without a version is the head item's."""
    keys = from_item(record.get("dynamodb", {}).get("Keys", {}))
    return str(keys.get("advisory_id", "")), int(keys.get("version", HEAD_VERSION))


def releases_version(record: Mapping[str, Any]) -> bool:
    """Whether a stream record hands an advisory version to its readers (fan-out, CAP feed):
    the version's INSERT, or the MODIFY of a second officer's approval. The template's
    filters say the same; the services check the stored version's approval again."""
    _, version = stream_version(record)
    if version == HEAD_VERSION:
        return False
    event = record.get("eventName")
    if event == "INSERT":
        return True
    image = record.get("dynamodb", {}).get("NewImage", {})
    return event == "MODIFY" and image.get("approval", {}).get("S") == Approval.APPROVED.value


class DynamoAdvisoryRepository:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB advisory head")
    def head(self, advisory_id: str) -> AdvisoryHead | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(HEAD_VERSION)}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        return AdvisoryHead(
            advisory_id,
            int(item["latest_version"]),
            str(item["content_hash"]),
            frozenset(item.get("earlier_hashes", ())),
        )

    @translate_errors("DynamoDB advisory write")
    def save_version(
        self, advisory: Advisory, previous: AdvisoryHead | None, *, revert: bool = False
    ) -> bool:
        head_key = {"advisory_id": {"S": advisory.advisory_id}, "version": {"N": "0"}}
        values: dict[str, Any] = {
            ":v": {"N": str(advisory.version)},
            ":h": {"S": advisory.content_hash},
            ":t": {"S": advisory.received_at.isoformat()},
            ":r": {"S": short_reference(advisory.advisory_id)},
        }
        update = "SET latest_version = :v, content_hash = :h, updated_at = :t, short_ref = :r"
        if previous is None:
            condition = "attribute_not_exists(advisory_id)"
        else:
            # The conditional write on the content hash: only if nobody moved the head, the
            # latest stored content is not already this content and (unless the publisher
            # restores it) no earlier version had it. The superseded hash joins the earlier.
            condition = "latest_version = :prev AND content_hash <> :h"
            if not revert:
                condition += " AND NOT contains(earlier_hashes, :h)"
            update += " ADD earlier_hashes :superseded"
            values[":prev"] = {"N": str(previous.version)}
            values[":superseded"] = {"SS": [previous.content_hash]}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": head_key,
                            "UpdateExpression": update,
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
            if condition_failed(error):
                return False
            raise
        return True

    @translate_errors("DynamoDB advisory read")
    def get(self, advisory_id: str, version: int) -> Advisory | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(version)}},
            ConsistentRead=True,
        )
        return advisory_from_image(response["Item"]) if "Item" in response else None

    @translate_errors("DynamoDB advisory state")
    def state(self, advisory_id: str) -> AdvisoryState | None:
        # Eventually consistent (half the cost): the page tolerates a second's lag.
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(HEAD_VERSION)}},
            ProjectionExpression="latest_version, lifecycle, replaced_by",
        )
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        return AdvisoryState(
            advisory_id,
            int(item["latest_version"]),
            str(item.get("lifecycle", "")),
            str(item.get("replaced_by", "")),
        )

    @translate_errors("DynamoDB advisory reference")
    def find_by_reference(self, reference: str) -> str | None:
        response = self._client.query(
            TableName=self._table,
            IndexName=SHORT_REFERENCE_INDEX,
            KeyConditionExpression="short_ref = :r",
            ExpressionAttributeValues={":r": {"S": reference}},
            Limit=10,
        )
        found = [from_item(item) for item in response.get("Items", [])]
        if not found:
            return None
        # 32 bits: two ids sharing a reference is unlikely; should it happen, the newest wins.
        newest = max(found, key=lambda item: str(item.get("updated_at", "")))
        return str(newest["advisory_id"])

    @translate_errors("DynamoDB advisory lifecycle")
    def mark_replaced(self, advisory_id: str, by: Advisory) -> None:
        state = "closed" if by.msg_type.value == "cancel" else "superseded"
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(HEAD_VERSION)}},
                UpdateExpression="SET lifecycle = :state, replaced_by = :by",
                ConditionExpression="attribute_exists(advisory_id)",
                ExpressionAttributeValues={
                    ":state": {"S": state},
                    ":by": {"S": f"{by.advisory_id}#v{by.version}"},
                },
            )
        except ClientError as error:
            # A condition failure means the advisory is not on record: nothing to close.
            if not condition_failed(error):
                raise

    @translate_errors("DynamoDB approval write")
    def settle_approval(
        self,
        advisory_id: str,
        version: int,
        state: Approval,
        *,
        at: datetime,
        by: str | None = None,
        reason: str | None = None,
        while_latest: bool = False,
    ) -> bool:
        values: dict[str, Any] = {
            ":state": {"S": state.value},
            ":pending": {"S": Approval.PENDING.value},
            ":at": {"S": at.isoformat()},
        }
        update = "SET approval = :state, decided_at = :at"
        if by is not None:
            update += ", decided_by = :by"
            values[":by"] = {"S": by}
        if reason:
            update += ", decision_reason = :reason"
            values[":reason"] = {"S": reason}
        settle: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"advisory_id": {"S": advisory_id}, "version": {"N": str(version)}},
            "UpdateExpression": update,
            # Only a waiting version: approving twice, or after a rejection, is refused.
            "ConditionExpression": "approval = :pending",
            "ExpressionAttributeValues": values,
        }
        if not while_latest:
            try:
                self._client.update_item(**settle)
            except ClientError as error:
                if condition_failed(error):
                    return False
                raise
            return True
        # Approval and a newer version meet at the head: one of the two writes wins.
        items: list[Any] = [
            {"Update": settle},
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": {
                        "advisory_id": {"S": advisory_id},
                        "version": {"N": str(HEAD_VERSION)},
                    },
                    "ConditionExpression": "latest_version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(version)}},
                }
            },
        ]
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    @translate_errors("DynamoDB approval queue")
    def pending_approvals(self) -> list[Advisory]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": APPROVAL_INDEX,
            "KeyConditionExpression": "approval = :pending",
            "ExpressionAttributeValues": {":pending": {"S": Approval.PENDING.value}},
        }
        found: list[Advisory] = []
        while True:
            response = self._client.query(**request)
            found += [advisory_from_image(item) for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

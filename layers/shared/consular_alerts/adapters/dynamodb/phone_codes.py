"""Codes sent to a number (not to a subscription), in the rate-limits table: one item per
keyed hash of the number, expiring with its code. Only conditional UpdateItem, like the
counters beside them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from consular_alerts.adapters.dynamodb.items import condition_failed
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.domain.citizens.codes import PhoneCode

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoPhoneCodes:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @staticmethod
    def _key(phone_key: str) -> dict[str, dict[str, str]]:
        return {"limit_key": {"S": f"phonecode#{phone_key}"}}

    @translate_errors("DynamoDB phone code write")
    def put(self, phone_key: str, code_hash: str, expires_at: datetime) -> None:
        expiry = int(expires_at.timestamp())
        self._client.update_item(
            TableName=self._table,
            Key=self._key(phone_key),
            UpdateExpression="SET code_hash = :h, code_expires = :e, attempts = :zero, "
            "expires_at = :ttl",
            ExpressionAttributeValues={
                ":h": {"S": code_hash},
                ":e": {"N": str(expiry)},
                ":zero": {"N": "0"},
                ":ttl": {"N": str(expiry + 3600)},
            },
        )

    @translate_errors("DynamoDB phone code attempt")
    def count_attempt(self, phone_key: str, max_attempts: int, now: datetime) -> PhoneCode | None:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(phone_key),
                UpdateExpression="ADD attempts :one",
                ConditionExpression="attribute_exists(code_hash) AND code_expires > :now "
                "AND attempts < :max",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":now": {"N": str(int(now.timestamp()))},
                    ":max": {"N": str(max_attempts)},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                return None
            raise
        item = response["Attributes"]
        return PhoneCode(code_hash=item["code_hash"]["S"], attempts=int(item["attempts"]["N"]))

    @translate_errors("DynamoDB phone code write")
    def clear(self, phone_key: str, code_hash: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(phone_key),
                UpdateExpression="REMOVE code_hash, code_expires",
                ConditionExpression="code_hash = :h",
                ExpressionAttributeValues={":h": {"S": code_hash}},
            )
        except ClientError as error:
            if not condition_failed(error):  # a newer code replaced it: that one stands
                raise

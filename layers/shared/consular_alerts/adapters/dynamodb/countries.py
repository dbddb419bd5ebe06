"""The countries table: one item per country whose internet state the duty officer set."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from consular_alerts.adapters.errors import translate_errors
from consular_alerts.models.countries import Internet
from consular_alerts.services.ports import CountryRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


def _record(item: dict[str, AttributeValueTypeDef]) -> CountryRecord:
    updated = item.get("updated_at", {}).get("S")
    return CountryRecord(
        item["country_code"]["S"],
        Internet(item.get("internet", {}).get("S", Internet.NORMAL.value)),
        datetime.fromisoformat(updated) if updated else None,
    )


class DynamoCountryStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB country states")
    def disrupted(self, countries: list[str]) -> frozenset[str]:
        wanted = sorted(set(countries))
        if not wanted:
            return frozenset()
        found: set[str] = set()
        # Consistent reads, one key each: a change the officer just made applies at once,
        # and an advisory names a handful of countries (BatchGetItem takes 100 keys).
        for start in range(0, len(wanted), 100):
            keys = [{"country_code": {"S": code}} for code in wanted[start : start + 100]]
            request = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)  # type: ignore[arg-type]
                for item in response.get("Responses", {}).get(self._table, []):
                    record = _record(item)
                    if record.internet is Internet.DISRUPTED:
                        found.add(record.country_code)
                request = response.get("UnprocessedKeys") or {}  # type: ignore[assignment]
        return frozenset(found)

    @translate_errors("DynamoDB country states")
    def records(self) -> list[CountryRecord]:
        records: list[CountryRecord] = []
        for page in self._client.get_paginator("scan").paginate(
            TableName=self._table, ConsistentRead=True
        ):
            records += [_record(item) for item in page["Items"]]
        return sorted(records, key=lambda record: record.country_code)

    @translate_errors("DynamoDB country state write")
    def set_internet(self, country: str, internet: Internet, now: datetime) -> CountryRecord:
        self._client.put_item(
            TableName=self._table,
            Item={
                "country_code": {"S": country},
                "internet": {"S": internet.value},
                "updated_at": {"S": now.isoformat()},
            },
        )
        return CountryRecord(country, internet, now)

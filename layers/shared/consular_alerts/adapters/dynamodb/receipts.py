"""The delivery receipts table: per advisory version (partition `delivery_key`), one item per
receipt (`R#<segment>#<message id>#<phone hash>`) and one tally per segment (`S#<segment>`)
whose counters move in the same transaction as the receipt is written, so a receipt is
counted exactly once, whatever is retried. Receipts no publish was found for are tallied per
day under `unattributed#<day>`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from consular_alerts.adapters.errors import error_code, translate_errors
from consular_alerts.domain.delivery.receipts import Receipt
from consular_alerts.domain.delivery.report import Publication, SegmentTally
from consular_alerts.services.ports import RecordOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import UpdateTypeDef

KEEP = timedelta(days=90)  # receipts and tallies expire with the delivery ledger's items
REASON, COUNTRY, OPERATOR = "reason_", "country_", "operator_"


def _n(value: float) -> dict[str, str]:
    return {"N": repr(round(value, 6)) if isinstance(value, float) else str(value)}


def _expires(moment: datetime) -> dict[str, str]:
    return {"N": str(int((moment + KEEP).timestamp()))}


class _Counters:
    """An `ADD` expression over counters whose names come from data (reasons, countries);
    amounts for one counter are summed (an expression may name a path once)."""

    def __init__(self) -> None:
        self._amounts: dict[str, float] = {}

    def add(self, attribute: str, amount: float) -> None:
        self._amounts[attribute] = self._amounts.get(attribute, 0) + amount

    @property
    def _moved(self) -> list[tuple[str, float]]:
        return [(name, amount) for name, amount in self._amounts.items() if amount]

    @property
    def names(self) -> dict[str, str]:
        return {f"#c{i}": name for i, (name, _) in enumerate(self._moved)}

    @property
    def values(self) -> dict[str, Any]:
        return {f":c{i}": _n(amount) for i, (_, amount) in enumerate(self._moved)}

    @property
    def parts(self) -> list[str]:
        return [f"#c{i} :c{i}" for i in range(len(self._moved))]

    def expression(self, then: str) -> str:
        """`ADD <counters> <then>`, or `then` alone when no counter moves."""
        return f"ADD {', '.join(self.parts)} {then}" if self.parts else then

    def receipt(self, receipt: Receipt, sign: int = 1, *, phone: bool = True) -> None:
        self.add(receipt.status, sign)
        self.add("cost_usd", sign * receipt.price_usd)
        if not receipt.delivered:
            self.add(REASON + receipt.reason, sign)
        if phone and receipt.country:
            self.add(COUNTRY + receipt.country, sign)
        if phone and receipt.operator:
            self.add(OPERATOR + receipt.operator, sign)


def _tally(item: dict[str, Any]) -> SegmentTally:
    tally = SegmentTally()
    for name, value in item.items():
        number = value.get("N")
        if number is None:
            continue
        amount = float(number)
        if name in {"delivered", "failed", "duplicates"}:
            setattr(tally, name, int(amount))
        elif name == "cost_usd":
            tally.cost_usd = amount
        elif name == "audience":
            tally.audience = int(amount)
        elif name.startswith(REASON):
            tally.reasons[name.removeprefix(REASON)] = int(amount)
        elif name.startswith(COUNTRY):
            tally.countries[name.removeprefix(COUNTRY)] = int(amount)
        elif name.startswith(OPERATOR):
            tally.operators[name.removeprefix(OPERATOR)] = int(amount)
    last = item.get("last_receipt_at", {}).get("S")
    tally.last_receipt_at = datetime.fromisoformat(last) if last else None
    return tally


class DynamoReceiptStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def _key(self, partition: str, item: str) -> dict[str, Any]:
        return {"delivery_key": {"S": partition}, "item": {"S": item}}

    def _tally_update(
        self, publication: Publication, counters: _Counters, receipt: Receipt
    ) -> UpdateTypeDef:
        return {
            "TableName": self._table,
            "Key": self._key(publication.delivery_key, f"S#{publication.segment}"),
            "UpdateExpression": counters.expression(
                "SET message_id = if_not_exists(message_id, :m), expires_at = :x"
            ),
            "ExpressionAttributeNames": counters.names,
            "ExpressionAttributeValues": {
                **counters.values,
                ":m": {"S": publication.message_id},
                ":x": _expires(receipt.received_at),
            },
        }

    @translate_errors("DynamoDB receipt")
    def record(self, publication: Publication, receipt: Receipt) -> RecordOutcome:
        phone = receipt.destination_hash or f"t{receipt.received_at.timestamp():.3f}"
        key = self._key(
            publication.delivery_key, f"R#{publication.segment}#{receipt.message_id}#{phone}"
        )
        counters = _Counters()
        counters.receipt(receipt)
        item = {
            **key,
            "status": {"S": receipt.status},
            "reason": {"S": receipt.reason},
            "provider_response": {"S": receipt.provider_response[:300]},
            "price_usd": _n(receipt.price_usd),
            "country": {"S": receipt.country},
            "operator": {"S": receipt.operator},
            "received_at": {"S": receipt.received_at.isoformat()},
            "expires_at": _expires(receipt.received_at),
        }
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(delivery_key)",
                        }
                    },
                    {"Update": self._tally_update(publication, counters, receipt)},
                ]
            )
        except ClientError as error:
            if not self._receipt_exists(error):
                raise
            outcome = self._again(publication, key, receipt)
        else:
            outcome = RecordOutcome.COUNTED
        self._last_receipt(publication, receipt.received_at)
        return outcome

    @staticmethod
    def _receipt_exists(error: ClientError) -> bool:
        if error_code(error) != "TransactionCanceledException":
            return False
        reasons = error.response.get("CancellationReasons", [])
        return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"

    def _again(
        self, publication: Publication, key: dict[str, Any], receipt: Receipt
    ) -> RecordOutcome:
        """The same (publish, phone) once more: a duplicate, or a new status for it (a
        failure that a later success overtakes, say), which moves the counts."""
        stored = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        old = stored.get("Item", {})
        if old.get("status", {}).get("S") == receipt.status:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(publication.delivery_key, f"S#{publication.segment}"),
                UpdateExpression="ADD duplicates :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            return RecordOutcome.DUPLICATE
        previous = Receipt(
            message_id=receipt.message_id,
            topic_arn="",
            published_at=receipt.published_at,
            received_at=receipt.received_at,
            delivered=old.get("status", {}).get("S") == "delivered",
            reason=old.get("reason", {}).get("S", ""),
            provider_response="",
            price_usd=float(old.get("price_usd", {}).get("N", "0")),
            country=receipt.country,
            operator=receipt.operator,
            destination_hash=receipt.destination_hash,
        )
        counters = _Counters()
        counters.receipt(previous, -1, phone=False)
        counters.receipt(receipt, 1, phone=False)
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": key,
                            "UpdateExpression": "SET #s = :new, reason = :r, price_usd = :p, "
                            "provider_response = :pr, received_at = :t",
                            "ConditionExpression": "#s = :old",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {
                                ":new": {"S": receipt.status},
                                ":old": {"S": previous.status},
                                ":r": {"S": receipt.reason},
                                ":p": _n(receipt.price_usd),
                                ":pr": {"S": receipt.provider_response[:300]},
                                ":t": {"S": receipt.received_at.isoformat()},
                            },
                        }
                    },
                    {"Update": self._tally_update(publication, counters, receipt)},
                ]
            )
        except ClientError as error:
            if not self._receipt_exists(error):
                raise
            return RecordOutcome.DUPLICATE  # another invocation moved it first
        return RecordOutcome.CHANGED

    def _last_receipt(self, publication: Publication, at: datetime) -> None:
        # A late receipt must not move it back: only a later time replaces it.
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(publication.delivery_key, f"S#{publication.segment}"),
                UpdateExpression="SET last_receipt_at = :t",
                ConditionExpression="attribute_not_exists(last_receipt_at) OR last_receipt_at < :t",
                ExpressionAttributeValues={":t": {"S": at.isoformat()}},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    @translate_errors("DynamoDB receipt")
    def record_unattributed(self, receipt: Receipt) -> None:
        counters = _Counters()
        counters.receipt(receipt)
        day = receipt.received_at.date().isoformat()
        self._client.update_item(
            TableName=self._table,
            Key=self._key(f"unattributed#{day}", "S#"),
            UpdateExpression=counters.expression("SET expires_at = :x"),
            ExpressionAttributeNames=counters.names,
            ExpressionAttributeValues={**counters.values, ":x": _expires(receipt.received_at)},
        )

    @translate_errors("DynamoDB receipt tallies")
    def tallies(self, delivery_key: str) -> dict[str, SegmentTally]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "delivery_key = :k AND begins_with(#i, :s)",
            "ExpressionAttributeNames": {"#i": "item"},
            "ExpressionAttributeValues": {":k": {"S": delivery_key}, ":s": {"S": "S#"}},
            "ConsistentRead": True,
        }
        found: dict[str, SegmentTally] = {}
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                found[item["item"]["S"].removeprefix("S#")] = _tally(item)
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @translate_errors("DynamoDB receipt read")
    def receipt_status(self, publication: Publication, phone_hash: str) -> str | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=self._key(
                publication.delivery_key,
                f"R#{publication.segment}#{publication.message_id}#{phone_hash}",
            ),
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
        ).get("Item")
        return item["status"]["S"] if item else None

    @translate_errors("DynamoDB receipt tallies")
    def set_audience(self, delivery_key: str, segment: str, audience: int) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(delivery_key, f"S#{segment}"),
            UpdateExpression="SET audience = if_not_exists(audience, :a)",
            ExpressionAttributeValues={":a": {"N": str(audience)}},
        )

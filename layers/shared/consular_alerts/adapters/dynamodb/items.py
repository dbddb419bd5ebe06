"""DynamoDB items: plain records to typed attribute values and back, and the one test of a
refused conditional write, shared by the table adapters."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from consular_alerts.models.advisory import Advisory

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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


def condition_failed(error: ClientError) -> bool:
    """A write refused on its condition (or a transaction cancelled by one), not a fault."""
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons
    return False

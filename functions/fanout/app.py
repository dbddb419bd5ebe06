"""Advisories stream: each new advisory version fans out to the segments it reaches."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap

logger = Logger()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    # Loaded by the first record, not by the import (README: performance).
    from consular_alerts.adapters.dynamodb import HEAD_VERSION, advisory_from_image

    change = record.raw_event.get("dynamodb", {})
    version = int(change.get("Keys", {}).get("version", {}).get("N", HEAD_VERSION))
    if record.raw_event.get("eventName") != "INSERT" or version == HEAD_VERSION:
        return  # head bookkeeping; the template's filter normally keeps these away
    bootstrap.fanout_service().fan_out(advisory_from_image(change["NewImage"]))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )

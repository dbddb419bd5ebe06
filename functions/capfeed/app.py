"""Advisories stream: each new version the ministry published, as a CAP 1.2 document and in
the Atom feeds of the alerts in force (the site bucket's /cap/ and /feeds/). On a schedule:
expired alerts leave the feeds."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap

logger = Logger()
metrics = Metrics()
# A failed record is reported, not raised: the mapping retries from it (bisecting), then
# its on-failure queue keeps it; other records' documents are not held up meanwhile.
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


def record_handler(record: DynamoDBRecord) -> None:
    from consular_alerts.adapters.dynamodb.advisories import releases_version, stream_version

    change = record.raw_event.get("dynamodb", {})
    keys = change.get("Keys", {})
    _, version = stream_version(record.raw_event)
    if not releases_version(record.raw_event):
        return  # head bookkeeping, a held version; the template's filter normally keeps these away
    report = bootstrap.cap_feed_service().publish_version(
        str(keys.get("advisory_id", {}).get("S", "")),
        version,
        change.get("NewImage"),  # absent in a replay: the version is read from the table
    )
    metrics.add_metric(
        name="CapDocumentsWritten", unit=MetricUnit.Count, value=int(bool(report.written))
    )


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("source") == "aws.events":  # the schedule: expired alerts leave the feeds
        changed = bootstrap.cap_feed_service().refresh()
        metrics.add_metric(name="CapFeedsRefreshed", unit=MetricUnit.Count, value=int(changed))
        return {"changed": changed}
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )

"""Advisories stream: each new advisory version fans out to the segments it reaches."""

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
# A batch whose every record failed is reported like any partial failure, not raised: the
# stream mapping retries it either way, and the function's Errors alarm is then kept for
# what no retry fixes (timeouts, crashes), not for an SNS throttle at 3 a.m.
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


def record_handler(record: DynamoDBRecord) -> None:
    # Loaded by the first record, not by the import (README: performance).
    from consular_alerts.adapters.dynamodb.advisories import (
        REPLAY_FLAG,
        releases_version,
        stream_version,
    )

    advisory_id, version = stream_version(record.raw_event)
    if not releases_version(record.raw_event):
        return  # head bookkeeping, a held version; the template's filter normally keeps these away
    report = bootstrap.fanout_service().fan_out_version(
        advisory_id,
        version,
        # As stored (typed values): the service decodes it and dead-letters a poison image.
        # Absent in a replay: the version is read from the table.
        record.raw_event.get("dynamodb", {}).get("NewImage"),
        replay=bool(record.raw_event.get(REPLAY_FLAG)),
        # At once, not from the report: an attempt that fails after a takeover has none.
        on_takeover=lambda _segment: metrics.add_metric(
            name="PossibleDuplicatePublishes", unit=MetricUnit.Count, value=1
        ),
    )
    for name, value in (
        ("SegmentsPublished", len(report.published)),
        # Refused now or by an earlier attempt that died before its metrics went out.
        ("PublishesRefused", len(report.refused) + len(report.refused_earlier)),
        ("VersionsDeadLettered", int(report.dead_letter is not None)),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )

"""SMS delivery receipts: SNS's delivery-status log records, delivered by a CloudWatch Logs
subscription filter (the `awslogs` payload: base64 of gzipped JSON), counted against the
advisory version and segment each reports on. A bad record is counted, never raised on."""

from __future__ import annotations

import binascii
import zlib
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.observability import redacting_logger

# Receipts hold phone numbers: every line goes through the redacting formatter.
logger = redacting_logger()
metrics = Metrics()

METRICS = {
    "delivered": "SmsReceiptsDelivered",
    "failed": "SmsReceiptsFailed",
    "duplicates": "SmsReceiptsDuplicate",
    "unattributed": "SmsReceiptsUnattributed",
    "unreadable": "SmsReceiptsUnreadable",
    "by_topic": "SmsReceiptsAttributedByTopic",
}


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        data = CloudWatchLogsEvent(event).parse_logs_data()
    except (KeyError, TypeError, ValueError, binascii.Error, zlib.error) as error:
        # Not what a subscription filter sends: nothing a retry would fix.
        logger.error("not a CloudWatch Logs payload", problem=type(error).__name__)
        metrics.add_metric(name="SmsReceiptsUnreadable", unit=MetricUnit.Count, value=1)
        return {"unreadable_payload": 1}
    if data.message_type != "DATA_MESSAGE":
        return {"skipped": data.message_type}  # CloudWatch Logs checking the destination
    tally = bootstrap.receipts_service().record(
        (e.get_id, datetime.fromtimestamp(e.timestamp / 1000, UTC), e.message)
        for e in data.log_events
    )
    for field, metric in METRICS.items():
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=getattr(tally, field))
    logger.info("receipts recorded", extra={"log_group": data.log_group, **tally.as_json()})
    return tally.as_json()

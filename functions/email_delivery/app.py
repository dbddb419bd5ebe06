"""The email queue: each message is a segment topic's publication (SNS's envelope around the
fan-out's `sqs` part), sent through SES to each confirmed email subscriber of the segment,
once per advisory version and address. Partial batch responses: a publication with a
transient fault is retried alone; the ledger keeps what went out from going again."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.errors import RetryableError
from consular_alerts.observability import redacting_logger

logger = redacting_logger()
metrics = Metrics()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Loaded by the first batch, not by the import (README: performance).
    from consular_alerts.models.email_events import SegmentPublication
    from consular_alerts.services.email_delivery import SegmentMail

    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId", ""))
        try:
            envelope = json.loads(record["body"])
            publication = SegmentPublication.model_validate_json(envelope["Message"])
        except (KeyError, TypeError, ValueError) as error:  # pydantic's ValidationError too
            # Nothing a retry would fix: counted and dropped.
            logger.error("not a segment publication", problem=type(error).__name__)
            metrics.add_metric(name="EmailPublicationsUnreadable", unit=MetricUnit.Count, value=1)
            continue
        advisory_id, version = publication.advisory()
        mail = SegmentMail(
            advisory_id,
            version,
            publication.segment,
            publication.subject,
            publication.body,
            publication.staff_subscriber or "",  # training mode: one staff subscription
        )
        try:
            tally = bootstrap.email_delivery_service().deliver(mail)
        except RetryableError as error:
            logger.warning("segment email retried", segment=mail.segment, error=str(error))
            failures.append({"itemIdentifier": message_id})
            continue
        metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=tally.sent)
        metrics.add_metric(name="EmailsRefused", unit=MetricUnit.Count, value=tally.refused)
    return {"batchItemFailures": failures}

"""SES events (delivery, bounce, complaint), published by the configuration set's event
destination to an SNS topic this function is subscribed to: counted into the delivery
report; a permanent bounce or a complaint ends the subscription. A bad record is counted,
never raised on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.observability import redacting_logger

logger = redacting_logger()
metrics = Metrics()

METRICS = {
    "delivered": "EmailsDelivered",
    "bounced": "EmailsBounced",
    "complained": "EmailsComplained",
    "ended": "EmailSubscriptionsEndedByFeedback",
    "unreadable": "EmailEventsUnreadable",
}


def _received(record: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(record["Sns"]["Timestamp"]).replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    messages = [
        (str((record.get("Sns") or {}).get("Message", "")), _received(record))
        for record in event.get("Records", [])
    ]
    tally = bootstrap.email_event_service().record(messages)
    for field, metric in METRICS.items():
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=getattr(tally, field))
    logger.info("SES events recorded", extra={"counts": tally.as_json()})
    return tally.as_json()

"""Scheduled: poll every configured feed and ingest what is new or changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap

logger = Logger()
metrics = Metrics()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Leave time to save state and report: feeds not reached wait for the next run.
    deadline = bootstrap.utc_now() + timedelta(
        milliseconds=max(0, context.get_remaining_time_in_millis() - 20_000)
    )
    outcomes = bootstrap.poller_service().poll_all(deadline)
    for outcome in outcomes:
        if outcome.status == "failed":
            metrics.add_metric(name="FeedFailures", unit=MetricUnit.Count, value=1)
        metrics.add_metric(
            name="AdvisoryVersionsStored", unit=MetricUnit.Count, value=outcome.stored
        )
        metrics.add_metric(name="FeedItemsRejected", unit=MetricUnit.Count, value=outcome.rejected)
    return {
        "feeds": [
            {
                "feed_id": o.feed_id,
                "status": o.status,
                "stored": o.stored,
                "unchanged": o.unchanged,
                "rejected": o.rejected,
                "error": o.error,
            }
            for o in outcomes
        ]
    }

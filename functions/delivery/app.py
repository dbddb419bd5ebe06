"""GET /advisories/{advisory_id}/versions/{version}/delivery (publisher API): what an advisory
version's SMS came to, per segment; and, every 5 minutes, the check behind the
delivered-share and canary alarms (metrics `AdvisoriesBelowDeliveredShare` and
`CanaryReceiptsMissing`, the latter also per Country and Operator; the log line of each names
the advisory, or the operator, and a canary miss is notified on the operations topic)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.api_responses import busy_response, error_response, refuse_query
from consular_alerts.cors import allow_site_origin
from consular_alerts.errors import RequestError, RetryableError
from consular_alerts.http_routes import Request, Response, Router
from consular_alerts.observability import redacting_logger

logger = redacting_logger()
metrics = Metrics()
app = Router()


@app.exception_handler(RequestError)
def _refused(error: RequestError) -> Response:
    logger.info("report refused", status=error.status_code, error=error.message)
    return error_response(error.status_code, error.message)


@app.exception_handler(RetryableError)
def _busy(error: RetryableError) -> Response:
    logger.warning("storage busy", error=str(error))
    return busy_response("the service is busy; try again in a few seconds")


@app.get("/advisories/<advisory_id>/versions/<version>/delivery")
def delivery(request: Request, advisory_id: str, version: str) -> dict[str, Any]:
    refuse_query(request.query)
    # API Gateway hands path parameters over as sent: an id with a slash arrives encoded.
    report = bootstrap.delivery_report_service().report(unquote(advisory_id), version)
    return report.model_dump(mode="json")


def _watch() -> dict[str, Any]:
    watch = bootstrap.delivery_report_service().watch()
    metrics.add_metric(
        name="AdvisoriesBelowDeliveredShare", unit=MetricUnit.Count, value=len(watch.below)
    )
    metrics.add_metric(
        name="CanaryReceiptsMissing", unit=MetricUnit.Count, value=len(watch.canaries)
    )
    # The same per canary, by country and operator: the graph shows whom it is about.
    missed: dict[tuple[str, str], int] = {}
    for miss in watch.canaries:
        missed[(miss.country, miss.operator)] = missed.get((miss.country, miss.operator), 0) + 1
    for (country, operator), count in sorted(missed.items()):
        with single_metric(
            name="CanaryReceiptsMissing", unit=MetricUnit.Count, value=count
        ) as metric:
            metric.add_dimension(name="Country", value=country)
            metric.add_dimension(name="Operator", value=operator)
    return {
        "below": [f"{s.advisory_id}#v{s.version}: {s.reason}" for s in watch.below],
        # Operator first: whom the duty officer calls.
        "canaries": [
            f"{c.operator} ({c.country}) {c.segment} {c.advisory_id}#v{c.version}: {c.receipt}"
            for c in watch.canaries
        ],
    }


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("source") == "aws.events":  # the schedule in template.yaml
        return _watch()
    # The publisher console is served at the site's origin (the stage variable siteUrl).
    bootstrap.use_site_of(event)
    return allow_site_origin(
        app.resolve(event),
        event.get("headers"),
        bootstrap.delivery_report_settings().public_base_url,
    )

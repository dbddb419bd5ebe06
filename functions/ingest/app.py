"""The publisher API: POST /advisories normalizes a published advisory and stores it as a
new version; GET /advisories/{advisory_id}/history lists its versions and who published each;
two-person approval: GET /approvals lists the versions waiting for a second officer, who
approves or rejects one with POST /advisories/{advisory_id}/versions/{version}/approve|reject;
every 5 minutes (schedule), the approval sweep: versions that waited longer than
ApprovalTimeoutMinutes expire unsent (metrics `ApprovalsExpired`, `OldestApprovalWaitMinutes`
behind the approval alarms)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.api_responses import busy_response, error_response
from consular_alerts.cors import allow_site_origin
from consular_alerts.errors import (
    NormalizationError,
    RequestError,
    RetryableError,
    VersionConflictError,
)

logger = Logger()
metrics = Metrics()
app = APIGatewayRestResolver()


@app.exception_handler(RequestError)
def _bad_request(error: RequestError) -> Response[dict[str, Any]]:
    logger.info("rejected request", status=error.status_code, error=error.message)
    return error_response(error.status_code, error.message)


@app.exception_handler(NormalizationError)
def _not_an_advisory(error: NormalizationError) -> Response[dict[str, Any]]:
    logger.info("rejected advisory", error=str(error))
    return error_response(422, str(error))


@app.exception_handler(VersionConflictError)
def _not_meant(error: VersionConflictError) -> Response[dict[str, Any]]:
    # 412: a version the publisher did not edit; 409: an earlier version's content.
    logger.info("refused version", status=error.status_code, error=error.message)
    return Response(
        error.status_code,
        content_types.APPLICATION_JSON,
        {"error": error.message, "current_version": error.current_version},
        headers={"ETag": f'"{error.current_version}"'},
    )


@app.exception_handler(RetryableError)
def _busy(error: RetryableError) -> Response[dict[str, Any]]:
    # The version write is one transaction: when it fails, nothing of it was stored.
    logger.warning("storage busy", error=str(error))
    return busy_response(f"storage is busy ({error}); nothing was stored, post again")


@app.post("/advisories")
def post_advisory() -> Response[dict[str, Any]]:
    # Loaded by the first request, not by the import (README: performance).
    from consular_alerts.api_requests import publish_request, query_parameters, request_bytes
    from consular_alerts.domain.dry_run import dry_run_json

    event = app.current_event
    query = query_parameters(
        event.query_string_parameters, event.multi_value_query_string_parameters
    )
    raw = request_bytes(
        event.body, event.is_base64_encoded, bootstrap.ingest_settings().max_body_bytes
    )
    request = publish_request(
        raw, event.headers.get("content-type", ""), query, event.headers.get("if-match")
    )
    publication, options = request.publication, request.options
    service = bootstrap.ingest_service()
    if options.dry_run:
        preview = service.dry_run(
            publication,
            expected_version=options.expected_version,
            revert=options.revert,
            published_by=_principal(),  # an exercise reaches staff only when an officer posts
        )
        return Response(200, content_types.APPLICATION_JSON, dry_run_json(preview))

    result = service.ingest(
        publication,
        published_by=_principal(),
        expected_version=options.expected_version,
        revert=options.revert,
    )
    advisory = result.advisory
    logger.info(
        "advisory stored" if result.created else "advisory unchanged",
        advisory_id=advisory.advisory_id,
        version=advisory.version,
    )
    # 202: stored, sent to nobody until a second officer approves it (two-person approval).
    status = "pending_approval" if result.pending else "created" if result.created else "unchanged"
    return Response(
        202 if result.pending else 201 if result.created else 200,
        content_types.APPLICATION_JSON,
        {
            "advisory_id": advisory.advisory_id,
            "version": advisory.version,
            "status": status,
            "advisory": advisory.to_record(),
        },
        # What to send as If-Match when editing this version.
        headers={"ETag": f'"{advisory.version}"'},
    )


def _principal() -> str:
    """Who is publishing: the IAM identity API Gateway authenticated (AWS_IAM), as its
    request context names it. Never logged: an SSO session name may be an email address."""
    identity = app.current_event.request_context.identity
    principal = identity.user_arn or identity.caller
    if not principal:  # AWS_IAM always sets one: a route deployed without it
        raise RequestError(403, "no IAM identity in the request context; sign the request")
    return principal


@app.get("/advisories/<advisory_id>/history")
def advisory_history(advisory_id: str) -> Response[dict[str, Any]]:
    from urllib.parse import unquote

    from consular_alerts.api_requests import query_parameters
    from consular_alerts.services.history import publication_history

    event = app.current_event
    query = query_parameters(
        event.query_string_parameters, event.multi_value_query_string_parameters
    )
    if query:
        raise RequestError(400, "query: GET /advisories/{advisory_id}/history takes no parameters")
    # API Gateway hands a path parameter over as sent: an id with a slash, percent-encoded.
    versions = publication_history(bootstrap.version_history(), unquote(advisory_id))
    return Response(
        200,
        content_types.APPLICATION_JSON,
        {
            "advisory_id": unquote(advisory_id),
            "current_version": versions[-1].version,
            "versions": [v.model_dump(mode="json") for v in versions],
        },
    )


@app.get("/approvals")
def pending_approvals() -> Response[dict[str, Any]]:
    from consular_alerts.api_requests import query_parameters
    from consular_alerts.api_responses import refuse_query
    from consular_alerts.domain.dry_run import pending_json

    event = app.current_event
    refuse_query(
        query_parameters(event.query_string_parameters, event.multi_value_query_string_parameters)
    )
    service, timeout = bootstrap.ingest_service(), bootstrap.approval_rules().timeout
    waiting = [
        pending_json(service.preview_stored(advisory), advisory.received_at + timeout)
        for advisory in bootstrap.approval_service().pending()
    ]
    return Response(200, content_types.APPLICATION_JSON, {"pending": waiting})


@app.post("/advisories/<advisory_id>/versions/<version>/approve")
def approve(advisory_id: str, version: str) -> Response[dict[str, Any]]:
    return _decide(advisory_id, version, approve=True)


@app.post("/advisories/<advisory_id>/versions/<version>/reject")
def reject(advisory_id: str, version: str) -> Response[dict[str, Any]]:
    return _decide(advisory_id, version, approve=False)


def _decide(advisory_id: str, version: str, *, approve: bool) -> Response[dict[str, Any]]:
    """A second officer releases a waiting version to the fan-out, or refuses it."""
    from urllib.parse import unquote

    from consular_alerts.api_requests import approval_decision, query_parameters
    from consular_alerts.api_responses import refuse_query

    event = app.current_event
    refuse_query(
        query_parameters(event.query_string_parameters, event.multi_value_query_string_parameters)
    )
    if not version.isdigit() or not 1 <= int(version) <= 10**9:
        raise RequestError(400, f"version: a whole number from 1, not {version[:20]!r}")
    decision = approval_decision(
        event.body, event.is_base64_encoded, event.headers.get("content-type", ""),
        reject=not approve,
    )  # fmt: skip
    advisory = bootstrap.approval_service().decide(
        unquote(advisory_id), int(version), _principal(), approve=approve, reason=decision.reason
    )
    logger.info(
        "approval decided",
        advisory_id=advisory.advisory_id,
        version=advisory.version,
        approval=advisory.approval,
    )
    return Response(
        200,
        content_types.APPLICATION_JSON,
        {
            "advisory_id": advisory.advisory_id,
            "version": advisory.version,
            "status": advisory.approval,
            "advisory": advisory.to_record(),
        },
    )


def _sweep() -> dict[str, Any]:
    """Expire what waited too long, close what was replaced; both never sent."""
    from aws_lambda_powertools.metrics import MetricUnit

    report = bootstrap.approval_service().sweep()
    metrics.add_metric(name="ApprovalsExpired", unit=MetricUnit.Count, value=len(report.expired))
    metrics.add_metric(name="ApprovalsWaiting", unit=MetricUnit.Count, value=report.waiting)
    metrics.add_metric(
        name="OldestApprovalWaitMinutes", unit=MetricUnit.Count, value=report.oldest_minutes
    )
    metrics.flush_metrics()  # the API's requests publish none: flushed here, not per call
    if report.expired:
        logger.warning("approval expired: never sent", versions=report.expired)
    return {"expired": report.expired, "replaced": report.replaced, "waiting": report.waiting}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("source") == "aws.events":  # the approval sweep's schedule (template.yaml)
        return _sweep()
    # The publisher console is served at the site's origin (README: web pages).
    bootstrap.use_site_of(event)
    return allow_site_origin(
        app.resolve(event, context),
        event.get("headers"),
        bootstrap.ingest_settings().public_base_url,
    )

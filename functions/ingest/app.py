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
from consular_alerts.http_routes import Request, Response, Router

logger = Logger()
metrics = Metrics()
app = Router()


@app.exception_handler(RequestError)
def _bad_request(error: RequestError) -> Response:
    logger.info("rejected request", status=error.status_code, error=error.message)
    return error_response(error.status_code, error.message)


@app.exception_handler(NormalizationError)
def _not_an_advisory(error: NormalizationError) -> Response:
    logger.info("rejected advisory", error=str(error))
    return error_response(422, str(error))


@app.exception_handler(VersionConflictError)
def _not_meant(error: VersionConflictError) -> Response:
    # 412: a version the publisher did not edit; 409: an earlier version's content.
    logger.info("refused version", status=error.status_code, error=error.message)
    return Response(
        error.status_code,
        {"error": error.message, "current_version": error.current_version},
        headers={"ETag": f'"{error.current_version}"'},
    )


@app.exception_handler(RetryableError)
def _busy(error: RetryableError) -> Response:
    # The version write is one transaction: when it fails, nothing of it was stored.
    logger.warning("storage busy", error=str(error))
    return busy_response(f"storage is busy ({error}); nothing was stored, post again")


@app.post("/advisories")
def post_advisory(request: Request) -> Response:
    # Loaded by the first request, not by the import (README: performance).
    from consular_alerts.api_requests import publish_request, query_parameters, request_bytes
    from consular_alerts.domain.dry_run import dry_run_json

    query = query_parameters(request.query, request.multi_query)
    raw = request_bytes(
        request.body, request.is_base64_encoded, bootstrap.ingest_settings().max_body_bytes
    )
    publish = publish_request(
        raw, request.headers.get("content-type", ""), query, request.headers.get("if-match")
    )
    publication, options = publish.publication, publish.options
    service = bootstrap.ingest_service()
    if options.dry_run:
        preview = service.dry_run(
            publication,
            expected_version=options.expected_version,
            revert=options.revert,
            published_by=_principal(request),  # an exercise reaches staff only if an officer posts
        )
        return Response(200, dry_run_json(preview))

    result = service.ingest(
        publication,
        published_by=_principal(request),
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
        {
            "advisory_id": advisory.advisory_id,
            "version": advisory.version,
            "status": status,
            "advisory": advisory.to_record(),
        },
        # What to send as If-Match when editing this version.
        headers={"ETag": f'"{advisory.version}"'},
    )


def _principal(request: Request) -> str:
    """Who is publishing: the IAM identity API Gateway authenticated (AWS_IAM), as its
    request context names it. Never logged: an SSO session name may be an email address."""
    principal = request.user_arn or request.caller
    if not principal:  # AWS_IAM always sets one: a route deployed without it
        raise RequestError(403, "no IAM identity in the request context; sign the request")
    return principal


@app.get("/advisories/<advisory_id>/history")
def advisory_history(request: Request, advisory_id: str) -> Response:
    from urllib.parse import unquote

    from consular_alerts.api_requests import query_parameters
    from consular_alerts.services.history import publication_history

    query = query_parameters(request.query, request.multi_query)
    if query:
        raise RequestError(400, "query: GET /advisories/{advisory_id}/history takes no parameters")
    # API Gateway hands a path parameter over as sent: an id with a slash, percent-encoded.
    versions = publication_history(bootstrap.version_history(), unquote(advisory_id))
    return Response(
        200,
        {
            "advisory_id": unquote(advisory_id),
            "current_version": versions[-1].version,
            "versions": [v.model_dump(mode="json") for v in versions],
        },
    )


@app.get("/approvals")
def pending_approvals(request: Request) -> Response:
    from consular_alerts.api_requests import query_parameters
    from consular_alerts.api_responses import refuse_query
    from consular_alerts.domain.dry_run import pending_json

    refuse_query(query_parameters(request.query, request.multi_query))
    service, timeout = bootstrap.ingest_service(), bootstrap.approval_rules().timeout
    waiting = [
        pending_json(service.preview_stored(advisory), advisory.received_at + timeout)
        for advisory in bootstrap.approval_service().pending()
    ]
    return Response(200, {"pending": waiting})


@app.post("/advisories/<advisory_id>/versions/<version>/approve")
def approve(request: Request, advisory_id: str, version: str) -> Response:
    return _decide(request, advisory_id, version, approve=True)


@app.post("/advisories/<advisory_id>/versions/<version>/reject")
def reject(request: Request, advisory_id: str, version: str) -> Response:
    return _decide(request, advisory_id, version, approve=False)


def _decide(request: Request, advisory_id: str, version: str, *, approve: bool) -> Response:
    """A second officer releases a waiting version to the fan-out, or refuses it."""
    from urllib.parse import unquote

    from consular_alerts.api_requests import approval_decision, query_parameters
    from consular_alerts.api_responses import refuse_query

    refuse_query(query_parameters(request.query, request.multi_query))
    if not version.isdigit() or not 1 <= int(version) <= 10**9:
        raise RequestError(400, f"version: a whole number from 1, not {version[:20]!r}")
    decision = approval_decision(
        request.body, request.is_base64_encoded, request.headers.get("content-type", ""),
        reject=not approve,
    )  # fmt: skip
    advisory = bootstrap.approval_service().decide(
        unquote(advisory_id),
        int(version),
        _principal(request),
        approve=approve,
        reason=decision.reason,
    )
    logger.info(
        "approval decided",
        advisory_id=advisory.advisory_id,
        version=advisory.version,
        approval=advisory.approval,
    )
    return Response(
        200,
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
        app.resolve(event),
        event.get("headers"),
        bootstrap.ingest_settings().public_base_url,
    )

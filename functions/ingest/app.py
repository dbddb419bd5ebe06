"""POST /advisories: normalize a published advisory and store it as a new version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.cors import allow_site_origin
from consular_alerts.errors import NormalizationError, RequestError, RetryableError

if TYPE_CHECKING:
    from consular_alerts.services.ingest import DryRun

logger = Logger()
app = APIGatewayRestResolver()


def _error(status: int, message: str) -> Response[dict[str, Any]]:
    return Response(status, content_types.APPLICATION_JSON, {"error": message})


@app.exception_handler(RequestError)
def _bad_request(error: RequestError) -> Response[dict[str, Any]]:
    logger.info("rejected request", status=error.status_code, error=error.message)
    return _error(error.status_code, error.message)


@app.exception_handler(NormalizationError)
def _not_an_advisory(error: NormalizationError) -> Response[dict[str, Any]]:
    logger.info("rejected advisory", error=str(error))
    return _error(422, str(error))


@app.exception_handler(RetryableError)
def _busy(error: RetryableError) -> Response[dict[str, Any]]:
    # The version write is one transaction: when it fails, nothing of it was stored.
    logger.warning("storage busy", error=str(error))
    return Response(
        503,
        content_types.APPLICATION_JSON,
        {"error": f"storage is busy ({error}); nothing was stored, post again"},
        headers={"Retry-After": "2"},
    )


@app.post("/advisories")
def post_advisory() -> Response[dict[str, Any]]:
    # Loaded by the first request, not by the import (README: performance).
    from consular_alerts.api_requests import publication_from_request, request_bytes

    event = app.current_event
    query = dict(event.query_string_parameters or {})
    dry_run = query.pop("dry_run", "false").lower() in {"1", "true", "yes"}
    raw = request_bytes(
        event.body, event.is_base64_encoded, bootstrap.ingest_settings().max_body_bytes
    )
    publication = publication_from_request(raw, event.headers.get("content-type", ""), query)
    service = bootstrap.ingest_service()
    if dry_run:
        return _dry_run(service.dry_run(publication))

    result = service.ingest(publication)
    advisory = result.advisory
    logger.info(
        "advisory stored" if result.created else "advisory unchanged",
        advisory_id=advisory.advisory_id,
        version=advisory.version,
    )
    return Response(
        201 if result.created else 200,
        content_types.APPLICATION_JSON,
        {
            "advisory_id": advisory.advisory_id,
            "version": advisory.version,
            "status": "created" if result.created else "unchanged",
            "advisory": advisory.to_record(),
        },
    )


def _dry_run(result: DryRun) -> Response[dict[str, Any]]:
    """Nothing stored, nothing sent: what posting would store and send, and (when the
    function can count them) the subscribers of each segment it reaches and the SMS cost."""
    from consular_alerts.domain.messages.preview import cost_json, preview_json

    body: dict[str, Any] = {
        "dry_run": True,
        "advisory_id": result.advisory.advisory_id,
        "version": result.advisory.version,
        "would_store": result.would_store,
        "would_notify": result.decision.notify,
        "reason": result.decision.reason,
        "advisory": result.advisory.to_record(),
        "preview": preview_json(result.rendered),
    }
    if result.audience is not None:
        body["audience"] = [
            {"segment": segment.name, "subscribers": count}
            for segment, count in sorted(result.audience.items())
        ]
    if result.cost is not None:
        body["cost"] = cost_json(result.cost)
    if result.reach is not None:
        from consular_alerts.domain.messages.reach import reach_json

        body["reach"] = reach_json(result.reach)
    if result.by_country:  # shutdown mode, budgets of their own (domain/messages/offline.py)
        from consular_alerts.domain.messages.country_preview import countries_json

        body["countries"] = countries_json(result.by_country, result.conditions)
    return Response(200, content_types.APPLICATION_JSON, body)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The publisher console is served at the site's origin (README: web pages).
    return allow_site_origin(
        app.resolve(event, context),
        event.get("headers"),
        bootstrap.ingest_settings().public_base_url,
    )

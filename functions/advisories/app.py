"""GET /advisories/{advisory_id}: the advisory page's read API, on the citizen API, no auth.

Every SMS and email links to `<site>/a/<id>` (an SMS to the 8-character reference of the id);
the page there reads the advisory here. One route, no body: a plain handler rather than
Powertools' resolver, whose import is most of a cold start (README: Performance), and a
cold start is what thousands of citizens tapping one link at once would pay.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.cors import allow_site_origin
from consular_alerts.errors import RequestError, RetryableError
from consular_alerts.observability import redacting_logger

logger = redacting_logger()
QUERY_PARAMETERS = frozenset({"version"})
NOT_FOUND_MAX_AGE = 10  # a herd on a wrong link should not all reach the table either


def _response(
    status: int, body: str, cache_control: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": "application/json; charset=utf-8",
            "Cache-Control": cache_control,
            # A response cached without CORS headers must not answer the page's request.
            "Vary": "Origin",
            **(headers or {}),
        },
        "body": body,
    }


def _error(
    status: int,
    message: str,
    cache_control: str = "no-store",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return _response(
        status, json.dumps({"error": message}, ensure_ascii=False), cache_control, headers
    )


def _query(event: dict[str, Any]) -> dict[str, list[str]]:
    multi = event.get("multiValueQueryStringParameters")
    if multi:
        return {str(k): [str(v) for v in values] for k, values in multi.items()}
    single = event.get("queryStringParameters") or {}
    return {str(k): [str(v)] for k, v in single.items()}


def read_advisory(event: dict[str, Any]) -> dict[str, Any]:
    query = _query(event)
    unknown = sorted(set(query) - QUERY_PARAMETERS)
    if unknown:
        return _error(400, f"query parameter {unknown[0]!r} is not known; only version is")
    # API Gateway (REST) hands path parameters over as they were sent: an id with a slash
    # arrives percent-encoded.
    raw = unquote((event.get("pathParameters") or {}).get("advisory_id") or "")
    try:
        view = bootstrap.public_advisory_service().read(raw, query.get("version"))
    except RequestError as refused:
        logger.info("advisory not served", status=refused.status_code, error=refused.message)
        cache = f"public, max-age={NOT_FOUND_MAX_AGE}" if refused.status_code == 404 else "no-store"
        return _error(refused.status_code, refused.message, cache)
    except RetryableError as error:
        logger.warning("storage busy", error=str(error))
        return _error(503, "the service is busy; try again in a few seconds", "no-store",
                      {"Retry-After": "2"})  # fmt: skip
    logger.info("advisory served", advisory_id=view.advisory_id, version=view.version)
    max_age = bootstrap.public_advisory_settings().cache_max_age_seconds
    return _response(200, view.model_dump_json(), f"public, max-age={max_age}")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The advisory page is served at the site's origin and calls this API (README: web pages).
    bootstrap.use_site_of(event)
    return allow_site_origin(
        read_advisory(event),
        event.get("headers"),
        bootstrap.public_advisory_settings().public_base_url,
    )

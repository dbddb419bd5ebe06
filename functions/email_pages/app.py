"""The pages the ministry's emails link to, on the citizen API (the site forwards /email/*):

    GET  /email/confirm/{subscription_id}?t=<token>       a button; nothing changes
    POST /email/confirm/{subscription_id}?t=<token>       confirms; shows the manage link
    GET  /email/unsubscribe/{subscription_id}?t=<token>   a button; nothing changes
    POST /email/unsubscribe/{subscription_id}?t=<token>   unsubscribes (also the one-click
                                                          POST of RFC 8058 from mail clients)

Thin: parse the event, call the email subscription service, answer its page."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.domain.citizens.email_pages import PAGE_HEADERS, page
from consular_alerts.errors import RetryableError
from consular_alerts.models.identifiers import SUBSCRIPTION_ID_PATTERN
from consular_alerts.observability import redacting_logger

logger = redacting_logger()
_ID = re.compile(SUBSCRIPTION_ID_PATTERN)
_TOKEN = re.compile(r"^[\w.~-]{1,200}$")
_ROUTES = {
    "/email/confirm/{subscription_id}": "confirm",
    "/email/unsubscribe/{subscription_id}": "unsubscribe",
}


def _answer(status: int, body: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**PAGE_HEADERS, **(extra or {})},
        "body": body,
        "isBase64Encoded": False,
    }


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    bootstrap.use_site_of(event)  # the manage link leads to the site
    kind = _ROUTES.get(str(event.get("resource") or ""))
    method = str(event.get("httpMethod") or "").upper()
    if kind is None or method not in {"GET", "POST"}:
        return _answer(404, page("unsubscribe", "invalid", "en"))
    subscription_id = str((event.get("pathParameters") or {}).get("subscription_id") or "")
    query = event.get("queryStringParameters") or {}
    token = str(query.get("t") or "")
    unknown = sorted(set(query) - {"t"})
    if unknown or not _ID.match(subscription_id) or not _TOKEN.match(token):
        logger.info("email page: malformed link", kind=kind, unknown=unknown[:3])
        return _answer(400 if unknown else 404, page(kind, "invalid", "en"))
    service = bootstrap.email_subscription_service()
    act = method == "POST"
    try:
        if kind == "confirm":
            outcome = service.confirm(subscription_id, token, act=act)
        else:
            outcome = service.unsubscribe_page(subscription_id, token, act=act)
    except RetryableError as error:
        logger.warning("email page: storage busy", error=str(error))
        return _answer(503, page(kind, "ask", "en"), {"Retry-After": "5"})
    logger.info("email page", kind=kind, method=method, state=outcome.state.value)
    status = 404 if outcome.state.value == "invalid" else 200
    return _answer(
        status, page(kind, outcome.state.value, outcome.language, manage_link=outcome.manage_link)
    )

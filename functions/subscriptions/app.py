"""Citizen API: subscribe, verify, read / change / end a subscription, codes when the token is
lost.

Requests and responses are the pydantic models in consular_alerts.models.citizen; the router
(consular_alerts.http_routes) validates requests against them, and the OpenAPI document is
generated from its routes (checked in as openapi/citizen-api.json; `make openapi`
regenerates it). The routes name their models rather than import them: pydantic and the
models load with the first request, which builds only the models it uses (README:
performance).
"""

from __future__ import annotations

import binascii
import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.cors import allow_site_origin
from consular_alerts.domain.citizens.privacy import redact
from consular_alerts.errors import AmbiguousPublishError, RetryableError
from consular_alerts.http_routes import (
    JSON,
    Request,
    RequestValidationError,
    Response,
    Router,
    UnsupportedContentTypeError,
)
from consular_alerts.json_bodies import charset_problem, json_problem
from consular_alerts.observability import redacting_logger
from consular_alerts.services.subscription_errors import (
    RateLimitedError,
    SubscriptionError,
    UnauthorizedError,
)

if TYPE_CHECKING:
    from consular_alerts.models.citizen import (
        CodeSent,
        PhoneCodeRequest,
        PhoneRequest,
        PreferencesRequest,
        SubscribeRequest,
        SubscriptionView,
        VerifyRequest,
    )

logger = redacting_logger()
app = Router(models="consular_alerts.models.citizen")
MAX_BODY = 4096

TITLE = "Consular alerts: citizen API"
VERSION = "1.0.0"
DESCRIPTION = """\
Citizens abroad subscribe a phone number (SMS) or an email address to the advisories of the
Ministry of Foreign Affairs of the Kyrgyz Republic, for the countries, language and minimum
level they choose.

- An SMS subscription exists only once the 6-digit code sent to the phone is verified.
- An email subscription starts once its owner opens the link in the one confirmation email
  the ministry sends (SES) and presses the page's button; the manage link is shown there.
- To read, change or end a subscription, send `Authorization: Bearer <token>`: the
  `manage_token` (returned once), or the token of a signed link (`manage_link`, or the
  unsubscribe link sent by SMS after verification). Lost both? `POST
  /subscriptions/{subscription_id}/code` or `POST /subscriptions/code` send a code to the
  phone, which `.../token` exchanges for a new manage token.
- Every request that sends an SMS is rate limited (429 names the limit and says when to try
  again); nothing is stored or sent when a request is refused.
"""

_BY_ID = {"subscription_id": "SubscriptionId"}
_BEARER: list[dict[str, list[str]]] = [{"manageToken": []}]
_ERRORS = {
    400: "Wrong or expired code",
    401: "No manage token or link token",
    403: "The token is wrong, expired, or does not allow this",
    404: "No such subscription (or it has ended)",
    409: "Not possible in the subscription's present state",
    413: "Body too large",
    415: "Unsupported content type: send application/json",
    423: "Too many wrong codes",
    429: "A rate limit refused the request; nothing was stored or sent",
    503: "Busy (storage or SMS throttled): try again after Retry-After seconds",
}


def _doc(status: int, model: str, description: str, *errors: int) -> dict[int, Any]:
    responses: dict[int, dict[str, Any]] = {status: {"description": description, "model": model}}
    for code in (413, 415, *errors, 503):
        responses[code] = {"description": _ERRORS[code], "model": "ErrorBody"}
    for code in {429, 503} & {*errors, 503}:
        responses[code]["headers"] = {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        }
    return dict(responses)


def _error(
    status: int,
    error: str,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> Response:
    """An ErrorBody (openapi: the documented error), `fields` its optional ones."""
    from consular_alerts.models.citizen import ErrorBody  # with the first error, not at import

    body = ErrorBody(error=error, **fields)
    return Response(status, body.model_dump(exclude_none=True), headers=headers)


@app.exception_handler(RequestValidationError)
def _invalid(error: RequestValidationError) -> Response:
    # Field names and rules only: pydantic's messages never echo the input (an address).
    errors = error.errors()
    detail = [
        {
            # Not pydantic's names for the branches of a union ("list[...]", "none").
            "loc": [str(part) for part in item.get("loc", ()) if "[" not in str(part)],
            "msg": redact(str(item.get("msg", ""))),
            "type": str(item.get("type", "")),
        }
        for item in errors
        # "Input should be None": the other branch of an optional field, not the problem.
        if item.get("type") != "none_required" or len(errors) == 1
    ]
    message = "; ".join(
        # A syntax error's loc is ("body", <character offset>): say what it is.
        f"body: invalid JSON at character {d['loc'][-1]}"
        if d["type"] == "json_invalid" and len(d["loc"]) == 2
        else f"{'.'.join(d['loc'][1:]) or d['loc'][0] if d['loc'] else 'body'}: {d['msg']}"
        for d in detail
    )
    return Response(422, {"error": message or "invalid request", "detail": detail})


@app.exception_handler(UnsupportedContentTypeError)
def _unsupported(error: UnsupportedContentTypeError) -> Response:
    return _error(415, "content-type: send application/json")


@app.exception_handler(UnicodeDecodeError, binascii.Error)
def _undecodable(error: Exception) -> Response:
    detail = [{"loc": ["body"], "msg": "not UTF-8 JSON", "type": "json_invalid"}]
    return Response(422, {"error": "body: not UTF-8 JSON", "detail": detail})


@app.exception_handler(SubscriptionError)
def _refused(error: SubscriptionError) -> Response:
    message = redact(str(error))
    logger.info("request refused", status=error.status_code, error=message)
    if isinstance(error, RateLimitedError):
        refusal = error.refusal
        return _error(
            429,
            message,
            headers={"Retry-After": str(refusal.retry_after)},
            limit=refusal.limit.value,
            retry_after=refusal.retry_after,
        )
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, UnauthorizedError) else None
    return _error(error.status_code, message, headers)


@app.exception_handler(AmbiguousPublishError)
def _maybe_sent(error: AmbiguousPublishError) -> Response:
    # No answer from SNS in time: the code may be on its way, and it was counted.
    logger.warning("SMS outcome unknown", error=redact(str(error)))
    return _error(
        503,
        "the code may still arrive; wait a minute before asking again",
        headers={"Retry-After": "60"},
    )


@app.exception_handler(RetryableError)
def _busy(error: RetryableError) -> Response:
    # Throttling or a 5xx that outlasted the SDK's retries; the flows are written to be
    # retried (a repeated subscribe or verify lands on the same record).
    logger.warning("dependency busy", error=redact(str(error)))
    return _error(
        503,
        "the service is busy; try again in a few seconds",
        headers={"Retry-After": "5"},
    )


def _client_ip(request: Request) -> str:
    return request.source_ip or "unknown"


def _credential(request: Request) -> str:
    authorization = request.headers.get("authorization") or ""
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@app.post(
    "/subscriptions",
    status=202,
    body="SubscribeRequest",
    summary="Subscribe a phone number or an email address",
    description="SMS: sends a 6-digit code to the phone; nothing is subscribed until it is "
    "verified. Email: sends one confirmation email (through SES) whose link leads to the "
    "ministry's confirmation page; the manage token comes on confirming there.",
    responses=_doc(202, "SubscriptionView", "Code sent, or email pending confirmation", 429),
    tags=["subscriptions"],
    operation_id="subscribe",
)
def subscribe(request: Request, body: SubscribeRequest) -> SubscriptionView:
    return bootstrap.subscription_service().subscribe(body, _client_ip(request))


@app.post(
    "/subscriptions/<subscription_id>/verify",
    body="VerifyRequest",
    parameters=_BY_ID,
    summary="Verify a phone with its code: the subscription starts",
    responses=_doc(
        200, "SubscriptionView", "Subscribed; manage token returned", 400, 404, 409, 423
    ),
    tags=["subscriptions"],
    operation_id="verify",
)
def verify(request: Request, subscription_id: str, body: VerifyRequest) -> SubscriptionView:
    return bootstrap.subscription_service().verify(subscription_id, body.code)


@app.get(
    "/subscriptions/<subscription_id>",
    parameters=_BY_ID,
    summary="Read a subscription (address masked)",
    responses=_doc(200, "SubscriptionView", "The subscription", 401, 403, 404, 409),
    tags=["manage"],
    operation_id="read",
    security=_BEARER,
)
def read(request: Request, subscription_id: str) -> SubscriptionView:
    return bootstrap.subscription_service().read(subscription_id, _credential(request))


@app.patch(
    "/subscriptions/<subscription_id>",
    body="PreferencesRequest",
    parameters=_BY_ID,
    summary="Change countries, language or minimum level",
    description="Subscribes to the new segments first, then leaves the old ones.",
    responses=_doc(200, "SubscriptionView", "Changed", 401, 403, 404, 409),
    tags=["manage"],
    operation_id="change",
    security=_BEARER,
)
def change(request: Request, subscription_id: str, body: PreferencesRequest) -> SubscriptionView:
    return bootstrap.subscription_service().change(subscription_id, _credential(request), body)


@app.delete(
    "/subscriptions/<subscription_id>",
    parameters=_BY_ID,
    summary="End a subscription and erase the address",
    responses=_doc(200, "SubscriptionView", "Ended; the address is erased", 401, 403, 404, 409),
    tags=["manage"],
    operation_id="unsubscribe",
    security=_BEARER,
)
def unsubscribe(request: Request, subscription_id: str) -> SubscriptionView:
    return bootstrap.subscription_service().unsubscribe(subscription_id, _credential(request))


@app.post(
    "/subscriptions/<subscription_id>/code",
    status=202,
    parameters=_BY_ID,
    summary="Send a fresh code to the subscription's phone",
    description="Pending: resends the verification code. Active: a code to exchange for a "
    "new manage token (POST .../token).",
    responses=_doc(202, "CodeSent", "Code sent", 404, 409, 423, 429),
    tags=["codes"],
    operation_id="send_code",
)
def send_code(request: Request, subscription_id: str) -> CodeSent:
    return bootstrap.subscription_service().send_code(subscription_id, _client_ip(request))


@app.post(
    "/subscriptions/<subscription_id>/token",
    body="VerifyRequest",
    parameters=_BY_ID,
    summary="Exchange the code for a new manage token",
    responses=_doc(200, "SubscriptionView", "New manage token", 400, 404, 409, 423),
    tags=["codes"],
    operation_id="exchange_code",
)
def exchange_code(request: Request, subscription_id: str, body: VerifyRequest) -> SubscriptionView:
    return bootstrap.subscription_service().exchange_code(subscription_id, body.code)


@app.post(
    "/subscriptions/code",
    status=202,
    body="PhoneRequest",
    summary="Send a code to a subscribed phone number (the subscription id is not needed)",
    description="Answers the same whether or not the number has a subscription.",
    responses=_doc(202, "CodeSent", "Code sent if the number has a subscription", 429),
    tags=["codes"],
    operation_id="send_code_to_phone",
)
def send_code_to_phone(request: Request, body: PhoneRequest) -> CodeSent:
    return bootstrap.subscription_service().send_code_to_phone(body.address, _client_ip(request))


@app.post(
    "/subscriptions/token",
    body="PhoneCodeRequest",
    summary="Exchange the code sent to a phone number for its subscription's manage token",
    description="Rate limited per number and per client; answers a wrong code the same "
    "whether or not the number has a subscription.",
    responses=_doc(200, "SubscriptionView", "The subscription and a new manage token", 400, 429),
    tags=["codes"],
    operation_id="exchange_code_for_phone",
)
def exchange_code_for_phone(request: Request, body: PhoneCodeRequest) -> SubscriptionView:
    return bootstrap.subscription_service().exchange_code_for_phone(
        body.address, body.code, _client_ip(request)
    )


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of these routes, as checked in (openapi/citizen-api.json)."""
    from consular_alerts.http_openapi import openapi_document as document  # not at cold start

    return document(
        app.routes,
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes={
            "manageToken": {
                "type": "http",
                "description": "The manage token, or the token of a signed link",
                "scheme": "bearer",
            }
        },
    )


def _refuse_early(event: dict[str, Any]) -> tuple[int, str] | None:
    """What API Gateway hands over that no route should parse: oversized bodies, and bodies
    that are not JSON (form and multipart parsers have failure modes of their own)."""
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8"))
    if size > MAX_BODY:
        return 413, f"body: larger than {MAX_BODY} bytes"
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if body and media_type not in {"", JSON}:
        return 415, "content-type: send application/json"
    charset = charset_problem(headers.get("content-type", ""))
    if body and charset is not None:
        return 415, charset
    if body and not event.get("isBase64Encoded"):
        # What the route's parser would take silently: duplicate keys (which one wins?),
        # nesting that exhausts the parser, NaN. Syntax errors are left to the route (422).
        _, problem = json_problem(body)
        if problem is not None and not problem.startswith("invalid JSON"):
            return 422, f"body: {problem}"
    return None


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.debug("request", method=event.get("httpMethod"), resource=event.get("resource"))
    bootstrap.use_site_of(event)  # links and CORS name the site
    refused = _refuse_early(event)
    if refused is not None:
        status, message = refused
        return {
            "statusCode": status,
            "headers": {"Content-Type": JSON},
            "body": json.dumps({"error": message}),
            "isBase64Encoded": False,
        }
    return allow_site_origin(
        app.resolve(event),
        event.get("headers"),
        bootstrap.subscriptions_settings().public_base_url,
    )

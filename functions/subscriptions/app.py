"""Citizen API: subscribe, verify a phone with its code, unsubscribe."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.edges import RequestError, parse_json, parse_model, request_body
from consular_alerts.models import SubscribeRequest, VerifyRequest
from consular_alerts.services.subscriptions import SubscriptionError, SubscriptionView

logger = Logger()
app = APIGatewayRestResolver()
MAX_BODY = 4096


def _json(status: int, payload: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status, content_types.APPLICATION_JSON, payload)


def _view(status: int, view: SubscriptionView) -> Response[dict[str, Any]]:
    return _json(status, {k: v for k, v in asdict(view).items() if v is not None})


@app.exception_handler(RequestError)
def _bad_request(error: RequestError) -> Response[dict[str, Any]]:
    return _json(error.status_code, {"error": error.message})


@app.exception_handler(SubscriptionError)
def _refused(error: SubscriptionError) -> Response[dict[str, Any]]:
    logger.info("request refused", status=error.status_code, error=str(error))
    return _json(error.status_code, {"error": str(error)})


def _body() -> Any:
    event = app.current_event
    return parse_json(request_body(event.body, event.is_base64_encoded, MAX_BODY))


@app.post("/subscriptions")
def subscribe() -> Response[dict[str, Any]]:
    request = parse_model(SubscribeRequest, _body())
    return _view(202, bootstrap.subscription_service().subscribe(request))


@app.post("/subscriptions/<subscription_id>/verify")
def verify(subscription_id: str) -> Response[dict[str, Any]]:
    request = parse_model(VerifyRequest, _body())
    return _view(200, bootstrap.subscription_service().verify(subscription_id, request.code))


@app.delete("/subscriptions/<subscription_id>")
def unsubscribe(subscription_id: str) -> Response[dict[str, Any]]:
    authorization = app.current_event.headers.get("authorization") or ""
    token = authorization.removeprefix("Bearer ").strip()
    return _view(200, bootstrap.subscription_service().unsubscribe(subscription_id, token))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

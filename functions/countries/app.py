"""GET /countries and PUT /countries/{country_code}: the duty officer's shutdown switch.

A country marked `{"internet": "disrupted"}` gets SMS without a web link (useless without
internet) and emails saying the page may not open, from the next message on; `"normal"`
undoes it. The answer also carries each country's SMS segment budget (configuration).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts import bootstrap
from consular_alerts.api_responses import busy_response, error_response, refuse_query
from consular_alerts.cors import allow_site_origin
from consular_alerts.errors import RequestError, RetryableError
from consular_alerts.http_routes import Request, Response, Router

logger = Logger()
app = Router()


@app.exception_handler(RequestError)
def _bad_request(error: RequestError) -> Response:
    logger.info("rejected request", status=error.status_code, error=error.message)
    return error_response(error.status_code, error.message)


@app.exception_handler(RetryableError)
def _busy(error: RetryableError) -> Response:
    logger.warning("storage busy", error=str(error))
    return busy_response(f"storage is busy ({error}); nothing was changed, try again")


@app.get("/countries")
def list_countries(request: Request) -> dict[str, Any]:
    refuse_query(request.query)
    return bootstrap.countries_service().states().model_dump(mode="json")


@app.put("/countries/<country_code>")
def set_country(request: Request, country_code: str) -> dict[str, Any]:
    from consular_alerts.api_requests import parse_json, parse_model, request_bytes
    from consular_alerts.models.countries import ConnectivityChange, CountryCode

    refuse_query(request.query)
    code = parse_model(CountryCode, {"country_code": country_code}).country_code
    media_type = (request.headers.get("content-type") or "application/json").split(";")[0]
    if media_type.strip().lower() != "application/json":
        raise RequestError(415, f"content-type: {media_type[:60]} is not accepted; send JSON")
    raw = request_bytes(request.body, request.is_base64_encoded, 4096)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(400, f"body: not UTF-8 (byte {error.start})") from error
    change = parse_model(ConnectivityChange, parse_json(text))
    state = bootstrap.countries_service().set_internet(code, change)
    logger.info("country internet state set", country=code, internet=state.internet.value)
    return state.model_dump(mode="json")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The publisher console is served at the site's origin (README: web pages).
    bootstrap.use_site_of(event)
    return allow_site_origin(
        app.resolve(event),
        event.get("headers"),
        bootstrap.countries_settings().public_base_url,
    )

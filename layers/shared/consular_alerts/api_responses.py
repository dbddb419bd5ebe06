"""The publisher API's refusals, shared by its handlers (ingest, countries, delivery report):
one JSON shape for an error, one for "busy, try again", one check that a route without
query parameters got none. Imports only the router, so a handler's cold start pays nothing
for it."""

from __future__ import annotations

from collections.abc import Mapping

from consular_alerts.errors import RequestError
from consular_alerts.http_routes import Response


def error_response(status: int, message: str, *, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"error": message}, headers=headers)


def busy_response(message: str) -> Response:
    """503 with Retry-After: storage refused for now (throttled, unreachable)."""
    return error_response(503, message, headers={"Retry-After": "2"})


def refuse_query(query: Mapping[str, str] | None) -> None:
    """A route that defines no query parameter refuses any, naming the first."""
    if query:
        raise RequestError(400, f"query parameter {sorted(query)[0]!r} is not known")

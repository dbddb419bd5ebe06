"""CORS for the site's pages, in a module of its own: every API response passes through it,
so it must not load the models and parsers (README: performance).

Not Powertools' CORSConfig, on purpose: it takes the allowed origin when the resolver is
built, at import, and the site's origin comes with each request (the stage variable siteUrl,
template.yaml); and the advisory read, which has no resolver, would import
aws_lambda_powertools.event_handler for it: +235 ms of import (-X importtime, median of 9,
against 1 ms for this module; the boto3 import alone took 590 ms on that machine)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def allow_site_origin(
    response: dict[str, Any], request_headers: Mapping[str, str] | None, site_url: str
) -> dict[str, Any]:
    """CORS for the site's pages: deployed, CloudFront serves them at the site's origin
    (PublicBaseUrl) and they call the APIs at their execute-api URLs. A response to a
    request from that origin lets the page read it; any other origin gets nothing extra.
    (Preflight OPTIONS requests are answered by API Gateway itself: template.yaml, Cors.)"""
    origin = next(
        (value for key, value in (request_headers or {}).items() if key.lower() == "origin"), ""
    )
    if not origin or origin.rstrip("/") != site_url.rstrip("/"):
        return response
    added = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    multi = response.get("multiValueHeaders")
    if isinstance(multi, dict):
        for key, value in added.items():
            multi[key] = [value]
    else:
        response.setdefault("headers", {}).update(added)
    return response

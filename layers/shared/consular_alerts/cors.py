"""CORS for the site's pages, in a module of its own: every API response passes through it,
so it must not load the models and parsers (README: performance). The allowed origin comes
with each request (the stage variable siteUrl, template.yaml), not from configuration read
at import: hence a function applied to the router's answer, not a router option."""

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

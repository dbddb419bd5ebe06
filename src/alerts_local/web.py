"""The site's static pages (web/), served by the local runtime at the APIs' origin.

Deployed, the same files are in a private S3 bucket behind CloudFront (template.yaml:
WebBucket, WebDistribution), whose viewer-request function maps the page routes below to
their files and whose response headers policy sets the same security headers.
"""

from __future__ import annotations

import json
import mimetypes
import re
from pathlib import Path

from alerts_local.stack import REPO_ROOT

WEB_ROOT = REPO_ROOT / "web"

# The same Content-Security-Policy as the CloudFront response headers policy (a test
# compares them): nothing but this origin, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

# Page routes -> files: the citizen page handles /, a link from a message (/s/<id>#token),
# /unsubscribe (the generic link every advisory carries) and a country's page (/c/<CC>: its
# advisories in force and a sign-up set to it); the console is /console/; the
# advisory page handles each advisory's link (/a/<advisory id or an SMS's short reference>),
# its files are under /advisory/ (anything under /a/ is an advisory).
_PAGES = (
    (re.compile(r"^/(index\.html)?$"), "index.html"),
    (re.compile(r"^/s/[A-Za-z0-9_-]{1,64}$"), "index.html"),
    (re.compile(r"^/unsubscribe/?$"), "index.html"),
    (re.compile(r"^/c/[A-Z]{2}$"), "index.html"),
    (re.compile(r"^/console/?$"), "console/index.html"),
    (re.compile(r"^/a/[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$"), "advisory/index.html"),
)
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def page_file(path: str) -> Path | None:
    """The file under web/ that a GET of `path` serves, if any."""
    for pattern, name in _PAGES:
        if pattern.match(path):
            return WEB_ROOT / name
    if not re.fullmatch(r"(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+", path) or ".." in path:
        return None
    candidate = WEB_ROOT / path.lstrip("/")
    return candidate if candidate.is_file() else None


def static_response(path: str) -> tuple[int, dict[str, str], bytes] | None:
    file = page_file(path)
    if file is None:
        return None
    content_type = _TYPES.get(file.suffix) or (
        (mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        + ("; charset=utf-8" if file.suffix in {".html", ".json", ".txt"} else "")
    )
    headers = {**SECURITY_HEADERS, "Content-Type": content_type, "Cache-Control": "no-cache"}
    return 200, headers, file.read_bytes()


def site_config(region: str) -> tuple[int, dict[str, str], bytes]:
    """What `make publish-web` writes as /config.json from the stack's outputs (the APIs'
    URLs); locally both APIs are at the pages' own origin."""
    body = {"citizen_api_url": "", "publisher_api_url": "", "region": region, "local": True}
    headers = {**SECURITY_HEADERS, "Content-Type": "application/json", "Cache-Control": "no-store"}
    return 200, headers, json.dumps(body).encode()

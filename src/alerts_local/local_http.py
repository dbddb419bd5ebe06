"""Requests to a running local runtime over real HTTP, as the demo's publisher and citizens
make them: the JSON answer and its status, errors included."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from alerts_local.server import LocalRuntime


def http(
    runtime: LocalRuntime,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310  (always our own http://127.0.0.1 URL)
        runtime.url + path, data=body, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")

"""Fault injection into real boto3 clients talking to moto.

A fault is injected at botocore's `before-send` (the error answers instead of moto, so the
SDK's own retry logic sees it exactly as it would see AWS's) or at `after-call` (the call
reached moto, then the invocation dies: SNS took the message, the code never learned it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError


class InvocationKilled(BaseException):
    """Lambda ending an invocation (a timeout, an out-of-memory kill): no handler code runs
    after it, so it derives from BaseException and no `except Exception` catches it."""


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._data


def _error_response(client: Any, request: Any, code: str, status: int) -> AWSResponse:
    protocol = client.meta.service_model.protocol
    if protocol in {"json", "smithy-rpc-v2-cbor"}:
        prefix = client.meta.service_model.metadata.get("targetPrefix", "")
        body = json.dumps({"__type": f"{prefix}#{code}", "message": f"injected {code}"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}
    else:  # query (SNS)
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{code}</Code><Message>injected {code}</Message></Error>"
            "<RequestId>injected</RequestId></ErrorResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml"}
    return AWSResponse(request.url, status, headers, _Body(body))


@dataclass
class Fault:
    """Fires on the calls numbered in `on_calls` (1-based) of one operation of one client."""

    client: Any
    operation: str
    on_calls: set[int]
    action: Callable[[Any], Any]
    after: bool = False
    calls: int = 0
    fired: int = 0
    _event: str = field(init=False, default="")

    def __post_init__(self) -> None:
        service = self.client.meta.service_model.service_id.hyphenize()
        stage = "after-call" if self.after else "before-send"
        self._event = f"{stage}.{service}.{self.operation}"
        self.client.meta.events.register(self._event, self._hook, unique_id=id(self))

    def _hook(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls not in self.on_calls:
            return None
        self.fired += 1
        return self.action(kwargs.get("request"))

    def remove(self) -> None:
        self.client.meta.events.unregister(self._event, unique_id=id(self))


def _calls(on_call: int, times: int) -> set[int]:
    return set(range(on_call, on_call + times))


def inject_client_error(
    client: Any, operation: str, code: str, *, status: int = 400, on_call: int = 1, times: int = 1
) -> Fault:
    """AWS answers `code` (HTTP `status`) to calls on_call .. on_call + times - 1."""
    return Fault(
        client,
        operation,
        _calls(on_call, times),
        lambda request: _error_response(client, request, code, status),
    )


def inject_read_timeout(client: Any, operation: str, *, on_call: int = 1, times: int = 1) -> Fault:
    """No answer in time: the request may or may not have reached the service."""

    def timeout(request: Any) -> Any:
        raise ReadTimeoutError(endpoint_url=getattr(request, "url", "injected"))

    return Fault(client, operation, _calls(on_call, times), timeout)


def kill_invocation(client: Any, operation: str, *, on_call: int = 1, after: bool = True) -> Fault:
    """The invocation dies at this call: after it reached AWS (`after=True`) or before."""

    def die(_: Any) -> Any:
        raise InvocationKilled(f"killed at {operation} call {on_call}")

    return Fault(client, operation, {on_call}, die, after=after)

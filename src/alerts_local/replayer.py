"""`alerts replay` on the local stack: the fan-out's dead-letter queue re-driven with the
handlers in this process (POST /_local/replay of `alerts serve`, and the fault tests)."""

from __future__ import annotations

from typing import Any

from alerts_cli.replay import Replayer
from alerts_local.lambdas import LocalFunctions
from alerts_local.stack import DeployedStack


class LocalInvoker:
    """The local runtime: the handlers run in this process (functions named by logical id)."""

    def __init__(self, functions: LocalFunctions) -> None:
        self._functions = functions

    def invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any] | None:
        response = self._functions.invoke(function, event)
        return response if isinstance(response, dict) else None

    def invoke_async(self, function: str, event: dict[str, Any]) -> None:
        self._functions.invoke(function, event)


def local_replayer(stack: DeployedStack, functions: LocalFunctions) -> Replayer:
    """The replayer of a local stack: its queue, its streams, its handlers in this process."""
    return Replayer(
        stack.client("sqs"),
        stack.client("dynamodbstreams"),
        LocalInvoker(functions),
        stack.resources["FanoutFailureQueue"],
        "FanoutFunction",
    )

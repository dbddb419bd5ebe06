"""Counts the AWS API calls code makes in this process (benchmarks: the work per advisory)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient


@dataclass
class ApiCall:
    service: str
    operation: str
    params: dict[str, Any]


@dataclass
class CallRecorder:
    """Records the calls of the threads inside `within` (or every thread when `everywhere`)."""

    everywhere: bool = False
    calls: list[ApiCall] = field(default_factory=list)
    _local: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def counts(self) -> Counter[str]:
        return Counter(f"{c.service}:{c.operation}" for c in self.calls)

    def within(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, with the calls it makes (in its thread) recorded."""

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self._local.depth = getattr(self._local, "depth", 0) + 1
            try:
                return function(*args, **kwargs)
            finally:
                self._local.depth -= 1

        return recorded

    def _note(self, client: BaseClient, operation: str, params: dict[str, Any]) -> None:
        depth: int = getattr(self._local, "depth", 0)
        if self.everywhere or depth:
            with self._lock:
                self.calls.append(
                    ApiCall(client.meta.service_model.service_name, operation, dict(params))
                )


@contextmanager
def recording(recorder: CallRecorder) -> Iterator[CallRecorder]:
    """Every boto3 client's calls pass through `recorder` while this lasts."""
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        recorder._note(client, operation, params)
        return original(client, operation, params)

    BaseClient._make_api_call = make_api_call  # type: ignore[attr-defined]
    try:
        yield recorder
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined]

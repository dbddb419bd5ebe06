"""One hostile input: what it sends to which target, and the refusal it must get."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PUBLISHER, CITIZEN, CLI = "publisher", "citizen", "cli"
JSON_TYPE = "application/json"
CAP_TYPE = "application/cap+xml"


@dataclass(frozen=True)
class Case:
    id: str
    target: str  # publisher | citizen | cli
    category: str
    body: bytes
    status: int  # HTTP status; 2 for the CLI's exit status
    names: str  # the error message must contain this
    content_type: str | None = JSON_TYPE
    method: str = "POST"
    path: str = ""
    query: str = ""
    token: str = ""
    args: tuple[str, ...] = ()  # CLI flags after `normalize FILE`
    filename: str = "input.json"  # CLI: the file's name (format detection reads it)
    http: bool = False  # also sent over HTTP to the local runtime


def publisher_case(id: str, category: str, body: bytes, status: int, names: str, **kw: Any) -> Case:
    return Case(id, PUBLISHER, category, body, status, names, path="/advisories", **kw)


def citizen_case(id: str, category: str, body: bytes, status: int, names: str, **kw: Any) -> Case:
    kw.setdefault("path", "/subscriptions")
    return Case(id, CITIZEN, category, body, status, names, **kw)


def cli_case(id: str, category: str, body: bytes, names: str, **kw: Any) -> Case:
    return Case(id, CLI, category, body, 2, names, content_type=None, **kw)

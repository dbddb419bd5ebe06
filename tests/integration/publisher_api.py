"""Calls the publisher API's handlers as API Gateway would (after IAM), through the
template's routes: posts, dry runs, the countries switch and delivery reports."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from alerts_local.lambdas import LocalFunctions
from alerts_local.outbox import Outbox
from alerts_local.server import api_event
from alerts_local.stack import DeployedStack
from alerts_local.streams import StreamPump
from tests.conftest import EVENTS


def count_items(stack: DeployedStack, table: str) -> int:
    client = stack.client("dynamodb")
    return int(client.scan(TableName=stack.resources[table], Select="COUNT")["Count"])


class Publisher:
    def __init__(self, stack: DeployedStack, functions: LocalFunctions | None = None) -> None:
        self.stack = stack
        self.functions = functions or LocalFunctions(stack)
        self.pump = StreamPump(stack, self.functions)
        self.outbox = Outbox(stack.region, topic_prefix=f"{stack.name}-seg-")

    def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        query: dict[str, str] | None = None,
        raw: str | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, dict[str, Any]]:
        for route in self.stack.routes:
            parameters = route.match(method, path)
            if parameters is not None and route.api == "PublisherApi":
                break
        else:
            raise AssertionError(f"no publisher route {method} {path}")
        body = raw if raw is not None else (json.dumps(payload) if payload is not None else "")
        event = api_event(
            route, method, path, parameters, urlencode(query or {}),
            {"content-type": content_type}, body.encode(), "203.0.113.10",
        )  # fmt: skip
        response = self.functions.invoke(route.function, event)
        return int(response["statusCode"]), json.loads(response.get("body") or "{}")

    def post_seed(self, *, dry_run: bool = False) -> dict[str, Any]:
        """The seed advisory, as the sample event posts it; then the stream and SNS delivery
        run, as they would after the request."""
        event = json.loads((EVENTS / "post-advisory-seed.json").read_text("utf-8"))
        if dry_run:
            event["queryStringParameters"] = {"dry_run": "true"}
        response = self.functions.invoke("IngestFunction", event)
        assert response["statusCode"] in {200, 201}, response
        self.pump.drain()
        self.outbox.collect()
        return dict(json.loads(response["body"]))

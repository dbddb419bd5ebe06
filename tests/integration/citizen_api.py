"""Calls the citizen API's handler as API Gateway would, through the template's routes."""

from __future__ import annotations

import json
import re
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from alerts_local.lambdas import LocalFunctions
from alerts_local.server import api_event
from alerts_local.stack import DeployedStack

PHONE = "+77011234567"


class Api:
    """Calls the subscriptions handler as API Gateway would, through the template's routes."""

    def __init__(self, stack: DeployedStack) -> None:
        self.stack = stack
        self.functions = LocalFunctions(stack)

    def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        token: str = "",
        ip: str = "203.0.113.10",
        content_type: str = "application/json",
        raw: str | None = None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        for route in self.stack.routes:
            parameters = route.match(method, path)
            if parameters is not None and route.api == "CitizenApi":
                break
        else:
            raise AssertionError(f"no route {method} {path}")
        headers = {"content-type": content_type}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = raw if raw is not None else (json.dumps(payload) if payload is not None else "")
        event = api_event(
            route,
            method,
            path,
            parameters,
            "",
            headers,
            body.encode(),
            ip,
            stage_variables=self.stack.stage_variables.get(route.api),
        )
        response = self.functions.invoke(route.function, event)
        reply = json.loads(response["body"]) if response.get("body") else {}
        flat = {
            k: ", ".join(map(str, v)) for k, v in (response.get("multiValueHeaders") or {}).items()
        }
        flat.update(response.get("headers") or {})
        return int(response["statusCode"]), reply, flat

    def sms(self, phone: str) -> list[str]:
        backend = sns_backends[DEFAULT_ACCOUNT_ID][self.stack.region]
        return [text for number, text in backend.sms_messages.values() if number == phone]

    def code(self, phone: str) -> str:
        found = re.search(r"\b(\d{6})\b", self.sms(phone)[-1])
        assert found is not None
        return found.group(1)

    def subscribe_phone(self, phone: str = PHONE, **changes: Any) -> tuple[str, str]:
        payload = {"channel": "sms", "address": phone, "countries": ["KZ"], "language": "ru"}
        payload.update(changes)
        status, reply, _ = self.call("POST", "/subscriptions", payload)
        assert status == 202, reply
        subscription_id = reply["subscription_id"]
        status, reply, _ = self.call(
            "POST", f"/subscriptions/{subscription_id}/verify", {"code": self.code(phone)}
        )
        assert status == 200, reply
        return subscription_id, reply["manage_token"]

    def endpoints(self, segment: str) -> list[str]:
        sns = self.stack.client("sns")
        arn = f"arn:aws:sns:{self.stack.region}:123456789012:{self.stack.name}-seg-{segment}"
        try:
            subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        except sns.exceptions.NotFoundException:
            return []
        return [s["Endpoint"] for s in subscriptions]

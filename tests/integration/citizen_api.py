"""Calls the citizen API's handler as API Gateway would, through the template's routes."""

from __future__ import annotations

import json
import re
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
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

    def emails(self, address: str) -> list[str]:
        """The plain-text parts of what SES sent to `address` (moto keeps the raw MIME)."""
        texts = []
        for message in ses_backends[DEFAULT_ACCOUNT_ID][self.stack.region].sent_messages:
            raw = getattr(message, "raw_data", None)
            if raw is None or address not in message.destinations:
                continue
            parsed = message_from_string(raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            body = parsed.get_body(preferencelist=("plain",))
            texts.append(body.get_content() if body is not None else "")
        return texts

    def subscribe_email(self, address: str, **changes: Any) -> tuple[str, str]:
        """Sign up, then press the confirmation page's button, as the mailbox's owner would:
        the subscription id and the token of the manage link the page shows."""
        payload = {"channel": "email", "address": address, "countries": ["KZ"], "language": "ru"}
        payload.update(changes)
        status, reply, _ = self.call("POST", "/subscriptions", payload)
        assert status == 202, reply
        (text,) = [t for t in self.emails(address) if reply["subscription_id"] in t]
        found = re.search(r"https://\S+(/email/confirm/[0-9a-f-]+)\?(t=\S+)", text)
        assert found is not None, text
        path, query = found.group(1), found.group(2)
        for route in self.stack.routes:
            parameters = route.match("POST", path)
            if parameters is not None:
                break
        else:
            raise AssertionError(f"no route POST {path}")
        event = api_event(
            route, "POST", path, parameters, query, {}, b"", "203.0.113.10",
            stage_variables=self.stack.stage_variables.get(route.api),
        )  # fmt: skip
        response = self.functions.invoke(route.function, event)
        assert response["statusCode"] == 200, response
        manage = re.search(r'href="[^"#]+/s/[0-9a-f-]+#([^"]+)"', response["body"])
        assert manage is not None, response["body"]
        return reply["subscription_id"], manage.group(1)

    def endpoints(self, segment: str) -> list[str]:
        sns = self.stack.client("sns")
        arn = f"arn:aws:sns:{self.stack.region}:123456789012:{self.stack.name}-seg-{segment}"
        try:
            subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        except sns.exceptions.NotFoundException:
            return []
        return [s["Endpoint"] for s in subscriptions]

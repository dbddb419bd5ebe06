"""The email path on moto, as the tests drive it: sign-ups through the citizen API, the
confirmation and unsubscribe pages as a browser or a mail client reaches them, the email queue
and SES's events as the local runtime plays them, and the sent mail read back."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from alerts_local.email_outbox import EmailPump, SentEmail
from alerts_local.lambdas import LocalFunctions
from alerts_local.outbox import Delivery, Outbox
from alerts_local.server import api_event
from alerts_local.stack import DeployedStack
from tests.conftest import EVENTS
from tests.integration.citizen_api import Api
from tests.integration.publisher_api import Publisher


class EmailFlow:
    def __init__(self, stack: DeployedStack) -> None:
        self.stack = stack
        self.api = Api(stack)
        self.functions = self.api.functions
        self.publisher = Publisher(stack, self.functions)
        self.emails = EmailPump(stack, self.functions)

    def settle(self) -> None:
        while True:
            while self.publisher.pump.drain():
                pass
            self.publisher.outbox.collect()
            if not self.emails.drain():
                return

    def sign_up(
        self, address: str, countries: list[str], language: str = "ru", ip: str = "203.0.113.10"
    ) -> tuple[int, dict[str, Any]]:
        status, reply, _ = self.api.call(
            "POST",
            "/subscriptions",
            {"channel": "email", "address": address, "countries": countries, "language": language},
            ip=ip,
        )
        self.settle()
        return status, reply

    def sent_to(self, address: str) -> list[SentEmail]:
        return [email for email in self.emails.sent if email.to == address]

    def page(self, method: str, url: str, body: str = "") -> tuple[int, str, dict[str, str]]:
        """A page an email links to, as the site forwards /email/* to the citizen API."""
        parts = urlsplit(url)
        for route in self.stack.routes:
            parameters = route.match(method, parts.path)
            if parameters is not None and route.api == "CitizenApi":
                break
        else:
            raise AssertionError(f"no route {method} {parts.path}")
        content_type = "application/x-www-form-urlencoded"
        event = api_event(
            route, method, parts.path, parameters, parts.query,
            {"content-type": content_type}, body.encode(), "198.51.100.7",
            stage_variables=self.stack.stage_variables.get(route.api),
        )  # fmt: skip
        response = self.functions.invoke(route.function, event)
        self.settle()
        return int(response["statusCode"]), str(response.get("body") or ""), response["headers"]

    def confirm_link(self, address: str) -> str:
        (confirmation,) = [e for e in self.sent_to(address) if "/email/confirm/" in e.text]
        return next(word for word in confirmation.text.split() if "/email/confirm/" in word)

    def confirm(self, address: str) -> str:
        """Press the confirmation page's button; the manage link it shows."""
        status, html, _ = self.page("POST", self.confirm_link(address))
        assert status == 200, html
        return html

    def post_seed(self, level: int | None = None, countries: str = "") -> str:
        event = json.loads((EVENTS / "post-advisory-seed.json").read_text("utf-8"))
        query = {"level": str(level)} if level is not None else {}
        if countries:
            query["countries"] = countries
        event["queryStringParameters"] = query or None
        response = self.functions.invoke("IngestFunction", event)
        assert response["statusCode"] in {200, 201}, response
        self.settle()
        return str(json.loads(response["body"])["advisory_id"])


def unsubscribe_url(email: SentEmail) -> str:
    header = email.headers["List-Unsubscribe"]
    return header.split(",")[0].strip().strip("<>")


def table_items(stack: DeployedStack, table: str) -> list[dict[str, Any]]:
    client = stack.client("dynamodb")
    return list(client.scan(TableName=stack.resources[table]).get("Items", []))


class AllDeliveries:
    """What citizens received since the last call, by SMS (SNS, the outbox) and by email
    (the email queue delivered, then SES's outbox), as `Delivery` records."""

    def __init__(self, stack: DeployedStack, functions: LocalFunctions) -> None:
        self.outbox = Outbox(stack.region, f"{stack.name}-seg-")
        self.emails = EmailPump(stack, functions)
        self._seen = 0

    def collect(self) -> list[Delivery]:
        new = self.outbox.collect()
        while self.emails.drain():
            pass
        sent = self.emails.sent[self._seen :]
        self._seen = len(self.emails.sent)
        return new + [
            Delivery("email", email.to, "", email.message_id, email.text, email.subject)
            for email in sent
            if "X-Alerts-Advisory" in email.headers
        ]

"""Email work per advisory: what one advisory costs the email path at 10, 100 and 1,000
confirmed email subscribers of one segment.

SES takes up to 50 destinations per SendEmail, but each message carries its reader's own
List-Unsubscribe URL (RFC 8058 one-click), a header SES cannot vary per destination: so one
SendEmail per address and version, and the work grows with the email subscribers. Counted on
a fresh local stack: SES messages, email-delivery invocations and the AWS calls they made,
and the seconds the function spent per email on moto (moto's SES, not SES's latency). The
time to reach N addresses at SES's account rate is N / rate (14/s in a new production
account, raised on request).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.client import BaseClient
from consular_alerts.adapters.dynamodb.email_members import DynamoEmailMembers
from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
from consular_alerts.models.citizen import Channel, Subscriber, SubscriberStatus
from moto.server import ThreadedMotoServer

from alerts_local.email_outbox import EmailPump
from alerts_local.lambdas import LocalFunctions, use_local_credentials
from alerts_local.scale import fresh_stack
from alerts_local.stack import REPO_ROOT, DeployedStack
from alerts_local.streams import StreamPump
from bench.common import Figure, Report

SES_RATE = 14  # SendEmail per second, a new production account's default


def _subscribers(stack: DeployedStack, count: int) -> None:
    """`count` confirmed email subscribers of KZ-ru-L1, written as confirming leaves them."""
    env = stack.functions["SubscriptionsFunction"].environment
    client = stack.client("dynamodb")
    repository = DynamoSubscriberRepository(client, env["SUBSCRIBERS_TABLE"])
    members = DynamoEmailMembers(client, env["SUBSCRIBERS_TABLE"])
    now = datetime.now(UTC)
    for n in range(count):
        subscriber = Subscriber(
            subscriber_id=str(uuid.uuid4()),
            channel=Channel.EMAIL,
            address=f"reader{n}@example.org",
            address_hash="bench",
            address_salt="bench",
            countries=["KZ"],
            language="ru",
            min_level=1,
            status=SubscriberStatus.ACTIVE,
            created_at=now - timedelta(days=1),
        )
        repository.create(subscriber)
        members.join(subscriber.subscriber_id, ["KZ-ru-L1"])
    stack.client("sns").subscribe(
        TopicArn=stack.client("sns").create_topic(Name=f"{stack.name}-seg-KZ-ru-L1")["TopicArn"],
        Protocol="sqs",
        Endpoint=env["EMAIL_QUEUE_ARN"],
    )


def _measure(stack: DeployedStack, functions: LocalFunctions, count: int) -> dict[str, Any]:
    _subscribers(stack, count)
    stream, pump = StreamPump(stack, functions), EmailPump(stack, functions, events=False)
    seed = json.loads((REPO_ROOT / "events" / "post-advisory-seed.json").read_text("utf-8"))
    calls: list[str] = []
    original = getattr(BaseClient, "_make_api_call")  # noqa: B009  (patched below)
    running = {"email": False}
    invoke = LocalFunctions.invoke

    def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if running["email"]:
            calls.append(f"{client.meta.service_model.service_name}:{operation}")
        return original(client, operation, params)

    def invoking(self: LocalFunctions, logical_id: str, event: dict[str, Any]) -> Any:
        running["email"] = logical_id == "EmailDeliveryFunction"
        try:
            return invoke(self, logical_id, event)
        finally:
            running["email"] = False

    setattr(BaseClient, "_make_api_call", recording)  # noqa: B010
    setattr(LocalFunctions, "invoke", invoking)  # noqa: B010
    try:
        started = time.perf_counter()
        assert functions.invoke("IngestFunction", seed)["statusCode"] == 201
        while stream.drain() or pump.drain():
            pass
        seconds = time.perf_counter() - started
    finally:
        setattr(BaseClient, "_make_api_call", original)  # noqa: B010
        setattr(LocalFunctions, "invoke", invoke)  # noqa: B010
    sent = [e for e in pump.sent if "X-Alerts-Advisory" in e.headers]
    return {
        "subscribers": count,
        "emails": len(sent),
        "ses_calls": calls.count("sesv2:SendEmail"),
        "calls": len(calls),
        "seconds": seconds,
    }


def run(report: Report, sizes: tuple[int, ...]) -> None:
    print(f"Email work of the seed advisory at {', '.join(map(str, sizes))} email subscribers")
    use_local_credentials("us-east-1")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        results = []
        for size in sizes:
            stack, functions = fresh_stack(f"http://{host}:{port}", "mail")
            results.append(_measure(stack, functions, size))
    finally:
        server.stop()
    print(f"    {'subscribers':>11} {'emails':>7} {'SendEmail':>9} {'AWS calls':>9} {'s/email':>8}")
    for r in results:
        print(
            f"    {r['subscribers']:>11,} {r['emails']:>7,} {r['ses_calls']:>9,} "
            f"{r['calls']:>9,} {r['seconds'] / max(1, r['emails']):>8.4f}"
        )
    sizes_text = " / ".join(f"{r['subscribers']:,}" for r in results)
    report.add(
        Figure(
            "email",
            f"SES messages per advisory at {sizes_text} email subscribers",
            " / ".join(str(r["emails"]) for r in results),
            "one per address, none twice",
            all(r["emails"] == r["subscribers"] == r["ses_calls"] for r in results),
            "per-recipient List-Unsubscribe: one SendEmail per address",
        )
    )
    largest = results[-1]
    per_email = largest["calls"] / max(1, largest["emails"])
    report.add(
        Figure(
            "email",
            f"email-delivery AWS calls per email ({largest['subscribers']:,} subscribers)",
            f"{per_email:.2f}",
            "≤ 3.5: claim, send, record (+ batch reads)",
            per_email <= 3.5,
            "claim (PutItem), SendEmail, record (UpdateItem); records 100 per BatchGetItem",
        )
    )
    minutes = largest["subscribers"] / SES_RATE / 60
    report.add(
        Figure(
            "email",
            f"time to reach {largest['subscribers']:,} addresses at {SES_RATE} emails/s (SES)",
            f"{minutes:.1f} min",
            "N / SES rate",
            None,
            "SES's sending rate, not the function, is the limit; ask AWS to raise it",
        )
    )

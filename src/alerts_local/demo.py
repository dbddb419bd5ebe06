"""`alerts demo`: the main job end to end on the embedded local AWS.

Subscribes demo citizens through the citizen API (reading SMS codes from the local outbox),
posts the sample publications in events/ through the publisher API, has a second officer
approve the one that waits for approval (level 3), shows what each citizen received, then
reposts the seed to show that nothing is stored or sent twice, and reads the Atom index of
the ministry's CAP alerts as an aggregator would.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from consular_alerts.domain.citizens.privacy import mask_address
from consular_alerts.domain.formats.documents import normalize_document

from alerts_local.local_http import http
from alerts_local.outbox import Delivery
from alerts_local.server import LocalRuntime, start

SEED_EVENT = "post-advisory-seed.json"


@dataclass(frozen=True)
class DemoCitizen:
    name: str
    channel: str
    address: str
    language: str
    countries: tuple[str, ...]
    min_level: int


CITIZENS = (
    DemoCitizen("Aigerim", "sms", "+77710009998", "ru", ("KZ",), 1),
    DemoCitizen("Bakyt", "email", "bakyt@example.kg", "ky", ("KZ", "RU"), 2),
    DemoCitizen("Nurlan", "sms", "+996700123456", "ky", ("KZ",), 1),
    DemoCitizen("Dana", "email", "dana@example.org", "en", ("KZ", "TR"), 1),
    DemoCitizen("Timur", "sms", "+79123456789", "ru", ("RU",), 1),
    DemoCitizen("Aizada", "sms", "+905012345678", "en", ("TR",), 3),
    DemoCitizen("Erlan", "sms", "+77011234567", "ru", ("KZ",), 4),
)


def post_json(runtime: LocalRuntime, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
    return http(
        runtime,
        "POST",
        path,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )


def subscribe(runtime: LocalRuntime, citizen: DemoCitizen) -> str:
    status, reply = post_json(
        runtime,
        "/subscriptions",
        {
            "channel": citizen.channel,
            "address": citizen.address,
            "countries": list(citizen.countries),
            "language": citizen.language,
            "min_level": citizen.min_level,
        },
    )
    if status != 202:
        raise RuntimeError(f"subscribe {citizen.name}: {status} {reply}")
    if citizen.channel != "sms":
        from alerts_local.demo_email import confirm

        return confirm(runtime, citizen.address, reply["status"])
    code_sms = [m for m in runtime.outbox.direct_sms() if m.phone_number == citizen.address][-1]
    code = next(word.strip(".") for word in code_sms.text.split() if word.strip(".").isdigit())
    status, reply = post_json(
        runtime, f"/subscriptions/{reply['subscription_id']}/verify", {"code": code}
    )
    if status != 200:
        raise RuntimeError(f"verify {citizen.name}: {status} {reply}")
    return f"code {code} read from the SMS outbox -> {reply['status']}"


def post_event(runtime: LocalRuntime, event_file: Path) -> tuple[int, dict[str, Any]]:
    """Send an API Gateway event from events/ as the HTTP request it stands for."""
    event = json.loads(event_file.read_text(encoding="utf-8"))
    query = urlencode(event.get("queryStringParameters") or {})
    body = (event.get("body") or "").encode()
    # Signed with the local publisher credentials, as awscurl would sign for the real API.
    url, headers = runtime.publisher.sign(
        event["httpMethod"],
        runtime.url + event["path"] + (f"?{query}" if query else ""),
        {k: v for k, v in (event.get("headers") or {}).items() if k.lower() == "content-type"},
        body,
    )
    return http(
        runtime, event["httpMethod"], url.removeprefix(runtime.url), body=body, headers=headers
    )


def signed(
    runtime: LocalRuntime, method: str, path: str, payload: Any = None, *, approver: bool = False
) -> tuple[int, Any]:
    """A publisher API request signed by the officer, or by the second officer."""
    principal = runtime.approver if approver else runtime.publisher
    body = json.dumps(payload).encode() if payload is not None else b""
    headers = {"Content-Type": "application/json"} if payload is not None else {}
    url, signed_headers = principal.sign(method, runtime.url + path, headers, body)
    return http(runtime, method, url.removeprefix(runtime.url), body=body, headers=signed_headers)


def show_approval(runtime: LocalRuntime) -> None:
    """What waits for a second officer: nothing of it sent; the officer who posted it may
    not approve it; the second officer does, and only then it goes out."""
    runtime.settle()
    status, queue = signed(runtime, "GET", "/approvals", approver=True)
    waiting = queue.get("pending", []) if status == 200 else []
    if not waiting:
        print(f"  nothing waits ({status})")
        return
    for item in waiting:
        audience = sum(a["subscribers"] for a in item.get("audience", []))
        cost = item.get("cost", {})
        print(
            f"  {item['advisory_id']} v{item['version']} level {item['advisory']['level']}: "
            f"waits because of {item['approval_rule']}\n      audience {audience} "
            f"subscriber(s), SMS cost {cost.get('total', '?')} {cost.get('currency', '')}, "
            f"until {item['expires_at']}"
        )
    first = waiting[0]
    path = f"/advisories/{first['advisory_id']}/versions/{first['version']}"
    # Its segments' topics: what reached them is what was sent for it (the demo's other
    # posts are for other countries).
    topics = {f"{runtime.stack.name}-seg-{a['segment']}" for a in first.get("audience", [])}

    def sent() -> int:
        return sum(1 for d in runtime.outbox.deliveries if d.topic in topics)

    print(f"  messages sent for it so far: {sent()}")
    status, refused = signed(runtime, "POST", f"{path}/approve", {"reason": "mine"})
    print(f"  the officer who posted it approves it: {status} {refused.get('error', '')}")
    status, reply = signed(
        runtime, "POST", f"{path}/approve", {"reason": "checked with the embassy"}, approver=True
    )
    runtime.settle()
    print(f"  the second officer (local-approver) approves it: {status} {reply.get('status')}")
    print(f"  messages sent for it now: {sent()}")


def describe_advisory(status: int, reply: dict[str, Any]) -> str:
    if "advisory" not in reply:
        return f"{status} {reply.get('error', reply)}"
    advisory = reply["advisory"]
    hotlines = ", ".join(h["number"] for h in advisory.get("hotlines", [])) or "none"
    return (
        f"{status} {reply['status']}: {advisory['advisory_id']} v{advisory['version']}, "
        f"countries {','.join(advisory['countries'])}, level {advisory['level']}, "
        f"languages {','.join(advisory['content'])}\n      hotlines {hotlines}"
    )


def print_deliveries(runtime: LocalRuntime, deliveries: list[Delivery]) -> None:
    from alerts_local.demo_email import emails_to, print_emails

    by_address = {c.address: c for c in CITIZENS}
    for citizen in CITIZENS:
        mine = [d for d in deliveries if d.address == citizen.address]
        emailed = [
            e for e in emails_to(runtime, citizen.address) if "X-Alerts-Advisory" in e.headers
        ]
        print(
            f"  {citizen.name} ({citizen.channel} {mask_address(citizen.address)}, "
            f"{citizen.language}, {'+'.join(citizen.countries)}, level>={citizen.min_level}): "
            f"{len(mine) + len(emailed)} message(s)"
        )
        print_emails(runtime, citizen.address)
        for delivery in mine:
            if delivery.channel == "sms":
                print(
                    f"    SMS [{delivery.encoding}, {delivery.segments} segment(s)] "
                    f"via {delivery.topic}"
                )
                print(f"      {delivery.text}")
            else:
                print(f"    EMAIL via {delivery.topic}\n      Subject: {delivery.subject}")
                for line in delivery.text.splitlines()[:6]:
                    print(f"      | {line[:150]}{'…' if len(line) > 150 else ''}")
                print("      | ...")
    strangers = [d for d in deliveries if d.address not in by_address]
    if strangers:
        print(f"  (and {len(strangers)} message(s) to addresses outside the demo)")


def print_cap_feed(runtime: LocalRuntime) -> None:
    """What an aggregator subscribed to /feeds/alerts.atom finds there."""
    url = f"{runtime.url}/feeds/alerts.atom"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  (our own runtime)
        feed = response.read()
    links = normalize_document(feed, received_at=datetime.now(UTC), format="atom").cap_links
    print(f"  {url}: {len(links)} CAP 1.2 alert(s) in force")
    for link in links:
        print(f"    {urlsplit(link).path}")


def run_demo(events_dir: Path) -> int:
    # The functions' metric lines (CloudWatch EMF) would bury the story the demo tells.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    # Every other SMS gets a failure receipt, so the delivery report shows both (step 6).
    runtime = start(sms_failure_share=0.5)
    try:
        print(
            f"Local stack '{runtime.stack.name}' created in moto from template.yaml "
            f"({len(runtime.stack.resources)} resources); APIs at {runtime.url}\n"
        )
        print("1. Citizens subscribe through the citizen API")
        for citizen in CITIZENS:
            print(
                f"  {citizen.name:8} {citizen.channel:5} {mask_address(citizen.address):16} "
                f"{citizen.language} {'+'.join(citizen.countries):6} level>={citizen.min_level}"
                f"  {subscribe(runtime, citizen)}"
            )

        print("\n2. The publisher posts the samples in events/ (POST /advisories)")
        posts = sorted(events_dir.glob("post-advisory-*.json"), key=lambda p: p.name != SEED_EVENT)
        seed: dict[str, Any] = {}
        for event_file in posts:
            status, reply = post_event(runtime, event_file)
            print(f"  {event_file.name}\n      {describe_advisory(status, reply)}")
            seed = seed or reply
        runtime.settle()

        print(
            "\n   Two-person approval: level 3 and above wait for a second officer (GET /approvals)"
        )
        show_approval(runtime)

        print("\n3. What each citizen received")
        print_deliveries(runtime, runtime.outbox.deliveries)

        print("\n4. The duty officer posts the seed again")
        before = len(runtime.outbox.deliveries)
        emails_before = len(runtime.emails.sent) if runtime.emails else 0
        status, reply = post_event(runtime, events_dir / SEED_EVENT)
        runtime.settle()
        print(f"  {describe_advisory(status, reply)}")
        print(f"  new deliveries: {len(runtime.outbox.deliveries) - before}")
        print(
            f"  new emails: {(len(runtime.emails.sent) if runtime.emails else 0) - emails_before}"
        )

        print("\n5. The ministry's alerts in CAP, as an aggregator reads them")
        print_cap_feed(runtime)
        from alerts_local.demo_delivery import print_disrupted, print_report

        print("\n6. Was it delivered? The seed's delivery report (receipts written as SNS would)")
        if "advisory_id" in seed:
            print_report(runtime, seed["advisory_id"], seed["version"])
        print("\n7. Kazakhstan's internet is cut: the seed as its citizens would get it now")
        print_disrupted(runtime, events_dir, SEED_EVENT)
        from alerts_local.demo_training import show_training_mode

        print("\n8. Training mode: an exercise reaches staff-flagged subscriptions only")
        show_training_mode(runtime, CITIZENS[0].address, signed)
        print(f"\nStream records dead-lettered: {runtime.pump.dead_lettered}")
    finally:
        runtime.stop()
    return 0

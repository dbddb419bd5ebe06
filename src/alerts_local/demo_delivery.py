"""`alerts demo`, issue 17's part: the seed's delivery report from the receipts the local
runtime wrote as SNS would, and the seed as a Kazakhstan with its internet cut would get it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alerts_local.local_http import http
from alerts_local.server import LocalRuntime


def signed(
    runtime: LocalRuntime,
    method: str,
    path: str,
    payload: Any = None,
    *,
    raw: bytes = b"",
    content_type: str = "application/json",
) -> tuple[int, dict[str, Any]]:
    """A publisher API request signed with the local credentials, as awscurl would sign it."""
    body = json.dumps(payload).encode() if payload is not None else raw
    headers = {"Content-Type": content_type} if body else {}
    url, signed_headers = runtime.publisher.sign(method, runtime.url + path, headers, body)
    return http(
        runtime, method, url.removeprefix(runtime.url), body=body or None, headers=signed_headers
    )


def print_report(runtime: LocalRuntime, advisory_id: str, version: int) -> None:
    runtime.settle()  # the receipts the outbox wrote reach the receipts function
    path = f"/advisories/{quote(advisory_id, safe='')}/versions/{version}/delivery"
    status, report = signed(runtime, "GET", path)
    if status != 200:
        print(f"  {status} {report}")
        return
    share = report["delivered_share"]
    print(
        f"  GET {path}\n"
        f"  {report['sms']['delivered']} SMS delivered, {report['sms']['failed']} failed"
        f" ({'n/a' if share is None else f'{share:.0%}'} of those with a receipt), "
        f"{report['pending']} pending at most, {report['sms']['cost_usd']:.4f} USD; "
        f"last receipt {report['seconds_to_last_receipt']:.1f} s after publishing"
    )
    print(f"  {'segment':9} {'subscribers':>11} {'delivered':>9} {'failed':>6}  why")
    for segment in report["segments"]:
        sms = segment["sms"]
        why = ", ".join(f"{k} {v}" for k, v in sms["failed_by_reason"].items()) or "-"
        print(
            f"  {segment['segment']:9} {segment['audience']:>11} {sms['delivered']:>9}"
            f" {sms['failed']:>6}  {why}"
        )
    emails = report["emails"]
    print(
        f"  email (SES): {emails['sent']} sent, {emails['delivered']} delivered, "
        f"{emails['bounced']} bounced, {emails['complained']} complained"
    )


def print_disrupted(runtime: LocalRuntime, events_dir: Path, seed_event: str) -> None:
    """Mark Kazakhstan disrupted, preview the seed (a dry run), and mark it normal again."""
    status, state = signed(runtime, "PUT", "/countries/KZ", {"internet": "disrupted"})
    print(f'  PUT /countries/KZ {{"internet": "disrupted"}} -> {status} {state.get("internet")}')
    event = json.loads((events_dir / seed_event).read_text("utf-8"))
    status, reply = signed(
        runtime,
        "POST",
        "/advisories?dry_run=true",
        raw=event["body"].encode("utf-8"),
        content_type=event["headers"]["Content-Type"],
    )
    kazakhstan = reply.get("countries", {}).get("KZ")
    if status != 200 or kazakhstan is None:
        print(f"  dry run: {status} {reply.get('error', reply)}")
    else:
        for language, message in kazakhstan["preview"].items():
            sms = message["sms"]
            print(f"    SMS {language} [{sms['encoding']}, {sms['segments']} segment(s)]")
            print(f"      {sms['text']}")
        first_line = kazakhstan["preview"]["ru"]["email"]["body"].splitlines()[0]
        print(f"    EMAIL ru, first line: {first_line}")
        if "reach" in reply:
            print(f"  time to reach: {reply['reach']['text']}")
    status, state = signed(runtime, "PUT", "/countries/KZ", {"internet": "normal"})
    print(f'  PUT /countries/KZ {{"internet": "normal"}} -> {status} {state.get("internet")}')

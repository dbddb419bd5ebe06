"""Memory: peak resident memory of each handler after one invocation on a large input, in a
fresh process (bench/invoke.py), against the function's MemorySize in template.yaml.

One local runtime (moto, the stack, the feed server) serves the children, which run outside
it: their memory is the handler's alone. Inputs: the poller polls the ~800 KB US State feed
(served from ../shared/fixtures), the fan-out gets a batch of the largest advisories that
poll stored, the publisher API the largest CAP alert of the corpus, the citizen API a
subscription. Peak: the highest of the rounds. Target: under half the configured memory
(2x headroom).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from consular_alerts.adapters.dynamodb.advisories import HEAD_VERSION

from alerts_local import server
from alerts_local.stack import load_sam
from bench.common import CAP_DIR, REPO_ROOT, US_STATE_FEED, Figure, Report

HEADROOM = 2.0
FUNCTIONS = {
    "poller": "FeedPollerFunction",
    "fanout": "FanoutFunction",
    "ingest": "IngestFunction",
    "subscriptions": "SubscriptionsFunction",
}


def configured_memory() -> dict[str, int]:
    """MemorySize of each function (its own, else the template's Globals)."""
    sam = load_sam()
    default = int(sam.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    return {
        name: int(sam["Resources"][logical]["Properties"].get("MemorySize", default))
        for name, logical in FUNCTIONS.items()
    }


def _event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((REPO_ROOT / "events" / name).read_text("utf-8"))
    return event


def _ingest_event() -> tuple[dict[str, Any], str]:
    event = _event("post-advisory-json.json")
    caps = sorted(CAP_DIR.glob("*"), key=lambda p: p.stat().st_size) if CAP_DIR.is_dir() else []
    if not caps:
        return event, "events/post-advisory-json.json (no CAP corpus)"
    event["headers"] = {"Content-Type": "application/cap+xml"}
    event["multiValueHeaders"] = {"Content-Type": ["application/cap+xml"]}
    event["body"] = base64.b64encode(caps[-1].read_bytes()).decode("ascii")
    event["isBase64Encoded"] = True
    return event, f"{caps[-1].name} ({caps[-1].stat().st_size // 1024} KB CAP)"


def _fanout_event(runtime: server.LocalRuntime, batch: int) -> tuple[dict[str, Any], str]:
    """A stream batch of the largest advisory versions stored (as Lambda delivers them)."""
    dynamodb = runtime.stack.client("dynamodb")
    table = runtime.stack.resources["AdvisoriesTable"]
    items = [
        item
        for page in dynamodb.get_paginator("scan").paginate(TableName=table)
        for item in page["Items"]
        if int(item["version"]["N"]) != HEAD_VERSION
    ]
    items.sort(key=lambda item: len(json.dumps(item)), reverse=True)
    records = [
        {
            "eventID": str(uuid.uuid4()),
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "awsRegion": runtime.stack.region,
            "dynamodb": {
                "Keys": {"advisory_id": item["advisory_id"], "version": item["version"]},
                "NewImage": item,
                "SequenceNumber": str(100 + n),
                "StreamViewType": "NEW_IMAGE",
            },
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/bench/stream/x",
        }
        for n, item in enumerate(items[:batch])
    ]
    return {"Records": records}, f"{len(records)} largest advisories stored by the poll"


def _child(function: str, event: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump(event, file)
        file.flush()
        result = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("invoke.py")), file.name],
            env={
                **env,
                "PYTHONPATH": os.pathsep.join(
                    [str(REPO_ROOT / "functions" / function), str(REPO_ROOT / "layers/shared")]
                ),
                "POWERTOOLS_SERVICE_NAME": function,
            },
            check=True,
            capture_output=True,
            text=True,
        )
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def run(report: Report, rounds: int) -> dict[str, int]:
    """Peak RSS in MB of each handler: the highest of `rounds` fresh processes (the first
    stores what later rounds find unchanged; every round parses and normalizes it all)."""
    print(f"Memory: peak RSS after one invocation on a large input, {rounds} fresh processes")
    memory = configured_memory()
    runtime = server.start(stack_name=f"mem{uuid.uuid4().hex[:6]}", log_level="ERROR")
    peaks: dict[str, int] = {}
    try:
        inputs: dict[str, tuple[dict[str, Any], str]] = {}
        with tempfile.TemporaryDirectory() as feeds:
            if US_STATE_FEED.exists():
                (Path(feeds) / US_STATE_FEED.name).symlink_to(US_STATE_FEED)
                runtime.register_feeds(Path(feeds))
                inputs["poller"] = (_event("scheduled-poll.json"), "US State feed (784 KB)")
            else:
                report.skip("memory", "memory poller", "", f"no {US_STATE_FEED}")
            env = dict(os.environ, POWERTOOLS_LOG_LEVEL="ERROR")
            results: dict[str, list[dict[str, Any]]] = {}
            for name in FUNCTIONS:
                if name == "fanout":
                    inputs["fanout"] = _fanout_event(runtime, 10)
                elif name == "ingest":
                    inputs["ingest"] = _ingest_event()
                elif name == "subscriptions":
                    inputs["subscriptions"] = (_event("subscribe-sms.json"), "a subscription")
                if name not in inputs:
                    continue
                results[name] = []
                for _ in range(rounds):
                    if name == "poller":  # forget the feed's validators: a full fetch again
                        runtime.register_feeds(Path(feeds))
                    results[name].append(_child(name, inputs[name][0], env))
    finally:
        runtime.stop()
    for name, runs in results.items():
        first_call = runs[0]["invoke_s"] / runs[0]["import_s"]
        peak_mb = round(max(r["max_rss_kb"] for r in runs) / 1024)
        peaks[name] = peak_mb
        share = peak_mb / memory[name]
        report.add(
            Figure(
                "memory",
                f"memory {name}: peak RSS / MemorySize",
                f"{share:.2f} ({peak_mb} of {memory[name]} MB)",
                f"≤ {1 / HEADROOM:.2f}",
                share <= 1 / HEADROOM,
                f"input: {inputs[name][1]}; first answer {runs[0]['answer']}; its invocation took "
                f"{first_call:.0f}x the handler's import; {2 * peak_mb} MB would keep 2x headroom",
            )
        )
    return peaks

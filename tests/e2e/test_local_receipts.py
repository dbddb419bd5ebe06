"""The local runtime plays SNS's SMS receipts (issue 17, part 6): each SMS it delivers gets a
delivery-status record in the log group SNS would write it to, a set share of them failing
with SNS's own provider responses, and the subscription filter hands them to the receipts
function, so the delivery report counts them; over real HTTP, as `make demo` runs it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from alerts_local.server import LocalRuntime, start
from alerts_local.sms_receipts import FAILURES
from tests.conftest import ONE_OFFICER
from tests.e2e.test_local_runtime import post_seed, subscribe

PHONES = ("+77710009998", "+77011234567", "+77011234568", "+77011234569")


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(
        stack_name=f"rcp{uuid.uuid4().hex[:8]}", sms_failure_share=0.25, parameters=ONE_OFFICER
    )
    yield local
    local.stop()


def signed_get(runtime: LocalRuntime, path: str) -> requests.Response:
    url, headers = runtime.publisher.sign("GET", runtime.url + path, {})
    return requests.get(url, headers=headers, timeout=30)


def test_receipts_written_as_sns_would_reach_the_delivery_report(runtime: LocalRuntime) -> None:
    for phone in PHONES:
        subscribe(runtime, channel="sms", address=phone, countries=["KZ"], language="ru")
    reply = post_seed(runtime)
    assert reply.status_code == 201, reply.text
    advisory_id = reply.json()["advisory_id"]
    runtime.settle()

    # The records, in the log groups SNS writes to, one per SMS: every 4th fails.
    logs = runtime.stack.client("logs")
    group = "sns/us-east-1/123456789012/DirectPublishToPhoneNumber"

    def records(name: str) -> list[dict[str, Any]]:
        # This stack's stream: other local stacks of the process share the account's groups.
        events = logs.filter_log_events(logGroupName=name, logStreamNames=[runtime.stack.name])
        return [json.loads(e["message"]) for e in events["events"]]

    delivered, failed = records(group), records(f"{group}/Failure")
    assert (len(delivered), len(failed)) == (3, 1)
    assert failed[0]["status"] == "FAILURE"
    assert failed[0]["delivery"]["providerResponse"] == FAILURES[0]
    assert (
        delivered[0]["delivery"]["providerResponse"] == "Message has been accepted by phone carrier"
    )

    report = signed_get(runtime, f"/advisories/{advisory_id}/versions/1/delivery")
    assert report.status_code == 200, report.text
    data = report.json()
    assert [s["segment"] for s in data["segments"]] == ["KZ-ru-L1"]
    assert data["sms"]["delivered"] == 3
    assert data["sms"]["failed_by_reason"] == {"unreachable": 1}
    assert (data["audience"], data["pending"], data["delivered_share"]) == (4, 0, 0.75)
    assert data["sms"]["cost_usd"] > 0

    # Settling again delivers nothing twice.
    runtime.settle()
    again = signed_get(runtime, f"/advisories/{advisory_id}/versions/1/delivery").json()
    assert again["sms"] == data["sms"]

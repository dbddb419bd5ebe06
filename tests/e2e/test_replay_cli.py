"""`alerts replay --local` against a running local runtime: an advisory the fan-out gave up on
(SNS throttled through every retry) reaches its citizen after the fix, once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import requests
from consular_alerts.adapters import aws_clients

from alerts_cli.cli import main
from alerts_local.server import LocalRuntime, start
from tests.conftest import ONE_OFFICER
from tests.e2e.test_local_runtime import post_seed, subscribe
from tests.injection import inject_client_error


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(stack_name=f"rp{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    yield local
    local.stop()


def report(out: str) -> dict[str, object]:
    """The report `alerts replay` printed (the in-process functions print metric lines too)."""
    start = 0 if out.startswith("{\n") else out.rindex("\n{\n") + 1
    parsed: dict[str, object] = json.loads(out[start:])
    return parsed


def deliveries(runtime: LocalRuntime, phone_tail: str) -> list[dict[str, object]]:
    found = requests.get(f"{runtime.url}/_local/deliveries", timeout=30).json()["deliveries"]
    return [d for d in found if str(d["address"]).endswith(phone_tail)]


def test_replay_sends_what_the_fan_out_gave_up_on_once(
    runtime: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    subscribe(runtime, channel="sms", address="+77017770001", countries=["KZ"], language="ru")
    throttled = inject_client_error(
        aws_clients.sns_topic_publisher(), "Publish", "Throttling", times=10_000
    )
    try:
        assert post_seed(runtime).status_code == 201
    finally:
        throttled.remove()
    assert throttled.fired == 6  # the first attempt and the mapping's 5 retries
    assert deliveries(runtime, "0001") == []

    assert main(["replay", "--local", runtime.url, "--dry-run"]) == 0
    listed = report(capsys.readouterr().out)
    assert (listed["messages"], listed["replayed"]) == (1, 0)
    assert str(listed["versions"]).endswith("#v1']")

    assert main(["replay", "--local", runtime.url]) == 0
    replayed = report(capsys.readouterr().out)
    assert (replayed["messages"], replayed["replayed"], replayed["kept"]) == (1, 1, [])
    assert len(deliveries(runtime, "0001")) == 1

    # The queue is empty now: a second replay sends nothing.
    assert main(["replay", "--local", runtime.url]) == 0
    assert report(capsys.readouterr().out)["messages"] == 0
    assert len(deliveries(runtime, "0001")) == 1


def test_replay_without_a_target_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--local URL, or --queue-url and --function" in err[0]

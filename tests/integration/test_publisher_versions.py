"""No rollback by accident (issue 14, item 2) through the real handlers on moto, every
resource from template.yaml, the stream played by StreamPump, SNS delivery by the outbox and
email by the email queue: what each post stored, and what each citizen received."""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts_local.lambdas import LocalFunctions
from alerts_local.outbox import Delivery
from alerts_local.server import api_event
from alerts_local.stack import DeployedStack
from alerts_local.streams import StreamPump
from tests.faults.conftest import atomic_dynamodb  # noqa: F401  (a fixture)
from tests.integration.citizen_api import Api
from tests.integration.email_flow import AllDeliveries

PHONE, EMAIL = "+77011230001", "versions@example.kg"
INSTRUCTIONS = (
    "Избегайте мест скопления людей.",
    "Оставайтесь дома до утра.",
    "Покиньте Алматы при первой возможности.",
    "Следите за сообщениями посольства.",
)


def advisory(advisory_id: str, level: int, instruction: str = INSTRUCTIONS[0]) -> bytes:
    return json.dumps(
        {
            "advisory_id": advisory_id,
            "countries": ["KZ"],
            "level": level,
            "content": {"ru": {"headline": "Беспорядки в Казахстане", "instruction": instruction}},
        },
        ensure_ascii=False,
    ).encode()


def post(
    functions: LocalFunctions,
    stack: DeployedStack,
    body: bytes,
    query: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    route = next(r for r in stack.routes if r.function == "IngestFunction" and r.method == "POST")
    event = api_event(
        route,
        "POST",
        "/advisories",
        {},
        query,
        {"content-type": "application/json", **(headers or {})},
        body,
        "198.51.100.7",
    )
    response = functions.invoke("IngestFunction", event)
    answered = {k: ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
    answered.update(response.get("headers") or {})
    return int(response["statusCode"]), json.loads(response["body"]), answered


def versions(stack: DeployedStack, advisory_id: str) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").query(
        TableName=stack.resources["AdvisoriesTable"],
        KeyConditionExpression="advisory_id = :a AND version > :head",
        ExpressionAttributeValues={":a": {"S": advisory_id}, ":head": {"N": "0"}},
        ConsistentRead=True,
    )["Items"]
    return [
        {
            "version": int(i["version"]["N"]),
            "level": int(i["level"]["N"]),
            "hash": i["content_hash"]["S"],
        }
        for i in items
    ]


def by_address(deliveries: list[Delivery]) -> dict[str, list[str]]:
    received: dict[str, list[str]] = defaultdict(list)
    for delivery in deliveries:
        received[delivery.address].append(delivery.text)
    return received


@pytest.fixture
def citizens(stack: DeployedStack) -> Api:
    api = Api(stack)
    api.subscribe_phone(PHONE, countries=["KZ"], language="ru", min_level=1)
    api.subscribe_email(EMAIL, countries=["KZ"], language="en")  # confirmed
    return api


def test_a_stale_repost_is_a_409_and_reaches_nobody_a_stated_revert_does(
    stack: DeployedStack, citizens: Api
) -> None:
    functions = LocalFunctions(stack)
    pump, outbox = StreamPump(stack, functions), AllDeliveries(stack, functions)
    v1, v2 = advisory("mfa-kg-rollback", 3), advisory("mfa-kg-rollback", 4)
    assert post(functions, stack, v1)[0] == 201
    assert post(functions, stack, v2)[0] == 201
    pump.drain()
    assert {a: len(t) for a, t in by_address(outbox.collect()).items()} == {PHONE: 2, EMAIL: 2}

    status, reply, headers = post(functions, stack, v1)  # v1's body again: stale
    assert (status, reply["current_version"], headers["ETag"]) == (409, 2, '"2"')
    assert "not of the current version 2" in reply["error"]
    pump.drain()
    assert outbox.collect() == []
    assert [v["version"] for v in versions(stack, "mfa-kg-rollback")] == [1, 2]

    status, reply, headers = post(functions, stack, v1, "revert=true")  # meant: stored, sent
    assert (status, reply["version"], headers["ETag"]) == (201, 3, '"3"')
    pump.drain()
    received = by_address(outbox.collect())
    assert {a: len(t) for a, t in received.items()} == {PHONE: 1, EMAIL: 1}
    assert "3/4" in received[PHONE][0]


def test_an_edit_of_a_version_that_is_no_longer_current_is_a_412_and_reaches_nobody(
    stack: DeployedStack, citizens: Api
) -> None:
    functions = LocalFunctions(stack)
    pump, outbox = StreamPump(stack, functions), AllDeliveries(stack, functions)
    status, reply, headers = post(functions, stack, advisory("mfa-kg-edit", 2))
    assert (status, headers["ETag"]) == (201, '"1"')
    assert post(functions, stack, advisory("mfa-kg-edit", 3), headers={"If-Match": '"1"'})[0] == 201
    pump.drain()
    outbox.collect()

    # A second officer, still editing v1, raises the level: refused, naming v2.
    raised = advisory("mfa-kg-edit", 4)
    status, reply, _ = post(functions, stack, raised, headers={"If-Match": '"1"'})
    assert (status, reply["current_version"]) == (412, 2)
    assert "is at version 2, not 1" in reply["error"]
    body = json.dumps({**json.loads(raised), "expected_version": 1}).encode()
    assert post(functions, stack, body)[0] == 412
    assert post(functions, stack, raised, "dry_run=true", {"If-Match": '"1"'})[0] == 412
    pump.drain()
    assert outbox.collect() == []
    assert len(versions(stack, "mfa-kg-edit")) == 2
    assert post(functions, stack, raised, headers={"If-Match": '"2"'})[0] == 201


@st.composite
def alternating_posts(draw: st.DrawFn) -> tuple[list[tuple[int, str]], list[int]]:
    """A few differing texts of one advisory (each its own level and advice), and the order
    in which many officers post them, each text several times."""
    levels = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4, unique=True))
    texts = [(level, INSTRUCTIONS[i]) for i, level in enumerate(levels)]
    posts = draw(st.lists(st.integers(0, len(texts) - 1), min_size=len(texts), max_size=9))
    return texts, posts


CONTAINERS = 9  # concurrent Lambda containers, each with its own handler module


@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=alternating_posts())
def test_concurrent_posts_of_differing_texts_never_send_a_citizen_the_same_text_twice(
    atomic_dynamodb: None,  # noqa: F811
    stack: DeployedStack,
    citizens: Api,
    case: tuple[list[tuple[int, str]], list[int]],
) -> None:
    texts, order = case
    advisory_id = f"mfa-kg-race-{uuid.uuid4().hex[:8]}"
    bodies = [advisory(advisory_id, level, instruction) for level, instruction in texts]
    containers = _containers(stack)
    pump, outbox = StreamPump(stack, containers[0]), AllDeliveries(stack, containers[0])
    pump.drain()
    outbox.collect()  # what earlier examples sent

    start = threading.Barrier(len(order))
    answers: list[tuple[int, dict[str, Any]]] = [(0, {})] * len(order)

    def officer(n: int) -> None:
        start.wait()
        status, reply, _ = post(containers[n], stack, bodies[order[n]])
        answers[n] = (status, reply)

    threads = [threading.Thread(target=officer, args=(n,)) for n in range(len(order))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    pump.drain()
    received = by_address(outbox.collect())
    assert set(received) == {PHONE, EMAIL}  # version 1 is a new alert: everyone hears of it
    for address, bodies_received in received.items():
        assert len(set(bodies_received)) == len(bodies_received), (address, bodies_received)

    assert {status for status, _ in answers} <= {200, 201, 409}, answers
    stored = versions(stack, advisory_id)
    # Each stored version is one a publisher posted, each content at most once, contiguous.
    assert [v["version"] for v in stored] == list(range(1, len(stored) + 1))
    assert sum(status == 201 for status, _ in answers) == len(stored) >= 1
    assert len({v["hash"] for v in stored}) == len(stored)
    assert {v["level"] for v in stored} <= {level for level, _ in texts}


_POOL: dict[str, list[LocalFunctions]] = {}


def _containers(stack: DeployedStack) -> list[LocalFunctions]:
    if stack.name not in _POOL:
        _POOL.clear()
        _POOL[stack.name] = [LocalFunctions(stack) for _ in range(CONTAINERS)]
    return _POOL[stack.name]

"""Hostile use of training mode, through the real handlers on moto: an exercise never
replaces, cancels or updates an actual advisory (nor the reverse), a citizen can neither
grant nor lose the staff flag by managing their subscription, and a foreign feed's Exercise
reaches nobody. Asserted on what is stored and on the local outboxes (SNS's SMS record, the
segment topics, SES's sent mail)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from consular_alerts.adapters.dynamodb.feeds import DynamoFeedRepository
from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
from consular_alerts.models.feeds import FeedConfig

from alerts_local.lambdas import apply_environment
from alerts_local.stack import DeployedStack, deploy
from alerts_local.staff import local_staff_service
from tests.conftest import ONE_OFFICER
from tests.hostile.test_hostile_corpus import snapshot
from tests.integration.email_flow import EmailFlow
from tests.integration.publisher_api import count_items
from tests.integration.test_training_mode import advisory, direct_sms, post

FEED_CAP = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "almaty-alert.cap"


@pytest.fixture(scope="module")
def training_stack(moto_endpoint: str) -> DeployedStack:
    return deploy(moto_endpoint, f"x{uuid.uuid4().hex[:10]}", parameters=ONE_OFFICER)


@pytest.fixture(scope="module")
def module_flow(training_stack: DeployedStack) -> EmailFlow:
    # One flow for the module: its stream pump goes on from where the last test left it.
    return EmailFlow(training_stack)


@pytest.fixture
def flow(training_stack: DeployedStack, module_flow: EmailFlow) -> EmailFlow:
    apply_environment(training_stack, "WARNING")
    return module_flow


def _forget_rate_limits(stack: DeployedStack) -> None:
    """A new cooldown window and hour for every phone: the test asks for several codes."""
    client, table = stack.client("dynamodb"), stack.resources["RateLimitsTable"]
    for item in client.scan(TableName=table).get("Items", []):
        client.delete_item(TableName=table, Key={"limit_key": item["limit_key"]})


@pytest.mark.parametrize(
    ("first", "then", "reference"),
    [
        ("actual", "exercise", False),  # a drill's version on top of a real advisory
        ("actual", "exercise", True),  # a drill cancelling a real advisory
        ("exercise", "actual", False),  # a real version on top of a drill
        ("exercise", "actual", True),  # a real cancel of a drill
    ],
)
def test_exercise_and_actual_never_replace_each_other(
    flow: EmailFlow, first: str, then: str, reference: bool
) -> None:
    source_id = f"mix-{uuid.uuid4().hex[:8]}"
    status, stored = post(flow, advisory(source_id=source_id, status=first))
    assert status == 201, stored
    before = snapshot(flow.stack)
    deliveries = len(flow.publisher.outbox.deliveries)
    second: dict[str, Any] = advisory(source_id=source_id, status=then, level=4)
    if reference:
        second = advisory(
            source_id=f"{source_id}-cancel",
            status=then,
            msg_type="cancel",
            references=[stored["advisory_id"]],
        )
    status, reply = post(flow, second)
    assert status == 409, reply
    assert f"status {then} cannot follow" in reply["error"]
    assert "nothing stored" in reply["error"]
    assert snapshot(flow.stack) == before  # no table, SMS or topic moved
    assert len(flow.publisher.outbox.deliveries) == deliveries


@pytest.mark.parametrize(("first", "then"), [("exercise", "actual"), ("actual", "exercise")])
def test_a_draft_in_between_does_not_let_exercise_and_actual_mix(
    flow: EmailFlow, first: str, then: str
) -> None:
    source_id = f"via-{uuid.uuid4().hex[:8]}"
    assert post(flow, advisory(source_id=source_id, status=first))[0] == 201
    status, draft = post(flow, advisory(source_id=source_id, status="draft", level=3))
    assert status == 201, draft
    before = snapshot(flow.stack)
    deliveries = len(flow.publisher.outbox.deliveries)
    status, reply = post(flow, advisory(source_id=source_id, status=then, level=4))
    assert status == 409, reply
    assert f"status {then} cannot follow this advisory version 1" in reply["error"]
    assert snapshot(flow.stack) == before
    assert len(flow.publisher.outbox.deliveries) == deliveries


def _subscriber(flow: EmailFlow, subscription_id: str) -> Any:
    repository = DynamoSubscriberRepository(
        flow.stack.client("dynamodb"), flow.stack.resources["SubscribersTable"]
    )
    return repository.get(subscription_id)


def _rotate_and_edit(flow: EmailFlow, subscription_id: str, phone: str, token: str) -> str:
    """What a citizen can do to their subscription: a new manage token (by id and by
    number), a preference change, a read. Returns the last token."""
    api = flow.api
    _forget_rate_limits(flow.stack)
    assert api.call("POST", f"/subscriptions/{subscription_id}/code", {})[0] == 202
    status, reply, _ = api.call(
        "POST", f"/subscriptions/{subscription_id}/token", {"code": api.code(phone)}
    )
    assert status == 200, reply
    _forget_rate_limits(flow.stack)
    assert api.call("POST", "/subscriptions/code", {"address": phone})[0] == 202
    status, reply, _ = api.call(
        "POST", "/subscriptions/token", {"address": phone, "code": api.code(phone)}
    )
    assert status == 200, reply
    token = reply["manage_token"]
    status, reply, _ = api.call(
        "PATCH", f"/subscriptions/{subscription_id}", {"min_level": 2}, token=token
    )
    assert status == 200, reply
    status, view, _ = api.call("GET", f"/subscriptions/{subscription_id}", token=token)
    assert status == 200, view
    assert not any("staff" in key for key in view)  # the flag is never shown to a citizen
    return str(token)


def test_managing_a_subscription_neither_drops_nor_grants_the_staff_flag(
    flow: EmailFlow,
) -> None:
    staff_phone, citizen_phone = "+77010006601", "+77010006602"
    staff_id, staff_token = flow.api.subscribe_phone(staff_phone, countries=["KZ"])
    citizen_id, citizen_token = flow.api.subscribe_phone(citizen_phone, countries=["KZ"])
    local_staff_service(flow.stack).set_staff(staff_id, True)
    _rotate_and_edit(flow, staff_id, staff_phone, staff_token)
    _rotate_and_edit(flow, citizen_id, citizen_phone, citizen_token)
    staff, citizen = _subscriber(flow, staff_id), _subscriber(flow, citizen_id)
    assert (staff.staff, staff.min_level) == (True, 2)
    assert (citizen.staff, citizen.min_level) == (False, 2)
    assert staff_id in {s.subscriber_id for s in local_staff_service(flow.stack).staff()}
    assert citizen_id not in {s.subscriber_id for s in local_staff_service(flow.stack).staff()}
    # An exercise then reaches the staff phone and not the citizen's.
    before = direct_sms(flow, citizen_phone)
    status, reply = post(flow, advisory(source_id=f"drill-{uuid.uuid4().hex[:8]}",
                                        status="exercise"))  # fmt: skip
    assert status == 201, reply
    assert direct_sms(flow, staff_phone)[-1].startswith("УЧЕНИЕ: ")
    assert direct_sms(flow, citizen_phone) == before
    # Ending the subscription takes it off the staff list.
    status, _, _ = flow.api.call(
        "DELETE", f"/subscriptions/{staff_id}", token=_rotate_and_edit(
            flow, staff_id, staff_phone, "")
    )  # fmt: skip
    assert status in {200, 204}
    assert staff_id not in {s.subscriber_id for s in local_staff_service(flow.stack).staff()}


@pytest.fixture
def exercise_feed(tmp_path: Path) -> Iterator[str]:
    cap = FEED_CAP.read_text("utf-8")
    assert "<status>Actual</status>" in cap
    cap = cap.replace("<status>Actual</status>", "<status>Exercise</status>")
    cap = cap.replace("KG-MFA-2022-0006", f"FOREIGN-DRILL-{uuid.uuid4().hex[:6]}")
    (tmp_path / "drill.cap").write_text(cap, "utf-8")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}/drill.cap"
    server.shutdown()


def test_a_feeds_exercise_reaches_nobody_not_even_staff(
    flow: EmailFlow, exercise_feed: str
) -> None:
    staff_phone = "+77010006603"
    staff_id, _ = flow.api.subscribe_phone(staff_phone, countries=["KZ"])
    local_staff_service(flow.stack).set_staff(staff_id, True)
    DynamoFeedRepository(
        flow.stack.client("dynamodb"), flow.stack.resources["FeedsTable"]
    ).put_feed(FeedConfig(feed_id="foreign-drill", url=exercise_feed, source="foreign",
                          auto_publish=True))  # fmt: skip
    advisories = count_items(flow.stack, "AdvisoriesTable")
    before_sms = direct_sms(flow, staff_phone)
    deliveries = len(flow.publisher.outbox.deliveries)
    result = flow.functions.invoke("FeedPollerFunction", {"source": "aws.events"})
    flow.settle()
    assert count_items(flow.stack, "AdvisoriesTable") > advisories  # stored, as today
    assert [f["status"] for f in result["feeds"]] == ["ingested"], result
    assert direct_sms(flow, staff_phone) == before_sms
    assert len(flow.publisher.outbox.deliveries) == deliveries

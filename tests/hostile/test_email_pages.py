"""The pages the ministry's emails link to (/email/confirm/<id>, /email/unsubscribe/<id>),
attacked over HTTP on the local runtime: a GET (a mail scanner opening the link) changes
nothing; a forged token, the token of another subscription, or a link of an earlier
generation gets the very page any invalid link gets; and with each refusal every table,
the SMS outbox and SES's outbox stay as they were."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from alerts_local.server import LocalRuntime, start
from tests.e2e.test_local_runtime import post_seed
from tests.hostile.test_hostile_corpus import snapshot

A, B = "mirlan@example.org", "nurzhan@example.org"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(stack_name=f"he{uuid.uuid4().hex[:8]}")
    yield local
    local.stop()


def _emails(runtime: LocalRuntime) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = requests.get(f"{runtime.url}/_local/emails", timeout=30).json()[
        "emails"
    ]
    return found


def _state(runtime: LocalRuntime) -> tuple[Any, ...]:
    """Everything a page could change: the subscribers table's items, every table's count,
    and what was sent by SMS and SES."""
    dynamodb = runtime.stack.client("dynamodb")
    table = runtime.stack.resources["SubscribersTable"]
    items = sorted(
        (
            item
            for p in dynamodb.get_paginator("scan").paginate(TableName=table)
            for item in p["Items"]
        ),
        key=repr,
    )
    sms = requests.get(f"{runtime.url}/_local/sms", timeout=30).json()
    return items, snapshot(runtime.stack), sms, _emails(runtime)


def _link(text: str, kind: str) -> tuple[str, str]:
    """(subscription id, token) of the /email/<kind>/ link in a text or header."""
    found = re.search(rf"/email/{kind}/([0-9a-f-]{{36}})\?t=([^\s>]+)", text)
    assert found is not None, text
    return found.group(1), found.group(2)


def _page(runtime: LocalRuntime, method: str, kind: str, sid: str, token: str) -> requests.Response:
    return requests.request(
        method, f"{runtime.url}/email/{kind}/{sid}", params={"t": token}, timeout=30
    )


def _sign_up(runtime: LocalRuntime, address: str) -> tuple[str, str]:
    reply = requests.post(
        f"{runtime.url}/subscriptions",
        json={
            "channel": "email",
            "address": address,
            "countries": ["KZ"],
            "language": "en",
            "min_level": 1,
        },
        timeout=30,
    )
    assert reply.status_code == 202, reply.text
    [mail] = [e for e in _emails(runtime) if e["to"] == address]
    return _link(mail["text"], "confirm")


def _forged(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


def test_email_links_act_only_on_post_and_only_with_their_own_token(
    runtime: LocalRuntime,
) -> None:
    a_id, a_token = _sign_up(runtime, A)
    b_id, b_token = _sign_up(runtime, B)
    invalid = _page(runtime, "POST", "confirm", str(uuid.uuid4()), "x" * 22)
    assert invalid.status_code == 404

    # Confirming: a GET asks; a forged token, and B's token on A's link, are any bad link.
    before = _state(runtime)
    asked = _page(runtime, "GET", "confirm", a_id, a_token)
    assert asked.status_code == 200
    assert 'method="post"' in asked.text
    for token, sid in ((_forged(a_token), a_id), (b_token, a_id), (a_token, b_id)):
        refused = _page(runtime, "POST", "confirm", sid, token)
        assert (refused.status_code, refused.text) == (404, invalid.text)
    assert _state(runtime) == before

    for sid, token in ((a_id, a_token), (b_id, b_token)):
        assert _page(runtime, "POST", "confirm", sid, token).status_code == 200
    assert post_seed(runtime).status_code == 201
    headers = {
        e["to"]: e["headers"]["List-Unsubscribe"]
        for e in _emails(runtime)
        if "X-Alerts-Advisory" in e["headers"]
    }
    a_id2, a_leave = _link(headers[A], "unsubscribe")
    b_id2, b_leave = _link(headers[B], "unsubscribe")
    assert (a_id2, b_id2) == (a_id, b_id)

    # Unsubscribing: the same rules; a confirmation token is no unsubscribe token.
    invalid_leave = _page(runtime, "POST", "unsubscribe", str(uuid.uuid4()), "x" * 22)
    before = _state(runtime)
    asked = _page(runtime, "GET", "unsubscribe", a_id, a_leave)
    assert asked.status_code == 200
    assert 'method="post"' in asked.text
    for token, sid in ((_forged(a_leave), a_id), (b_leave, a_id), (a_leave, b_id), (a_token, a_id)):
        refused = _page(runtime, "POST", "unsubscribe", sid, token)
        assert (refused.status_code, refused.text) == (404, invalid_leave.text)
    assert _state(runtime) == before

    # A link of an earlier generation: as when a new manage token moved B's generation on
    # (written to the table here: an email subscription's token rotates through no route).
    dynamodb = runtime.stack.client("dynamodb")
    table = runtime.stack.resources["SubscribersTable"]
    item = dynamodb.get_item(TableName=table, Key={"subscriber_id": {"S": b_id}})["Item"]
    generation = int(item.get("link_generation", {"N": "0"})["N"])
    dynamodb.update_item(
        TableName=table,
        Key={"subscriber_id": {"S": b_id}},
        UpdateExpression="SET link_generation = :g",
        ExpressionAttributeValues={":g": {"N": str(generation + 1)}},
    )
    before = _state(runtime)
    for method in ("GET", "POST"):
        refused = _page(runtime, method, "unsubscribe", b_id, b_leave)
        assert (refused.status_code, refused.text) == (404, invalid_leave.text)
    assert _state(runtime) == before

    # The right token, by POST: A leaves; B stays.
    assert _page(runtime, "POST", "unsubscribe", a_id, a_leave).status_code == 200
    status = {
        sid: dynamodb.get_item(TableName=table, Key={"subscriber_id": {"S": sid}})["Item"][
            "status"
        ]["S"]
        for sid in (a_id, b_id)
    }
    assert status == {a_id: "unsubscribed", b_id: "active"}
    assert urlsplit(headers[B].strip("<>").split(">")[0]).path == f"/email/unsubscribe/{b_id}"

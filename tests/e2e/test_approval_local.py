"""Two-person approval over real HTTP on the local runtime with the template's defaults: the
second identity (`/_local/publisher-credentials?as=approver`), a level 3 post that reaches
nobody until that second principal approves it, and feed items held for an officer. What
citizens received is read from the local outbox."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from alerts_local.publisher_auth import PublisherCredentials
from alerts_local.server import LocalRuntime, start
from tests.e2e.test_local_runtime import deliveries, subscribe
from tests.e2e.test_publisher_rules import advisory

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    local = start(stack_name=f"ap{uuid.uuid4().hex[:8]}")
    feeds = tmp_path_factory.mktemp("feeds")
    shutil.copy(FEEDS / "almaty-alert.cap", feeds / "almaty-alert.cap")
    local.register_feeds(feeds)  # not auto_publish: its items wait for an officer
    yield local
    local.stop()


def credentials(runtime: LocalRuntime, query: str = "") -> PublisherCredentials:
    reply = requests.get(f"{runtime.url}/_local/publisher-credentials{query}", timeout=30)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    return PublisherCredentials(data["access_key_id"], data["secret_access_key"], data["region"])


def signed(
    runtime: LocalRuntime, who: PublisherCredentials, method: str, path: str, payload: Any = None
) -> requests.Response:
    body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
    url, headers = who.sign(method, f"{runtime.url}{path}", {"Content-Type": "application/json"},
                            body)  # fmt: skip
    return requests.request(method, url, data=body, headers=headers, timeout=30)


def test_two_local_officers_one_approves_what_the_other_posted(runtime: LocalRuntime) -> None:
    officer, second = credentials(runtime), credentials(runtime, "?as=approver")
    assert officer.access_key_id != second.access_key_id
    bad = requests.get(f"{runtime.url}/_local/publisher-credentials?as=boss", timeout=30)
    assert bad.status_code == 400
    subscribe(runtime, channel="sms", address="+77710001111", countries=["KZ"], language="ru",
              min_level=1)  # fmt: skip
    before = len(deliveries(runtime))

    posted = signed(runtime, officer, "POST", "/advisories", json.loads(advisory("e2e-ap", 3)))
    assert posted.status_code == 202, posted.text
    assert posted.json()["status"] == "pending_approval"
    assert len(deliveries(runtime)) == before  # nobody told

    approve = "/advisories/e2e-ap/versions/1/approve"
    assert signed(runtime, officer, "POST", approve).status_code == 403
    assert len(deliveries(runtime)) == before
    released = signed(runtime, second, "POST", approve, {"reason": "checked"})
    assert released.status_code == 200, released.text
    mine = [d for d in deliveries(runtime)[before:] if d["address"] == "+77710001111"]
    assert len(mine) == 1
    history = signed(runtime, second, "GET", "/advisories/e2e-ap/history").json()
    assert history["versions"][0]["decided_by"].endswith(":user/local-approver")
    assert history["versions"][0]["published_by"].endswith(":user/local-officer")


def test_a_feed_not_marked_auto_publish_waits_for_an_officer(runtime: LocalRuntime) -> None:
    before = len(deliveries(runtime))
    polled = requests.post(f"{runtime.url}/_local/poll", timeout=60)
    assert polled.status_code == 200, polled.text
    officer = credentials(runtime)
    pending = signed(runtime, officer, "GET", "/approvals").json()["pending"]
    from_feed = [p for p in pending if (p["published_by"] or "").startswith("feed:")]
    assert from_feed, pending
    assert all("not marked auto_publish" in p["approval_rule"] for p in from_feed)
    assert len(deliveries(runtime)) == before

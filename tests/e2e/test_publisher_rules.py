"""Safe to publish (issue 14), over real HTTP to the local runtime, signed as every publisher
request is: what each mistake does is read from the local outboxes (what citizens would have
received), not only from the answers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from alerts_local.server import LocalRuntime, start
from tests.conftest import ONE_OFFICER
from tests.e2e.test_local_runtime import deliveries, subscribe

TEXT = "text/plain; charset=utf-8"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(stack_name=f"pub{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    yield local
    local.stop()


def publish(
    runtime: LocalRuntime,
    body: bytes,
    query: str = "",
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    method: str = "POST",
    path: str = "/advisories",
) -> requests.Response:
    url = f"{runtime.url}{path}" + (f"?{query}" if query else "")
    url, signed = runtime.publisher.sign(
        method, url, {"Content-Type": content_type, **(headers or {})}, body
    )
    return requests.request(method, url, data=body, headers=signed, timeout=30)


def advisory(advisory_id: str, level: int = 3, **fields: Any) -> bytes:
    data = {
        "advisory_id": advisory_id,
        "countries": ["KZ"],
        "level": level,
        "content": {
            "ru": {
                "headline": f"Беспорядки в Казахстане, уровень {level}",
                "instruction": "Избегайте мест скопления людей.",
            }
        },
        **fields,
    }
    return json.dumps(data, ensure_ascii=False).encode()


def received_by(runtime: LocalRuntime, address: str) -> list[str]:
    return [d["text"] for d in deliveries(runtime) if d["address"] == address]


def stored(runtime: LocalRuntime, advisory_id: str) -> bool:
    return requests.get(f"{runtime.url}/advisories/{advisory_id}", timeout=30).status_code == 200


def test_a_mistyped_preview_or_option_sends_nothing_and_a_real_preview_neither(
    runtime: LocalRuntime,
) -> None:
    phone, email = "+77710001101", "officer-test-1@example.kg"
    for channel, address in (("sms", phone), ("email", email)):
        subscribe(runtime, channel=channel, address=address, countries=["KZ"], language="ru",
                  min_level=1)  # fmt: skip
    before = deliveries(runtime)
    body = advisory("mfa-kg-e2e-dry-run")
    # The variants the issue found sending (8 of 12): each is now refused, naming why.
    refused = {
        "dry_run=on": (400, "dry_run='on'"),
        "dry_run=y": (400, "dry_run='y'"),
        "dry_run=%20true": (400, "dry_run=' true'"),
        "dryrun=true": (400, "unknown parameter 'dryrun'"),
        "dry-run=true": (400, "unknown parameter 'dry-run'"),
        "preview=true": (400, "unknown parameter 'preview'"),
        "status=test": (422, "drop ['status']"),
        "dry_run=true&level=4": (422, "drop ['level']"),
    }
    for query, (status, names) in refused.items():
        reply = publish(runtime, body, query)
        assert (reply.status_code, names in reply.json()["error"]) == (status, True), query
    for query in ("dry_run=TRUE", "dry_run=true", "dry_run=True"):
        preview = publish(runtime, body, query)
        assert preview.status_code == 200, preview.text
        assert preview.json()["dry_run"] is True
    assert deliveries(runtime) == before  # nothing reached anyone
    assert not stored(runtime, "mfa-kg-e2e-dry-run")

    # Metadata in the query of a text post is applied, to the preview as to the post.
    post = "Граждане Кыргызстана в Казахстане, избегайте митингов.".encode()
    preview = publish(runtime, post, "countries=KZ&level=4&dry_run=true", TEXT)
    assert preview.status_code == 200, preview.text
    assert preview.json()["advisory"]["level"] == 4
    assert deliveries(runtime) == before

    sent = publish(runtime, body, "dry_run=false")
    assert sent.status_code == 201, sent.text
    assert len(received_by(runtime, phone)) == 1
    assert len(received_by(runtime, email)) == 1


def test_a_stale_repost_or_an_edit_of_an_old_version_reaches_nobody(
    runtime: LocalRuntime,
) -> None:
    phone = "+77710001102"
    subscribe(runtime, channel="sms", address=phone, countries=["KZ"], language="ru", min_level=1)
    v1, v2 = advisory("mfa-kg-e2e-stale", 3), advisory("mfa-kg-e2e-stale", 4)
    assert publish(runtime, v1).headers["ETag"] == '"1"'
    assert publish(runtime, v2, headers={"If-Match": '"1"'}).status_code == 201
    assert len(received_by(runtime, phone)) == 2

    stale = publish(runtime, v1)  # v1's body again, e.g. from a stale browser tab
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    edit = publish(runtime, advisory("mfa-kg-e2e-stale", 2), headers={"If-Match": '"1"'})
    assert (edit.status_code, edit.json()["current_version"]) == (412, 2)
    assert "is at version 2, not 1" in edit.json()["error"]
    assert len(received_by(runtime, phone)) == 2  # neither reached anyone

    revert = publish(runtime, v1, "revert=true", headers={"If-Match": '"2"'})
    assert revert.status_code == 201, revert.text
    texts = received_by(runtime, phone)
    assert len(texts) == 3
    assert len(set(texts)) == 3


def test_each_version_says_who_signed_it_and_the_history_lists_them(
    runtime: LocalRuntime,
) -> None:
    assert publish(runtime, advisory("mfa-kg-e2e-who", 2)).status_code == 201
    assert publish(runtime, advisory("mfa-kg-e2e-who", 3)).status_code == 201
    history = publish(runtime, b"", method="GET", path="/advisories/mfa-kg-e2e-who/history")
    assert history.status_code == 200, history.text
    assert [(v["version"], v["published_by"], v["level"]) for v in history.json()["versions"]] == [
        (1, runtime.publisher.user_arn, 2),
        (2, runtime.publisher.user_arn, 3),
    ]
    unsigned = requests.get(f"{runtime.url}/advisories/mfa-kg-e2e-who/history", timeout=30)
    assert unsigned.status_code == 403  # the publisher API: IAM, as in AWS

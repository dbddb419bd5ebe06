"""The ministry's alerts in the open, over real HTTP on the local runtime: after the demo's
kind of posts, an aggregator reads the Atom index, fetches each CAP document, validates it
against the CAP 1.2 schema, and `alerts normalize` reads it back as the advisory posted."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from consular_alerts.domain.formats.documents import normalize_document
from consular_alerts.domain.identity import advisory_id_for

from alerts_local.server import LocalRuntime, start
from tests.cap_schema import cap_schema_errors
from tests.conftest import EVENTS, ONE_OFFICER
from tests.e2e.test_local_runtime import post_seed

CAP_TYPE = "application/cap+xml"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(stack_name=f"cap{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    yield local
    local.stop()


def post_json(runtime: LocalRuntime, advisory: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(advisory, ensure_ascii=False).encode("utf-8")
    url, headers = runtime.publisher.sign(
        "POST", f"{runtime.url}/advisories", {"Content-Type": "application/json"}, body
    )
    reply = requests.post(url, data=body, headers=headers, timeout=30)
    assert reply.status_code == 201, reply.text
    data: dict[str, Any] = reply.json()
    return data


def sample() -> dict[str, Any]:
    event = json.loads((EVENTS / "post-advisory-json.json").read_text(encoding="utf-8"))
    loaded: dict[str, Any] = json.loads(event["body"])
    return loaded


def get(runtime: LocalRuntime, link: str, **headers: str) -> requests.Response:
    """A link in the feeds (on the site's public URL), fetched from the local runtime."""
    return requests.get(runtime.url + urlsplit(link).path, headers=headers, timeout=30)


def cap_links(runtime: LocalRuntime, feed: str) -> list[str]:
    """The CAP documents an Atom index links to, as the project's own feed reader finds them."""
    response = get(runtime, f"/feeds/{feed}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml"
    found = normalize_document(response.content, received_at=datetime.now(UTC), format="atom")
    assert found.advisories == []  # an index: links only
    return found.cap_links


def alerts_normalize(document: bytes, folder: Path) -> dict[str, Any]:
    path = folder / f"{uuid.uuid4().hex}.xml"
    path.write_bytes(document)
    alerts = Path(sys.executable).parent / "alerts"
    result = subprocess.run(
        [str(alerts), "normalize", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    read: dict[str, Any] = json.loads(result.stdout)
    return read


def test_aggregator_reads_the_index_fetches_validates_and_normalizes_back(
    runtime: LocalRuntime, tmp_path: Path
) -> None:
    seed = post_seed(runtime).json()
    turkey = post_json(runtime, sample())
    drill = post_json(
        runtime,
        {**sample(), "source_id": "drill-1", "status": "test", "countries": ["UZ"], "areas": []},
    )
    posted = {seed["advisory_id"]: seed["advisory"], turkey["advisory_id"]: turkey["advisory"]}

    links = cap_links(runtime, "alerts.atom")
    assert len(links) == 2
    for link in links:
        response = get(runtime, link)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == CAP_TYPE
        assert cap_schema_errors(response.content) == []
        back = alerts_normalize(response.content, tmp_path)
        advisory_id = urlsplit(link).path.split("/")[2]
        original = posted[advisory_id]
        assert back["countries"] == original["countries"]
        assert back["level"] == original["level"]
        assert back["msg_type"] == original["msg_type"] == "alert"
        assert list(back["content"]) == list(original["content"])
        for language, text in original["content"].items():
            assert back["content"][language]["headline"] == text["headline"]
            assert back["content"][language]["instruction"] == text["instruction"]
        assert back["hotlines"] == original["hotlines"]

    # Per country, and the drill apart.
    assert [urlsplit(x).path for x in cap_links(runtime, "KZ.atom")] == [
        f"/cap/{seed['advisory_id']}/1.xml"
    ]
    assert [urlsplit(x).path for x in cap_links(runtime, "TR.atom")] == [
        f"/cap/{turkey['advisory_id']}/1.xml"
    ]
    assert [urlsplit(x).path for x in cap_links(runtime, "test.atom")] == [
        f"/cap/{drill['advisory_id']}/1.xml"
    ]
    assert get(runtime, "/feeds/UZ.atom").status_code == 404  # a drill makes no public feed

    # An aggregator polling again with the ETag gets a 304 until something changes.
    first = get(runtime, "/feeds/alerts.atom")
    assert (
        get(runtime, "/feeds/alerts.atom", **{"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )

    # The ministry cancels the Turkish advisory: it leaves, the cancel stays (until its expiry).
    cancel = post_json(
        runtime,
        {
            **sample(),
            "source_id": "mfa-kg-2026-tr-0147-cancel",
            "msg_type": "cancel",
            "references": [turkey["advisory_id"]],
            "level": 1,
        },
    )
    cancel_path = f"/cap/{cancel['advisory_id']}/1.xml"
    assert sorted(urlsplit(x).path for x in cap_links(runtime, "alerts.atom")) == sorted(
        [f"/cap/{seed['advisory_id']}/1.xml", cancel_path]
    )
    assert [urlsplit(x).path for x in cap_links(runtime, "TR.atom")] == [cancel_path]
    document = get(runtime, cancel_path).content
    assert cap_schema_errors(document) == []
    back = alerts_normalize(document, tmp_path)
    assert back["msg_type"] == "cancel"
    cancelled = f"alerts.mfa.gov.kg,{turkey['advisory_id']}.v1"
    assert back["references"] == [advisory_id_for("cap", cancelled)]
    assert (
        get(runtime, "/feeds/alerts.atom", **{"If-None-Match": first.headers["ETag"]}).status_code
        == 200
    )

    index = get(runtime, "/feeds/index.json").json()
    assert {e["advisory_id"]: e["msg_type"] for e in index["alerts"]} == {
        seed["advisory_id"]: "alert",
        cancel["advisory_id"]: "cancel",
    }

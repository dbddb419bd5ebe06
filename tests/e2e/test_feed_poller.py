"""The scheduled poller over real HTTP: feeds served from files by the local runtime."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from alerts_local.server import LocalRuntime, start
from tests.conftest import ONE_OFFICER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    for name in ("mfa-news.rss", "almaty-alert.cap"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "broken.cap").write_text("<alert><identifier>x</identifier>", encoding="utf-8")
    local = start(stack_name=f"poll{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    local.register_feeds(tmp_path, auto_publish=True)  # the approval tests hold them
    yield local
    local.stop()


def poll(runtime: LocalRuntime) -> dict[str, dict[str, object]]:
    reply = requests.post(f"{runtime.url}/_local/poll", timeout=60)
    assert reply.status_code == 200, reply.text
    return {feed["feed_id"]: feed for feed in reply.json()["feeds"]}


def test_poller_ingests_new_items_and_skips_unchanged_feeds(runtime: LocalRuntime) -> None:
    first = poll(runtime)
    assert first["local-mfa-news"]["status"] == "ingested"
    assert first["local-mfa-news"]["stored"] == 1
    assert first["local-almaty-alert"]["stored"] == 1
    assert first["local-broken"]["status"] == "failed"  # and the others went on

    second = poll(runtime)
    assert second["local-mfa-news"]["status"] == "unchanged"  # 304 on the conditional GET
    assert second["local-almaty-alert"]["status"] == "unchanged"

    assert runtime.feeds_dir is not None
    cap = runtime.feeds_dir / "almaty-alert.cap"
    cap.write_text(cap.read_text(encoding="utf-8").replace("Severe", "Extreme"), encoding="utf-8")
    third = poll(runtime)
    assert third["local-almaty-alert"]["status"] == "ingested"
    assert third["local-almaty-alert"]["stored"] == 1  # a new version: the level changed
    assert third["local-mfa-news"]["status"] == "unchanged"


def test_feed_files_answer_conditional_requests(runtime: LocalRuntime) -> None:
    url = f"{runtime.url}/_local/feeds/mfa-news.rss"
    first = requests.get(url, timeout=10)
    assert first.status_code == 200
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
    assert again.status_code == 304
    assert again.content == b""
    assert requests.get(f"{runtime.url}/_local/feeds/..%2Fsecret", timeout=10).status_code == 404

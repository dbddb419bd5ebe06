"""The CAP feed function's handler on moto, the stack created from template.yaml: the stream
of the advisories table in, the site bucket's cap/ and feeds/ out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from defusedxml import ElementTree

from alerts_local.lambdas import LocalFunctions
from alerts_local.stack import DeployedStack
from alerts_local.streams import StreamPump
from tests.cap_schema import cap_schema_errors
from tests.conftest import EVENTS

ATOM = "{http://www.w3.org/2005/Atom}"


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return loaded


class Bucket:
    def __init__(self, stack: DeployedStack) -> None:
        self.client = stack.client("s3")
        self.name = stack.resources["WebBucket"]

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return sorted(str(item["Key"]) for item in listed)

    def get(self, key: str) -> dict[str, Any]:
        found: dict[str, Any] = self.client.get_object(Bucket=self.name, Key=key)
        found["Data"] = found["Body"].read()
        return found


@pytest.fixture
def functions(stack: DeployedStack) -> LocalFunctions:
    return LocalFunctions(stack)


def test_a_stored_version_reaches_the_site_as_cap_and_in_the_feeds(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    posted = functions.invoke("IngestFunction", event("post-advisory-json.json"))
    assert posted["statusCode"] == 201
    advisory_id = json.loads(posted["body"])["advisory_id"]
    pump = StreamPump(stack, functions)
    pump.drain()
    assert pump.dead_lettered == 0
    bucket = Bucket(stack)
    assert bucket.keys() == [
        f"cap/{advisory_id}/1.xml",
        "feeds/TR.atom",
        "feeds/alerts.atom",
        "feeds/index.json",
        "feeds/test.atom",
    ]
    cap = bucket.get(f"cap/{advisory_id}/1.xml")
    assert cap["ContentType"] == "application/cap+xml"
    assert cap_schema_errors(cap["Data"]) == []
    feed = bucket.get("feeds/alerts.atom")
    assert feed["ContentType"] == "application/atom+xml"
    assert feed["CacheControl"] == "public, max-age=60"
    links = [
        link.get("href")
        for link in ElementTree.fromstring(feed["Data"]).iter(f"{ATOM}link")
        if link.get("type") == "application/cap+xml"
    ]
    assert links == [f"https://alerts.mfa.gov.kg/cap/{advisory_id}/1.xml"]
    index = json.loads(bucket.get("feeds/index.json")["Data"])
    assert [e["advisory_id"] for e in index["alerts"]] == [advisory_id]

    # The schedule: nothing has expired, so nothing is written.
    before = bucket.get("feeds/alerts.atom")["ETag"]
    assert functions.invoke("CapFeedFunction", event("scheduled-cap-refresh.json")) == {
        "changed": False
    }
    assert bucket.get("feeds/alerts.atom")["ETag"] == before

"""Who published (issue 14, item 3), through the real handlers on moto: each version records
the caller's IAM identity from the request context, GET /advisories/{id}/history lists them,
and the public read API never shows it."""

from __future__ import annotations

import json
from typing import Any

from alerts_local.lambdas import LocalFunctions
from alerts_local.outbox import Outbox
from alerts_local.server import api_event
from alerts_local.stack import DeployedStack
from alerts_local.streams import StreamPump
from tests.integration.citizen_api import Api
from tests.integration.test_publisher_versions import advisory

OFFICER = "arn:aws:iam::123456789012:user/duty-officer"
# An assumed role (SSO): API Gateway gives its caller id; userArn is the session's ARN.
ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/Publisher/second-officer"


def call(
    functions: LocalFunctions,
    stack: DeployedStack,
    method: str,
    path: str,
    body: bytes = b"",
    identity: dict[str, str] | None = None,
    query: str = "",
) -> tuple[int, dict[str, Any]]:
    route, parameters = next(
        (r, p)
        for r in stack.routes
        if r.api == "PublisherApi" and (p := r.match(method, path)) is not None
    )
    headers = {"content-type": "application/json"}
    event = api_event(route, method, path, parameters, query, headers, body, "198.51.100.9",
                      identity)  # fmt: skip
    response = functions.invoke(route.function, event)
    return int(response["statusCode"]), json.loads(response["body"])


def test_each_version_records_who_published_it_and_the_history_lists_them(
    stack: DeployedStack,
) -> None:
    api = Api(stack)
    api.subscribe_phone("+77011230077", countries=["KZ"], language="ru", min_level=1)
    functions = LocalFunctions(stack)
    pump, outbox = StreamPump(stack, functions), Outbox(stack.region, f"{stack.name}-seg-")

    first = call(functions, stack, "POST", "/advisories", advisory("mfa-kg-who", 3),
                 {"userArn": OFFICER, "caller": "AIDAOFFICER"})  # fmt: skip
    assert first[0] == 201
    assert first[1]["advisory"]["published_by"] == OFFICER
    second = call(functions, stack, "POST", "/advisories", advisory("mfa-kg-who", 4),
                  {"caller": "AROAPUBLISHER:second-officer", "userArn": ROLE_SESSION})  # fmt: skip
    assert second[0] == 201
    caller_only = call(functions, stack, "POST", "/advisories", advisory("mfa-kg-who", 2),
                       {"caller": "AROAPUBLISHER:third"})  # fmt: skip
    assert caller_only[0] == 201
    # The same content from another officer is the same content: unchanged, nobody stored.
    again = call(functions, stack, "POST", "/advisories", advisory("mfa-kg-who", 2),
                 {"userArn": OFFICER})  # fmt: skip
    assert (again[0], again[1]["advisory"]["published_by"]) == (200, "AROAPUBLISHER:third")

    pump.drain()  # the stream images carry the new field; the fan-out reads them as before
    assert len([d for d in outbox.collect() if d.address == "+77011230077"]) == 3

    status, history = call(functions, stack, "GET", "/advisories/mfa-kg-who/history")
    assert status == 200, history
    assert history["advisory_id"] == "mfa-kg-who"
    assert history["current_version"] == 3
    assert [
        (v["version"], v["published_by"], v["level"], v["msg_type"], v["status"])
        for v in history["versions"]
    ] == [
        (1, OFFICER, 3, "alert", "actual"),
        (2, ROLE_SESSION, 4, "alert", "actual"),
        (3, "AROAPUBLISHER:third", 2, "alert", "actual"),
    ]
    times = [v["published_at"] for v in history["versions"]]
    assert times == sorted(times)
    assert all(t.endswith("Z") for t in times)  # UTC, as received
    assert len({v["content_hash"] for v in history["versions"]}) == 3

    # Not public: the advisory page's read API shows no publisher.
    status, reply, _ = api.call("GET", "/advisories/mfa-kg-who")
    assert status == 200
    assert "published_by" not in json.dumps(reply)
    assert "duty-officer" not in json.dumps(reply)
    assert "second-officer" not in json.dumps(reply)


def test_history_of_an_unknown_or_malformed_id_or_with_a_query_is_refused(
    stack: DeployedStack,
) -> None:
    functions = LocalFunctions(stack)
    status, reply = call(functions, stack, "GET", "/advisories/mfa-kg-nobody/history")
    assert (status, reply["error"]) == (404, "no advisory mfa-kg-nobody")
    status, reply = call(functions, stack, "GET", "/advisories/%3Cscript%3E/history")
    assert status == 400
    assert "advisory_id" in reply["error"]
    call(functions, stack, "POST", "/advisories", advisory("mfa-kg/slash", 3))
    assert call(functions, stack, "GET", "/advisories/mfa-kg%2Fslash/history")[0] == 200
    status, reply = call(
        functions, stack, "GET", "/advisories/mfa-kg%2Fslash/history", query="version=1"
    )
    assert (status, "takes no parameters" in reply["error"]) == (400, True)


def test_a_post_without_an_iam_identity_is_refused_and_stores_nothing(
    stack: DeployedStack,
) -> None:
    functions = LocalFunctions(stack)
    status, reply = call(functions, stack, "POST", "/advisories", advisory("mfa-kg-anon", 3),
                         {"userArn": "", "caller": ""})  # fmt: skip
    assert (status, "no IAM identity" in reply["error"]) == (403, True)
    assert call(functions, stack, "GET", "/advisories/mfa-kg-anon/history")[0] == 404

"""Two-person approval (issue 14, item 3) through the real handlers on moto with the
template's rules (ApprovalLevel 3, ApprovalAudience 1000): a serious version is stored as
pending and reaches nobody (the local outbox stays empty) until a second IAM principal
approves it; each way around the rule sends nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts_local.lambdas import LocalFunctions, apply_environment
from alerts_local.outbox import Outbox
from alerts_local.publisher_auth import PublisherCredentials, approver_credentials
from alerts_local.server import api_event
from alerts_local.stack import DeployedStack, deploy
from alerts_local.streams import StreamPump
from tests.integration.citizen_api import Api
from tests.integration.test_publisher_versions import advisory

OFFICER = PublisherCredentials(secret_access_key="").identity()
SECOND = approver_credentials().identity()
PHONE = "+77011230088"


class Desk:
    """The publisher API as two officers use it, and what citizens received."""

    def __init__(self, stack: DeployedStack) -> None:
        self.stack = stack
        self.functions = LocalFunctions(stack)
        self.pump = StreamPump(stack, self.functions)
        self.outbox = Outbox(stack.region, f"{stack.name}-seg-")
        self.received: list[str] = []

    def call(
        self, method: str, path: str, body: Any = None, identity: dict[str, str] = OFFICER
    ) -> tuple[int, dict[str, Any]]:
        route, parameters = next(
            (r, p)
            for r in self.stack.routes
            if r.api == "PublisherApi" and (p := r.match(method, path)) is not None
        )
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body else b""
        event = api_event(route, method, path, parameters, "", {"content-type": "application/json"},
                          raw, "198.51.100.9", identity)  # fmt: skip
        response = self.functions.invoke(route.function, event)
        return int(response["statusCode"]), json.loads(response["body"])

    def post(self, body: bytes, identity: dict[str, str] = OFFICER) -> tuple[int, dict[str, Any]]:
        return self.call("POST", "/advisories", body, identity)

    def decide(
        self, advisory_id: str, version: int, verb: str, identity: dict[str, str], reason: str = ""
    ) -> tuple[int, dict[str, Any]]:
        body = {"reason": reason} if reason else None
        path = f"/advisories/{advisory_id}/versions/{version}/{verb}"
        return self.call("POST", path, body, identity)

    def sent(self) -> list[str]:
        """Every SMS text delivered so far (the stream and SNS run first)."""
        while self.pump.drain():
            pass
        self.received += [d.text for d in self.outbox.collect() if d.address == PHONE]
        return self.received


@pytest.fixture
def desk(approval_stack: DeployedStack) -> Desk:
    Api(approval_stack).subscribe_phone(PHONE, countries=["KZ"], language="ru", min_level=1)
    return Desk(approval_stack)


def test_a_level_3_post_waits_and_reaches_nobody_until_a_second_officer_approves(
    desk: Desk,
) -> None:
    status, body = desk.post(advisory("mfa-kg-two", 3))
    assert (status, body["status"], body["version"]) == (202, "pending_approval", 1)
    assert body["advisory"]["approval"] == "pending"
    assert "level 3 (ApprovalLevel 3)" in body["advisory"]["approval_rule"]
    assert desk.sent() == []

    # The approval queue shows it with what releasing it would send, to whom, at what cost.
    status, queue = desk.call("GET", "/approvals")
    assert status == 200
    [waiting] = queue["pending"]
    assert (waiting["advisory_id"], waiting["version"]) == ("mfa-kg-two", 1)
    assert waiting["published_by"] == OFFICER["userArn"]
    assert waiting["would_notify"] is True
    assert "ru" in waiting["preview"]
    assert sum(a["subscribers"] for a in waiting["audience"]) == 1  # the one KZ phone
    assert waiting["cost"]["billed_segments"] >= 1
    assert waiting["cost"]["total"] > 0
    assert waiting["expires_at"] > waiting["received_at"]

    # The officer who published it cannot approve it.
    status, refused = desk.decide("mfa-kg-two", 1, "approve", OFFICER)
    assert status == 403, refused
    assert "second officer" in refused["error"]
    assert desk.sent() == []

    status, approved = desk.decide("mfa-kg-two", 1, "approve", SECOND, "checked with Astana")
    assert (status, approved["status"]) == (200, "approved"), approved
    assert len(desk.sent()) == 1

    # Approving twice sends nothing more.
    status, twice = desk.decide("mfa-kg-two", 1, "approve", SECOND)
    assert status == 409, twice
    assert "no longer waits" in twice["error"]
    assert len(desk.sent()) == 1
    assert desk.call("GET", "/approvals")[1]["pending"] == []

    status, history = desk.call("GET", "/advisories/mfa-kg-two/history")
    assert status == 200
    [version] = history["versions"]
    assert version["approval"] == "approved"
    assert version["published_by"] == OFFICER["userArn"]
    assert version["decided_by"] == SECOND["userArn"]
    assert version["decision_reason"] == "checked with Astana"
    assert version["decided_at"]


def test_a_rejected_version_is_never_sent_and_cannot_be_approved_after(desk: Desk) -> None:
    assert desk.post(advisory("mfa-kg-no", 4))[0] == 202
    status, missing = desk.decide("mfa-kg-no", 1, "reject", SECOND)
    assert status == 400
    assert "reason" in missing["error"]
    status, rejected = desk.decide("mfa-kg-no", 1, "reject", SECOND, "wrong country")
    assert (status, rejected["status"]) == (200, "rejected")
    status, late = desk.decide("mfa-kg-no", 1, "approve", SECOND)
    assert status == 409
    assert "rejected" in late["error"]
    assert desk.sent() == []
    [version] = desk.call("GET", "/advisories/mfa-kg-no/history")[1]["versions"]
    assert (version["approval"], version["decided_by"], version["decision_reason"]) == (
        "rejected",
        SECOND["userArn"],
        "wrong country",
    )


def test_a_pending_version_a_newer_one_replaces_is_never_sent(desk: Desk) -> None:
    assert desk.post(advisory("mfa-kg-new", 4))[0] == 202
    status, second = desk.post(advisory("mfa-kg-new", 4, "Покиньте Алматы немедленно"))
    assert (status, second["version"]) == (202, 2)
    status, stale = desk.decide("mfa-kg-new", 1, "approve", SECOND)
    assert status == 409, stale
    assert "replaced" in stale["error"], stale
    assert desk.sent() == []
    # Only the newer one waits; approving it sends it once, as a new alert.
    assert [p["version"] for p in desk.call("GET", "/approvals")[1]["pending"]] == [2]
    assert desk.decide("mfa-kg-new", 2, "approve", SECOND)[0] == 200
    sent = desk.sent()
    assert len(sent) == 1
    assert "Алматы" in sent[0]
    versions = desk.call("GET", "/advisories/mfa-kg-new/history")[1]["versions"]
    assert [v["approval"] for v in versions] == ["replaced", "approved"]


def _age(desk: Desk, advisory_id: str, hours: float) -> None:
    """As if the version had been stored `hours` ago."""
    desk.stack.client("dynamodb").update_item(
        TableName=desk.stack.resources["AdvisoriesTable"],
        Key={"advisory_id": {"S": advisory_id}, "version": {"N": "1"}},
        UpdateExpression="SET received_at = :t",
        ExpressionAttributeValues={
            ":t": {"S": (datetime.now(UTC) - timedelta(hours=hours)).isoformat()}
        },
    )


def test_the_sweep_expires_a_version_that_waited_too_long_unsent(desk: Desk) -> None:
    assert desk.post(advisory("mfa-kg-slow", 3))[0] == 202
    assert desk.post(advisory("mfa-kg-soon", 3))[0] == 202
    _age(desk, "mfa-kg-slow", 1.5)  # ApprovalTimeoutMinutes is 60
    schedule = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    swept = desk.functions.invoke("IngestFunction", schedule)
    assert swept == {"expired": ["mfa-kg-slow#v1"], "replaced": [], "waiting": 1}
    assert [p["advisory_id"] for p in desk.call("GET", "/approvals")[1]["pending"]] == [
        "mfa-kg-soon"
    ]
    status, late = desk.decide("mfa-kg-slow", 1, "approve", SECOND)
    assert status == 409, late
    assert desk.sent() == []


def test_a_version_waiting_longer_than_the_timeout_is_never_sent(desk: Desk) -> None:
    assert desk.post(advisory("mfa-kg-late", 3))[0] == 202
    _age(desk, "mfa-kg-late", 2)
    status, expired = desk.decide("mfa-kg-late", 1, "approve", SECOND)
    assert status == 409, expired
    assert "60 minutes" in expired["error"], expired
    assert desk.sent() == []
    [version] = desk.call("GET", "/advisories/mfa-kg-late/history")[1]["versions"]
    assert version["approval"] == "expired"


def test_below_the_rules_it_goes_out_and_a_cancel_of_an_approved_advisory_too(
    desk: Desk,
) -> None:
    status, body = desk.post(advisory("mfa-kg-low", 2))
    assert (status, body["status"]) == (201, "created")
    assert len(desk.sent()) == 1

    assert desk.post(advisory("mfa-kg-high", 4))[0] == 202
    assert desk.decide("mfa-kg-high", 1, "approve", SECOND)[0] == 200
    assert len(desk.sent()) == 2
    cancel = json.loads(advisory("mfa-kg-high", 4))
    cancel["msg_type"] = "cancel"
    status, body = desk.post(json.dumps(cancel).encode())
    assert (status, body["status"]) == (201, "created"), body
    assert len(desk.sent()) == 3


def test_a_dry_run_says_a_version_would_need_approval(desk: Desk) -> None:
    route = next(r for r in desk.stack.routes if r.path == "/advisories")
    event = api_event(route, "POST", "/advisories", {}, "dry_run=true",
                      {"content-type": "application/json"}, advisory("mfa-kg-dry", 4),
                      "198.51.100.9", OFFICER)  # fmt: skip
    body = json.loads(desk.functions.invoke("IngestFunction", event)["body"])
    assert "level 4" in body["would_need_approval"]
    assert desk.sent() == []


def test_a_route_refuses_what_it_does_not_define(desk: Desk) -> None:
    assert desk.post(advisory("mfa-kg-bad", 3))[0] == 202
    assert desk.decide("mfa-kg-bad", 7, "approve", SECOND)[0] == 404
    status, body = desk.call("POST", "/advisories/mfa-kg-bad/versions/x1/approve", None, SECOND)
    assert status == 400
    assert "version" in body["error"]
    status, body = desk.call(
        "POST", "/advisories/mfa-kg-bad/versions/1/approve", {"reason": "ok", "level": 1}, SECOND
    )
    assert status == 422, body
    assert desk.sent() == []


def test_more_subscribers_than_approval_audience_need_a_second_officer(
    moto_endpoint: str,
) -> None:
    stack = deploy(
        moto_endpoint,
        f"aa{uuid.uuid4().hex[:8]}",
        parameters={"ApprovalLevel": "5", "ApprovalAudience": "1"},
    )
    apply_environment(stack, "WARNING")
    api = Api(stack)
    api.subscribe_phone(PHONE, countries=["KZ"], language="ru", min_level=1)
    api.subscribe_phone("+77011230089", countries=["KZ"], language="ru", min_level=1)
    desk = Desk(stack)
    status, body = desk.post(advisory("mfa-kg-wide", 2))
    assert status == 202, body
    assert "2 subscribers (more than ApprovalAudience 1)" in body["advisory"]["approval_rule"]
    assert desk.sent() == []
    assert desk.decide("mfa-kg-wide", 1, "approve", SECOND)[0] == 200
    assert len(desk.sent()) == 1

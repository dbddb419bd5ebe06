"""Hostile use of two-person approval (issue 14), through the real handlers on moto with the
template's rules: each attack on a version held for approval gets a 4xx naming the problem,
the version keeps its state, and the local outbox stays empty (nothing sent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from alerts_local.stack import DeployedStack
from tests.integration.citizen_api import Api
from tests.integration.test_approval import OFFICER, PHONE, SECOND, Desk, _age
from tests.integration.test_publisher_versions import advisory

NO_IDENTITY: dict[str, str] = {"userArn": "", "caller": ""}


@dataclass(frozen=True)
class Attack:
    id: str
    prepare: Callable[[Desk], None]  # what happened before (stored, decided, ...)
    path: str  # the request the attacker sends
    body: object
    identity: dict[str, str]
    status: int
    names: str  # the refusal must say this
    approval: str  # the state the version keeps


def _nothing(desk: Desk) -> None:
    return None


def _replaced(desk: Desk) -> None:
    assert desk.post(advisory("hx-ap", 4, "Покиньте город"))[0] == 202


def _expired(desk: Desk) -> None:
    _age(desk, "hx-ap", 3)


def _rejected(desk: Desk) -> None:
    assert desk.decide("hx-ap", 1, "reject", SECOND, "not ours")[0] == 200


def _approved(desk: Desk) -> None:
    assert desk.decide("hx-ap", 1, "approve", SECOND)[0] == 200


APPROVE, REJECT = "/advisories/hx-ap/versions/1/approve", "/advisories/hx-ap/versions/1/reject"
ATTACKS = [
    Attack("same-principal-approves", _nothing, APPROVE, None, OFFICER, 403, "second officer",
           "pending"),
    Attack("same-principal-rejects", _nothing, REJECT, {"reason": "x"}, OFFICER, 403,
           "second officer", "pending"),
    Attack("unsigned-approval", _nothing, APPROVE, None, NO_IDENTITY, 403, "IAM identity",
           "pending"),
    Attack("approve-a-replaced-version", _replaced, APPROVE, None, SECOND, 409, "replaced",
           "replaced"),
    Attack("approve-an-expired-version", _expired, APPROVE, None, SECOND, 409, "60 minutes",
           "expired"),
    Attack("approve-after-rejection", _rejected, APPROVE, None, SECOND, 409, "rejected",
           "rejected"),
    Attack("reject-after-rejection", _rejected, REJECT, {"reason": "again"}, SECOND, 409,
           "rejected", "rejected"),
    Attack("reject-without-reason", _nothing, REJECT, {"reason": ""}, SECOND, 400, "reason",
           "pending"),
    Attack("markup-in-reason", _nothing, REJECT, {"reason": "<script>x</script>"}, SECOND, 422,
           "reason", "pending"),
    Attack("unknown-field-in-decision", _nothing, APPROVE, {"reason": "ok", "level": 1}, SECOND,
           422, "level", "pending"),
    Attack("version-zero", _nothing, "/advisories/hx-ap/versions/0/approve", None, SECOND, 400,
           "version", "pending"),
    Attack("version-not-a-number", _nothing, "/advisories/hx-ap/versions/1e3/approve", None,
           SECOND, 400, "version", "pending"),
    Attack("version-not-stored", _nothing, "/advisories/hx-ap/versions/9/approve", None, SECOND,
           404, "no version 9", "pending"),
    Attack("decision-as-a-string", _nothing, APPROVE, b'"approve"', SECOND, 400, "JSON object",
           "pending"),
]  # fmt: skip


@pytest.fixture
def desk(approval_stack: DeployedStack) -> Desk:
    Api(approval_stack).subscribe_phone(PHONE, countries=["KZ"], language="ru", min_level=1)
    desk = Desk(approval_stack)
    assert desk.post(advisory("hx-ap", 4))[0] == 202
    return desk


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.id)
def test_an_attack_on_a_held_version_is_refused_and_sends_nothing(
    desk: Desk, attack: Attack
) -> None:
    attack.prepare(desk)
    status, reply = desk.call("POST", attack.path, attack.body, attack.identity)
    assert status == attack.status, reply
    assert attack.names in (reply.get("error") or reply.get("message", "")), reply
    versions = desk.call("GET", "/advisories/hx-ap/history")[1]["versions"]
    assert versions[0]["approval"] == attack.approval
    assert desk.sent() == []


def test_approving_twice_sends_once(desk: Desk) -> None:
    _approved(desk)
    status, reply = desk.call("POST", APPROVE, None, SECOND)
    assert status == 409, reply
    assert len(desk.sent()) == 1

"""Issue 15, item 3, through the citizen API's handler on moto: the routes that take a number
make the same AWS calls (service, operation, table or index) and give the same answer
whether or not the number is subscribed; only the code SMS itself differs. The junk-request
attack of item 1 leaves the service's SMS budgets and every table of subscriptions as they
were."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from alerts_local.calls import CallRecorder, recording
from alerts_local.stack import DeployedStack
from tests.integration.citizen_api import PHONE, Api

UNKNOWN = "+77011234999"  # a valid Kazakh mobile number nobody subscribed


@pytest.fixture
def api(stack: DeployedStack) -> Api:
    return Api(stack)


def _aws_calls(
    api: Api, method: str, path: str, payload: dict[str, Any], ip: str = "203.0.113.10"
) -> tuple[tuple[int, dict[str, Any]], list[str]]:
    recorder = CallRecorder(everywhere=True)
    with recording(recorder):
        status, reply, _ = api.call(method, path, payload, ip=ip)
    names = {v: k for k, v in api.stack.resources.items()}
    calls = [
        " ".join(
            part
            for part in (
                call.service,
                call.operation,
                names.get(str(call.params.get("TableName", "")), ""),
                str(call.params.get("IndexName", "")),
                # The transaction's counters by kind (their keys hold the number's hash).
                ",".join(
                    item["Update"]["Key"]["limit_key"]["S"].split("#")[0]
                    for item in call.params.get("TransactItems", [])
                ),
            )
            if part
        )
        for call in recorder.calls
        if call.operation != "GetSecretValue"  # once per container, whatever the request
    ]
    return (status, reply), calls


def _table(api: Api, resource: str) -> list[dict[str, Any]]:
    client = api.stack.client("dynamodb")
    return client.scan(TableName=api.stack.resources[resource])["Items"]


def _sms_count() -> int:
    return sum(len(backend.sms_messages) for backend in _sns_backends())


def _sns_backends() -> Iterator[Any]:
    return iter(sns_backends[DEFAULT_ACCOUNT_ID].values())


def test_code_and_token_by_number_make_the_same_aws_calls_subscribed_or_not(api: Api) -> None:
    api.subscribe_phone(PHONE)
    api.call("POST", "/subscriptions/code", {"address": "+77011230000"})  # warm the container
    limits = api.stack.resources["RateLimitsTable"]
    client = api.stack.client("dynamodb")
    for item in client.scan(TableName=limits)["Items"]:  # no cooldown from the sign-up
        if item["limit_key"]["S"].startswith("cooldown#"):
            client.delete_item(TableName=limits, Key={"limit_key": item["limit_key"]})

    sms_before = _sms_count()
    subscribed = _aws_calls(api, "POST", "/subscriptions/code", {"address": PHONE})
    assert _sms_count() == sms_before + 1
    unknown = _aws_calls(api, "POST", "/subscriptions/code", {"address": UNKNOWN})
    assert _sms_count() == sms_before + 1  # no SMS to a number without subscription
    assert subscribed[0] == unknown[0]
    assert subscribed[0][0] == 202
    sms_publish = "sns Publish"
    assert sms_publish in subscribed[1]
    assert [c for c in subscribed[1] if c != sms_publish] == unknown[1]
    assert "dynamodb GetItem SubscribersTable" in unknown[1]  # an absent record, read all the same

    code = api.code(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for_subscribed = _aws_calls(
        api, "POST", "/subscriptions/token", {"address": PHONE, "code": wrong}
    )
    for_unknown = _aws_calls(
        api, "POST", "/subscriptions/token", {"address": UNKNOWN, "code": code}
    )
    assert for_subscribed == for_unknown
    assert for_subscribed[0][0] == 400
    assert not any("SubscribersTable" in call for call in for_subscribed[1])

    status, reply, _ = api.call("POST", "/subscriptions/token", {"address": PHONE, "code": code})
    assert status == 200, reply


def test_junk_code_requests_leave_every_table_and_outbox_as_it_was(api: Api) -> None:
    subscribers = _table(api, "SubscribersTable")
    sms_before = _sms_count()
    for n in range(12):  # 12 numbers without subscription, from 4 client networks
        status, _, _ = api.call(
            "POST", "/subscriptions/code", {"address": f"+770112300{n:02d}"}, ip=f"198.{n % 4}.7.1"
        )
        assert status == 202
    assert _table(api, "SubscribersTable") == subscribers
    assert _sms_count() == sms_before
    shared = [
        item
        for item in _table(api, "RateLimitsTable")
        if item["limit_key"]["S"].split("#")[0] in {"global", "prefix"}
    ]
    assert shared  # checked and written,
    assert {int(item["hits"]["N"]) for item in shared} == {0}  # spent by none

    api.subscribe_phone(PHONE)  # a real citizen: one code sent, counted
    assert {
        int(item["hits"]["N"])
        for item in _table(api, "RateLimitsTable")
        if item["limit_key"]["S"].startswith("global#")
    } == {1}


def test_a_code_in_other_digits_is_refused_without_spending_an_attempt(api: Api) -> None:
    status, reply, _ = api.call(
        "POST",
        "/subscriptions",
        {"channel": "sms", "address": PHONE, "countries": ["KZ"], "language": "ru"},
    )
    subscription_id = reply["subscription_id"]
    before = _table(api, "SubscribersTable")
    for code in ("١٢٣٤٥٦", "１２３４５６"):
        status, reply, _ = api.call(
            "POST", f"/subscriptions/{subscription_id}/verify", {"code": code}
        )
        assert status == 422
        assert "code" in reply["error"]
        assert "ASCII digits 0-9" in reply["error"]
    assert _table(api, "SubscribersTable") == before  # no attempt counted

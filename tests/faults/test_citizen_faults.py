"""Faults at the citizen API: a throttled dependency answers 503 with Retry-After (never a
bare 5xx), and the citizen's next try gets through."""

from __future__ import annotations

import pytest
from consular_alerts.adapters import aws_clients

from alerts_local.stack import DeployedStack
from tests.injection import inject_client_error
from tests.integration.citizen_api import Api


@pytest.fixture
def api(stack: DeployedStack, sdk_sleeps: list[float]) -> Api:
    return Api(stack)  # the SDK's back-offs recorded, not slept (sdk_sleeps)


def subscribe(api: Api, phone: str) -> tuple[int, dict[str, object], dict[str, str]]:
    return api.call(
        "POST",
        "/subscriptions",
        {"channel": "sms", "address": phone, "countries": ["KZ"], "language": "ru"},
    )


def test_sms_throttled_beyond_the_sdk_is_503_and_a_retry_sends_the_code(api: Api) -> None:
    phone = "+77011230001"  # moto's SMS outbox is shared by the tests of a process
    fault = inject_client_error(aws_clients.sns(), "Publish", "Throttling", times=5)
    status, reply, headers = subscribe(api, phone)
    fault.remove()
    assert fault.fired == 5
    assert status == 503, reply
    assert headers["Retry-After"] == "5"
    assert "busy" in str(reply["error"])
    assert api.sms(phone) == []

    status, reply, _ = subscribe(api, phone)
    assert status == 202, reply
    assert len(api.sms(phone)) == 1


@pytest.mark.parametrize(
    ("operation", "phone"),
    [("TransactWriteItems", "+77011230002"), ("PutItem", "+77011230003")],  # limits, record
)
def test_storage_throttled_beyond_the_sdk_is_503_with_no_code_sent(
    api: Api, operation: str, phone: str
) -> None:
    fault = inject_client_error(
        aws_clients.dynamodb(), operation, "ProvisionedThroughputExceededException", times=5
    )
    status, reply, headers = subscribe(api, phone)
    fault.remove()
    assert fault.fired == 5
    assert status == 503, reply
    assert headers["Retry-After"] == "5"
    assert api.sms(phone) == []  # no SMS paid for a request that failed
    status, reply, _ = subscribe(api, phone)
    assert status == 202, reply
    assert len(api.sms(phone)) == 1


def test_an_sms_with_no_answer_in_time_is_503_and_stays_counted(api: Api) -> None:
    # SNS may have sent it: the budget is not given back (a timeout must not be a free SMS).
    from tests.injection import inject_read_timeout

    phone = "+77011230004"
    fault = inject_read_timeout(aws_clients.sns(), "Publish", times=5)
    status, reply, headers = subscribe(api, phone)
    fault.remove()
    assert fault.fired == 5
    assert (status, headers["Retry-After"]) == (503, "60")
    assert "may still arrive" in str(reply["error"])
    status, reply, _ = subscribe(api, phone)
    assert status == 429, reply  # the resend cooldown holds: the first code may be there

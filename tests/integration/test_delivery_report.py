"""The delivery report and the delivered-share alarm on moto (issue 17, part 2): after
receipts arrive, GET /advisories/{id}/versions/{v}/delivery answers per segment with
subscribers, delivered, failed by reason, pending, cost and the time to the last receipt; the
scheduled check finds a level 3-4 advisory whose delivered share stays low."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from consular_alerts import bootstrap

from alerts_local.stack import DeployedStack
from tests.conftest import EVENTS
from tests.integration.citizen_api import Api
from tests.integration.publisher_api import Publisher
from tests.integration.test_receipts import KY_PHONE, RU_PHONE, deliver, message_ids, receipt

SCHEDULE = json.loads((EVENTS / "scheduled-poll.json").read_text("utf-8"))


def publish(
    stack: DeployedStack, level: int, addresses: tuple[str, ...] = ("dana@example.org",)
) -> tuple[Publisher, str, dict[str, str]]:
    citizens = Api(stack)
    citizens.subscribe_phone(RU_PHONE, countries=["KZ"], language="ru")
    citizens.subscribe_phone(KY_PHONE, countries=["KZ"], language="ky")
    for address in addresses:
        citizens.subscribe_email(address, countries=["KZ"], language="ru")
    publisher = Publisher(stack, citizens.functions)
    event = json.loads((EVENTS / "post-advisory-seed.json").read_text("utf-8"))
    event["queryStringParameters"] = {"level": str(level)}
    response = publisher.functions.invoke("IngestFunction", event)
    assert response["statusCode"] == 201
    publisher.pump.drain()
    advisory_id = json.loads(response["body"])["advisory_id"]
    return publisher, advisory_id, message_ids(stack)


def report(publisher: Publisher, advisory_id: str, version: str = "1") -> tuple[int, Any]:
    return publisher.call("GET", f"/advisories/{advisory_id}/versions/{version}/delivery")


def test_the_report_counts_per_segment_and_in_total(
    stack: DeployedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher, advisory_id, ids = publish(stack, level=2)
    status, before = report(publisher, advisory_id)
    assert status == 200
    assert before["sms"]["delivered"] == 0
    assert before["pending"] == 3  # two phones and an address, nothing heard of yet

    published = datetime.now(UTC)
    deliver(publisher, [receipt(ids["KZ-ru-L1"], RU_PHONE, published=published)])
    failure = receipt(
        ids["KZ-ky-L1"], KY_PHONE, delivered=False, response="Phone number is opted out"
    )
    deliver(publisher, [failure], failure=True)
    status, data = report(publisher, advisory_id)
    assert status == 200
    assert (data["advisory_id"], data["version"]) == (advisory_id, 1)
    segments = {s["segment"]: s for s in data["segments"]}
    assert sorted(segments) == ["KZ-ky-L1", "KZ-ru-L1"]  # the segments published to
    ru, ky = segments["KZ-ru-L1"], segments["KZ-ky-L1"]
    assert ru["audience"] == 2  # a phone and an address
    assert (ru["sms"]["delivered"], ru["pending"]) == (1, 1)
    assert ru["sms"]["by_operator"] == {"401-02": 1}
    assert ru["message_id"] == ids["KZ-ru-L1"]
    assert (ky["audience"], ky["sms"]["failed"], ky["pending"]) == (1, 1, 0)
    assert ky["sms"]["failed_by_reason"] == {"opted_out": 1}
    assert data["sms"]["delivered"] == 1
    assert data["sms"]["failed"] == 1
    assert data["sms"]["by_country"] == {"KZ": 2}
    assert data["sms"]["cost_usd"] == pytest.approx(2 * 0.0537)
    assert (data["audience"], data["pending"], data["delivered_share"]) == (3, 1, 0.5)
    assert data["seconds_to_last_receipt"] is not None
    assert "through SES" in data["email"]
    assert data["emails"]["sent"] == 0  # the email queue was not run here
    # The audience was kept in the table the first time the report looked.
    tally = stack.client("dynamodb").get_item(
        TableName=stack.resources["DeliveryReceiptsTable"],
        Key={"delivery_key": {"S": f"{advisory_id}#v1"}, "item": {"S": "S#KZ-ru-L1"}},
    )["Item"]
    assert tally["audience"] == {"N": "2"}
    # A level 2 advisory at 50%: the alarm's check leaves it alone (levels 3-4 only).
    assert check(publisher, monkeypatch) == []


def test_every_confirmed_email_subscriber_is_in_the_audience(stack: DeployedStack) -> None:
    # The segment topic has one subscription for all three addresses (the email queue's).
    addresses = tuple(f"reader{n}@example.org" for n in range(3))
    publisher, advisory_id, _ = publish(stack, level=2, addresses=addresses)
    status, data = report(publisher, advisory_id)
    assert status == 200
    segments = {s["segment"]: s for s in data["segments"]}
    assert (segments["KZ-ru-L1"]["audience"], segments["KZ-ru-L1"]["pending"]) == (4, 4)
    assert segments["KZ-ky-L1"]["audience"] == 1
    assert data["audience"] == 5


def test_bad_requests_are_4xx_naming_the_problem(stack: DeployedStack) -> None:
    publisher = Publisher(stack)
    status, reply = report(publisher, "mfa-kg-unknown")
    assert (status, "no version 1" in reply["error"]) == (404, True)
    status, reply = report(publisher, "mfa-kg-unknown", "one")
    assert (status, reply["error"].startswith("version")) == (400, True)
    status, reply = report(publisher, "mfa-kg-unknown", "0")
    assert (status, reply["error"].startswith("version")) == (400, True)
    status, reply = publisher.call(
        "GET", "/advisories/x/versions/1/delivery", query={"segment": "KZ-ru-L1"}
    )
    assert (status, "segment" in reply["error"]) == (400, True)


def check(
    publisher: Publisher, monkeypatch: pytest.MonkeyPatch, what: str = "below", minutes: int = 20
) -> list[str]:
    """The scheduled check, its clock `minutes` on (no waiting in tests): only the check's
    service is built with it, the rest of the stack keeps the real time."""
    later = datetime.now(UTC) + timedelta(minutes=minutes)
    with monkeypatch.context() as patched:
        patched.setattr(bootstrap, "utc_now", lambda: later)
        bootstrap.delivery_report_service.cache_clear()
        result = publisher.functions.invoke("DeliveryReportFunction", SCHEDULE)
    bootstrap.delivery_report_service.cache_clear()
    return list(result[what])


def test_the_check_finds_a_level_3_advisory_below_the_delivered_share(
    stack: DeployedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher, advisory_id, ids = publish(stack, level=3)
    # No receipt at all 15 minutes on: SNS sent nothing, or its logs do not arrive.
    [below] = check(publisher, monkeypatch)
    assert below.startswith(f"{advisory_id}#v1: no SMS receipt")
    # One of two phones reached: 50% < 90%.
    deliver(publisher, [receipt(ids["KZ-ru-L1"], RU_PHONE)])
    deliver(publisher, [receipt(ids["KZ-ky-L1"], KY_PHONE, delivered=False)], failure=True)
    [below] = check(publisher, monkeypatch)
    assert "delivered 50% of 2 SMS, below 90%" in below
    # The other phone's delivery overtakes its failure: 100%, nothing to say.
    deliver(publisher, [receipt(ids["KZ-ky-L1"], KY_PHONE)])
    assert check(publisher, monkeypatch) == []


CANARY = "+77470000001"


def on_call_inbox(stack: DeployedStack) -> Callable[[], list[tuple[str, str]]]:
    """A queue on the operations topic (as an on-call email would be): each call returns the
    (subject, text) of the notices that arrived since the last."""
    sqs, sns = stack.client("sqs"), stack.client("sns")
    queue = sqs.create_queue(QueueName="on-call")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=stack.resources["OperationsAlarmTopic"],
        Protocol="sqs",
        Endpoint=arn["Attributes"]["QueueArn"],
    )

    def arrived() -> list[tuple[str, str]]:
        notices = []
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            body = json.loads(message["Body"])
            notices.append((body.get("Subject", ""), body["Message"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return notices

    return arrived


def test_a_canary_without_a_delivered_receipt_names_its_operator(
    stack: DeployedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.client("secretsmanager").put_secret_value(
        SecretId=stack.resources["CanaryPhonesSecret"],
        SecretString=json.dumps([{"country": "KZ", "operator": "Kcell", "phone": CANARY}]),
    )
    publisher = Publisher(stack)
    # The check puts the canary on every segment of its country: 3 languages x 4 levels.
    assert check(publisher, monkeypatch, "canaries") == []
    citizens = Api(stack)
    for language in ("ky", "ru", "en"):
        for level in (1, 2, 3, 4):
            assert citizens.endpoints(f"KZ-{language}-L{level}") == [CANARY]

    on_call = on_call_inbox(stack)
    event = json.loads((EVENTS / "post-advisory-seed.json").read_text("utf-8"))
    event["queryStringParameters"] = {"level": "3"}
    response = publisher.functions.invoke("IngestFunction", event)
    assert response["statusCode"] == 201
    advisory_id = json.loads(response["body"])["advisory_id"]
    publisher.pump.drain()
    ids = message_ids(stack)
    assert len(ids) == 9  # KZ x ky, ru, en x levels 1-3
    # Not yet CanaryMinutes (10) on: nothing is missing.
    assert check(publisher, monkeypatch, "canaries", minutes=5) == []
    assert on_call() == []
    missing = check(publisher, monkeypatch, "canaries", minutes=12)
    assert len(missing) == 9
    assert all(line.startswith("Kcell (KZ) KZ-") and line.endswith(": none") for line in missing)
    # Whoever is on call reads whom to call, once: the next checks stay silent.
    [(subject, text)] = on_call()
    assert subject == "Canary phones not reached: Kcell (KZ)"
    assert "Kcell (KZ): no receipt on KZ-en-L1, KZ-en-L2, KZ-en-L3, KZ-ky-L1" in text
    assert f"advisory {advisory_id} version 1" in text
    assert CANARY not in text
    assert CANARY[1:] not in text
    assert len(check(publisher, monkeypatch, "canaries", minutes=17)) == 9
    assert on_call() == []

    # Its receipts arrive: one failed, the others delivered; the failed one stays named.
    failed = "KZ-en-L3"
    deliver(publisher, [receipt(ids[s], CANARY) for s in ids if s != failed])
    deliver(publisher, [receipt(ids[failed], CANARY, delivered=False)], failure=True)
    [line] = check(publisher, monkeypatch, "canaries")
    assert line.startswith(f"Kcell (KZ) {failed} ")
    assert line.endswith(": failed")

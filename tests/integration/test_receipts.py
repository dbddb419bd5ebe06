"""SMS delivery receipts on moto (issue 17, part 1): SNS's delivery-status records, handed to
the receipts function as a CloudWatch Logs subscription would, are counted against the right
advisory version and segment, once, including receipts that arrive twice, late, for unknown
messages or unreadable; no phone number is stored in clear."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer

from alerts_local.sms_receipts import LogEvent, awslogs_event, delivery_status_record, log_group
from alerts_local.stack import DeployedStack
from tests.conftest import EVENTS
from tests.integration.citizen_api import Api
from tests.integration.publisher_api import Publisher

RU_PHONE, KY_PHONE = "+77011234567", "+77011234568"
_plain = TypeDeserializer()


@pytest.fixture
def published(stack: DeployedStack) -> tuple[Publisher, dict[str, str]]:
    """The seed published to two segments with a phone each; segment -> SNS message id."""
    citizens = Api(stack)
    citizens.subscribe_phone(RU_PHONE, countries=["KZ"], language="ru")
    citizens.subscribe_phone(KY_PHONE, countries=["KZ"], language="ky")
    publisher = Publisher(stack, citizens.functions)
    publisher.post_seed()
    return publisher, message_ids(stack)


def message_ids(stack: DeployedStack) -> dict[str, str]:
    """segment -> message id, as the delivery ledger keeps them for published segments."""
    items = stack.client("dynamodb").scan(TableName=stack.resources["DeliveryLedgerTable"])
    return {
        item["segment"]["S"]: item["message_id"]["S"]
        for item in items["Items"]
        if "message_id" in item
    }


def receipt(
    message_id: str,
    phone: str,
    *,
    delivered: bool = True,
    response: str = "",
    published: datetime | None = None,
    topic_arn: str = "",
) -> str:
    record = delivery_status_record(
        message_id,
        published or datetime.now(UTC),
        phone,
        delivered=delivered,
        provider_response=response,
        price_usd=0.0537,
        country="KZ",
        topic_arn=topic_arn,
    )
    return json.dumps(record)


def deliver(
    publisher: Publisher, messages: list[str], *, failure: bool = False, at: datetime | None = None
) -> dict[str, Any]:
    moment = at or datetime.now(UTC)
    events = [LogEvent(f"{moment.timestamp()}-{n}", moment, m) for n, m in enumerate(messages)]
    group = log_group(publisher.stack.region, "123456789012", failure=failure)
    result = publisher.functions.invoke("ReceiptsFunction", awslogs_event(group, events))
    return dict(result)


def items(stack: DeployedStack, partition: str) -> dict[str, dict[str, Any]]:
    client = stack.client("dynamodb")
    found = client.query(
        TableName=stack.resources["DeliveryReceiptsTable"],
        KeyConditionExpression="delivery_key = :k",
        ExpressionAttributeValues={":k": {"S": partition}},
    )["Items"]
    return {i["item"]["S"]: {k: _plain.deserialize(v) for k, v in i.items()} for i in found}


def version_key(publisher: Publisher, version: int = 1) -> str:
    ledger = publisher.stack.client("dynamodb").scan(
        TableName=publisher.stack.resources["DeliveryLedgerTable"]
    )["Items"]
    keys = sorted({i["delivery_key"]["S"] for i in ledger})
    return next(k for k in keys if k.endswith(f"#v{version}"))


def test_receipts_are_counted_against_their_version_and_segment(
    stack: DeployedStack, published: tuple[Publisher, dict[str, str]]
) -> None:
    publisher, ids = published
    # The ledger keeps each publish's SNS message id: the id SNS answered the publish with.
    assert sorted(ids) == ["KZ-ky-L1", "KZ-ru-L1"]
    sent = {d.topic.rsplit("-seg-", 1)[1]: d.message_id for d in publisher.outbox.deliveries}
    assert ids == sent

    result = deliver(publisher, [receipt(ids["KZ-ru-L1"], RU_PHONE)])
    unreachable = "Phone is currently unreachable/unavailable"
    failure = receipt(ids["KZ-ky-L1"], KY_PHONE, delivered=False, response=unreachable)
    deliver(publisher, [failure], failure=True)
    assert result["counted"] == 1
    tallies = items(stack, version_key(publisher))
    ru, ky = tallies["S#KZ-ru-L1"], tallies["S#KZ-ky-L1"]
    assert (ru["delivered"], ru.get("failed", 0), ru["country_KZ"]) == (1, 0, 1)
    assert ru["operator_401-02"] == 1
    assert float(ru["cost_usd"]) == pytest.approx(0.0537)
    assert (ky.get("delivered", 0), ky["failed"], ky["reason_unreachable"]) == (0, 1, 1)
    assert ru["message_id"] == ids["KZ-ru-L1"]
    assert len([k for k in tallies if k.startswith("R#")]) == 2

    # No phone number is stored in clear, not even its digits.
    dump = json.dumps(
        stack.client("dynamodb").scan(TableName=stack.resources["DeliveryReceiptsTable"])
    )
    for phone in (RU_PHONE, KY_PHONE):
        assert phone[1:] not in dump


def test_a_receipt_arriving_twice_counts_once_and_a_later_status_moves_the_count(
    stack: DeployedStack, published: tuple[Publisher, dict[str, str]]
) -> None:
    publisher, ids = published
    message = receipt(ids["KZ-ru-L1"], RU_PHONE)
    first = deliver(publisher, [message])
    again = deliver(publisher, [message, message])  # redelivered, and twice in one batch
    assert (first["counted"], again["counted"], again["duplicates"]) == (1, 0, 2)
    tally = items(stack, version_key(publisher))["S#KZ-ru-L1"]
    assert (tally["delivered"], tally["duplicates"]) == (1, 2)
    assert float(tally["cost_usd"]) == pytest.approx(0.0537)

    # A failure that a delivery to the same phone overtakes: moved, not added.
    deliver(publisher, [receipt(ids["KZ-ky-L1"], KY_PHONE, delivered=False)], failure=True)
    result = deliver(publisher, [receipt(ids["KZ-ky-L1"], KY_PHONE)])
    assert result["changed"] == 1
    tally = items(stack, version_key(publisher))["S#KZ-ky-L1"]
    assert (tally["delivered"], tally["failed"], tally["reason_unreachable"]) == (1, 0, 0)
    assert tally["country_KZ"] == 1  # one phone, not two


def test_a_late_receipt_goes_to_the_version_it_reports_on(
    stack: DeployedStack, published: tuple[Publisher, dict[str, str]]
) -> None:
    publisher, ids = published
    v1_ru = ids["KZ-ru-L1"]
    # A newer version goes out to the same segment...
    changed = json.loads((EVENTS / "post-advisory-seed.json").read_text("utf-8"))
    changed["queryStringParameters"] = {"level": "3"}
    response = publisher.functions.invoke("IngestFunction", changed)
    assert response["statusCode"] == 201
    publisher.pump.drain()
    # ...and the v1 receipt arrives two days later: it is v1's.
    late = datetime.now(UTC) + timedelta(days=2)
    result = deliver(publisher, [receipt(v1_ru, RU_PHONE, published=datetime.now(UTC))], at=late)
    assert result["counted"] == 1
    assert items(stack, version_key(publisher, 1))["S#KZ-ru-L1"]["delivered"] == 1
    assert "S#KZ-ru-L1" not in items(stack, version_key(publisher, 2))

    # If SNS's record for a topic-delivered SMS carried another id than the publish's but
    # named the topic, the receipt goes to the last publish to that segment before it: v2.
    topic = f"arn:aws:sns:{stack.region}:123456789012:{stack.name}-seg-KZ-ky-L1"
    result = deliver(publisher, [receipt("per-recipient-id-1", KY_PHONE, topic_arn=topic)])
    assert (result["by_topic"], result["counted"]) == (1, 1)
    assert items(stack, version_key(publisher, 2))["S#KZ-ky-L1"]["delivered"] == 1


def test_unknown_unreadable_and_broken_input_is_counted_and_the_rest_goes_on(
    stack: DeployedStack, published: tuple[Publisher, dict[str, str]]
) -> None:
    publisher, ids = published
    result = deliver(
        publisher,
        [
            receipt("00000000-0000-0000-0000-000000000000", RU_PHONE),  # a one-time code, say
            "not json at all " + RU_PHONE,
            json.dumps({"notification": {"messageId": "x"}, "status": "PENDING"}),
            receipt(ids["KZ-ru-L1"], RU_PHONE),
        ],
    )
    assert (result["unattributed"], result["unreadable"], result["counted"]) == (1, 2, 1)
    today = datetime.now(UTC).date().isoformat()
    assert items(stack, f"unattributed#{today}")["S#"]["delivered"] == 1
    assert items(stack, version_key(publisher))["S#KZ-ru-L1"]["delivered"] == 1
    broken = publisher.functions.invoke("ReceiptsFunction", {"awslogs": {"data": "%%%"}})
    assert broken == {"unreadable_payload": 1}

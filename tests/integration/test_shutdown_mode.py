"""Shutdown mode on moto (issue 17, part 5): the duty officer marks a country's internet
disrupted through the publisher API; the next advisory's SMS to that country carry no link
and a second hotline, its emails say the page may not open, and the dry run shows the same.
A per-country segment budget is configuration."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from consular_alerts import bootstrap

from alerts_local.stack import DeployedStack
from tests.integration.citizen_api import Api
from tests.integration.email_flow import AllDeliveries
from tests.integration.publisher_api import Publisher, count_items

SEED_HOTLINES = ("+996772454444", "+77770371448")


@pytest.fixture
def publisher(stack: DeployedStack) -> Publisher:
    return Publisher(stack)


def test_the_officer_marks_a_country_disrupted_and_back(
    stack: DeployedStack, publisher: Publisher
) -> None:
    status, state = publisher.call("PUT", "/countries/KZ", {"internet": "disrupted"})
    assert status == 200, state
    assert (state["country_code"], state["internet"]) == ("KZ", "disrupted")
    assert state["sms_segment_budget"] == 2
    assert state["updated_at"]
    table = stack.client("dynamodb")
    item = table.get_item(
        TableName=stack.resources["CountriesTable"], Key={"country_code": {"S": "KZ"}}
    )["Item"]
    assert item["internet"] == {"S": "disrupted"}

    status, listed = publisher.call("GET", "/countries")
    assert status == 200
    assert listed["default_sms_segment_budget"] == 2
    assert [(c["country_code"], c["internet"]) for c in listed["countries"]] == [
        ("KZ", "disrupted")
    ]
    status, state = publisher.call("PUT", "/countries/KZ", {"internet": "normal"})
    assert (status, state["internet"]) == (200, "normal")

    # Back to normal: the SMS links to the advisory's page again, with one hotline.
    Api(stack).subscribe_phone("+77011234567", countries=["KZ"], language="ru")
    publisher.post_seed()
    [sms] = [d for d in publisher.outbox.deliveries if d.channel == "sms"]
    assert "alerts.mfa.gov.kg/a/" in sms.text
    assert SEED_HOTLINES[1] not in sms.text


BAD_SWITCHES = [
    ("/countries/XX", '{"internet": "disrupted"}', 422, "country_code"),
    ("/countries/kz", '{"internet": "disrupted"}', 422, "country_code"),
    ("/countries/KZ", '{"internet": "off"}', 422, "internet"),
    ("/countries/KZ", '{"internet": "disrupted", "since": "now"}', 422, "since"),
    ("/countries/KZ", "{}", 422, "internet"),
    ("/countries/KZ", '{"internet": "disrupted", "internet": "normal"}', 400, "duplicate"),
    ("/countries/KZ", "", 400, "body"),
]


def test_a_bad_switch_is_a_4xx_naming_the_problem_and_stores_nothing(
    stack: DeployedStack, publisher: Publisher
) -> None:
    for path, body, status, names in BAD_SWITCHES:
        got, reply = publisher.call("PUT", path, raw=body)
        assert (got, names in reply["error"]) == (status, True), (path, body, reply)
    status, reply = publisher.call("GET", "/countries", query={"all": "1"})
    assert (status, "all" in reply["error"]) == (400, True)
    status, reply = publisher.call(
        "PUT", "/countries/KZ", raw="internet=disrupted", content_type="text/plain"
    )
    assert (status, "content-type" in reply["error"]) == (415, True)
    assert count_items(stack, "CountriesTable") == 0


def test_a_disrupted_country_gets_sms_without_a_link_and_a_second_hotline(
    stack: DeployedStack, publisher: Publisher
) -> None:
    citizens = Api(stack)
    citizens.subscribe_phone("+77011234567", countries=["KZ"], language="ru")
    citizens.subscribe_email("dana@example.org", countries=["KZ"], language="en")
    assert publisher.call("PUT", "/countries/KZ", {"internet": "disrupted"})[0] == 200

    # The dry run shows the disrupted country as it would be sent, beside the others.
    reply = publisher.post_seed(dry_run=True)
    kz = reply["countries"]["KZ"]
    assert (kz["internet"], kz["sms_segment_budget"]) == ("disrupted", 2)
    for language in ("ky", "ru", "en"):
        offline = kz["preview"][language]["sms"]["text"]
        assert "/a/" not in offline
        assert SEED_HOTLINES[0] in offline
        assert "/a/" in reply["preview"][language]["sms"]["text"]  # other countries' SMS
    assert count_items(stack, "AdvisoriesTable") == 0

    deliveries = AllDeliveries(stack, publisher.functions)
    publisher.post_seed()
    received = deliveries.collect()
    sms = [d for d in received if d.channel == "sms"]
    emails = [d for d in received if d.channel == "email"]
    assert [d.address for d in sms] == ["+77011234567"]
    text = sms[0].text
    assert "alerts.mfa.gov.kg" not in text
    assert "/a/" not in text
    assert all(number in text for number in SEED_HOTLINES)
    assert sms[0].segments <= 2
    assert [d.address for d in emails] == ["dana@example.org"]
    assert emails[0].text.splitlines()[0].startswith("Internet access is disrupted in Kazakhstan")


@pytest.fixture
def kazakhstan_budget_1(stack: DeployedStack) -> Iterator[None]:
    os.environ["COUNTRY_SMS_SEGMENT_BUDGETS"] = "KZ=1"
    bootstrap.reset()
    yield
    os.environ["COUNTRY_SMS_SEGMENT_BUDGETS"] = ""
    bootstrap.reset()


@pytest.mark.usefixtures("kazakhstan_budget_1")
def test_a_country_budget_of_one_segment_is_kept_and_priced(
    stack: DeployedStack, publisher: Publisher
) -> None:
    Api(stack).subscribe_phone("+77011234567", countries=["KZ"], language="ru")
    reply = publisher.post_seed(dry_run=True)
    kz = reply["countries"]["KZ"]
    assert (kz["internet"], kz["sms_segment_budget"]) == ("normal", 1)
    assert kz["preview"]["ru"]["sms"]["segments"] == 1
    assert reply["cost"]["billed_segments"] == 1  # the one KZ phone, at one segment
    # Time to reach (part 4): the phones priced, at SmsMessagesPerSecond's default.
    assert reply["reach"]["phones"] == 1
    assert reply["reach"]["sms_per_second"] == 20
    assert reply["reach"]["text"] == "1 phones: about 1 s at 20 SMS/s"

    publisher.post_seed()
    [sms] = [d for d in publisher.outbox.deliveries if d.channel == "sms"]
    assert sms.segments == 1
    assert "+996772454444" in sms.text

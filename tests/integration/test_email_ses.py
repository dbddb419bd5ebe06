"""Email from the ministry through SES (issue 15 items 4 and 6, issue 17's email receipts),
on moto with the stack from template.yaml, asserted on moto's SES outbox and the tables."""

from __future__ import annotations

import json

from alerts_local.stack import DeployedStack
from tests.integration.email_flow import EmailFlow, table_items, unsubscribe_url

TWENTY = ["KZ", "RU", "UZ", "TJ", "TR", "AE", "KR", "US", "GB", "DE",
          "FR", "IT", "ES", "PL", "CZ", "CN", "JP", "IN", "TH", "EG"]  # fmt: skip
SENDER = "alerts@mfa.gov.kg"


def test_one_confirmation_per_sign_up_whatever_the_countries_and_no_token_before(
    stack: DeployedStack,
) -> None:
    flow = EmailFlow(stack)
    status, reply = flow.sign_up("dana@example.org", TWENTY)
    assert status == 202
    assert reply["status"] == "pending_confirmation"
    assert reply["manage_token"] is None
    assert reply["manage_link"] is None
    (confirmation,) = flow.sent_to("dana@example.org")
    assert confirmation.sender == SENDER
    assert "/email/confirm/" in confirmation.text
    assert confirmation.html.startswith("<!doctype")
    assert "подтвердите" in confirmation.subject.lower()
    # Nothing subscribed in SNS for the address, no membership before confirming.
    assert not any(
        "member#" in i["subscriber_id"]["S"] for i in table_items(stack, "SubscribersTable")
    )
    sns = stack.client("sns")
    endpoints = [s["Endpoint"] for s in sns.list_subscriptions()["Subscriptions"]]
    assert "dana@example.org" not in endpoints


def test_the_confirmation_page_acts_on_post_only_and_then_gives_the_manage_link(
    stack: DeployedStack,
) -> None:
    flow = EmailFlow(stack)
    flow.sign_up("dana@example.org", ["KZ", "RU"])
    link = flow.confirm_link("dana@example.org")
    before = table_items(stack, "SubscribersTable")
    status, html, headers = flow.page("GET", link)  # a mail scanner opening the link
    assert status == 200
    assert 'method="post"' in html
    assert headers["Referrer-Policy"] == "no-referrer"
    assert table_items(stack, "SubscribersTable") == before
    html = flow.confirm("dana@example.org")
    assert "/s/" in html  # the manage link, shown to whoever holds the mailbox
    members = [i for i in table_items(stack, "SubscribersTable") if "member_segment" in i]
    assert sorted(i["member_segment"]["S"] for i in members) == ["KZ-ru-L1", "RU-ru-L1"]
    status, html, _ = flow.page("POST", link)  # pressed again: nothing more
    assert status == 200
    assert "уже подтверждена" in html


def test_an_advisory_reaches_each_address_once_with_one_click_unsubscribe(
    stack: DeployedStack,
) -> None:
    flow = EmailFlow(stack)
    # Two countries of the seed would be two segments; tiers too: one email all the same.
    flow.sign_up("dana@example.org", ["KZ"], language="ru")
    flow.confirm("dana@example.org")
    flow.sign_up("aibek@example.org", ["KZ"], language="ky")
    flow.confirm("aibek@example.org")
    advisory_id = flow.post_seed(level=3)
    dana = [e for e in flow.sent_to("dana@example.org") if "X-Alerts-Advisory" in e.headers]
    assert len(dana) == 1
    (email,) = dana
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url(email).startswith("https://alerts.mfa.gov.kg/email/unsubscribe/")
    assert advisory_id in email.headers["X-Alerts-Advisory"]
    assert "Отписать этот адрес" in email.text
    assert "<a href=" in email.html
    aibek = [e for e in flow.sent_to("aibek@example.org") if "X-Alerts-Advisory" in e.headers]
    assert len(aibek) == 1
    assert "деңгээл" in aibek[0].subject
    # Posted again and replayed: the ledger per version and subscriber holds.
    flow.post_seed(level=3)
    assert (
        len([e for e in flow.sent_to("dana@example.org") if "X-Alerts-Advisory" in e.headers]) == 1
    )


def test_no_duplicate_when_several_segments_of_one_address_are_reached(
    stack: DeployedStack,
) -> None:
    flow = EmailFlow(stack)
    flow.sign_up("dana@example.org", ["KZ", "UZ"], language="ru")
    flow.confirm("dana@example.org")
    advisory_id = flow.post_seed(level=2, countries="KZ,UZ")  # segments KZ-ru-L1, UZ-ru-L1
    ledger = [
        i for i in table_items(stack, "DeliveryLedgerTable")
        if i["delivery_key"]["S"] == f"{advisory_id}#v1"
    ]  # fmt: skip
    assert {"KZ-ru-L1", "UZ-ru-L1"} <= {i["segment"]["S"] for i in ledger}
    advisories = [e for e in flow.sent_to("dana@example.org") if "X-Alerts-Advisory" in e.headers]
    assert len(advisories) == 1


def test_unsubscribe_acts_on_post_only(stack: DeployedStack) -> None:
    flow = EmailFlow(stack)
    flow.sign_up("dana@example.org", ["KZ"])
    flow.confirm("dana@example.org")
    flow.post_seed()
    (email,) = [e for e in flow.sent_to("dana@example.org") if "X-Alerts-Advisory" in e.headers]
    url = unsubscribe_url(email)
    before = table_items(stack, "SubscribersTable")
    status, html, _ = flow.page("GET", url)
    assert status == 200
    assert 'method="post"' in html
    assert table_items(stack, "SubscribersTable") == before  # a GET changes nothing
    status, html, _ = flow.page("POST", url, "List-Unsubscribe=One-Click")  # RFC 8058
    assert status == 200
    assert "Подписка отменена" in html
    records = [i for i in table_items(stack, "SubscribersTable") if "channel" in i]
    assert [r["status"]["S"] for r in records] == ["unsubscribed"]
    assert records[0].get("address", {"S": ""})["S"] == ""
    assert not [i for i in table_items(stack, "SubscribersTable") if "member_segment" in i]


def test_a_permanent_bounce_ends_the_subscription_and_is_counted(stack: DeployedStack) -> None:
    flow = EmailFlow(stack)
    bounce = "bounce@simulator.amazonses.com"
    flow.sign_up("dana@example.org", ["KZ"])
    flow.confirm("dana@example.org")
    # The simulator bounces the confirmation itself: that sign-up ends before confirming.
    flow.sign_up(bounce, ["KZ"])
    statuses = {i["status"]["S"] for i in table_items(stack, "SubscribersTable") if "channel" in i}
    assert statuses == {"active", "unsubscribed"}
    advisory_id = flow.post_seed()
    status, report = flow.publisher.call("GET", f"/advisories/{advisory_id}/versions/1/delivery")
    assert status == 200
    assert report["emails"]["sent"] == 1
    assert report["emails"]["delivered"] == 1
    (segment,) = [s for s in report["segments"] if s["segment"] == "KZ-ru-L1"]
    assert segment["email"]["delivered"] == 1


def test_a_queue_message_that_is_not_a_segment_publication_is_dropped_and_sends_nothing(
    stack: DeployedStack,
) -> None:
    flow = EmailFlow(stack)
    flow.sign_up("dana@example.org", ["KZ"])
    flow.confirm("dana@example.org")
    sent = len(flow.sent_to("dana@example.org"))
    unreadable = [
        "not json",
        json.dumps({"Subject": "no Message"}),
        json.dumps({"Message": "{}"}),  # JSON, but not a publication: pydantic refuses it
        json.dumps({"Message": json.dumps({"segment": "KZ-ru-L1", "subject": 3})}),
    ]
    event = {
        "Records": [
            {"messageId": f"m{i}", "body": body, "eventSource": "aws:sqs"}
            for i, body in enumerate(unreadable)
        ]
    }
    answer = flow.functions.invoke("EmailDeliveryFunction", event)
    assert answer == {"batchItemFailures": []}  # nothing a retry would fix
    assert len(flow.sent_to("dana@example.org")) == sent

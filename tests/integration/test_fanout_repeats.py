"""The fan-out never sends a segment the same message twice in a row (issue: two versions
that differ only in text the SMS does not show gave a subscriber the same SMS again), and
still sends every change of the advisory's state: on moto, read off the local outboxes."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from typing import Any

import pytest

from alerts_local.stack import DeployedStack
from tests.conftest import EVENTS
from tests.integration.email_flow import EmailFlow

PHONE = "+77010004401"
EMAIL = "aigul@example.org"


def post(publisher: EmailFlow, advisory: dict[str, Any]) -> dict[str, Any]:
    event = json.loads((EVENTS / "post-advisory-json.json").read_text("utf-8"))
    event["body"] = json.dumps(advisory, ensure_ascii=False)
    response = publisher.functions.invoke("IngestFunction", event)
    assert response["statusCode"] == 201, response
    publisher.settle()  # the stream, the segment topics, the email queue and SES
    return dict(json.loads(response["body"]))


def received(publisher: EmailFlow) -> dict[tuple[str, str], list[str]]:
    """(channel, address) -> what it got, in order (email through SES: subject and body;
    the confirmation email is not an advisory)."""
    got: dict[tuple[str, str], list[str]] = defaultdict(list)
    for delivery in publisher.publisher.outbox.deliveries:
        if delivery.channel == "sms":
            got[("sms", delivery.address)].append(delivery.text)
    for email in publisher.emails.sent:
        if "X-Alerts-Advisory" in email.headers:
            got[("email", email.to)].append(f"{email.subject}\n{email.text}")
    return got


@pytest.fixture
def publisher(stack: DeployedStack) -> EmailFlow:
    flow = EmailFlow(stack)
    flow.api.subscribe_phone(PHONE, countries=["TR"], language="en", min_level=1)
    status, _ = flow.sign_up(EMAIL, ["TR"], language="en")
    assert status == 202
    flow.confirm(EMAIL)
    return flow


def test_body_edits_the_sms_does_not_show_do_not_repeat_it(publisher: EmailFlow) -> None:
    advisory = json.loads(
        json.loads((EVENTS / "post-advisory-json.json").read_text("utf-8"))["body"]
    )
    advisory["level"] = 4
    post(publisher, advisory)
    # Two updates that change only the body (marked major, so both notify): the SMS of the
    # first says UPDATE, the second's would read exactly the same.
    for edit in ("Roads to Hatay are closed.", "Roads to Hatay and Adana are closed."):
        advisory["content"]["en"]["body"] = edit
        advisory["significance"] = "major"
        post(publisher, advisory)
    publisher.settle()
    got = received(publisher)
    sms = got[("sms", PHONE)]
    emails = got[("email", EMAIL)]
    assert len(sms) == 2  # the alert, the first update; the second update read the same
    assert emails  # the email subscriber is reached too
    # Every SMS and every email one subscriber got differs from every other.
    for texts in got.values():
        assert len(set(texts)) == len(texts)


def test_every_change_of_level_is_sent_even_when_it_reads_like_an_earlier_one(
    publisher: EmailFlow,
) -> None:
    advisory = json.loads(
        json.loads((EVENTS / "post-advisory-json.json").read_text("utf-8"))["body"]
    )
    for report, level in enumerate((3, 4, 3, 4), start=1):
        advisory["level"] = level
        # The body changes too: a post with an earlier version's content would be refused.
        advisory["content"]["en"]["body"] = f"Situation report {report}."
        post(publisher, advisory)
    publisher.settle()
    sms = received(publisher)[("sms", PHONE)]
    # UPDATE 3/4 twice and 4/4 twice, never twice in a row: the phone's last SMS says the
    # level in force (suppressing every earlier text would leave it saying 3 when it is 4).
    assert len(sms) == 4
    assert all(first != second for first, second in itertools.pairwise(sms))
    assert "4/4" in sms[-1]

"""Training mode on moto, read off the local outboxes (moto's SNS SMS record and segment
topics as the outbox plays them, SES's sent mail): an exercise the ministry posts reaches the
staff-flagged subscriptions only, each once, with its marker first; citizens get nothing,
and an actual advisory afterwards still reaches everyone."""

from __future__ import annotations

import copy
import json
from typing import Any

from alerts_local.stack import DeployedStack
from alerts_local.staff import local_staff_service
from alerts_local.streams import StreamPump
from tests.conftest import EVENTS
from tests.integration.email_flow import EmailFlow

CITIZEN_PHONE, STAFF_PHONE = "+77010005501", "+77010005502"
CITIZEN_EMAIL, STAFF_EMAIL = "citizen@example.org", "duty.officer@example.org"


def advisory(**changes: Any) -> dict[str, Any]:
    body = json.loads(json.loads((EVENTS / "post-advisory-json.json").read_text("utf-8"))["body"])
    body.update({"countries": ["KZ"], "areas": [], "level": 2, **changes})
    return dict(body)


def post(flow: EmailFlow, body: dict[str, Any], *, dry_run: bool = False) -> tuple[int, Any]:
    status, reply = flow.publisher.call(
        "POST", "/advisories", body, query={"dry_run": "true"} if dry_run else None
    )
    flow.settle()
    return status, reply


def direct_sms(flow: EmailFlow, phone: str) -> list[str]:
    """SMS to `phone` published straight to the number (codes, staff messages)."""
    return [sms.text for sms in flow.publisher.outbox.direct_sms() if sms.phone_number == phone]


def segment_sms(flow: EmailFlow, phone: str) -> list[str]:
    return [d.text for d in flow.publisher.outbox.deliveries if d.address == phone]


def advisory_emails(flow: EmailFlow, address: str) -> list[tuple[str, str]]:
    return [
        (email.subject, email.text)
        for email in flow.sent_to(address)
        if "X-Alerts-Advisory" in email.headers
    ]


def test_an_exercise_reaches_staff_only_once_and_an_actual_advisory_still_everyone(
    stack: DeployedStack,
) -> None:
    flow = EmailFlow(stack)
    flow.api.subscribe_phone(CITIZEN_PHONE, countries=["KZ"], language="ru")
    staff_phone, _ = flow.api.subscribe_phone(STAFF_PHONE, countries=["KZ"], language="ru")
    flow.api.subscribe_email(CITIZEN_EMAIL, countries=["KZ"], language="ru")
    staff_email, _ = flow.api.subscribe_email(STAFF_EMAIL, countries=["KZ"], language="en")
    staff = local_staff_service(stack)
    for subscription_id in (staff_phone, staff_email):
        assert staff.set_staff(subscription_id, True).staff
    assert {s.subscriber_id for s in staff.staff()} == {staff_phone, staff_email}
    flow.settle()
    citizen_sms_before = direct_sms(flow, CITIZEN_PHONE)
    staff_sms_before = direct_sms(flow, STAFF_PHONE)

    exercise = advisory(source_id="drill-2026-kz-01", status="exercise")
    status, preview = post(flow, exercise, dry_run=True)
    assert status == 200, preview
    assert preview["would_notify"] is True
    assert preview["exercise"] == {"staff_subscriptions": 2, "citizens": 0}
    assert all(line["subscribers"] == 0 for line in preview["audience"])

    status, reply = post(flow, exercise)
    assert status == 201, reply
    # The staff phone: one SMS, by the number itself, its marker first, in its language.
    [sms] = direct_sms(flow, STAFF_PHONE)[len(staff_sms_before) :]
    assert sms.startswith("УЧЕНИЕ: ")
    # The staff email (English): subject and body say EXERCISE first.
    [(subject, text)] = advisory_emails(flow, STAFF_EMAIL)
    assert subject.startswith("EXERCISE: ")
    assert text.startswith("EXERCISE: ")
    # No citizen got anything; no segment topic was published to.
    assert direct_sms(flow, CITIZEN_PHONE) == citizen_sms_before
    assert flow.publisher.outbox.deliveries == []
    assert advisory_emails(flow, CITIZEN_EMAIL) == []

    # The public read of the advisory page knows no exercise, as for any non-actual version.
    read = json.loads((EVENTS / "read-advisory.json").read_text("utf-8"))
    read["pathParameters"] = {"advisory_id": reply["advisory_id"]}
    read["queryStringParameters"] = None
    page = flow.functions.invoke("PublicAdvisoryFunction", read)
    assert page["statusCode"] == 404, page
    # Nor do the CAP files the site serves.
    site = stack.client("s3").list_objects_v2(Bucket=stack.resources["WebBucket"])
    assert not [o["Key"] for o in site.get("Contents", []) if reply["advisory_id"] in o["Key"]]

    # Posting it again stores nothing; every stream record delivered again sends nothing.
    status, reply = post(flow, exercise)
    assert status == 200, reply
    again = StreamPump(stack, flow.functions, only={"FanoutFunction"})
    assert again.drain() >= 1
    flow.settle()
    assert len(direct_sms(flow, STAFF_PHONE)) == len(staff_sms_before) + 1
    assert len(advisory_emails(flow, STAFF_EMAIL)) == 1
    assert flow.publisher.outbox.deliveries == []
    assert advisory_emails(flow, CITIZEN_EMAIL) == []

    # An exercise never follows an actual advisory, nor the reverse: 409, nothing stored.
    status, reply = post(flow, advisory(source_id="drill-2026-kz-01", status="actual"))
    assert status == 409, reply
    assert "exercise" in reply["error"]

    # A real advisory afterwards reaches citizens and staff alike, without the marker.
    status, reply = post(flow, advisory(source_id="mfa-2026-kz-02"))
    assert status == 201, reply
    assert len(segment_sms(flow, CITIZEN_PHONE)) == 1
    assert len(segment_sms(flow, STAFF_PHONE)) == 1
    assert not segment_sms(flow, CITIZEN_PHONE)[0].startswith("УЧЕНИЕ")
    assert len(advisory_emails(flow, CITIZEN_EMAIL)) == 1
    assert len(advisory_emails(flow, STAFF_EMAIL)) == 2
    # ... and is written as CAP for the site, which the exercise never was (checked above).
    site = stack.client("s3").list_objects_v2(Bucket=stack.resources["WebBucket"])
    assert [o["Key"] for o in site.get("Contents", []) if reply["advisory_id"] in o["Key"]]


def test_unflagged_staff_and_exercises_from_feeds_get_nothing(stack: DeployedStack) -> None:
    flow = EmailFlow(stack)
    staff_phone, _ = flow.api.subscribe_phone(STAFF_PHONE, countries=["KZ"], language="ky")
    staff = local_staff_service(stack)
    staff.set_staff(staff_phone, True)
    assert not staff.set_staff(staff_phone, False).staff
    before = direct_sms(flow, STAFF_PHONE)
    status, reply = post(flow, advisory(source_id="drill-2026-kz-03", status="exercise"))
    assert status == 201, reply
    assert direct_sms(flow, STAFF_PHONE) == before
    assert flow.publisher.outbox.deliveries == []
    # Flagged again: a stored feed Exercise (published_by feed:...) sends nothing either.
    staff.set_staff(staff_phone, True)
    event = json.loads((EVENTS / "advisory-stream-insert.json").read_text("utf-8"))
    record = copy.deepcopy(event["Records"][0])
    image = record["dynamodb"]["NewImage"]
    image["status"] = {"S": "exercise"}
    image["countries"] = {"L": [{"S": "KZ"}]}
    image["published_by"] = {"S": "feed:foreign-cap"}
    response = flow.functions.invoke("FanoutFunction", {"Records": [record]})
    assert response == {"batchItemFailures": []}
    flow.settle()
    assert direct_sms(flow, STAFF_PHONE) == before
    assert flow.publisher.outbox.deliveries == []

"""The audience of a segment counts every confirmed email subscriber (email through SES: the
addresses are members in the subscribers table, and the segment topic has ONE subscription for
all of them, the email queue's). With N confirmed addresses and M phones the dry run reports
N + M, prices the M phones only, and a version reaching more than ApprovalAudience because of
its email subscribers waits for a second officer, sending nothing."""

from __future__ import annotations

import json
import uuid

from alerts_local.lambdas import apply_environment
from alerts_local.server import api_event
from alerts_local.stack import deploy
from tests.integration.citizen_api import Api
from tests.integration.email_flow import EmailFlow
from tests.integration.test_approval import OFFICER, Desk
from tests.integration.test_publisher_versions import advisory

PHONES = ["+77011230188", "+77011230189"]
ADDRESSES = [f"reader{n}@example.org" for n in range(3)]


def test_email_subscribers_count_in_the_dry_run_and_make_a_version_wait(
    moto_endpoint: str,
) -> None:
    # ApprovalAudience 3: the two phones alone would not need a second officer.
    stack = deploy(
        moto_endpoint,
        f"ae{uuid.uuid4().hex[:8]}",
        parameters={"ApprovalLevel": "5", "ApprovalAudience": "3"},
    )
    apply_environment(stack, "WARNING")
    api = Api(stack)
    for phone in PHONES:
        api.subscribe_phone(phone, countries=["KZ"], language="ru", min_level=1)
    email = EmailFlow(stack)
    for address in ADDRESSES:
        assert email.sign_up(address, ["KZ"])[0] == 202
        email.confirm(address)
    desk = Desk(stack)

    route = next(r for r in stack.routes if r.path == "/advisories")
    event = api_event(route, "POST", "/advisories", {}, "dry_run=true",
                      {"content-type": "application/json"}, advisory("mfa-kg-mail", 2),
                      "198.51.100.9", OFFICER)  # fmt: skip
    dry_run = json.loads(desk.functions.invoke("IngestFunction", event)["body"])
    assert sum(a["subscribers"] for a in dry_run["audience"]) == len(PHONES) + len(ADDRESSES)
    assert dry_run["cost"]["emails"] == len(ADDRESSES)
    assert sum(line["recipients"] for line in dry_run["cost"]["lines"]) == len(PHONES)
    assert "5 subscribers (more than ApprovalAudience 3)" in dry_run["would_need_approval"]

    mail_before = len(email.emails.sent)
    status, body = desk.post(advisory("mfa-kg-mail", 2))
    assert status == 202, body
    assert "5 subscribers (more than ApprovalAudience 3)" in body["advisory"]["approval_rule"]
    assert desk.sent() == []  # no SMS
    email.settle()
    assert len(email.emails.sent) == mail_before  # no email either

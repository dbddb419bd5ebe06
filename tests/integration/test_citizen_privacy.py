"""No log line holds a full phone number or email address.

The citizen API's handler runs whole flows against moto with its Powertools logger at DEBUG
and the incoming events logged (POWERTOOLS_LOGGER_LOG_EVENT: the worst an operator can switch
on): subscribe, verify, read, change, unsubscribe, by SMS and by email, plus refused, rate
limited and malformed requests. Everything written to stdout and stderr, and every record
of the other loggers (Powertools internals, the local runtime) at DEBUG, is searched for the
addresses used.
"""

from __future__ import annotations

import json
import logging
import re
import uuid

import pytest
from consular_alerts.services import subscriptions as service_module

from alerts_local.stack import DeployedStack
from tests.integration.citizen_api import Api

PHONES = ["+77011234567", "+996700123456"]
EMAILS = ["aigul.bekova@example.org", "dana@example.kg"]


def _digits(phone: str) -> str:
    return phone.lstrip("+")


def test_no_log_line_holds_a_full_phone_number_or_email(
    stack: DeployedStack,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = f"subscriptions-{uuid.uuid4().hex[:6]}"  # a logger configured for this test
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", service)
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    # The service module's logger is a child of whichever service imported it first.
    for name in ("aws_lambda_powertools", "alerts_local", service_module.logger.name, service):
        caplog.set_level(logging.DEBUG, logger=name)
    api = Api(stack)

    # SMS: subscribe, a wrong code, verify, read, change, a code by number, unsubscribe.
    phone = PHONES[0]
    status, reply, _ = api.call(
        "POST",
        "/subscriptions",
        {"channel": "sms", "address": phone, "countries": ["KZ"], "language": "ru"},
    )
    assert status == 202
    subscription_id = reply["subscription_id"]
    assert api.call("POST", f"/subscriptions/{subscription_id}/verify", {"code": "000000"})[0] in {
        400,
        200,
    }
    status, reply, _ = api.call(
        "POST", f"/subscriptions/{subscription_id}/verify", {"code": api.code(phone)}
    )
    assert status == 200, reply
    token = reply["manage_token"]
    assert api.call("GET", f"/subscriptions/{subscription_id}", token=token)[0] == 200
    changed = {"countries": ["KZ", "KG"], "min_level": 2}
    assert api.call("PATCH", f"/subscriptions/{subscription_id}", changed, token=token)[0] == 200
    assert api.call("POST", "/subscriptions/code", {"address": phone})[0] == 429  # cooldown
    assert api.call("DELETE", f"/subscriptions/{subscription_id}", token=token)[0] == 200

    # Email: subscribe, confirm on the page, read, change, unsubscribe.
    email = EMAILS[0]
    email_id, email_token = api.subscribe_email(email, countries=["TR"], language="en")
    assert api.call("GET", f"/subscriptions/{email_id}", token=email_token)[0] == 200
    patch = {"language": "ky"}
    assert api.call("PATCH", f"/subscriptions/{email_id}", patch, token=email_token)[0] == 200
    assert api.call("DELETE", f"/subscriptions/{email_id}", token=email_token)[0] == 200

    # Refused, invalid and malformed requests that carry addresses.
    refused = {"channel": "sms", "address": "+33612345678", "countries": ["KZ"], "language": "en"}
    assert api.call("POST", "/subscriptions", refused)[0] == 422
    wrong_channel = {"channel": "sms", "address": EMAILS[1], "countries": ["KZ"], "language": "en"}
    assert api.call("POST", "/subscriptions", wrong_channel)[0] == 422
    broken = '{"channel": "sms", "address": "' + PHONES[1] + '", "countries": ['
    assert api.call("POST", "/subscriptions", raw=broken)[0] == 422
    too_long = {"channel": "email", "address": EMAILS[1] * 20, "countries": ["KZ"]}
    assert api.call("POST", "/subscriptions", too_long)[0] == 422

    out, err = capfd.readouterr()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(entry.get("level") == "DEBUG" for entry in logged)  # DEBUG was really on
    assert any(entry.get("message") == "request refused" for entry in logged)
    assert any(
        "/subscriptions" in json.dumps(entry.get("message")) for entry in logged
    )  # the events were logged, and had to be redacted
    records = [
        f"{record.name} {record.getMessage()} {json.dumps(vars(record), default=str)}"
        for record in caplog.records
        # The service's own records are what the lines above show, formatted and redacted
        # (Powertools keeps them from the root handlers in Lambda).
        if not record.name.startswith(service)
    ]
    everything = "\n".join([*lines, *records])
    for phone in [*PHONES, "+33612345678"]:
        assert _digits(phone) not in everything, f"{phone} in the logs"
        assert re.sub(r"(\d{3})(?=\d)", r"\1 ", _digits(phone)) not in everything
    for email in EMAILS:
        assert email not in everything, f"{email} in the logs"
    assert "verification code sent" in everything  # the service's own lines were searched
    assert "+7*******567" in everything  # masked, still enough to tell numbers apart

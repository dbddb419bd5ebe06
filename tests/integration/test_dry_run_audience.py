"""The ingest handler's dry run on moto counts each segment topic's subscribers through
GetTopicAttributes and prices the SMS with config/sms-prices.json."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alerts_local.lambdas import LocalFunctions
from alerts_local.stack import DeployedStack
from tests.conftest import EVENTS, REPO_ROOT
from tests.integration.citizen_api import Api


def dry_run(functions: LocalFunctions) -> dict[str, Any]:
    event = json.loads((EVENTS / "post-advisory-seed.json").read_text("utf-8"))
    event["queryStringParameters"] = {"dry_run": "true"}
    response = functions.invoke("IngestFunction", event)
    assert response["statusCode"] == 200, response
    return dict(json.loads(response["body"]))


def test_dry_run_reports_subscribers_per_segment_and_the_cost(stack: DeployedStack) -> None:
    api = Api(stack)
    api.subscribe_phone("+77011234567", countries=["KZ"], language="ru", min_level=1)
    api.subscribe_phone("+77011234568", countries=["KZ"], language="ru", min_level=2)
    api.subscribe_phone("+77011234569", countries=["KZ"], language="ru", min_level=3)
    # Confirmed: a member of KZ-en-L1, whose topic the email queue joins (its one subscription
    # is not counted as a phone).
    api.subscribe_email("a@example.org", countries=["KZ"], language="en")

    reply = dry_run(api.functions)
    audience = {entry["segment"]: entry["subscribers"] for entry in reply["audience"]}
    # The seed is level 2 about KZ: the L3 subscriber is not reached.
    assert audience == {
        "KZ-en-L1": 1, "KZ-en-L2": 0, "KZ-ky-L1": 0, "KZ-ky-L2": 0, "KZ-ru-L1": 1, "KZ-ru-L2": 1,
    }  # fmt: skip
    prices = json.loads((REPO_ROOT / "config" / "sms-prices.json").read_text("utf-8"))
    ru = reply["preview"]["ru"]["sms"]["segments"]
    cost = reply["cost"]
    assert cost["currency"] == prices["currency"]
    assert cost["emails"] == 1  # counted, not billed
    assert cost["billed_segments"] == 2 * ru
    assert cost["total"] == pytest.approx(2 * ru * prices["per_country"]["KZ"])


def test_dry_run_of_a_stack_without_subscribers_counts_zero(stack: DeployedStack) -> None:
    reply = dry_run(LocalFunctions(stack))
    assert len(reply["audience"]) == 6
    assert all(entry["subscribers"] == 0 for entry in reply["audience"])
    assert reply["cost"]["total"] == 0

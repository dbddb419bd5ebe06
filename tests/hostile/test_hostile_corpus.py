"""Every bad input in cases.py gets a 4xx (exit status 2 for the CLI) whose message names the
problem, and nothing is stored or sent.

API cases run through the real handlers against moto, with every resource created from
template.yaml, as API Gateway would call them (CAP as a binary media type, base64); those
marked `http` also go over real HTTP to the local runtime. Around each case: the item count
of every DynamoDB table of the stack, and SNS's direct SMS, topic publishes, subscriptions
and topics, must not move. The handlers log at INFO, as deployed, so the suite's log scan
(tests/conftest.py) reads what they say about each refusal.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from alerts_cli.cli import main
from alerts_local.email_outbox import email_queue_url
from alerts_local.lambdas import LocalFunctions, apply_environment
from alerts_local.server import LocalRuntime, api_event, start
from alerts_local.stack import DeployedStack, deploy, load_sam
from tests.conftest import ONE_OFFICER, REPO_ROOT
from tests.hostile.case import CITIZEN, CLI, PUBLISHER, Case
from tests.hostile.cases import CASES, figures
from tests.hostile.payloads import ADVISORY, CAP, SUBSCRIBE

BINARY_MEDIA_TYPES = {"application/cap+xml", "application/xml", "text/xml"}  # template.yaml
API_CASES = [c for c in CASES if c.target in {PUBLISHER, CITIZEN}]


def _ids(case: Case) -> str:
    return f"{case.target}:{case.id}"


@pytest.fixture(scope="module")
def hostile_stack(moto_endpoint: str) -> DeployedStack:
    deployed = deploy(moto_endpoint, f"h{uuid.uuid4().hex[:10]}", parameters=ONE_OFFICER)
    return deployed


@pytest.fixture
def functions(hostile_stack: DeployedStack) -> LocalFunctions:
    apply_environment(hostile_stack, "INFO")  # as deployed (template Globals)
    loaded = LocalFunctions(hostile_stack)
    for function in ("IngestFunction", "SubscriptionsFunction"):
        # A logger configured earlier in this process keeps its level: set it.
        loaded.module(function).logger.setLevel("INFO")
    return loaded


def _tables(stack: DeployedStack) -> dict[str, str]:
    """Every DynamoDB table the template declares: logical id -> physical name."""
    declared = [
        logical
        for logical, resource in load_sam()["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    ]
    assert len(declared) >= 5
    return {logical: stack.resources[logical] for logical in declared}


def snapshot(stack: DeployedStack) -> dict[str, int]:
    """What storing or sending anything would change."""
    dynamodb = stack.client("dynamodb")
    counts = {
        logical: int(dynamodb.scan(TableName=name, Select="COUNT")["Count"])
        for logical, name in _tables(stack).items()
    }
    sns = sns_backends[DEFAULT_ACCOUNT_ID][stack.region]
    counts["sns direct SMS"] = len(sns.sms_messages)
    counts["sns topic publishes"] = sum(len(t.sent_notifications) for t in sns.topics.values())
    counts["sns subscriptions"] = len(sns.subscriptions)
    counts["sns topics"] = len(sns.topics)
    counts["ses sent"] = len(ses_backends[DEFAULT_ACCOUNT_ID][stack.region].sent_messages)
    counts["email queue"] = int(
        stack.client("sqs").get_queue_attributes(
            QueueUrl=email_queue_url(stack), AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
    )
    return counts


def invoke(stack: DeployedStack, functions: LocalFunctions, case: Case) -> tuple[int, str]:
    """The case as API Gateway would hand it to the handler: (status, error message)."""
    for route in stack.routes:
        parameters = route.match(case.method, case.path)
        if parameters is not None:
            break
    else:
        raise AssertionError(f"no route {case.method} {case.path}")
    headers = {"content-type": case.content_type} if case.content_type else {}
    if case.token:
        headers["authorization"] = f"Bearer {case.token}"
    event = api_event(
        route, case.method, case.path, parameters, case.query, headers, case.body, "203.0.113.7"
    )
    media_type = (case.content_type or "").split(";")[0].strip().lower()
    if route.api == "PublisherApi" and media_type in BINARY_MEDIA_TYPES and case.body:
        event["body"] = base64.b64encode(case.body).decode("ascii")
        event["isBase64Encoded"] = True
    response: dict[str, Any] = functions.invoke(route.function, event)
    return int(response["statusCode"]), _error(response.get("body") or "")


def _error(body: str) -> str:
    data = json.loads(body)
    assert isinstance(data, dict), body
    return str(data.get("error", ""))


@pytest.mark.parametrize("case", API_CASES, ids=_ids)
def test_bad_api_input_is_refused_naming_the_problem_storing_and_sending_nothing(
    hostile_stack: DeployedStack, functions: LocalFunctions, case: Case
) -> None:
    before = snapshot(hostile_stack)
    status, message = invoke(hostile_stack, functions, case)
    assert (status, case.names in message) == (case.status, True), message
    assert 400 <= status < 500
    assert snapshot(hostile_stack) == before


@pytest.mark.parametrize("case", [c for c in CASES if c.target == CLI], ids=_ids)
def test_bad_cli_input_exits_2_with_one_line_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    source = tmp_path / case.filename
    source.write_bytes(case.body)
    code = main(["normalize", str(source), *case.args])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.endswith("\n")
    assert err.startswith(f"alerts: {source}: ")
    assert case.names in err, err


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(stack_name=f"hx{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    yield local
    local.stop()


@pytest.mark.parametrize("case", [c for c in API_CASES if c.http], ids=_ids)
def test_bad_input_over_http_to_the_local_runtime(runtime: LocalRuntime, case: Case) -> None:
    def outbox() -> tuple[Any, Any]:
        sms = requests.get(f"{runtime.url}/_local/sms", timeout=30).json()
        return sms, requests.get(f"{runtime.url}/_local/deliveries", timeout=30).json()

    before, sent_before = snapshot(runtime.stack), outbox()
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    query = f"?{case.query}" if case.query else ""
    url = f"{runtime.url}{case.path}{query}"
    if case.target == PUBLISHER:  # a signed request, as every publisher's: bad only inside
        url, headers = runtime.publisher.sign(case.method, url, headers, case.body)
    reply = requests.request(case.method, url, data=case.body, headers=headers, timeout=30)
    assert reply.status_code == case.status, reply.text
    assert case.names in reply.json()["error"]
    assert snapshot(runtime.stack) == before
    assert outbox() == sent_before


def test_refusals_are_logged_without_the_addresses_they_refuse(
    hostile_stack: DeployedStack, functions: LocalFunctions, caplog: pytest.LogCaptureFixture
) -> None:
    """The handlers do log each refusal at INFO (so the suite's log scan has lines to read),
    and the line as its formatter writes it holds no address."""
    from tests.logscan import leaks, log_lines

    app = functions.module("SubscriptionsFunction")
    caplog.set_level(logging.INFO, logger=app.logger.name)
    refused = {c.id: c for c in CASES if c.target == CITIZEN}["phone-disallowed-country"]
    assert invoke(hostile_stack, functions, refused)[0] == 422
    records = [r for r in caplog.records if r.getMessage() == "request refused"]
    lines = [app.logger.registered_formatter.format(record) for record in records]
    assert any("FR is not offered" in line for line in lines), lines
    assert log_lines([("Captured stdout call", "\n".join(lines))], "call") == lines
    assert leaks(lines) == []


def test_the_corpus_counts_at_least_50_distinct_bad_inputs() -> None:
    counted = figures()
    assert counted["bad_inputs_tried"] == len(CASES) >= 50
    assert len({_ids(c) for c in CASES}) == len(CASES), "case ids repeat"
    assert len({(c.target, c.body, c.content_type, c.query, c.path, c.args) for c in CASES}) == len(
        CASES
    ), "two cases send the same thing"
    assert set(counted["by_target"]) == {PUBLISHER, CITIZEN, CLI}
    for category in (
        "malformed JSON",
        "malformed XML",
        "XXE",
        "entity expansion",
        "oversize body",
        "invalid UTF-8",
        "wrong content type",
        "unknown fields",
        "markup",
        "control characters",
        "absurd dates",
        "unknown countries",
        "invalid phone numbers",
        "invalid emails",
    ):
        assert counted["by_category"].get(category, 0) >= 2, category
    for case in CASES:  # a fragment that names something, not just "invalid"
        assert len(case.names) >= 8, case.id
        assert case.names.lower() not in {"invalid input", "bad request"}, case.id
    build = REPO_ROOT / "build"
    build.mkdir(exist_ok=True)
    (build / "hostile-figures.json").write_text(json.dumps(counted, indent=2) + "\n")
    print(f"\nbad inputs tried: {counted['bad_inputs_tried']} {counted['by_target']}")


# --- The same doors still open for good input (so the refusals above are not vacuous) ------------


def test_the_base_inputs_of_the_corpus_are_accepted(
    stack: DeployedStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    functions = LocalFunctions(stack)
    good = [
        Case("advisory", PUBLISHER, "", json.dumps(ADVISORY).encode(), 201, "", path="/advisories"),
        Case(
            "cap", PUBLISHER, "", CAP.encode(), 201, "", "application/cap+xml", path="/advisories"
        ),
        Case(
            "text with angle brackets that are not markup",
            PUBLISHER,
            "",
            "Казахстан: уровень < 3, сводка <https://mfa.gov.kg/a>. Тел. +77770371448".encode(),
            201,
            "",
            "text/plain",
            path="/advisories",
            query="countries=KZ&level=2",
        ),
        Case(
            "subscribe", CITIZEN, "", json.dumps(SUBSCRIBE).encode(), 202, "", path="/subscriptions"
        ),
        Case(
            "email with plus and dots",
            CITIZEN,
            "",
            json.dumps(
                {**SUBSCRIBE, "channel": "email", "address": "a.b+kz@mail.example.kg"}
            ).encode(),
            202,
            "",
            path="/subscriptions",
        ),
    ]
    for case in good:
        for route in stack.routes:
            parameters = route.match(case.method, case.path)
            if parameters is not None:
                break
        event = api_event(
            route,
            case.method,
            case.path,
            parameters,
            case.query,
            {"content-type": case.content_type or ""},
            case.body,
            "198.51.100.1",
        )
        if case.content_type == "application/cap+xml":
            event["body"] = base64.b64encode(case.body).decode("ascii")
            event["isBase64Encoded"] = True
        response = functions.invoke(route.function, event)
        assert response["statusCode"] == case.status, (case.id, response["body"])
    source = tmp_path / "advisory.json"
    source.write_text(json.dumps(ADVISORY), encoding="utf-8")
    assert main(["normalize", str(source)]) == 0
    assert json.loads(capsys.readouterr().out)["countries"] == ["KZ"]


def test_markup_in_a_cap_alert_is_neutralized_not_stored(stack: DeployedStack) -> None:
    """CAP comes from other governments' systems too: HTML they escape into a text field
    becomes its visible text, scripts dropped, rather than refusing the whole alert."""
    hostile = CAP.replace(
        "Protests continue in Almaty.",
        "&lt;script&gt;alert(1)&lt;/script&gt;Protests &lt;img src=x onerror=alert(2)&gt;continue.",
    )
    functions = LocalFunctions(stack)
    route = next(r for r in stack.routes if r.api == "PublisherApi")
    event = api_event(
        route, "POST", "/advisories", {}, "", {"content-type": "application/cap+xml"}, b"", "x"
    )
    event.update(body=base64.b64encode(hostile.encode()).decode("ascii"), isBase64Encoded=True)
    response = functions.invoke("IngestFunction", event)
    assert response["statusCode"] == 201, response["body"]
    record = json.dumps(json.loads(response["body"])["advisory"], ensure_ascii=False)
    assert "Protests continue." in record
    for trace in ("<script", "alert(1)", "<img", "onerror"):
        assert trace not in record

"""Every AWS call each function makes, on moto, is allowed by that function's role as the stack
created it. moto enforces no IAM: this replays IAM's decision for each call the handlers make
(an Allow whose action and resource match, no Deny that matches), with the role policies moto
holds after resolving the template. The flows exercise every adapter method the functions
use; a call of a kind not modelled here fails the test, so a new one is looked at.
(test_template_iam.py checks the same policies against the IAM reference.)"""

from __future__ import annotations

import ast
import contextvars
import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from consular_alerts import bootstrap
from consular_alerts.adapters import aws_clients
from consular_alerts.adapters.dynamodb.feeds import DynamoFeedRepository
from consular_alerts.models.feeds import FeedConfig

from alerts_local.lambdas import LocalFunctions
from alerts_local.sms_receipts import LogEvent, awslogs_event, delivery_status_record, log_group
from alerts_local.stack import DeployedStack
from alerts_local.streams import StreamPump
from tests.conftest import EVENTS
from tests.injection import inject_client_error
from tests.integration.citizen_api import PHONE, Api
from tests.integration.email_flow import EmailFlow, unsubscribe_url
from tests.integration.publisher_api import Publisher

ACCOUNT = "123456789012"
FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
_RUNNING: contextvars.ContextVar[str | None] = contextvars.ContextVar("function", default=None)


@dataclass(frozen=True)
class Call:
    function: str
    service: str
    operation: str
    params: dict[str, Any]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """The AWS calls made while a function runs (LocalFunctions.invoke), by function."""
    recorded: list[Call] = []
    make_api_call = BaseClient._make_api_call
    invoke = LocalFunctions.invoke

    def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
        function = _RUNNING.get()
        if function is not None:
            service = client.meta.service_model.service_name
            recorded.append(Call(function, service, operation, dict(params)))
        return make_api_call(client, operation, params)

    def invoking(functions: LocalFunctions, logical_id: str, event: dict[str, Any]) -> Any:
        token = _RUNNING.set(logical_id)
        try:
            return invoke(functions, logical_id, event)
        finally:
            _RUNNING.reset(token)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    monkeypatch.setattr(LocalFunctions, "invoke", invoking)
    return recorded


# --- What IAM checks for a call ----------------------------------------------------------------


def _table(stack: DeployedStack, name: str) -> str:
    return f"arn:aws:dynamodb:{stack.region}:{ACCOUNT}:table/{name}"


def required(stack: DeployedStack, call: Call) -> list[tuple[str, str]]:
    """(action, resource) pairs IAM authorizes for the call."""
    p, op = call.params, call.operation
    if call.service == "dynamodb":
        if op == "TransactWriteItems":  # checked item by item, as its own action
            actions = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
            actions["ConditionCheck"] = "ConditionCheckItem"
            return [
                (f"dynamodb:{actions[kind]}", _table(stack, body["TableName"]))
                for item in p["TransactItems"]
                for kind, body in item.items()
            ]
        if op == "BatchGetItem":  # checked table by table
            return [("dynamodb:BatchGetItem", _table(stack, name)) for name in p["RequestItems"]]
        if op in {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"}:
            resource = _table(stack, p["TableName"])
            if "IndexName" in p:
                resource += f"/index/{p['IndexName']}"
            return [(f"dynamodb:{op}", resource)]
    if call.service == "sns":
        if op == "Publish":
            # An SMS to a phone number names no resource (the policy's "*").
            return [("sns:Publish", p.get("TopicArn") or f"phone-number:{p['PhoneNumber']}")]
        if op == "CreateTopic":
            return [("sns:CreateTopic", f"arn:aws:sns:{stack.region}:{ACCOUNT}:{p['Name']}")]
        if op in {"Subscribe", "GetTopicAttributes"}:
            return [(f"sns:{op}", p["TopicArn"])]
        if op == "Unsubscribe":
            return [("sns:Unsubscribe", p["SubscriptionArn"])]
    if call.service == "sqs" and op == "SendMessage":
        name = p["QueueUrl"].rstrip("/").rsplit("/", 1)[-1]
        return [("sqs:SendMessage", f"arn:aws:sqs:{stack.region}:{ACCOUNT}:{name}")]
    if call.service == "sesv2" and op == "SendEmail":
        # Sending as the From address's identity (the domain: EmailSenderIdentity's default)
        # through the configuration set, each a resource of SendEmail.
        identity = p["FromEmailAddress"].rsplit("@", 1)[-1]
        base = f"arn:aws:ses:{stack.region}:{ACCOUNT}"
        pairs = [("ses:SendEmail", f"{base}:identity/{identity}")]
        if "ConfigurationSetName" in p:
            pairs.append(("ses:SendEmail", f"{base}:configuration-set/{p['ConfigurationSetName']}"))
        return pairs
    if call.service == "secretsmanager" and op == "GetSecretValue":
        return [("secretsmanager:GetSecretValue", p["SecretId"])]
    if call.service == "s3" and op in {"GetObject", "PutObject"}:
        return [(f"s3:{op}", f"arn:aws:s3:::{p['Bucket']}/{p['Key']}")]
    if call.service == "sns" and op == "SetSMSAttributes":
        # Account settings have no ARN; naming a role hands it to SNS (iam:PassRole).
        role = p["attributes"]["DeliveryStatusIAMRole"]
        return [("sns:SetSMSAttributes", "account-sms-settings"), ("iam:PassRole", role)]
    raise AssertionError(f"{call.function}: no IAM model for {call.service}:{op}; add one")


def role_statements(stack: DeployedStack, function: str) -> list[dict[str, Any]]:
    """The function role's inline statements as moto holds them (intrinsics resolved)."""
    role_arn = stack.client("lambda").get_function_configuration(
        FunctionName=stack.resources[function]
    )["Role"]
    iam = stack.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    found = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):  # moto keeps a template's document as Python's repr
            document = ast.literal_eval(document)
        found += document["Statement"]
    return found


def _listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _matches(statement: dict[str, Any], action: str, resource: str) -> bool:
    actions = [a.lower() for a in _listed(statement["Action"])]
    return any(fnmatchcase(action.lower(), a) for a in actions) and any(
        fnmatchcase(resource, r) for r in _listed(statement["Resource"])
    )


def allowed(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    matching = [s for s in statements if _matches(s, action, resource)]
    return any(s["Effect"] == "Allow" for s in matching) and not any(
        s["Effect"] == "Deny" for s in matching
    )


# --- The flows -------------------------------------------------------------------------------


@pytest.fixture
def feed_server() -> Iterator[str]:
    handler = partial(SimpleHTTPRequestHandler, directory=str(FEEDS))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}"
    server.shutdown()


def _event(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    data.update(changes)
    return data


def _start_new_cooldowns(stack: DeployedStack) -> None:
    dynamodb, table = stack.client("dynamodb"), stack.resources["RateLimitsTable"]
    for item in dynamodb.scan(TableName=table)["Items"]:
        dynamodb.delete_item(TableName=table, Key={"limit_key": item["limit_key"]})


def citizen_flows(api: Api) -> None:
    subscription_id, token = api.subscribe_phone(countries=["KZ"], min_level=1)
    path = f"/subscriptions/{subscription_id}"
    assert api.call("GET", path, token=token)[0] == 200
    changed = {"countries": ["KZ", "TR"], "min_level": 2}
    assert api.call("PATCH", path, changed, token=token)[0] == 200
    _start_new_cooldowns(api.stack)
    assert api.call("POST", "/subscriptions/code", {"address": PHONE})[0] == 202
    exchange = {"address": PHONE, "code": api.code(PHONE)}
    status, reply, _ = api.call("POST", "/subscriptions/token", exchange)
    assert status == 200, reply
    email = {
        "channel": "email",
        "address": "dana@example.org",
        "countries": ["TR"],
        "language": "en",
    }
    assert api.call("POST", "/subscriptions", email)[0] == 202
    assert api.call("DELETE", path, token=reply["manage_token"])[0] == 200


def email_flows(stack: DeployedStack) -> None:
    """Sign up, confirm on the page, change, an advisory by email, SES's events (a bounce),
    and unsubscribing on the page."""
    flow = EmailFlow(stack)
    flow.sign_up("aida@example.org", ["KZ"], language="ru")
    assert flow.page("GET", flow.confirm_link("aida@example.org"))[0] == 200
    html = flow.confirm("aida@example.org")
    token = html.split("#", 1)[1].split('"', 1)[0]
    subscription_id = flow.confirm_link("aida@example.org").split("/")[-1].split("?")[0]
    path = f"/subscriptions/{subscription_id}"
    assert flow.api.call("PATCH", path, {"countries": ["UZ", "KZ"]}, token=token)[0] == 200
    assert flow.api.call("PATCH", path, {"countries": ["UZ"]}, token=token)[0] == 200  # leaves KZ
    flow.sign_up("bounce@simulator.amazonses.com", ["KZ"], ip="198.51.100.20")
    flow.post_seed(level=3, countries="KZ,UZ")  # not what the publisher flows posted
    (email,) = [e for e in flow.sent_to("aida@example.org") if "X-Alerts-Advisory" in e.headers]
    assert "segment=UZ-ru-L1" in email.headers["X-Alerts-Advisory"]
    assert flow.page("POST", unsubscribe_url(email), "List-Unsubscribe=One-Click")[0] == 200


def training_flows(stack: DeployedStack) -> None:
    """Training mode: a staff phone and a staff email flagged by the operator (outside any
    function), then an exercise previewed and posted: the staff list, the direct SMS, the
    staff email through the queue and SES."""
    from alerts_local.staff import local_staff_service

    flow = EmailFlow(stack)
    phone_id, _ = flow.api.subscribe_phone("+77010007701", countries=["KG"])
    email_id, _ = flow.api.subscribe_email("staff@example.org", countries=["KG"])
    for subscription_id in (phone_id, email_id):
        local_staff_service(stack).set_staff(subscription_id, True)
    exercise = json.loads(_event("post-advisory-json.json")["body"])
    exercise.update(source_id="iam-drill-1", status="exercise", countries=["KG"], areas=[])
    for query in ({"dry_run": "true"}, None):
        event = _event("post-advisory-json.json", body=json.dumps(exercise))
        event["queryStringParameters"] = query
        response = flow.functions.invoke("IngestFunction", event)
        assert response["statusCode"] in {200, 201}, response
    flow.settle()
    assert any(
        e.to == "staff@example.org" for e in flow.emails.sent if "X-Alerts-Advisory" in e.headers
    )


def publisher_flows(functions: LocalFunctions) -> str:
    seed = _event("post-advisory-seed.json")
    created = functions.invoke("IngestFunction", seed)
    assert created["statusCode"] == 201, created
    functions.invoke("IngestFunction", seed)  # unchanged: reads only
    dry_run = _event("post-advisory-json.json", queryStringParameters={"dry_run": "true"})
    assert functions.invoke("IngestFunction", dry_run)["statusCode"] == 200
    cap = (FEEDS / "almaty-alert.cap").read_text("utf-8")
    alert = _event("post-advisory-json.json", body=cap)
    alert["headers"] = {"Content-Type": "application/cap+xml"}
    assert functions.invoke("IngestFunction", alert)["statusCode"] == 201
    cancel = copy_of(alert)
    cancel["body"] = cap.replace("KG-MFA-2022-0006", "KG-MFA-2022-0007").replace(
        "<msgType>Alert</msgType>",
        "<msgType>Cancel</msgType><references>"
        "alerts@mfa.gov.kg,KG-MFA-2022-0006,2022-01-06T03:00:00+06:00</references>",
    )
    assert functions.invoke("IngestFunction", cancel)["statusCode"] == 201  # closes the alert
    return str(json.loads(created["body"])["advisory_id"])


def copy_of(event: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(event))
    return copied


def fanout_flows(stack: DeployedStack, functions: LocalFunctions) -> None:
    # A publish that surely failed gives its claim back; the stream mapping retries it.
    throttled = inject_client_error(aws_clients.sns_topic_publisher(), "Publish", "Throttling")
    StreamPump(stack, functions).drain()
    throttled.remove()
    assert throttled.fired >= 1
    StreamPump(stack, functions).drain()
    # A poison record is dead-lettered.
    record = json.loads((EVENTS / "advisory-stream-insert.json").read_text(encoding="utf-8"))
    broken = record["Records"][0]
    broken["dynamodb"]["NewImage"]["level"] = {"N": "9"}
    functions.invoke("FanoutFunction", {"Records": [broken]})


def reader_flows(functions: LocalFunctions, advisory_id: str) -> None:
    read = _event("read-advisory.json")
    for wanted in (advisory_id, "caf7ae85"):  # an id, an SMS link's short reference
        read["pathParameters"] = {"advisory_id": wanted}
        functions.invoke("PublicAdvisoryFunction", read)


def poller_flows(stack: DeployedStack, functions: LocalFunctions, feeds_url: str) -> None:
    repository = DynamoFeedRepository(stack.client("dynamodb"), stack.resources["FeedsTable"])
    for name in ("almaty-alert.cap", "mfa-news.rss"):
        feed_id = name.split(".")[0]
        repository.put_feed(FeedConfig(feed_id=feed_id, url=f"{feeds_url}/{name}", source=feed_id))
    result = functions.invoke("FeedPollerFunction", _event("scheduled-poll.json"))
    assert {feed["status"] for feed in result["feeds"]} == {"ingested"}, result


def countries_flows(stack: DeployedStack, functions: LocalFunctions) -> None:
    publisher = Publisher(stack, functions)
    assert publisher.call("PUT", "/countries/UZ", {"internet": "disrupted"})[0] == 200
    assert publisher.call("GET", "/countries")[0] == 200


def cap_feed_flows(functions: LocalFunctions) -> None:
    """The stream's writes ran in fanout_flows (StreamPump feeds both); the schedule reads
    the index back."""
    functions.invoke("CapFeedFunction", _event("scheduled-cap-refresh.json"))


def receipts_flows(stack: DeployedStack, functions: LocalFunctions) -> None:
    items = stack.client("dynamodb").scan(TableName=stack.resources["DeliveryLedgerTable"])
    published = [item["message_id"]["S"] for item in items["Items"] if "message_id" in item]
    assert published
    now = datetime.now(UTC)
    records = [
        delivery_status_record(m, now, PHONE, delivered=True, provider_response="",
                               price_usd=0.05, country="KZ", topic_arn="")
        for m in [published[0], published[0], "no-such-message"]  # again; unattributed
    ]  # fmt: skip
    events = [LogEvent(f"{now.timestamp()}-{n}", now, json.dumps(r)) for n, r in enumerate(records)]
    group = log_group(stack.region, ACCOUNT, failure=False)
    functions.invoke("ReceiptsFunction", awslogs_event(group, events))


def delivery_report_flows(
    stack: DeployedStack, functions: LocalFunctions, advisory_id: str
) -> None:
    canary = [{"country": "KZ", "operator": "Kcell", "phone": "+77011234599"}]
    stack.client("secretsmanager").put_secret_value(
        SecretId=stack.resources["CanaryPhonesSecret"], SecretString=json.dumps(canary)
    )
    publisher = Publisher(stack, functions)
    status, report = publisher.call("GET", f"/advisories/{advisory_id}/versions/1/delivery")
    assert status == 200, report
    functions.invoke("DeliveryReportFunction", _event("scheduled-poll.json"))
    # CanaryMinutes on, the canary has no receipt: the notice to the operations topic.
    later = datetime.now(UTC) + timedelta(minutes=12)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(bootstrap, "utc_now", lambda: later)
        bootstrap.delivery_report_service.cache_clear()
        watch = functions.invoke("DeliveryReportFunction", _event("scheduled-poll.json"))
    bootstrap.delivery_report_service.cache_clear()
    assert watch["canaries"], watch


def sms_settings_flows(stack: DeployedStack, functions: LocalFunctions) -> None:
    """The custom resource; its answer to CloudFormation (an HTTPS PUT, no AWS call) is
    caught here."""
    answers: list[bytes] = []

    class Answered:
        def __enter__(self) -> Answered:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def answer(request: urllib.request.Request, timeout: float) -> Answered:
        answers.append(bytes(request.data or b""))  # type: ignore[arg-type]
        return Answered()

    role = f"arn:aws:iam::{ACCOUNT}:role/{stack.resources['SmsDeliveryStatusRole']}"
    event = {
        "RequestType": "Create",
        "ResponseURL": "https://cloudformation-custom-resource-response.example/answer",
        "StackId": f"arn:aws:cloudformation:{stack.region}:{ACCOUNT}:stack/{stack.name}/x",
        "RequestId": "request-1",
        "LogicalResourceId": "SmsDeliveryStatusSettings",
        "ResourceProperties": {"RoleArn": role, "SuccessSamplingRate": "100"},
    }
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(urllib.request, "urlopen", answer)
        functions.invoke("SmsDeliveryStatusFunction", event)
    assert [json.loads(a)["Status"] for a in answers] == ["SUCCESS"]


def test_every_call_a_function_makes_is_allowed_by_its_role(
    stack: DeployedStack, calls: list[Call], feed_server: str
) -> None:
    functions = LocalFunctions(stack)
    citizen_flows(Api(stack))
    countries_flows(stack, functions)
    advisory_id = publisher_flows(functions)
    fanout_flows(stack, functions)
    reader_flows(functions, advisory_id)
    poller_flows(stack, functions, feed_server)
    cap_feed_flows(functions)
    receipts_flows(stack, functions)
    delivery_report_flows(stack, functions, advisory_id)
    sms_settings_flows(stack, functions)
    email_flows(stack)
    training_flows(stack)

    made = {(c.function, f"{c.service}:{c.operation}") for c in calls}
    # The flows reached what each adapter does (else this test would prove little).
    for expected in [
        ("SubscriptionsFunction", "sns:Unsubscribe"),
        ("SubscriptionsFunction", "dynamodb:Query"),
        ("SubscriptionsFunction", "secretsmanager:GetSecretValue"),
        ("IngestFunction", "sns:GetTopicAttributes"),
        ("FanoutFunction", "dynamodb:DeleteItem"),
        ("FanoutFunction", "sqs:SendMessage"),
        ("PublicAdvisoryFunction", "dynamodb:Query"),
        ("FeedPollerFunction", "dynamodb:Scan"),
        ("FeedPollerFunction", "dynamodb:TransactWriteItems"),
        ("IngestFunction", "dynamodb:BatchGetItem"),
        ("FanoutFunction", "dynamodb:BatchGetItem"),
        ("CountriesFunction", "dynamodb:Scan"),
        ("CountriesFunction", "dynamodb:PutItem"),
        ("CapFeedFunction", "dynamodb:GetItem"),
        ("CapFeedFunction", "s3:GetObject"),
        ("CapFeedFunction", "s3:PutObject"),
        ("ReceiptsFunction", "dynamodb:Query"),
        ("ReceiptsFunction", "dynamodb:TransactWriteItems"),
        ("ReceiptsFunction", "dynamodb:GetItem"),
        ("ReceiptsFunction", "dynamodb:UpdateItem"),
        ("ReceiptsFunction", "secretsmanager:GetSecretValue"),
        ("DeliveryReportFunction", "dynamodb:GetItem"),
        ("DeliveryReportFunction", "dynamodb:Query"),
        ("DeliveryReportFunction", "dynamodb:UpdateItem"),
        ("DeliveryReportFunction", "sns:GetTopicAttributes"),
        ("DeliveryReportFunction", "sns:CreateTopic"),
        ("DeliveryReportFunction", "sns:Subscribe"),
        ("DeliveryReportFunction", "secretsmanager:GetSecretValue"),
        ("DeliveryReportFunction", "sns:Publish"),
        ("SmsDeliveryStatusFunction", "sns:SetSMSAttributes"),
        ("SubscriptionsFunction", "sesv2:SendEmail"),
        ("SubscriptionsFunction", "dynamodb:DeleteItem"),
        ("EmailPagesFunction", "sns:Subscribe"),
        ("EmailPagesFunction", "dynamodb:Query"),
        ("EmailPagesFunction", "dynamodb:DeleteItem"),
        ("EmailDeliveryFunction", "sesv2:SendEmail"),
        ("EmailDeliveryFunction", "dynamodb:BatchGetItem"),
        ("EmailDeliveryFunction", "dynamodb:Query"),
        ("EmailDeliveryFunction", "dynamodb:UpdateItem"),
        ("EmailEventsFunction", "dynamodb:TransactWriteItems"),
        ("EmailEventsFunction", "dynamodb:DeleteItem"),
        ("FanoutFunction", "dynamodb:Query"),  # training mode: the staff list
    ]:
        assert expected in made, expected
    # The audience counts each segment's email members without reading one (Select=COUNT).
    counted = {
        c.function
        for c in calls
        if c.operation == "Query"
        and c.params.get("IndexName") == "EmailSegmentMembers"
        and c.params.get("Select") == "COUNT"
    }
    assert {"IngestFunction", "DeliveryReportFunction"} <= counted
    # Every function of the template ran (a new one needs its flow here).
    assert {function for function, _ in made} == set(stack.functions)
    policies = {function: role_statements(stack, function) for function in stack.functions}
    refused = sorted(
        {
            f"{call.function}: {action} on {resource}"
            for call in calls
            for action, resource in required(stack, call)
            if not allowed(policies[call.function], action, resource)
        }
    )
    assert refused == []


def test_the_replay_of_iam_refuses_what_aws_would(stack: DeployedStack) -> None:
    """The check itself: a deny wins, a topic pattern does not cover a phone number, and a
    table ARN does not cover its indexes."""
    statements = role_statements(stack, "SubscriptionsFunction")
    topic = f"arn:aws:sns:{stack.region}:{ACCOUNT}:{stack.name}-seg-KZ-ru-L1"
    assert allowed(statements, "sns:Publish", f"phone-number:{PHONE}")
    assert not allowed(statements, "sns:Publish", topic)  # NeverPublishToTopics
    assert allowed(statements, "sns:Subscribe", topic)
    assert not allowed(statements, "sns:Subscribe", f"arn:aws:sns:{stack.region}:{ACCOUNT}:x")
    table = _table(stack, stack.resources["SubscribersTable"])
    assert allowed(statements, "dynamodb:Query", f"{table}/index/ByLookupHash")
    assert not allowed(statements, "dynamodb:Query", table)
    assert not allowed(statements, "dynamodb:Scan", table)

"""The citizen API's handler against moto, with every resource created from template.yaml:
ownership, preferences moving SNS subscriptions, abuse limits, encryption with the stack's key,
and the OpenAPI document."""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from consular_alerts.adapters.dynamodb.email_members import DynamoEmailMembers
from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
from consular_alerts.adapters.sns import SegmentTopics, SnsSegmentDirectory
from consular_alerts.bootstrap import utc_now, wire_subscription_service
from consular_alerts.models.citizen import Subscriber, SubscribeRequest, SubscriberStatus
from consular_alerts.services.email_subscriptions import EmailPolicy
from consular_alerts.services.subscription_errors import (
    ConflictError,
    LockedError,
    SubscriptionError,
)
from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy
from consular_alerts.services.subscriptions import SubscriptionService

from alerts_cli.openapi import DOCUMENT, HANDLER, generate, render
from alerts_local.stack import DeployedStack, load_sam
from tests.conftest import EVENTS
from tests.fakes import FakeMailer, FakePhoneCodes, FakeRateLimiter, FakeSmsSender
from tests.integration.citizen_api import PHONE, Api


@pytest.fixture
def api(stack: DeployedStack) -> Api:
    return Api(stack)


def test_subscribe_verify_read_change_and_end_over_the_api(api: Api) -> None:
    subscription_id, token = api.subscribe_phone(countries=["KZ", "KG"], min_level=2)
    assert api.endpoints("KZ-ru-L2") == [PHONE]

    status, reply, _ = api.call("GET", f"/subscriptions/{subscription_id}", token=token)
    assert status == 200
    assert reply["address"] == "+7*******567"
    assert PHONE not in json.dumps(reply)

    status, reply, _ = api.call(
        "PATCH",
        f"/subscriptions/{subscription_id}",
        {"countries": ["KZ", "TR"], "min_level": 3},
        token=token,
    )
    assert status == 200, reply
    assert (reply["countries"], reply["min_level"]) == (["KZ", "TR"], 3)
    assert api.endpoints("KZ-ru-L3") == [PHONE]
    assert api.endpoints("TR-ru-L3") == [PHONE]
    assert api.endpoints("KZ-ru-L2") == []
    assert api.endpoints("KG-ru-L2") == []

    status, reply, _ = api.call("DELETE", f"/subscriptions/{subscription_id}", token=token)
    assert status == 200
    assert reply["status"] == "unsubscribed"
    assert api.endpoints("KZ-ru-L3") == api.endpoints("TR-ru-L3") == []
    item = api.stack.client("dynamodb").get_item(
        TableName=api.stack.resources["SubscribersTable"],
        Key={"subscriber_id": {"S": subscription_id}},
    )["Item"]
    assert "address" not in item or item["address"]["S"] == ""
    assert item["address_hash"]["S"]
    status, _, _ = api.call("GET", f"/subscriptions/{subscription_id}", token=token)
    assert status == 404


def test_ownership_is_proven_by_token_or_signed_link(api: Api) -> None:
    subscription_id, _ = api.subscribe_phone()
    status, reply, headers = api.call("GET", f"/subscriptions/{subscription_id}")
    assert status == 401
    assert headers.get("WWW-Authenticate") == "Bearer"
    status, _, _ = api.call("GET", f"/subscriptions/{subscription_id}", token="guess")
    assert status == 403

    welcome = api.sms(PHONE)[-1]
    link = re.search(r"https://\S+/s/([0-9a-f-]{36})#(\S+)", welcome)
    assert link is not None
    assert link.group(1) == subscription_id
    status, _, _ = api.call("GET", f"/subscriptions/{subscription_id}", token=link.group(2))
    assert status == 403  # an unsubscribe link does not read
    status, reply, _ = api.call("DELETE", f"/subscriptions/{subscription_id}", token=link.group(2))
    assert status == 200
    assert reply["status"] == "unsubscribed"


def test_a_lost_token_is_replaced_with_a_code_sent_to_the_phone(api: Api) -> None:
    subscription_id, old = api.subscribe_phone()
    api.stack.client("dynamodb").delete_item(  # start a new cooldown window
        TableName=api.stack.resources["RateLimitsTable"],
        Key={"limit_key": {"S": _cooldown_key(api)}},
    )
    status, reply, _ = api.call("POST", "/subscriptions/code", {"address": PHONE})
    assert status == 202, reply
    assert "subscription_id" not in reply or reply["subscription_id"] is None
    status, reply, _ = api.call(
        "POST", "/subscriptions/token", {"address": PHONE, "code": api.code(PHONE)}
    )
    assert status == 200, reply
    assert reply["subscription_id"] == subscription_id
    new = reply["manage_token"]
    assert new != old
    assert api.call("GET", f"/subscriptions/{subscription_id}", token=old)[0] == 403
    assert api.call("GET", f"/subscriptions/{subscription_id}", token=new)[0] == 200


def _cooldown_key(api: Api) -> str:
    table = api.stack.resources["RateLimitsTable"]
    items = api.stack.client("dynamodb").scan(TableName=table)["Items"]
    (key,) = [i["limit_key"]["S"] for i in items if i["limit_key"]["S"].startswith("cooldown#")]
    return key


def test_limits_answer_429_naming_the_limit_and_store_and_send_nothing(api: Api) -> None:
    payload = {"channel": "sms", "address": PHONE, "countries": ["KZ"], "language": "en"}
    sent_before = len(api.sms(PHONE))  # moto keeps every stack's SMS: count from here
    assert api.call("POST", "/subscriptions", payload)[0] == 202
    status, reply, headers = api.call("POST", "/subscriptions", payload, ip="198.51.100.1")
    assert status == 429
    assert reply["limit"] == "cooldown"
    assert 0 < int(headers["Retry-After"]) <= 60
    assert len(api.sms(PHONE)) == sent_before + 1
    subscribers = api.stack.client("dynamodb").scan(
        TableName=api.stack.resources["SubscribersTable"], Select="COUNT"
    )
    assert subscribers["Count"] == 1

    for n in range(9):  # 10 per client address: the 11th request is refused
        other = {**payload, "address": f"+7701555{n:04d}"}
        assert api.call("POST", "/subscriptions", other)[0] == 202
    status, reply, _ = api.call("POST", "/subscriptions", {**payload, "address": "+77015559999"})
    assert (status, reply["limit"]) == (429, "client")
    assert "at most 10 requests per client address per hour" in reply["error"]

    keys = api.stack.client("dynamodb").scan(TableName=api.stack.resources["RateLimitsTable"])
    text = json.dumps(keys["Items"])
    assert "7011234567" not in text
    assert "203.0.113.10" not in text


def test_segment_topics_are_encrypted_with_the_stacks_key(api: Api) -> None:
    # (moto does not report a table's SSE settings: test_template_citizen checks the tables.)
    key_arn = api.stack.functions["SubscriptionsFunction"].environment["SUBSCRIBER_DATA_KEY_ARN"]
    key = api.stack.client("kms").describe_key(KeyId=key_arn)["KeyMetadata"]
    assert key["Arn"] == key_arn
    assert key["KeyManager"] == "CUSTOMER"
    api.subscribe_phone()
    sns = api.stack.client("sns")
    arn = f"arn:aws:sns:{api.stack.region}:123456789012:{api.stack.name}-seg-KZ-ru-L1"
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["KmsMasterKeyId"] == key_arn


def test_email_is_pending_until_confirmed_and_the_answer_tells_nothing(api: Api) -> None:
    payload = {
        "channel": "email",
        "address": "dana@example.org",
        "countries": ["TR"],
        "language": "en",
    }
    status, first, _ = api.call("POST", "/subscriptions", payload)
    assert status == 202
    assert first["status"] == "pending_confirmation"
    assert first["manage_token"] is None  # only the mailbox's owner gets it, on confirming
    assert first["manage_link"] is None
    api.subscribe_email("dana@example.org", countries=["TR"], language="en")
    # Subscribed now: another sign-up of the address is answered exactly as the first.
    status, again, _ = api.call("POST", "/subscriptions", payload, ip="198.51.100.7")
    assert status == 202
    assert {k: v for k, v in again.items() if k != "subscription_id"} == {
        k: v for k, v in first.items() if k != "subscription_id"
    }


@pytest.mark.parametrize(
    ("content_type", "raw", "status"),
    [
        ("application/json", "{not json", 422),
        (
            "application/json",
            '{"channel": "fax", "address": "x", "countries": [], "language": "ru"}',
            422,
        ),
        ("text/plain", "hello", 415),
        ("multipart/form-data", "--x", 415),
        ("application/json", '{"channel": "sms", "address": "' + "9" * 5000 + '"}', 413),
    ],
)
def test_malformed_requests_are_4xx_and_never_echo_the_address(
    api: Api, content_type: str, raw: str, status: int
) -> None:
    got, reply, _ = api.call("POST", "/subscriptions", content_type=content_type, raw=raw)
    assert got == status, reply
    assert reply["error"]


def test_a_refused_phone_number_is_not_echoed(api: Api) -> None:
    # France is not in the template's default list of phone countries.
    payload = {"channel": "sms", "address": "+33612345678", "countries": ["KZ"], "language": "ru"}
    status, reply, _ = api.call("POST", "/subscriptions", payload)
    assert status == 422
    assert "FR" in reply["error"]
    assert "612345678" not in json.dumps(reply)


def test_malformed_subscription_ids_are_422_and_unknown_ones_404(api: Api) -> None:
    assert api.call("GET", "/subscriptions/not-an-id", token="t")[0] == 422
    unknown = "3f6c1e9e-8d1b-4f8e-9a43-2b7c5d0e6a11"
    assert api.call("GET", f"/subscriptions/{unknown}", token="t")[0] == 404


def test_the_checked_in_openapi_document_is_the_generated_one() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == render(generate()), "run make openapi"


def test_the_openapi_document_and_the_template_have_the_same_routes() -> None:
    sam = load_sam()
    events = sam["Resources"]["SubscriptionsFunction"]["Properties"]["Events"].values()
    assert {e["Type"] for e in events} == {"Api"}  # routes only: no schedule
    in_template = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"]) for e in events}
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    in_document = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    assert in_document == in_template


def test_the_openapi_document_describes_every_route_of_the_handler() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["manageToken"]["scheme"] == "bearer"
    for route in handler_routes():
        path = route.rule.replace("<", "{").replace(">", "}")
        operation = document["paths"][path][route.method.lower()]
        assert operation["operationId"] == route.handler.__name__
        assert [p["name"] for p in operation.get("parameters", [])] == list(route.parameters)
        if route.body is not None:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert body == {"$ref": f"#/components/schemas/{route.body.__name__}"}
        else:
            assert "requestBody" not in operation
        assert set(operation["responses"]) >= {str(route.status), "413", "415", "422", "503"}
        for answer in operation["responses"].values():
            ref = answer["content"]["application/json"]["schema"]["$ref"]
            assert ref.removeprefix("#/components/schemas/") in schemas
        assert ("security" in operation) == (route.method in {"GET", "PATCH", "DELETE"})


def handler_routes() -> list[Any]:
    spec = importlib.util.spec_from_file_location("citizen_api_routes", HANDLER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    routes: list[Any] = module.app.routes
    assert len(routes) == 9
    return routes


@pytest.mark.parametrize(
    "name",
    sorted(
        path.name
        for path in EVENTS.glob("*.json")
        if json.loads(path.read_text(encoding="utf-8")).get("resource", "").startswith("/subs")
    ),
)
def test_the_sample_events_are_routes_the_handler_answers(api: Api, name: str) -> None:
    sample = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    routes = {(r.method, r.path) for r in api.stack.routes if r.api == "CitizenApi"}
    assert (sample["httpMethod"], sample["resource"]) in routes
    response = api.functions.invoke("SubscriptionsFunction", sample)
    assert 200 <= int(response["statusCode"]) < 500, response


# --- races against moto: the repository and SNS directory of the stack, driven directly ------


def _service(
    stack: DeployedStack, repository: DynamoSubscriberRepository, sms: FakeSmsSender
) -> SubscriptionService:
    env = stack.functions["SubscriptionsFunction"].environment
    return wire_subscription_service(
        repository,
        SnsSegmentDirectory(stack.client("sns"), SegmentTopics(env["SEGMENT_TOPIC_ARN_PREFIX"])),
        sms,
        FakeRateLimiter(),
        SubscriptionPolicy(allowed_phone_countries=frozenset({"KZ"}), sender_id="MFAKG"),
        SubscriberKeys.from_secret(b"integration-tests-only-secret-0123456789"),
        utc_now,
        phone_codes=FakePhoneCodes(),
        members=DynamoEmailMembers(stack.client("dynamodb"), env["SUBSCRIBERS_TABLE"]),
        mailer=FakeMailer(),
        email_policy=EmailPolicy(queue_arn=env["EMAIL_QUEUE_ARN"]),
    )


def _subscribe_phone(service: SubscriptionService, sms: FakeSmsSender) -> tuple[str, str]:
    request = SubscribeRequest(channel="sms", address=PHONE, countries=["KZ"], language="ru")
    subscription_id = service.subscribe(request, "203.0.113.10").subscription_id
    found = re.search(r"\b(\d{6})\b", sms.sent[-1][1])
    assert found is not None
    return subscription_id, found.group(1)


class _SecondTapFirst(DynamoSubscriberRepository):
    """Runs `second` (a double tap) inside the next conditional write, before it is sent: the
    second request completes first and the first loses its write."""

    second: Callable[[], object] | None = None

    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        second, self.second = self.second, None
        if second is not None:
            second()
        return super().replace(subscriber, expected_status)


def test_a_double_tapped_verify_leaves_the_number_subscribed_in_sns(api: Api) -> None:
    stack = api.stack
    repository = _SecondTapFirst(stack.client("dynamodb"), stack.resources["SubscribersTable"])
    sms = FakeSmsSender()
    service = _service(stack, repository, sms)
    subscription_id, code = _subscribe_phone(service, sms)
    repository.second = lambda: service.verify(subscription_id, code)
    with pytest.raises(ConflictError):
        service.verify(subscription_id, code)
    stored = repository.get(subscription_id)
    assert stored is not None
    assert stored.status is SubscriberStatus.ACTIVE
    assert api.endpoints("KZ-ru-L1") == [PHONE]  # SNS: the same ARN for both taps, kept
    sns = stack.client("sns")
    (held,) = stored.subscription_arns
    assert sns.get_subscription_attributes(SubscriptionArn=held)["Attributes"]["Endpoint"] == PHONE


class _OneCallAtATime:
    """DynamoDB applies each conditional write to an item atomically; the moto server runs
    requests in threads without that guarantee. One call at a time restores it."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return method(*args, **kwargs)

        return call


class _AllInFlight(DynamoSubscriberRepository):
    """Each request's first read waits for the others: `requests` requests in flight at once,
    every one of them having read the record before any attempt was counted."""

    def __init__(self, client: Any, table: str, requests: int) -> None:
        super().__init__(client, table)
        self.armed = False
        self._barrier = threading.Barrier(requests)
        self._waited: set[int] = set()

    def get(self, subscriber_id: str) -> Subscriber | None:
        found = super().get(subscriber_id)
        if self.armed and threading.get_ident() not in self._waited:
            self._waited.add(threading.get_ident())
            self._barrier.wait(timeout=60)
        return found


def test_a_burst_of_wrong_codes_is_counted_attempt_by_attempt_and_locks(api: Api) -> None:
    stack = api.stack
    requests = 20  # the API stage's burst
    table = stack.resources["SubscribersTable"]
    repository = _AllInFlight(_OneCallAtATime(stack.client("dynamodb")), table, requests)
    sms = FakeSmsSender()
    service = _service(stack, repository, sms)
    subscription_id, code = _subscribe_phone(service, sms)
    repository.armed = True
    outcomes: Counter[str] = Counter()
    tally = threading.Lock()

    def guess(n: int) -> None:
        try:
            service.verify(subscription_id, f"{(int(code) + 1 + n) % 1_000_000:06d}")
            outcome = "verified"
        except SubscriptionError as error:
            outcome = type(error).__name__
        with tally:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes == {"SubscriptionError": 4, "LockedError": 16}
    item = stack.client("dynamodb").get_item(
        TableName=table, Key={"subscriber_id": {"S": subscription_id}}
    )["Item"]
    assert (item["attempts"]["N"], item["status"]["S"]) == ("5", "locked")
    repository.armed = False
    with pytest.raises(LockedError):  # the right code comes too late
        service.verify(subscription_id, code)
    assert api.endpoints("KZ-ru-L1") == []

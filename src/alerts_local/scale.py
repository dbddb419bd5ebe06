"""Scale: many simulated citizens across many audience segments on the local stack.

Creates the stack from template.yaml in an embedded moto, subscribes simulated citizens (SMS
and email, 1-3 of 30 countries, any language and minimum level), posts the seed advisory
through the publisher handler, lets the fan-out run from the DynamoDB stream, and counts what
SNS was asked to do. The same run with 10 citizens gives the baseline: the publishes per
advisory depend on the segments the advisory reaches, never on the number of subscribers
(docs/architecture.md, fact 1), and no subscription carries a filter policy.

The first `via_service` citizens go through SubscriptionService with the real DynamoDB and
SNS adapters (code by SMS and verification, or the confirmation email's link; the
subscriptions and email memberships it makes); the rest are subscribed directly with the same
adapters (a phone to its segment topics; an address as a member of its segments, whose topics
feed the email queue), which is all the fan-out sees and much faster on moto. Abuse limits
are lifted: thousands of sign-ups from one process would trip them, by design.

`make bench` (bench/fanout.py) runs it with 10, 1,000 and 10,000 citizens.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from consular_alerts.adapters.dynamodb.email_members import DynamoEmailMembers
from consular_alerts.adapters.dynamodb.phone_codes import DynamoPhoneCodes
from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
from consular_alerts.adapters.sns import SegmentTopics, SnsSegmentDirectory
from consular_alerts.bootstrap import wire_subscription_service
from consular_alerts.domain.citizens.limits import Budget, Refusal
from consular_alerts.domain.messages.email_letters import Letter
from consular_alerts.domain.segments import segments_for_subscriber
from consular_alerts.models.citizen import SubscribeRequest
from consular_alerts.services.email_subscriptions import EmailPolicy
from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy
from consular_alerts.services.subscriptions import SubscriptionService
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from alerts_local.calls import CallRecorder, recording
from alerts_local.lambdas import LocalFunctions, apply_environment
from alerts_local.stack import REPO_ROOT, DeployedStack, deploy
from alerts_local.streams import StreamPump

# SNS quotas (docs/architecture.md, fact 1): per topic and per account.
FILTER_POLICIES_PER_TOPIC = 200
FILTER_POLICIES_PER_ACCOUNT = 10_000
SUBSCRIPTIONS_PER_TOPIC = 12_500_000
TOPICS_PER_ACCOUNT = 100_000

COUNTRIES = (
    "KZ", "RU", "TR", "AE", "KR", "US", "GB", "DE", "UZ", "TJ", "CN", "JP", "IT", "FR", "ES",
    "PL", "CZ", "AT", "CH", "NL", "BE", "SE", "FI", "IN", "TH", "MY", "SA", "QA", "EG", "GE",
)  # fmt: skip
LANGUAGES = ("ky", "ru", "en")
SEED_EVENT = REPO_ROOT / "events" / "post-advisory-seed.json"  # KZ, level 2


@dataclass(frozen=True)
class Citizen:
    channel: str
    address: str
    countries: tuple[str, ...]
    language: str
    min_level: int


def citizens(count: int, seed: int = 5) -> list[Citizen]:
    """`count` distinct citizens, the same for the same seed. The first six are in Kazakhstan
    in every language at levels 1 and 2, so that every run (10 citizens as much as 10,000)
    has an audience in each segment the seed advisory reaches."""
    rng = random.Random(seed)  # noqa: S311  (simulated people, not secrets)
    found: list[Citizen] = []
    for n in range(count):
        if n % 5 == 4:
            channel, address = "email", f"citizen{n}@example.org"
        elif n % 2:
            channel, address = "sms", f"+996700{n:06d}"  # Kyrgyz mobiles
        else:
            channel, address = "sms", f"+7701{n:07d}"  # Kazakh mobiles
        if n < 6:
            countries: tuple[str, ...] = ("KZ",)
            language, level = LANGUAGES[n % 3], 1 + n // 3
        else:
            countries = tuple(rng.sample(COUNTRIES, rng.choice((1, 1, 2, 3))))
            language, level = rng.choice(LANGUAGES), rng.randint(1, 4)
        found.append(Citizen(channel, address, countries, language, level))
    return found


class _CodeOutbox:
    """Stands in for SMS: keeps the last code sent to each number."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def send_sms(self, phone_number: str, text: str, sender_id: str) -> str:
        found = re.search(r"\b(\d{6})\b", text)
        if found:
            self.codes[phone_number] = found.group(1)
        return str(uuid.uuid4())


class _ConfirmationOutbox:
    """Stands in for SES: keeps the confirmation token last sent to each address."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def send(self, to: str, letter: Letter, tags: dict[str, str]) -> str:
        found = re.search(r"/email/confirm/[0-9a-f-]{36}\?t=([^\s\"<&]+)", letter.text)
        if found:
            self.tokens[to] = unquote(found.group(1))
        return str(uuid.uuid4())


class _NoLimits:
    def acquire(self, budget: Budget, now: datetime) -> Refusal | None:
        return None

    def refund(self, budget: Budget, now: datetime) -> None:
        return None


@dataclass(frozen=True)
class ScaleResult:
    subscribers: int
    via_service: int
    subscriptions: int  # SNS subscriptions on the segment topics (phones, the email queue)
    segments: int  # topics holding at least one subscription
    publishes: int  # SNS Publish calls the fan-out made for the advisory
    segments_reached: int  # segments the advisory was for (ledger entries)
    # Phones subscribed to the topics published to and email members of their segments:
    # what SNS delivers by SMS and the email function sends.
    recipients: int
    filter_policies: int
    max_subscriptions_per_topic: int
    fanout_invocations: int  # fan-out handler invocations for the advisory
    fanout_calls: int  # AWS API calls those invocations made (DynamoDB and SNS)
    seconds_subscribing: float
    seconds_fanout: float

    def quotas_ok(self) -> bool:
        return (
            self.filter_policies == 0
            and self.segments <= TOPICS_PER_ACCOUNT
            and self.max_subscriptions_per_topic <= SUBSCRIPTIONS_PER_TOPIC
        )


def _members(stack: DeployedStack) -> DynamoEmailMembers:
    env = stack.functions["SubscriptionsFunction"].environment
    return DynamoEmailMembers(stack.client("dynamodb"), env["SUBSCRIBERS_TABLE"])


def _service(
    stack: DeployedStack, sms: _CodeOutbox, mail: _ConfirmationOutbox
) -> SubscriptionService:
    env = stack.functions["SubscriptionsFunction"].environment
    return wire_subscription_service(
        DynamoSubscriberRepository(stack.client("dynamodb"), env["SUBSCRIBERS_TABLE"]),
        _directory(stack),
        sms,
        _NoLimits(),
        SubscriptionPolicy(
            allowed_phone_countries=frozenset(env["ALLOWED_PHONE_COUNTRIES"].split(",")),
            sender_id=env["SMS_SENDER_ID"],
            welcome_sms=False,
        ),
        SubscriberKeys.from_secret(uuid.uuid4().hex.encode() * 2),
        lambda: datetime.now(UTC),
        phone_codes=DynamoPhoneCodes(stack.client("dynamodb"), env["RATE_LIMITS_TABLE"]),
        members=_members(stack),
        mailer=mail,
        email_policy=EmailPolicy(queue_arn=env["EMAIL_QUEUE_ARN"]),
    )


def _directory(stack: DeployedStack) -> SnsSegmentDirectory:
    env = stack.functions["SubscriptionsFunction"].environment
    return SnsSegmentDirectory(
        stack.client("sns"),
        SegmentTopics(env["SEGMENT_TOPIC_ARN_PREFIX"]),
        kms_key_id=env.get("SUBSCRIBER_DATA_KEY_ARN"),
    )


def subscribe_all(stack: DeployedStack, people: list[Citizen], via_service: int) -> None:
    sms = _CodeOutbox()
    mail = _ConfirmationOutbox()
    service = _service(stack, sms, mail)
    directory = _directory(stack)
    members = _members(stack)
    queue_arn = stack.functions["SubscriptionsFunction"].environment["EMAIL_QUEUE_ARN"]
    feeding: set[str] = set()  # segment topics already subscribed by the email queue
    for n, citizen in enumerate(people):
        if n < via_service:
            request = SubscribeRequest(
                channel=citizen.channel,
                address=citizen.address,
                countries=list(citizen.countries),
                language=citizen.language,
                min_level=citizen.min_level,
            )
            view = service.subscribe(request, client_ip=f"10.{n // 65536}.{n // 256 % 256}.1")
            if citizen.channel == "sms":
                service.verify(view.subscription_id, sms.codes[citizen.address])
            else:
                token = mail.tokens[citizen.address]
                service.email.confirm(view.subscription_id, token, act=True)
            continue
        segments = segments_for_subscriber(
            list(citizen.countries), citizen.language, citizen.min_level
        )
        if citizen.channel == "sms":
            for segment in segments:
                directory.subscribe(segment, "sms", citizen.address)
            continue
        members.join(f"scale-{n}", [segment.name for segment in segments])
        for segment in segments:
            if segment.name not in feeding:
                directory.subscribe(segment, "sqs", queue_arn)
                feeding.add(segment.name)


def _post_seed(stack: DeployedStack, functions: LocalFunctions) -> tuple[int, int]:
    """Post the seed and run the fan-out: its invocations and the AWS calls they made."""
    event = json.loads(SEED_EVENT.read_text(encoding="utf-8"))
    response = functions.invoke("IngestFunction", event)
    if int(response["statusCode"]) != 201:
        raise RuntimeError(f"seed advisory not stored: {response}")
    pump = StreamPump(stack, functions, only={"FanoutFunction"})
    recorder = CallRecorder()
    invoke = functions.invoke
    functions.invoke = recorder.within(invoke)  # type: ignore[method-assign]
    try:
        with recording(recorder):
            while pump.drain():
                pass
    finally:
        functions.invoke = invoke  # type: ignore[method-assign]
    return pump.invocations, len(recorder.calls)


def measure(
    stack: DeployedStack, functions: LocalFunctions, subscribers: int, via_service: int
) -> ScaleResult:
    """Subscribe, post the seed advisory, count. `stack` must be fresh (its own topics)."""
    started = time.perf_counter()
    subscribe_all(stack, citizens(subscribers), via_service)
    subscribed = time.perf_counter()
    backend = sns_backends[DEFAULT_ACCOUNT_ID][stack.region]
    prefix = f"{stack.name}-seg-"
    before = {arn: len(t.sent_notifications) for arn, t in backend.topics.items()}
    members = _members(stack)
    invocations, calls = _post_seed(stack, functions)
    finished = time.perf_counter()

    topics = {arn: t for arn, t in backend.topics.items() if t.name.startswith(prefix)}
    per_topic: dict[str, int] = dict.fromkeys(topics, 0)
    phones: dict[str, int] = dict.fromkeys(topics, 0)
    filter_policies = 0
    for subscription in list(backend.subscriptions.values()):
        if subscription.topic.arn in topics:
            per_topic[subscription.topic.arn] += 1
            phones[subscription.topic.arn] += subscription.protocol == "sms"
            if subscription.attributes.get("FilterPolicy"):
                filter_policies += 1
    published = {arn: len(t.sent_notifications) - before.get(arn, 0) for arn, t in topics.items()}
    ledger = stack.client("dynamodb").scan(  # segment publishes, not the sent digests
        TableName=stack.resources["DeliveryLedgerTable"],
        Select="COUNT",
        FilterExpression="attribute_exists(#s)",
        ExpressionAttributeNames={"#s": "state"},
    )
    return ScaleResult(
        subscribers=subscribers,
        via_service=min(via_service, subscribers),
        subscriptions=sum(per_topic.values()),
        segments=sum(1 for count in per_topic.values() if count),
        publishes=sum(published.values()),
        segments_reached=int(ledger["Count"]),
        recipients=sum(
            phones[arn] + members.count(topics[arn].name.removeprefix(prefix))
            for arn, count in published.items()
            if count
        ),
        filter_policies=filter_policies,
        max_subscriptions_per_topic=max(per_topic.values(), default=0),
        fanout_invocations=invocations,
        fanout_calls=calls,
        seconds_subscribing=subscribed - started,
        seconds_fanout=finished - subscribed,
    )


def sample_has_no_filter_policy(stack: DeployedStack, sample: int = 25) -> bool:
    """The same check through the SNS API, on a sample of subscriptions."""
    sns = stack.client("sns")
    arns: list[str] = []
    for page in sns.get_paginator("list_subscriptions").paginate():
        arns += [
            s["SubscriptionArn"]
            for s in page["Subscriptions"]
            if f":{stack.name}-seg-" in s["TopicArn"]
        ]
        if len(arns) >= sample:
            break
    attributes = [
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"] for arn in arns[:sample]
    ]
    return bool(attributes) and all("FilterPolicy" not in a for a in attributes)


def fresh_stack(endpoint: str, label: str) -> tuple[DeployedStack, LocalFunctions]:
    stack = deploy(endpoint, f"{label}{uuid.uuid4().hex[:6]}")
    apply_environment(stack, "ERROR")
    return stack, LocalFunctions(stack)

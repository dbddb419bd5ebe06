"""Issue 15, items 1-3 on the subscription service's fakes: the shared SMS budgets count only
SMS sent, client limits by network, no enumeration of subscribed numbers (equal calls on
every fake), and links that die with a new manage token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from consular_alerts.domain.citizens.limits import Limit, RateLimits, client_network
from consular_alerts.domain.citizens.links import LinkPurpose
from consular_alerts.domain.citizens.phones import DEFAULT_REFUSED_TYPES, accept_phone
from consular_alerts.models.citizen import PhoneCodeRequest, SubscribeRequest, VerifyRequest
from consular_alerts.services.subscription_errors import (
    ForbiddenError,
    InvalidRequestError,
    RateLimitedError,
    SubscriptionError,
)
from consular_alerts.settings import SubscriptionsSettings
from pydantic import ValidationError

from tests.unit.test_subscription_service import IP, KZ_PHONE, World, wrong

UNKNOWN = "+77710005555"  # a valid Kazakh mobile number nobody subscribed


@dataclass(frozen=True)
class Snapshot:
    """Everything the fakes hold and were asked, for comparing two requests."""

    repository: list[str]
    limiter: list[str]
    phone_codes: list[str]
    directory: list[str]
    sms: int
    records: dict[str, object]
    hits: dict[str, int]
    codes: int


def snapshot(world: World) -> Snapshot:
    return Snapshot(
        list(world.repository.calls),
        list(world.limiter.calls),
        list(world.phone_codes.calls),
        list(world.directory.calls),
        len(world.sms.sent),
        {k: v.model_dump() for k, v in world.repository.records.items()},
        dict(world.limiter.hits),
        len(world.phone_codes.codes),
    )


def calls_of(world: World, action: Callable[[], object]) -> tuple[object, dict[str, list[str]]]:
    """What `action` answered (its result's message or its error), and the calls it made on
    each fake store and publisher."""
    for fake in (world.repository, world.limiter, world.phone_codes, world.directory):
        fake.calls.clear()
    sent_before = len(world.sms.sent)
    try:
        result = action()
        answer: object = getattr(result, "message", result)
    except SubscriptionError as error:
        answer = (type(error).__name__, error.status_code, str(error))
    return answer, {
        "repository": list(world.repository.calls),
        "limiter": list(world.limiter.calls),
        "phone_codes": list(world.phone_codes.calls),
        "directory": list(world.directory.calls),
        "sms": [f"sms {n}" for n in range(len(world.sms.sent) - sent_before)],
    }


def _shared_hits(world: World) -> int:
    return sum(
        hits
        for key, hits in world.limiter.hits.items()
        if key.startswith((f"{Limit.GLOBAL.value}#", f"{Limit.PREFIX.value}#"))
    )


# --- 1. budgets only for what is sent ----------------------------------------------------------


def test_junk_code_requests_for_unknown_numbers_leave_the_service_budget_to_citizens() -> None:
    # The attack: 422 POST /subscriptions/code for numbers without a subscription,
    # from 43 client addresses. Each client network has its own budget (10 an hour), the
    # service-wide budget (500) and the number ranges' (20) count only SMS sent.
    world = World(limits=RateLimits())
    answers = {
        world.service.send_code_to_phone(f"+7771{n:07d}", f"198.{n % 43}.7.1").message
        for n in range(422)  # 43 networks x 10 an hour: every one is answered 202
    }
    assert len(answers) == 1
    assert world.sms.sent == []
    assert _shared_hits(world) == 0  # checked on every request, spent by none
    assert world.repository.records == {}

    # The next real citizen gets a code at once.
    world.subscribe_phone(ip="192.0.2.77")
    assert len(world.sms.sent) == 1
    assert _shared_hits(world) == 2  # the global and the number-range counters, once each


def test_a_code_sent_to_a_subscribed_number_spends_the_shared_budgets() -> None:
    world = World()
    world.verified_phone()
    before = _shared_hits(world)
    world.clock.advance(seconds=61)
    world.service.send_code_to_phone(KZ_PHONE, IP)
    assert _shared_hits(world) == before + 2


def test_when_the_service_budget_is_spent_subscribed_and_unknown_numbers_get_the_same_429() -> None:
    world = World(limits=RateLimits(global_per_hour=2))
    world.verified_phone()  # one SMS code: 1 of 2; the welcome SMS is not a code
    world.subscribe_phone("+77710001111", ip="192.0.2.1")  # 2 of 2
    refusals = []
    world.clock.advance(seconds=61)
    for phone in (KZ_PHONE, UNKNOWN):
        with pytest.raises(RateLimitedError) as refused:
            world.service.send_code_to_phone(phone, "203.0.113.200")
        refusals.append((refused.value.refusal.limit, str(refused.value)))
    assert refusals[0] == refusals[1]
    assert refusals[0][0] is Limit.GLOBAL


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.10", "203.0.113.0/24"),
        ("203.0.113.250", "203.0.113.0/24"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
        ("unknown", "unknown"),
    ],
)
def test_clients_are_counted_by_ipv4_24_and_ipv6_64(address: str, network: str) -> None:
    assert client_network(address) == network


def test_addresses_of_one_network_share_one_client_budget() -> None:
    world = World(limits=RateLimits(per_client=3))
    for n, client in enumerate(["2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:ffff::9"]):
        world.service.send_code_to_phone(f"+7771{n:07d}", client)
    with pytest.raises(RateLimitedError) as refused:
        world.service.send_code_to_phone("+77710000009", "2001:db8:5:6:1234::1")
    assert refused.value.refusal.limit is Limit.CLIENT
    world.service.send_code_to_phone("+77710000009", "2001:db8:5:7::1")  # the next /64


# --- 3. no enumeration --------------------------------------------------------------------------


def test_code_by_number_makes_the_same_calls_whether_or_not_the_number_is_subscribed() -> None:
    world = World()
    world.verified_phone()
    world.clock.advance(seconds=61)
    subscribed = calls_of(world, lambda: world.service.send_code_to_phone(KZ_PHONE, IP))
    unknown = calls_of(world, lambda: world.service.send_code_to_phone(UNKNOWN, IP))
    assert subscribed[0] == unknown[0]  # the same answer
    for fake in ("repository", "limiter", "phone_codes", "directory"):
        assert subscribed[1][fake] == unknown[1][fake], fake
    assert subscribed[1]["repository"] == ["find_live"]  # the subscriber record is not written
    # Only the SMS itself differs: the code goes to a subscribed number and to no other.
    assert (subscribed[1]["sms"], unknown[1]["sms"]) == (["sms 0"], [])


def test_a_wrong_code_by_number_makes_the_same_calls_whether_or_not_subscribed() -> None:
    world = World()
    world.verified_phone()
    world.clock.advance(seconds=61)
    world.service.send_code_to_phone(KZ_PHONE, IP)
    world.service.send_code_to_phone(UNKNOWN, IP)
    code = world.last_code()
    subscribed = calls_of(
        world, lambda: world.service.exchange_code_for_phone(KZ_PHONE, wrong(code), IP)
    )
    unknown = calls_of(world, lambda: world.service.exchange_code_for_phone(UNKNOWN, code, IP))
    never_asked = calls_of(
        world, lambda: world.service.exchange_code_for_phone("+77710006666", code, IP)
    )
    assert subscribed == unknown == never_asked
    assert subscribed[0] == (
        "SubscriptionError",
        400,
        "code: wrong, expired or not requested for this number",
    )
    assert subscribed[1]["repository"] == []  # no subscription is looked up for a wrong code


def test_nothing_changes_for_an_unknown_number_but_its_counters_and_code() -> None:
    world = World()
    world.verified_phone()
    before = snapshot(world)
    world.clock.advance(seconds=61)
    world.service.send_code_to_phone(UNKNOWN, IP)
    for guess in ("000000", "123456"):
        with pytest.raises(SubscriptionError):
            world.service.exchange_code_for_phone(UNKNOWN, guess, IP)
    after = snapshot(world)
    assert after.records == before.records
    assert after.sms == before.sms
    assert after.directory == before.directory


def test_subscribing_a_number_makes_the_same_calls_whether_or_not_it_is_subscribed() -> None:
    world = World()
    world.verified_phone()
    world.clock.advance(seconds=61)

    def subscribe(phone: str) -> Callable[[], object]:
        request = SubscribeRequest(channel="sms", address=phone, countries=["KZ"], language="ru")
        return lambda: world.service.subscribe(request, IP)

    subscribed = calls_of(world, subscribe(KZ_PHONE))
    unknown = calls_of(world, subscribe(UNKNOWN))
    assert subscribed == unknown


def test_checking_codes_by_number_is_limited_per_number_and_per_client() -> None:
    world = World(limits=RateLimits(checks_per_phone=4, checks_per_client=6))
    for n in range(4):
        with pytest.raises(SubscriptionError):
            world.service.exchange_code_for_phone(UNKNOWN, "000000", f"198.51.{n}.1")
    with pytest.raises(RateLimitedError) as refused:
        world.service.exchange_code_for_phone(UNKNOWN, "000000", "198.51.99.1")
    assert refused.value.refusal.limit is Limit.CHECK_PHONE
    for n in range(6):
        with pytest.raises(SubscriptionError):
            world.service.exchange_code_for_phone(f"+777100077{n:02d}", "000000", "192.0.2.9")
    with pytest.raises(RateLimitedError) as refused:
        world.service.exchange_code_for_phone("+77710007799", "000000", "192.0.2.200")
    assert refused.value.refusal.limit is Limit.CHECK_CLIENT


def test_the_code_by_number_allows_five_attempts_then_none() -> None:
    world = World()
    subscription_id, _ = world.verified_phone()
    world.clock.advance(seconds=61)
    world.service.send_code_to_phone(KZ_PHONE, IP)
    code = world.last_code()
    for _ in range(5):
        with pytest.raises(SubscriptionError, match="wrong"):
            world.service.exchange_code_for_phone(KZ_PHONE, wrong(code), IP)
    with pytest.raises(SubscriptionError, match="wrong"):
        world.service.exchange_code_for_phone(KZ_PHONE, code, IP)  # used up
    assert world.repository.records[subscription_id].link_generation == 0


# --- 2. rotation kills old links ----------------------------------------------------------------


def _manage_link_token(link: str | None) -> str:
    assert link is not None
    return link.split("#", 1)[1]


def test_a_new_token_by_number_voids_every_earlier_link_like_a_forged_one() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    verified = world.service.verify(subscription_id, world.last_code())
    old_link = _manage_link_token(verified.manage_link)
    old_unsubscribe = world.sms.sent[-1][1].split("#", 1)[1]  # from the welcome SMS
    assert world.service.read(subscription_id, old_link).status == "active"

    world.clock.advance(seconds=61)
    world.service.send_code_to_phone(KZ_PHONE, IP)
    renewed = world.service.exchange_code_for_phone(KZ_PHONE, world.last_code(), IP)
    assert "earlier links no longer work" in renewed.message

    expiry = old_link.split(".")[1]
    forged = f"m.{expiry}.{'A' * 22}"  # well-formed, signed by nobody
    answers = []
    for token in (old_link, old_unsubscribe, forged):
        with pytest.raises(ForbiddenError) as refused:
            world.service.unsubscribe(subscription_id, token)
        answers.append((refused.value.status_code, str(refused.value)))
    assert answers[0] == answers[1] == answers[2]
    assert world.repository.records[subscription_id].status == "active"  # nothing changed

    new_link = _manage_link_token(renewed.manage_link)
    assert world.service.read(subscription_id, new_link).status == "active"
    assert renewed.manage_token is not None
    assert world.service.read(subscription_id, renewed.manage_token).status == "active"


def test_a_new_token_by_subscription_id_voids_earlier_links_too() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    verified = world.service.verify(subscription_id, world.last_code())
    old_link = _manage_link_token(verified.manage_link)
    world.clock.advance(seconds=61)
    world.service.send_code(subscription_id, IP)
    renewed = world.service.exchange_code(subscription_id, world.last_code())
    with pytest.raises(ForbiddenError):
        world.service.read(subscription_id, old_link)
    assert world.repository.records[subscription_id].link_generation == 1
    assert world.service.read(subscription_id, _manage_link_token(renewed.manage_link))


def test_links_signed_before_generations_existed_still_work_until_a_new_token() -> None:
    world = World()
    subscription_id, _ = world.verified_phone()
    expiry = world.clock() + world.service._policy.link_ttl
    legacy = world.keys.links.token(subscription_id, LinkPurpose.MANAGE, expiry)
    assert world.service.read(subscription_id, legacy).status == "active"


# --- 5. codes in ASCII digits -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "۱۲۳۴۵۶", "१२३४५६", "12345６"])
def test_codes_in_other_digits_are_refused_before_any_attempt(code: str) -> None:
    for model in (VerifyRequest, PhoneCodeRequest):
        data = {"code": code, "address": KZ_PHONE} if model is PhoneCodeRequest else {"code": code}
        with pytest.raises(ValidationError, match="ASCII digits 0-9"):
            model.model_validate(data)


def test_codes_in_ascii_digits_are_taken_with_surrounding_spaces() -> None:
    assert VerifyRequest.model_validate({"code": " 123456 "}).code == "123456"


# --- 5. personal numbers, a refused type from configuration ------------------------------------


def test_uk_personal_numbers_are_refused_and_cost_nothing() -> None:
    world = World(allowed=frozenset({"GB", "KZ"}))
    with pytest.raises(InvalidRequestError, match="address: personal numbers cannot receive"):
        world.subscribe_phone("+44 70 1234 5678")
    with pytest.raises(InvalidRequestError, match="personal numbers"):
        world.service.send_code_to_phone("+447012345678", IP)
    assert world.sms.sent == []
    assert world.limiter.calls == []
    assert world.repository.records == {}
    world.subscribe_phone("+44 7912 345678")  # a UK mobile
    assert len(world.sms.sent) == 1


def test_the_refused_types_come_from_configuration() -> None:
    settings = {
        "subscribers_table": "s",
        "segment_topic_arn_prefix": "arn:aws:sns:eu-central-1:123456789012:t-seg-",
        "rate_limits_table": "r",
        "link_signing_secret_arn": "arn",
        "email_queue_arn": "arn:aws:sqs:eu-central-1:123456789012:t-email",
        "email_sender_address": "alerts@example.org",
    }
    default = SubscriptionsSettings.model_validate(settings)
    assert "personal_number" in default.refused_phone_type_names()
    assert default.refused_phone_type_names() == DEFAULT_REFUSED_TYPES
    chosen = SubscriptionsSettings.model_validate({**settings, "refused_phone_types": "voip"})
    assert chosen.refused_phone_type_names() == {"voip"}
    assert accept_phone("+447012345678", frozenset({"GB"}), frozenset({"voip"})).country == "GB"
    with pytest.raises(ValidationError, match="unknown phone number type"):
        SubscriptionsSettings.model_validate({**settings, "refused_phone_types": "personal"})

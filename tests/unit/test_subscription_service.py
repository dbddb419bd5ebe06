from __future__ import annotations

import re

import pytest
from consular_alerts.models import SubscribeRequest
from consular_alerts.services.subscriptions import (
    ForbiddenError,
    InvalidRequestError,
    LockedError,
    SubscriptionError,
    SubscriptionPolicy,
    SubscriptionService,
)

from tests.fakes import FakeClock, FakeDirectory, FakeSmsSender, FakeSubscriberRepository

KZ_PHONE = "+7 771 000 9998"
RU_PHONE = "+7 912 345 6789"


class World:
    def __init__(self, allowed: frozenset[str] = frozenset({"KZ", "KG"})) -> None:
        self.clock = FakeClock()
        self.repository = FakeSubscriberRepository()
        self.directory = FakeDirectory()
        self.sms = FakeSmsSender()
        self.service = SubscriptionService(
            self.repository,
            self.directory,
            self.sms,
            SubscriptionPolicy(allowed_phone_countries=allowed, sender_id="MFAKG"),
            self.clock,
        )

    def subscribe_phone(self, phone: str = KZ_PHONE, **changes: object) -> str:
        data: dict[str, object] = {
            "channel": "sms",
            "address": phone,
            "countries": ["KZ", "KG"],
            "language": "ru",
            "min_level": 2,
        }
        data.update(changes)
        return self.service.subscribe(SubscribeRequest.model_validate(data)).subscription_id

    def last_code(self) -> str:
        found = re.search(r"\b(\d{6})\b", self.sms.sent[-1][1])
        assert found is not None
        return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_sms_subscription_exists_only_after_the_right_code() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    assert world.directory.subscriptions == {}  # nothing subscribed yet
    assert [phone for phone, _ in world.sms.sent] == ["+77710009998"]  # only the code

    view = world.service.verify(subscription_id, world.last_code())
    assert view.status == "active"
    assert view.manage_token
    assert sorted(seg for seg, _, _ in world.directory.subscriptions.values()) == [
        "KG-ru-L2",
        "KZ-ru-L2",
    ]
    assert {proto for _, proto, _ in world.directory.subscriptions.values()} == {"sms"}
    assert len(world.sms.sent) == 1  # no SMS other than the code


def test_code_is_stored_only_as_a_hash() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    stored = world.repository.records[subscription_id]
    assert world.last_code() not in stored.model_dump_json()


def test_five_wrong_codes_lock_the_pending_subscription() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    code = world.last_code()
    for _ in range(4):
        with pytest.raises(SubscriptionError, match="wrong code"):
            world.service.verify(subscription_id, wrong(code))
    with pytest.raises(LockedError):
        world.service.verify(subscription_id, wrong(code))
    with pytest.raises(LockedError):  # even the right code is refused now
        world.service.verify(subscription_id, code)
    assert world.directory.subscriptions == {}


def test_expired_code_is_refused() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    world.clock.advance(minutes=11)
    with pytest.raises(SubscriptionError, match="expired"):
        world.service.verify(subscription_id, world.last_code())
    assert world.directory.subscriptions == {}


def test_russian_plus7_number_refused_when_only_kz_and_kg_allowed() -> None:
    world = World()
    with pytest.raises(InvalidRequestError, match="RU"):
        world.subscribe_phone(RU_PHONE)
    assert world.sms.sent == []
    assert world.repository.records == {}


@pytest.mark.parametrize("phone", ["+996 900 123 456", "12345", "+7 800 555 3535"])
def test_invalid_premium_and_tollfree_numbers_are_refused(phone: str) -> None:
    world = World()
    with pytest.raises(InvalidRequestError):
        world.subscribe_phone(phone)
    assert world.sms.sent == []


def test_unsubscribe_needs_the_manage_token_and_erases_the_address() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    token = world.service.verify(subscription_id, world.last_code()).manage_token
    assert token is not None

    with pytest.raises(ForbiddenError):
        world.service.unsubscribe(subscription_id, "not-the-token")
    assert len(world.directory.subscriptions) == 2

    view = world.service.unsubscribe(subscription_id, token)
    assert view.status == "unsubscribed"
    assert world.directory.subscriptions == {}
    stored = world.repository.records[subscription_id]
    assert stored.address == ""
    assert stored.address_hash  # kept for audit


def test_email_goes_through_sns_confirmation() -> None:
    world = World()
    view = world.service.subscribe(
        SubscribeRequest(
            channel="email", address="aigul@example.org", countries=["KZ"], language="ky"
        )
    )
    assert view.status == "pending_confirmation"
    assert list(world.directory.subscriptions.values()) == [
        ("KZ-ky-L1", "email", "aigul@example.org")
    ]
    assert world.sms.sent == []


def test_bad_email_is_refused() -> None:
    world = World()
    with pytest.raises(InvalidRequestError, match="email"):
        world.service.subscribe(
            SubscribeRequest(
                channel="email", address="not-an-email", countries=["KZ"], language="en"
            )
        )

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from consular_alerts.bootstrap import wire_subscription_service
from consular_alerts.domain.citizens.codes import hash_code
from consular_alerts.domain.citizens.limits import Limit, RateLimits
from consular_alerts.domain.citizens.links import LinkPurpose
from consular_alerts.domain.citizens.privacy import address_digest, audit_digest
from consular_alerts.models.citizen import (
    PreferencesRequest,
    Subscriber,
    SubscribeRequest,
    SubscriberStatus,
)
from consular_alerts.services.email_subscriptions import EmailPolicy, PageState
from consular_alerts.services.subscription_errors import (
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    LockedError,
    NotFoundError,
    RateLimitedError,
    SubscriptionError,
    UnauthorizedError,
)
from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy

from tests.fakes import (
    FakeClock,
    FakeDirectory,
    FakeEmailMembers,
    FakeMailer,
    FakePhoneCodes,
    FakeRateLimiter,
    FakeSmsSender,
    FakeSubscriberRepository,
)

KZ_PHONE = "+7 771 000 9998"
KZ_E164 = "+77710009998"
RU_PHONE = "+7 912 345 6789"
IP = "203.0.113.10"
SECRET = b"not-the-real-secret-only-for-these-tests-0123456789"
EMAIL_QUEUE = "arn:aws:sqs:us-east-1:123456789012:test-email"


class World:
    def __init__(
        self,
        allowed: frozenset[str] = frozenset({"KZ", "KG"}),
        limits: RateLimits | None = None,
    ) -> None:
        self.clock = FakeClock()
        self.repository = FakeSubscriberRepository()
        self.directory = FakeDirectory()
        self.sms = FakeSmsSender()
        self.limiter = FakeRateLimiter()
        self.phone_codes = FakePhoneCodes()
        self.members = FakeEmailMembers(self.repository)
        self.mailer = FakeMailer()
        self.keys = SubscriberKeys.from_secret(SECRET)
        self.service = wire_subscription_service(
            self.repository,
            self.directory,
            self.sms,
            self.limiter,
            SubscriptionPolicy(
                allowed_phone_countries=allowed,
                sender_id="MFAKG",
                limits=limits or RateLimits(),
            ),
            self.keys,
            self.clock,
            phone_codes=self.phone_codes,
            members=self.members,
            mailer=self.mailer,
            email_policy=EmailPolicy(queue_arn=EMAIL_QUEUE),
        )

    def subscribe_phone(self, phone: str = KZ_PHONE, ip: str = IP, **changes: object) -> str:
        data: dict[str, object] = {
            "channel": "sms",
            "address": phone,
            "countries": ["KZ", "KG"],
            "language": "ru",
            "min_level": 2,
        }
        data.update(changes)
        return self.service.subscribe(SubscribeRequest.model_validate(data), ip).subscription_id

    def verified_phone(self, phone: str = KZ_PHONE, **changes: object) -> tuple[str, str]:
        subscription_id = self.subscribe_phone(phone, **changes)
        view = self.service.verify(subscription_id, self.last_code())
        assert view.manage_token is not None
        return subscription_id, view.manage_token

    def subscribe_email(self, address: str = "aigul@example.org", **changes: object) -> str:
        """Sign up (the confirmation letter goes out); the subscription id."""
        data: dict[str, object] = {
            "channel": "email",
            "address": address,
            "countries": ["KZ"],
            "language": "ky",
        }
        data.update(changes)
        view = self.service.subscribe(SubscribeRequest.model_validate(data), IP)
        assert view.manage_token is None  # given only on confirming
        return view.subscription_id

    def confirmed_email(
        self, address: str = "aigul@example.org", **changes: object
    ) -> tuple[str, str]:
        """Sign up and press the button of the confirmation page: (id, manage token)."""
        subscription_id = self.subscribe_email(address, **changes)
        outcome = self.service.email.confirm(subscription_id, self.confirm_token(), act=True)
        assert outcome.state is PageState.DONE
        assert outcome.manage_token is not None
        return subscription_id, outcome.manage_token

    def confirm_token(self) -> str:
        found = re.search(
            r"/email/confirm/[0-9a-f-]{36}\?t=([^\s<\"]+)", self.mailer.sent[-1][1].text
        )
        assert found is not None
        return unquote(found.group(1))

    def last_code(self) -> str:
        found = re.search(r"\b(\d{6})\b", self.sms.sent[-1][1])
        assert found is not None
        return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- phones and codes ---------------------------------------------------------------------------


def test_sms_subscription_exists_only_after_the_right_code() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    assert world.directory.subscriptions == {}  # nothing subscribed yet
    assert [phone for phone, _ in world.sms.sent] == [KZ_E164]  # only the code

    view = world.service.verify(subscription_id, world.last_code())
    assert view.status == "active"
    assert view.manage_token
    assert world.directory.segments() == ["KG-ru-L2", "KZ-ru-L2"]
    assert {proto for _, proto, _ in world.directory.subscriptions.values()} == {"sms"}


def test_no_sms_but_codes_before_the_right_code_then_one_with_the_unsubscribe_link() -> None:
    world = World(limits=RateLimits(cooldown=RateLimits().cooldown * 0))
    subscription_id = world.subscribe_phone()
    code = world.last_code()
    for _ in range(3):
        with pytest.raises(SubscriptionError, match="wrong code"):
            world.service.verify(subscription_id, wrong(code))
    world.service.send_code(subscription_id, IP)  # a resend: a new code, still nothing else
    assert len(world.sms.sent) == 2
    for _, text in world.sms.sent:
        assert re.fullmatch(r"МИД КР: код подтверждения \d{6}\. Никому его не сообщайте\.", text)
    assert world.directory.subscriptions == {}

    view = world.service.verify(subscription_id, world.last_code())
    assert view.status == "active"
    assert len(world.sms.sent) == 3
    welcome = world.sms.sent[-1][1]
    assert f"/s/{subscription_id}#u." in welcome  # the way out, for phones without STOP
    assert "77710009998" not in welcome
    assert view.manage_link is not None
    assert "77710009998" not in view.manage_link


def test_code_is_stored_only_as_a_hash() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    stored = world.repository.records[subscription_id]
    assert world.last_code() not in stored.model_dump_json()


OTHER_SECRET = b"another-secret-as-long-as-the-one-these-tests-use-0123"


def test_stored_code_and_address_hashes_cannot_be_reproduced_without_the_key() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    code = world.last_code()
    stored = world.repository.records[subscription_id]
    other = SubscriberKeys.from_secret(OTHER_SECRET)
    # The code: a million values, so only the key stops a reader of the table trying them.
    assert stored.code_hash == hash_code(code, subscription_id, world.keys.codes)
    assert stored.code_hash != hash_code(code, subscription_id, other.codes)
    assert stored.code_hash != hashlib.sha256(f"{subscription_id}:{code}".encode()).hexdigest()
    # The address: its salt is in the same item, so the salt alone would not do.
    salt = stored.address_salt
    assert stored.address_hash == audit_digest(world.keys.audit, salt, KZ_E164)
    assert stored.address_hash != audit_digest(other.audit, salt, KZ_E164)
    assert stored.address_hash != address_digest(KZ_E164, bytes.fromhex(salt))

    token = world.service.verify(subscription_id, code).manage_token
    assert token is not None
    world.service.unsubscribe(subscription_id, token)
    erased = world.repository.records[subscription_id]
    assert erased.address == ""
    assert erased.address_hash == audit_digest(world.keys.audit, salt, KZ_E164)
    assert KZ_E164 not in erased.model_dump_json()


def test_an_address_hash_keyed_by_its_salt_alone_is_keyed_when_the_address_is_erased() -> None:
    world = World()
    subscription_id, token = world.verified_phone()
    stored = world.repository.records[subscription_id]
    legacy = address_digest(KZ_E164, bytes.fromhex(stored.address_salt))  # as written before
    world.repository.records[subscription_id] = stored.model_copy(update={"address_hash": legacy})
    world.service.unsubscribe(subscription_id, token)
    erased = world.repository.records[subscription_id]
    assert erased.address_hash == audit_digest(world.keys.audit, stored.address_salt, KZ_E164)
    assert erased.address_hash != legacy


def test_five_wrong_codes_lock_the_pending_subscription() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    code = world.last_code()
    for left in (4, 3, 2, 1):
        with pytest.raises(SubscriptionError, match=f"wrong code, {left} attempt"):
            world.service.verify(subscription_id, wrong(code))
    with pytest.raises(LockedError):
        world.service.verify(subscription_id, wrong(code))
    assert world.repository.records[subscription_id].status is SubscriberStatus.LOCKED
    with pytest.raises(LockedError):  # even the right code is refused now
        world.service.verify(subscription_id, code)
    world.clock.advance(minutes=5)
    with pytest.raises(LockedError):  # and no new code is sent to a locked subscription
        world.service.send_code(subscription_id, IP)
    assert world.directory.subscriptions == {}
    assert len(world.sms.sent) == 1


def test_a_burst_of_wrong_codes_gets_no_more_tries_than_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    code = world.last_code()
    before_any = world.repository.records[subscription_id]
    real_get = world.repository.get
    first_read = {"stale": False}

    def get(subscriber_id: str) -> Subscriber | None:
        # 20 requests in flight at once: each read the record before any counted its attempt.
        if first_read["stale"]:
            first_read["stale"] = False
            return before_any
        return real_get(subscriber_id)

    monkeypatch.setattr(world.repository, "get", get)
    outcomes: Counter[str] = Counter()
    for n in range(20):
        first_read["stale"] = True
        with pytest.raises(SubscriptionError) as refused:
            world.service.verify(subscription_id, f"{(int(code) + 1 + n) % 1_000_000:06d}")
        outcomes[type(refused.value).__name__] += 1
    assert outcomes == {"SubscriptionError": 4, "LockedError": 16}
    stored = world.repository.records[subscription_id]
    assert (stored.attempts, stored.status) == (5, SubscriberStatus.LOCKED)
    with pytest.raises(LockedError):  # the right code is too late
        world.service.verify(subscription_id, code)
    assert world.directory.subscriptions == {}


def test_the_right_code_on_the_last_allowed_attempt_still_verifies() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    code = world.last_code()
    for _ in range(4):
        with pytest.raises(SubscriptionError, match="wrong code"):
            world.service.verify(subscription_id, wrong(code))
    assert world.service.verify(subscription_id, code).status == "active"
    stored = world.repository.records[subscription_id]
    assert (stored.attempts, stored.code_hash) == (0, "")


def test_expired_code_is_refused() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    world.clock.advance(minutes=10)
    with pytest.raises(SubscriptionError, match="expired"):
        world.service.verify(subscription_id, world.last_code())
    assert world.directory.subscriptions == {}


def test_code_expires_after_ten_minutes_not_before() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    world.clock.advance(minutes=9, seconds=59)
    assert world.service.verify(subscription_id, world.last_code()).status == "active"


def test_russian_plus7_number_refused_when_only_kz_and_kg_allowed() -> None:
    world = World()
    with pytest.raises(InvalidRequestError, match="RU"):
        world.subscribe_phone(RU_PHONE)
    assert world.sms.sent == []
    assert world.repository.records == {}
    assert world.limiter.hits == {}  # a refused number costs no budget either


def test_the_same_plus7_number_is_accepted_as_kazakh() -> None:
    world = World()
    world.subscribe_phone("+7 701 123 4567")
    assert world.sms.sent[0][0] == "+77011234567"


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("+996 900 123 456", "not a valid"),  # invalid
        ("12345", "international format"),  # short, no country code
        ("+996 112", "not a valid"),  # a short code
        ("+7 800 555 3535", "toll-free"),
        ("+7 809 123 4567", "premium-rate"),
        ("+996 312 123 456", "landline"),
    ],
)
def test_invalid_short_premium_tollfree_and_landline_numbers_are_refused(
    phone: str, reason: str
) -> None:
    world = World(allowed=frozenset({"KZ", "KG", "RU"}))
    with pytest.raises(InvalidRequestError, match=reason):
        world.subscribe_phone(phone)
    assert world.sms.sent == []
    assert world.repository.records == {}


def test_pending_records_expire_and_active_ones_do_not() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    pending = world.repository.records[subscription_id]
    assert pending.expires_at == int(world.clock.now.timestamp()) + 24 * 3600
    assert pending.lookup_hash is None  # an unproven number is findable by nobody
    world.service.verify(subscription_id, world.last_code())
    assert world.repository.records[subscription_id].expires_at is None


# --- abuse limits -------------------------------------------------------------------------------


def _refused(world: World, limit: Limit, call: object) -> RateLimitedError:
    records, sent = dict(world.repository.records), list(world.sms.sent)
    with pytest.raises(RateLimitedError) as refused:
        call()  # type: ignore[operator]
    assert refused.value.refusal.limit is limit
    assert refused.value.status_code == 429
    assert world.repository.records == records  # nothing stored
    assert world.sms.sent == sent  # nothing sent
    return refused.value


def test_per_phone_limit_trips_at_3_codes_an_hour() -> None:
    world = World()
    for n in range(3):
        world.subscribe_phone(ip=f"198.51.100.{n}")
        world.clock.advance(seconds=61)  # past the cooldown
    error = _refused(world, Limit.PHONE, lambda: world.subscribe_phone(ip="198.51.100.9"))
    assert "at most 3 codes per phone number per hour" in str(error)
    assert 0 < error.refusal.retry_after <= 3600
    world.clock.advance(hours=1)  # a new window
    world.subscribe_phone(ip="198.51.100.9")
    assert len(world.sms.sent) == 4


def test_per_client_limit_trips_at_10_requests_an_hour() -> None:
    world = World()
    for n in range(10):
        world.subscribe_phone(f"+996 700 {n:03d} 456")
    error = _refused(world, Limit.CLIENT, lambda: world.subscribe_phone("+996 555 123 456"))
    assert "at most 10 requests per client address" in str(error)
    world.subscribe_phone("+996 555 123 456", ip="198.51.100.77")  # another client may


def test_per_prefix_limit_trips_at_20_codes_an_hour_in_one_block() -> None:
    world = World()
    for n in range(20):
        world.subscribe_phone(f"+7771000{n:04d}", ip=f"10.0.{n}.1")  # 20 client networks
    error = _refused(
        world, Limit.PREFIX, lambda: world.subscribe_phone("+77710009999", ip="198.51.100.99")
    )
    assert "number range" in str(error)
    world.subscribe_phone("+77710019999", ip="198.51.100.99")  # the next block is fine


def test_global_budget_trips_at_500_codes_an_hour() -> None:
    world = World()
    for n in range(500):
        world.subscribe_phone(f"+7771{n:03d}1234", ip=f"10.{n // 200}.{n % 200}.1")
    assert len(world.sms.sent) == 500
    _refused(world, Limit.GLOBAL, lambda: world.subscribe_phone("+996700999999", ip="192.0.2.1"))


def test_a_second_code_within_the_cooldown_is_refused() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    world.clock.advance(seconds=30)
    error = _refused(world, Limit.COOLDOWN, lambda: world.service.send_code(subscription_id, IP))
    assert error.refusal.retry_after == 30
    world.clock.advance(seconds=30)
    world.service.send_code(subscription_id, IP)
    assert len(world.sms.sent) == 2
    assert world.repository.records[subscription_id].attempts == 0


def test_limits_are_configurable() -> None:
    world = World(limits=RateLimits(per_phone=1))
    world.subscribe_phone()
    world.clock.advance(minutes=2)
    _refused(world, Limit.PHONE, world.subscribe_phone)


def test_limit_keys_hold_no_phone_number_or_client_address() -> None:
    world = World()
    world.subscribe_phone()
    keys = " ".join([*world.limiter.hits, *world.limiter.last])
    assert "7710009998" not in keys
    assert IP not in keys
    assert "prefix#+7771000#" in keys  # a block of 10,000 numbers is not personal


def test_email_subscriptions_are_limited_per_address_and_client() -> None:
    world = World()
    for n in range(10):
        world.subscribe_email(f"citizen{n}@example.org")
    with pytest.raises(RateLimitedError, match="client"):
        world.subscribe_email("late@example.org")


# --- ownership, reading, changing, ending -------------------------------------------------------


def test_read_needs_proof_and_masks_the_address() -> None:
    world = World()
    subscription_id, token = world.verified_phone()
    with pytest.raises(UnauthorizedError):
        world.service.read(subscription_id, "")
    with pytest.raises(ForbiddenError):
        world.service.read(subscription_id, "not-the-token")
    view = world.service.read(subscription_id, token)
    assert view.address == "+7*******998"
    assert view.countries == ["KZ", "KG"]
    assert view.manage_token is None  # given out once only


def test_signed_links_prove_ownership_until_they_expire() -> None:
    world = World()
    subscription_id, _ = world.verified_phone()
    other_id, _ = world.verified_phone("+77011234567")
    now = world.clock.now
    manage = world.keys.links.token(subscription_id, LinkPurpose.MANAGE, now.replace(year=2027))
    assert world.service.read(subscription_id, manage).status == "active"
    with pytest.raises(ForbiddenError):  # a link for another subscription
        world.service.read(other_id, manage)
    with pytest.raises(ForbiddenError):  # tampered
        world.service.read(subscription_id, manage[:-1] + ("A" if manage[-1] != "A" else "B"))
    world.clock.advance(days=400)
    with pytest.raises(ForbiddenError):  # expired
        world.service.read(subscription_id, manage)


def test_an_unsubscribe_link_can_end_but_not_read_or_change() -> None:
    world = World()
    subscription_id, _ = world.verified_phone()
    welcome = world.sms.sent[-1][1]
    token = welcome.rsplit("#", 1)[1]
    with pytest.raises(ForbiddenError):
        world.service.read(subscription_id, token)
    with pytest.raises(ForbiddenError):
        world.service.change(subscription_id, token, PreferencesRequest(min_level=3))
    assert world.service.unsubscribe(subscription_id, token).status == "unsubscribed"
    assert world.directory.subscriptions == {}


def test_change_subscribes_to_new_segments_before_leaving_old_ones() -> None:
    world = World()
    subscription_id, token = world.verified_phone(countries=["KZ", "KG"], min_level=2)
    world.directory.calls.clear()
    view = world.service.change(
        subscription_id, token, PreferencesRequest(countries=["KZ", "TR"], min_level=3)
    )
    assert view.countries == ["KZ", "TR"]
    assert world.directory.segments() == ["KZ-ru-L3", "TR-ru-L3"]
    assert world.directory.calls[:2] == ["subscribe KZ-ru-L3", "subscribe TR-ru-L3"]
    assert sorted(world.directory.calls[2:]) == ["unsubscribe KG-ru-L2", "unsubscribe KZ-ru-L2"]
    assert not world.directory.filter_policies
    stored = world.repository.records[subscription_id]
    assert stored.min_level == 3
    assert len(stored.subscription_arns) == 2


def test_change_keeps_segments_that_stay() -> None:
    world = World()
    subscription_id, token = world.verified_phone(countries=["KZ"])
    arn_before = world.repository.records[subscription_id].subscription_arns[0]
    world.directory.calls.clear()
    world.service.change(subscription_id, token, PreferencesRequest(countries=["KZ", "KG"]))
    assert world.directory.calls == ["subscribe KG-ru-L2"]
    assert arn_before in world.repository.records[subscription_id].subscription_arns


def test_a_change_that_loses_a_race_undoes_its_new_subscriptions() -> None:
    world = World()
    subscription_id, token = world.verified_phone(countries=["KZ"])
    world.repository.interfere_times = 1
    with pytest.raises(ConflictError):
        world.service.change(subscription_id, token, PreferencesRequest(countries=["TR"]))
    assert world.directory.segments() == ["KZ-ru-L2"]


def test_unsubscribe_needs_the_manage_token_and_erases_the_address() -> None:
    world = World()
    subscription_id, token = world.verified_phone()

    with pytest.raises(ForbiddenError):
        world.service.unsubscribe(subscription_id, "not-the-token")
    assert len(world.directory.subscriptions) == 2

    view = world.service.unsubscribe(subscription_id, token)
    assert view.status == "unsubscribed"
    assert world.directory.subscriptions == {}
    stored = world.repository.records[subscription_id]
    assert stored.address == ""
    assert stored.lookup_hash is None
    assert stored.token_hash == ""
    assert stored.address_hash  # kept for audit
    with pytest.raises(NotFoundError):
        world.service.read(subscription_id, token)


def test_verifying_a_number_again_replaces_its_earlier_subscription() -> None:
    world = World()
    first, _ = world.verified_phone(countries=["KZ", "KG"])
    world.clock.advance(minutes=2)
    second, token = world.verified_phone(countries=["KZ", "TR"])
    assert world.repository.records[first].status is SubscriberStatus.UNSUBSCRIBED
    assert world.repository.records[first].address == ""
    assert world.directory.segments() == ["KZ-ru-L2", "TR-ru-L2"]  # KZ kept, KG left
    assert world.service.read(second, token).status == "active"


def test_a_verify_that_loses_a_race_subscribes_nothing() -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    world.repository.interfere_times = 1
    with pytest.raises(ConflictError):
        world.service.verify(subscription_id, world.last_code())
    assert world.directory.subscriptions == {}


def _finishes_first(
    world: World, monkeypatch: pytest.MonkeyPatch, second: Callable[[], object]
) -> list[object]:
    """A second request (a double tap) that runs and finishes while the first is between
    its SNS subscribes and its conditional write: the first then loses the write."""
    real = world.repository.replace
    results: list[object] = []

    def replace(subscriber: Subscriber, expected: SubscriberStatus) -> bool:
        if not results:
            results.append("running")
            results[0] = second()
        return real(subscriber, expected)

    monkeypatch.setattr(world.repository, "replace", replace)
    return results


def test_a_double_tapped_verify_keeps_the_sns_subscriptions_of_the_tap_that_won(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    subscription_id = world.subscribe_phone()
    code = world.last_code()
    second = _finishes_first(
        world, monkeypatch, lambda: world.service.verify(subscription_id, code)
    )
    with pytest.raises(ConflictError):
        world.service.verify(subscription_id, code)
    assert getattr(second[0], "status", None) == "active"
    stored = world.repository.records[subscription_id]
    assert stored.status is SubscriberStatus.ACTIVE
    # SNS gave both taps the same ARNs: the loser must not remove the winner's.
    assert world.directory.segments("sms") == ["KG-ru-L2", "KZ-ru-L2"]
    assert set(stored.subscription_arns) == set(world.directory.subscriptions)


def test_a_double_tapped_change_keeps_the_sns_subscriptions_of_the_tap_that_won(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    subscription_id, token = world.verified_phone(countries=["KZ"])
    request = PreferencesRequest(countries=["KZ", "TR"])
    second = _finishes_first(
        world, monkeypatch, lambda: world.service.change(subscription_id, token, request)
    )
    with pytest.raises(ConflictError):
        world.service.change(subscription_id, token, request)
    assert getattr(second[0], "countries", None) == ["KZ", "TR"]
    stored = world.repository.records[subscription_id]
    assert world.directory.segments() == ["KZ-ru-L2", "TR-ru-L2"]
    assert set(stored.subscription_arns) == set(world.directory.subscriptions)


# --- lost token: codes by SMS ------------------------------------------------------------------


def test_a_code_sent_to_the_phone_replaces_a_lost_manage_token() -> None:
    world = World()
    subscription_id, old_token = world.verified_phone()
    world.clock.advance(minutes=2)
    sent = world.service.send_code(subscription_id, IP)
    assert sent.subscription_id == subscription_id
    assert "управления подпиской" in world.sms.sent[-1][1]
    view = world.service.exchange_code(subscription_id, world.last_code())
    assert view.manage_token
    assert view.manage_token != old_token
    with pytest.raises(ForbiddenError):
        world.service.read(subscription_id, old_token)
    assert world.service.read(subscription_id, view.manage_token).status == "active"


def test_five_wrong_management_codes_void_the_code_not_the_subscription() -> None:
    world = World()
    subscription_id, token = world.verified_phone()
    world.clock.advance(minutes=2)
    world.service.send_code(subscription_id, IP)
    code = world.last_code()
    for _ in range(4):
        with pytest.raises(SubscriptionError, match="wrong code"):
            world.service.exchange_code(subscription_id, wrong(code))
    with pytest.raises(LockedError):
        world.service.exchange_code(subscription_id, wrong(code))
    with pytest.raises(LockedError):
        world.service.exchange_code(subscription_id, code)
    assert world.service.read(subscription_id, token).status == "active"
    world.clock.advance(minutes=2)
    world.service.send_code(subscription_id, IP)  # a new code, new attempts
    assert world.service.exchange_code(subscription_id, world.last_code()).manage_token


def test_a_phone_number_alone_gets_a_code_and_then_its_subscription() -> None:
    world = World()
    subscription_id, _ = world.verified_phone()
    world.clock.advance(minutes=2)
    sent = world.service.send_code_to_phone(KZ_PHONE, IP)
    assert sent.subscription_id is None  # the answer names no subscription
    with pytest.raises(SubscriptionError, match="wrong, expired or not requested"):
        world.service.exchange_code_for_phone(KZ_PHONE, wrong(world.last_code()))
    view = world.service.exchange_code_for_phone(KZ_PHONE, world.last_code())
    assert view.subscription_id == subscription_id
    assert view.manage_token


def test_a_number_without_subscription_gets_the_same_answer_and_no_sms() -> None:
    world = World()
    known, _ = world.verified_phone()
    world.clock.advance(minutes=2)
    sent_before = len(world.sms.sent)
    unknown = world.service.send_code_to_phone("+77011234567", IP)
    assert unknown.message == world.service.send_code_to_phone(KZ_PHONE, IP).message
    assert len(world.sms.sent) == sent_before + 1  # only the subscribed number got one
    with pytest.raises(SubscriptionError, match="wrong, expired or not requested"):
        world.service.exchange_code_for_phone("+77011234567", "123456")
    assert len(world.limiter.hits) > 0  # counted all the same
    assert known


def test_codes_to_a_number_alone_are_rate_limited_too() -> None:
    world = World()
    world.verified_phone()
    for _ in range(2):  # the verification code was the first of 3
        world.clock.advance(seconds=61)
        world.service.send_code_to_phone(KZ_PHONE, IP)
    world.clock.advance(seconds=61)
    _refused(world, Limit.PHONE, lambda: world.service.send_code_to_phone(KZ_PHONE, IP))


# --- email (through SES) -------------------------------------------------------------------------


def test_email_sign_up_sends_a_confirmation_letter_and_subscribes_nothing_yet() -> None:
    world = World()
    view = world.service.subscribe(
        SubscribeRequest(
            channel="email", address="aigul@example.org", countries=["KZ"], language="ky"
        ),
        IP,
    )
    assert view.status == "pending_confirmation"
    assert view.manage_token is None  # only on confirming: the address must be proven first
    assert view.address == "a***@e***.org"
    assert world.directory.subscriptions == {}
    assert world.members.segments == {}
    assert world.sms.sent == []
    ((to, letter, tags),) = world.mailer.sent
    assert to == "aigul@example.org"
    assert f"/email/confirm/{view.subscription_id}?t=" in letter.text
    assert tags == {"kind": "confirmation", "subscriber": view.subscription_id}
    stored = world.repository.records[view.subscription_id]
    assert stored.expires_at == int(world.clock.now.timestamp()) + 3 * 24 * 3600
    assert stored.subscription_arns == []


def test_confirming_an_email_joins_its_segments_and_the_queue_feeds_from_their_topics() -> None:
    world = World()
    subscription_id, token = world.confirmed_email(countries=["KZ", "TR"])
    assert world.service.read(subscription_id, token).status == "active"
    stored = world.repository.records[subscription_id]
    assert stored.expires_at is None
    assert stored.subscription_arns == []  # no SNS subscription of its own
    assert world.members.of(subscription_id) == ["KZ-ky-L1", "TR-ky-L1"]
    assert sorted(world.directory.subscriptions.values()) == [
        ("KZ-ky-L1", "sqs", EMAIL_QUEUE),
        ("TR-ky-L1", "sqs", EMAIL_QUEUE),
    ]
    assert len(world.mailer.sent) == 1  # the confirmation letter, nothing else


def test_an_email_subscription_ends_through_the_api_and_leaves_its_segments() -> None:
    world = World()
    subscription_id, token = world.confirmed_email()
    other_id, _ = world.confirmed_email("dana@example.org")
    view = world.service.unsubscribe(subscription_id, token)
    assert view.status == "unsubscribed"
    stored = world.repository.records[subscription_id]
    assert (stored.address, stored.lookup_hash, stored.token_hash) == ("", None, "")
    assert world.members.of(subscription_id) == []
    assert world.members.of(other_id) == ["KZ-ky-L1"]
    # The queue's subscription of the topic stays: it serves every address of the segment.
    assert list(world.directory.subscriptions.values()) == [("KZ-ky-L1", "sqs", EMAIL_QUEUE)]
    with pytest.raises(NotFoundError):
        world.service.read(subscription_id, token)


def test_confirming_a_second_sign_up_of_one_mailbox_replaces_the_first() -> None:
    world = World()
    first, _ = world.confirmed_email()
    # The same answer as for a new address: a sign-up does not tell who is subscribed.
    second, _ = world.confirmed_email("Aigul@example.org", countries=["TR"])
    assert world.repository.records[first].status is SubscriberStatus.UNSUBSCRIBED
    assert world.members.of(first) == []
    assert world.members.of(second) == ["TR-ky-L1"]


def test_email_cannot_be_verified_nor_get_codes() -> None:
    world = World()
    subscription_id = world.subscribe_email()
    with pytest.raises(ConflictError, match="confirmation email"):
        world.service.verify(subscription_id, "123456")
    with pytest.raises(ConflictError):
        world.service.send_code(subscription_id, IP)
    assert world.sms.sent == []


def test_bad_email_is_refused() -> None:
    world = World()
    with pytest.raises(InvalidRequestError, match="email"):
        world.service.subscribe(
            SubscribeRequest(
                channel="email", address="not-an-email", countries=["KZ"], language="en"
            ),
            IP,
        )
    assert world.repository.records == {}
    assert world.mailer.sent == []


def test_email_changes_move_memberships_and_send_nothing() -> None:
    world = World()
    subscription_id, token = world.confirmed_email()
    world.limiter.calls.clear()
    view = world.service.change(
        subscription_id, token, PreferencesRequest(countries=["TR", "AE"], min_level=2)
    )
    assert (view.status, view.countries) == ("active", ["TR", "AE"])
    assert world.members.of(subscription_id) == ["AE-ky-L2", "TR-ky-L2"]
    assert world.limiter.calls == []  # nothing is sent, so nothing is limited
    assert len(world.mailer.sent) == 1  # still only the confirmation letter
    assert world.directory.segments("email") == []  # never an SNS email subscription


def test_a_pending_email_change_waits_for_the_confirmation_to_join() -> None:
    world = World()
    subscription_id = world.subscribe_email()
    expires = world.clock.now.replace(year=2027)
    link = world.keys.links.token(subscription_id, LinkPurpose.MANAGE, expires)
    world.service.change(subscription_id, link, PreferencesRequest(countries=["TR"]))
    assert world.members.segments == {}
    stored = world.repository.records[subscription_id]
    assert (stored.status, stored.countries) == (SubscriberStatus.PENDING_CONFIRMATION, ["TR"])
    outcome = world.service.email.confirm(subscription_id, world.confirm_token(), act=True)
    assert outcome.state is PageState.DONE
    assert world.members.of(subscription_id) == ["TR-ky-L1"]


def test_the_phone_number_route_answers_alike_even_when_codes_run_out() -> None:
    world = World()
    world.verified_phone()
    world.clock.advance(minutes=2)
    world.service.send_code_to_phone(KZ_PHONE, IP)
    code = world.last_code()
    for _ in range(6):
        with pytest.raises(SubscriptionError, match="wrong, expired or not requested") as error:
            world.service.exchange_code_for_phone(KZ_PHONE, wrong(code))
        assert error.value.status_code == 400  # never 423: that would tell it exists
    with pytest.raises(SubscriptionError, match="wrong, expired or not requested"):
        world.service.exchange_code_for_phone(KZ_PHONE, code)  # void after 5 wrong ones

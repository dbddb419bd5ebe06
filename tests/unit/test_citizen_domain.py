"""Signed links, abuse-limit windows and keys, keyed hashes of codes and erased addresses,
redaction of addresses."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from consular_alerts.domain.citizens.codes import code_matches, hash_code, hash_token, token_matches
from consular_alerts.domain.citizens.limits import (
    Limit,
    RateLimits,
    hour_window,
    number_block,
    sms_code_budget,
)
from consular_alerts.domain.citizens.links import (
    LinkPurpose,
    LinkSigner,
    is_link_token,
    subscription_link,
)
from consular_alerts.domain.citizens.privacy import (
    address_digest,
    audit_digest,
    derive_key,
    keyed_digest,
    redact,
)
from consular_alerts.domain.segments import Segment, segment_of_subscription

NOW = datetime(2026, 1, 6, 3, 40, 15, tzinfo=UTC)
SUBSCRIPTION = "3f6c1e9e-8d1b-4f8e-9a43-2b7c5d0e6a11"


def test_link_tokens_are_short_bound_to_subscription_purpose_and_expiry() -> None:
    signer = LinkSigner(derive_key(b"k" * 40, "links"))
    token = signer.token(SUBSCRIPTION, LinkPurpose.UNSUBSCRIBE, NOW + timedelta(days=1))
    assert len(token) < 40
    assert is_link_token(token)
    assert signer.verify(token, SUBSCRIPTION, NOW) is LinkPurpose.UNSUBSCRIBE
    assert signer.verify(token, SUBSCRIPTION.replace("3f", "4f"), NOW) is None
    assert signer.verify(token, SUBSCRIPTION, NOW + timedelta(days=1)) is None
    forged = "m" + token[1:]  # same signature, more power
    assert signer.verify(forged, SUBSCRIPTION, NOW) is None
    other = LinkSigner(derive_key(b"j" * 40, "links"))
    assert other.verify(token, SUBSCRIPTION, NOW) is None


def test_links_carry_only_the_id_and_the_token_in_the_fragment() -> None:
    link = subscription_link("https://alerts.mfa.gov.kg/", SUBSCRIPTION, "u.abc.def")
    assert link == f"https://alerts.mfa.gov.kg/s/{SUBSCRIPTION}#u.abc.def"


def test_hour_windows_and_number_blocks() -> None:
    assert hour_window(NOW) == ("2026010603", 19 * 60 + 45)
    assert number_block("+996700123456") == "+99670012"


def test_an_sms_code_costs_four_counters_and_a_cooldown() -> None:
    budget = sms_code_budget(
        RateLimits(), phone_key="p" * 32, client_key="c" * 32, block="+99670012", now=NOW
    )
    assert [(c.limit, c.maximum) for c in budget.counters] == [
        (Limit.PHONE, 3),
        (Limit.CLIENT, 10),
        (Limit.PREFIX, 20),
        (Limit.GLOBAL, 500),
    ]
    assert budget.counters[2].key == "prefix#+99670012#2026010603"
    assert all(c.expires_at > NOW.timestamp() + 3600 for c in budget.counters)
    assert [(c.key, c.seconds) for c in budget.cooldowns] == [("cooldown#" + "p" * 32, 60)]


def test_keyed_digests_depend_on_the_key() -> None:
    assert keyed_digest(b"a" * 32, "+77710009998") != keyed_digest(b"b" * 32, "+77710009998")
    assert len(keyed_digest(b"a" * 32, "x", 32)) == 32


def test_one_time_code_hashes_need_the_key_and_tokens_hash_as_before() -> None:
    key, other = derive_key(b"k" * 40, "codes"), derive_key(b"j" * 40, "codes")
    stored = hash_code("123456", SUBSCRIPTION, key)
    # A million codes: an unkeyed hash (what was stored before) is reversed at once.
    assert stored != hashlib.sha256(f"{SUBSCRIPTION}:123456".encode()).hexdigest()
    assert stored != hash_code("123456", SUBSCRIPTION, other)
    assert stored != hash_code("123456", SUBSCRIPTION.replace("3f", "4f"), key)
    assert code_matches(" 123456 ", SUBSCRIPTION, stored, key)
    assert not code_matches("123456", SUBSCRIPTION, stored, other)
    with pytest.raises(ValueError, match="key"):
        hash_code("123456", SUBSCRIPTION, b"")
    # Manage tokens (256 random bits) hash as they always did: tokens out there keep working.
    assert hash_token("t0k3n", SUBSCRIPTION) == (
        hashlib.sha256(f"{SUBSCRIPTION}:t0k3n".encode()).hexdigest()
    )
    assert token_matches("t0k3n ", SUBSCRIPTION, hash_token("t0k3n", SUBSCRIPTION))


def test_the_audit_hash_of_an_erased_address_needs_the_key_not_just_the_salt() -> None:
    key, other = derive_key(b"k" * 40, "audit"), derive_key(b"j" * 40, "audit")
    salt, number = "0f" * 16, "+77710009998"
    kept = audit_digest(key, salt, number)
    assert kept == audit_digest(key, salt, f" {number} ")
    assert kept != audit_digest(other, salt, number)
    assert kept != audit_digest(key, "1e" * 16, number)
    assert kept != address_digest(number, bytes.fromhex(salt))  # the salt alone: brute-forced
    with pytest.raises(ValueError, match="key"):
        audit_digest(b"", salt, number)


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ('{"address": "+77710009998"}', "77710009998", "+7*******998"),
        ("call +996 700 123 456 now", "700 123", "+9********456"),
        ("to aigul.bekova@example.org.", "aigul.bekova", "a***@e***.org"),
        ('"body": "{\\"address\\": \\"dana@example.org\\"}"', "dana@", "d***@e***.org"),
        ("dana@example.kgdana@example.kg", "dana@example.kg", "d***@e***"),
    ],
)
def test_redact_masks_phone_numbers_and_emails(text: str, gone: str, kept: str) -> None:
    redacted = redact(text)
    assert gone not in redacted
    assert kept in redacted


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-06T03:00:00+00:00",
        "subscriber 3f6c1e9e-8d1b-4f8e-9a43-2b7c5d0e6a11",
        "arn:aws:sns:us-east-1:123456789012:t-seg-KZ-ru-L1",
        "expires_at 1767754800",
    ],
)
def test_redact_leaves_times_ids_and_arns(text: str) -> None:
    assert redact(text) == text


def test_segment_of_a_subscription_arn() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:my-seg-stack-seg-KZ-ky-L3:0f1e2d3c"
    assert segment_of_subscription(arn) == Segment("KZ", "ky", 3)
    with pytest.raises(ValueError, match="segment"):
        segment_of_subscription("arn:aws:sns:us-east-1:123456789012:other:0f1e2d3c")

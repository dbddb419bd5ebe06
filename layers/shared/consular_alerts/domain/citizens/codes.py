"""One-time verification codes: random, stored only as a hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code: str, salt: str, key: bytes) -> str:
    """HMAC of a one-time code bound to `salt` (the subscription id). A 6-digit code has a
    million values: an unkeyed hash of it is reversed at once by anyone who reads the table or
    a backup, so the key (derived from the service's secret) is required."""
    if not key:
        raise ValueError("a one-time code is hashed with a key")
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(code: str, salt: str, expected_hash: str, key: bytes) -> bool:
    return hmac.compare_digest(hash_code(code.strip(), salt, key), expected_hash)


def hash_token(token: str, salt: str) -> str:
    """Hash of a manage token (256 random bits: nothing to gain from trying them, so no key;
    tokens already handed out keep working)."""
    return hashlib.sha256(f"{salt}:{token}".encode()).hexdigest()


def token_matches(token: str, salt: str, expected_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token.strip(), salt), expected_hash)


def new_token() -> str:
    """A bearer token for managing one's own subscription (returned once, stored hashed)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class PhoneCode:
    """A code sent to a number for whoever holds the phone but not the subscription id,
    kept apart from any subscription (POST /subscriptions/code and /token): stored for every
    number asked about, so that a number with a subscription and one without are read and
    written alike."""

    code_hash: str
    attempts: int  # counted before the code is compared, this one included

"""One-time verification codes: random, stored only as a hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def code_matches(code: str, salt: str, expected_hash: str) -> bool:
    return hmac.compare_digest(hash_code(code.strip(), salt), expected_hash)


def new_token() -> str:
    """A bearer token for managing one's own subscription (returned once, stored hashed)."""
    return secrets.token_urlsafe(32)

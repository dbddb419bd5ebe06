"""Masking and hashing of citizens' addresses: no phone number or email in clear in logs."""

from __future__ import annotations

import hashlib
import hmac


def mask_phone(number: str) -> str:
    """'+77770371448' -> '+7*******448': enough to tell numbers apart, not to dial one."""
    if len(number) <= 5:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 5) + number[-3:]


def mask_email(address: str) -> str:
    """'aigul.bekova@example.org' -> 'a***@e***.org'."""
    local, _, domain = address.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@***"


def mask_address(address: str) -> str:
    return mask_email(address) if "@" in address else mask_phone(address)


def address_digest(address: str, salt: bytes) -> str:
    """Keyed hash of an address: lets us find or audit a subscriber without storing it."""
    return hmac.new(salt, address.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()

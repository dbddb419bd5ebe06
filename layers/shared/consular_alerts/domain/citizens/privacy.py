"""Masking and hashing of citizens' addresses: no phone number or email in clear in logs."""

from __future__ import annotations

import hashlib
import hmac
import re


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
    """HMAC of an address under `salt` alone. Not for addresses at rest: a salt stored beside
    the hash lets anyone try every number; use `audit_digest`."""
    return hmac.new(salt, address.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()


def audit_digest(key: bytes, salt: str, address: str) -> str:
    """The hash of an address kept after it is erased (audit), keyed with a key derived from
    the service's secret and salted per record. The salt alone, stored in the same item, would
    not do: the ~10^9 mobile numbers of a country are minutes of hashing for anyone holding
    the table or a backup; without the key they are nothing to try against."""
    if not key:
        raise ValueError("an erased address is hashed with a key")
    return keyed_digest(key, f"{salt}:{address.strip()}")


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose (signing links, hashing addresses), derived from the one secret."""
    return hmac.new(secret, f"consular-alerts/{purpose}".encode(), hashlib.sha256).digest()


def keyed_digest(key: bytes, value: str, length: int = 64) -> str:
    """HMAC-SHA256 of `value`, hex. A phone number cannot be recovered from it by trying all
    numbers (a plain SHA-256 can: there are only about 10^10 numbers per country code)."""
    return hmac.new(key, value.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()[
        :length
    ]


# Anything that looks like a phone number in international format (digits may be grouped
# with spaces, dots, dashes or parentheses), or like an email address.
_PHONE = re.compile(r"\+\d(?:[\s().-]{0,2}\d){6,16}")
_EMAIL = re.compile(
    r"[^\s@\"'<>(),;:\\\[\]]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}"
)


# An '@domain' left over once emails are masked (addresses run together, 'a@x.orgb@y.org',
# lose their local part to the previous match); masked ones ('@e***.org') are left alone.
_AT_DOMAIN = re.compile(r"@(?![A-Za-z0-9]\*\*\*)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}")


def redact(text: str) -> str:
    """Mask every phone number and email address in free text (log lines, error messages)."""
    text = _EMAIL.sub(lambda found: mask_email(found.group(0)), text)
    text = _AT_DOMAIN.sub("@***", text)
    return _PHONE.sub(lambda found: mask_phone(re.sub(r"[^\d+]", "", found.group(0))), text)

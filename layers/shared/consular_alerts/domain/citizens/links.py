"""Signed links: a subscriber's proof of ownership carried in a URL, without any address.

A link names the subscription and carries a token `<purpose>.<expiry>.<signature>`: an
HMAC-SHA256 over (subscription id, link generation, purpose, expiry) with a key derived from
a secret that is not in the repository (template.yaml creates it in Secrets Manager).
Nothing is stored per link; a link stops working when it expires, when the subscription
ends, or when the subscription's generation moves on (a new manage token): every link
issued before then answers as a forged one would.

The token sits in the URL fragment (`https://site/s/<id>#<token>`): browsers never send the
fragment to a server, so it stays out of access logs; the page passes it to the API as
`Authorization: Bearer <token>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime
from enum import StrEnum


class LinkPurpose(StrEnum):
    MANAGE = "m"  # read, change or end the subscription
    UNSUBSCRIBE = "u"  # end it, nothing else


_TOKEN = re.compile(r"^(?P<purpose>[mu])\.(?P<expiry>[0-9a-z]{1,10})\.(?P<signature>[\w-]{22})$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _DIGITS[rest] + digits
        if not number:
            return digits


class LinkSigner:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("link signing key: at least 32 bytes")
        self._key = key

    def _signature(
        self, subscription_id: str, purpose: LinkPurpose, expiry: str, generation: int
    ) -> str:
        # Generation 0 signs what links signed before generations existed: those stay valid
        # until the subscription's first new token.
        signed = f"{subscription_id}|{purpose.value}|{expiry}"
        if generation:
            signed += f"|g{generation}"
        mac = hmac.new(self._key, signed.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    def token(
        self,
        subscription_id: str,
        purpose: LinkPurpose,
        expires_at: datetime,
        generation: int = 0,
    ) -> str:
        expiry = _base36(int(expires_at.timestamp()))
        signature = self._signature(subscription_id, purpose, expiry, generation)
        return f"{purpose.value}.{expiry}.{signature}"

    def verify(
        self, token: str, subscription_id: str, now: datetime, generation: int = 0
    ) -> LinkPurpose | None:
        """The token's purpose if it is genuine, for this subscription at this generation,
        and unexpired."""
        found = _TOKEN.match(token)
        if found is None:
            return None
        purpose = LinkPurpose(found["purpose"])
        expected = self._signature(subscription_id, purpose, found["expiry"], generation)
        if not hmac.compare_digest(expected, found["signature"]):
            return None
        if int(found["expiry"], 36) <= now.timestamp():
            return None
        return purpose


def is_link_token(token: str) -> bool:
    return _TOKEN.match(token) is not None


def subscription_link(base_url: str, subscription_id: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{subscription_id}#{token}"

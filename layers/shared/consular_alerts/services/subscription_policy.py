"""How the citizen flows are tuned (SubscriptionPolicy) and keyed (SubscriberKeys): shared by
the subscription service and its one-time codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from consular_alerts.domain.citizens.limits import RateLimits
from consular_alerts.domain.citizens.links import LinkSigner
from consular_alerts.domain.citizens.phones import DEFAULT_REFUSED_TYPES
from consular_alerts.domain.citizens.privacy import derive_key


@dataclass(frozen=True)
class SubscriptionPolicy:
    allowed_phone_countries: frozenset[str]
    sender_id: str
    code_ttl: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    pending_ttl: timedelta = timedelta(days=1)  # an unverified phone number is kept a day
    limits: RateLimits = field(default_factory=RateLimits)
    base_url: str = "https://alerts.mfa.gov.kg"
    link_ttl: timedelta = timedelta(days=366)
    welcome_sms: bool = True
    # Phone number types refused (domain/citizens/phones.PHONE_TYPES names).
    refused_phone_types: frozenset[str] = DEFAULT_REFUSED_TYPES


@dataclass(frozen=True)
class SubscriberKeys:
    """Keys derived from the one secret: link signatures, keyed hashes of addresses and
    client IPs (lookups, rate-limit counters), of erased addresses (audit) and of one-time
    codes. Whoever holds the table or a backup but not the secret can reverse none of them."""

    links: LinkSigner
    hashing: bytes
    audit: bytes
    codes: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> SubscriberKeys:
        return cls(
            LinkSigner(derive_key(secret, "links")),
            derive_key(secret, "hashing"),
            derive_key(secret, "audit"),
            derive_key(secret, "codes"),
        )

"""Abuse limits against SMS pumping (docs/architecture.md, fact 2).

Every one-time code costs the ministry an SMS, and a public endpoint that sends them is what
SMS-pumping fraud looks for. Each request for a code counts against four hourly budgets, all
of which must have room, and a per-number cooldown between two codes:

- per phone number (keyed hash of the number, never the number),
- per client address (the caller's IP from the API Gateway request context, hashed too),
- per number block (the number without its last 4 digits: 10,000 consecutive numbers, the
  ranges pumping walks through),
- one global budget for the whole service.

Counters live in fixed one-hour windows (UTC) and expire with the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Limit(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CLIENT = "client"
    PREFIX = "prefix"
    GLOBAL = "global"
    COOLDOWN = "cooldown"


_DESCRIPTION = {
    Limit.PHONE: "codes per phone number per hour",
    Limit.EMAIL: "subscriptions per email address per hour",
    Limit.CLIENT: "requests per client address per hour",
    Limit.PREFIX: "codes per number range per hour",
    Limit.GLOBAL: "verification SMS per hour for the whole service",
}

BLOCK_DIGITS = 4  # a number block: the E.164 number without its last 4 digits


@dataclass(frozen=True)
class RateLimits:
    per_phone: int = 3
    per_client: int = 10
    per_prefix: int = 20
    global_per_hour: int = 500
    cooldown: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class Counter:
    limit: Limit
    key: str  # e.g. phone#<hash>#2026010603
    maximum: int
    expires_at: int  # epoch seconds: the end of the window, plus a margin (DynamoDB TTL)


@dataclass(frozen=True)
class Cooldown:
    key: str  # e.g. cooldown#<hash>
    seconds: int


@dataclass(frozen=True)
class Refusal:
    limit: Limit
    maximum: int
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        if self.limit is Limit.COOLDOWN:
            return (
                f"rate limit ({self.limit.value}): wait {self.retry_after} s before asking "
                "for another code"
            )
        return (
            f"rate limit ({self.limit.value}): at most {self.maximum} "
            f"{_DESCRIPTION[self.limit]}; try again in {self.retry_after} s"
        )


def hour_window(now: datetime) -> tuple[str, int]:
    """The window's label (UTC hour) and the number of seconds left in it."""
    start = now.replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=1)
    return start.strftime("%Y%m%d%H"), max(1, int((end - now).total_seconds()))


def number_block(e164: str) -> str:
    """'+996700123456' -> '+99670012': the block of 10,000 numbers it belongs to."""
    return e164[:-BLOCK_DIGITS]


@dataclass(frozen=True)
class Budget:
    counters: tuple[Counter, ...]
    cooldowns: tuple[Cooldown, ...]


def _counter(limit: Limit, key: str, maximum: int, now: datetime) -> Counter:
    window, left = hour_window(now)
    expires = int(now.timestamp()) + left + 3600
    return Counter(limit, f"{limit.value}#{key}#{window}", maximum, expires)


def sms_code_budget(
    limits: RateLimits, *, phone_key: str, client_key: str, block: str, now: datetime
) -> Budget:
    """What one verification or management code by SMS costs."""
    return Budget(
        counters=(
            _counter(Limit.PHONE, phone_key, limits.per_phone, now),
            _counter(Limit.CLIENT, client_key, limits.per_client, now),
            _counter(Limit.PREFIX, block, limits.per_prefix, now),
            _counter(Limit.GLOBAL, "all", limits.global_per_hour, now),
        ),
        cooldowns=(Cooldown(f"cooldown#{phone_key}", int(limits.cooldown.total_seconds())),),
    )


def email_budget(limits: RateLimits, *, email_key: str, client_key: str, now: datetime) -> Budget:
    """An email subscription makes SNS send confirmation emails: per address and per client."""
    return Budget(
        counters=(
            _counter(Limit.EMAIL, email_key, limits.per_phone, now),
            _counter(Limit.CLIENT, client_key, limits.per_client, now),
        ),
        cooldowns=(),
    )


def counter_refusal(counter: Counter, now: datetime) -> Refusal:
    return Refusal(counter.limit, counter.maximum, hour_window(now)[1])


def cooldown_refusal(cooldown: Cooldown, last_sent: int | None, now: datetime) -> Refusal:
    elapsed = int(now.timestamp()) - last_sent if last_sent is not None else 0
    return Refusal(Limit.COOLDOWN, 1, max(1, cooldown.seconds - elapsed))

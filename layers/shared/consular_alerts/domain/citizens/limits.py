"""Abuse limits against SMS pumping (docs/architecture.md, fact 2).

Every one-time code costs the ministry an SMS, and a public endpoint that sends them is what
SMS-pumping fraud looks for. Each request for a code counts against four hourly budgets, all
of which must have room, and a per-number cooldown between two codes:

- per phone number (keyed hash of the number, never the number),
- per client network (the caller's IP from the API Gateway request context, IPv4 by its /24
  and IPv6 by its /64: one host rarely holds fewer; hashed too),
- per number block (the number without its last 4 digits: 10,000 consecutive numbers, the
  ranges pumping walks through),
- one global budget for the whole service.

The number-block and global budgets are shared by every citizen, so they count SMS actually
sent: a request that sends nothing (a code asked for a number with no subscription) checks
that they have room, as a request that sends does, but costs them nothing. The per-number
and per-client budgets count every request.

Checking a code sent to a number (without the subscription id) has budgets of its own, per
number and per client network, counted on every check.

Counters live in fixed one-hour windows (UTC) and expire with the window.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple


class Limit(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CLIENT = "client"
    PREFIX = "prefix"
    GLOBAL = "global"
    COOLDOWN = "cooldown"
    CHECK_PHONE = "check-phone"
    CHECK_CLIENT = "check-client"


_DESCRIPTION = {
    Limit.PHONE: "codes per phone number per hour",
    Limit.EMAIL: "subscriptions per email address per hour",
    Limit.CLIENT: "requests per client address per hour",
    Limit.PREFIX: "codes per number range per hour",
    Limit.GLOBAL: "verification SMS per hour for the whole service",
    Limit.CHECK_PHONE: "code checks per phone number per hour",
    Limit.CHECK_CLIENT: "code checks per client address per hour",
}

BLOCK_DIGITS = 4  # a number block: the E.164 number without its last 4 digits


# Named tuples, not frozen dataclasses: the citizen API imports this module at every cold
# start, and a frozen dataclass costs about eight times a named tuple to create (its methods
# are generated with exec), ~1 ms each of the five on a loaded machine.
class RateLimits(NamedTuple):
    per_phone: int = 3
    per_client: int = 10
    per_prefix: int = 20
    global_per_hour: int = 500
    cooldown: timedelta = timedelta(seconds=60)
    checks_per_phone: int = 10
    checks_per_client: int = 30


class Counter(NamedTuple):
    limit: Limit
    key: str  # e.g. phone#<hash>#2026010603
    maximum: int
    expires_at: int  # epoch seconds: the end of the window, plus a margin (DynamoDB TTL)
    # What the request costs: 0 when it sends nothing. A counter of cost 0 is still checked
    # (the request is refused when it has no room) and written, so a request that sends and
    # one that does not make the same calls.
    cost: int = 1


class Cooldown(NamedTuple):
    key: str  # e.g. cooldown#<hash>
    seconds: int


class Refusal(NamedTuple):
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


class Budget(NamedTuple):
    counters: tuple[Counter, ...]
    cooldowns: tuple[Cooldown, ...]


def client_network(client_ip: str) -> str:
    """The network a client address is counted by: IPv4 by its /24, IPv6 by its /64 (a
    single subscriber line or host gets at least that many addresses). Anything that is not
    an address is counted as itself."""
    try:
        address = ipaddress.ip_address(client_ip.strip())
    except ValueError:
        return client_ip or "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _counter(limit: Limit, key: str, maximum: int, now: datetime, cost: int = 1) -> Counter:
    window, left = hour_window(now)
    expires = int(now.timestamp()) + left + 3600
    return Counter(limit, f"{limit.value}#{key}#{window}", maximum, expires, cost)


def sms_code_budget(
    limits: RateLimits,
    *,
    phone_key: str,
    client_key: str,
    block: str,
    now: datetime,
    sends: bool = True,
) -> Budget:
    """What one request for a verification or management code by SMS costs; `sends`: whether
    an SMS goes out (the shared budgets count only those)."""
    shared_cost = 1 if sends else 0
    return Budget(
        counters=(
            _counter(Limit.PHONE, phone_key, limits.per_phone, now),
            _counter(Limit.CLIENT, client_key, limits.per_client, now),
            _counter(Limit.PREFIX, block, limits.per_prefix, now, shared_cost),
            _counter(Limit.GLOBAL, "all", limits.global_per_hour, now, shared_cost),
        ),
        cooldowns=(Cooldown(f"cooldown#{phone_key}", int(limits.cooldown.total_seconds())),),
    )


def code_check_budget(
    limits: RateLimits, *, phone_key: str, client_key: str, now: datetime
) -> Budget:
    """What checking a code sent to a number costs (POST /subscriptions/token)."""
    return Budget(
        counters=(
            _counter(Limit.CHECK_PHONE, phone_key, limits.checks_per_phone, now),
            _counter(Limit.CHECK_CLIENT, client_key, limits.checks_per_client, now),
        ),
        cooldowns=(),
    )


def email_budget(limits: RateLimits, *, email_key: str, client_key: str, now: datetime) -> Budget:
    """An email sign-up sends a confirmation email: per mailbox and per client."""
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

"""Citizens subscribe, prove the address is theirs, manage their subscription and end it.

- No SMS subscription exists before the right one-time code (design.md, fact 2): until then
  the subscriber is a pending record and the only SMS sent is the code itself.
- Every code costs an SMS, so every request for one is counted against the abuse limits
  (domain/citizens/limits.py) before anything is stored or sent: a refused request leaves
  no trace but the counters.
- Ownership of a subscription is proven with the manage token (returned once, stored as a
  hash), a signed link (domain/citizens/links.py), or a fresh code sent to the phone,
  exchanged for a new manage token: Kazakhstan and Kyrgyzstan have no two-way SMS (fact 3),
  so "reply STOP" cannot be the way out.
- Preferences map to one SNS subscription per chosen country on the segment topic
  (country, language, minimum level), never to filter policies (fact 1).
- Ending a subscription removes every SNS subscription and erases the address; a salted hash
  keyed with a secret-derived key stays for audit (as for codes, whoever holds the table but
  not the secret cannot try every number). Addresses appear in logs and errors masked only.
- Every attempt at a code is counted, atomically, before the code is compared: a burst of
  concurrent guesses gets no more tries than one guesser.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from consular_alerts.domain.citizens.codes import (
    code_matches,
    hash_code,
    hash_token,
    new_code,
    new_token,
    token_matches,
)
from consular_alerts.domain.citizens.limits import (
    Budget,
    RateLimits,
    Refusal,
    email_budget,
    number_block,
    sms_code_budget,
)
from consular_alerts.domain.citizens.links import LinkPurpose, LinkSigner, subscription_link
from consular_alerts.domain.citizens.phones import AcceptedPhone, PhoneRejectedError, accept_phone
from consular_alerts.domain.citizens.privacy import (
    audit_digest,
    derive_key,
    keyed_digest,
    mask_address,
)
from consular_alerts.domain.segments import (
    Segment,
    segment_of_subscription,
    segments_for_subscriber,
)
from consular_alerts.errors import RetryableError
from consular_alerts.models.citizen import (
    LIVE_STATUSES,
    Channel,
    CodeSent,
    PreferencesRequest,
    Subscriber,
    SubscribeRequest,
    SubscriberStatus,
    SubscriptionView,
)
from consular_alerts.services.ports import (
    RateLimiter,
    SegmentDirectory,
    SmsSender,
    SubscriberRepository,
    SubscriptionState,
)

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "InvalidRequestError",
    "LockedError",
    "NotFoundError",
    "RateLimitedError",
    "SubscriberKeys",
    "SubscriberRepository",
    "SubscriptionError",
    "SubscriptionPolicy",
    "SubscriptionService",
    "SubscriptionView",
    "UnauthorizedError",
]

logger = Logger(child=True)

# An address SNS can deliver to and nothing else: a dot-atom local part (RFC 5322: no
# quotes, spaces, brackets, control characters) and a host of LDH labels with a letter TLD.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"^(?=[^@]{{1,64}}@)(?=.{{1,254}}\Z){_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}\Z"
)

CODE_TEXT = {
    "ky": "КР ТИМ: тастыктоо коду {code}. Аны эч кимге айтпаңыз.",
    "ru": "МИД КР: код подтверждения {code}. Никому его не сообщайте.",
    "en": "Kyrgyz MFA: your code is {code}. Do not share it.",
}
MANAGE_CODE_TEXT = {
    "ky": "КР ТИМ: жазылууну башкаруу коду {code}. Аны эч кимге айтпаңыз.",
    "ru": "МИД КР: код для управления подпиской {code}. Никому его не сообщайте.",
    "en": "Kyrgyz MFA: your code to manage your subscription is {code}. Do not share it.",
}
# Sent once, after the right code: the way out for phones that cannot reply STOP.
WELCOME_TEXT = {
    "ky": "КР ТИМ: {countries} боюнча эскертүүлөргө жазылдыңыз. Жазылууну токтотуу: {link}",
    "ru": "МИД КР: вы подписаны на оповещения ({countries}). Отписаться: {link}",
    "en": "Kyrgyz MFA: you will get advisories for {countries}. Unsubscribe: {link}",
}
_ADDRESS_CODE_SENT = "If this number has a subscription, a code to manage it was sent by SMS."
_ADDRESS_CODE_WRONG = "code: wrong, expired or not requested for this number"


class SubscriptionError(Exception):
    status_code = 400


class InvalidRequestError(SubscriptionError):
    status_code = 422


class UnauthorizedError(SubscriptionError):
    status_code = 401


class ForbiddenError(SubscriptionError):
    status_code = 403


class NotFoundError(SubscriptionError):
    status_code = 404


class ConflictError(SubscriptionError):
    status_code = 409


class LockedError(SubscriptionError):
    status_code = 423


class RateLimitedError(SubscriptionError):
    status_code = 429

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


@dataclass(frozen=True)
class SubscriptionPolicy:
    allowed_phone_countries: frozenset[str]
    sender_id: str
    code_ttl: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    pending_ttl: timedelta = timedelta(days=1)  # an unverified phone number is kept a day
    # SNS keeps an unconfirmed email subscription about as long, then deletes it.
    email_pending_ttl: timedelta = timedelta(days=3)
    limits: RateLimits = field(default_factory=RateLimits)
    base_url: str = "https://alerts.mfa.gov.kg"
    link_ttl: timedelta = timedelta(days=366)
    welcome_sms: bool = True
    # The scheduled refresh of pending emails stops starting records after this long (the
    # function times out at 15 s); the oldest go first, the rest wait for the next run.
    refresh_time_budget: timedelta = timedelta(seconds=10)


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


class SubscriptionService:
    def __init__(
        self,
        repository: SubscriberRepository,
        directory: SegmentDirectory,
        sms: SmsSender,
        limiter: RateLimiter,
        policy: SubscriptionPolicy,
        keys: SubscriberKeys,
        clock: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._directory = directory
        self._sms = sms
        self._limiter = limiter
        self._policy = policy
        self._keys = keys
        self._clock = clock

    # --- subscribing -------------------------------------------------------------------------

    def subscribe(self, request: SubscribeRequest, client_ip: str) -> SubscriptionView:
        if request.channel is Channel.SMS:
            return self._subscribe_phone(request, client_ip)
        return self._subscribe_email(request, client_ip)

    def _subscribe_phone(self, request: SubscribeRequest, client_ip: str) -> SubscriptionView:
        now = self._clock()
        phone = self._phone(request.address)
        code = new_code()
        subscriber = self._new_subscriber(
            request,
            phone.e164,
            now,
            status=SubscriberStatus.PENDING_VERIFICATION,
            expires=now + self._policy.pending_ttl,
        )
        subscriber = subscriber.model_copy(
            update={
                "code_hash": hash_code(code, subscriber.subscriber_id, self._keys.codes),
                "code_expires_at": now + self._policy.code_ttl,
                "code_sent_at": now,
            }
        )
        # A record whose SMS then failed stays pending, unreachable, until its TTL.
        with self._spent(self._sms_budget(phone.e164, client_ip, now), now):
            self._repository.create(subscriber)
            self._send(phone.e164, CODE_TEXT[request.language].format(code=code))
        logger.info(
            "verification code sent",
            subscriber_id=subscriber.subscriber_id,
            address=mask_address(phone.e164),
            phone_country=phone.country,
        )
        return self._view(subscriber, message="Enter the code sent by SMS to verify.")

    def _subscribe_email(self, request: SubscribeRequest, client_ip: str) -> SubscriptionView:
        now = self._clock()
        address = request.address.strip()
        if not _EMAIL.match(address):
            raise InvalidRequestError("address: not an email address")
        budget = email_budget(
            self._policy.limits,
            email_key=self._hash("email", address, 32),
            client_key=self._client_key(client_ip),
            now=now,
        )
        self._spend(budget, now)
        lookup = self._lookup_hash(address)
        if self._repository.find_live(lookup):
            raise ConflictError(
                "address: already subscribed; change or end that subscription with its manage "
                "token or link, or with the unsubscribe link in any of its emails"
            )
        subscriber = self._new_subscriber(
            request,
            address,
            now,
            status=SubscriberStatus.PENDING_CONFIRMATION,
            expires=now + self._policy.email_pending_ttl,
        )
        # SNS itself asks the owner to confirm each subscription (pending until then).
        arns = [
            self._directory.subscribe(segment, "email", address)
            for segment in self._segments(subscriber)
        ]
        token = new_token()
        subscriber = subscriber.model_copy(
            update={
                "subscription_arns": arns,
                "lookup_hash": lookup,
                "token_hash": hash_token(token, subscriber.subscriber_id),
            }
        )
        self._repository.create(subscriber)
        logger.info(
            "email subscription pending confirmation",
            subscriber_id=subscriber.subscriber_id,
            address=mask_address(address),
            topics=len(arns),
        )
        return self._view(
            subscriber,
            manage_token=token,
            manage_link=self._link(subscriber.subscriber_id, LinkPurpose.MANAGE, now),
            message="Confirm with the link in the email(s) from AWS Notifications.",
        )

    def verify(self, subscription_id: str, code: str) -> SubscriptionView:
        subscriber = self._get(subscription_id)
        if subscriber.channel is Channel.EMAIL:
            raise ConflictError("nothing to verify: email is confirmed with the link SNS sends")
        if subscriber.status is SubscriberStatus.LOCKED:
            raise LockedError("too many wrong codes: subscribe again to get a new code")
        if subscriber.status is not SubscriberStatus.PENDING_VERIFICATION:
            raise ConflictError(f"nothing to verify: subscription is {subscriber.status.value}")
        now = self._clock()
        subscriber = self._check_code(subscriber, code, now)

        token = new_token()
        lookup = self._lookup_hash(subscriber.address)
        # A number has one subscription: proving it again replaces the earlier one.
        previous = [
            s for s in self._repository.find_live(lookup) if s.subscriber_id != subscription_id
        ]
        held_before = {arn for s in previous for arn in s.subscription_arns}
        arns = [
            self._directory.subscribe(segment, "sms", subscriber.address)
            for segment in self._segments(subscriber)
        ]
        active = self._next(
            subscriber,
            status=SubscriberStatus.ACTIVE,
            code_hash="",
            code_expires_at=None,
            attempts=0,
            expires_at=None,
            subscription_arns=arns,
            lookup_hash=lookup,
            token_hash=hash_token(token, subscription_id),
        )
        if not self._repository.replace(active, SubscriberStatus.PENDING_VERIFICATION):
            # Lost a race, often to a second tap on the same code: undo ours, but never what
            # the earlier subscriptions or the winner hold (SNS gave it the same ARNs).
            self._undo_subscribe(subscription_id, arns, held_before)
            raise ConflictError("subscription changed meanwhile; try again")
        for earlier in previous:
            self._end(earlier, "replaced by a new subscription", keep=set(arns), now=now)
        logger.info(
            "phone verified, subscribed",
            subscriber_id=subscription_id,
            topics=len(arns),
            replaced=len(previous),
        )
        if self._policy.welcome_sms:
            link = self._link(subscription_id, LinkPurpose.UNSUBSCRIBE, now)
            self._send(
                subscriber.address,
                WELCOME_TEXT[subscriber.language].format(
                    countries=", ".join(subscriber.countries), link=link
                ),
            )
        return self._view(
            active,
            manage_token=token,
            manage_link=self._link(subscription_id, LinkPurpose.MANAGE, now),
            message="Keep manage_token (or manage_link) to change or end this subscription.",
        )

    # --- the owner manages ---------------------------------------------------------------------

    def read(self, subscription_id: str, credential: str) -> SubscriptionView:
        subscriber = self._authorized(subscription_id, credential, LinkPurpose.MANAGE)
        if subscriber.channel is Channel.EMAIL:
            subscriber = self._refresh_email(subscriber)
        return self._view(subscriber)

    def change(
        self,
        subscription_id: str,
        credential: str,
        changes: PreferencesRequest,
        client_ip: str = "",
    ) -> SubscriptionView:
        subscriber = self._authorized(subscription_id, credential, LinkPurpose.MANAGE)
        if subscriber.status not in LIVE_STATUSES:
            raise ConflictError(f"nothing to change: subscription is {subscriber.status.value}")
        countries = changes.countries if changes.countries is not None else subscriber.countries
        language = changes.language if changes.language is not None else subscriber.language
        min_level = changes.min_level if changes.min_level is not None else subscriber.min_level
        target = segments_for_subscriber(countries, language.value, min_level)
        held = _held_segments(subscriber.subscription_arns)
        wanted = {segment.name for segment in target}

        # The new subscriptions first, the old ones after: no moment without coverage.
        protocol = subscriber.channel.value
        new_segments = [segment for segment in target if segment.name not in held]
        if subscriber.channel is Channel.EMAIL and new_segments:
            # SNS emails a confirmation per new topic: limited like an email subscription.
            now = self._clock()
            budget = email_budget(
                self._policy.limits,
                email_key=self._hash("email", subscriber.address, 32),
                client_key=self._client_key(client_ip),
                now=now,
            )
            self._spend(budget, now)
        added = {
            segment.name: self._directory.subscribe(segment, protocol, subscriber.address)
            for segment in new_segments
        }
        arns = [held.get(segment.name) or added[segment.name] for segment in target]
        status = subscriber.status
        if subscriber.channel is Channel.EMAIL and any(
            self._directory.state(arn) is SubscriptionState.PENDING for arn in added.values()
        ):
            status = SubscriberStatus.PENDING_CONFIRMATION  # SNS asks to confirm new topics
        changed = self._next(
            subscriber,
            countries=list(countries),
            language=language,
            min_level=min_level,
            subscription_arns=arns,
            status=status,
        )
        if not self._repository.replace(changed, subscriber.status):
            # A concurrent change (a second tap) may have won with the very same ARNs.
            self._undo_subscribe(subscription_id, added.values())
            raise ConflictError("subscription changed meanwhile; try again")
        for name, arn in held.items():
            if name not in wanted:
                self._directory.unsubscribe(arn)
        logger.info(
            "preferences changed",
            subscriber_id=subscription_id,
            added=sorted(added),
            removed=sorted(set(held) - wanted),
        )
        message = "Preferences changed."
        if status is SubscriberStatus.PENDING_CONFIRMATION:
            message += " Confirm the new countries with the link in the email(s) from AWS."
        return self._view(changed, message=message)

    def unsubscribe(self, subscription_id: str, credential: str) -> SubscriptionView:
        subscriber = self._authorized(subscription_id, credential, LinkPurpose.UNSUBSCRIBE)
        ended = self._end(subscriber, "unsubscribed", keep=set(), now=self._clock())
        logger.info("unsubscribed, address erased", subscriber_id=subscription_id)
        return self._view(ended, message="Unsubscribed. Your address has been erased.")

    # --- codes when the token is lost ----------------------------------------------------------

    def send_code(self, subscription_id: str, client_ip: str) -> CodeSent:
        """A fresh code to the subscription's phone: resends the verification code of a
        pending subscription, or sends a code to manage an active one."""
        subscriber = self._get(subscription_id)
        if subscriber.channel is Channel.EMAIL:
            raise ConflictError(
                "codes go to phones: manage an email subscription with its manage token or "
                "link, or the unsubscribe link in its emails"
            )
        if subscriber.status is SubscriberStatus.LOCKED:
            raise LockedError("too many wrong codes: subscribe again to get a new code")
        if subscriber.status not in {
            SubscriberStatus.PENDING_VERIFICATION,
            SubscriberStatus.ACTIVE,
        }:
            raise ConflictError(f"no code to send: subscription is {subscriber.status.value}")
        now = self._clock()
        with self._spent(self._sms_budget(subscriber.address, client_ip, now), now):
            self._send_code(subscriber, now)
        return CodeSent(subscription_id=subscription_id, message="A new code was sent by SMS.")

    def send_code_to_phone(self, address: str, client_ip: str) -> CodeSent:
        """A code to manage the subscription of a phone number, for whoever holds the phone.
        The answer is the same whether or not the number has a subscription."""
        now = self._clock()
        phone = self._phone(address)
        with self._spent(self._sms_budget(phone.e164, client_ip, now), now):
            subscriber = self._live_phone_subscription(phone.e164)
            if subscriber is not None:
                self._send_code(subscriber, now)
            else:
                logger.info("code requested for a number without subscription")
        return CodeSent(message=_ADDRESS_CODE_SENT)

    def exchange_code(self, subscription_id: str, code: str) -> SubscriptionView:
        """The code sent to the phone, for a new manage token (the old one stops working)."""
        subscriber = self._get(subscription_id)
        if subscriber.status is SubscriberStatus.PENDING_VERIFICATION:
            raise ConflictError("verify the subscription first (POST .../verify)")
        if subscriber.channel is Channel.EMAIL or subscriber.status is not SubscriberStatus.ACTIVE:
            raise ConflictError(f"no code to exchange: subscription is {subscriber.status.value}")
        return self._new_token(subscriber, code)

    def exchange_code_for_phone(self, address: str, code: str) -> SubscriptionView:
        phone = self._phone(address)
        subscriber = self._live_phone_subscription(phone.e164)
        if subscriber is None or not subscriber.code_hash:
            raise SubscriptionError(_ADDRESS_CODE_WRONG)
        try:
            return self._new_token(subscriber, code)
        except SubscriptionError as error:  # one answer, whatever the reason: no enumeration
            raise SubscriptionError(_ADDRESS_CODE_WRONG) from error

    # --- internals -----------------------------------------------------------------------------

    def _new_token(self, subscriber: Subscriber, code: str) -> SubscriptionView:
        now = self._clock()
        subscriber = self._check_code(subscriber, code, now)
        token = new_token()
        updated = self._next(
            subscriber,
            code_hash="",
            code_expires_at=None,
            attempts=0,
            token_hash=hash_token(token, subscriber.subscriber_id),
        )
        self._save(updated, subscriber.status)
        logger.info("code exchanged for a new manage token", subscriber_id=subscriber.subscriber_id)
        return self._view(
            updated,
            manage_token=token,
            manage_link=self._link(subscriber.subscriber_id, LinkPurpose.MANAGE, now),
            message="A new manage token; the previous one no longer works.",
        )

    def _send_code(self, subscriber: Subscriber, now: datetime) -> None:
        code = new_code()
        updated = self._next(
            subscriber,
            code_hash=hash_code(code, subscriber.subscriber_id, self._keys.codes),
            code_expires_at=now + self._policy.code_ttl,
            code_sent_at=now,
            attempts=0,
        )
        self._save(updated, subscriber.status)
        pending = subscriber.status is SubscriberStatus.PENDING_VERIFICATION
        texts = CODE_TEXT if pending else MANAGE_CODE_TEXT
        self._send(subscriber.address, texts[subscriber.language].format(code=code))
        logger.info(
            "verification code resent" if pending else "management code sent",
            subscriber_id=subscriber.subscriber_id,
            address=mask_address(subscriber.address),
        )

    def _check_code(self, subscriber: Subscriber, code: str, now: datetime) -> Subscriber:
        """The subscriber as stored with this attempt counted, if `code` is its current code;
        raises otherwise. The attempt is counted before the code is compared, in one
        conditional write: concurrent guesses are each counted, and refused once the limit
        is reached, so a burst cannot try more codes than `max_attempts`."""
        max_attempts = self._policy.max_attempts
        if subscriber.attempts >= max_attempts:
            raise LockedError("too many wrong codes: ask for a new code")
        if not subscriber.code_hash or subscriber.code_expires_at is None:
            raise SubscriptionError("code: none was sent; ask for a code first")
        if subscriber.code_expires_at <= now:
            raise SubscriptionError("code: expired, ask for a new code")
        pending = subscriber.status is SubscriberStatus.PENDING_VERIFICATION
        used_up = LockedError(
            "too many wrong codes: "
            + ("subscribe again to get a new code" if pending else "ask for a new code")
        )
        counted = self._repository.count_attempt(subscriber, max_attempts)
        if counted is None:
            current = self._repository.get(subscriber.subscriber_id)
            if (
                current is not None
                and current.status in {subscriber.status, SubscriberStatus.LOCKED}
                and current.code_hash == subscriber.code_hash
                and current.attempts >= max_attempts
            ):
                raise used_up  # the other attempts of a burst took the last ones
            raise ConflictError("subscription changed meanwhile; try again")
        if code_matches(code, counted.subscriber_id, counted.code_hash, self._keys.codes):
            return counted
        exhausted = counted.attempts >= max_attempts
        if exhausted and pending:
            # No attempt can be counted any more; the status tells the owner why. Should a
            # new code have been sent meanwhile, this write loses and that code stands.
            self._repository.replace(
                self._next(counted, status=SubscriberStatus.LOCKED), counted.status
            )
        logger.info(
            "wrong code",
            subscriber_id=subscriber.subscriber_id,
            attempts=counted.attempts,
            locked=exhausted,
        )
        if exhausted:
            raise used_up
        raise SubscriptionError(
            f"code: wrong code, {max_attempts - counted.attempts} attempt(s) left"
        )

    def _authorized(self, subscription_id: str, credential: str, need: LinkPurpose) -> Subscriber:
        subscriber = self._get(subscription_id)
        if not credential:
            raise UnauthorizedError(
                "send 'Authorization: Bearer <manage token or link token>' to manage a "
                "subscription (lost it? POST /subscriptions/{id}/code sends a code by SMS)"
            )
        if subscriber.token_hash and token_matches(
            credential, subscriber.subscriber_id, subscriber.token_hash
        ):
            return subscriber
        purpose = self._keys.links.verify(credential, subscriber.subscriber_id, self._clock())
        if purpose is LinkPurpose.MANAGE or (purpose is not None and purpose is need):
            return subscriber
        raise ForbiddenError("manage token or link: wrong, expired, or not allowed to do this")

    def refresh_pending_emails(
        self, *, time_budget: timedelta | None = None, max_records: int | None = None
    ) -> dict[str, int]:
        """Scheduled: a citizen confirms in SNS, never through this API, so pending email
        records are checked against SNS before their TTL would erase a live subscription.

        Reads only the pending records (a sparse index), oldest first, and starts no record
        once `time_budget` (default: the policy's) is spent or `max_records` are checked: the
        rest waits for the next run, and the invocation ends well within its timeout."""
        budget = self._policy.refresh_time_budget if time_budget is None else time_budget
        deadline = time.monotonic() + budget.total_seconds()
        counts = {"checked": 0, "confirmed": 0, "pending": 0, "ended": 0}
        pending = iter(self._repository.pending_emails())
        while True:
            if time.monotonic() >= deadline or (
                max_records is not None and counts["checked"] >= max_records
            ):
                logger.warning(
                    "pending email refresh stopped early; the rest waits for the next run",
                    extra={"counts": counts},
                )
                break
            subscriber = next(pending, None)
            if subscriber is None:
                break
            counts["checked"] += 1
            try:
                refreshed = self._refresh_email(subscriber)
            except ConflictError:
                continue  # changed meanwhile through the API: that path refreshed it
            if refreshed.status is SubscriberStatus.ACTIVE:
                counts["confirmed"] += 1
            elif refreshed.status is SubscriberStatus.UNSUBSCRIBED:
                counts["ended"] += 1
            else:
                counts["pending"] += 1
        logger.info("pending email subscriptions refreshed", extra={"counts": counts})
        return counts

    def _refresh_email(self, subscriber: Subscriber) -> Subscriber:
        """Email status from SNS: confirmed, still pending, or removed by the owner with the
        unsubscribe link SNS adds to every email."""
        states = {arn: self._directory.state(arn) for arn in subscriber.subscription_arns}
        kept = [arn for arn, state in states.items() if state is not SubscriptionState.GONE]
        if not kept:
            return self._end(subscriber, "removed in SNS", keep=set(), now=self._clock())
        confirmed = all(states[arn] is SubscriptionState.CONFIRMED for arn in kept)
        status = SubscriberStatus.ACTIVE if confirmed else SubscriberStatus.PENDING_CONFIRMATION
        if status is subscriber.status and kept == subscriber.subscription_arns:
            return subscriber
        updated = self._next(
            subscriber,
            status=status,
            subscription_arns=kept,
            expires_at=None if confirmed else subscriber.expires_at,
        )
        self._save(updated, subscriber.status)
        logger.info(
            "email subscription refreshed", subscriber_id=subscriber.subscriber_id, status=status
        )
        return updated

    def _undo_subscribe(
        self, subscription_id: str, added: Iterable[str], held: Iterable[str] = ()
    ) -> None:
        """After losing the conditional write: remove the SNS subscriptions this request
        added, except those the stored record (what the winner wrote) or `held` hold. SNS
        answers Subscribe with the same ARN for the same topic and endpoint, so a concurrent
        request for the same thing got exactly ours: removing them would leave an active
        record with no subscription behind it."""
        stored = self._repository.get(subscription_id)
        keep = set(held) | set(stored.subscription_arns if stored is not None else ())
        for arn in dict.fromkeys(added):
            if arn not in keep:
                self._directory.unsubscribe(arn)

    def _end(
        self, subscriber: Subscriber, reason: str, *, keep: set[str], now: datetime
    ) -> Subscriber:
        for arn in subscriber.subscription_arns:
            if arn not in keep:
                self._directory.unsubscribe(arn)
        erased = self._next(
            subscriber,
            status=SubscriberStatus.UNSUBSCRIBED,
            address="",
            # Keyed again from the address while it is here: records written before the
            # audit key existed held a hash keyed by their stored salt alone.
            address_hash=audit_digest(self._keys.audit, subscriber.address_salt, subscriber.address)
            if subscriber.address
            else subscriber.address_hash,
            lookup_hash=None,
            subscription_arns=[],
            token_hash="",
            code_hash="",
            code_expires_at=None,
            expires_at=None,
            ended_at=now,
            end_reason=reason,
        )
        self._save(erased, subscriber.status)
        return erased

    def _live_phone_subscription(self, e164: str) -> Subscriber | None:
        found = [
            s
            for s in self._repository.find_live(self._lookup_hash(e164))
            if s.channel is Channel.SMS and s.status is SubscriberStatus.ACTIVE
        ]
        return max(found, key=lambda s: s.created_at) if found else None

    def _new_subscriber(
        self,
        request: SubscribeRequest,
        address: str,
        now: datetime,
        *,
        status: SubscriberStatus,
        expires: datetime,
    ) -> Subscriber:
        salt = secrets.token_hex(16)
        return Subscriber(
            subscriber_id=str(uuid.uuid4()),
            channel=request.channel,
            address=address,
            address_hash=audit_digest(self._keys.audit, salt, address),
            address_salt=salt,
            countries=list(request.countries),
            language=request.language,
            min_level=request.min_level,
            status=status,
            created_at=now,
            expires_at=int(expires.timestamp()),
        )

    def _phone(self, raw: str) -> AcceptedPhone:
        try:
            return accept_phone(raw, self._policy.allowed_phone_countries)
        except PhoneRejectedError as error:
            raise InvalidRequestError(str(error)) from error

    @contextmanager
    def _spent(self, budget: Budget, now: datetime) -> Iterator[None]:
        """Spend `budget` on what the block does. If the block fails on a transient fault
        (an SMS throttled, storage busy), the budget is given back: the citizen was sent
        nothing and may try again at once, not after the resend cooldown."""
        self._spend(budget, now)
        try:
            yield
        except RetryableError:
            try:
                self._limiter.refund(budget, now)
            except Exception:  # the stricter count stays; the original error matters more
                logger.warning("rate-limit refund failed", exc_info=True)
            raise

    def _spend(self, budget: Budget, now: datetime) -> None:
        refusal = self._limiter.acquire(budget, now)
        if refusal is not None:
            logger.warning(
                "rate limited", limit=refusal.limit.value, retry_after=refusal.retry_after
            )
            raise RateLimitedError(refusal)

    def _sms_budget(self, e164: str, client_ip: str, now: datetime) -> Budget:
        return sms_code_budget(
            self._policy.limits,
            phone_key=self._hash("phone", e164, 32),
            client_key=self._client_key(client_ip),
            block=number_block(e164),
            now=now,
        )

    def _send(self, phone: str, text: str) -> None:
        self._sms.send_sms(phone, text, self._policy.sender_id)

    def _hash(self, kind: str, value: str, length: int = 64) -> str:
        return keyed_digest(self._keys.hashing, f"{kind}:{value}", length)

    def _lookup_hash(self, address: str) -> str:
        return self._hash("address", address)

    def _client_key(self, client_ip: str) -> str:
        return self._hash("client", client_ip or "unknown", 32)

    def _link(self, subscription_id: str, purpose: LinkPurpose, now: datetime) -> str:
        token = self._keys.links.token(subscription_id, purpose, now + self._policy.link_ttl)
        return subscription_link(self._policy.base_url, subscription_id, token)

    def _get(self, subscription_id: str) -> Subscriber:
        subscriber = self._repository.get(subscription_id)
        if subscriber is None or subscriber.status is SubscriberStatus.UNSUBSCRIBED:
            raise NotFoundError("no such subscription")
        return subscriber

    def _save(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> None:
        if not self._repository.replace(subscriber, expected_status):
            raise ConflictError("subscription changed meanwhile; try again")

    @staticmethod
    def _next(subscriber: Subscriber, **changes: Any) -> Subscriber:
        return subscriber.model_copy(update={**changes, "revision": subscriber.revision + 1})

    @staticmethod
    def _segments(subscriber: Subscriber) -> list[Segment]:
        return segments_for_subscriber(
            subscriber.countries, subscriber.language.value, subscriber.min_level
        )

    @staticmethod
    def _view(
        subscriber: Subscriber,
        *,
        manage_token: str | None = None,
        manage_link: str | None = None,
        message: str = "",
    ) -> SubscriptionView:
        return SubscriptionView(
            subscription_id=subscriber.subscriber_id,
            status=subscriber.status,
            channel=subscriber.channel,
            address=mask_address(subscriber.address) if subscriber.address else "",
            countries=subscriber.countries,
            language=subscriber.language,
            min_level=subscriber.min_level,
            manage_token=manage_token,
            manage_link=manage_link,
            message=message,
        )


def _held_segments(arns: Iterable[str]) -> dict[str, str]:
    """Segment name -> subscription ARN of the subscriptions a subscriber holds."""
    held: dict[str, str] = {}
    for arn in arns:
        try:
            held[segment_of_subscription(arn).name] = arn
        except ValueError:
            held[f"unknown:{arn}"] = arn  # not a segment subscription: let it be removed
    return held

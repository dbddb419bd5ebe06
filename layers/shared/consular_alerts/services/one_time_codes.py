"""How a citizen proves a subscription is theirs: one-time codes by SMS, manage tokens and
signed links; and what proving an address costs.

- Every code costs an SMS, and every new email topic a confirmation email from SNS, so each
  request for one is counted against the abuse limits (domain/citizens/limits.py) before
  anything is stored or sent: a refused request leaves no trace but the counters, and one
  that fails on a transient fault gets its budget back.
- Codes and tokens are stored as hashes; codes keyed with a secret-derived key, so whoever
  holds the table but not the secret cannot try every code. Links carry their own signature
  (domain/citizens/links.py): a manage link, or one that only ends the subscription.
- Every attempt at a code is counted, atomically, before the code is compared: a burst of
  concurrent guesses gets no more tries than one guesser.
- A code asked for by number (not by subscription id) is kept apart, by the number's keyed
  hash (PhoneCodeStore), and stored whether or not the number has a subscription: both make
  the same reads and writes and get the same answers; only the SMS itself differs.
- A new manage token moves the subscription's link generation on: links issued before it
  stop working.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

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
    client_network,
    code_check_budget,
    email_budget,
    number_block,
    sms_code_budget,
)
from consular_alerts.domain.citizens.links import LinkPurpose, subscription_link
from consular_alerts.domain.citizens.privacy import keyed_digest, mask_address
from consular_alerts.errors import RetryableError
from consular_alerts.models.citizen import Subscriber, SubscriberStatus
from consular_alerts.services.ports import (
    PhoneCodeStore,
    RateLimiter,
    SmsSender,
    SubscriberRepository,
)
from consular_alerts.services.subscriber_records import revised, save
from consular_alerts.services.subscription_errors import (
    ConflictError,
    ForbiddenError,
    LockedError,
    RateLimitedError,
    SubscriptionError,
    UnauthorizedError,
)
from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy

logger = Logger(child=True)

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


@dataclass(frozen=True)
class OneTimeCodes:
    repository: SubscriberRepository
    sms: SmsSender
    limiter: RateLimiter
    policy: SubscriptionPolicy
    keys: SubscriberKeys
    phone_codes: PhoneCodeStore

    # --- what a code or a confirmation costs ---------------------------------------------------

    @contextmanager
    def sms_spent(
        self, e164: str, client_ip: str, now: datetime, *, sends: bool = True
    ) -> Iterator[None]:
        """Spend the budget of one code SMS to `e164` on what the block does (`sends`: False
        when the block sends nothing, which the shared budgets do not count). If the block
        fails on a transient fault (an SMS throttled, storage busy), the budget is given back:
        the citizen was sent nothing and may try again at once, not after the resend
        cooldown."""
        budget = sms_code_budget(
            self.policy.limits,
            phone_key=self._phone_key(e164),
            client_key=self._client_key(client_ip),
            block=number_block(e164),
            now=now,
            sends=sends,
        )
        self._spend(budget, now)
        try:
            yield
        except RetryableError:
            try:
                self.limiter.refund(budget, now)
            except Exception:  # the stricter count stays; the original error matters more
                logger.warning("rate-limit refund failed", exc_info=True)
            raise

    def spend_email(self, address: str, client_ip: str, now: datetime) -> None:
        """Spend the budget of confirmation emails to `address` (its mailbox: an email
        sign-up)."""
        budget = email_budget(
            self.policy.limits,
            email_key=self._hash("email", address, 32),
            client_key=self._client_key(client_ip),
            now=now,
        )
        self._spend(budget, now)

    # --- codes ---------------------------------------------------------------------------------

    def create_with_code(self, subscriber: Subscriber, now: datetime) -> Subscriber:
        """Store a new pending phone subscriber with a fresh code, and send the code. A
        record whose SMS then failed stays pending, unreachable, until its TTL."""
        code = new_code()
        subscriber = subscriber.model_copy(
            update={
                "code_hash": hash_code(code, subscriber.subscriber_id, self.keys.codes),
                "code_expires_at": now + self.policy.code_ttl,
                "code_sent_at": now,
            }
        )
        self.repository.create(subscriber)
        self._send(subscriber.address, CODE_TEXT[subscriber.language].format(code=code))
        return subscriber

    def send(self, subscriber: Subscriber, now: datetime) -> None:
        """A fresh code to a stored phone subscriber: the verification code again while it
        is pending, a code to manage it once active. The earlier code stops working."""
        code = new_code()
        updated = revised(
            subscriber,
            code_hash=hash_code(code, subscriber.subscriber_id, self.keys.codes),
            code_expires_at=now + self.policy.code_ttl,
            code_sent_at=now,
            attempts=0,
        )
        save(self.repository, updated, subscriber.status)
        pending = subscriber.status is SubscriberStatus.PENDING_VERIFICATION
        texts = CODE_TEXT if pending else MANAGE_CODE_TEXT
        self._send(subscriber.address, texts[subscriber.language].format(code=code))
        logger.info(
            "verification code resent" if pending else "management code sent",
            subscriber_id=subscriber.subscriber_id,
            address=mask_address(subscriber.address),
        )

    def check(self, subscriber: Subscriber, code: str, now: datetime) -> Subscriber:
        """The subscriber as stored with this attempt counted, if `code` is its current code;
        raises otherwise. The attempt is counted before the code is compared, in one
        conditional write: concurrent guesses are each counted, and refused once the limit
        is reached, so a burst cannot try more codes than `max_attempts`."""
        max_attempts = self.policy.max_attempts
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
        counted = self.repository.count_attempt(subscriber, max_attempts)
        if counted is None:
            current = self.repository.get(subscriber.subscriber_id)
            if (
                current is not None
                and current.status in {subscriber.status, SubscriberStatus.LOCKED}
                and current.code_hash == subscriber.code_hash
                and current.attempts >= max_attempts
            ):
                raise used_up  # the other attempts of a burst took the last ones
            raise ConflictError("subscription changed meanwhile; try again")
        if code_matches(code, counted.subscriber_id, counted.code_hash, self.keys.codes):
            return counted
        exhausted = counted.attempts >= max_attempts
        if exhausted and pending:
            # No attempt can be counted any more; the status tells the owner why. Should a
            # new code have been sent meanwhile, this write loses and that code stands.
            self.repository.replace(
                revised(counted, status=SubscriberStatus.LOCKED), counted.status
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

    # --- codes asked for by number -------------------------------------------------------------

    def send_to_number(
        self, e164: str, subscriber: Subscriber | None, client_ip: str, now: datetime
    ) -> None:
        """A code to manage the subscription of `e164`, sent only if it has one (`subscriber`).
        Counted, stored and answered the same either way; the shared budgets count only the
        SMS that goes out."""
        phone_key = self._phone_key(e164)
        code = new_code()
        with self.sms_spent(e164, client_ip, now, sends=subscriber is not None):
            self.phone_codes.put(
                phone_key, hash_code(code, phone_key, self.keys.codes), now + self.policy.code_ttl
            )
            if subscriber is not None:
                self._send(e164, MANAGE_CODE_TEXT[subscriber.language].format(code=code))
        logger.info(
            "code by number requested",
            address=mask_address(e164),
            sent=subscriber is not None,
        )

    def check_number_code(self, e164: str, code: str, client_ip: str, now: datetime) -> bool:
        """Whether `code` is the code last sent to `e164`: counted against the check budgets
        (per number, per client network) and as an attempt at the code before it is compared;
        a code that matches is used up."""
        phone_key = self._phone_key(e164)
        self._spend(
            code_check_budget(
                self.policy.limits,
                phone_key=phone_key,
                client_key=self._client_key(client_ip),
                now=now,
            ),
            now,
        )
        stored = self.phone_codes.count_attempt(phone_key, self.policy.max_attempts, now)
        if stored is None or not code_matches(code, phone_key, stored.code_hash, self.keys.codes):
            return False
        self.phone_codes.clear(phone_key, stored.code_hash)
        return True

    # --- manage tokens and links ---------------------------------------------------------------

    @staticmethod
    def issue_token(subscriber_id: str) -> tuple[str, str]:
        """A manage token for the subscriber, and the hash of it the record keeps."""
        token = new_token()
        return token, hash_token(token, subscriber_id)

    def link(
        self, subscription_id: str, purpose: LinkPurpose, now: datetime, generation: int = 0
    ) -> str:
        """A signed link that manages, or only ends, the subscription at its present link
        generation (domain/citizens/links.py)."""
        token = self.keys.links.token(
            subscription_id, purpose, now + self.policy.link_ttl, generation
        )
        return subscription_link(self.policy.base_url, subscription_id, token)

    def authorize(
        self, subscriber: Subscriber, credential: str, need: LinkPurpose, now: datetime
    ) -> None:
        """Raises unless `credential` is the subscriber's manage token, or a link token that
        manages it or allows what is needed."""
        if not credential:
            raise UnauthorizedError(
                "send 'Authorization: Bearer <manage token or link token>' to manage a "
                "subscription (lost it? POST /subscriptions/{id}/code sends a code by SMS)"
            )
        if subscriber.token_hash and token_matches(
            credential, subscriber.subscriber_id, subscriber.token_hash
        ):
            return
        purpose = self.keys.links.verify(
            credential, subscriber.subscriber_id, now, subscriber.link_generation
        )
        if purpose is LinkPurpose.MANAGE or (purpose is not None and purpose is need):
            return
        raise ForbiddenError("manage token or link: wrong, expired, or not allowed to do this")

    def exchange(self, subscriber: Subscriber, code: str, now: datetime) -> tuple[Subscriber, str]:
        """The code sent to the phone, for a new manage token (the old one stops working):
        the record as stored after, and the token."""
        return self.rotate(self.check(subscriber, code, now))

    def rotate(self, subscriber: Subscriber) -> tuple[Subscriber, str]:
        """A new manage token, and the next link generation: the previous token and every
        link issued before stop working. The record as stored after, and the token."""
        token, token_hash = self.issue_token(subscriber.subscriber_id)
        updated = revised(
            subscriber,
            code_hash="",
            code_expires_at=None,
            attempts=0,
            token_hash=token_hash,
            link_generation=subscriber.link_generation + 1,
        )
        save(self.repository, updated, subscriber.status)
        logger.info("new manage token, earlier links void", subscriber_id=subscriber.subscriber_id)
        return updated, token

    # --- internals -----------------------------------------------------------------------------

    def _spend(self, budget: Budget, now: datetime) -> None:
        refusal = self.limiter.acquire(budget, now)
        if refusal is not None:
            logger.warning(
                "rate limited", limit=refusal.limit.value, retry_after=refusal.retry_after
            )
            raise RateLimitedError(refusal)

    def _send(self, phone: str, text: str) -> None:
        self.sms.send_sms(phone, text, self.policy.sender_id)

    def _hash(self, kind: str, value: str, length: int) -> str:
        return keyed_digest(self.keys.hashing, f"{kind}:{value}", length)

    def _client_key(self, client_ip: str) -> str:
        # By network (IPv4 /24, IPv6 /64): a host rotating through its own addresses counts once.
        return self._hash("client", client_network(client_ip or "unknown"), 32)

    def _phone_key(self, e164: str) -> str:
        return self._hash("phone", e164, 32)

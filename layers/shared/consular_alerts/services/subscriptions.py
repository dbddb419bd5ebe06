"""Citizens subscribe, prove the address is theirs, manage their subscription and end it.

- No SMS subscription exists before the right one-time code (docs/architecture.md, fact 2):
  until then the subscriber is a pending record and the only SMS sent is the code itself.
- This module runs the flows. Codes, manage tokens, signed links and the abuse limits on
  what they cost are services/one_time_codes.py's; how a record is made, revised, erased
  and shown is services/subscriber_records.py's.
- Ownership of a subscription is proven with the manage token (returned once, stored as a
  hash), a signed link (domain/citizens/links.py), or a fresh code sent to the phone,
  exchanged for a new manage token: Kazakhstan and Kyrgyzstan have no two-way SMS (fact 3),
  so "reply STOP" cannot be the way out.
- Preferences map to one SNS subscription per chosen country on the segment topic
  (country, language, minimum level), never to filter policies (fact 1).
- Ending a subscription removes every SNS subscription and erases the address; a salted hash
  keyed with a secret-derived key stays for audit (as for codes, whoever holds the table but
  not the secret cannot try every number). Addresses appear in logs and errors masked only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from aws_lambda_powertools import Logger

from consular_alerts.domain.citizens.links import LinkPurpose
from consular_alerts.domain.citizens.phones import AcceptedPhone, PhoneRejectedError, accept_phone
from consular_alerts.domain.citizens.privacy import keyed_digest, mask_address
from consular_alerts.domain.segments import (
    Segment,
    segment_of_subscription,
    segments_for_subscriber,
)
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
from consular_alerts.services.email_subscriptions import EmailSubscriptionService
from consular_alerts.services.one_time_codes import OneTimeCodes
from consular_alerts.services.ports import (
    SegmentDirectory,
    SmsSender,
    SubscriberRepository,
)
from consular_alerts.services.subscriber_records import (
    erased,
    new_subscriber,
    revised,
    save,
    view,
)
from consular_alerts.services.subscription_errors import (
    ConflictError,
    InvalidRequestError,
    LockedError,
    NotFoundError,
    SubscriptionError,
)
from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy

logger = Logger(child=True)

# Sent once, after the right code: the way out for phones that cannot reply STOP.
WELCOME_TEXT = {
    "ky": "КР ТИМ: {countries} боюнча эскертүүлөргө жазылдыңыз. Жазылууну токтотуу: {link}",
    "ru": "МИД КР: вы подписаны на оповещения ({countries}). Отписаться: {link}",
    "en": "Kyrgyz MFA: you will get advisories for {countries}. Unsubscribe: {link}",
}
_ADDRESS_CODE_SENT = "If this number has a subscription, a code to manage it was sent by SMS."
_ADDRESS_CODE_WRONG = "code: wrong, expired or not requested for this number"


class SubscriptionService:
    def __init__(
        self,
        repository: SubscriberRepository,
        directory: SegmentDirectory,
        sms: SmsSender,
        codes: OneTimeCodes,
        policy: SubscriptionPolicy,
        keys: SubscriberKeys,
        clock: Callable[[], datetime],
        email: EmailSubscriptionService,
    ) -> None:
        self._repository = repository
        self._email = email  # email goes through SES (services/email_subscriptions.py)
        self._directory = directory
        self._sms = sms  # the welcome SMS; codes go through `codes`
        self._codes = codes
        self._policy = policy
        self._keys = keys
        self._clock = clock

    @property
    def email(self) -> EmailSubscriptionService:
        """The email path's service (the email pages use it)."""
        return self._email

    # --- subscribing -------------------------------------------------------------------------

    def subscribe(self, request: SubscribeRequest, client_ip: str) -> SubscriptionView:
        if request.channel is Channel.SMS:
            return self._subscribe_phone(request, client_ip)
        return self._email.subscribe(request, client_ip)

    def _subscribe_phone(self, request: SubscribeRequest, client_ip: str) -> SubscriptionView:
        now = self._clock()
        phone = self._phone(request.address)
        subscriber = new_subscriber(
            request,
            phone.e164,
            now,
            status=SubscriberStatus.PENDING_VERIFICATION,
            expires=now + self._policy.pending_ttl,
            audit_key=self._keys.audit,
        )
        with self._codes.sms_spent(phone.e164, client_ip, now):
            subscriber = self._codes.create_with_code(subscriber, now)
        logger.info(
            "verification code sent",
            subscriber_id=subscriber.subscriber_id,
            address=mask_address(phone.e164),
            phone_country=phone.country,
        )
        return view(subscriber, message="Enter the code sent by SMS to verify.")

    def verify(self, subscription_id: str, code: str) -> SubscriptionView:
        subscriber = self._get(subscription_id)
        if subscriber.channel is Channel.EMAIL:
            raise ConflictError(
                "nothing to verify: email is confirmed with the link in its confirmation email"
            )
        if subscriber.status is SubscriberStatus.LOCKED:
            raise LockedError("too many wrong codes: subscribe again to get a new code")
        if subscriber.status is not SubscriberStatus.PENDING_VERIFICATION:
            raise ConflictError(f"nothing to verify: subscription is {subscriber.status.value}")
        now = self._clock()
        subscriber = self._codes.check(subscriber, code, now)

        token, token_hash = self._codes.issue_token(subscription_id)
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
        active = revised(
            subscriber,
            status=SubscriberStatus.ACTIVE,
            code_hash="",
            code_expires_at=None,
            attempts=0,
            expires_at=None,
            subscription_arns=arns,
            lookup_hash=lookup,
            token_hash=token_hash,
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
            link = self._codes.link(subscription_id, LinkPurpose.UNSUBSCRIBE, now)
            self._sms.send_sms(
                subscriber.address,
                WELCOME_TEXT[subscriber.language].format(
                    countries=", ".join(subscriber.countries), link=link
                ),
                self._policy.sender_id,
            )
        return view(
            active,
            manage_token=token,
            manage_link=self._codes.link(subscription_id, LinkPurpose.MANAGE, now),
            message="Keep manage_token (or manage_link) to change or end this subscription.",
        )

    # --- the owner manages ---------------------------------------------------------------------

    def read(self, subscription_id: str, credential: str) -> SubscriptionView:
        return view(self._authorized(subscription_id, credential, LinkPurpose.MANAGE))

    def change(
        self, subscription_id: str, credential: str, changes: PreferencesRequest
    ) -> SubscriptionView:
        subscriber = self._authorized(subscription_id, credential, LinkPurpose.MANAGE)
        if subscriber.status not in LIVE_STATUSES:
            raise ConflictError(f"nothing to change: subscription is {subscriber.status.value}")
        if subscriber.channel is Channel.EMAIL:
            return self._email.change(subscriber, changes)
        countries = changes.countries if changes.countries is not None else subscriber.countries
        language = changes.language if changes.language is not None else subscriber.language
        min_level = changes.min_level if changes.min_level is not None else subscriber.min_level
        target = segments_for_subscriber(countries, language.value, min_level)
        held = _held_segments(subscriber.subscription_arns)
        wanted = {segment.name for segment in target}

        # The new subscriptions first, the old ones after: no moment without coverage.
        added = {
            segment.name: self._directory.subscribe(segment, "sms", subscriber.address)
            for segment in target
            if segment.name not in held
        }
        arns = [held.get(segment.name) or added[segment.name] for segment in target]
        changed = revised(
            subscriber,
            countries=list(countries),
            language=language,
            min_level=min_level,
            subscription_arns=arns,
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
        return view(changed, message="Preferences changed.")

    def unsubscribe(self, subscription_id: str, credential: str) -> SubscriptionView:
        subscriber = self._authorized(subscription_id, credential, LinkPurpose.UNSUBSCRIBE)
        if subscriber.channel is Channel.EMAIL:
            ended = self._email.end(subscriber, "unsubscribed")
        else:
            ended = self._end(subscriber, "unsubscribed", keep=set(), now=self._clock())
        logger.info("unsubscribed, address erased", subscriber_id=subscription_id)
        return view(ended, message="Unsubscribed. Your address has been erased.")

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
        with self._codes.sms_spent(subscriber.address, client_ip, now):
            self._codes.send(subscriber, now)
        return CodeSent(subscription_id=subscription_id, message="A new code was sent by SMS.")

    def send_code_to_phone(self, address: str, client_ip: str) -> CodeSent:
        """A code to manage the subscription of a phone number, for whoever holds the phone.
        The same reads, writes and answer whether or not the number has a subscription
        (the code is stored either way, sent only to a subscribed number); the shared SMS
        budgets count only a code that is sent."""
        now = self._clock()
        phone = self._phone(address)
        subscriber = self._live_phone_subscription(phone.e164)
        self._codes.send_to_number(phone.e164, subscriber, client_ip, now)
        return CodeSent(message=_ADDRESS_CODE_SENT)

    def exchange_code(self, subscription_id: str, code: str) -> SubscriptionView:
        """The code sent to the phone, for a new manage token (the old one stops working)."""
        subscriber = self._get(subscription_id)
        if subscriber.status is SubscriberStatus.PENDING_VERIFICATION:
            raise ConflictError("verify the subscription first (POST .../verify)")
        if subscriber.channel is Channel.EMAIL or subscriber.status is not SubscriberStatus.ACTIVE:
            raise ConflictError(f"no code to exchange: subscription is {subscriber.status.value}")
        now = self._clock()
        return self._new_token(*self._codes.exchange(subscriber, code, now), now)

    def exchange_code_for_phone(
        self, address: str, code: str, client_ip: str = ""
    ) -> SubscriptionView:
        """The code sent to a number (POST /subscriptions/code), for its subscription and a
        new manage token. Rate limited per number and per client network; until the right
        code is given, a number with a subscription and one without are read and written
        alike and get one answer."""
        now = self._clock()
        phone = self._phone(address)
        if not self._codes.check_number_code(phone.e164, code, client_ip, now):
            raise SubscriptionError(_ADDRESS_CODE_WRONG)
        subscriber = self._live_phone_subscription(phone.e164)
        if subscriber is None:  # the right code for a number without subscription: never sent
            raise SubscriptionError(_ADDRESS_CODE_WRONG)
        return self._new_token(*self._codes.rotate(subscriber), now)

    # --- internals -----------------------------------------------------------------------------

    def _new_token(self, updated: Subscriber, token: str, now: datetime) -> SubscriptionView:
        return view(
            updated,
            manage_token=token,
            manage_link=self._codes.link(
                updated.subscriber_id, LinkPurpose.MANAGE, now, updated.link_generation
            ),
            message="A new manage token; the previous one and earlier links no longer work.",
        )

    def _authorized(self, subscription_id: str, credential: str, need: LinkPurpose) -> Subscriber:
        subscriber = self._get(subscription_id)
        self._codes.authorize(subscriber, credential, need, self._clock())
        return subscriber

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
        ended = erased(subscriber, reason, now, self._keys.audit)
        save(self._repository, ended, subscriber.status)
        return ended

    def _live_phone_subscription(self, e164: str) -> Subscriber | None:
        found = [
            s
            for s in self._repository.find_live(self._lookup_hash(e164))
            if s.channel is Channel.SMS and s.status is SubscriberStatus.ACTIVE
        ]
        return max(found, key=lambda s: s.created_at) if found else None

    def _phone(self, raw: str) -> AcceptedPhone:
        try:
            return accept_phone(
                raw, self._policy.allowed_phone_countries, self._policy.refused_phone_types
            )
        except PhoneRejectedError as error:
            raise InvalidRequestError(str(error)) from error

    def _lookup_hash(self, address: str) -> str:
        return keyed_digest(self._keys.hashing, f"address:{address}")

    def _get(self, subscription_id: str) -> Subscriber:
        subscriber = self._repository.get(subscription_id)
        if subscriber is None or subscriber.status is SubscriberStatus.UNSUBSCRIBED:
            raise NotFoundError("no such subscription")
        return subscriber

    @staticmethod
    def _segments(subscriber: Subscriber) -> list[Segment]:
        return segments_for_subscriber(
            subscriber.countries, subscriber.language.value, subscriber.min_level
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

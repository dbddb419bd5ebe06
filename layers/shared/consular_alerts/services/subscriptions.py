"""Citizens subscribe, prove the address is theirs, and unsubscribe.

No SMS subscription exists before the right one-time code (design.md, fact 2): until then
the subscriber is a pending record and the only SMS sent is the code itself.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aws_lambda_powertools import Logger

from consular_alerts.domain.codes import code_matches, hash_code, new_code, new_token
from consular_alerts.domain.phones import PhoneRejectedError, accept_phone
from consular_alerts.domain.privacy import address_digest, mask_address
from consular_alerts.domain.segments import Segment, segments_for_subscriber
from consular_alerts.models import (
    Channel,
    Subscriber,
    SubscribeRequest,
    SubscriberStatus,
)
from consular_alerts.services.ports import SegmentDirectory, SmsSender

logger = Logger(child=True)

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")

CODE_TEXT = {
    "ky": "КР ТИМ: тастыктоо коду {code}. Аны эч кимге айтпаңыз.",
    "ru": "МИД КР: код подтверждения {code}. Никому его не сообщайте.",
    "en": "Kyrgyz MFA: your code is {code}. Do not share it.",
}


class SubscriberRepository(Protocol):
    def create(self, subscriber: Subscriber) -> None: ...

    def get(self, subscriber_id: str) -> Subscriber | None: ...

    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        """Write `subscriber` if the stored one still has `expected_status`."""
        ...


class SubscriptionError(Exception):
    status_code = 400


class InvalidRequestError(SubscriptionError):
    status_code = 422


class NotFoundError(SubscriptionError):
    status_code = 404


class ForbiddenError(SubscriptionError):
    status_code = 403


class ConflictError(SubscriptionError):
    status_code = 409


class LockedError(SubscriptionError):
    status_code = 423


@dataclass(frozen=True)
class SubscriptionPolicy:
    allowed_phone_countries: frozenset[str]
    sender_id: str
    code_ttl: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    pending_ttl: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class SubscriptionView:
    subscription_id: str
    status: str
    channel: str
    countries: list[str]
    language: str
    min_level: int
    manage_token: str | None = None
    message: str = ""


class SubscriptionService:
    def __init__(
        self,
        repository: SubscriberRepository,
        directory: SegmentDirectory,
        sms: SmsSender,
        policy: SubscriptionPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._directory = directory
        self._sms = sms
        self._policy = policy
        self._clock = clock

    def subscribe(self, request: SubscribeRequest) -> SubscriptionView:
        now = self._clock()
        salt = secrets.token_hex(16)
        if request.channel is Channel.SMS:
            try:
                address = accept_phone(request.address, self._policy.allowed_phone_countries).e164
            except PhoneRejectedError as error:
                raise InvalidRequestError(str(error)) from error
        else:
            address = request.address.strip()
            if not _EMAIL.match(address):
                raise InvalidRequestError("address: not an email address")
        subscriber = Subscriber(
            subscriber_id=str(uuid.uuid4()),
            channel=request.channel,
            address=address,
            address_hash=address_digest(address, bytes.fromhex(salt)),
            address_salt=salt,
            countries=list(request.countries),
            language=request.language,
            min_level=request.min_level,
            status=SubscriberStatus.PENDING_VERIFICATION,
            created_at=now,
            expires_at=int((now + self._policy.pending_ttl).timestamp()),
        )
        masked = mask_address(address)
        if request.channel is Channel.SMS:
            code = new_code()
            subscriber = subscriber.model_copy(
                update={
                    "code_hash": hash_code(code, subscriber.subscriber_id),
                    "code_expires_at": now + self._policy.code_ttl,
                }
            )
            self._repository.create(subscriber)
            self._sms.send_sms(
                address, CODE_TEXT[request.language].format(code=code), self._policy.sender_id
            )
            logger.info(
                "verification code sent", subscriber_id=subscriber.subscriber_id, address=masked
            )
            return self._view(subscriber, message="Enter the code sent by SMS to verify.")

        # Email: SNS itself asks the owner to confirm each subscription (pending until then).
        arns = [
            self._directory.subscribe(segment, "email", address)
            for segment in self._segments(subscriber)
        ]
        subscriber = subscriber.model_copy(
            update={
                "status": SubscriberStatus.PENDING_CONFIRMATION,
                "subscription_arns": arns,
            }
        )
        self._repository.create(subscriber)
        logger.info(
            "email subscription pending confirmation",
            subscriber_id=subscriber.subscriber_id,
            address=masked,
            topics=len(arns),
        )
        return self._view(subscriber, message="Confirm with the link in the email(s) from AWS.")

    def verify(self, subscription_id: str, code: str) -> SubscriptionView:
        subscriber = self._get(subscription_id)
        if subscriber.status is SubscriberStatus.LOCKED:
            raise LockedError("too many wrong codes: subscribe again to get a new code")
        if subscriber.status is not SubscriberStatus.PENDING_VERIFICATION:
            raise ConflictError(f"nothing to verify: subscription is {subscriber.status.value}")
        now = self._clock()
        if subscriber.code_expires_at is None or subscriber.code_expires_at <= now:
            raise SubscriptionError("code: expired, subscribe again to get a new code")
        if not code_matches(code, subscriber.subscriber_id, subscriber.code_hash):
            attempts = subscriber.attempts + 1
            locked = attempts >= self._policy.max_attempts
            updated = subscriber.model_copy(
                update={
                    "attempts": attempts,
                    "status": SubscriberStatus.LOCKED if locked else subscriber.status,
                }
            )
            if not self._repository.replace(updated, SubscriberStatus.PENDING_VERIFICATION):
                raise ConflictError("subscription changed meanwhile; try again")
            logger.info(
                "wrong verification code",
                subscriber_id=subscription_id,
                attempts=attempts,
                locked=locked,
            )
            if locked:
                raise LockedError("too many wrong codes: subscribe again to get a new code")
            raise SubscriptionError(
                f"code: wrong code, {self._policy.max_attempts - attempts} attempt(s) left"
            )

        token = new_token()
        arns = [
            self._directory.subscribe(segment, "sms", subscriber.address)
            for segment in self._segments(subscriber)
        ]
        active = subscriber.model_copy(
            update={
                "status": SubscriberStatus.ACTIVE,
                "code_hash": "",
                "code_expires_at": None,
                "expires_at": None,
                "subscription_arns": arns,
                "token_hash": hash_code(token, subscriber.subscriber_id),
            }
        )
        if not self._repository.replace(active, SubscriberStatus.PENDING_VERIFICATION):
            for arn in arns:  # lost a race with a concurrent verify or lock: undo ours
                self._directory.unsubscribe(arn)
            raise ConflictError("subscription changed meanwhile; try again")
        logger.info("phone verified, subscribed", subscriber_id=subscription_id, topics=len(arns))
        return self._view(
            active,
            manage_token=token,
            message="Keep manage_token to change or end this subscription.",
        )

    def unsubscribe(self, subscription_id: str, token: str) -> SubscriptionView:
        subscriber = self._get(subscription_id)
        if not subscriber.token_hash or not code_matches(
            token, subscriber.subscriber_id, subscriber.token_hash
        ):
            raise ForbiddenError(
                "manage token missing or wrong (email: use the unsubscribe link in any advisory)"
            )
        for arn in subscriber.subscription_arns:
            self._directory.unsubscribe(arn)
        erased = subscriber.model_copy(
            update={
                "status": SubscriberStatus.UNSUBSCRIBED,
                "address": "",
                "subscription_arns": [],
                "token_hash": "",
            }
        )
        if not self._repository.replace(erased, subscriber.status):
            raise ConflictError("subscription changed meanwhile; try again")
        logger.info("unsubscribed, address erased", subscriber_id=subscription_id)
        return self._view(erased, message="Unsubscribed. Your address has been erased.")

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

    @staticmethod
    def _view(
        subscriber: Subscriber, *, manage_token: str | None = None, message: str = ""
    ) -> SubscriptionView:
        return SubscriptionView(
            subscription_id=subscriber.subscriber_id,
            status=subscriber.status.value,
            channel=subscriber.channel.value,
            countries=subscriber.countries,
            language=subscriber.language.value,
            min_level=subscriber.min_level,
            manage_token=manage_token,
            message=message,
        )

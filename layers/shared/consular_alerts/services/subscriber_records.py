"""A subscriber record: made, revised, erased, and shown to its owner.

Every write of a record is its next revision, conditional on the status and revision it was
read with: a concurrent write (a second tap, SES feedback) makes the later one fail
instead of undoing the earlier. Addresses are shown masked only.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from consular_alerts.domain.citizens.privacy import audit_digest, mask_address
from consular_alerts.models.citizen import (
    Subscriber,
    SubscribeRequest,
    SubscriberStatus,
    SubscriptionView,
)
from consular_alerts.services.ports import SubscriberRepository
from consular_alerts.services.subscription_errors import ConflictError


def new_subscriber(
    request: SubscribeRequest,
    address: str,
    now: datetime,
    *,
    status: SubscriberStatus,
    expires: datetime,
    audit_key: bytes,
) -> Subscriber:
    salt = secrets.token_hex(16)
    return Subscriber(
        subscriber_id=str(uuid.uuid4()),
        channel=request.channel,
        address=address,
        address_hash=audit_digest(audit_key, salt, address),
        address_salt=salt,
        countries=list(request.countries),
        language=request.language,
        min_level=request.min_level,
        status=status,
        created_at=now,
        expires_at=int(expires.timestamp()),
    )


def revised(subscriber: Subscriber, **changes: Any) -> Subscriber:
    """The record with `changes`, as its next revision."""
    return subscriber.model_copy(update={**changes, "revision": subscriber.revision + 1})


def save(
    repository: SubscriberRepository, subscriber: Subscriber, expected_status: SubscriberStatus
) -> None:
    """Store a revised record, or raise ConflictError if it changed since it was read."""
    if not repository.replace(subscriber, expected_status):
        raise ConflictError("subscription changed meanwhile; try again")


def erased(subscriber: Subscriber, reason: str, now: datetime, audit_key: bytes) -> Subscriber:
    """The ended record: no address, no subscriptions, no credentials; a keyed hash of the
    address stays for audit."""
    return revised(
        subscriber,
        status=SubscriberStatus.UNSUBSCRIBED,
        address="",
        # Keyed again from the address while it is here: records written before the
        # audit key existed held a hash keyed by their stored salt alone.
        address_hash=audit_digest(audit_key, subscriber.address_salt, subscriber.address)
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


def view(
    subscriber: Subscriber,
    *,
    manage_token: str | None = None,
    manage_link: str | None = None,
    message: str = "",
) -> SubscriptionView:
    """What the owner is answered: the subscription, its address masked."""
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

"""Email subscriptions: the ministry's own double opt-in, through SES, and their end.

- Signing up stores a pending record and sends one confirmation email, whatever the number
  of countries. Nothing else happens until its link's page is confirmed with a POST: the
  manage token is given then, to whoever holds the mailbox, never to whoever typed the
  address. The answer to a sign-up is the same whether or not the address is subscribed.
- Confirming joins the subscriber to its segments (membership items in the subscribers
  table; SNS holds no email subscription) and makes sure the email queue listens to each
  segment's topic. An earlier live subscription of the same mailbox is replaced.
- What costs an email (a sign-up) counts against hourly budgets per mailbox (case and
  `+tag` folded: domain/citizens/email_addresses.py) and per client, before anything is
  stored or sent.
- The subscription ends with a POST to its unsubscribe page (a one-click POST from the mail
  client, RFC 8058, or the page's button; a GET only shows the button), with DELETE and a
  manage token, or when SES reports a permanent bounce or a complaint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import quote

from aws_lambda_powertools import Logger

from consular_alerts.domain.citizens.codes import hash_token, new_token, token_matches
from consular_alerts.domain.citizens.email_addresses import (
    EmailRejectedError,
    accept_email,
    mailbox,
)
from consular_alerts.domain.citizens.links import LinkPurpose
from consular_alerts.domain.citizens.privacy import keyed_digest, mask_address
from consular_alerts.domain.messages.email_letters import confirmation_letter
from consular_alerts.domain.segments import segments_for_subscriber
from consular_alerts.models.citizen import (
    Channel,
    PreferencesRequest,
    Subscriber,
    SubscribeRequest,
    SubscriberStatus,
    SubscriptionView,
)
from consular_alerts.services.one_time_codes import OneTimeCodes
from consular_alerts.services.ports import (
    EmailMembers,
    Mailer,
    SegmentDirectory,
    SubscriberRepository,
)
from consular_alerts.services.subscriber_records import erased, new_subscriber, revised, save, view
from consular_alerts.services.subscription_errors import ConflictError, InvalidRequestError
from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy

logger = Logger(child=True)

SIGNED_UP = (
    "If this address can be subscribed, a confirmation email is on its way: open its link "
    "and press the button to start the subscription (and get its manage link)."
)


@dataclass(frozen=True)
class EmailPolicy:
    """`queue_arn`: the email-delivery queue each segment topic with email subscribers
    delivers to. `mailto`: the optional second List-Unsubscribe target."""

    queue_arn: str
    confirm_ttl: timedelta = timedelta(days=3)
    mailto: str = ""


class PageState(StrEnum):
    ASK = "ask"  # GET: the page shows the button; nothing changed
    DONE = "done"  # POST: confirmed or unsubscribed now
    ALREADY = "already"  # nothing left to do (confirmed before, ended before)
    INVALID = "invalid"  # the link is wrong or expired


@dataclass(frozen=True)
class PageOutcome:
    state: PageState
    language: str = "en"
    manage_link: str | None = None
    manage_token: str | None = None


def confirm_link(base_url: str, subscription_id: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/email/confirm/{subscription_id}?t={quote(token, safe='')}"


def unsubscribe_link(base_url: str, subscription_id: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/email/unsubscribe/{subscription_id}?t={quote(token, safe='')}"


def mailbox_lookup(hashing_key: bytes, address: str) -> str:
    """The keyed hash live email subscriptions are found by: one per mailbox."""
    return keyed_digest(hashing_key, f"mailbox:{mailbox(address)}")


class EmailSubscriptionService:
    def __init__(
        self,
        repository: SubscriberRepository,
        members: EmailMembers,
        mailer: Mailer,
        directory: SegmentDirectory,
        codes: OneTimeCodes,
        policy: SubscriptionPolicy,
        email: EmailPolicy,
        keys: SubscriberKeys,
        clock: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._members = members
        self._mailer = mailer
        self._directory = directory
        self._codes = codes
        self._policy = policy
        self._email = email
        self._keys = keys
        self._clock = clock
        self._ends = EmailSubscriptionEnds(repository, members, keys, clock)
        self._listening: set[str] = set()  # segment topics known to feed the queue

    # --- signing up and confirming ---------------------------------------------------------

    def subscribe(self, request: SubscribeRequest, client_ip: str) -> SubscriptionView:
        now = self._clock()
        try:
            address = accept_email(request.address)
        except EmailRejectedError as error:
            raise InvalidRequestError(str(error)) from error
        # Per mailbox: six +aliases of one inbox share one budget.
        self._codes.spend_email(mailbox(address), client_ip, now)
        subscriber = new_subscriber(
            request,
            address,
            now,
            status=SubscriberStatus.PENDING_CONFIRMATION,
            expires=now + self._email.confirm_ttl,
            audit_key=self._keys.audit,
        )
        token = new_token()
        subscriber = subscriber.model_copy(
            update={
                # The confirmation token's hash; the manage token comes only on confirming.
                "code_hash": hash_token(token, subscriber.subscriber_id),
                "code_expires_at": now + self._email.confirm_ttl,
                "code_sent_at": now,
            }
        )
        self._repository.create(subscriber)
        letter = confirmation_letter(
            subscriber.language.value,
            subscriber.countries,
            confirm_link(self._policy.base_url, subscriber.subscriber_id, token),
        )
        self._mailer.send(address, letter, {"kind": "confirmation", **self._tags(subscriber)})
        logger.info(
            "email confirmation sent",
            subscriber_id=subscriber.subscriber_id,
            address=mask_address(address),
            countries=len(subscriber.countries),
        )
        # The same answer whether or not the mailbox has a subscription: no enumeration.
        return view(subscriber, message=SIGNED_UP)

    def confirm(self, subscription_id: str, token: str, *, act: bool) -> PageOutcome:
        """The confirmation page: `act` is a POST (the button); a GET only asks."""
        subscriber = self._repository.get(subscription_id)
        if subscriber is None or subscriber.channel is not Channel.EMAIL:
            return PageOutcome(PageState.INVALID)
        language = subscriber.language.value
        if subscriber.status is SubscriberStatus.ACTIVE and not subscriber.code_hash:
            return PageOutcome(PageState.ALREADY, language)
        if not self._confirmable(subscriber, token):
            return PageOutcome(PageState.INVALID, language)
        if not act:
            return PageOutcome(PageState.ASK, language)
        now = self._clock()
        lookup = mailbox_lookup(self._keys.hashing, subscriber.address)
        previous = [
            s for s in self._repository.find_live(lookup) if s.subscriber_id != subscription_id
        ]
        names = self._join(subscriber)
        manage_token, token_hash = self._codes.issue_token(subscription_id)
        active = revised(
            subscriber,
            status=SubscriberStatus.ACTIVE,
            code_hash="",
            code_expires_at=None,
            expires_at=None,
            lookup_hash=lookup,
            token_hash=token_hash,
        )
        if not self._repository.replace(active, SubscriberStatus.PENDING_CONFIRMATION):
            # A second press of the button won: its memberships are these same items.
            return PageOutcome(PageState.ALREADY, language)
        for earlier in previous:
            self.end(earlier, "replaced by a new subscription")
        logger.info(
            "email confirmed, subscribed",
            subscriber_id=subscription_id,
            segments=len(names),
            replaced=len(previous),
        )
        return PageOutcome(
            PageState.DONE,
            language,
            manage_link=self._codes.link(
                subscription_id, LinkPurpose.MANAGE, now, active.link_generation
            ),
            manage_token=manage_token,
        )

    # --- changing and ending ---------------------------------------------------------------

    def change(self, subscriber: Subscriber, changes: PreferencesRequest) -> SubscriptionView:
        """New segments joined first, old ones left after: no moment without coverage."""
        countries = changes.countries if changes.countries is not None else subscriber.countries
        language = changes.language if changes.language is not None else subscriber.language
        min_level = changes.min_level if changes.min_level is not None else subscriber.min_level
        held = segment_names(subscriber)
        changed = revised(
            subscriber, countries=list(countries), language=language, min_level=min_level
        )
        wanted = segment_names(changed)
        if subscriber.status is SubscriberStatus.ACTIVE:
            self._join(changed, only=[n for n in wanted if n not in held])
        save(self._repository, changed, subscriber.status)
        if subscriber.status is SubscriberStatus.ACTIVE:
            self._members.leave(subscriber.subscriber_id, [n for n in held if n not in wanted])
        logger.info("email preferences changed", subscriber_id=subscriber.subscriber_id)
        return view(changed, message="Preferences changed.")

    def unsubscribe_page(self, subscription_id: str, token: str, *, act: bool) -> PageOutcome:
        """The unsubscribe page and the one-click POST: `act` is a POST; a GET only asks (a
        mail scanner that opens the link unsubscribes nobody)."""
        subscriber = self._repository.get(subscription_id)
        if subscriber is None or subscriber.channel is not Channel.EMAIL:
            return PageOutcome(PageState.INVALID)
        language = subscriber.language.value
        if subscriber.status is SubscriberStatus.UNSUBSCRIBED:
            return PageOutcome(PageState.ALREADY, language)
        purpose = self._keys.links.verify(
            token, subscription_id, self._clock(), subscriber.link_generation
        )
        if purpose not in {LinkPurpose.UNSUBSCRIBE, LinkPurpose.MANAGE}:
            return PageOutcome(PageState.INVALID, language)
        if not act:
            return PageOutcome(PageState.ASK, language)
        try:
            self.end(subscriber, "unsubscribed from an email")
        except ConflictError:
            return PageOutcome(PageState.ALREADY, language)
        logger.info("unsubscribed from an email, address erased", subscriber_id=subscription_id)
        return PageOutcome(PageState.DONE, language)

    def end(self, subscriber: Subscriber, reason: str) -> Subscriber:
        return self._ends.end(subscriber, reason)

    # --- internals -------------------------------------------------------------------------

    def _confirmable(self, subscriber: Subscriber, token: str) -> bool:
        return (
            subscriber.status is SubscriberStatus.PENDING_CONFIRMATION
            and bool(subscriber.code_hash)
            and subscriber.code_expires_at is not None
            and subscriber.code_expires_at > self._clock()
            and bool(token)
            and token_matches(token, subscriber.subscriber_id, subscriber.code_hash)
        )

    def _join(self, subscriber: Subscriber, only: list[str] | None = None) -> list[str]:
        names = segment_names(subscriber) if only is None else only
        for segment in segments_for_subscriber(
            subscriber.countries, subscriber.language.value, subscriber.min_level
        ):
            if segment.name in names and segment.name not in self._listening:
                # SNS answers the same subscription for the same topic and queue.
                self._directory.subscribe(segment, "sqs", self._email.queue_arn)
                self._listening.add(segment.name)
        self._members.join(subscriber.subscriber_id, names)
        return names

    @staticmethod
    def _tags(subscriber: Subscriber) -> dict[str, str]:
        return {"subscriber": subscriber.subscriber_id}


class EmailSubscriptionEnds:
    """How an email subscription ends: the API's DELETE, its unsubscribe page, SES feedback."""

    def __init__(
        self,
        repository: SubscriberRepository,
        members: EmailMembers,
        keys: SubscriberKeys,
        clock: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._members = members
        self._keys = keys
        self._clock = clock

    def end(self, subscriber: Subscriber, reason: str) -> Subscriber:
        """Leave every segment and erase the address (a keyed hash stays for audit)."""
        self._members.leave(subscriber.subscriber_id, segment_names(subscriber))
        ended = erased(subscriber, reason, self._clock(), self._keys.audit)
        save(self._repository, ended, subscriber.status)
        return ended

    def end_by_feedback(self, subscriber_id: str, reason: str) -> bool:
        """SES reported a permanent bounce or a complaint: the subscription ends. True if
        it was live."""
        subscriber = self._repository.get(subscriber_id)
        if (
            subscriber is None
            or subscriber.channel is not Channel.EMAIL
            or subscriber.status is SubscriberStatus.UNSUBSCRIBED
        ):
            return False
        try:
            self.end(subscriber, reason)
        except ConflictError:
            return False  # changed meanwhile; the next event ends it
        logger.info("email subscription ended by SES feedback", subscriber_id=subscriber_id)
        return True


def segment_names(subscriber: Subscriber) -> list[str]:
    return [
        segment.name
        for segment in segments_for_subscriber(
            subscriber.countries, subscriber.language.value, subscriber.min_level
        )
    ]

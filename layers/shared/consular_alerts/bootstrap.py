"""Composition root: builds each function's service once per container.

Handlers call these; tests and the local runtime call `reset()` after changing the
environment (e.g. pointing AWS_ENDPOINT_URL at moto).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from consular_alerts.adapters import aws_clients

# Each builder imports what its function needs, so a function's cold start pays only for
# its own code (the poller's feed parsers, say, are never imported by the citizen API), and
# importing a handler builds nothing: models and settings load on first use.
if TYPE_CHECKING:
    from functools import _lru_cache_wrapper
    from typing import TypeVar

    from consular_alerts.domain.approval import ApprovalRules
    from consular_alerts.domain.delivery.canaries import Canary
    from consular_alerts.domain.messages.preview import SmsPrices
    from consular_alerts.services.advisories import PublicAdvisoryService
    from consular_alerts.services.approvals import ApprovalService
    from consular_alerts.services.cap_feed import CapFeedService
    from consular_alerts.services.countries import CountryService
    from consular_alerts.services.delivery_reports import DeliveryReportService
    from consular_alerts.services.email_delivery import EmailDeliveryService
    from consular_alerts.services.email_events import EmailEventService
    from consular_alerts.services.email_subscriptions import (
        EmailPolicy,
        EmailSubscriptionService,
    )
    from consular_alerts.services.fanout import FanoutService
    from consular_alerts.services.ingest import IngestService
    from consular_alerts.services.poller import FeedPoller
    from consular_alerts.services.ports import (
        AudienceCounter,
        CountryStore,
        DeliveryLedger,
        EmailMembers,
        Mailer,
        OperationsNotifier,
        PhoneCodeStore,
        RateLimiter,
        SegmentDirectory,
        SmsSender,
        StaffDirectory,
        SubscriberRepository,
        VersionHistory,
    )
    from consular_alerts.services.receipts import ReceiptService
    from consular_alerts.services.staff_fanout import StaffFanout
    from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy
    from consular_alerts.services.subscriptions import SubscriptionService
    from consular_alerts.settings import (
        CountriesSettings,
        DeliveryReportSettings,
        FanoutSettings,
        IngestSettings,
        PollerSettings,
        PublicAdvisorySettings,
        SubscriptionsSettings,
    )

    T = TypeVar("T")


_BUILT: list[_lru_cache_wrapper[Any]] = []  # each service, built once; reset() forgets them


def _once(builder: Callable[[], T]) -> _lru_cache_wrapper[T]:
    built = cache(builder)
    _BUILT.append(built)
    return built


def use_patient_sdk(read_timeout_seconds: int) -> None:
    """For the local runtime and tests only (adapters/aws_clients.py says why): clients and
    services built after this call wait `read_timeout_seconds` for an answer."""
    aws_clients.wait_longer(read_timeout_seconds)
    _forget_services()


def utc_now() -> datetime:
    return datetime.now(UTC)


# The site (links in messages, the one origin CORS answers) for the API functions: the stage
# variable siteUrl of the API that invoked them. template.yaml cannot put it in their
# environment: when no domain is given the site is the CloudFront distribution, which names
# the APIs in its CSP, so the APIs and the functions they integrate cannot name it back.
_site_url: str | None = None


def use_site_of(event: Mapping[str, Any]) -> None:
    """Take the site's URL from an API Gateway event (a request without it keeps the
    configured one): one stage per container, so services are built again at most once."""
    global _site_url
    site = (event.get("stageVariables") or {}).get("siteUrl")
    if site and site != _site_url:
        _forget_services()
        _site_url = site


def _site() -> dict[str, str]:
    return {"public_base_url": _site_url} if _site_url else {}


def pause(seconds: float) -> None:
    """How services wait (the fan-out, for a segment another invocation holds)."""
    time.sleep(seconds)


@_once
def ingest_settings() -> IngestSettings:
    from consular_alerts.settings import IngestSettings

    return IngestSettings.model_validate(_site())


def _ingest(
    settings: IngestSettings | PollerSettings,
    audience: AudienceCounter | None = None,
    prices: SmsPrices | None = None,
    staff: StaffDirectory | None = None,
) -> IngestService:
    from consular_alerts.adapters.dynamodb.advisories import DynamoAdvisoryRepository
    from consular_alerts.domain.publication import IngestPolicy
    from consular_alerts.services.ingest import IngestService, PreviewConfig

    return IngestService(
        DynamoAdvisoryRepository(aws_clients.dynamodb(), settings.advisories_table),
        IngestPolicy(
            ministry_country=settings.ministry_country,
            default_source=settings.ministry_source,
            default_level=settings.default_post_level,
        ),
        utc_now,
        PreviewConfig(
            base_url=settings.public_base_url,
            sms_budget=settings.sms_segment_budget,
            fallback_order=settings.fallback_order(),
            notify=settings.notify_policy(),
            country_budgets=settings.country_budgets(),
            sms_per_second=settings.sms_messages_per_second,
        ),
        audience,
        prices,
        _country_store(settings.countries_table),
        settings.approval_rules(),
        staff,
    )


def _country_store(table: str | None) -> CountryStore | None:
    """Each country's internet state (shutdown mode); None where no table is configured."""
    if table is None:
        return None
    from consular_alerts.adapters.dynamodb.countries import DynamoCountryStore

    return DynamoCountryStore(aws_clients.dynamodb(), table)


@_once
def countries_settings() -> CountriesSettings:
    from consular_alerts.settings import CountriesSettings

    return CountriesSettings.model_validate(_site())


@_once
def countries_service() -> CountryService:
    from consular_alerts.adapters.dynamodb.countries import DynamoCountryStore
    from consular_alerts.services.countries import CountryService

    settings = countries_settings()
    return CountryService(
        DynamoCountryStore(aws_clients.dynamodb(), settings.countries_table),
        utc_now,
        settings.sms_segment_budget,
        settings.country_budgets(),
    )


@_once
def ingest_service() -> IngestService:
    from consular_alerts.adapters.dynamodb.staff import staff_directory
    from consular_alerts.domain.messages.preview import SmsPrices

    settings = ingest_settings()
    if settings.segment_topic_arn_prefix is None:
        return _ingest(settings)
    # Dry runs also count each reached segment's subscribers and price the SMS.
    return _ingest(
        settings,
        _audience_counter(settings.segment_topic_arn_prefix, settings.subscribers_table),
        SmsPrices.from_json(json.loads(settings.sms_prices_file.read_text("utf-8"))),
        staff_directory(settings.subscribers_table),
    )


def _audience_counter(topic_arn_prefix: str, subscribers_table: str | None) -> AudienceCounter:
    """Each segment's phones and email members (none counted without a subscribers table)."""
    from consular_alerts.adapters.dynamodb.email_members import DynamoEmailMembers
    from consular_alerts.adapters.sns import SegmentTopics, SnsAudienceCounter

    members = (
        DynamoEmailMembers(aws_clients.dynamodb(), subscribers_table) if subscribers_table else None
    )
    return SnsAudienceCounter(
        aws_clients.sns(), SegmentTopics(topic_arn_prefix), email_members=members
    )


def approval_rules() -> ApprovalRules:
    return ingest_settings().approval_rules()


@_once
def approval_service() -> ApprovalService:
    from consular_alerts.adapters.dynamodb.advisories import DynamoAdvisoryRepository
    from consular_alerts.services.approvals import ApprovalService

    settings = ingest_settings()
    return ApprovalService(
        DynamoAdvisoryRepository(aws_clients.dynamodb(), settings.advisories_table),
        utc_now,
        settings.approval_rules(),
    )


@_once
def version_history() -> VersionHistory:
    from consular_alerts.adapters.dynamodb.advisory_history import DynamoVersionHistory

    return DynamoVersionHistory(aws_clients.dynamodb(), ingest_settings().advisories_table)


@_once
def fanout_service() -> FanoutService:
    from consular_alerts.adapters.dynamodb.advisories import DynamoAdvisoryRepository
    from consular_alerts.adapters.dynamodb.delivery_ledger import DynamoDeliveryLedger
    from consular_alerts.adapters.dynamodb.items import advisory_from_image
    from consular_alerts.adapters.sns import SegmentTopics, SnsSegmentPublisher
    from consular_alerts.adapters.sqs import SqsDeadLetters
    from consular_alerts.services.fanout import FanoutConfig, FanoutService
    from consular_alerts.settings import FanoutSettings

    settings = FanoutSettings.from_environment()
    ledger = DynamoDeliveryLedger(aws_clients.dynamodb(), settings.delivery_ledger_table)
    return FanoutService(
        DynamoAdvisoryRepository(aws_clients.dynamodb(), settings.advisories_table),
        ledger,
        SnsSegmentPublisher(
            aws_clients.sns_topic_publisher(), SegmentTopics(settings.segment_topic_arn_prefix)
        ),
        FanoutConfig(
            sender_id=settings.sms_sender_id,
            sms_budget=settings.sms_segment_budget,
            base_url=settings.public_base_url,
            fallback_order=settings.fallback_order(),
            policy=settings.notify_policy(),
            country_budgets=settings.country_budgets(),
        ),
        utc_now,
        SqsDeadLetters(aws_clients.client("sqs"), settings.fanout_failure_queue_url),
        advisory_from_image,
        pause,
        _country_store(settings.countries_table),
        _staff_fanout(settings, ledger),
    )


def _staff_fanout(settings: FanoutSettings, ledger: DeliveryLedger) -> StaffFanout | None:
    """Training mode's deliveries, when the stack names the staff list and the email queue."""
    from consular_alerts.adapters.staff_messages import staff_adapters
    from consular_alerts.services.staff_fanout import StaffFanout

    adapters = staff_adapters(settings.subscribers_table, settings.email_delivery_queue_url)
    return StaffFanout(*adapters, ledger, utc_now, settings.sms_sender_id) if adapters else None


@_once
def subscriptions_settings() -> SubscriptionsSettings:
    from consular_alerts.settings import SubscriptionsSettings

    return SubscriptionsSettings.model_validate(_site())


@_once
def subscription_service() -> SubscriptionService:
    from consular_alerts.adapters.dynamodb.email_members import DynamoEmailMembers
    from consular_alerts.adapters.dynamodb.phone_codes import DynamoPhoneCodes
    from consular_alerts.adapters.dynamodb.rate_limits import DynamoRateLimiter
    from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
    from consular_alerts.adapters.secret_store import read_secret
    from consular_alerts.adapters.ses import SesMailer
    from consular_alerts.adapters.sns import SegmentTopics, SnsSegmentDirectory, SnsSmsSender
    from consular_alerts.services.email_subscriptions import EmailPolicy
    from consular_alerts.services.subscription_policy import SubscriberKeys, SubscriptionPolicy

    settings = subscriptions_settings()
    secret = read_secret(aws_clients.client("secretsmanager"), settings.link_signing_secret_arn)
    return wire_subscription_service(
        DynamoSubscriberRepository(aws_clients.dynamodb(), settings.subscribers_table),
        SnsSegmentDirectory(
            aws_clients.sns(),
            SegmentTopics(settings.segment_topic_arn_prefix),
            kms_key_id=settings.subscriber_data_key_arn,
        ),
        SnsSmsSender(aws_clients.sns()),
        DynamoRateLimiter(aws_clients.dynamodb(), settings.rate_limits_table),
        SubscriptionPolicy(
            allowed_phone_countries=settings.allowed_countries(),
            sender_id=settings.sms_sender_id,
            code_ttl=timedelta(seconds=settings.code_ttl_seconds),
            max_attempts=settings.max_code_attempts,
            limits=settings.rate_limits(),
            base_url=settings.public_base_url,
            welcome_sms=settings.welcome_sms,
            refused_phone_types=settings.refused_phone_type_names(),
        ),
        SubscriberKeys.from_secret(secret),
        utc_now,
        phone_codes=DynamoPhoneCodes(aws_clients.dynamodb(), settings.rate_limits_table),
        members=DynamoEmailMembers(aws_clients.dynamodb(), settings.subscribers_table),
        mailer=SesMailer(
            aws_clients.client("sesv2"),
            settings.email_sender_address,
            settings.email_configuration_set,
            settings.email_sender_name,
        ),
        email_policy=EmailPolicy(
            queue_arn=settings.email_queue_arn, mailto=settings.email_unsubscribe_mailto
        ),
    )


def wire_subscription_service(
    repository: SubscriberRepository,
    directory: SegmentDirectory,
    sms: SmsSender,
    limiter: RateLimiter,
    policy: SubscriptionPolicy,
    keys: SubscriberKeys,
    clock: Callable[[], datetime],
    *,
    phone_codes: PhoneCodeStore,
    members: EmailMembers,
    mailer: Mailer,
    email_policy: EmailPolicy,
) -> SubscriptionService:
    """The subscription service and its one-time codes over these ports: the one place they
    are put together (the function's above; tests and `alerts scale` with their own ports).
    Email goes through SES: `members`, `mailer` and `email_policy` are its ports."""
    from consular_alerts.services.email_subscriptions import EmailSubscriptionService
    from consular_alerts.services.one_time_codes import OneTimeCodes
    from consular_alerts.services.subscriptions import SubscriptionService

    codes = OneTimeCodes(repository, sms, limiter, policy, keys, phone_codes)
    email = EmailSubscriptionService(
        repository, members, mailer, directory, codes, policy, email_policy, keys, clock
    )
    return SubscriptionService(repository, directory, sms, codes, policy, keys, clock, email)


def email_subscription_service() -> EmailSubscriptionService:
    """The email pages' service (confirm, unsubscribe): the citizen API's email path."""
    return subscription_service().email


@_once
def email_delivery_service() -> EmailDeliveryService:
    from consular_alerts.adapters.dynamodb.email_ledger import DynamoEmailLedger
    from consular_alerts.adapters.dynamodb.email_members import DynamoEmailMembers
    from consular_alerts.adapters.dynamodb.email_tallies import DynamoEmailTallies
    from consular_alerts.adapters.secret_store import read_secret
    from consular_alerts.adapters.ses import SesMailer
    from consular_alerts.services.email_delivery import (
        EmailDeliveryConfig,
        EmailDeliveryService,
    )
    from consular_alerts.services.subscription_policy import SubscriberKeys
    from consular_alerts.settings import EmailDeliverySettings

    settings = EmailDeliverySettings.from_environment()
    secret = read_secret(aws_clients.client("secretsmanager"), settings.link_signing_secret_arn)
    return EmailDeliveryService(
        DynamoEmailMembers(aws_clients.dynamodb(), settings.subscribers_table),
        DynamoEmailLedger(aws_clients.dynamodb(), settings.delivery_ledger_table),
        SesMailer(
            aws_clients.client("sesv2"),
            settings.email_sender_address,
            settings.email_configuration_set,
            settings.email_sender_name,
        ),
        DynamoEmailTallies(aws_clients.dynamodb(), settings.delivery_receipts_table),
        SubscriberKeys.from_secret(secret),
        EmailDeliveryConfig(
            site_url=settings.public_base_url, mailto=settings.email_unsubscribe_mailto
        ),
        utc_now,
    )


@_once
def email_event_service() -> EmailEventService:
    from consular_alerts.adapters.dynamodb.email_members import DynamoEmailMembers
    from consular_alerts.adapters.dynamodb.email_tallies import DynamoEmailTallies
    from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
    from consular_alerts.adapters.secret_store import read_secret
    from consular_alerts.services.email_events import EmailEventService
    from consular_alerts.services.email_subscriptions import EmailSubscriptionEnds
    from consular_alerts.services.subscription_policy import SubscriberKeys
    from consular_alerts.settings import EmailEventsSettings

    settings = EmailEventsSettings.from_environment()
    secret = read_secret(aws_clients.client("secretsmanager"), settings.link_signing_secret_arn)
    return EmailEventService(
        DynamoEmailTallies(aws_clients.dynamodb(), settings.delivery_receipts_table),
        EmailSubscriptionEnds(
            DynamoSubscriberRepository(aws_clients.dynamodb(), settings.subscribers_table),
            DynamoEmailMembers(aws_clients.dynamodb(), settings.subscribers_table),
            SubscriberKeys.from_secret(secret),
            utc_now,
        ),
    )


@_once
def poller_service() -> FeedPoller:
    from consular_alerts.adapters.dynamodb.feeds import DynamoFeedRepository
    from consular_alerts.adapters.http import UrllibFetcher
    from consular_alerts.services.poller import FeedPoller
    from consular_alerts.settings import PollerSettings

    settings = PollerSettings.from_environment()
    return FeedPoller(
        DynamoFeedRepository(aws_clients.dynamodb(), settings.feeds_table),
        UrllibFetcher(),
        _ingest(settings),
        utc_now,
        settings.ministry_country,
    )


@_once
def public_advisory_settings() -> PublicAdvisorySettings:
    from consular_alerts.settings import PublicAdvisorySettings

    return PublicAdvisorySettings.model_validate(_site())


@_once
def public_advisory_service() -> PublicAdvisoryService:
    from consular_alerts.adapters.dynamodb.advisories import DynamoAdvisoryRepository
    from consular_alerts.services.advisories import PublicAdvisoryService

    settings = public_advisory_settings()
    return PublicAdvisoryService(
        DynamoAdvisoryRepository(aws_clients.dynamodb(), settings.advisories_table), utc_now
    )


@_once
def cap_feed_service() -> CapFeedService:
    from consular_alerts.adapters.dynamodb.advisories import DynamoAdvisoryRepository
    from consular_alerts.adapters.dynamodb.items import advisory_from_image
    from consular_alerts.adapters.s3 import S3SiteFiles
    from consular_alerts.services.cap_feed import CapFeedConfig, CapFeedService
    from consular_alerts.settings import CapFeedSettings

    settings = CapFeedSettings.from_environment()
    return CapFeedService(
        DynamoAdvisoryRepository(aws_clients.dynamodb(), settings.advisories_table),
        S3SiteFiles(aws_clients.client("s3"), settings.site_bucket),
        CapFeedConfig(authority=settings.authority(), sources=settings.sources()),
        utc_now,
        advisory_from_image,
    )


@_once
def receipts_service() -> ReceiptService:
    from consular_alerts.adapters.dynamodb.publication_log import DynamoPublicationLog
    from consular_alerts.adapters.dynamodb.receipts import DynamoReceiptStore
    from consular_alerts.services.receipts import ReceiptService
    from consular_alerts.settings import ReceiptsSettings

    settings = ReceiptsSettings.from_environment()
    return ReceiptService(
        DynamoPublicationLog(aws_clients.dynamodb(), settings.delivery_ledger_table),
        DynamoReceiptStore(aws_clients.dynamodb(), settings.delivery_receipts_table),
        _receipt_phone_hash(settings.link_signing_secret_arn),
        settings.segment_topic_arn_prefix.rsplit(":", 1)[-1],
    )


def _receipt_phone_hash(secret_arn: str) -> Callable[[str], str]:
    """How receipts key a phone number (and canaries theirs, to find their receipts)."""
    from consular_alerts.adapters.secret_store import read_secret
    from consular_alerts.domain.citizens.privacy import derive_key, keyed_digest

    key = derive_key(
        read_secret(aws_clients.client("secretsmanager"), secret_arn), "sms-receipt-destination"
    )
    return lambda number: keyed_digest(key, number, 32)


@_once
def delivery_report_settings() -> DeliveryReportSettings:
    from consular_alerts.settings import DeliveryReportSettings

    return DeliveryReportSettings.model_validate(_site())


@_once
def delivery_report_service() -> DeliveryReportService:
    from consular_alerts.adapters.dynamodb.advisories import DynamoAdvisoryRepository
    from consular_alerts.adapters.dynamodb.email_tallies import DynamoEmailTallies
    from consular_alerts.adapters.dynamodb.publication_log import DynamoPublicationLog
    from consular_alerts.adapters.dynamodb.receipts import DynamoReceiptStore
    from consular_alerts.adapters.sns import SegmentTopics, SnsSegmentDirectory
    from consular_alerts.services.delivery_reports import DeliveryReportService, WatchPolicy

    settings = delivery_report_settings()
    topics = SegmentTopics(settings.segment_topic_arn_prefix)
    canaries: Callable[[], list[Canary]] = list
    directory = None
    if settings.canary_phones_secret_arn and settings.link_signing_secret_arn:
        from consular_alerts.adapters.secret_store import read_secret_text
        from consular_alerts.domain.delivery.canaries import parse_canaries

        hash_phone = _receipt_phone_hash(settings.link_signing_secret_arn)
        arn = settings.canary_phones_secret_arn

        def canaries() -> list[Canary]:
            return parse_canaries(
                read_secret_text(aws_clients.client("secretsmanager"), arn), hash_phone
            )

        directory = SnsSegmentDirectory(aws_clients.sns(), topics, settings.subscriber_data_key_arn)
    return DeliveryReportService(
        DynamoAdvisoryRepository(aws_clients.dynamodb(), settings.advisories_table),
        DynamoPublicationLog(aws_clients.dynamodb(), settings.delivery_ledger_table),
        DynamoReceiptStore(aws_clients.dynamodb(), settings.delivery_receipts_table),
        _audience_counter(settings.segment_topic_arn_prefix, settings.subscribers_table),
        utc_now,
        WatchPolicy(
            delivered_share=settings.delivered_share_alarm / 100,
            canary_after=timedelta(minutes=settings.canary_minutes),
        ),
        canaries,
        directory,
        _operations_notifier(settings.operations_topic_arn),
        DynamoEmailTallies(aws_clients.dynamodb(), settings.delivery_receipts_table),
    )


def _operations_notifier(topic_arn: str | None) -> OperationsNotifier | None:
    if not topic_arn:
        return None
    from consular_alerts.adapters.operations_notices import SnsOperationsNotifier

    return SnsOperationsNotifier(aws_clients.sns(), topic_arn)


def reset() -> None:
    """Forget built clients, services and the site a request brought (tests, local runtime)."""
    global _site_url
    _site_url = None
    aws_clients.forget_clients()
    _forget_services()


def _forget_services() -> None:
    for built in _BUILT:
        built.cache_clear()

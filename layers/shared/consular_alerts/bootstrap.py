"""Composition root: builds each function's service once per container.

Handlers call these; tests and the local runtime call `reset()` after changing the
environment (e.g. pointing AWS_ENDPOINT_URL at moto).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from consular_alerts.adapters.dynamodb import (
    DynamoAdvisoryRepository,
    DynamoDeliveryLedger,
    DynamoSubscriberRepository,
)
from consular_alerts.adapters.sns import (
    SegmentTopics,
    SnsSegmentDirectory,
    SnsSegmentPublisher,
    SnsSmsSender,
)
from consular_alerts.services.fanout import FanoutConfig, FanoutService
from consular_alerts.services.ingest import IngestPolicy, IngestService, PreviewConfig
from consular_alerts.services.subscriptions import SubscriptionPolicy, SubscriptionService
from consular_alerts.settings import FanoutSettings, IngestSettings, SubscriptionsSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

# Short timeouts and adaptive retries: a duty officer's post must not hang on a slow call.
_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 4, "mode": "standard"})


def utc_now() -> datetime:
    return datetime.now(UTC)


@cache
def _client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def sns() -> SNSClient:
    client: SNSClient = _client("sns")
    return client


@cache
def ingest_settings() -> IngestSettings:
    return IngestSettings()  # read from the environment


@cache
def ingest_service() -> IngestService:
    settings = ingest_settings()
    return IngestService(
        DynamoAdvisoryRepository(dynamodb(), settings.advisories_table),
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
        ),
    )


@cache
def fanout_service() -> FanoutService:
    settings = FanoutSettings()
    return FanoutService(
        DynamoAdvisoryRepository(dynamodb(), settings.advisories_table),
        DynamoDeliveryLedger(dynamodb(), settings.delivery_ledger_table),
        SnsSegmentPublisher(sns(), SegmentTopics(settings.segment_topic_arn_prefix)),
        FanoutConfig(
            sender_id=settings.sms_sender_id,
            sms_budget=settings.sms_segment_budget,
            base_url=settings.public_base_url,
            fallback_order=settings.fallback_order(),
            policy=settings.notify_policy(),
        ),
        utc_now,
    )


@cache
def subscription_service() -> SubscriptionService:
    settings = SubscriptionsSettings()
    return SubscriptionService(
        DynamoSubscriberRepository(dynamodb(), settings.subscribers_table),
        SnsSegmentDirectory(sns(), SegmentTopics(settings.segment_topic_arn_prefix)),
        SnsSmsSender(sns()),
        SubscriptionPolicy(
            allowed_phone_countries=settings.allowed_countries(),
            sender_id=settings.sms_sender_id,
            code_ttl=timedelta(seconds=settings.code_ttl_seconds),
            max_attempts=settings.max_code_attempts,
        ),
        utc_now,
    )


def reset() -> None:
    """Forget built clients and services (tests, local runtime)."""
    for built in (_client, ingest_settings, ingest_service, fanout_service, subscription_service):
        built.cache_clear()

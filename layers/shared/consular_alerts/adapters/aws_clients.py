"""The SDK clients every adapter is built with: one per service and container."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

# Short timeouts and adaptive retries: a duty officer's post must not hang on a slow call.
# (botocore's `max_attempts` counts retries; `total_max_attempts` counts every attempt.)
_config = Config(
    connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 5, "mode": "standard"}
)


def wait_longer(read_timeout_seconds: int) -> None:
    """For the local runtime and tests only: moto on a busy machine may take longer than 5 s
    to answer, and botocore then sends the call again. DynamoDB answers a retried
    TransactWriteItems from its ClientRequestToken (botocore keeps one token across retries);
    moto does not, so the retry would meet its own first attempt's writes (a rate limit's
    cooldown refusing the very request that set it). Clients built after this call wait."""
    global _config
    _config = _config.merge(Config(read_timeout=read_timeout_seconds))
    forget_clients()


def forget_clients() -> None:
    client.cache_clear()
    sns_topic_publisher.cache_clear()


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_config)  # type: ignore[call-overload]


def dynamodb() -> DynamoDBClient:
    built: DynamoDBClient = client("dynamodb")
    return built


def sns() -> SNSClient:
    built: SNSClient = client("sns")
    return built


@cache
def sns_topic_publisher() -> SNSClient:
    """For publishes to segment topics: no SDK retries. A retried Publish after a read
    timeout could reach a whole segment twice; the fan-out's ledger decides instead."""
    config = _config.merge(Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    built: SNSClient = boto3.session.Session().client("sns", config=config)
    return built

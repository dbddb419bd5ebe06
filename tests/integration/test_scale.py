"""Scale on the local stack: the work per advisory does not grow with the subscribers.

Five hundred simulated citizens here (the first 50 through the subscription service with the
real DynamoDB and SNS adapters, the rest subscribed to their segments directly); `make bench`
runs 10,000.
"""

from __future__ import annotations

import uuid

from alerts_local.lambdas import LocalFunctions, apply_environment
from alerts_local.scale import (
    FILTER_POLICIES_PER_TOPIC,
    SUBSCRIPTIONS_PER_TOPIC,
    TOPICS_PER_ACCOUNT,
    measure,
    sample_has_no_filter_policy,
)
from alerts_local.stack import DeployedStack, deploy
from tests.conftest import ONE_OFFICER


def _fresh(moto_endpoint: str) -> tuple[DeployedStack, LocalFunctions]:
    stack = deploy(moto_endpoint, f"sc{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    apply_environment(stack, "ERROR")
    return stack, LocalFunctions(stack)


def test_publishes_per_advisory_are_the_same_for_10_and_500_citizens(moto_endpoint: str) -> None:
    small = measure(*_fresh(moto_endpoint), subscribers=10, via_service=10)
    stack, functions = _fresh(moto_endpoint)
    large = measure(stack, functions, subscribers=500, via_service=50)

    # The seed advisory is about Kazakhstan at level 2: 3 languages x tiers 1-2.
    assert small.segments_reached == large.segments_reached == 6
    assert small.publishes == large.publishes == 6
    assert large.recipients >= 3 * small.recipients  # SNS fans out; we publish the same
    assert large.segments > 100  # many segments in use
    assert large.subscriptions >= 500

    assert large.filter_policies == 0
    assert sample_has_no_filter_policy(stack)
    assert large.filter_policies <= FILTER_POLICIES_PER_TOPIC
    assert large.segments <= TOPICS_PER_ACCOUNT
    assert large.max_subscriptions_per_topic <= SUBSCRIPTIONS_PER_TOPIC

"""Training mode on the local runtime: the staff list `alerts staff` keeps on AWS, over the
local stack's subscribers table (server.py serves it at /_local/staff)."""

from __future__ import annotations

from typing import Any

from consular_alerts.adapters.dynamodb.staff import DynamoStaffDirectory
from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
from consular_alerts.domain.citizens.privacy import mask_address
from consular_alerts.models.citizen import Subscriber
from consular_alerts.services.staff import StaffService

from alerts_local.stack import DeployedStack


def local_staff_service(stack: DeployedStack) -> StaffService:
    client, table = stack.client("dynamodb"), stack.resources["SubscribersTable"]
    return StaffService(
        DynamoSubscriberRepository(client, table), DynamoStaffDirectory(client, table)
    )


def staff_json(subscriber: Subscriber) -> dict[str, Any]:
    """A staff subscription as the local endpoint shows it: its address masked."""
    return {
        "subscription_id": subscriber.subscriber_id,
        "channel": subscriber.channel.value,
        "address": mask_address(subscriber.address),
        "countries": subscriber.countries,
        "language": subscriber.language.value,
        "min_level": subscriber.min_level,
        "staff": subscriber.staff,
    }

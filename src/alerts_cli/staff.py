"""`alerts staff`: training mode's staff list on a deployed stack, with the operator's own
IAM credentials (the citizen API never sets, clears or shows the flag).

alerts staff flag   --stack NAME [--region R] --subscription-id ID
alerts staff unflag --stack NAME [--region R] --subscription-id ID
alerts staff list   --stack NAME [--region R]
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from botocore.exceptions import ClientError
from consular_alerts.adapters.dynamodb.staff import DynamoStaffDirectory
from consular_alerts.adapters.dynamodb.subscribers import DynamoSubscriberRepository
from consular_alerts.services.staff import StaffError, StaffService, describe

from alerts_cli.command_basics import UsageError, session

_SUBSCRIPTION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def subscribers_table(cloudformation: Any, stack: str) -> str:
    """The stack's subscribers table, as CloudFormation names it."""
    try:
        detail = cloudformation.describe_stack_resource(
            StackName=stack, LogicalResourceId="SubscribersTable"
        )["StackResourceDetail"]
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "")
        raise UsageError(f"stack {stack}: {message or 'no SubscribersTable'}") from None
    return str(detail["PhysicalResourceId"])


def staff_service(dynamodb: Any, table: str) -> StaffService:
    return StaffService(
        DynamoSubscriberRepository(dynamodb, table), DynamoStaffDirectory(dynamodb, table)
    )


def check_arguments(action: str, subscription_id: str | None) -> None:
    """Bad input is refused before any AWS call: UsageError (one line, exit 2)."""
    if action == "list":
        if subscription_id is not None:
            raise UsageError("list takes no --subscription-id")
        return
    if subscription_id is None:
        raise UsageError(f"{action} needs --subscription-id")
    if not _SUBSCRIPTION_ID.match(subscription_id):
        raise UsageError(f"--subscription-id {subscription_id!r}: a subscription id (a UUID)")


def run_staff(service: StaffService, action: str, subscription_id: str | None) -> list[str]:
    """What to print; UsageError for bad input or a subscription that cannot be flagged."""
    check_arguments(action, subscription_id)
    if action == "list" or subscription_id is None:
        return [describe(s) for s in service.staff()] or ["no staff subscriptions"]
    try:
        subscriber = service.set_staff(subscription_id, action == "flag")
    except StaffError as error:
        raise UsageError(str(error)) from None
    return [describe(subscriber)]


def staff_command(args: argparse.Namespace) -> int:
    check_arguments(args.action, args.id)
    aws = session(args.region)
    table = subscribers_table(aws.client("cloudformation"), args.stack)
    for line in run_staff(staff_service(aws.client("dynamodb"), table), args.action, args.id):
        print(line)
    return 0

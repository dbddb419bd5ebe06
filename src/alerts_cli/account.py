"""The facts `alerts preflight` checks, read from AWS. Read-only: every call here is a
Describe/Get/List; a refused call becomes `Unreadable`, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

from alerts_cli.preflight import (
    AccountFacts,
    EmailIdentity,
    PhoneNumber,
    SenderId,
    SesAccount,
    StackFacts,
    Unreadable,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Clients:
    """boto3 clients, one per service (no stubs are published for sesv2 or
    pinpoint-sms-voice-v2 in this project's pins, hence Any). `sandbox` answers the one SNS
    call moto lacks (GetSMSSandboxAccountStatus): the same client as `sns` in use, kept
    apart so a test can stub that call while the rest of SNS runs on moto."""

    cloudformation: Any
    sns: Any
    sandbox: Any
    sms_voice: Any
    sesv2: Any
    lambda_: Any

    @classmethod
    def from_session(cls, session: boto3.session.Session) -> Clients:
        sns = session.client("sns")
        return cls(
            cloudformation=session.client("cloudformation"),
            sns=sns,
            sandbox=sns,
            sms_voice=session.client("pinpoint-sms-voice-v2"),
            sesv2=session.client("sesv2"),
            lambda_=session.client("lambda"),
        )


def _read(call: Callable[[], T]) -> T | Unreadable:
    try:
        return call()
    except ClientError as error:
        details = error.response.get("Error", {})
        return Unreadable(f"{details.get('Code', 'Error')}: {details.get('Message', '')}".strip())
    except EndpointConnectionError as error:  # e.g. a service not offered in the region
        return Unreadable(str(error))


def _stack(cloudformation: Any, name: str) -> StackFacts | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in error.response.get("Error", {}).get("Message", ""):
            return None
        raise
    stack = stacks[0]
    return StackFacts(
        status=stack["StackStatus"],
        parameters={
            p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])
        },
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
    )


def _pages(client: Any, operation: str, key: str) -> list[dict[str, Any]]:
    return [item for page in client.get_paginator(operation).paginate() for item in page[key]]


def _sender_ids(sms_voice: Any) -> list[SenderId]:
    return [
        SenderId(entry["SenderId"], entry["IsoCountryCode"], bool(entry.get("Registered", False)))
        for entry in _pages(sms_voice, "describe_sender_ids", "SenderIds")
    ]


def _phone_numbers(sms_voice: Any) -> list[PhoneNumber]:
    return [
        PhoneNumber(entry["IsoCountryCode"], entry["NumberType"], entry["Status"])
        for entry in _pages(sms_voice, "describe_phone_numbers", "PhoneNumbers")
    ]


def _ses_account(sesv2: Any) -> SesAccount:
    account = sesv2.get_account()
    quota = account.get("SendQuota", {})
    return SesAccount(
        production_access=bool(account.get("ProductionAccessEnabled", False)),
        sending_enabled=bool(account.get("SendingEnabled", False)),
        max_24_hour_send=float(quota.get("Max24HourSend", 0)),
        max_send_rate=float(quota.get("MaxSendRate", 0)),
    )


def _email_identity(sesv2: Any, name: str) -> EmailIdentity:
    try:
        identity = sesv2.get_email_identity(EmailIdentity=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NotFoundException":
            return EmailIdentity(name, None)
        raise
    return EmailIdentity(name, bool(identity.get("VerifiedForSendingStatus", False)))


def _confirmed_subscriptions(sns: Any, topic_arn: str) -> int:
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    return int(attributes.get("SubscriptionsConfirmed", "0"))


def _concurrency(lambda_: Any) -> int:
    return int(lambda_.get_account_settings()["AccountLimit"]["ConcurrentExecutions"])


def read_facts(
    clients: Clients, stack_name: str, region: str, email_identity: str | None = None
) -> AccountFacts:
    stack = _read(lambda: _stack(clients.cloudformation, stack_name))
    alarm_topic = (
        stack.outputs.get("OperationsAlarmTopicArn") if isinstance(stack, StackFacts) else None
    )
    # The identity the stack sends its email as, unless the caller names another.
    if email_identity is None and isinstance(stack, StackFacts):
        email_identity = stack.parameters.get("EmailSenderIdentity") or None
    return AccountFacts(
        stack_name=stack_name,
        region=region,
        stack=stack,
        sms_sandbox=_read(
            lambda: bool(clients.sandbox.get_sms_sandbox_account_status()["IsInSandbox"])
        ),
        sms_attributes=_read(lambda: dict(clients.sns.get_sms_attributes()["attributes"])),
        sender_ids=_read(lambda: _sender_ids(clients.sms_voice)),
        phone_numbers=_read(lambda: _phone_numbers(clients.sms_voice)),
        ses_account=_read(lambda: _ses_account(clients.sesv2)),
        email_identity=(
            _read(lambda: _email_identity(clients.sesv2, email_identity))
            if email_identity
            else None
        ),
        lambda_concurrency=_read(
            lambda: int(
                clients.lambda_.get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
            )
        ),
        alarm_subscriptions=(
            _read(lambda: _confirmed_subscriptions(clients.sns, alarm_topic))
            if alarm_topic
            else None
        ),
    )

"""`alerts preflight` against a stack created from template.yaml in moto. moto answers what it
models (the stack, SMS attributes, the alarm topic, SES identities); botocore's Stubber
answers the calls moto lacks (SMS sandbox status, End User Messaging sender IDs and numbers,
SES account and identity, Lambda account settings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from alerts_cli.account import Clients, _email_identity
from alerts_cli.cli import main
from alerts_cli.command_basics import USAGE_ERROR
from alerts_local.stack import DeployedStack

REGISTRATION_COUNTRIES = ("KZ", "RU", "TR", "AE", "GB")  # sms_countries.json: registration
SENDER_IDENTITY = "mfa.gov.kg"  # template.yaml: EmailSenderIdentity's default


class Account:
    """The calls moto lacks, stubbed: one Stubber per client, each expecting its calls once."""

    def __init__(self, stack: DeployedStack) -> None:
        self.stack = stack
        self.sandbox = boto3.client("sns", region_name=stack.region)
        self.sms_voice = boto3.client("pinpoint-sms-voice-v2", region_name=stack.region)
        self.sesv2 = boto3.client("sesv2", region_name=stack.region)
        self.lambda_ = boto3.client("lambda", region_name=stack.region)
        self.stubbers = [
            Stubber(client) for client in (self.sandbox, self.sms_voice, self.sesv2, self.lambda_)
        ]

    def clients(self) -> Clients:
        return Clients(
            cloudformation=self.stack.client("cloudformation"),
            sns=self.stack.client("sns"),
            sandbox=self.sandbox,
            sms_voice=self.sms_voice,
            sesv2=self.sesv2,
            lambda_=self.lambda_,
        )

    def sms_attributes(self, **attributes: str) -> None:
        """moto keeps SMS attributes per process, across tests: every one is set each time,
        as a new account has them unless given."""
        new_account = {
            "MonthlySpendLimit": "1",
            "DefaultSMSType": "Promotional",
            "DeliveryStatusIAMRole": "",
            "DeliveryStatusSuccessSamplingRate": "",
        }
        self.stack.client("sns").set_sms_attributes(attributes=new_account | attributes)

    def in_sandbox(self, value: bool) -> None:
        self.stubbers[0].add_response("get_sms_sandbox_account_status", {"IsInSandbox": value})

    def origination(self, sender_ids: list[dict[str, Any]], numbers: list[dict[str, Any]]) -> None:
        self.stubbers[1].add_response("describe_sender_ids", {"SenderIds": sender_ids})
        self.stubbers[1].add_response("describe_phone_numbers", {"PhoneNumbers": numbers})

    def ses(self, production: bool, identity_verified: bool | None = True) -> None:
        """`identity_verified` None: no stack, so no identity of its to read."""
        self.stubbers[2].add_response(
            "get_account",
            {
                "ProductionAccessEnabled": production,
                "SendingEnabled": True,
                "SendQuota": {
                    "Max24HourSend": 50000.0 if production else 200.0,
                    "MaxSendRate": 14.0 if production else 1.0,
                    "SentLast24Hours": 0.0,
                },
            },
        )
        if identity_verified is None:
            return
        # The stack's EmailSenderIdentity, read from its parameters.
        self.stubbers[2].add_response(
            "get_email_identity",
            {"VerifiedForSendingStatus": identity_verified, "IdentityType": "DOMAIN"},
            {"EmailIdentity": SENDER_IDENTITY},
        )

    def concurrency(self, limit: int) -> None:
        self.stubbers[3].add_response(
            "get_account_settings",
            {
                "AccountLimit": {
                    "ConcurrentExecutions": limit,
                    "UnreservedConcurrentExecutions": limit,
                },
                "AccountUsage": {"FunctionCount": 5},
            },
        )


@pytest.fixture
def account(stack: DeployedStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Account]:
    fake = Account(stack)
    monkeypatch.setattr(Clients, "from_session", classmethod(lambda cls, session: fake.clients()))
    for stubber in fake.stubbers:
        stubber.activate()
    yield fake
    for stubber in fake.stubbers:
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def preflight(stack: DeployedStack, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["preflight", "--stack", stack.name, "--region", stack.region])
    return code, capsys.readouterr().out


def test_a_new_account_is_blocked_and_told_how_to_leave_the_sandbox(
    stack: DeployedStack, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    account.sms_attributes(MonthlySpendLimit="1", DefaultSMSType="Promotional")
    account.in_sandbox(True)
    account.origination(sender_ids=[], numbers=[])
    account.ses(production=False, identity_verified=False)
    account.concurrency(10)

    code, out = preflight(stack, capsys)

    assert code == 1
    assert "[BLOCKING] SMS sandbox" in out
    assert "sns/v3/home?region=us-east-1#/mobile/text-messaging > Exit SMS sandbox" in out
    assert "[BLOCKING] SMS spend limit: 1 USD a month" in out
    for country in REGISTRATION_COUNTRIES:
        assert f"[BLOCKING] SMS to {country}:" in out
        assert f"request-sender-id --sender-id MFAKG --iso-country-code {country}" in out
    assert "[BLOCKING] SMS to US: needs an active number of type TOLL_FREE" in out
    assert "[ok]       SMS to UZ: sender ID MFAKG unregistered" in out
    assert "[ok]       SMS to KG: sender IDs are not delivered here" in out
    assert "[warning]  Lambda concurrency: 10 concurrent executions" in out
    assert "--quota-code L-B99A9384" in out
    assert "[BLOCKING] SES account: in the SES sandbox" in out
    assert "> Request production access" in out
    assert f"[BLOCKING] SES identity {SENDER_IDENTITY}: is not verified in us-east-1" in out
    assert f"aws sesv2 create-email-identity --email-identity {SENDER_IDENTITY}" in out
    assert "[warning]  SMS delivery-status logs: off" in out
    assert "[warning]  alarm subscribers: nobody has confirmed" in out
    assert "item(s) block sending to citizens" in out
    # The stack's outputs are listed for the operator.
    (listed,) = [line for line in out.splitlines() if "OperationsAlarmTopicArn" in line]
    assert listed.split() == ["OperationsAlarmTopicArn", stack.resources["OperationsAlarmTopic"]]


def test_a_ready_account_passes_with_exit_0(
    stack: DeployedStack, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    role = "arn:aws:iam::123456789012:role/sns-sms-delivery-status"
    account.sms_attributes(
        MonthlySpendLimit="1000",
        DefaultSMSType="Transactional",
        DeliveryStatusIAMRole=role,
        DeliveryStatusSuccessSamplingRate="100",
    )
    account.in_sandbox(False)
    account.origination(
        sender_ids=[
            {
                "SenderIdArn": f"arn:aws:sms-voice:us-east-1:123456789012:sender-id/MFAKG/{cc}",
                "SenderId": "MFAKG",
                "IsoCountryCode": cc,
                "MessageTypes": ["TRANSACTIONAL"],
                "MonthlyLeasingPrice": "0.00",
                "DeletionProtectionEnabled": False,
                "Registered": True,
            }
            for cc in REGISTRATION_COUNTRIES
        ],
        numbers=[
            {
                "PhoneNumberArn": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/p-1",
                "PhoneNumber": "+18005550100",
                "Status": "ACTIVE",
                "IsoCountryCode": "US",
                "MessageType": "TRANSACTIONAL",
                "NumberCapabilities": ["SMS"],
                "NumberType": "TOLL_FREE",
                "MonthlyLeasingPrice": "2.00",
                "TwoWayEnabled": False,
                "SelfManagedOptOutsEnabled": False,
                "OptOutListName": "Default",
                "DeletionProtectionEnabled": False,
                "CreatedTimestamp": "2026-01-01T00:00:00Z",
            }
        ],
    )
    account.ses(production=True)
    account.concurrency(1000)
    stack.client("sns").subscribe(
        TopicArn=stack.resources["OperationsAlarmTopic"],
        Protocol="email",
        Endpoint="oncall@example.org",
    )

    code, out = preflight(stack, capsys)

    assert code == 0, out
    assert "[BLOCKING]" not in out
    assert "[UNKNOWN]" not in out
    assert "[ok]       SMS sandbox: out of the sandbox" in out
    assert (
        "[ok]       SMS spend limit: 1000 USD a month; SmsSpendAlarmUsd 500 alarms before it" in out
    )
    assert "[ok]       SMS to KZ: sender ID MFAKG registered (no two-way SMS)" in out
    assert "[ok]       SMS to US: number type TOLL_FREE held (two-way SMS exists)" in out
    assert f"[ok]       SMS delivery-status logs: on (role {role}); every failure" in out
    assert "[ok]       SES account: production access" in out
    assert "[ok]       SES identity mfa.gov.kg: verified for sending" in out
    assert "[ok]       alarm subscribers: 1 confirmed" in out
    assert "Nothing blocks sending." in out


def test_a_call_the_caller_may_not_make_is_unknown_and_blocks(
    stack: DeployedStack, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    account.sms_attributes(MonthlySpendLimit="1000", DefaultSMSType="Transactional")
    account.in_sandbox(False)
    account.stubbers[1].add_client_error(
        "describe_sender_ids", "AccessDeniedException", "not authorized", http_status_code=403
    )
    account.stubbers[1].add_client_error(
        "describe_phone_numbers", "AccessDeniedException", "not authorized", http_status_code=403
    )
    account.ses(production=True)
    account.concurrency(1000)

    code, out = preflight(stack, capsys)

    assert code == 1
    assert "[UNKNOWN]  sender IDs: could not read it: AccessDeniedException: not authorized" in out
    assert "fix: run preflight as a principal allowed sms-voice:DescribeSenderIds" in out


def test_spend_alarm_above_the_limit_is_a_warning(
    stack: DeployedStack, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    account.sms_attributes(MonthlySpendLimit="300", DefaultSMSType="Transactional")
    account.in_sandbox(False)
    account.origination(sender_ids=[], numbers=[])
    account.ses(production=True)
    account.concurrency(1000)

    _, out = preflight(stack, capsys)

    assert (
        "[warning]  SMS spend limit: 300 USD a month, but the stack's SmsSpendAlarmUsd is 500"
        in out
    )
    assert "sam deploy --parameter-overrides SmsSpendAlarmUsd=240" in out


def test_no_such_stack_blocks_and_says_deploy(
    stack: DeployedStack, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    account.sms_attributes(MonthlySpendLimit="1000")
    account.in_sandbox(False)
    account.origination(sender_ids=[], numbers=[])
    account.ses(production=True, identity_verified=None)
    account.concurrency(1000)

    code = main(["preflight", "--stack", "never-deployed", "--region", stack.region])
    out = capsys.readouterr().out

    assert code == 1
    assert "[BLOCKING] stack never-deployed: no such stack in us-east-1" in out
    assert "sam build && sam deploy --guided --stack-name never-deployed" in out
    assert "[UNKNOWN]  SES identity: no sending identity to check" in out


def test_an_ses_identity_is_read_from_moto(stack: DeployedStack) -> None:
    sesv2 = stack.client("sesv2")
    sesv2.create_email_identity(EmailIdentity="alerts.example.org")
    assert _email_identity(sesv2, "alerts.example.org").verified is not None
    assert _email_identity(sesv2, "missing.example.org").verified is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["preflight"], "the following arguments are required: --stack"),
        (["preflight", "--stack", "s", "--verbose"], "unrecognized arguments: --verbose"),
        (["teardown", "--stack"], "argument --stack: expected one argument"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == USAGE_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err

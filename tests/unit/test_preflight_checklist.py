"""The preflight checklist's own rules, on facts written by hand (no AWS)."""

from __future__ import annotations

from dataclasses import replace

from samtranslator.yaml_helper import yaml_parse

from alerts_cli.preflight import (
    AccountFacts,
    EmailIdentity,
    SesAccount,
    StackFacts,
    Status,
    Unreadable,
    check,
    load_country_rules,
)
from alerts_cli.teardown import is_segment_topic
from tests.conftest import REPO_ROOT

READY = AccountFacts(
    stack_name="alerts",
    region="eu-central-1",
    stack=StackFacts(
        status="UPDATE_COMPLETE",
        parameters={
            "AllowedPhoneCountries": "DE",
            "SmsSenderId": "MFAKG",
            "SmsSpendAlarmUsd": "50",
        },
        outputs={},
    ),
    sms_sandbox=False,
    sms_attributes={"MonthlySpendLimit": "100", "DefaultSMSType": "Transactional"},
    sender_ids=[],
    phone_numbers=[],
    ses_account=SesAccount(True, True, 50000, 14),
    email_identity=EmailIdentity("mfa.gov.kg", True),
    lambda_concurrency=1000,
    alarm_subscriptions=None,
)


def _status(facts: AccountFacts, name: str) -> Status:
    (item,) = [item for item in check(facts, load_country_rules()).items if item.name == name]
    return item.status


def test_every_default_phone_country_has_a_rule() -> None:
    template = yaml_parse((REPO_ROOT / "template.yaml").read_text(encoding="utf-8"))
    default = template["Parameters"]["AllowedPhoneCountries"]["Default"]
    rules = load_country_rules()
    assert set(default.split(",")) <= set(rules)
    assert {rule.sender_id for rule in rules.values()} <= {"registration", "supported", "none"}
    # Design fact: no two-way SMS in Kazakhstan and Kyrgyzstan.
    assert not rules["KZ"].two_way
    assert not rules["KG"].two_way


def test_a_country_without_a_rule_is_a_warning_not_a_pass() -> None:
    facts = replace(
        READY,
        stack=StackFacts("UPDATE_COMPLETE", {"AllowedPhoneCountries": "ZZ"}, {}),
    )
    assert _status(facts, "SMS to ZZ") is Status.WARNING


def test_an_unset_spend_limit_is_the_one_dollar_default_and_blocks() -> None:
    facts = replace(READY, sms_attributes={"DefaultSMSType": "Transactional"})
    assert _status(facts, "SMS spend limit") is Status.BLOCKING
    assert check(facts, load_country_rules()).blocks_sending


def test_an_unreadable_fact_blocks() -> None:
    assert not check(READY, load_country_rules()).blocks_sending
    unreadable = replace(READY, sms_sandbox=Unreadable("AccessDenied: no"))
    assert _status(unreadable, "SMS sandbox") is Status.UNKNOWN
    assert check(unreadable, load_country_rules()).blocks_sending
    no_ses = replace(READY, ses_account=Unreadable("AccessDenied: no"))
    assert _status(no_ses, "SES account") is Status.UNKNOWN
    assert check(no_ses, load_country_rules()).blocks_sending


def test_email_is_blocked_by_the_ses_sandbox_paused_sending_or_an_unverified_identity() -> None:
    assert _status(READY, "SES account") is Status.OK
    assert _status(READY, "SES identity mfa.gov.kg") is Status.OK
    sandbox = replace(READY, ses_account=SesAccount(False, True, 200, 1))
    paused = replace(READY, ses_account=SesAccount(True, False, 50000, 14))
    unverified = replace(READY, email_identity=EmailIdentity("mfa.gov.kg", False))
    missing = replace(READY, email_identity=EmailIdentity("mfa.gov.kg", None))
    assert _status(sandbox, "SES account") is Status.BLOCKING
    assert _status(paused, "SES account") is Status.BLOCKING
    assert _status(unverified, "SES identity mfa.gov.kg") is Status.BLOCKING
    assert _status(missing, "SES identity mfa.gov.kg") is Status.BLOCKING
    for facts in (sandbox, paused, unverified, missing):
        assert check(facts, load_country_rules()).blocks_sending
    no_identity = replace(READY, email_identity=None)
    assert _status(no_identity, "SES identity") is Status.UNKNOWN


def test_only_this_stacks_segment_topics_are_torn_down() -> None:
    arn = "arn:aws:sns:eu-central-1:123456789012:"
    assert is_segment_topic(arn + "alerts-seg-KZ-ru-L1", "alerts")
    assert not is_segment_topic(arn + "alerts-seg-x-seg-KZ-ru-L1", "alerts")
    assert not is_segment_topic(arn + "alerts-staging-seg-KZ-ru-L1", "alerts")
    assert not is_segment_topic(arn + "alerts-OperationsAlarmTopic-1", "alerts")


def test_sampled_success_logs_warn_that_the_report_shows_them_pending() -> None:
    role = {"DeliveryStatusIAMRole": "arn:aws:iam::123456789012:role/r"}
    full = replace(
        READY,
        sms_attributes=READY.sms_attributes | role | {"DeliveryStatusSuccessSamplingRate": "100"},
    )
    sampled = replace(
        READY,
        sms_attributes=READY.sms_attributes | role | {"DeliveryStatusSuccessSamplingRate": "10"},
    )
    assert _status(full, "SMS delivery-status logs") is Status.OK
    assert _status(sampled, "SMS delivery-status logs") is Status.WARNING
    assert _status(READY, "SMS delivery-status logs") is Status.WARNING  # off

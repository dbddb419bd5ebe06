"""`alerts preflight`: what stands between a deployed stack and real citizens' phones.

Pure: the facts about the account come in (`AccountFacts`, read by `alerts_cli.account`),
a checklist goes out. Each item is ok, a warning, blocking (sending to citizens fails or
stops) or unknown (the caller may not read it, so nothing can be promised), and names the
command or console page that fixes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

COUNTRY_RULES = Path(__file__).with_name("sms_countries.json")
# AWS's default for an account that never asked for more: a handful of messages a month.
DEFAULT_SPEND_LIMIT_USD = 1.0
# Below this many concurrent executions a burst of citizens throttles the fan-out too.
LOW_CONCURRENCY = 100
LAMBDA_CONCURRENCY_QUOTA = "L-B99A9384"  # Service Quotas: Lambda concurrent executions


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BLOCKING = "BLOCKING"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Unreadable:
    """A fact the caller could not read (e.g. AccessDenied): its error, in one line."""

    reason: str


@dataclass(frozen=True)
class StackFacts:
    status: str
    parameters: dict[str, str]
    outputs: dict[str, str]


@dataclass(frozen=True)
class SenderId:
    sender_id: str
    country: str
    registered: bool


@dataclass(frozen=True)
class PhoneNumber:
    country: str
    number_type: str  # TOLL_FREE, TEN_DLC, SHORT_CODE, LONG_CODE, SIMULATOR
    status: str  # ACTIVE once usable


@dataclass(frozen=True)
class SesAccount:
    production_access: bool
    sending_enabled: bool
    max_24_hour_send: float
    max_send_rate: float


@dataclass(frozen=True)
class EmailIdentity:
    name: str
    verified: bool | None  # None: no such identity in SES


@dataclass(frozen=True)
class AccountFacts:
    stack_name: str
    region: str
    stack: StackFacts | Unreadable | None  # None: no such stack
    sms_sandbox: bool | Unreadable
    sms_attributes: dict[str, str] | Unreadable
    sender_ids: list[SenderId] | Unreadable
    phone_numbers: list[PhoneNumber] | Unreadable
    ses_account: SesAccount | Unreadable
    email_identity: EmailIdentity | Unreadable | None  # None: none asked for
    lambda_concurrency: int | Unreadable
    alarm_subscriptions: int | Unreadable | None  # confirmed; None: no alarm topic output


@dataclass(frozen=True)
class CountryRule:
    sender_id: str  # registration | supported | none
    numbers_required: tuple[str, ...]
    two_way: bool


@dataclass(frozen=True)
class Item:
    name: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass
class Checklist:
    facts: AccountFacts
    items: list[Item] = field(default_factory=list)

    def add(self, name: str, status: Status, detail: str, fix: str | None = None) -> None:
        self.items.append(Item(name, status, detail, fix))

    @property
    def blocks_sending(self) -> bool:
        return any(item.status in {Status.BLOCKING, Status.UNKNOWN} for item in self.items)


def load_country_rules(path: Path = COUNTRY_RULES) -> dict[str, CountryRule]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {
        code: CountryRule(
            sender_id=str(row["sender_id"]),
            numbers_required=tuple(row["numbers_required"]),
            two_way=bool(row["two_way"]),
        )
        for code, row in data["countries"].items()
    }


def _sns_console(region: str) -> str:
    return (
        f"console https://console.aws.amazon.com/sns/v3/home?region={region}#/mobile/text-messaging"
    )


def _sms_console(region: str, page: str) -> str:
    return f"console https://console.aws.amazon.com/sms-voice/home?region={region}#/{page}"


def _unknown(checklist: Checklist, name: str, fact: Unreadable, permission: str) -> None:
    checklist.add(
        name,
        Status.UNKNOWN,
        f"could not read it: {fact.reason}",
        f"run preflight as a principal allowed {permission}",
    )


def check(facts: AccountFacts, rules: dict[str, CountryRule]) -> Checklist:
    """Every item of the checklist, in the order an operator works through them."""
    checklist = Checklist(facts)
    stack = _check_stack(checklist)
    parameters = stack.parameters if stack else {}
    outputs = stack.outputs if stack else {}
    _check_sandbox(checklist)
    _check_sms_attributes(checklist, parameters, outputs)
    _check_countries(checklist, parameters, rules)
    _check_alarm_subscriptions(checklist, outputs)
    _check_lambda(checklist)
    _check_ses(checklist)
    return checklist


def _check_stack(checklist: Checklist) -> StackFacts | None:
    facts = checklist.facts
    name = f"stack {facts.stack_name}"
    if isinstance(facts.stack, Unreadable):
        _unknown(checklist, name, facts.stack, "cloudformation:DescribeStacks")
        return None
    if facts.stack is None:
        checklist.add(
            name,
            Status.BLOCKING,
            f"no such stack in {facts.region}",
            f"sam build && sam deploy --guided --stack-name {facts.stack_name} "
            f"--region {facts.region}",
        )
        return None
    status = facts.stack.status
    if status in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}:
        checklist.add(name, Status.OK, status)
    else:
        checklist.add(
            name,
            Status.BLOCKING,
            f"{status}: the stack is not deployed as its template says",
            f"console https://console.aws.amazon.com/cloudformation/home?region={facts.region}"
            "#/stacks (read the stack's events), then sam deploy",
        )
    return facts.stack


def _check_sandbox(checklist: Checklist) -> None:
    facts = checklist.facts
    name = "SMS sandbox"
    if isinstance(facts.sms_sandbox, Unreadable):
        _unknown(checklist, name, facts.sms_sandbox, "sns:GetSMSSandboxAccountStatus")
    elif facts.sms_sandbox:
        checklist.add(
            name,
            Status.BLOCKING,
            "the account is in the SMS sandbox: it texts only the few numbers verified in it, "
            "so codes to citizens fail",
            f"{_sns_console(facts.region)} > Exit SMS sandbox (a support case; AWS answers "
            "within about a day)",
        )
    else:
        checklist.add(name, Status.OK, "out of the sandbox: any allowed number can be texted")


def _check_sms_attributes(
    checklist: Checklist, parameters: dict[str, str], outputs: dict[str, str]
) -> None:
    facts = checklist.facts
    if isinstance(facts.sms_attributes, Unreadable):
        _unknown(checklist, "SMS settings", facts.sms_attributes, "sns:GetSMSAttributes")
        return
    attributes = facts.sms_attributes
    _check_spend_limit(checklist, attributes, parameters)

    sms_type = attributes.get("DefaultSMSType", "Promotional")
    if sms_type == "Transactional":
        checklist.add("default SMS type", Status.OK, "Transactional")
    else:
        checklist.add(
            "default SMS type",
            Status.WARNING,
            f"{sms_type}: this stack's messages ask for Transactional themselves, but any "
            "other sender on the account gets the cheaper, less reliable route",
            "aws sns set-sms-attributes --attributes DefaultSMSType=Transactional "
            f"--region {facts.region}",
        )

    role = attributes.get("DeliveryStatusIAMRole", "")
    stack_role = outputs.get("SmsDeliveryStatusRoleArn", "<the stack's SmsDeliveryStatusRoleArn>")
    if not role:
        checklist.add(
            "SMS delivery-status logs",
            Status.WARNING,
            "off: SNS writes no receipt of any SMS, so the delivery report and its alarm see "
            "nothing (the stack turns it on at deploy: was it changed since?)",
            f"aws sns set-sms-attributes --attributes DeliveryStatusIAMRole={stack_role},"
            f"DeliveryStatusSuccessSamplingRate=100 --region {facts.region}",
        )
        return
    sampling = attributes.get("DeliveryStatusSuccessSamplingRate", "0") or "0"
    if sampling.strip() != "100":
        # The report counts a delivered SMS from its success log only: unsampled successes
        # stay pending, and the delivered-share alarm fires on a good delivery.
        checklist.add(
            "SMS delivery-status logs",
            Status.WARNING,
            f"on (role {role}), but only {sampling}% of successes are logged: the rest show as "
            "pending in the delivery report and lower its delivered share",
            f"aws sns set-sms-attributes --attributes DeliveryStatusSuccessSamplingRate=100 "
            f"--region {facts.region}",
        )
    else:
        checklist.add(
            "SMS delivery-status logs",
            Status.OK,
            f"on (role {role}); every failure and every success logged",
        )


def _check_spend_limit(
    checklist: Checklist, attributes: dict[str, str], parameters: dict[str, str]
) -> None:
    region = checklist.facts.region
    name = "SMS spend limit"
    raw = attributes.get("MonthlySpendLimit", "")
    try:
        limit = float(raw) if raw else DEFAULT_SPEND_LIMIT_USD
    except ValueError:
        checklist.add(name, Status.UNKNOWN, f"MonthlySpendLimit {raw!r} is not a number")
        return
    alarm_text = parameters.get("SmsSpendAlarmUsd")
    alarm = float(alarm_text) if alarm_text else None
    set_limit = (
        "ask AWS for a higher SMS spending quota (console "
        "https://console.aws.amazon.com/support/home#/case/create?issueType=service-limit-increase"
        ", SMS monthly spend), then aws sns set-sms-attributes --attributes "
        f"MonthlySpendLimit=<USD> --region {region}"
    )
    if limit <= DEFAULT_SPEND_LIMIT_USD:
        checklist.add(
            name,
            Status.BLOCKING,
            f"{limit:g} USD a month (the new-account default): SNS stops sending SMS after a "
            "handful of messages",
            set_limit,
        )
    elif alarm is not None and alarm >= limit:
        checklist.add(
            name,
            Status.WARNING,
            f"{limit:g} USD a month, but the stack's SmsSpendAlarmUsd is {alarm:g}: SNS stops "
            "sending before the alarm tells anyone",
            f"sam deploy --parameter-overrides SmsSpendAlarmUsd={int(limit * 0.8)} "
            "(about 80% of the limit), or raise the limit: " + set_limit,
        )
    else:
        against = f"; SmsSpendAlarmUsd {alarm:g} alarms before it" if alarm is not None else ""
        checklist.add(name, Status.OK, f"{limit:g} USD a month{against}")


def _allowed_countries(parameters: dict[str, str]) -> list[str]:
    raw = parameters.get("AllowedPhoneCountries", "")
    return [code.strip().upper() for code in raw.split(",") if code.strip()]


def _check_countries(
    checklist: Checklist, parameters: dict[str, str], rules: dict[str, CountryRule]
) -> None:
    facts = checklist.facts
    countries = _allowed_countries(parameters)
    if not countries:
        return  # no stack (already blocking) or a stack that allows no phone country
    sender = parameters.get("SmsSenderId", "")
    if isinstance(facts.sender_ids, Unreadable):
        _unknown(
            checklist,
            "sender IDs",
            facts.sender_ids,
            "sms-voice:DescribeSenderIds and sms-voice:DescribePhoneNumbers",
        )
        return
    if isinstance(facts.phone_numbers, Unreadable):
        _unknown(checklist, "phone numbers", facts.phone_numbers, "sms-voice:DescribePhoneNumbers")
        return
    for country in countries:
        _check_country(
            checklist, country, sender, rules.get(country), facts.sender_ids, facts.phone_numbers
        )


def _check_country(
    checklist: Checklist,
    country: str,
    sender: str,
    rule: CountryRule | None,
    sender_ids: list[SenderId],
    phone_numbers: list[PhoneNumber],
) -> None:
    facts = checklist.facts
    name = f"SMS to {country}"
    if rule is None:
        checklist.add(
            name,
            Status.WARNING,
            f"{country} is not in {COUNTRY_RULES.name}: whether it needs a registered sender "
            "ID or a number is unknown here",
            "read AWS's table of supported countries (End User Messaging SMS user guide) and "
            f"add {country} to src/alerts_cli/{COUNTRY_RULES.name}",
        )
        return
    two_way = "two-way SMS exists" if rule.two_way else "no two-way SMS"
    if rule.numbers_required:
        held = [
            number
            for number in phone_numbers
            if number.country == country
            and number.status == "ACTIVE"
            and number.number_type in rule.numbers_required
        ]
        if not held:
            kinds = ", ".join(rule.numbers_required)
            checklist.add(
                name,
                Status.BLOCKING,
                f"needs an active number of type {kinds}; the account has none, so SNS "
                "cannot text these phones",
                f"aws pinpoint-sms-voice-v2 request-phone-number --iso-country-code {country} "
                f"--message-type TRANSACTIONAL --number-capabilities SMS --number-type "
                f"{rule.numbers_required[0]} --region {facts.region}, then its registration: "
                + _sms_console(facts.region, "registrations"),
            )
        else:
            checklist.add(name, Status.OK, f"number type {held[0].number_type} held ({two_way})")
        return
    registered = any(
        entry.country == country and entry.sender_id.upper() == sender.upper() and entry.registered
        for entry in sender_ids
    )
    if rule.sender_id == "registration" and not registered:
        checklist.add(
            name,
            Status.BLOCKING,
            f"carriers deliver sender ID {sender or '(none)'} only once registered, and it is "
            "not registered for this country",
            f"aws pinpoint-sms-voice-v2 request-sender-id --sender-id {sender} "
            f"--iso-country-code {country} --message-types TRANSACTIONAL --region "
            f"{facts.region}, then the {country} registration form: "
            + _sms_console(facts.region, "registrations"),
        )
    elif rule.sender_id == "none":
        checklist.add(
            name,
            Status.OK,
            f"sender IDs are not delivered here: messages come from a generic number ({two_way})",
        )
    else:
        how = "registered" if registered else "unregistered (carriers may replace it)"
        checklist.add(name, Status.OK, f"sender ID {sender} {how} ({two_way})")


def _check_alarm_subscriptions(checklist: Checklist, outputs: dict[str, str]) -> None:
    facts = checklist.facts
    name = "alarm subscribers"
    topic = outputs.get("OperationsAlarmTopicArn")
    if facts.alarm_subscriptions is None or topic is None:
        return
    if isinstance(facts.alarm_subscriptions, Unreadable):
        _unknown(checklist, name, facts.alarm_subscriptions, "sns:GetTopicAttributes")
    elif facts.alarm_subscriptions == 0:
        checklist.add(
            name,
            Status.WARNING,
            "nobody has confirmed a subscription to the alarm topic: alarms reach no one",
            f"aws sns subscribe --topic-arn {topic} --protocol email --notification-endpoint "
            f"<on-call address> --region {facts.region} (then confirm the email)",
        )
    else:
        checklist.add(name, Status.OK, f"{facts.alarm_subscriptions} confirmed")


def _check_lambda(checklist: Checklist) -> None:
    facts = checklist.facts
    name = "Lambda concurrency"
    if isinstance(facts.lambda_concurrency, Unreadable):
        _unknown(checklist, name, facts.lambda_concurrency, "lambda:GetAccountSettings")
    elif facts.lambda_concurrency < LOW_CONCURRENCY:
        checklist.add(
            name,
            Status.WARNING,
            f"{facts.lambda_concurrency} concurrent executions for the whole account (new "
            "accounts get 10): a burst of citizens on the API throttles the fan-out",
            "aws service-quotas request-service-quota-increase --service-code lambda "
            f"--quota-code {LAMBDA_CONCURRENCY_QUOTA} --desired-value 1000 --region "
            f"{facts.region}",
        )
    else:
        checklist.add(name, Status.OK, f"{facts.lambda_concurrency} concurrent executions")


def _check_ses(checklist: Checklist) -> None:
    """Email goes out through SES as the stack's `EmailSenderIdentity` (the confirmation
    email of every sign-up included): the SES sandbox, paused sending or an unverified
    identity stop every email to citizens."""
    facts = checklist.facts
    name = "SES account"
    console = f"console https://console.aws.amazon.com/ses/home?region={facts.region}#/account"
    if isinstance(facts.ses_account, Unreadable):
        _unknown(checklist, name, facts.ses_account, "ses:GetAccount")
    elif not facts.ses_account.production_access:
        checklist.add(
            name,
            Status.BLOCKING,
            "in the SES sandbox: email reaches only verified addresses (200 a day), so "
            "citizens' confirmation emails and advisories fail",
            f"{console} > Request production access (a support case: the use, the "
            "bounce and complaint handling (this stack's EmailEventsFunction), the volumes)",
        )
    elif not facts.ses_account.sending_enabled:
        checklist.add(
            name,
            Status.BLOCKING,
            "sending is PAUSED for the account (bounces or complaints): no email goes out",
            f"{console} > Reputation metrics, then "
            f"aws sesv2 put-account-sending-attributes --sending-enabled --region {facts.region}",
        )
    else:
        quota = facts.ses_account
        checklist.add(
            name,
            Status.OK,
            f"production access; {quota.max_24_hour_send:g} messages a day, "
            f"{quota.max_send_rate:g} a second",
        )
    identity = facts.email_identity
    if identity is None:
        checklist.add(
            "SES identity",
            Status.UNKNOWN,
            "no sending identity to check (no stack read, or no EmailSenderIdentity in it)",
            "pass --email-identity DOMAIN-OR-ADDRESS",
        )
    elif isinstance(identity, Unreadable):
        _unknown(checklist, "SES identity", identity, "ses:GetEmailIdentity")
    elif not identity.verified:
        state = "does not exist" if identity.verified is None else "is not verified"
        checklist.add(
            f"SES identity {identity.name}",
            Status.BLOCKING,
            f"{state} in {facts.region}: SES refuses every email sent as it",
            f"aws sesv2 create-email-identity --email-identity {identity.name} "
            f"--region {facts.region} (then publish its DKIM records in DNS)",
        )
    else:
        checklist.add(f"SES identity {identity.name}", Status.OK, "verified for sending")


_MARKS = {
    Status.OK: "[ok]      ",
    Status.WARNING: "[warning] ",
    Status.BLOCKING: "[BLOCKING]",
    Status.UNKNOWN: "[UNKNOWN] ",
}


def render(checklist: Checklist) -> str:
    facts = checklist.facts
    lines = [f"Preflight of stack {facts.stack_name} in {facts.region}", ""]
    for item in checklist.items:
        lines.append(f"{_MARKS[item.status]} {item.name}: {item.detail}")
        if item.fix:
            lines.append(f"{'':11} fix: {item.fix}")
    if isinstance(facts.stack, StackFacts) and facts.stack.outputs:
        lines += ["", "Stack outputs:"]
        width = max(len(key) for key in facts.stack.outputs)
        lines += [f"  {key:{width}}  {value}" for key, value in sorted(facts.stack.outputs.items())]
    counts = dict.fromkeys(Status, 0)
    for item in checklist.items:
        counts[item.status] += 1
    blocking = counts[Status.BLOCKING] + counts[Status.UNKNOWN]
    verdict = (
        f"{blocking} item(s) block sending to citizens: fix them, then run preflight again."
        if blocking
        else "Nothing blocks sending."
    )
    lines += [
        "",
        f"{counts[Status.OK]} ok, {counts[Status.WARNING]} warning(s), "
        f"{counts[Status.BLOCKING]} blocking, {counts[Status.UNKNOWN]} unknown. {verdict}",
    ]
    return "\n".join(lines)

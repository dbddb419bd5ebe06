"""Configuration: one pydantic settings model per function, read from its environment.

A plain pydantic model that fills its fields from environment variables of the same name
(any case), keyword arguments first: what pydantic-settings did here, without its import
(about 60 ms of every cold start for sources this project never used).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from consular_alerts.defaults import DEFAULT_POST_LEVEL, MINISTRY_COUNTRY, MINISTRY_SOURCE
from consular_alerts.domain.citizens.limits import RateLimits

if TYPE_CHECKING:  # the CAP writer (and pycountry) is for the CAP feed function only
    from consular_alerts.domain.alerts_out.cap_writer import CapAuthority
    from consular_alerts.domain.approval import ApprovalRules
    from consular_alerts.domain.policy import NotifyPolicy


class _Settings(BaseModel):
    # defer_build: a function reads one of these models; the others are never built.
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    @classmethod
    def from_environment(cls) -> Self:
        return cls.model_validate({})

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        environment = {name.lower(): value for name, value in os.environ.items()}
        found = {name: environment[name] for name in cls.model_fields if name in environment}
        return {**found, **data}


class _MessageSettings(_Settings):
    """How messages are composed and when they go out: the fan-out sends with these and
    the ingest dry run previews with the same."""

    public_base_url: str = "https://alerts.mfa.gov.kg"
    sms_segment_budget: int = Field(default=2, ge=1, le=10)
    fallback_languages: str = Field(default="ru,en,ky", pattern=r"^[a-z]{2}(,[a-z]{2})*$")
    notify_lowered_level: bool = True
    notify_unmarked_updates: bool = False
    # Shutdown mode and per-country budgets (domain/messages/offline.py): the table of each
    # country's internet state (none: every country normal), and "UZ=1,TJ=1".
    countries_table: str | None = None
    country_sms_segment_budgets: str = ""

    @field_validator("country_sms_segment_budgets")
    @classmethod
    def _budgets(cls, value: str) -> str:
        cls._parse_budgets(value)
        return value

    def country_budgets(self) -> dict[str, int]:
        return self._parse_budgets(self.country_sms_segment_budgets)

    @staticmethod
    def _parse_budgets(value: str) -> dict[str, int]:
        # Imported here: the settings of the citizen API do not pay for message composing.
        from consular_alerts.domain.messages.offline import parse_country_budgets

        return parse_country_budgets(value)

    def fallback_order(self) -> tuple[str, ...]:
        return tuple(self.fallback_languages.split(","))

    def notify_policy(self) -> NotifyPolicy:
        # Imported here: it loads the advisory models, which the citizen API never needs.
        from consular_alerts.domain.policy import NotifyPolicy

        return NotifyPolicy(
            notify_lowered_level=self.notify_lowered_level,
            notify_unmarked_updates=self.notify_unmarked_updates,
        )


class _IngestingSettings(_MessageSettings):
    """What every function that stores advisories (API ingest, feed poller) needs."""

    advisories_table: str
    ministry_country: str = Field(default=MINISTRY_COUNTRY, pattern=r"^[A-Z]{2}$")
    ministry_source: str = MINISTRY_SOURCE
    default_post_level: int = Field(default=DEFAULT_POST_LEVEL, ge=1, le=4)
    # The account's SNS SMS rate, for the dry run's time to reach (domain/messages/reach.py).
    sms_messages_per_second: float = Field(default=20.0, gt=0, le=100_000)
    # Two-person approval (domain/approval.py): ApprovalLevel (5: no level needs it),
    # ApprovalAudience, ApprovalTimeoutMinutes.
    approval_level: int = Field(default=3, ge=1, le=5)
    approval_audience: int = Field(default=1000, ge=0)
    approval_timeout_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)

    def approval_rules(self) -> ApprovalRules:
        from consular_alerts.domain.approval import ApprovalRules

        return ApprovalRules(
            self.approval_level,
            self.approval_audience,
            timedelta(minutes=self.approval_timeout_minutes),
        )


# config/sms-prices.json, shipped in the layer (a link to it in the package).
PACKAGED_SMS_PRICES = Path(__file__).resolve().parent / "sms-prices.json"


class IngestSettings(_IngestingSettings):
    max_body_bytes: int = 256 * 1024
    # Dry runs count each segment topic's subscribers and price the SMS (none: no counts).
    segment_topic_arn_prefix: str | None = Field(
        default=None, pattern=r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$"
    )
    sms_prices_file: Path = PACKAGED_SMS_PRICES
    # Email through SES: confirmed addresses are members in this table, counted with the
    # topics' phones (none: the topics' subscriptions only).
    subscribers_table: str | None = None


class CountriesSettings(_MessageSettings):
    """GET/PUT /countries on the publisher API."""

    countries_table: str


class FanoutSettings(_MessageSettings):
    advisories_table: str
    delivery_ledger_table: str
    fanout_failure_queue_url: str  # dead letters for `alerts replay`
    segment_topic_arn_prefix: str = Field(pattern=r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$")
    sms_sender_id: str = "MFAKG"
    # Training mode: the staff list and the email queue an exercise's staff emails go to;
    # without them an exercise reaches nobody.
    subscribers_table: str | None = None
    email_delivery_queue_url: str | None = None


class SubscriptionsSettings(_Settings):
    subscribers_table: str
    segment_topic_arn_prefix: str = Field(pattern=r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$")
    sms_sender_id: str = "MFAKG"
    allowed_phone_countries: str = "KG,KZ"
    # Comma-separated names of domain/citizens/phones.PHONE_TYPES; the template's default
    # is the same list.
    refused_phone_types: str = (
        "premium_rate,shared_cost,toll_free,voip,pager,uan,voicemail,fixed_line,"
        "personal_number,unknown"
    )
    code_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    max_code_attempts: int = Field(default=5, ge=1, le=10)
    public_base_url: str = "https://alerts.mfa.gov.kg"
    welcome_sms: bool = True
    # Abuse limits (domain/citizens/limits.py); template.yaml sets them from its parameters.
    rate_limits_table: str
    codes_per_phone_per_hour: int = Field(default=3, ge=1)
    codes_per_client_per_hour: int = Field(default=10, ge=1)
    codes_per_prefix_per_hour: int = Field(default=20, ge=1)
    codes_per_hour: int = Field(default=500, ge=1)
    code_resend_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    # The secret that signs links and keys address hashes (Secrets Manager), and the KMS key
    # that encrypts the segment topics (none: SNS's default encryption).
    link_signing_secret_arn: str
    subscriber_data_key_arn: str | None = None
    # Email through SES (services/email_subscriptions.py): the queue each segment topic with
    # email subscribers feeds, the ministry's verified sender, its configuration set (SES
    # events), and an optional mailto for List-Unsubscribe.
    email_queue_arn: str
    email_sender_address: str
    email_sender_name: str = ""
    email_configuration_set: str = ""
    email_unsubscribe_mailto: str = ""

    def rate_limits(self) -> RateLimits:
        return RateLimits(
            per_phone=self.codes_per_phone_per_hour,
            per_client=self.codes_per_client_per_hour,
            per_prefix=self.codes_per_prefix_per_hour,
            global_per_hour=self.codes_per_hour,
            cooldown=timedelta(seconds=self.code_resend_cooldown_seconds),
        )

    @field_validator("allowed_phone_countries")
    @classmethod
    def _codes(cls, value: str) -> str:
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        if not codes or any(len(c) != 2 or not c.isalpha() for c in codes):
            raise ValueError("a comma-separated list of ISO 3166-1 alpha-2 codes")
        return ",".join(codes)

    def allowed_countries(self) -> frozenset[str]:
        return frozenset(self.allowed_phone_countries.split(","))

    @field_validator("refused_phone_types")
    @classmethod
    def _phone_types(cls, value: str) -> str:
        from consular_alerts.domain.citizens.phones import refused_types

        return ",".join(sorted(refused_types(value)))

    def refused_phone_type_names(self) -> frozenset[str]:
        from consular_alerts.domain.citizens.phones import refused_types

        return refused_types(self.refused_phone_types)


class EmailDeliverySettings(_Settings):
    """The email queue's segment publications -> one SES message per confirmed address."""

    subscribers_table: str
    delivery_ledger_table: str
    delivery_receipts_table: str
    link_signing_secret_arn: str  # signs each message's unsubscribe link
    public_base_url: str = "https://alerts.mfa.gov.kg"  # the site, which forwards /email/*
    email_sender_address: str
    email_sender_name: str = ""
    email_configuration_set: str = ""
    email_unsubscribe_mailto: str = ""


class EmailEventsSettings(_Settings):
    """SES events (through SNS) -> the delivery report; bounces and complaints end."""

    subscribers_table: str
    delivery_receipts_table: str
    link_signing_secret_arn: str  # keys the audit hash an ended subscription keeps


class PollerSettings(_IngestingSettings):
    feeds_table: str


class PublicAdvisorySettings(_Settings):
    """The advisory page's read API: reads the advisories table, nothing else."""

    advisories_table: str
    public_base_url: str = "https://alerts.mfa.gov.kg"  # CORS: the site's origin
    cache_max_age_seconds: int = Field(default=60, ge=0, le=3600)


class CapFeedSettings(_Settings):
    """The CAP feed function: reads the advisories table, writes the site bucket's cap/ and
    feeds/ (README: the ministry's alerts in CAP)."""

    advisories_table: str
    site_bucket: str
    public_base_url: str = Field(default="https://alerts.mfa.gov.kg", pattern=r"^https?://[^/]+$")
    # CAP <sender>: globally unique; by default the site's host name.
    cap_sender: str = Field(default="", pattern=r"^[^\s,<&]*$")
    # Advisory sources that are the ministry's own: what its API stores (JSON and text posts
    # take the ministry source, CAP posts "cap"). Feeds the poller reads are not.
    cap_sources: str = Field(default=f"{MINISTRY_SOURCE},cap", pattern=r"^[^,\s]+(,[^,\s]+)*$")

    def authority(self) -> CapAuthority:
        from consular_alerts.domain.alerts_out.cap_writer import CapAuthority

        host = self.public_base_url.split("://", 1)[1]
        return CapAuthority(sender=self.cap_sender or host, site=self.public_base_url)

    def sources(self) -> frozenset[str]:
        return frozenset(self.cap_sources.split(","))


class ReceiptsSettings(_Settings):
    """SMS delivery receipts (CloudWatch Logs subscription) -> counts per advisory segment."""

    delivery_ledger_table: str
    delivery_receipts_table: str
    # Keys the hash of each receipt's phone number (the number itself is never kept).
    link_signing_secret_arn: str
    segment_topic_arn_prefix: str = Field(pattern=r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$")


class DeliveryReportSettings(_Settings):
    """GET /advisories/{id}/versions/{v}/delivery and the delivered-share check."""

    advisories_table: str
    delivery_ledger_table: str
    delivery_receipts_table: str
    segment_topic_arn_prefix: str = Field(pattern=r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$")
    delivered_share_alarm: float = Field(default=90, ge=0, le=100)  # percent
    subscribers_table: str | None = None  # email members, counted in each audience
    public_base_url: str = "https://alerts.mfa.gov.kg"  # CORS: the console's origin
    # Canary phones (domain/canaries.py): the secret listing them, the key their numbers are
    # hashed with (as the receipts are), the key segment topics are created with, the wait.
    canary_phones_secret_arn: str | None = None
    link_signing_secret_arn: str | None = None
    subscriber_data_key_arn: str | None = None
    canary_minutes: int = Field(default=10, ge=1, le=60)
    # Where a canary notice goes (the alarms' topic); none: the log lines only.
    operations_topic_arn: str | None = None

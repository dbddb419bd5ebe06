"""Configuration: one pydantic settings model per function, read from its environment."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from consular_alerts.services.ingest import IngestPolicy


class _Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")


class IngestSettings(_Settings):
    advisories_table: str
    ministry_country: str = Field(default=IngestPolicy.ministry_country, pattern=r"^[A-Z]{2}$")
    ministry_source: str = IngestPolicy.default_source
    default_post_level: int = Field(default=IngestPolicy.default_level, ge=1, le=4)
    max_body_bytes: int = 256 * 1024


class FanoutSettings(_Settings):
    delivery_ledger_table: str
    segment_topic_arn_prefix: str = Field(pattern=r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$")
    sms_sender_id: str = "MFAKG"
    sms_segment_budget: int = Field(default=2, ge=1, le=10)
    public_base_url: str = "https://alerts.mfa.gov.kg"


class SubscriptionsSettings(_Settings):
    subscribers_table: str
    segment_topic_arn_prefix: str = Field(pattern=r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$")
    sms_sender_id: str = "MFAKG"
    allowed_phone_countries: str = "KG,KZ"
    code_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    max_code_attempts: int = Field(default=5, ge=1, le=10)

    @field_validator("allowed_phone_countries")
    @classmethod
    def _codes(cls, value: str) -> str:
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        if not codes or any(len(c) != 2 or not c.isalpha() for c in codes):
            raise ValueError("a comma-separated list of ISO 3166-1 alpha-2 codes")
        return ",".join(codes)

    def allowed_countries(self) -> frozenset[str]:
        return frozenset(self.allowed_phone_countries.split(","))

"""The duty officer's view of a country: whether its internet works (shutdown mode) and the
SMS segment budget its operators allow (PUT/GET /countries on the publisher API)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consular_alerts.models.base import KnownCountry, StrictModel


class Internet(StrEnum):
    NORMAL = "normal"
    DISRUPTED = "disrupted"  # SMS carry no link; emails say the page may not open


class ConnectivityChange(StrictModel):
    """PUT /countries/{country_code}: `{"internet": "disrupted"}` or `"normal"`."""

    internet: Internet


class CountryCode(StrictModel):
    country_code: KnownCountry


class CountryState(BaseModel):
    model_config = ConfigDict(frozen=True)

    country_code: str = Field(description="ISO 3166-1 alpha-2")
    internet: Internet = Internet.NORMAL
    sms_segment_budget: int = Field(description="Most SMS segments per message to its segments")
    updated_at: AwareDatetime | None = Field(
        default=None, description="When the duty officer last set its internet state"
    )


class CountryStates(BaseModel):
    """GET /countries: every country with a state or a budget of its own."""

    model_config = ConfigDict(frozen=True)

    default_sms_segment_budget: int
    countries: list[CountryState]

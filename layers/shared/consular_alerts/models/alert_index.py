"""The index of CAP alerts in force: what the CAP feed function keeps at `/feeds/index.json`.

It is public: the site's pages read it (the advisories in force per country, no API call),
and the function rebuilds every Atom feed from it. Everything in it is in the feeds anyway.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consular_alerts.models.advisory import MsgType, Status


class IndexEntry(BaseModel):
    """One CAP message in force: the latest published version of one advisory."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    advisory_id: str
    version: int = Field(ge=1)
    identifier: str = Field(description="The CAP <identifier> of this version")
    status: Status
    msg_type: MsgType = Field(description="The CAP message type (a later version: update)")
    level: int = Field(ge=1, le=4)
    countries: list[str]
    sent: AwareDatetime
    expires: AwareDatetime | None = Field(
        default=None, description="When it leaves the index (a cancel: its own end)"
    )
    headline: dict[str, str] = Field(description="By language tag")
    summary: dict[str, str] = Field(default_factory=dict, description="What to do, by language")
    cap: str = Field(description="Path of the CAP document on the site")
    page: str = Field(description="Path of the advisory page on the site")


class Replaced(BaseModel):
    """An advisory another one updated or cancelled, up to `version`: a late copy of it (a
    retried or replayed stream record) must not come back into the index."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    by: str  # "<advisory_id>#v<version>"
    until: AwareDatetime  # forgotten after this


class AlertIndex(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    updated_at: AwareDatetime | None = Field(
        default=None, description="When what is in force last changed"
    )
    alerts: list[IndexEntry] = Field(
        default_factory=list, description="Status actual, newest first: the public feeds"
    )
    tests: list[IndexEntry] = Field(
        default_factory=list, description="Status test, newest first: the test feed"
    )
    replaced: dict[str, Replaced] = Field(default_factory=dict)
    country_names: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Names of the countries above in ky, ru and en"
    )

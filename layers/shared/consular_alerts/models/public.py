"""The public advisory page's view of one advisory version (GET /advisories/{id})."""

from __future__ import annotations

from enum import StrEnum

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
)

from consular_alerts.models.advisory import (
    Hotline,
    MsgType,
    Status,
)

# --- The public advisory page (GET /advisories/{advisory_id}) ---------------------------------


class Lifecycle(StrEnum):
    CURRENT = "current"
    EXPIRED = "expired"  # past `expires`
    SUPERSEDED = "superseded"  # a later advisory updates it (replaced_by)
    CLOSED = "closed"  # a later advisory cancelled it (replaced_by)


class AdvisoryRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    advisory_id: str
    version: int | None = Field(default=None, description="None: its latest version")


class PublicCountry(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(description="ISO 3166-1 alpha-2")
    names: dict[str, str] = Field(description="Its name in ky, ru and en")


class PublicArea(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    iso_3166_2: str | None = None


class PublicContent(BaseModel):
    model_config = ConfigDict(frozen=True)

    headline: str
    summary: str = ""
    body: str = ""
    instruction: str = ""
    # The instruction without reporting preambles ("the ministry calls on citizens not
    # to..." -> "Do not..."): what the SMS says, and what the page puts first.
    advice: str = ""
    web: str = ""


class PublicAdvisory(BaseModel):
    """One advisory version as the advisory page shows it: everything in an advisory record
    is public, but only advisories with status `actual` are served."""

    model_config = ConfigDict(frozen=True)

    advisory_id: str
    version: int
    latest_version: int = Field(description="A newer version exists when this is greater")
    short_reference: str = Field(description="What SMS links carry: <site>/a/<reference>")
    status: Status
    msg_type: MsgType
    lifecycle: Lifecycle
    replaced_by: AdvisoryRef | None = Field(
        default=None, description="The advisory that cancelled or superseded this one"
    )
    references: list[AdvisoryRef] = Field(description="Advisories this one updates or cancels")
    countries: list[PublicCountry]
    areas: list[PublicArea]
    level: int = Field(ge=1, le=4, description="1 normal precautions ... 4 leave / do not travel")
    native_level: str = ""
    event: str = ""
    sent: AwareDatetime
    effective: AwareDatetime | None = None
    onset: AwareDatetime | None = None
    expires: AwareDatetime | None = None
    content: dict[str, PublicContent] = Field(description="By BCP-47 language tag")
    hotlines: list[Hotline]
    source: str
    source_url: str = ""
    sender: str = ""

"""The normalized advisory: the contract in design.md, field for field.

Every input format (ministry JSON, free text, CAP, feeds) ends up as an `Advisory`; the
DynamoDB item and the CLI's JSON carry exactly these fields.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9]\d{6,14}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Level = Annotated[int, Field(ge=1, le=4)]
# BCP-47 as used by advisories: a primary language subtag with optional script/region.
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]

#: Languages citizens can choose for their messages.
CITIZEN_LANGUAGES: tuple[str, ...] = ("ky", "ru", "en")


class Status(StrEnum):
    ACTUAL = "actual"
    EXERCISE = "exercise"
    SYSTEM = "system"
    TEST = "test"
    DRAFT = "draft"


class MsgType(StrEnum):
    ALERT = "alert"
    UPDATE = "update"
    CANCEL = "cancel"


class Significance(StrEnum):
    """How the publisher rates an update: major updates notify, minor edits stay silent."""

    MAJOR = "major"
    MINOR = "minor"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Hotline(_Strict):
    number: E164
    label: str = ""


class Area(_Strict):
    name: str = Field(min_length=1)
    iso_3166_2: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    # Rings of [latitude, longitude] pairs, as CAP lists them.
    polygons: list[list[tuple[float, float]]] | None = None
    # CAP circles: [latitude, longitude, radius in km] (an extension of the contract).
    circles: list[tuple[float, float, float]] | None = None
    geocodes: dict[str, list[str]] | None = None


class LocalizedContent(_Strict):
    headline: str = Field(min_length=1, max_length=500)
    summary: str = ""
    body: str = ""
    instruction: str = ""
    web: str = ""


def _known_country(code: str) -> str:
    # Imported here: pycountry loads its database lazily and only validation needs it.
    import pycountry

    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


KnownCountry = Annotated[CountryCode, AfterValidator(_known_country)]


class Advisory(_Strict):
    """One version of one advisory, as stored and as fanned out."""

    advisory_id: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1)
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    source: str = Field(min_length=1, max_length=64)
    source_id: str = Field(min_length=1, max_length=500)
    source_url: str = ""
    sender: str = ""
    sent: AwareDatetime
    received_at: AwareDatetime

    status: Status = Status.ACTUAL
    msg_type: MsgType = MsgType.ALERT
    references: list[str] = Field(default_factory=list)
    significance: Significance | None = None  # extension: the publisher's rating of an update

    countries: list[KnownCountry] = Field(min_length=1)
    areas: list[Area] = Field(default_factory=list)

    level: Level
    native_level: str = ""
    severity: str = ""
    urgency: str = ""
    certainty: str = ""

    category: str = ""
    event: str = ""
    effective: AwareDatetime | None = None
    onset: AwareDatetime | None = None
    expires: AwareDatetime | None = None

    content: dict[LanguageTag, LocalizedContent] = Field(min_length=1)
    hotlines: list[Hotline] = Field(default_factory=list)

    @field_validator("countries")
    @classmethod
    def _no_duplicate_countries(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("countries must not repeat")
        return value

    def primary_language(self) -> str:
        return next(iter(self.content))

    def to_record(self) -> dict[str, Any]:
        """JSON-ready dict of the contract's fields (no None values)."""
        return self.model_dump(mode="json", exclude_none=True)


# --- What publishers send -------------------------------------------------------------------

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")


class AdvisoryDraft(_Strict):
    """A JSON advisory with explicit fields, as a ministry CMS posts it.

    The service fills in what only it can know: `advisory_id` when absent, `version`,
    `content_hash`, `received_at`.
    """

    advisory_id: str | None = None
    source: str = Field(default="", max_length=64)
    source_id: str | None = Field(default=None, max_length=500)
    source_url: str = ""
    sender: str = ""
    sent: AwareDatetime | None = None

    status: Status = Status.ACTUAL
    msg_type: MsgType = MsgType.ALERT
    references: list[str] = Field(default_factory=list)
    significance: Significance | None = None  # extension: the publisher's rating of an update

    countries: list[KnownCountry] = Field(min_length=1)
    areas: list[Area] = Field(default_factory=list)

    level: Level
    native_level: str = ""
    severity: str = ""
    urgency: str = ""
    certainty: str = ""
    category: str = ""
    event: str = ""
    effective: AwareDatetime | None = None
    onset: AwareDatetime | None = None
    expires: AwareDatetime | None = None

    content: dict[LanguageTag, LocalizedContent] = Field(min_length=1)
    hotlines: list[Hotline] = Field(default_factory=list)

    @field_validator("advisory_id")
    @classmethod
    def _safe_id(cls, value: str | None) -> str | None:
        if value is not None and not _ID_PATTERN.match(value):
            raise ValueError("advisory_id may hold letters, digits and . _ : / - (max 200)")
        return value


class PostMetadata(_Strict):
    """Optional metadata a publisher sends beside a free-text or HTML post.

    Whatever is given here wins over what is extracted from the text.
    """

    advisory_id: str | None = None
    source: str | None = Field(default=None, max_length=64)
    source_id: str | None = Field(default=None, max_length=500)
    source_url: str | None = None
    countries: list[KnownCountry] | None = Field(default=None, min_length=1)
    level: Level | None = None
    language: LanguageTag | None = None
    msg_type: MsgType | None = None
    references: list[str] | None = None
    significance: Significance | None = None
    status: Status | None = None
    headline: str | None = Field(default=None, max_length=500)
    instruction: str | None = None
    expires: AwareDatetime | None = None


class TextPost(_Strict):
    """A ministry post as text or HTML, with optional metadata."""

    text: str = Field(min_length=1, max_length=100_000)
    format: str = Field(default="text", pattern=r"^(text|html)$")
    metadata: PostMetadata = Field(default_factory=PostMetadata)


# --- Citizens ---------------------------------------------------------------------------------


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class CitizenLanguage(StrEnum):
    KY = "ky"
    RU = "ru"
    EN = "en"


class SubscribeRequest(_Strict):
    channel: Channel
    address: str = Field(min_length=3, max_length=254, description="E.164 phone or email")
    countries: list[KnownCountry] = Field(min_length=1, max_length=20)
    language: CitizenLanguage
    min_level: Level = 1

    @field_validator("countries")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class VerifyRequest(_Strict):
    code: str = Field(pattern=r"^\s*\d{6}\s*$")


class SubscriberStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"  # SMS: code sent, nothing subscribed
    PENDING_CONFIRMATION = "pending_confirmation"  # email: SNS sent its confirmation
    ACTIVE = "active"
    LOCKED = "locked"
    UNSUBSCRIBED = "unsubscribed"


class Subscriber(BaseModel):
    """A subscriber as stored. `address` is erased on unsubscribe; `address_hash` stays."""

    model_config = ConfigDict(extra="ignore")

    subscriber_id: str
    channel: Channel
    address: str = ""
    address_hash: str
    address_salt: str
    countries: list[str]
    language: CitizenLanguage
    min_level: int
    status: SubscriberStatus
    created_at: AwareDatetime
    code_hash: str = ""
    code_expires_at: AwareDatetime | None = None
    attempts: int = 0
    token_hash: str = ""
    subscription_arns: list[str] = Field(default_factory=list)
    expires_at: int | None = None  # DynamoDB TTL (epoch seconds), pending records only

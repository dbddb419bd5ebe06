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
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic_core import CoreSchema

from consular_alerts.domain.identity import SHORT_REFERENCE_PATTERN
from consular_alerts.domain.plaintext import (
    no_control,
    no_markup,
    plain_text,
    web_url,
    year_in_range,
)

E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9]\d{6,14}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Level = Annotated[int, Field(ge=1, le=4)]
# What a publisher's JSON must say: an integer, not true, "3" or 3.0.
StrictLevel = Annotated[int, Field(ge=1, le=4, strict=True)]
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


def _sane_date(value: Any) -> Any:
    year_in_range(value.year)
    return value


# Dates of advisories: with an offset, and in a year an advisory can have (domain/plaintext).
Date = Annotated[AwareDatetime, AfterValidator(_sane_date)]
# The normalized advisory holds no markup (domain/plaintext.py explains why).
NoMarkup = Annotated[str, AfterValidator(no_markup)]
# What a publisher sends as plain text: no markup, no control characters.
PlainText = Annotated[str, AfterValidator(plain_text)]
WebUrl = Annotated[str, AfterValidator(web_url)]
Reference = Annotated[PlainText, StringConstraints(max_length=500)]


class Hotline(_Strict):
    number: E164
    label: NoMarkup = ""


class Area(_Strict):
    name: NoMarkup = Field(min_length=1)
    iso_3166_2: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    # Rings of [latitude, longitude] pairs, as CAP lists them.
    polygons: list[list[tuple[float, float]]] | None = None
    # CAP circles: [latitude, longitude, radius in km] (an extension of the contract).
    circles: list[tuple[float, float, float]] | None = None
    geocodes: dict[str, list[str]] | None = None


class LocalizedContent(_Strict):
    headline: NoMarkup = Field(min_length=1, max_length=500)
    summary: NoMarkup = ""
    body: NoMarkup = ""
    instruction: NoMarkup = ""
    web: str = ""


def _valid_hotline(number: str) -> str:
    # Imported here: only a publisher's explicit hotlines need it (text extraction finds
    # numbers with phonenumbers already).
    import phonenumbers

    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise ValueError("not a valid phone number")  # no echo: a number in a log line
    return number


class DraftHotline(Hotline):
    number: Annotated[E164, AfterValidator(_valid_hotline)]
    label: PlainText = Field(default="", max_length=200)


class DraftArea(Area):
    name: PlainText = Field(min_length=1, max_length=500)


class DraftContent(LocalizedContent):
    """A language of a publisher's JSON advisory: plain text, links on the web."""

    headline: PlainText = Field(min_length=1, max_length=500)
    summary: PlainText = ""
    body: PlainText = ""
    instruction: PlainText = ""
    web: WebUrl = ""


# Codes in common use that ISO 3166-1 has not assigned: Kosovo (used by the EU, the US State
# Department, SWIFT and phone numbering).
USER_ASSIGNED_COUNTRIES = {"XK": "Kosovo"}


def _known_country(code: str) -> str:
    # Imported here: pycountry loads its database lazily and only validation needs it.
    import pycountry

    if code not in USER_ASSIGNED_COUNTRIES and pycountry.countries.get(alpha_2=code) is None:
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
    sent: Date
    received_at: Date

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
    effective: Date | None = None
    onset: Date | None = None
    expires: Date | None = None

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
ADVISORY_ID_PATTERN = _ID_PATTERN  # what an advisory_id may look like
_SHORT_REFERENCE = re.compile(SHORT_REFERENCE_PATTERN)  # an SMS link's advisory reference


class AdvisoryDraft(_Strict):
    """A JSON advisory with explicit fields, as a ministry CMS posts it.

    The service fills in what only it can know: `advisory_id` when absent, `version`,
    `content_hash`, `received_at`.
    """

    advisory_id: str | None = None
    source: PlainText = Field(default="", max_length=64)
    source_id: PlainText | None = Field(default=None, max_length=500)
    source_url: WebUrl = ""
    sender: PlainText = Field(default="", max_length=500)
    sent: Date | None = None

    status: Status = Status.ACTUAL
    msg_type: MsgType = MsgType.ALERT
    references: list[Reference] = Field(default_factory=list, max_length=50)
    significance: Significance | None = None  # extension: the publisher's rating of an update

    countries: list[KnownCountry] = Field(min_length=1, max_length=50)
    areas: list[DraftArea] = Field(default_factory=list, max_length=200)

    level: StrictLevel
    native_level: PlainText = Field(default="", max_length=100)
    severity: PlainText = Field(default="", max_length=100)
    urgency: PlainText = Field(default="", max_length=100)
    certainty: PlainText = Field(default="", max_length=100)
    category: PlainText = Field(default="", max_length=100)
    event: PlainText = Field(default="", max_length=500)
    effective: Date | None = None
    onset: Date | None = None
    expires: Date | None = None

    content: dict[LanguageTag, DraftContent] = Field(min_length=1, max_length=20)
    hotlines: list[DraftHotline] = Field(default_factory=list, max_length=20)

    @field_validator("expires")
    @classmethod
    def _expires_after_it_starts(cls, value: Any, info: ValidationInfo) -> Any:
        for name in ("sent", "effective", "onset"):
            start = info.data.get(name)
            if value is not None and start is not None and value <= start:
                raise ValueError(
                    f"expires {value.isoformat()} is not after {name} {start.isoformat()}"
                )
        return value

    @field_validator("advisory_id")
    @classmethod
    def _safe_id(cls, value: str | None) -> str | None:
        if value is not None and not _ID_PATTERN.match(value):
            raise ValueError("advisory_id may hold letters, digits and . _ : / - (max 200)")
        if value is not None and _SHORT_REFERENCE.match(value):
            # The form of the reference an SMS link carries: such an id would shadow it.
            raise ValueError(
                "advisory_id of 8 hex digits is reserved for SMS link references; use a longer id"
            )
        return value


class PostMetadata(_Strict):
    """Optional metadata a publisher sends beside a free-text or HTML post.

    Whatever is given here wins over what is extracted from the text.
    """

    advisory_id: str | None = None
    source: PlainText | None = Field(default=None, max_length=64)
    source_id: PlainText | None = Field(default=None, max_length=500)
    source_url: WebUrl | None = None
    countries: list[KnownCountry] | None = Field(default=None, min_length=1, max_length=50)
    level: Level | None = None
    language: LanguageTag | None = None
    msg_type: MsgType | None = None
    references: list[Reference] | None = Field(default=None, max_length=50)
    significance: Significance | None = None
    status: Status | None = None
    headline: PlainText | None = Field(default=None, max_length=500)
    instruction: PlainText | None = Field(default=None, max_length=5000)
    expires: Date | None = None


class CapDocument(_Strict):
    """A CAP 1.x alert posted as XML; parsed by the hardened CAP parser."""

    data: bytes = Field(min_length=1)


class TextPost(_Strict):
    """A ministry post as text or HTML, with optional metadata."""

    # `format` first: the check of `text` depends on it.
    format: str = Field(default="text", pattern=r"^(text|html)$")
    text: str = Field(min_length=1, max_length=100_000)
    metadata: PostMetadata = Field(default_factory=PostMetadata)

    @field_validator("text")
    @classmethod
    def _plain_or_html(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("format") == "html":  # markup expected: it becomes visible text
            return no_control(value)
        return plain_text(value)


# --- Citizens ---------------------------------------------------------------------------------

#: A subscription id: a UUID (the only thing links and paths carry).
SUBSCRIPTION_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_CODE_PATTERN = r"^\s*\d{6}\s*$"
_ADDRESS_DESCRIPTION = (
    "sms: a mobile number in international format (E.164, e.g. +996700123456); the country "
    "comes from the number itself. email: an email address."
)


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class CitizenLanguage(StrEnum):
    KY = "ky"
    RU = "ru"
    EN = "en"


class _CountryCodesInSchema:
    """Lists the ISO 3166-1 codes as an enum in the JSON schema (OpenAPI document, Swagger
    UI). Computed only when a schema is generated: validation never loads it."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        import pycountry

        schema = handler(core_schema)
        schema["enum"] = sorted(country.alpha_2 for country in pycountry.countries)
        return schema


Countries = Annotated[
    list[Annotated[KnownCountry, _CountryCodesInSchema()]],
    Field(
        min_length=1,
        max_length=20,
        description="ISO 3166-1 alpha-2 codes of the countries to hear about",
        examples=[["KZ", "RU"]],
    ),
]
MinLevel = Annotated[
    int,
    Field(
        ge=1,
        le=4,
        strict=True,  # an integer: not true, "2" or 2.0
        description="Only advisories of this level or higher (1 normal precautions ... "
        "4 leave / do not travel)",
    ),
]


def _unique_countries(value: list[str] | None) -> list[str] | None:
    return list(dict.fromkeys(value)) if value is not None else None


class SubscribeRequest(_Strict):
    channel: Channel
    # repr=False: an address never shows in a repr (Powertools logs the route's arguments at
    # DEBUG, exceptions show reprs).
    address: str = Field(
        min_length=3,
        max_length=254,
        description=_ADDRESS_DESCRIPTION,
        examples=["+996700123456"],
        repr=False,
    )
    countries: Countries
    language: CitizenLanguage = Field(description="Language of the messages")
    min_level: MinLevel = 1

    @field_validator("countries")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class VerifyRequest(_Strict):
    code: str = Field(pattern=_CODE_PATTERN, description="The 6-digit code sent by SMS")


class PreferencesRequest(_Strict):
    """What to change; fields left out stay as they are."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    # Absent means unchanged; null is not a value (SkipJsonSchema keeps it out of the schema).
    countries: Countries | SkipJsonSchema[None] = None
    language: CitizenLanguage | SkipJsonSchema[None] = None
    min_level: MinLevel | SkipJsonSchema[None] = None

    @field_validator("countries")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return _unique_countries(value)

    @model_validator(mode="after")
    def _something(self) -> PreferencesRequest:
        if self.countries is None and self.language is None and self.min_level is None:
            raise ValueError("give at least one of countries, language, min_level")
        return self


class PhoneRequest(_Strict):
    """A phone number whose subscription to manage (the subscription id is not needed)."""

    address: str = Field(
        min_length=3,
        max_length=32,
        description="The subscribed mobile number, international format",
        examples=["+996700123456"],
        repr=False,
    )


class PhoneCodeRequest(PhoneRequest):
    code: str = Field(pattern=_CODE_PATTERN, description="The 6-digit code sent by SMS")


class SubscriberStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"  # SMS: code sent, nothing subscribed
    PENDING_CONFIRMATION = "pending_confirmation"  # email: SNS sent its confirmation
    ACTIVE = "active"
    LOCKED = "locked"
    UNSUBSCRIBED = "unsubscribed"


#: Statuses of a subscription that exists in SNS (or is on its way there).
LIVE_STATUSES = frozenset({SubscriberStatus.ACTIVE, SubscriberStatus.PENDING_CONFIRMATION})
# The one partition of the pending-email index: a few thousand items at most (pending emails
# expire in days), far below what one partition takes.
PENDING_EMAIL_SHARD = "p"


class Subscriber(BaseModel):
    """A subscriber as stored. `address` is erased on unsubscribe; `address_hash` stays."""

    model_config = ConfigDict(extra="ignore")

    subscriber_id: str
    channel: Channel
    address: str = Field(default="", repr=False)
    # Audit only, kept after erasure: HMAC under a key derived from the service's secret, of
    # address_salt and the address (domain/privacy.audit_digest); the salt alone is not enough.
    address_hash: str
    address_salt: str
    # Keyed hash of the address (secret key): finds a live subscription by its address;
    # absent when nothing needs finding (pending SMS, erased), so the index stays sparse.
    lookup_hash: str | None = None
    countries: list[str]
    language: CitizenLanguage
    min_level: int
    status: SubscriberStatus
    created_at: AwareDatetime
    revision: int = 0  # optimistic concurrency: every write is conditional on the previous
    code_hash: str = ""  # verification code (pending) or management code (active)
    code_expires_at: AwareDatetime | None = None
    code_sent_at: AwareDatetime | None = None
    attempts: int = 0
    token_hash: str = ""
    subscription_arns: list[str] = Field(default_factory=list)
    expires_at: int | None = None  # DynamoDB TTL (epoch seconds), pending records only
    ended_at: AwareDatetime | None = None
    end_reason: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pending_email_shard(self) -> str | None:
        """Key of the sparse index of email subscriptions awaiting SNS confirmation (the
        scheduled refresh reads it): stored only while pending, gone from the item otherwise."""
        if self.channel is Channel.EMAIL and self.status is SubscriberStatus.PENDING_CONFIRMATION:
            return PENDING_EMAIL_SHARD
        return None


# --- Citizen API responses ----------------------------------------------------------------------


class SubscriptionView(BaseModel):
    """A subscription as its owner sees it: the address masked, never in clear."""

    model_config = ConfigDict(frozen=True)

    subscription_id: str
    status: SubscriberStatus
    channel: Channel
    address: str = Field(description="Masked, e.g. +7*******998 or a***@e***.org")
    countries: list[str]
    language: CitizenLanguage
    min_level: int
    manage_token: str | None = Field(
        default=None,
        description="Returned once (verification, or a code exchange): send it as "
        "'Authorization: Bearer <token>' to read, change or end the subscription",
    )
    manage_link: str | None = Field(
        default=None,
        description="A signed link to manage the subscription (carries no address)",
    )
    message: str = ""


class CodeSent(BaseModel):
    model_config = ConfigDict(frozen=True)

    message: str
    subscription_id: str | None = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(frozen=True)

    error: str = Field(description="What was wrong, naming the field or the limit")
    limit: str | None = Field(default=None, description="The rate limit that refused (429)")
    retry_after: int | None = Field(default=None, description="Seconds before trying again")


# --- Feeds ------------------------------------------------------------------------------------


class FeedConfig(_Strict):
    """A feed the poller reads, as operations configure it (one item in the feeds table)."""

    feed_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    url: str = Field(pattern=r"^https?://\S+$", max_length=2000)
    format: str = Field(
        default="auto", pattern=r"^(auto|cap|rss|atom|fcdo|us-state|json|text|html)$"
    )
    source: str = Field(min_length=1, max_length=64)
    default_countries: list[KnownCountry] = Field(default_factory=list)
    default_level: Level = 2
    enabled: bool = True
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    timeout_seconds: float = Field(default=10, gt=0, le=60)
    max_cap_links: int = Field(default=20, ge=0, le=200)


class FeedState(BaseModel):
    """What the poller remembers of a feed between runs."""

    model_config = ConfigDict(extra="ignore")

    etag: str = ""
    last_modified: str = ""
    last_polled_at: str = ""
    last_outcome: str = ""
    consecutive_failures: int = 0
    fetched_links: list[str] = Field(default_factory=list)  # newest first, bounded


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

"""The citizen API's requests and answers, and a subscriber as stored."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic_core import CoreSchema

from consular_alerts.models.base import (
    KnownCountry,
    StrictModel,
)
from consular_alerts.models.identifiers import SUBSCRIPTION_ID_PATTERN

# --- Citizens ---------------------------------------------------------------------------------

#: The citizen API's path parameter.
SubscriptionId = Annotated[
    str, Field(pattern=SUBSCRIPTION_ID_PATTERN, description="The subscription id (a UUID)")
]
_CODE_PATTERN = r"^\s*[0-9]{6}\s*$"


def _ascii_code(value: str) -> str:
    # Python's (and pydantic's) \d also matches Arabic-Indic, full-width and other digits:
    # such a code never matches and would cost an attempt. Refused here, before any attempt.
    code = value.strip()
    if len(code) != 6 or not all("0" <= c <= "9" for c in code):
        raise ValueError("the 6-digit code, in ASCII digits 0-9 (not Arabic-Indic or full-width)")
    return code


#: The one-time code: six ASCII digits, checked before anything counts an attempt.
Code = Annotated[
    str,
    Field(
        max_length=64,
        description="The 6-digit code sent by SMS (ASCII digits 0-9)",
        json_schema_extra={"pattern": _CODE_PATTERN},
    ),
    AfterValidator(_ascii_code),
]
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


class SubscribeRequest(StrictModel):
    channel: Channel
    # repr=False: an address never shows in a repr (exceptions, debuggers and log lines
    # show reprs).
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


class VerifyRequest(StrictModel):
    code: Code


class PreferencesRequest(StrictModel):
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


class PhoneRequest(StrictModel):
    """A phone number whose subscription to manage (the subscription id is not needed)."""

    address: str = Field(
        min_length=3,
        max_length=32,
        description="The subscribed mobile number, international format",
        examples=["+996700123456"],
        repr=False,
    )


class PhoneCodeRequest(PhoneRequest):
    code: Code


class SubscriberStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"  # SMS: code sent, nothing subscribed
    PENDING_CONFIRMATION = "pending_confirmation"  # email: its confirmation email is out
    ACTIVE = "active"
    LOCKED = "locked"
    UNSUBSCRIBED = "unsubscribed"


#: Statuses of a subscription that exists in SNS (or is on its way there).
LIVE_STATUSES = frozenset({SubscriberStatus.ACTIVE, SubscriberStatus.PENDING_CONFIRMATION})
# The one partition of the staff index: a ministry's staff, a few hundred items at most.
STAFF_SHARD = "staff"


class Subscriber(BaseModel):
    """A subscriber as stored. `address` is erased on unsubscribe; `address_hash` stays."""

    model_config = ConfigDict(extra="ignore")

    subscriber_id: str
    channel: Channel
    address: str = Field(default="", repr=False)
    # Audit only, kept after erasure: HMAC under a key derived from the service's secret, of
    # address_salt and the address (domain/citizens/privacy.audit_digest); the salt alone is
    # not enough.
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
    # Inside every link's signature: a new manage token moves it on, and every link issued
    # before stops working (domain/citizens/links.py).
    link_generation: int = 0
    subscription_arns: list[str] = Field(default_factory=list)
    expires_at: int | None = None  # DynamoDB TTL (epoch seconds), pending records only
    ended_at: AwareDatetime | None = None
    end_reason: str = ""
    # Training mode: an operator flags a subscription as staff (`alerts staff flag`, never
    # the citizen API); exercises reach staff subscriptions only. Every citizen write copies
    # the record, so preference changes and new tokens keep it.
    staff: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def staff_shard(self) -> str | None:
        """Key of the sparse index of live staff subscriptions (the fan-out of an exercise
        reads it): stored only while flagged and active, gone from the item otherwise."""
        return STAFF_SHARD if self.staff and self.status is SubscriberStatus.ACTIVE else None


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

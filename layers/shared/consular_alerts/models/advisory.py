"""The normalized advisory: the record every input becomes, field for field.

Every input format (ministry JSON, free text, CAP, feeds) ends up as an `Advisory`; the
DynamoDB item and the CLI's JSON carry exactly these fields (the contract is described in the
README and docs/architecture.md: extend it, never rename).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    Field,
    StringConstraints,
    field_validator,
)

from consular_alerts.models.base import (
    E164,
    Date,
    KnownCountry,
    LanguageTag,
    Level,
    NoMarkup,
    StrictModel,
)


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


class Approval(StrEnum):
    """Where a version that needs a second officer stands (two-person approval)."""

    PENDING = "pending"  # stored, sent to nobody, waiting for a second officer
    APPROVED = "approved"  # released to the fan-out by a second officer
    REJECTED = "rejected"  # never sent
    REPLACED = "replaced"  # a newer version came first: never sent
    EXPIRED = "expired"  # waited longer than ApprovalTimeoutMinutes: never sent


class Hotline(StrictModel):
    number: E164
    label: NoMarkup = ""


class Area(StrictModel):
    name: NoMarkup = Field(min_length=1)
    iso_3166_2: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    # Rings of [latitude, longitude] pairs, as CAP lists them.
    polygons: list[list[tuple[float, float]]] | None = None
    # CAP circles: [latitude, longitude, radius in km] (an extension of the contract).
    circles: list[tuple[float, float, float]] | None = None
    geocodes: dict[str, list[str]] | None = None


#: The contract's longest headline; the parsers cut a longer one at a word boundary.
HEADLINE_MAX = 500


class LocalizedContent(StrictModel):
    headline: NoMarkup = Field(min_length=1, max_length=HEADLINE_MAX)
    summary: NoMarkup = ""
    body: NoMarkup = ""
    instruction: NoMarkup = ""
    web: str = ""


class Advisory(StrictModel):
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
    # Extension: why `level` is what it is, in words an officer reads beside the level
    # ("level 4: «срочно покинуть»"): the post's own phrase, the publisher's metadata, the
    # default, or the CAP values that gave it. None: the publisher gave the level as a field.
    # Not content (domain/identity.py): the same level for another reason is the same advice.
    level_reason: str | None = Field(default=None, max_length=500)
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

    # Extension: who published this version, the caller's IAM identity as API Gateway gives
    # it (its userArn, else its caller id), or "feed:<feed_id>" for the feed poller. Not
    # content (domain/identity.py) and not public (models/public.py lists what is).
    published_by: str | None = Field(default=None, max_length=2048)
    # Extension, two-person approval (domain/approval.py): absent for a version released
    # when stored. A flat string: the stream filters of template.yaml read it.
    approval: Approval | None = None
    approval_rule: str | None = Field(default=None, max_length=1000)  # why it needs one
    decided_by: str | None = Field(default=None, max_length=2048)  # the second officer
    decided_at: Date | None = None
    decision_reason: str | None = Field(default=None, max_length=1000)

    @property
    def released(self) -> bool:
        """Whether the fan-out may send this version: it needed no approval or got it."""
        return self.approval is None or self.approval is Approval.APPROVED

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


#: What `domain.identity.short_reference` gives: a link whose id has this shape may be a
#: short reference.
SHORT_REFERENCE_PATTERN = r"^[0-9a-f]{8}$"

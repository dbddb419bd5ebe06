"""What publishers send: a CMS's JSON advisory, a free-text post, a CAP document."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    ValidationInfo,
    field_validator,
)

from consular_alerts.models.advisory import (
    SHORT_REFERENCE_PATTERN,
    Approval,
    Area,
    Hotline,
    LocalizedContent,
    MsgType,
    Significance,
    Status,
)
from consular_alerts.models.base import (
    E164,
    Date,
    KnownCountry,
    LanguageTag,
    Level,
    PlainText,
    Reference,
    StrictLevel,
    StrictModel,
    WebUrl,
)
from consular_alerts.models.plaintext import (
    no_control,
    plain_text,
)


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


# --- What publishers send -------------------------------------------------------------------

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")
ADVISORY_ID_PATTERN = _ID_PATTERN  # what an advisory_id may look like
_SHORT_REFERENCE = re.compile(SHORT_REFERENCE_PATTERN)  # an SMS link's advisory reference


class AdvisoryDraft(StrictModel):
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


class PostMetadata(StrictModel):
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


class CapDocument(StrictModel):
    """A CAP 1.x alert posted as XML; parsed by the hardened CAP parser."""

    data: bytes = Field(min_length=1)


class TextPost(StrictModel):
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


class PublishOptions(StrictModel):
    """How to publish, beside what: from the query (and, for some, headers or JSON fields)."""

    # Preview only: nothing stored, nothing sent.
    dry_run: bool = Field(default=False, strict=True)
    # The version the publisher edited (If-Match or the body): stored only if still current.
    expected_version: int | None = Field(default=None, ge=1, strict=True)
    # The publisher means to restore the content of an earlier version.
    revert: bool = Field(default=False, strict=True)


class VersionRecord(StrictModel):
    """One version in an advisory's publication history (GET /advisories/{id}/history)."""

    version: int = Field(ge=1)
    published_at: AwareDatetime  # when the service received it
    published_by: str | None = None  # None: stored before publishers were recorded
    level: int
    msg_type: MsgType
    status: Status
    content_hash: str
    # Two-person approval (absent: released when stored): pending, approved, rejected,
    # replaced or expired; why it needed a second officer; who decided, when and why.
    approval: Approval | None = None
    approval_rule: str | None = None
    decided_by: str | None = None
    decided_at: AwareDatetime | None = None
    decision_reason: str | None = None


class ApprovalDecision(StrictModel):
    """The body of POST .../approve (reason optional) or .../reject (reason required)."""

    reason: PlainText = Field(default="", max_length=1000)

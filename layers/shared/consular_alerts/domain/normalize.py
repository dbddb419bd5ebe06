"""Publisher input -> normalized Advisory (version 1, hash computed). Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from consular_alerts.domain.formats.ministry import TextExtractionError, extract_post
from consular_alerts.domain.identity import advisory_id_for, content_hash, text_fingerprint
from consular_alerts.domain.language.detection import LANGUAGE_NAMES, unread_language
from consular_alerts.domain.language.levels import (
    LEVEL_BY_DEFAULT,
    LEVEL_FROM_METADATA,
    level_from_text,
)
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.publisher import AdvisoryDraft, TextPost


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each offending field, e.g. 'countries.0: ... ; level: ...'."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def sealed(record: dict[str, Any]) -> Advisory:
    """Validate a record against the contract and set its content hash (computed over the
    record's JSON form, the same form the table and the CLI hold)."""
    unsealed = Advisory.model_validate({**record, "content_hash": "0" * 64})
    return unsealed.model_copy(update={"content_hash": content_hash(unsealed.to_record())})


def _finish(record: dict[str, Any]) -> Advisory:
    return sealed({**record, "version": 1})


def normalize_draft(
    draft: AdvisoryDraft, *, received_at: datetime, default_source: str
) -> Advisory:
    record = draft.model_dump(exclude_none=True)
    source = draft.source or default_source
    source_id = draft.source_id or draft.advisory_id
    if source_id is None:
        # No id from the publisher: the item is identified by what it says.
        source_id = text_fingerprint(
            " ".join(c.headline + " " + c.body for c in draft.content.values())
        )
    record.update(
        source=source,
        source_id=source_id,
        advisory_id=draft.advisory_id or advisory_id_for(source, source_id),
        sent=draft.sent or received_at,
        received_at=received_at,
    )
    try:
        return _finish(record)
    except ValidationError as error:
        raise NormalizationError(describe_validation_error(error)) from error


def _level_and_reason(given: int | None, body: str, default_level: int) -> dict[str, Any]:
    """The level: the publisher's metadata, else the post's own words, else the default."""
    if given is not None:
        return {"level": given, "level_reason": LEVEL_FROM_METADATA}
    cue = level_from_text(body)
    if cue is not None:
        return {"level": cue.level, "level_reason": cue.reason()}
    return {"level": default_level, "level_reason": LEVEL_BY_DEFAULT}


def normalize_text_post(
    post: TextPost,
    *,
    received_at: datetime,
    ministry_country: str,
    default_source: str,
    default_level: int,
    warnings: list[str] | None = None,
) -> Advisory:
    """A free-text post as version 1 of an advisory; what was left out of it (a hotline
    that cannot be placed) is added to `warnings`."""
    meta = post.metadata
    try:
        extracted = extract_post(
            post.text,
            is_html=post.format == "html",
            ministry_country=ministry_country,
            countries=meta.countries,
        )
    except TextExtractionError as error:
        raise NormalizationError(f"text: {error}") from error
    if meta.language is None:
        unread = unread_language(extracted.body)
        if unread is not None:
            raise NormalizationError(
                f"text: the post is in {LANGUAGE_NAMES[unread]}, a language the service does "
                "not read (ky, ru, en); post it in one of those, or give metadata.language"
            )
    if warnings is not None:
        warnings.extend(f"text: {warning}" for warning in extracted.warnings)
    countries = meta.countries or extracted.countries
    if not countries:
        raise NormalizationError(
            "text: no country found in the post; name it in the text or give metadata.countries"
        )
    source = meta.source or default_source
    source_id = meta.source_id or meta.advisory_id or text_fingerprint(extracted.body)
    language = meta.language or extracted.language
    content = {
        "headline": meta.headline or extracted.headline,
        "summary": extracted.summary,
        "body": extracted.body,
        "instruction": meta.instruction or extracted.instruction,
    }
    record: dict[str, Any] = {
        "advisory_id": meta.advisory_id or advisory_id_for(source, source_id),
        "source": source,
        "source_id": source_id,
        "source_url": meta.source_url or "",
        "sent": extracted.sent or received_at,
        "received_at": received_at,
        "status": meta.status or "actual",
        "msg_type": meta.msg_type or "alert",
        "references": meta.references or [],
        "significance": meta.significance,
        "countries": countries,
        "areas": [a.model_dump(exclude_none=True) for a in extracted.areas],
        **_level_and_reason(meta.level, extracted.body, default_level),
        "expires": meta.expires,
        # Validated with the rest: a field it refuses is a NormalizationError naming it.
        "content": {language: content},
        "hotlines": [h.model_dump() for h in extracted.hotlines],
    }
    try:
        return _finish({k: v for k, v in record.items() if v is not None})
    except ValidationError as error:
        raise NormalizationError(describe_validation_error(error)) from error

"""What a publisher posts (a JSON draft, a free-text or HTML post, a CAP document), as
version 1 of a normalized advisory. Pure: the ingest service stores what this returns.

Whatever the format, the normalized record is checked for control and bidirectional
characters (an HTML entity such as `&#x202E;` becomes one only once decoded), and any
validation error met on the way is a NormalizationError (422 naming the field), never a
fault of the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from consular_alerts.defaults import DEFAULT_POST_LEVEL, MINISTRY_COUNTRY, MINISTRY_SOURCE
from consular_alerts.domain.normalize import (
    describe_validation_error,
    normalize_draft,
    normalize_text_post,
)
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.plaintext import find_control_in
from consular_alerts.models.publisher import AdvisoryDraft, CapDocument, TextPost


@dataclass(frozen=True)
class IngestPolicy:
    ministry_country: str = MINISTRY_COUNTRY
    default_source: str = MINISTRY_SOURCE
    default_level: int = DEFAULT_POST_LEVEL


Publication = AdvisoryDraft | TextPost | CapDocument


def normalize_publication(
    item: Publication, policy: IngestPolicy, now: datetime, warnings: list[str] | None = None
) -> Advisory:
    """What a publisher posted, as version 1 of a normalized advisory; defects worked
    around and what was left out are added to `warnings`."""
    try:
        advisory = _normalized(item, policy, now, warnings)
    except ValidationError as error:  # e.g. a hotline label found in an HTML post
        # Raised by a part of the record (a Hotline) built while reading the text: its name
        # says where the field is.
        where = "" if error.title == Advisory.__name__ else f"{error.title} "
        raise NormalizationError(where + describe_validation_error(error)) from error
    found = find_control_in(advisory.to_record())
    if found is not None:
        field, control = found
        raise NormalizationError(f"{field}: control character {control} is not accepted")
    return advisory


def _normalized(
    item: Publication, policy: IngestPolicy, now: datetime, warnings: list[str] | None
) -> Advisory:
    if isinstance(item, CapDocument):
        # Imported here: the CAP and feed parsers are paid for only when CAP arrives.
        from consular_alerts.domain.formats.documents import normalize_document

        result = normalize_document(
            item.data, received_at=now, format="cap", ministry_country=policy.ministry_country
        )
        if len(result.advisories) != 1:
            raise NormalizationError(f"CAP: expected one alert, found {len(result.advisories)}")
        if warnings is not None:
            warnings.extend(result.warnings)
        return result.advisories[0]
    if isinstance(item, TextPost):
        return normalize_text_post(
            item,
            received_at=now,
            ministry_country=policy.ministry_country,
            default_source=policy.default_source,
            default_level=policy.default_level,
            warnings=warnings,
        )
    return normalize_draft(item, received_at=now, default_source=policy.default_source)

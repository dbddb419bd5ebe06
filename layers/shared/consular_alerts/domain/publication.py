"""What a publisher posts (a JSON draft, a free-text or HTML post, a CAP document), as
version 1 of a normalized advisory. Pure: the ingest service stores what this returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consular_alerts.defaults import DEFAULT_POST_LEVEL, MINISTRY_COUNTRY, MINISTRY_SOURCE
from consular_alerts.domain.normalize import normalize_draft, normalize_text_post
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory
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

"""The advisory version a new one replaces (shared by the fan-out and the dry run), and an
advisory's publication history (the publisher API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consular_alerts.errors import RequestError
from consular_alerts.models.advisory import Advisory
from consular_alerts.services.ports import AdvisoryRepository, VersionHistory

if TYPE_CHECKING:
    from consular_alerts.models.publisher import VersionRecord


def previous_version(repository: AdvisoryRepository, advisory: Advisory) -> Advisory | None:
    """The prior version of the same advisory, else the latest version of the first
    referenced advisory on record, else None."""
    if advisory.version > 1:
        return repository.get(advisory.advisory_id, advisory.version - 1)
    for reference in advisory.references:
        head = repository.head(reference)
        if head is not None:
            return repository.get(reference, head.version)
    return None


def publication_history(history: VersionHistory, advisory_id: str) -> list[VersionRecord]:
    """Every version of the advisory, oldest first, with who published it and when."""
    # Imported here: the fan-out, which shares this module, never needs the publisher models.
    from consular_alerts.models.publisher import ADVISORY_ID_PATTERN

    if not ADVISORY_ID_PATTERN.match(advisory_id):
        raise RequestError(
            400, "advisory_id: letters, digits and . _ : / - only (at most 200), as published"
        )
    versions = history.versions(advisory_id)
    if not versions:
        raise RequestError(404, f"no advisory {advisory_id}")
    return versions

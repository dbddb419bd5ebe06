"""The advisory version a new one replaces: shared by the fan-out and the dry run."""

from __future__ import annotations

from consular_alerts.models.advisory import Advisory
from consular_alerts.services.ports import AdvisoryRepository


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

"""The advisory version a new one replaces (shared by the fan-out and the dry run), and an
advisory's publication history (the publisher API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consular_alerts.errors import RequestError
from consular_alerts.models.advisory import Advisory
from consular_alerts.services.ports import AdvisoryRepository, VersionHistory

if TYPE_CHECKING:
    from consular_alerts.models.publisher import VersionRecord


# Versions looked at, newest first, for the last released one: held versions come in short runs.
UNRELEASED_RUN = 21


def previous_version(repository: AdvisoryRepository, advisory: Advisory) -> Advisory | None:
    """The latest earlier version of the same advisory that was released (sent, or needed
    no approval), else the latest version of the first referenced advisory on record, else
    None. A version held for approval, refused or replaced reached nobody: what follows it
    is compared with what citizens were last told."""
    for version in range(advisory.version - 1, max(0, advisory.version - UNRELEASED_RUN), -1):
        found = repository.get(advisory.advisory_id, version)
        if found is not None and found.released:
            return found
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

"""The public advisory page's read: an advisory id or an SMS link's short reference (and
optionally a version) -> the public view of that version, or a clear refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from consular_alerts.domain.public import (
    SHORT_REFERENCE,
    InvalidRequest,
    check_advisory_id,
    is_public,
    parse_version,
    public_view,
)
from consular_alerts.errors import RequestError
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.public import PublicAdvisory
from consular_alerts.services.ports import AdvisoryReader


class AdvisoryNotFoundError(RequestError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)


@dataclass(frozen=True)
class PublicAdvisoryService:
    reader: AdvisoryReader
    clock: Callable[[], datetime]

    def read(self, advisory_id: str, version: list[str] | None = None) -> PublicAdvisory:
        """`advisory_id` is an advisory's id or the short reference an SMS link carries;
        `version` the query parameter's values (None: the latest version)."""
        try:
            wanted = check_advisory_id(advisory_id)
            number = parse_version(version)
        except InvalidRequest as problem:
            raise RequestError(400, str(problem)) from problem
        state = self.reader.state(wanted)
        if state is None and SHORT_REFERENCE.match(wanted):
            resolved = self.reader.find_by_reference(wanted)
            state = self.reader.state(resolved) if resolved is not None else None
        if state is None:
            raise AdvisoryNotFoundError(f"no advisory {wanted}")
        # Test, exercise, system and draft versions are not public: as if absent, and a
        # later drill version neither hides the real one nor reveals itself.
        latest_public = self._latest_public(state.advisory_id, state.latest_version)
        if latest_public is None:
            raise AdvisoryNotFoundError(f"no advisory {wanted}")
        advisory = latest_public
        if number is not None and number > latest_public.version:
            raise AdvisoryNotFoundError(
                f"advisory {wanted} has no version {number} (latest: {latest_public.version})"
            )
        if number is not None and number != latest_public.version:
            found = self.reader.get(state.advisory_id, number)
            if found is None or not is_public(found):
                raise AdvisoryNotFoundError(f"advisory {wanted} has no public version {number}")
            advisory = found
        return public_view(
            advisory,
            latest_version=latest_public.version,
            state=state.lifecycle,
            replaced_by=state.replaced_by,
            now=self.clock(),
        )

    # Versions looked at, newest first, for the latest public one: drills and drafts come in
    # short runs; an advisory with more non-public versions on top answers 404.
    NEWEST_LOOKED_AT = 20

    def _latest_public(self, advisory_id: str, latest: int) -> Advisory | None:
        for version in range(latest, max(0, latest - self.NEWEST_LOOKED_AT), -1):
            advisory = self.reader.get(advisory_id, version)
            if advisory is not None and is_public(advisory):
                return advisory
        return None

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
from consular_alerts.models import PublicAdvisory
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
        if number is not None and number > state.latest_version:
            raise AdvisoryNotFoundError(
                f"advisory {wanted} has no version {number} (latest: {state.latest_version})"
            )
        advisory = self.reader.get(state.advisory_id, number or state.latest_version)
        # Test, exercise, system and draft advisories are not public: as if absent.
        if advisory is None or not is_public(advisory):
            if number is None:
                raise AdvisoryNotFoundError(f"no advisory {wanted}")
            raise AdvisoryNotFoundError(f"advisory {wanted} has no public version {number}")
        return public_view(
            advisory,
            latest_version=state.latest_version,
            state=state.lifecycle,
            replaced_by=state.replaced_by,
            now=self.clock(),
        )

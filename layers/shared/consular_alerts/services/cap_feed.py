"""The ministry's alerts in the open: each published advisory version as a CAP 1.2 document
on the site, and the Atom indexes of the alerts in force, rebuilt from one index file.

The index is read, changed and written back only if nobody wrote it meanwhile (a
conditional write on its ETag); the feeds are written from it just before, so the last
writer's feeds are what stays. A stream record handled twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from consular_alerts.domain.alerts_out.alert_feeds import INDEX_KEY, feed_files, index_file
from consular_alerts.domain.alerts_out.alerts_in_force import (
    cap_path,
    countries_of,
    entry_for,
    find,
    in_force_until,
    same_messages,
    stamped,
    with_message,
    without_expired,
)
from consular_alerts.domain.alerts_out.cap_writer import (
    CAP_CONTENT_TYPE,
    CapAuthority,
    CapReference,
    cap_identifier,
    cap_msg_type,
    write_cap,
)
from consular_alerts.domain.alerts_out.site_file import CAP_CACHE, SiteFile
from consular_alerts.errors import PermanentError, RetryableError
from consular_alerts.models.advisory import Advisory, Status
from consular_alerts.models.alert_index import AlertIndex, IndexEntry
from consular_alerts.services.ports import AdvisoryReader, SiteFiles, StoredFile

logger = Logger(child=True)

#: Statuses written as CAP: actual (the public feeds) and test (the test feed). Exercise,
#: system and draft versions are the ministry's own business.
WRITTEN_STATUSES = frozenset({Status.ACTUAL, Status.TEST})


@dataclass(frozen=True)
class CapFeedConfig:
    authority: CapAuthority
    # Sources whose advisories are the ministry's own (its API's posts); what the poller
    # takes from other governments is theirs to publish.
    sources: frozenset[str]
    index_attempts: int = 5
    # Versions looked at, newest first, for the one a message replaces (as the page does).
    look_back: int = 20


@dataclass
class CapFeedReport:
    advisory_id: str
    version: int
    written: str = ""  # the CAP document's key, when one was written
    reason: str = ""  # why not, otherwise
    index_changed: bool = False
    references: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Named:
    """A message this one replaces: its CAP reference and the advisory version behind it."""

    reference: CapReference
    advisory_id: str
    version: int


class CapFeedService:
    def __init__(
        self,
        reader: AdvisoryReader,
        files: SiteFiles,
        config: CapFeedConfig,
        clock: Callable[[], datetime],
        decode: Callable[[dict[str, Any]], Advisory],
    ) -> None:
        self._reader = reader
        self._files = files
        self._config = config
        self._clock = clock
        self._decode = decode  # a stream record's image -> advisory

    def publish_version(
        self, advisory_id: str, version: int, image: dict[str, Any] | None
    ) -> CapFeedReport:
        """One stream record (no image, as in a replay: read from the table)."""
        report = CapFeedReport(advisory_id, version)
        advisory = (
            self._decode(image) if image is not None else self._reader.get(advisory_id, version)
        )
        if advisory is None:
            raise PermanentError(f"{advisory_id} v{version} is not on record")
        if not self._written(advisory, advisory.status):
            report.reason = (
                f"status {advisory.status.value}, source {advisory.source}: not published"
            )
            logger.info("not written as CAP", advisory_id=advisory_id, version=version,
                        reason=report.reason)  # fmt: skip
            return report
        index, _ = self._load()
        earlier = self._earlier_message(advisory, index)
        named = [earlier] if earlier is not None else []
        for reference in advisory.references:
            found = self._latest_message(reference, advisory.status, index)
            if found is not None and all(n.reference != found.reference for n in named):
                named.append(found)
        references = [n.reference for n in named]
        msg_type = cap_msg_type(advisory, references, replaces_earlier_version=earlier is not None)
        until = in_force_until(advisory, msg_type)
        document = write_cap(
            advisory,
            authority=self._config.authority,
            msg_type=msg_type,
            references=references,
            expires=until,
        )
        key = cap_path(advisory.advisory_id, advisory.version).lstrip("/")
        self._files.write(SiteFile(key, document, CAP_CONTENT_TYPE, CAP_CACHE))
        report.written = key
        report.references = [r.triple() for r in references]
        entry = entry_for(advisory, msg_type, until)
        replaces = [(n.advisory_id, n.version) for n in named]
        report.index_changed = self._update_index(
            lambda current: with_message(current, entry, replaces, self._clock())
        )
        logger.info("written as CAP", advisory_id=advisory_id, version=version, key=key,
                    msg_type=msg_type.value, index_changed=report.index_changed)  # fmt: skip
        return report

    def refresh(self) -> bool:
        """Take expired messages out of the feeds (the schedule runs this); whether they
        changed."""
        return self._update_index(lambda current: current)

    # --- what a message replaces ---------------------------------------------------------------

    def _written(self, advisory: Advisory, status: Status) -> bool:
        return (
            advisory.status is status
            and status in WRITTEN_STATUSES
            and advisory.released  # not while it waits for a second officer, nor refused
            and advisory.source in self._config.sources
        )

    def _named(self, entry_or_advisory: IndexEntry | Advisory) -> _Named:
        item = entry_or_advisory
        reference = CapReference(
            self._config.authority.sender, cap_identifier(item.advisory_id, item.version), item.sent
        )
        return _Named(reference, item.advisory_id, item.version)

    def _earlier_message(self, advisory: Advisory, index: AlertIndex) -> _Named | None:
        """The latest earlier version of the same advisory written with the same status."""
        entry = find(index, advisory.advisory_id)
        if (
            entry is not None
            and entry.version < advisory.version
            and entry.status is advisory.status
        ):
            return self._named(entry)
        return self._newest_written(advisory.advisory_id, advisory.version - 1, advisory.status)

    def _latest_message(self, advisory_id: str, status: Status, index: AlertIndex) -> _Named | None:
        """The latest version of a referenced advisory written with `status`, if any."""
        entry = find(index, advisory_id)
        if entry is not None and entry.status is status:
            return self._named(entry)
        state = self._reader.state(advisory_id)
        if state is None:
            logger.info("reference not on record", advisory_id=advisory_id)
            return None
        return self._newest_written(advisory_id, state.latest_version, status)

    def _newest_written(self, advisory_id: str, newest: int, status: Status) -> _Named | None:
        for version in range(newest, max(0, newest - self._config.look_back), -1):
            found = self._reader.get(advisory_id, version)
            if found is not None and self._written(found, status):
                return self._named(found)
        return None

    # --- the index and the feeds --------------------------------------------------------------

    def _load(self) -> tuple[AlertIndex, StoredFile | None]:
        stored = self._files.read(INDEX_KEY)
        if stored is None:
            return AlertIndex(), None
        try:
            return AlertIndex.model_validate_json(stored.body), stored
        except ValidationError as error:
            # Never start afresh over it: that would drop every alert in force from the feeds.
            raise PermanentError(
                f"{INDEX_KEY} is not an index this function wrote ({error.error_count()} "
                "problems); fix or remove it"
            ) from error

    def _update_index(self, change: Callable[[AlertIndex], AlertIndex]) -> bool:
        for _ in range(self._config.index_attempts):
            current, stored = self._load()
            now = self._clock()
            updated = without_expired(change(current), now)
            if stored is not None and same_messages(updated, current):
                return False
            moved = (
                stored is None or updated.alerts != current.alerts or updated.tests != current.tests
            )
            updated = stamped(updated, now if moved else current.updated_at or now)
            if moved:
                site = self._config.authority.site
                countries = countries_of(current) | countries_of(updated)
                for file in feed_files(updated, site=site, countries=countries):
                    self._files.write(file)
            if self._files.replace(index_file(updated), stored.etag if stored else None):
                return True
            logger.info("the index changed meanwhile; reading it again")
        raise RetryableError(
            f"{INDEX_KEY} kept changing under {self._config.index_attempts} writes"
        )

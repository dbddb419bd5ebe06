"""Ingest: normalize what a publisher posted and store it as a new version if it changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from consular_alerts.domain.normalize import normalize_draft, normalize_text_post
from consular_alerts.models import Advisory, AdvisoryDraft, TextPost
from consular_alerts.services.ports import AdvisoryRepository


@dataclass(frozen=True)
class IngestResult:
    created: bool
    advisory: Advisory


class ConcurrentWriteError(RuntimeError):
    """Other writers kept storing versions of the same advisory; the caller may retry."""


@dataclass(frozen=True)
class IngestPolicy:
    ministry_country: str = "KG"
    default_source: str = "mfa-kg"
    default_level: int = 2  # a free-text post without a level: "exercise increased caution"


def normalize_publication(
    item: AdvisoryDraft | TextPost, policy: IngestPolicy, now: datetime
) -> Advisory:
    """What a publisher posted, as version 1 of a normalized advisory."""
    if isinstance(item, TextPost):
        return normalize_text_post(
            item,
            received_at=now,
            ministry_country=policy.ministry_country,
            default_source=policy.default_source,
            default_level=policy.default_level,
        )
    return normalize_draft(item, received_at=now, default_source=policy.default_source)


class IngestService:
    def __init__(
        self,
        repository: AdvisoryRepository,
        policy: IngestPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._policy = policy
        self._clock = clock

    def ingest(self, item: AdvisoryDraft | TextPost) -> IngestResult:
        return self.store(normalize_publication(item, self._policy, self._clock()))

    def store(self, advisory: Advisory) -> IngestResult:
        """Store as the next version unless the latest version has the same content."""
        for _ in range(5):
            head = self._repository.head(advisory.advisory_id)
            if head is not None and head.content_hash == advisory.content_hash:
                existing = self._repository.get(advisory.advisory_id, head.version)
                return IngestResult(
                    False, existing or advisory.model_copy(update={"version": head.version})
                )
            candidate = advisory.model_copy(update={"version": (head.version if head else 0) + 1})
            if self._repository.save_version(candidate, head):
                return IngestResult(True, candidate)
        raise ConcurrentWriteError(f"advisory {advisory.advisory_id} is being written concurrently")

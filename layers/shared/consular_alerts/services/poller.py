"""The feed poller: every configured feed, conditionally fetched, ingested through the same
service as the publisher API; one failing feed never stops the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aws_lambda_powertools import Logger

from consular_alerts.domain.documents import DocumentResult, normalize_document
from consular_alerts.domain.normalize import NormalizationError
from consular_alerts.models import FeedConfig, FeedState
from consular_alerts.services.ingest import IngestService

logger = Logger(child=True)


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when the feed has not changed since the validators we sent
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


class FetchError(Exception):
    """The feed could not be fetched within its bounds (size, time, HTTP status)."""


class Fetcher(Protocol):
    def fetch(
        self,
        url: str,
        *,
        etag: str,
        last_modified: str,
        max_bytes: int,
        timeout: float,
        linked_from: str | None = None,
    ) -> Fetched:
        """`linked_from` marks a URL found inside the feed at that URL: untrusted."""
        ...


class FeedRepository(Protocol):
    def feeds(self) -> list[tuple[FeedConfig, FeedState]]: ...

    def save_state(self, feed_id: str, state: FeedState) -> None: ...


@dataclass
class FeedOutcome:
    feed_id: str
    status: str  # unchanged | ingested | failed
    stored: int = 0  # new advisory versions
    unchanged: int = 0  # items already stored with the same content
    rejected: int = 0  # items (or linked CAP documents) that did not normalize
    warnings: list[str] = field(default_factory=list)
    error: str = ""


class FeedPoller:
    def __init__(
        self,
        feeds: FeedRepository,
        fetcher: Fetcher,
        ingest: IngestService,
        clock: Callable[[], datetime],
        ministry_country: str,
    ) -> None:
        self._feeds = feeds
        self._fetcher = fetcher
        self._ingest = ingest
        self._clock = clock
        self._ministry_country = ministry_country

    def poll_all(self) -> list[FeedOutcome]:
        outcomes = []
        for config, state in self._feeds.feeds():
            if not config.enabled:
                continue
            outcome = self._poll(config, state)
            outcomes.append(outcome)
            logger.info(
                "feed polled",
                feed_id=config.feed_id,
                status=outcome.status,
                stored=outcome.stored,
                unchanged=outcome.unchanged,
                rejected=outcome.rejected,
                warnings=outcome.warnings[:5],
                error=outcome.error,
            )
        return outcomes

    def _poll(self, config: FeedConfig, state: FeedState) -> FeedOutcome:
        now = self._clock().isoformat()
        try:
            fetched = self._fetcher.fetch(
                config.url,
                etag=state.etag,
                last_modified=state.last_modified,
                max_bytes=config.max_bytes,
                timeout=config.timeout_seconds,
            )
            if fetched.status == 304:
                outcome = FeedOutcome(config.feed_id, "unchanged")
            else:
                outcome = self._ingest_document(config, fetched.body)
        except (FetchError, NormalizationError) as error:
            failed = FeedOutcome(config.feed_id, "failed", error=str(error))
            self._feeds.save_state(
                config.feed_id,
                state.model_copy(
                    update={
                        "last_polled_at": now,
                        "last_outcome": f"failed: {error}"[:500],
                        "consecutive_failures": state.consecutive_failures + 1,
                    }
                ),
            )
            return failed
        # Validators are kept only once the content is safely ingested: a failed ingest is
        # retried in full at the next poll.
        self._feeds.save_state(
            config.feed_id,
            FeedState(
                etag=fetched.etag or state.etag,
                last_modified=fetched.last_modified or state.last_modified,
                last_polled_at=now,
                last_outcome=outcome.status,
                consecutive_failures=0,
            ),
        )
        return outcome

    def _ingest_document(self, config: FeedConfig, body: bytes) -> FeedOutcome:
        outcome = FeedOutcome(config.feed_id, "ingested")
        result = self._normalize(config, body, None if config.format == "auto" else config.format)
        outcome.warnings += result.warnings
        advisories = list(result.advisories)
        for link in result.cap_links[: config.max_cap_links]:
            try:
                linked = self._fetcher.fetch(
                    link,
                    etag="",
                    last_modified="",
                    max_bytes=config.max_bytes,
                    timeout=config.timeout_seconds,
                    linked_from=config.url,
                )
                cap = self._normalize(config, linked.body, "cap")
            except (FetchError, NormalizationError) as error:
                outcome.rejected += 1
                outcome.warnings.append(f"{link}: {error}")
                continue
            outcome.warnings += cap.warnings
            advisories += cap.advisories
        if len(result.cap_links) > config.max_cap_links:
            outcome.warnings.append(
                f"{len(result.cap_links) - config.max_cap_links} linked CAP documents left "
                f"for later (max_cap_links {config.max_cap_links})"
            )
        for advisory in advisories:
            stored = self._ingest.store(advisory)
            if stored.created:
                outcome.stored += 1
            else:
                outcome.unchanged += 1
        return outcome

    def _normalize(
        self, config: FeedConfig, body: bytes, document_format: str | None
    ) -> DocumentResult:
        return normalize_document(
            body,
            received_at=self._clock(),
            format=document_format,
            source=config.source,
            default_countries=list(config.default_countries) or None,
            default_level=config.default_level,
            ministry_country=self._ministry_country,
        )

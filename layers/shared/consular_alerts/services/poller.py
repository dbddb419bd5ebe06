"""The feed poller: every configured feed, conditionally fetched, ingested through the same
service as the publisher API; one failing feed never stops the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aws_lambda_powertools import Logger

from consular_alerts.domain.approval import Origin
from consular_alerts.domain.formats.documents import DocumentResult, normalize_document
from consular_alerts.errors import MixedStatusError, NormalizationError, StaleContentError
from consular_alerts.models.feeds import FeedConfig, FeedState
from consular_alerts.services.ingest import IngestService
from consular_alerts.services.ports import FeedRepository, Fetcher, FetchError

logger = Logger(child=True)

# Linked CAP URLs remembered per feed, so each poll fetches only links it has not fetched.
MAX_REMEMBERED_LINKS = 1000


@dataclass
class FeedOutcome:
    feed_id: str
    status: str  # unchanged | ingested | failed
    stored: int = 0  # new advisory versions
    held: int = 0  # of which waiting for a second officer (two-person approval)
    unchanged: int = 0  # items already stored with the same content
    rejected: int = 0  # items (or linked CAP documents) that did not normalize
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    links_left: int = 0  # linked CAP documents left for the next poll


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

    def poll_all(self, deadline: datetime | None = None) -> list[FeedOutcome]:
        """Poll every enabled feed; feeds left when `deadline` passes wait for the next run."""
        outcomes = []
        for config, state in self._feeds.feeds():
            if not config.enabled:
                continue
            if deadline is not None and self._clock() >= deadline:
                outcomes.append(FeedOutcome(config.feed_id, "deferred"))
                continue
            try:
                outcome = self._poll(config, state)
            except Exception as error:  # the feed's state could not even be saved
                logger.exception("feed state not saved", feed_id=config.feed_id)
                outcome = FeedOutcome(
                    config.feed_id, "failed", error=f"{type(error).__name__}: {error}"
                )
            outcomes.append(outcome)
            logger.info(
                "feed polled",
                feed_id=config.feed_id,
                status=outcome.status,
                stored=outcome.stored,
                held=outcome.held,
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
            fetched_links: list[str] = []
            if fetched.status == 304:
                outcome = FeedOutcome(config.feed_id, "unchanged")
            else:
                outcome, fetched_links = self._ingest_document(config, state, fetched.body)
        except Exception as error:  # one feed's fault never stops the others
            if isinstance(error, FetchError | NormalizationError):
                message = str(error)
            else:
                logger.exception("feed poll crashed", feed_id=config.feed_id)
                message = f"{type(error).__name__}: {error}"
            failed = FeedOutcome(config.feed_id, "failed", error=message)
            self._feeds.save_state(
                config.feed_id,
                state.model_copy(
                    update={
                        "last_polled_at": now,
                        "last_outcome": f"failed: {message}"[:500],
                        "consecutive_failures": state.consecutive_failures + 1,
                    }
                ),
            )
            return failed
        # Validators are kept only once the content is safely ingested: a failed ingest is
        # retried in full at the next poll, and a feed whose linked CAP documents were not all
        # fetched yet is fetched again (the links already fetched are remembered).
        complete = not outcome.links_left
        self._feeds.save_state(
            config.feed_id,
            FeedState(
                etag=(fetched.etag or state.etag) if complete else state.etag,
                last_modified=(fetched.last_modified or state.last_modified)
                if complete
                else state.last_modified,
                last_polled_at=now,
                last_outcome=outcome.status,
                consecutive_failures=0,
                fetched_links=(fetched_links + state.fetched_links)[:MAX_REMEMBERED_LINKS],
            ),
        )
        return outcome

    def _ingest_document(
        self, config: FeedConfig, state: FeedState, body: bytes
    ) -> tuple[FeedOutcome, list[str]]:
        """The outcome, and the linked CAP documents fetched this time."""
        outcome = FeedOutcome(config.feed_id, "ingested")
        result = self._normalize(config, body, None if config.format == "auto" else config.format)
        outcome.warnings += result.warnings
        advisories = list(result.advisories)
        seen = set(state.fetched_links)
        new_links = [link for link in dict.fromkeys(result.cap_links) if link not in seen]
        fetched_links = new_links[: config.max_cap_links]
        for link in fetched_links:
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
            except Exception as error:  # a bad linked document is that document's problem
                outcome.rejected += 1
                outcome.warnings.append(f"{link}: {type(error).__name__}: {error}")
                continue
            outcome.warnings += cap.warnings
            advisories += cap.advisories
        outcome.links_left = len(new_links) - len(fetched_links)
        if outcome.links_left:
            outcome.warnings.append(
                f"{outcome.links_left} linked CAP documents left for the next poll "
                f"(max_cap_links {config.max_cap_links})"
            )
        for advisory in advisories:
            try:
                # The feed is who published it: each version says so (GET .../history).
                stored = self._ingest.store(
                    advisory.model_copy(update={"published_by": f"feed:{config.feed_id}"}),
                    # Unless the feed is trusted, a second officer looks at its items first.
                    origin=Origin(config.feed_id, config.auto_publish),
                )
            except MixedStatusError as error:
                # A feed's drill referencing a real advisory, or the reverse: never stored.
                outcome.rejected += 1
                outcome.warnings.append(str(error))
                continue
            except StaleContentError as error:
                # A feed (or a cache in front of it) serving an older copy: storing it would
                # roll the advisory back and notify everyone again. Nobody can say "revert".
                outcome.unchanged += 1
                outcome.warnings.append(str(error))
                continue
            if stored.created:
                outcome.stored += 1
                outcome.held += int(stored.pending)
            else:
                outcome.unchanged += 1
        return outcome, fetched_links

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

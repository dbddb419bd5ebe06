"""Fan-out: one advisory version -> one publish per audience segment it reaches, once."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from consular_alerts.domain.policy import Decision, Kind, NotifyPolicy, decide
from consular_alerts.domain.render import FALLBACK_ORDER, RenderedMessage, render
from consular_alerts.domain.segments import Segment, segments_reached
from consular_alerts.models import Advisory
from consular_alerts.services.history import previous_version
from consular_alerts.services.ports import (
    AdvisoryRepository,
    AmbiguousPublishError,
    ClaimOutcome,
    DeliveryLedger,
    SegmentPublisher,
)

logger = Logger(child=True)


class SegmentBusyError(RuntimeError):
    """Another invocation holds the claim on a segment; retry the record later."""


@dataclass(frozen=True)
class FanoutConfig:
    sender_id: str
    sms_budget: int
    base_url: str
    fallback_order: tuple[str, ...] = FALLBACK_ORDER
    policy: NotifyPolicy = field(default_factory=NotifyPolicy)
    # How long to wait for segments another invocation is publishing (claim lease + margin).
    busy_wait: timedelta = timedelta(seconds=40)
    busy_poll: timedelta = timedelta(seconds=2)


def audience(advisory: Advisory, previous: Advisory | None, decision: Decision) -> list[Segment]:
    """Segments to publish to. A cancel, an all-clear or a lowered level must also reach
    everyone the replaced version reached."""
    countries, level = list(advisory.countries), advisory.level
    widen = decision.kind in {Kind.CANCEL, Kind.ALL_CLEAR} or (
        previous is not None and previous.level > advisory.level
    )
    if previous is not None and widen:
        countries += [c for c in previous.countries if c not in countries]
        level = max(level, previous.level)
    return segments_reached(countries, level)


@dataclass
class FanoutReport:
    advisory_id: str
    version: int
    notified: bool
    reason: str
    published: list[str] = field(default_factory=list)  # segments published to now
    no_audience: list[str] = field(default_factory=list)  # segments without a topic
    already_done: list[str] = field(default_factory=list)  # published by an earlier attempt


class FanoutService:
    def __init__(
        self,
        advisories: AdvisoryRepository,
        ledger: DeliveryLedger,
        publisher: SegmentPublisher,
        config: FanoutConfig,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._advisories = advisories
        self._ledger = ledger
        self._publisher = publisher
        self._config = config
        self._clock = clock
        self._sleep = sleep

    def fan_out(self, advisory: Advisory) -> FanoutReport:
        now = self._clock()
        previous = previous_version(self._advisories, advisory)
        decision = decide(advisory, previous, now, self._config.policy)
        report = FanoutReport(
            advisory.advisory_id, advisory.version, decision.notify, decision.reason
        )
        logger.info(
            "notify decision",
            advisory_id=advisory.advisory_id,
            version=advisory.version,
            notify=decision.notify,
            kind=decision.kind.value,
            reason=decision.reason,
        )
        if not decision.notify:
            return report

        delivery_key = f"{advisory.advisory_id}#v{advisory.version}"
        rendered: dict[str, RenderedMessage] = {}

        def message(segment: Segment) -> RenderedMessage:
            if segment.language not in rendered:
                rendered[segment.language] = render(
                    advisory,
                    segment.language,
                    decision.kind,
                    base_url=self._config.base_url,
                    sms_budget=self._config.sms_budget,
                    previous=previous,
                    fallback_order=self._config.fallback_order,
                )
            return rendered[segment.language]

        pending = audience(advisory, previous, decision)
        # A segment another invocation is publishing does not hold up the others; it is
        # tried again until its claim is done or stale (taken over), within busy_wait.
        deadline = self._clock() + self._config.busy_wait
        while True:
            busy = []
            for segment in pending:
                outcome = self._ledger.claim(delivery_key, segment.name, self._clock())
                if outcome is ClaimOutcome.DONE:
                    report.already_done.append(segment.name)
                elif outcome is ClaimOutcome.BUSY:
                    busy.append(segment)
                else:
                    self._publish_claimed(delivery_key, segment, message(segment), report)
            if not busy:
                break
            if self._clock() >= deadline:
                names = ", ".join(s.name for s in busy)
                raise SegmentBusyError(f"{delivery_key}: still being published: {names}")
            self._sleep(self._config.busy_poll.total_seconds())
            pending = busy
        logger.info(
            "fan-out done",
            advisory_id=advisory.advisory_id,
            version=advisory.version,
            published=len(report.published),
            no_audience=len(report.no_audience),
            already_done=len(report.already_done),
        )
        return report

    def _publish_claimed(
        self, delivery_key: str, segment: Segment, message: RenderedMessage, report: FanoutReport
    ) -> None:
        try:
            message_id = self._publisher.publish(segment, message, self._config.sender_id)
        except AmbiguousPublishError:
            # SNS may have taken it: keep the claim. A retry publishes again only once the
            # claim is stale: rather a rare duplicate than a lost advisory.
            raise
        except Exception:
            # Nothing was published: give the claim back so the retry can take it.
            self._ledger.release(delivery_key, segment.name)
            raise
        if message_id is None:
            report.no_audience.append(segment.name)
        else:
            report.published.append(segment.name)
        self._ledger.complete(
            delivery_key, segment.name, message_id or "no-audience", self._clock()
        )

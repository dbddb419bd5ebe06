"""Fan-out: one advisory version -> one publish per audience segment it reaches, once."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from consular_alerts.domain.messages.digests import message_digests
from consular_alerts.domain.messages.offline import CountryConditions
from consular_alerts.domain.messages.render import FALLBACK_ORDER, RenderedMessage, render
from consular_alerts.domain.policy import NotifyPolicy, decide
from consular_alerts.domain.segments import Segment, audience
from consular_alerts.errors import AmbiguousPublishError, PermanentError, RetryableError
from consular_alerts.models.advisory import Advisory
from consular_alerts.services.history import previous_version
from consular_alerts.services.ports import (
    AdvisoryRepository,
    ClaimOutcome,
    CountryStore,
    DeadLetter,
    DeadLetters,
    DeliveryLedger,
    SegmentPublisher,
    SentMessage,
)
from consular_alerts.services.staff_fanout import StaffFanout

logger = Logger(child=True)


class SupersededError(RuntimeError):
    """A replayed version that a newer version has replaced."""


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
    # Recording a publish is retried beyond the SDK's own retries: until it is recorded, a
    # retry of the record could publish to the segment again once the claim's lease ends.
    record_attempts: int = 4
    record_backoff: timedelta = timedelta(milliseconds=250)
    country_budgets: Mapping[str, int] = field(default_factory=dict)  # e.g. {"UZ": 1}


@dataclass
class FanoutReport:
    advisory_id: str
    version: int
    notified: bool
    reason: str
    published: list[str] = field(default_factory=list)  # segments published to now
    no_audience: list[str] = field(default_factory=list)  # segments without a topic
    already_done: list[str] = field(default_factory=list)  # published by an earlier attempt
    # Not published: the segment's last SMS of the advisory (an earlier version's) reads the same.
    repeated: list[str] = field(default_factory=list)
    # Claims taken over after their lease: the invocation that held one may have died after
    # SNS took the message, so these are the publishes that may have reached a segment twice.
    taken_over: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # refused for good now (dead-lettered)
    refused_earlier: list[str] = field(default_factory=list)  # left for a replay
    dead_letter: str | None = None  # why the whole version went to the dead-letter queue


# What a retry of the stream record can fix; anything else would fail the same way again.
_TRANSIENT = (RetryableError, AmbiguousPublishError, SegmentBusyError)


class FanoutService:
    def __init__(
        self,
        advisories: AdvisoryRepository,
        ledger: DeliveryLedger,
        publisher: SegmentPublisher,
        config: FanoutConfig,
        clock: Callable[[], datetime],
        dead_letters: DeadLetters,
        decode: Callable[[dict[str, Any]], Advisory],
        sleep: Callable[[float], None] = time.sleep,
        countries: CountryStore | None = None,
        staff: StaffFanout | None = None,
    ) -> None:
        self._advisories = advisories
        self._ledger = ledger
        self._publisher = publisher
        self._config = config
        self._clock = clock
        self._dead_letters = dead_letters
        self._decode = decode  # a stream record's image -> advisory
        self._sleep = sleep
        self._countries = countries  # shutdown mode; None: every country's internet works
        self._staff = staff  # training mode; None: an exercise reaches nobody

    def fan_out_version(
        self,
        advisory_id: str,
        version: int,
        image: dict[str, Any] | None,
        *,
        replay: bool = False,
        on_takeover: Callable[[str], None] | None = None,
    ) -> FanoutReport:
        """One stream record, or a replay of one (no image: read from the table). Transient
        faults raise, so the stream mapping retries the record; anything a retry would not
        fix (an unreadable record, a refusal) is dead-lettered at once and the batch goes on.

        A replay raises instead of dead-lettering again: `alerts replay` then keeps its
        message (and says so) rather than deleting it for a new letter of the same failure.
        """
        try:
            advisory = (
                self._decode(image)
                if image is not None
                else self._advisories.get(advisory_id, version)
            )
            if advisory is None:
                raise LookupError(f"{advisory_id} v{version} is not on record")
            if not advisory.released:
                # Two-person approval: its approval (a MODIFY of the item) releases it.
                state = advisory.approval.value if advisory.approval else ""
                logger.info("held for approval", advisory_id=advisory_id, version=version,
                            approval=state)  # fmt: skip
                return FanoutReport(advisory_id, version, False, f"approval {state}: not sent")
            if replay:
                self._refuse_superseded(advisory)
            return self.fan_out(advisory, retry_refused=replay, on_takeover=on_takeover)
        except _TRANSIENT:
            raise
        except Exception as error:
            if replay:
                logger.exception("replay failed", advisory_id=advisory_id, version=version)
                raise
            reason = f"{type(error).__name__}: {error}"[:1000]
            logger.exception(
                "fan-out dead-lettered", advisory_id=advisory_id, version=version, reason=reason
            )
            self._dead_letters.send(DeadLetter(advisory_id, version, reason))
            report = FanoutReport(advisory_id, version, notified=False, reason="dead-lettered")
            report.dead_letter = reason
            return report

    def _refuse_superseded(self, advisory: Advisory) -> None:
        """A replayed version that a newer one replaced is not sent late: a dead-lettered
        "leave the country" must not follow the cancel citizens already received."""
        head = self._advisories.head(advisory.advisory_id)
        if head is not None and head.version > advisory.version:
            raise SupersededError(
                f"{advisory.advisory_id} v{advisory.version} is superseded by v{head.version}; "
                "not sent late (post again to send it)"
            )

    def fan_out(
        self,
        advisory: Advisory,
        *,
        retry_refused: bool = False,
        on_takeover: Callable[[str], None] | None = None,
    ) -> FanoutReport:
        """`on_takeover(segment)` is called the moment a stale claim is taken over: counted
        even if this attempt fails later (its report is then never seen)."""
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
        pending = audience(advisory, previous, decision)
        conditions = self._conditions(sorted({segment.country for segment in pending}))
        rendered: dict[tuple[str, int, bool], RenderedMessage] = {}

        def message(segment: Segment) -> RenderedMessage:
            # Per language, and per country where its budget or internet state differs.
            budget, offline = (
                conditions.budget(segment.country),
                conditions.offline(segment.country),
            )
            key = (segment.language, budget, offline)
            if key not in rendered:
                rendered[key] = render(
                    advisory,
                    segment.language,
                    decision.kind,
                    base_url=self._config.base_url,
                    sms_budget=budget,
                    previous=previous,
                    fallback_order=self._config.fallback_order,
                    offline=offline,
                )
            return rendered[key]

        if decision.staff_only:
            # An exercise: staff-flagged subscriptions only, never a segment (training mode).
            if self._staff is not None:
                self._staff.deliver(
                    delivery_key, pending, message, report, retry_refused=retry_refused
                )
            logger.info(
                "exercise sent to staff",
                advisory_id=advisory.advisory_id,
                version=advisory.version,
                sent=len(report.published),
                already_done=len(report.already_done),
                refused=len(report.refused),
            )
            return report

        # A segment another invocation is publishing does not hold up the others; it is
        # tried again until its claim is done or stale (taken over), within busy_wait.
        deadline = self._clock() + self._config.busy_wait
        while True:
            busy = []
            for segment in pending:
                outcome = self._ledger.claim(
                    delivery_key, segment.name, self._clock(), retry_refused=retry_refused
                )
                if outcome is ClaimOutcome.DONE:
                    report.already_done.append(segment.name)
                elif outcome is ClaimOutcome.REFUSED:
                    report.refused_earlier.append(segment.name)
                elif outcome is ClaimOutcome.BUSY:
                    busy.append(segment)
                else:
                    if outcome is ClaimOutcome.TAKEN_OVER:
                        report.taken_over.append(segment.name)
                        if on_takeover is not None:
                            on_takeover(segment.name)
                        logger.warning(
                            "claim taken over after its lease: a possible duplicate",
                            advisory_id=advisory.advisory_id,
                            version=advisory.version,
                            segment=segment.name,
                        )
                    self._publish_claimed(advisory, segment, message(segment), report)
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
            repeated=len(report.repeated),
            taken_over=len(report.taken_over),
            refused=len(report.refused),
        )
        refused = report.refused + report.refused_earlier
        if retry_refused and report.refused:
            # A replay that SNS refuses again: its message stays in the queue.
            raise PermanentError(
                f"{delivery_key}: still refused: {', '.join(report.refused)} (the ledger "
                "holds each reason)"
            )
        if refused and not retry_refused:
            # Also for segments refused by an earlier attempt of this record: that attempt may
            # have died before its letter went out. A second letter is harmless (a replay
            # finds the ledger's state).
            self._dead_letters.send(
                DeadLetter(
                    advisory.advisory_id,
                    advisory.version,
                    "refused by the provider (the ledger holds each reason)",
                    tuple(refused),
                )
            )
        return report

    def _conditions(self, countries: list[str]) -> CountryConditions:
        disrupted = self._countries.disrupted(countries) if self._countries else frozenset()
        if disrupted:
            logger.info("internet disrupted: SMS without a link", countries=sorted(disrupted))
        return CountryConditions(self._config.sms_budget, self._config.country_budgets, disrupted)

    def _publish_claimed(
        self, advisory: Advisory, segment: Segment, message: RenderedMessage, report: FanoutReport
    ) -> None:
        delivery_key = f"{advisory.advisory_id}#v{advisory.version}"
        sent = SentMessage(advisory.version, message_digests(message))
        last = self._ledger.last_sent(advisory.advisory_id, segment.name)
        if (
            last is not None
            and last.version != advisory.version
            and last.digests.get("sms") == sent.digests["sms"]
        ):
            # The segment's phones show this very SMS as the advisory's last word (a body
            # edit the SMS does not show): not sent twice in a row. One publish carries both
            # channels, so an email that alone would be new is not sent either (the page
            # has it). Only the last message counts: level 3, 4, 3, 4 sends every change.
            logger.info(
                "the segment's last message of the advisory reads the same: not sent again",
                delivery_key=delivery_key,
                segment=segment.name,
                last_version=last.version,
                email_unsent=last.digests.get("email") != sent.digests["email"],
            )
            report.repeated.append(segment.name)
            self._record_published(delivery_key, segment.name, "repeated")
            return
        try:
            message_id = self._publisher.publish(
                segment, message, self._config.sender_id, delivery_key
            )
        except AmbiguousPublishError:
            # SNS may have taken it: keep the claim. A retry publishes again only once the
            # claim is stale: rather a rare duplicate than a lost advisory.
            raise
        except PermanentError as error:
            # The same publish would be refused again: record it, go on with the other
            # segments, and leave it to a replay after the fix.
            logger.error(
                "publish refused", delivery_key=delivery_key, segment=segment.name, error=str(error)
            )
            self._ledger.refuse(delivery_key, segment.name, str(error)[:500], self._clock())
            report.refused.append(segment.name)
            return
        except Exception:
            # Nothing was published: give the claim back so the retry can take it.
            self._ledger.release(delivery_key, segment.name)
            raise
        if message_id is None:
            report.no_audience.append(segment.name)
        else:
            report.published.append(segment.name)
        self._record_published(delivery_key, segment.name, message_id or "no-audience")
        if message_id is not None:
            # After the publish is recorded: a crash in between risks a repeat, never a loss.
            self._ledger.remember_sent(advisory.advisory_id, segment.name, sent, self._clock())

    def _record_published(self, delivery_key: str, segment: str, outcome: str) -> None:
        # The one window for a duplicate: SNS took the message and the ledger does not say
        # so yet. Keep trying to close it before giving the record back to the stream.
        for attempt in range(self._config.record_attempts):
            try:
                self._ledger.complete(delivery_key, segment, outcome, self._clock())
                return
            except RetryableError:
                if attempt + 1 == self._config.record_attempts:
                    raise
                self._sleep(self._config.record_backoff.total_seconds() * 2**attempt)

"""What was delivered, per advisory version: the report the publisher API answers with, and
the check behind the delivered-share alarm (every 5 minutes: level 3-4 versions published
15 to 60 minutes ago whose delivered share stays below the threshold)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consular_alerts.domain.delivery.canaries import Canary, CanaryMiss, canary_notice
from consular_alerts.domain.delivery.report import (
    Publication,
    SegmentTally,
    delivery_key,
    delivery_report,
    shortfall,
    split_delivery_key,
)
from consular_alerts.domain.public import InvalidRequest, check_advisory_id, parse_version
from consular_alerts.domain.segments import Segment
from consular_alerts.errors import PermanentError, RequestError, RetryableError
from consular_alerts.models.receipts import DeliveryReport
from consular_alerts.observability import redacting_logger
from consular_alerts.services.ports import (
    AdvisoryRepository,
    AudienceCounter,
    EmailTallies,
    OperationsNotifier,
    PublicationLog,
    ReceiptStore,
    SegmentDirectory,
)

logger = redacting_logger()


@dataclass(frozen=True)
class WatchPolicy:
    delivered_share: float = 0.9  # DeliveredShareAlarm, as a fraction
    after: timedelta = timedelta(minutes=15)  # judged this long after publishing...
    until: timedelta = timedelta(minutes=60)  # ...and no longer after this
    min_level: int = 3
    canary_after: timedelta = timedelta(minutes=10)  # CanaryMinutes
    every: timedelta = timedelta(minutes=5)  # the check's schedule (template.yaml)


@dataclass
class Watch:
    below: list[Shortfall] = field(default_factory=list)
    canaries: list[CanaryMiss] = field(default_factory=list)


@dataclass(frozen=True)
class Shortfall:
    advisory_id: str
    version: int
    level: int
    reason: str


class DeliveryReportService:
    def __init__(
        self,
        advisories: AdvisoryRepository,
        publications: PublicationLog,
        receipts: ReceiptStore,
        audience: AudienceCounter,
        clock: Callable[[], datetime],
        policy: WatchPolicy = WatchPolicy(),
        canaries: Callable[[], list[Canary]] = list,
        directory: SegmentDirectory | None = None,
        notifier: OperationsNotifier | None = None,
        email_tallies: EmailTallies | None = None,
    ) -> None:
        self._advisories = advisories
        self._publications = publications
        self._receipts = receipts
        self._audience = audience
        self._clock = clock
        self._policy = policy
        self._canaries = canaries  # read when the check runs (configuration may change)
        self._directory = directory  # subscribes canaries; None: they are subscribed elsewhere
        self._email_tallies = email_tallies  # None: the report shows no email counts
        self._subscribed: set[tuple[str, str]] = set()  # (phone hash, segment), this container
        self._notifier = notifier  # the operations topic; None: the log line only

    def report(self, advisory_id: str, version: str) -> DeliveryReport:
        try:
            wanted = check_advisory_id(advisory_id)
            number = parse_version([version])
        except InvalidRequest as problem:
            raise RequestError(400, str(problem)) from None
        assert number is not None  # one value given
        if self._advisories.get(wanted, number) is None:
            raise RequestError(404, f"advisory {wanted} has no version {number}")
        return self._report(delivery_key(wanted, number))

    def _report(self, key: str) -> DeliveryReport:
        publications = self._publications.of_version(key)
        tallies = self._receipts.tallies(key)
        self._count_audiences(key, publications, tallies)
        advisory_id, version = split_delivery_key(key)
        emails = self._email_tallies.email_tallies(key) if self._email_tallies else None
        return delivery_report(advisory_id, version, publications, tallies, emails)

    def _count_audiences(
        self, key: str, publications: list[Publication], tallies: dict[str, SegmentTally]
    ) -> None:
        """The subscribers of each published segment, counted once, the first time a report
        or a check looks (the topic's phones and the segment's email members)."""
        missing = [
            p.segment
            for p in publications
            if tallies.get(p.segment, SegmentTally()).audience is None
        ]
        if not missing:
            return
        counts = self._audience.subscribers([Segment.parse(name) for name in missing])
        for segment, count in counts.items():
            self._receipts.set_audience(key, segment.name, count)
            tallies.setdefault(segment.name, SegmentTally()).audience = count

    def watch(self) -> Watch:
        """Level 3-4 versions published between `after` and `until` ago whose delivered
        share is below the threshold, and canaries without a delivered receipt `canary_after`
        publishing (each is logged, naming the operator; the new ones are notified on the
        operations topic; the caller counts them in metrics)."""
        now = self._clock()
        canaries = self._canaries()
        self._subscribe(canaries)
        earliest = now - self._policy.until
        published = self._publications.published_between(
            earliest, now - min(self._policy.after, self._policy.canary_after)
        )
        watch = Watch()
        for key in sorted({p.delivery_key for p in published}):
            advisory_id, version = split_delivery_key(key)
            advisory = self._advisories.get(advisory_id, version)
            if advisory is None or advisory.level < self._policy.min_level:
                continue
            mine = [p for p in published if p.delivery_key == key]
            if all(p.published_at <= now - self._policy.canary_after for p in mine):
                watch.canaries += self._canary_misses(mine, canaries, advisory_id, version)
            if any(p.published_at > now - self._policy.after for p in mine):
                continue  # not 15 minutes yet
            reason = shortfall(self._report(key), self._policy.delivered_share)
            if reason is not None:
                logger.warning(
                    "delivered share below the alarm level",
                    advisory_id=advisory_id,
                    version=version,
                    level=advisory.level,
                    reason=reason,
                )
                watch.below.append(Shortfall(advisory_id, version, advisory.level, reason))
        self._notify(watch.canaries, now)
        return watch

    def _notify(self, misses: list[CanaryMiss], now: datetime) -> None:
        """One notice naming the operators of the canaries missed since the last check: a
        publish becomes a miss `canary_after` on, and each check looks one period back, so
        a miss is told once (the alarm stays raised while any miss lasts)."""
        since = now - self._policy.canary_after - self._policy.every
        new = [m for m in misses if m.published_at > since]
        if new and self._notifier is not None:
            minutes = int(self._policy.canary_after.total_seconds() // 60)
            try:
                self._notifier.notify(*canary_notice(new, minutes))
            except (RetryableError, PermanentError) as error:
                # The alarm's metric must still go out; the log lines name the operators.
                logger.error("canary notice not sent", error=str(error))

    def _subscribe(self, canaries: list[Canary]) -> None:
        """Each canary on every segment of its country (SNS returns the same subscription
        for the same number and topic: subscribing again changes nothing)."""
        if self._directory is None:
            return
        for canary in canaries:
            for segment in canary.segments():
                if (canary.phone_hash, segment.name) not in self._subscribed:
                    self._directory.subscribe(segment, "sms", canary.phone)
                    self._subscribed.add((canary.phone_hash, segment.name))

    def _canary_misses(
        self,
        publications: list[Publication],
        canaries: list[Canary],
        advisory_id: str,
        version: int,
    ) -> list[CanaryMiss]:
        misses = []
        for publication in publications:
            country = Segment.parse(publication.segment).country
            for canary in (c for c in canaries if c.country == country):
                status = self._receipts.receipt_status(publication, canary.phone_hash)
                if status == "delivered":
                    continue
                miss = CanaryMiss(
                    canary.operator, country, publication.segment, advisory_id, version,
                    status or "none", publication.published_at,
                )  # fmt: skip
                logger.warning(
                    "canary without a delivered receipt",
                    operator=miss.operator,
                    country=country,
                    segment=miss.segment,
                    advisory_id=advisory_id,
                    version=version,
                    receipt=miss.receipt,
                )
                misses.append(miss)
        return misses

"""Ingest: normalize what a publisher posted and store it as a new version if it changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from consular_alerts.domain.approval import BY_OFFICER, ApprovalRules, Origin, approval_needed
from consular_alerts.domain.dry_run import DryRun
from consular_alerts.domain.messages.country_preview import ByCountry, render_by_country
from consular_alerts.domain.messages.offline import CountryConditions
from consular_alerts.domain.messages.preview import (
    SmsPrices,
    audience_from_counts,
    render_all,
    sms_cost,
)
from consular_alerts.domain.messages.reach import DEFAULT_SMS_PER_SECOND, Reach
from consular_alerts.domain.messages.render import FALLBACK_ORDER, RenderedMessage
from consular_alerts.domain.policy import Decision, NotifyPolicy, decide
from consular_alerts.domain.publication import IngestPolicy, Publication, normalize_publication
from consular_alerts.domain.segments import Segment, audience
from consular_alerts.domain.staff import staff_count
from consular_alerts.errors import MixedStatusError, StaleContentError, VersionMismatchError
from consular_alerts.models.advisory import Advisory, Approval, Status
from consular_alerts.services.history import previous_version
from consular_alerts.services.ports import (
    AdvisoryHead,
    AdvisoryRepository,
    AudienceCounter,
    CountryStore,
    StaffDirectory,
)


@dataclass(frozen=True)
class PreviewConfig:
    base_url: str = "https://alerts.mfa.gov.kg"
    sms_budget: int = 2
    fallback_order: tuple[str, ...] = FALLBACK_ORDER
    notify: NotifyPolicy = field(default_factory=NotifyPolicy)
    country_budgets: Mapping[str, int] = field(default_factory=dict)
    sms_per_second: float = DEFAULT_SMS_PER_SECOND  # time to reach (domain/messages/reach.py)


@dataclass(frozen=True)
class IngestResult:
    created: bool
    advisory: Advisory

    @property
    def pending(self) -> bool:
        """Stored, sent to nobody: waiting for a second officer."""
        return self.advisory.approval is Approval.PENDING


class ConcurrentWriteError(RuntimeError):
    """Other writers kept storing versions of the same advisory; the caller may retry."""


class IngestService:
    def __init__(
        self,
        repository: AdvisoryRepository,
        policy: IngestPolicy,
        clock: Callable[[], datetime],
        preview: PreviewConfig = PreviewConfig(),
        audience: AudienceCounter | None = None,
        prices: SmsPrices | None = None,
        countries: CountryStore | None = None,
        approvals: ApprovalRules | None = None,
        staff: StaffDirectory | None = None,
    ) -> None:
        self._repository = repository
        self._staff = staff  # training mode: whom an exercise reaches (dry run, approval)
        self._approvals = approvals  # two-person approval; None: every version goes out
        self._policy = policy
        self._clock = clock
        self._preview = preview
        self._audience = audience
        self._prices = prices
        self._countries = countries  # shutdown mode; None: every country's internet works

    def dry_run(
        self,
        item: Publication,
        *,
        expected_version: int | None = None,
        revert: bool = False,
        published_by: str | None = None,
    ) -> DryRun:
        """Everything but storing and sending: refused as posting would be refused."""
        now = self._clock()
        warnings: list[str] = []
        advisory = normalize_publication(item, self._policy, now, warnings)
        if published_by is not None:  # an exercise is staff's only when an officer posts it
            advisory = advisory.model_copy(update={"published_by": published_by})
        head = self._repository.head(advisory.advisory_id)
        refuse_unmeant(advisory, head, expected_version, revert)
        if head is not None and head.content_hash == advisory.content_hash:
            existing = self._repository.get(advisory.advisory_id, head.version) or advisory
            decision = Decision(False, f"unchanged: same content as v{head.version}")
            result = self._preview_of(existing, False, decision, None)
        else:
            version = (head.version if head else 0) + 1
            candidate = advisory.model_copy(update={"version": version})
            refuse_mixed(candidate, head, self._repository)
            candidate = self._held_if_needed(candidate, BY_OFFICER)
            previous = previous_version(self._repository, candidate)
            decision = decide(candidate, previous, now, self._preview.notify)
            result = self._preview_of(candidate, True, decision, previous)
        return replace(result, warnings=warnings)

    def preview_stored(self, advisory: Advisory) -> DryRun:
        """What a stored version sends once released (the approval queue shows it)."""
        previous = previous_version(self._repository, advisory)
        decision = decide(advisory, previous, self._clock(), self._preview.notify)
        return self._preview_of(advisory, False, decision, previous)

    def _preview_of(
        self, advisory: Advisory, would_store: bool, decision: Decision, previous: Advisory | None
    ) -> DryRun:
        rendered = self._render(advisory, decision, previous)
        # The segments the fan-out would publish to, whether or not this version notifies:
        # the officer sees who an advisory reaches before deciding to mark it major.
        segments = audience(advisory, previous, decision)
        conditions, by_country = self._by_country(advisory, decision, previous, segments)
        staff = self._staff_reached(segments) if decision.staff_only else None
        if self._audience is None:
            return DryRun(
                advisory, would_store, decision, rendered, None, None, by_country, conditions,
                staff=staff,
            )  # fmt: skip
        # An exercise reaches no citizen: every segment counts none.
        counts = (
            dict.fromkeys(segments, 0)
            if decision.staff_only
            else self._audience.subscribers(segments)
        )
        cost = (
            sms_cost(
                advisory,
                rendered,
                audience_from_counts(counts, self._audience.email_subscribers(segments)),
                self._prices,
                segments,
                per_country=by_country,
            )
            if self._prices is not None
            else None
        )
        reach = (
            Reach(sum(line.recipients for line in cost.lines), self._preview.sms_per_second)
            if cost is not None
            else None
        )
        return DryRun(
            advisory, would_store, decision, rendered, counts, cost, by_country, conditions, reach,
            staff=staff,
        )  # fmt: skip

    def _staff_reached(self, segments: list[Segment]) -> int:
        """How many staff subscriptions an exercise reaching `segments` would be sent to."""
        if self._staff is None:
            return 0
        return staff_count(self._staff.preferences(), segments)

    def _by_country(
        self,
        advisory: Advisory,
        decision: Decision,
        previous: Advisory | None,
        segments: list[Segment],
    ) -> tuple[CountryConditions, ByCountry]:
        """The messages of countries with their internet disrupted or a budget of their own,
        as the fan-out would compose them now."""
        countries = sorted({segment.country for segment in segments})
        disrupted = self._countries.disrupted(countries) if self._countries else frozenset()
        conditions = CountryConditions(
            self._preview.sms_budget, self._preview.country_budgets, disrupted
        )
        by_country = render_by_country(
            advisory,
            decision.kind,
            countries,
            conditions,
            base_url=self._preview.base_url,
            previous=previous,
            fallback_order=self._preview.fallback_order,
        )
        return conditions, by_country

    def _render(
        self, advisory: Advisory, decision: Decision, previous: Advisory | None
    ) -> dict[str, RenderedMessage]:
        return render_all(
            advisory,
            decision.kind,
            base_url=self._preview.base_url,
            sms_budget=self._preview.sms_budget,
            previous=previous,
            fallback_order=self._preview.fallback_order,
        )

    def ingest(
        self,
        item: Publication,
        *,
        published_by: str | None = None,
        expected_version: int | None = None,
        revert: bool = False,
    ) -> IngestResult:
        """Store what `published_by` (the caller's IAM identity) posted; see `store`."""
        advisory = normalize_publication(item, self._policy, self._clock())
        if published_by is not None:
            advisory = advisory.model_copy(update={"published_by": published_by})
        return self.store(advisory, expected_version=expected_version, revert=revert)

    def store(
        self,
        advisory: Advisory,
        *,
        expected_version: int | None = None,
        revert: bool = False,
        origin: Origin = BY_OFFICER,
    ) -> IngestResult:
        """Store as the next version unless the latest version has the same content, or
        the post is not what its publisher meant (`refuse_unmeant`); held for a second
        officer when the approval rules say so (domain/approval.py)."""
        for _ in range(5):
            head = self._repository.head(advisory.advisory_id)
            # Checked again on every attempt: a concurrent writer may have moved the head.
            refuse_unmeant(advisory, head, expected_version, revert)
            if head is not None and head.content_hash == advisory.content_hash:
                existing = self._repository.get(advisory.advisory_id, head.version)
                return IngestResult(
                    False, existing or advisory.model_copy(update={"version": head.version})
                )
            candidate = advisory.model_copy(update={"version": (head.version if head else 0) + 1})
            refuse_mixed(candidate, head, self._repository)
            candidate = self._held_if_needed(candidate, origin)
            if self._repository.save_version(candidate, head, revert=revert):
                if head is not None and self._waiting(candidate.advisory_id, head.version):
                    # A version still waiting is replaced by this one: never sent. (It can
                    # no longer be approved either way: approval needs it to be the latest.)
                    self._repository.settle_approval(
                        candidate.advisory_id,
                        head.version,
                        Approval.REPLACED,
                        at=candidate.received_at,
                        reason=f"replaced by version {candidate.version}",
                    )
                # A cancel closes the advisories it references; an update supersedes them.
                # Only a real one: a drill's or a draft's cancel must not tell citizens (on
                # the advisory page) that a live advisory is over.
                if candidate.status is Status.ACTUAL:
                    for reference in candidate.references:
                        self._repository.mark_replaced(reference, candidate)
                return IngestResult(True, candidate)
        raise ConcurrentWriteError(f"advisory {advisory.advisory_id} is being written concurrently")

    def _waiting(self, advisory_id: str, version: int) -> bool:
        if self._approvals is None:
            return False
        stored = self._repository.get(advisory_id, version)
        return stored is not None and stored.approval is Approval.PENDING

    def _held_if_needed(self, candidate: Advisory, origin: Origin) -> Advisory:
        """The candidate, marked pending when a second officer must release it."""
        if self._approvals is None:
            return candidate
        previous = previous_version(self._repository, candidate)
        decision = decide(candidate, previous, self._clock(), self._preview.notify)
        subscribers = None
        if decision.staff_only:  # an exercise: the staff it reaches are its audience
            subscribers = self._staff_reached(audience(candidate, previous, decision))
        elif decision.notify and self._audience is not None:
            reached = self._audience.subscribers(audience(candidate, previous, decision))
            subscribers = sum(reached.values())
        rule = approval_needed(candidate, previous, decision, subscribers, self._approvals, origin)
        if rule is None:
            return candidate
        return candidate.model_copy(update={"approval": Approval.PENDING, "approval_rule": rule})


def refuse_unmeant(
    advisory: Advisory, head: AdvisoryHead | None, expected_version: int | None, revert: bool
) -> None:
    """Raise when storing `advisory` on `head` is not what its publisher meant: they edited
    another version than the current one (412), or, not saying it is a revert, they posted
    the content of an earlier, not the latest, version (409): a stale copy would roll the
    advisory back and notify every citizen again."""
    current = head.version if head is not None else 0
    if expected_version is not None and expected_version != current:
        now = f"is at version {current}" if current else "has no version yet"
        raise VersionMismatchError(
            f"advisory {advisory.advisory_id} {now}, not {expected_version} (If-Match or "
            f"expected_version): nothing stored; see version {current} and post on it",
            current,
        )
    if (
        head is not None
        and not revert
        and advisory.content_hash != head.content_hash
        and advisory.content_hash in head.earlier_hashes
    ):
        raise StaleContentError(
            f"advisory {advisory.advisory_id}: this is the content of an earlier version, "
            f"not of the current version {current}: nothing stored. To restore it, post it "
            "again with revert=true",
            current,
        )


def refuse_mixed(
    candidate: Advisory, head: AdvisoryHead | None, repository: AdvisoryRepository
) -> None:
    """Training mode: an exercise never replaces, cancels or updates an actual advisory, nor
    the reverse (409, nothing stored): a rehearsal must not end a real alert, and a real
    alert must not read as the continuation of a drill. Compared with the latest exercise or
    actual version of the same advisory and of each advisory it references: a draft or test
    version in between (sent to no one) does not turn a drill's next version into a real
    alert."""
    kinds = {Status.EXERCISE, Status.ACTUAL}
    if candidate.status not in kinds:
        return
    other = kinds - {candidate.status}
    for advisory_id in (candidate.advisory_id, *candidate.references):
        latest_head = head if advisory_id == candidate.advisory_id else repository.head(advisory_id)
        if latest_head is None:
            continue
        latest = _latest_of(kinds, repository, advisory_id, latest_head.version)
        if latest is not None and latest.status in other:
            what = "this advisory" if advisory_id == candidate.advisory_id else advisory_id
            raise MixedStatusError(
                f"advisory {candidate.advisory_id}: status {candidate.status.value} cannot "
                f"follow {what} version {latest.version}, which is {latest.status.value}: "
                "an exercise and an actual advisory never replace, cancel or update each "
                "other; nothing stored. Post it under another advisory_id",
                candidate.version - 1,  # the posted advisory's current version
            )


def _latest_of(
    kinds: set[Status], repository: AdvisoryRepository, advisory_id: str, version: int
) -> Advisory | None:
    """The newest version, at or below `version`, whose status is one of `kinds`. Usually
    the latest itself (one read); a read per draft or test version stored after it."""
    for earlier in range(version, 0, -1):
        advisory = repository.get(advisory_id, earlier)
        if advisory is not None and advisory.status in kinds:
            return advisory
    return None

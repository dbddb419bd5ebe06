"""Two-person approval: a second officer approves or rejects a version held for approval;
the queue of waiting versions; the sweep that expires those that waited too long."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from consular_alerts.domain.approval import ApprovalRules, expired
from consular_alerts.errors import RequestError
from consular_alerts.models.advisory import Advisory, Approval
from consular_alerts.services.ports import AdvisoryRepository


@dataclass
class SweepReport:
    waiting: int = 0  # versions still waiting for a second officer
    oldest_minutes: float = 0.0  # how long the oldest of them has waited
    expired: list[str] = field(default_factory=list)  # "<id>#v<version>" expired now
    replaced: list[str] = field(default_factory=list)  # a newer version came first


class ApprovalService:
    def __init__(
        self, repository: AdvisoryRepository, clock: Callable[[], datetime], rules: ApprovalRules
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._rules = rules

    def decide(
        self, advisory_id: str, version: int, principal: str, *, approve: bool, reason: str
    ) -> Advisory:
        """Release (approve) or refuse (reject) a waiting version as `principal`, who must
        not be who published it. A version no longer waiting is a 409 saying why."""
        advisory = self._repository.get(advisory_id, version)
        if advisory is None:
            raise RequestError(404, f"no version {version} of advisory {advisory_id}")
        if advisory.approval is None:
            raise RequestError(
                409, f"{advisory_id} version {version} needed no approval: it went out as stored"
            )
        if advisory.approval is not Approval.PENDING:
            raise RequestError(409, _no_longer_waiting(advisory))
        if advisory.published_by == principal:
            raise RequestError(
                403,
                f"{advisory_id} version {version}: a second officer must approve or reject it, "
                "not the one who published it",
            )
        now = self._clock()
        head = self._repository.head(advisory_id)
        if head is not None and head.version != version:
            self._settle(advisory, Approval.REPLACED, now, reason=f"replaced by {head.version}")
            raise RequestError(
                409,
                f"{advisory_id} version {version} was replaced by version {head.version}: "
                "never sent; approve that one instead",
            )
        if expired(advisory, now, self._rules):
            self._settle(advisory, Approval.EXPIRED, now, reason="waited too long")
            raise RequestError(409, _expired_message(advisory, self._rules))
        state = Approval.APPROVED if approve else Approval.REJECTED
        if not self._repository.settle_approval(
            advisory_id, version, state, at=now, by=principal, reason=reason, while_latest=approve
        ):
            current = self._repository.get(advisory_id, version) or advisory
            raise RequestError(409, _no_longer_waiting(current, fallback="replaced meanwhile"))
        return advisory.model_copy(
            update={
                "approval": state,
                "decided_by": principal,
                "decided_at": now,
                "decision_reason": reason or None,
            }
        )

    def pending(self) -> list[Advisory]:
        """The versions a second officer can still approve, oldest first."""
        self.sweep()
        return self._repository.pending_approvals()

    def sweep(self) -> SweepReport:
        """Expire what waited longer than the timeout and close what a newer version
        replaced (both never sent); count what still waits."""
        now = self._clock()
        report = SweepReport()
        for advisory in self._repository.pending_approvals():
            name = f"{advisory.advisory_id}#v{advisory.version}"
            head = self._repository.head(advisory.advisory_id)
            if head is not None and head.version != advisory.version:
                if self._settle(advisory, Approval.REPLACED, now, f"replaced by {head.version}"):
                    report.replaced.append(name)
            elif expired(advisory, now, self._rules):
                if self._settle(advisory, Approval.EXPIRED, now, "waited too long"):
                    report.expired.append(name)
            else:
                report.waiting += 1
                waited = (now - advisory.received_at).total_seconds() / 60
                report.oldest_minutes = max(report.oldest_minutes, waited)
        return report

    def _settle(self, advisory: Advisory, state: Approval, now: datetime, reason: str) -> bool:
        return self._repository.settle_approval(
            advisory.advisory_id, advisory.version, state, at=now, reason=reason
        )


def _expired_message(advisory: Advisory, rules: ApprovalRules) -> str:
    minutes = int(rules.timeout.total_seconds() // 60)
    return (
        f"{advisory.advisory_id} version {advisory.version} waited more than {minutes} minutes "
        "(ApprovalTimeoutMinutes): never sent; post it again to send it"
    )


def _no_longer_waiting(advisory: Advisory, fallback: str = "") -> str:
    # Not who decided: refusals are logged, and a principal may hold an email address.
    state = advisory.approval.value if advisory.approval else fallback
    return (
        f"{advisory.advisory_id} version {advisory.version} no longer waits for approval: "
        f"{state} (GET /advisories/{advisory.advisory_id}/history says by whom)"
    )

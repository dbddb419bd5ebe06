"""What was delivered: the counts of an advisory version's receipts, per segment, as the
delivery report shows them and the delivered-share alarm judges them (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from consular_alerts.models.receipts import (
    DeliveryReport,
    EmailCounts,
    SegmentDelivery,
    SmsCounts,
)

EMAIL_RECEIPTS = (
    "sent through SES, one message per address and version; delivered, bounced and "
    "complained as SES's events report them (emails, and each segment's email)"
)


@dataclass(frozen=True)
class Publication:
    """One segment publish of an advisory version, as the delivery ledger records it."""

    delivery_key: str  # "<advisory_id>#v<version>"
    segment: str
    message_id: str  # SNS's, for the publish to the segment's topic
    published_at: datetime


def delivery_key(advisory_id: str, version: int) -> str:
    return f"{advisory_id}#v{version}"


def split_delivery_key(key: str) -> tuple[str, int]:
    advisory_id, _, version = key.rpartition("#v")
    return advisory_id, int(version)


@dataclass
class SegmentTally:
    """What has been counted for one segment of one advisory version."""

    delivered: int = 0
    failed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    cost_usd: float = 0.0
    countries: dict[str, int] = field(default_factory=dict)
    operators: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    audience: int | None = None
    last_receipt_at: datetime | None = None

    def counts(self) -> SmsCounts:
        return SmsCounts(
            delivered=self.delivered,
            failed=self.failed,
            failed_by_reason={k: v for k, v in sorted(self.reasons.items()) if v},
            cost_usd=round(self.cost_usd, 5),
            by_country={k: v for k, v in sorted(self.countries.items()) if v},
            by_operator={k: v for k, v in sorted(self.operators.items()) if v},
            duplicates=self.duplicates,
        )


def _pending(audience: int | None, tally: SegmentTally, email: EmailCounts) -> int | None:
    """At most how many of the audience have no known fate yet: an SMS receipt (delivered or
    failed), or an SES event that ends an email (delivered or bounced)."""
    if audience is None:
        return None
    known = tally.delivered + tally.failed + email.delivered + email.bounced
    return max(0, audience - known)


def _sum(counts: list[SmsCounts]) -> SmsCounts:
    def merged(name: str) -> dict[str, int]:
        total: dict[str, int] = {}
        for count in counts:
            for key, value in getattr(count, name).items():
                total[key] = total.get(key, 0) + value
        return dict(sorted(total.items()))

    return SmsCounts(
        delivered=sum(c.delivered for c in counts),
        failed=sum(c.failed for c in counts),
        failed_by_reason=merged("failed_by_reason"),
        cost_usd=round(sum(c.cost_usd for c in counts), 5),
        by_country=merged("by_country"),
        by_operator=merged("by_operator"),
        duplicates=sum(c.duplicates for c in counts),
    )


def delivery_report(
    advisory_id: str,
    version: int,
    publications: list[Publication],
    tallies: Mapping[str, SegmentTally],
    email_tallies: Mapping[str, Mapping[str, int]] | None = None,
) -> DeliveryReport:
    emails = {name: email_counts(counts) for name, counts in (email_tallies or {}).items()}
    segments = []
    for publication in sorted(publications, key=lambda p: p.segment):
        tally = tallies.get(publication.segment, SegmentTally())
        email = emails.get(publication.segment, EmailCounts())
        segments.append(
            SegmentDelivery(
                segment=publication.segment,
                message_id=publication.message_id,
                published_at=publication.published_at,
                audience=tally.audience,
                sms=tally.counts(),
                pending=_pending(tally.audience, tally, email),
                last_receipt_at=tally.last_receipt_at,
                email=email,
            )
        )
    sms = _sum([segment.sms for segment in segments])
    audiences = [s.audience for s in segments if s.audience is not None]
    pendings = [s.pending for s in segments if s.pending is not None]
    published = min((p.published_at for p in publications), default=None)
    last = max((s.last_receipt_at for s in segments if s.last_receipt_at), default=None)
    known = sms.delivered + sms.failed
    return DeliveryReport(
        advisory_id=advisory_id,
        version=version,
        published_at=published,
        last_receipt_at=last,
        seconds_to_last_receipt=(last - published).total_seconds() if last and published else None,
        audience=sum(audiences) if audiences else None,
        sms=sms,
        pending=sum(pendings) if pendings else None,
        delivered_share=round(sms.delivered / known, 4) if known else None,
        segments=segments,
        email=EMAIL_RECEIPTS,
        emails=_sum_emails(list(emails.values())),
    )


def email_counts(counters: Mapping[str, int]) -> EmailCounts:
    return EmailCounts(
        sent=counters.get("sent", 0),
        delivered=counters.get("delivered", 0),
        bounced=counters.get("bounced", 0),
        complained=counters.get("complained", 0),
        bounced_by_type={
            name.removeprefix("bounce_"): value
            for name, value in sorted(counters.items())
            if name.startswith("bounce_") and value
        },
        duplicates=counters.get("duplicates", 0),
    )


def _sum_emails(counts: list[EmailCounts]) -> EmailCounts:
    by_type: dict[str, int] = {}
    for count in counts:
        for name, value in count.bounced_by_type.items():
            by_type[name] = by_type.get(name, 0) + value
    return EmailCounts(
        sent=sum(c.sent for c in counts),
        delivered=sum(c.delivered for c in counts),
        bounced=sum(c.bounced for c in counts),
        complained=sum(c.complained for c in counts),
        bounced_by_type=dict(sorted(by_type.items())),
        duplicates=sum(c.duplicates for c in counts),
    )


def shortfall(report: DeliveryReport, threshold: float) -> str | None:
    """Why a report falls short of the delivered share `threshold` (0-1), or None. An
    advisory with phones among its subscribers and no SMS receipt at all falls short too
    (SNS sent nothing, or its logs do not arrive). The phones are the audience less the
    emails sent: an audience of email addresses only expects no SMS receipt."""
    if report.delivered_share is None:
        phones = (report.audience or 0) - report.emails.sent
        if phones > 0:
            return f"no SMS receipt for {phones} phone subscriber(s)"
        return None
    if report.delivered_share < threshold:
        return (
            f"delivered {report.delivered_share:.0%} of {report.sms.delivered + report.sms.failed}"
            f" SMS, below {threshold:.0%}"
        )
    return None

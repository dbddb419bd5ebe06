"""Receipts: SNS's SMS delivery-status log records, attributed to the advisory version and
segment whose publish they report on, and counted once.

Attribution, in order: the record's message id is a publish's message id in the delivery
ledger (what the ledger keeps for each published segment); else the record names a segment
topic of this stack, and the receipt goes to the last publish to that segment before the
record's publish time; else it is counted as unattributed (the one-time codes the citizen
API sends straight to phones are among these). A record that is no receipt at all is counted
as unreadable. Nothing here raises for a bad record: one bad line must not hold up the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from consular_alerts.domain.delivery.receipts import Receipt, UnreadableReceiptError, read_receipt
from consular_alerts.domain.delivery.report import Publication
from consular_alerts.observability import redacting_logger
from consular_alerts.services.ports import PublicationLog, ReceiptStore, RecordOutcome

logger = redacting_logger()


@dataclass
class ReceiptTally:
    """What one batch of log events came to."""

    counted: int = 0
    delivered: int = 0
    failed: int = 0
    duplicates: int = 0
    changed: int = 0
    by_topic: int = 0  # attributed by topic and time, not by message id
    unattributed: int = 0
    unreadable: int = 0

    def as_json(self) -> dict[str, int]:
        return asdict(self)


class ReceiptService:
    def __init__(
        self,
        publications: PublicationLog,
        store: ReceiptStore,
        hash_destination: Callable[[str], str],
        topic_name_prefix: str,
    ) -> None:
        self._publications = publications
        self._store = store
        self._hash = hash_destination  # keyed: the number itself is never kept
        self._topic_prefix = topic_name_prefix  # "<stack>-seg-"

    def record(self, events: Iterable[tuple[str, datetime, str]]) -> ReceiptTally:
        """`events`: (log event id, its timestamp, its message) as CloudWatch Logs sent them."""
        tally = ReceiptTally()
        by_message: dict[str, Publication | None] = {}
        for event_id, logged_at, message in events:
            try:
                receipt = read_receipt(message, logged_at, self._hash)
            except UnreadableReceiptError as problem:
                tally.unreadable += 1
                logger.warning(
                    "not a delivery-status record", event_id=event_id, problem=str(problem)
                )
                continue
            if receipt.message_id not in by_message:
                by_message[receipt.message_id] = self._publications.by_message_id(
                    receipt.message_id, receipt.published_at
                )
            publication = by_message[receipt.message_id]
            if publication is None:
                publication = self._by_topic(receipt)
                tally.by_topic += publication is not None
            if publication is None:
                self._store.record_unattributed(receipt)
                tally.unattributed += 1
                continue
            outcome = self._store.record(publication, receipt)
            if outcome is RecordOutcome.DUPLICATE:
                tally.duplicates += 1
            elif outcome is RecordOutcome.CHANGED:
                tally.changed += 1
            else:
                tally.counted += 1
                tally.delivered += receipt.delivered
                tally.failed += not receipt.delivered
        return tally

    def _by_topic(self, receipt: Receipt) -> Publication | None:
        """The last publish to the segment a record's topic ARN names, before the record's
        publish time (a few seconds' margin for clocks)."""
        topic = receipt.topic_arn.rsplit(":", 1)[-1]
        if not receipt.topic_arn or not topic.startswith(self._topic_prefix):
            return None
        segment = topic[len(self._topic_prefix) :]
        return self._publications.latest_to_segment(
            segment, receipt.published_at + timedelta(seconds=5)
        )

"""Test data several test modules build: each builder returns a valid default and applies the
caller's changes, so a test names only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from consular_alerts.domain.normalize import sealed
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.publisher import AdvisoryDraft

NOW = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)  # also where FakeClock starts


def an_advisory(**changes: object) -> Advisory:
    """A stored advisory (sealed: its content hash computed): version 1 of mfa-kg-abc, KZ,
    level 3, in Russian, sent and received at NOW."""
    record: dict[str, object] = {
        "advisory_id": "mfa-kg-abc",
        "version": 1,
        "source": "mfa-kg",
        "source_id": "abc",
        "sent": NOW,
        "received_at": NOW,
        "countries": ["KZ"],
        "level": 3,
        "content": {
            "ru": {
                "headline": "Протесты в Казахстане",
                "instruction": "Избегайте мест массового скопления людей.",
            }
        },
        "hotlines": [{"number": "+996772454444", "label": "Посольство"}],
    }
    record.update(changes)
    return sealed(record)


def a_draft(**changes: object) -> AdvisoryDraft:
    """What a publisher posts as JSON: cms-42, KZ, level 3, in Russian, one hotline."""
    data: dict[str, object] = {
        "source_id": "cms-42",
        "countries": ["KZ"],
        "level": 3,
        "content": {"ru": {"headline": "Беспорядки в Алматы", "body": "Оставайтесь дома."}},
        "hotlines": [{"number": "+77770371448", "label": "Консульство в Алматы"}],
    }
    data.update(changes)
    return AdvisoryDraft.model_validate(data)


def a_stream_record(
    sequence: int, version: int, *, event_name: str = "INSERT", advisory_id: str = "mfa-kg-a"
) -> dict[str, Any]:
    """A keys-only record of the advisories table's stream (version 0 is the head item)."""
    return {
        "eventName": event_name,
        "dynamodb": {
            "SequenceNumber": str(sequence),
            "Keys": {"advisory_id": {"S": advisory_id}, "version": {"N": str(version)}},
        },
    }

"""Which published CAP messages are in force (domain/alerts_in_force.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from consular_alerts.domain.alerts_out.alerts_in_force import (
    TEST_LIFETIME,
    entry_for,
    in_force_until,
    with_message,
    without_expired,
)
from consular_alerts.domain.normalize import sealed
from consular_alerts.models.advisory import MsgType
from consular_alerts.models.alert_index import AlertIndex, IndexEntry

NOW = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def entry(advisory_id: str, version: int = 1, **fields: Any) -> IndexEntry:
    advisory = sealed(
        {
            "advisory_id": advisory_id,
            "version": version,
            "source": "mfa-kg",
            "source_id": advisory_id,
            "sent": fields.pop("sent", NOW),
            "received_at": NOW,
            "countries": ["KZ"],
            "level": 2,
            "content": {"en": {"headline": advisory_id}},
            **fields,
        }
    )
    msg_type = advisory.msg_type
    return entry_for(advisory, msg_type, in_force_until(advisory, msg_type))


def ids(entries: list[IndexEntry]) -> list[str]:
    return [f"{e.advisory_id}#v{e.version}" for e in entries]


def test_newest_first_and_one_entry_per_advisory() -> None:
    index = AlertIndex()
    index = with_message(index, entry("a", sent=NOW), [], NOW)
    index = with_message(index, entry("b", sent=NOW + timedelta(hours=1)), [], NOW)
    index = with_message(index, entry("a", 2, sent=NOW + timedelta(hours=2)), [], NOW)
    assert ids(index.alerts) == ["a#v2", "b#v1"]
    # An older copy arriving late changes nothing.
    assert with_message(index, entry("a", 1), [], NOW) == index


def test_a_drills_references_leave_real_alerts_alone() -> None:
    index = with_message(AlertIndex(), entry("real"), [], NOW)
    drill = entry("drill", status="test", msg_type="cancel", references=["real"])
    index = with_message(index, drill, [("real", 1)], NOW)
    assert ids(index.alerts) == ["real#v1"]
    assert ids(index.tests) == ["drill#v1"]
    assert index.replaced == {}


def test_a_cancel_without_expiry_has_a_day_and_a_test_without_one_a_week() -> None:
    cancel = entry("c", msg_type="cancel", references=["x"])
    assert cancel.msg_type is MsgType.CANCEL
    assert cancel.expires == NOW + timedelta(days=1)
    index = with_message(AlertIndex(), entry("t", status="test"), [], NOW)
    assert ids(without_expired(index, NOW + TEST_LIFETIME - timedelta(seconds=1)).tests) == ["t#v1"]
    assert without_expired(index, NOW + TEST_LIFETIME).tests == []


def test_a_republished_advisory_comes_back_after_it_was_replaced() -> None:
    index = with_message(AlertIndex(), entry("a"), [], NOW)
    index = with_message(index, entry("b", msg_type="update", references=["a"]), [("a", 1)], NOW)
    assert ids(index.alerts) == ["b#v1"]
    assert ids(with_message(index, entry("a", 1), [], NOW).alerts) == ["b#v1"]
    later = entry("a", 2, sent=NOW + timedelta(hours=1))
    assert ids(with_message(index, later, [], NOW).alerts) == ["a#v2", "b#v1"]

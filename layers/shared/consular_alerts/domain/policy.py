"""Whether an advisory version notifies citizens, with the reason (always logged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consular_alerts.models import Advisory, MsgType, Status


@dataclass(frozen=True)
class Decision:
    notify: bool
    reason: str
    kind: str = ""  # new | update | cancel: which marker the messages carry


def decide(advisory: Advisory, now: datetime) -> Decision:
    if advisory.status is not Status.ACTUAL:
        return Decision(False, f"status {advisory.status.value} never reaches citizens")
    if advisory.expires is not None and advisory.expires <= now:
        return Decision(False, f"expired at {advisory.expires.isoformat()}")
    if advisory.msg_type is MsgType.CANCEL:
        return Decision(True, "cancel of an advisory citizens were told about", "cancel")
    if advisory.msg_type is MsgType.UPDATE or advisory.version > 1:
        return Decision(True, f"update (version {advisory.version})", "update")
    return Decision(True, "new alert", "new")

"""Time to reach: how long sending an advisory's SMS takes at the account's SMS rate.

The model: SNS hands the SMS of a publish to the carriers at the account's rate (a quota,
`SmsMessagesPerSecond`, 20 by default here), one SMS per recipient, so the last of N phones
is reached after about N / rate seconds. It leaves out what it cannot know: the publish
itself (milliseconds), carrier queues (minutes in a crisis) and the handset's acceptance.
Where a route's throughput is counted in message parts rather than messages, a 2-part SMS
would take twice as long; the model counts messages, as the issue's figure does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DEFAULT_SMS_PER_SECOND = 20.0
MODEL = "phones / SMS per second (the account's SNS SMS rate); carrier queues not included"


@dataclass(frozen=True)
class Reach:
    phones: int
    sms_per_second: float

    @property
    def seconds(self) -> int:
        return math.ceil(self.phones / self.sms_per_second) if self.phones else 0

    def describe(self) -> str:
        """'120,000 phones: about 1 h 40 min at 20 SMS/s'"""
        rate = f"{self.sms_per_second:g}"
        return f"{self.phones:,} phones: {duration(self.seconds)} at {rate} SMS/s"


def duration(seconds: int) -> str:
    """'about 1 h 40 min', 'about 8 min 20 s', 'about 50 s', 'under a second'."""
    if seconds <= 0:
        return "under a second"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        minutes += 1 if secs >= 30 else 0  # an hour or more: to the minute
        if minutes == 60:
            hours, minutes = hours + 1, 0
        return f"about {hours} h {minutes} min" if minutes else f"about {hours} h"
    if minutes:
        return f"about {minutes} min {secs} s" if secs else f"about {minutes} min"
    return f"about {secs} s"


def reach_json(reach: Reach) -> dict[str, Any]:
    return {
        "phones": reach.phones,
        "sms_per_second": reach.sms_per_second,
        "seconds": reach.seconds,
        "text": reach.describe(),
        "model": MODEL,
    }

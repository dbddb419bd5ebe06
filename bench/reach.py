"""Time to reach (issue 17): the modelled time for the last of N phones to be handed its
SMS at the account's SMS rate (domain/messages/reach.py: N / rate; carrier queues not
included). A model, not a measurement: moto sends nothing, and the rate is a quota."""

from __future__ import annotations

from consular_alerts.domain.messages.reach import DEFAULT_SMS_PER_SECOND, MODEL, Reach

from bench.common import Figure, Report

PHONES = (10_000, 1_000_000)


def run(report: Report, rate: float = DEFAULT_SMS_PER_SECOND) -> None:
    for phones in PHONES:
        reach = Reach(phones, rate)
        report.add(
            Figure(
                "reach",
                f"modelled time to reach {phones:,} phones at {rate:g} SMS/s",
                reach.describe().split(": ", 1)[1].rsplit(" at ", 1)[0],
                "none (model)",
                None,
                f"{reach.seconds:,} s; {MODEL}",
            )
        )

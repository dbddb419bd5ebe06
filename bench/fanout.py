"""Fan-out cost: what one advisory costs at 10, 1,000 and 10,000 subscribers.

Each size gets a fresh stack on one local moto server (alerts_local.scale): simulated
citizens subscribe, the seed advisory is posted through the publisher handler and fanned out
from the DynamoDB stream. Counted: SNS publishes, fan-out invocations and the AWS calls they
made, beside the per-recipient approach (one publish per subscriber reached) in the same run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from moto.server import ThreadedMotoServer

from alerts_local.lambdas import use_local_credentials
from alerts_local.scale import (
    FILTER_POLICIES_PER_TOPIC,
    ScaleResult,
    fresh_stack,
    measure,
    sample_has_no_filter_policy,
)
from bench.common import Figure, Report


def _table(results: list[ScaleResult]) -> str:
    lines = [
        f"    {'subscribers':>11} {'segments':>8} {'reached':>7} {'publishes':>9} "
        f"{'invocations':>11} {'AWS calls':>9} {'per-recipient publishes':>23}"
    ]
    lines += [
        f"    {r.subscribers:>11,} {r.segments:>8} {r.segments_reached:>7} {r.publishes:>9} "
        f"{r.fanout_invocations:>11} {r.fanout_calls:>9} {r.recipients:>23,}"
        for r in results
    ]
    return "\n".join(lines)


def run(report: Report, sizes: tuple[int, ...]) -> None:
    print(f"Fan-out cost of the seed advisory (KZ, level 2) at {', '.join(map(str, sizes))}")
    use_local_credentials("us-east-1")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        results: list[ScaleResult] = []
        for size in sizes:
            stack, functions = fresh_stack(f"http://{host}:{port}", "bench")
            results.append(measure(stack, functions, size, via_service=min(size, 200)))
            if not sample_has_no_filter_policy(stack):
                raise AssertionError("a subscription has a filter policy")
    finally:
        server.stop()
    print(_table(results))
    largest = results[-1]
    counters: tuple[tuple[str, Callable[[ScaleResult], int]], ...] = (
        ("SNS publishes", lambda r: r.publishes),
        ("fan-out invocations", lambda r: r.fanout_invocations),
        ("fan-out AWS calls", lambda r: r.fanout_calls),
    )
    for label, value in counters:
        counts = [value(r) for r in results]
        report.add(
            Figure(
                "fan-out",
                f"{label} per advisory at {' / '.join(f'{r.subscribers:,}' for r in results)} "
                "subscribers",
                " / ".join(map(str, counts)),
                "identical at every size",
                len(set(counts)) == 1,
                f"per-recipient approach: {' / '.join(f'{r.recipients:,}' for r in results)}"
                " publishes"
                if label == "SNS publishes"
                else "",
            )
        )
    report.add(
        Figure(
            "fan-out",
            f"filter policies at {largest.subscribers:,} subscribers",
            str(largest.filter_policies),
            f"0 (SNS allows {FILTER_POLICIES_PER_TOPIC} per topic)",
            largest.filter_policies == 0 and largest.quotas_ok(),
            f"{largest.segments} segment topics in use, at most "
            f"{largest.max_subscriptions_per_topic:,} subscriptions on one",
        )
    )

"""`make bench`: every figure of issue 7, one table (also build/bench.md and build/bench.json).

    python -m bench [--quick]
                    [--only coldstart fanout email pipeline normalization sms reach memory]

--quick: fewer rounds and smaller sizes, to check the suite runs (its figures are noisier).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime

from bench import coldstart, email, fanout, memory, normalization, pipeline, reach, sms
from bench.common import Report, machine, table, write

AREAS = ("coldstart", "fanout", "email", "pipeline", "normalization", "sms", "reach", "memory")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes")
    parser.add_argument("--only", nargs="+", choices=AREAS, default=list(AREAS))
    args = parser.parse_args(argv)
    # The functions' metric lines (CloudWatch EMF on stdout) would bury the figures; the
    # child processes inherit this.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    rounds = 5 if args.quick else 15
    report = Report(rounds=rounds)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    print(f"make bench{' --quick' if args.quick else ''}: {machine()}\n")
    for area in AREAS:
        if area not in args.only:
            continue
        if area == "coldstart":
            coldstart.run(report, rounds)
        elif area == "fanout":
            fanout.run(report, (10, 100, 1_000) if args.quick else (10, 1_000, 10_000))
        elif area == "email":
            email.run(report, (10, 100) if args.quick else (10, 100, 1_000))
        elif area == "pipeline":
            pipeline.run(report, 50)
        elif area == "normalization":
            normalization.run(report, rounds)
        elif area == "sms":
            sms.run(report)
        elif area == "reach":
            reach.run(report)
        elif area == "memory":
            memory.run(report, 1 if args.quick else 3)
        print()
    markdown, data = write(report, started)
    print(table(report.figures))
    print(f"\n{time.perf_counter() - clock:.0f} s; written to {markdown} and {data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What every benchmark shares: figures, medians, side-by-side timing, the table.

Every figure is a ratio or a count measured in this run: absolute times on shared machines
drift from run to run, so a time is only ever divided by another measured beside it.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONSULAR_ALERTS_SHARED", REPO_ROOT.parent / "shared"))
FIXTURES = SHARED / "fixtures"
US_STATE_FEED = FIXTURES / "feeds" / "us-state-travel-advisories.xml"
CAP_DIR = FIXTURES / "cap"
BUILD = REPO_ROOT / "build"


@dataclass
class Figure:
    """One row of the table: `measured` against `target`, met or not (None: skipped)."""

    area: str
    name: str
    measured: str
    target: str
    met: bool | None
    detail: str = ""


@dataclass
class Report:
    rounds: int
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        verdict = {True: "met", False: "NOT MET", None: "no verdict"}[figure.met]
        print(f"  {figure.name}: {figure.measured} (target {figure.target}, {verdict})")
        if figure.detail:
            print(f"    {figure.detail}")

    def skip(self, area: str, name: str, target: str, why: str) -> None:
        self.add(Figure(area, name, "skipped", target, None, why))


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def ratio_text(value: float) -> str:
    return f"{value:.2f}x"


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(
    contenders: dict[str, Callable[[], object]], rounds: int, warmup: bool = True
) -> dict[str, list[float]]:
    """Seconds of each contender per round, run one after the other in every round so that
    all of them see the same machine state; a first untimed round warms caches."""
    if warmup:
        for function in contenders.values():
            function()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            times[name].append(timed(function))
    return times


def paired_ratio(times: dict[str, list[float]], numerator: str, denominator: str) -> float:
    """Median over rounds of numerator / denominator measured in the same round."""
    return median([a / b for a, b in zip(times[numerator], times[denominator], strict=True)])


def machine() -> str:
    cores = os.cpu_count() or 0
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            total_kb = int(meminfo.readline().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            cpu = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                cpu,
            )
    except OSError:
        pass
    return (
        f"{cpu}, {cores} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}"
    )


def table(figures: Sequence[Figure]) -> str:
    """The markdown table `make bench` prints and the README quotes."""
    rows = [("figure", "measured", "target", "met")]
    for f in figures:
        rows.append(
            (f.name, f.measured, f.target, {True: "yes", False: "**no**", None: "–"}[f.met])
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(rows[0], widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows[1:]
    ]
    return "\n".join(lines)


def write(report: Report, started: datetime) -> tuple[Path, Path]:
    """build/bench.json and build/bench.md (git-ignored), to refresh the README's table."""
    BUILD.mkdir(exist_ok=True)
    stamp = started.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"Measured {stamp} on {machine()}; medians over {report.rounds} rounds."
    markdown = BUILD / "bench.md"
    markdown.write_text(
        header + "\n\n" + table(report.figures) + "\n" + "".join(f"\n{n}" for n in report.notes),
        encoding="utf-8",
    )
    data = BUILD / "bench.json"
    data.write_text(
        json.dumps(
            {
                "measured_at": started.astimezone(UTC).isoformat(),
                "machine": machine(),
                "rounds": report.rounds,
                "figures": [asdict(f) for f in report.figures],
                "notes": report.notes,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    return markdown, data

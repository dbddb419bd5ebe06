"""Cold start: each handler module imported in a fresh Python process, against a fresh
process that only imports boto3 (the floor every handler pays: the Lambda runtime ships it).

Each process gets the sys.path a Lambda would give it: the function's folder, then the
layer's folder (then this environment's site-packages, where the layer's dependencies are
installed locally). Rounds are interleaved (floor, handler A, floor, handler B, ...) and the
figure is the median over rounds of the handler's time over the floor's beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.common import REPO_ROOT, Figure, Report, median, ratio_text

HANDLERS = ("ingest", "fanout", "subscriptions", "poller", "advisories")
TARGET = 1.3
LAYER = REPO_ROOT / "layers" / "shared"


def _environment(function: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "POWERTOOLS", "AWS"))}
    env.update(
        AWS_DEFAULT_REGION="us-east-1",
        POWERTOOLS_SERVICE_NAME=function or "floor",
        POWERTOOLS_LOG_LEVEL="INFO",
        POWERTOOLS_METRICS_NAMESPACE="ConsularAlerts",
    )
    if function is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "functions" / function), str(LAYER)])
    return env


def _seconds(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - start


def imported_modules(function: str) -> set[str]:
    """The modules a handler's import loads (what a cold start pays for)."""
    code = "import sys, app; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_environment(function),
        check=True,
        capture_output=True,
        text=True,
    )
    return set(result.stdout.split())


def run(report: Report, rounds: int) -> None:
    print(f"Cold start: handler import / boto3-only import, fresh processes, {rounds} rounds")
    floor_env = _environment(None)
    envs = {name: _environment(name) for name in HANDLERS}
    for name in HANDLERS:  # warm the file system cache and .pyc files
        _seconds("import app", envs[name])
    _seconds("import boto3", floor_env)
    ratios: dict[str, list[float]] = {name: [] for name in HANDLERS}
    floors: list[float] = []
    absolute: dict[str, list[float]] = {name: [] for name in HANDLERS}
    for _ in range(rounds):
        for name in HANDLERS:
            floor = _seconds("import boto3", floor_env)
            handler = _seconds("import app", envs[name])
            floors.append(floor)
            absolute[name].append(handler)
            ratios[name].append(handler / floor)
    for name in HANDLERS:
        measured = median(ratios[name])
        heavy = sorted(
            m
            for m in imported_modules(name)
            if m.split(".")[0] in {"aws_xray_sdk", "pydantic_settings", "feedparser", "pycountry"}
            or m in {"consular_alerts.models.base", "pydantic", "phonenumbers"}
        )
        report.add(
            Figure(
                "cold start",
                f"cold start {name} / boto3 floor",
                ratio_text(measured),
                f"≤ {TARGET}x",
                measured <= TARGET,
                f"median {median(absolute[name]) * 1000:.0f} ms vs floor "
                f"{median(floors) * 1000:.0f} ms; heavy modules loaded at import: "
                f"{', '.join(heavy) or 'none'}",
            )
        )

"""Ingest throughput on the real-world corpus (../shared/fixtures), never asserted in tests.

For the US State Department travel-advisory RSS and for every CAP alert in fixtures/cap:
items per second of the full normalization (normalize_document: safe decoding, parsing,
mapping, contract validation, content hash), and its ratio to the raw parse alone of the
same bytes (feedparser for the RSS, defusedxml for CAP), both measured side by side in one
run with time.perf_counter, best of N repetitions.

    python -c "from alerts_local.bench_ingest import run; run()"
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped]
import feedparser  # type: ignore[import-untyped]
from consular_alerts.domain.documents import normalize_document
from consular_alerts.domain.normalize import sealed

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CONSULAR_ALERTS_SHARED", REPO_ROOT.parent / "shared"))
REPETITIONS = 7
TARGET_RATIO = 2.0


def _best(function: Callable[[], object], repetitions: int = REPETITIONS) -> float:
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _side_by_side(
    raw: Callable[[], object], full: Callable[[], object], repetitions: int = REPETITIONS
) -> tuple[float, float]:
    """Best times of `raw` and `full`, alternated so both see the same machine state."""
    full()  # warm caches (gazetteers, pycountry databases) outside the measurement
    raw_best = full_best = float("inf")
    for _ in range(repetitions):
        raw_best = min(raw_best, _best(raw, 1))
        full_best = min(full_best, _best(full, 1))
    return raw_best, full_best


def _report(name: str, items: int, raw: float, full: float) -> None:
    ratio = full / raw if raw > 0 else float("inf")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"{name}")
    print(f"  items normalized:     {items}")
    print(f"  raw parse (best):     {raw * 1000:8.2f} ms  ({items / raw:,.0f} items/s)")
    print(f"  full normalize (best):{full * 1000:8.2f} ms  ({items / full:,.0f} items/s)")
    print(f"  ratio full / raw:     {ratio:8.2f}x  ({verdict} the {TARGET_RATIO:.0f}x target)")


def run() -> None:
    fixtures = SHARED / "fixtures"
    us_state = fixtures / "feeds" / "us-state-travel-advisories.xml"
    cap_dir = fixtures / "cap"
    if not us_state.exists() or not cap_dir.is_dir():
        print(f"bench_ingest skipped: real-world corpus not found under {fixtures}")
        return
    received_at = datetime.now(UTC)
    print(f"Ingest bench, best of {REPETITIONS}, corpus {fixtures}")

    data = us_state.read_bytes()
    result = normalize_document(data, received_at=received_at)
    raw, full = _side_by_side(
        lambda: feedparser.parse(io.BytesIO(data)),
        lambda: normalize_document(data, received_at=received_at),
    )
    _report(
        f"US State Department RSS ({len(data):,} bytes, "
        f"{len(result.advisories)} advisories, {len(result.warnings)} warnings)",
        len(result.advisories),
        raw,
        full,
    )

    documents = [path.read_bytes() for path in sorted(cap_dir.iterdir()) if path.is_file()]

    def raw_cap() -> None:
        for document in documents:
            DefusedET.fromstring(
                document, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )

    def full_cap() -> None:
        for document in documents:
            normalize_document(document, received_at=received_at, format="cap")

    raw, full = _side_by_side(raw_cap, full_cap)
    _report(
        f"CAP corpus ({len(documents)} alerts, {sum(map(len, documents)):,} bytes)",
        len(documents),
        raw,
        full,
    )
    # Where the rest goes: the contract's validation and content hash (domain.normalize.
    # sealed, shared by every input format) on the same alerts' records.
    records = [
        a.to_record()
        for document in documents
        for a in normalize_document(document, received_at=received_at).advisories
    ]
    sealing = _best(lambda: [sealed(record) for record in records])
    print(
        f"  of which contract validation + content hash (sealed): {sealing * 1000:.2f} ms "
        f"({sealing / full:.0%} of the full time)"
    )


if __name__ == "__main__":
    run()

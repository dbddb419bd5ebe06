"""Normalization: items per second, and full normalization over the raw parse of the same
bytes (feedparser for the US State RSS, defusedxml for CAP), side by side in one run.

Full normalization is `normalize_document`: safe decoding, parsing, mapping to the contract,
validation and the content hash, for every item; nothing is cached from one item or one
round to the next.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped]
import feedparser  # type: ignore[import-untyped]
from consular_alerts.domain.formats.documents import normalize_document
from consular_alerts.domain.normalize import sealed

from bench.common import (
    CAP_DIR,
    US_STATE_FEED,
    Figure,
    Report,
    interleaved,
    median,
    paired_ratio,
    ratio_text,
)

TARGET = 2.0


def _measure(
    report: Report,
    name: str,
    items: int,
    raw: Callable[[], object],
    full: Callable[[], object],
    rounds: int,
    sealing: Callable[[], object],
) -> None:
    times = interleaved({"raw": raw, "full": full, "sealing": sealing}, rounds)
    ratio = paired_ratio(times, "full", "raw")
    # Where the time goes beyond the parse: the contract's validation and content hash
    # (domain.normalize.sealed, shared by every format) of the same items, and the rest.
    sealed_share = paired_ratio(times, "sealing", "full")
    report.add(
        Figure(
            "normalization",
            f"{name}: items/s normalized (raw parse)",
            f"{items / median(times['full']):,.0f} ({items / median(times['raw']):,.0f})",
            "none (context)",
            None,
        )
    )
    report.add(
        Figure(
            "normalization",
            f"{name}: full normalization / raw parse",
            ratio_text(ratio),
            f"≤ {TARGET:.0f}x",
            ratio <= TARGET,
            f"of the full time: raw parse {1 / ratio:.0%}, contract validation + content hash "
            f"{sealed_share:.0%}, mapping the rest ({1 - 1 / ratio - sealed_share:.0%})",
        )
    )


def run(report: Report, rounds: int) -> None:
    print(f"Normalization, {rounds} interleaved rounds")
    if not US_STATE_FEED.exists() or not CAP_DIR.is_dir():
        for name in ("US State RSS", "CAP corpus"):
            report.skip(
                "normalization",
                f"{name}: full normalization / raw parse",
                f"≤ {TARGET:.0f}x",
                f"real-world corpus not found under {US_STATE_FEED.parents[1]}",
            )
        return
    received_at = datetime.now(UTC)

    data = US_STATE_FEED.read_bytes()
    records = [a.to_record() for a in normalize_document(data, received_at=received_at).advisories]
    advisories = len(records)
    _measure(
        report,
        f"US State RSS ({len(data) // 1024} KB, {advisories} items)",
        advisories,
        lambda: feedparser.parse(io.BytesIO(data)),
        lambda: normalize_document(data, received_at=received_at),
        rounds,
        lambda: [sealed(record) for record in records],
    )

    documents = [path.read_bytes() for path in sorted(CAP_DIR.iterdir()) if path.is_file()]

    def raw_cap() -> None:
        for document in documents:
            DefusedET.fromstring(
                document, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )

    def full_cap() -> None:
        for document in documents:
            normalize_document(document, received_at=received_at, format="cap")

    cap_records = [
        a.to_record()
        for document in documents
        for a in normalize_document(document, received_at=received_at, format="cap").advisories
    ]
    _measure(
        report,
        f"CAP corpus ({len(documents)} alerts)",
        len(documents),
        raw_cap,
        full_cap,
        rounds,
        lambda: [sealed(record) for record in cap_records],
    )

"""`make bench`: figures measured side by side in one run (never asserted in tests).

1. SMS: the seed advisory composed for a 2-segment budget, beside the naive SMS (the whole
   text sent as it is), and the ratio of segments billed per recipient.
2. Ingest: items per second and full normalization / raw parse, for the US State RSS and
   the CAP corpus (../shared/fixtures; skipped, saying so, when absent).
3. Scale: SNS publishes per advisory with 10 and with 10,000 subscribers on the local stack.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from consular_alerts.domain.policy import Kind
from consular_alerts.domain.preview import render_all
from consular_alerts.domain.sms import count_segments, sanitize
from consular_alerts.edges import publication_from_request
from consular_alerts.services.ingest import IngestPolicy, normalize_publication

from alerts_local.bench_ingest import run as ingest_bench
from alerts_local.bench_scale import run as scale_bench

REPO_ROOT = Path(__file__).resolve().parents[2]


def sms_bench() -> None:
    event = json.loads((REPO_ROOT / "events" / "post-advisory-seed.json").read_text("utf-8"))
    item = publication_from_request(event["body"].encode("utf-8"), "text/plain", {})
    advisory = normalize_publication(item, IngestPolicy(), datetime.now(UTC))
    rendered = render_all(advisory, Kind.NEW, base_url="https://alerts.mfa.gov.kg", sms_budget=2)
    naive = count_segments(sanitize(event["body"]))
    print("SMS segments per recipient, seed advisory (events/post-advisory-seed.json)")
    print(f"  naive (whole text as one SMS): {naive.segments} {naive.encoding.value} segments")
    for language, message in rendered.items():
        ratio = naive.segments / message.sms.segments
        print(
            f"  composed {language}: {message.sms.segments} {message.sms.encoding.value} "
            f"segment(s), {len(message.sms.text)} chars -> {ratio:.1f}x fewer than naive"
        )


def main() -> None:
    sms_bench()
    print()
    ingest_bench()
    print()
    scale_bench()


if __name__ == "__main__":
    main()

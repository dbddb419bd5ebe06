"""SMS cost: segments billed per recipient for the composed SMS, beside the naive count
(the advisory's whole text in that language sent as one SMS), in each citizen language.

For the seed advisory (events/post-advisory-seed.json: the naive SMS is the post as
published) and for every advisory of the real-world corpus that has a hotline, in the real-world
corpus (../shared/fixtures) and in the project's own fixtures (tests/fixtures); the naive SMS
is headline, summary, body, instruction and hotlines.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from consular_alerts.api_requests import publication_from_request
from consular_alerts.domain.formats.documents import normalize_document
from consular_alerts.domain.messages.preview import render_all
from consular_alerts.domain.messages.render import pick_content
from consular_alerts.domain.messages.sms import count_segments, sanitize
from consular_alerts.domain.policy import Kind
from consular_alerts.domain.publication import IngestPolicy, normalize_publication
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import Advisory

from bench.common import FIXTURES, REPO_ROOT, Figure, Report, median

MAX_SEGMENTS = 2
MIN_SAVING = 10.0
BASE_URL = "https://alerts.mfa.gov.kg"


def _composed(advisory: Advisory) -> dict[str, int]:
    rendered = render_all(advisory, Kind.NEW, base_url=BASE_URL, sms_budget=MAX_SEGMENTS)
    return {language: message.sms.segments for language, message in rendered.items()}


def _naive(advisory: Advisory, language: str) -> int:
    _, content = pick_content(advisory, language)
    text = "\n".join(
        part
        for part in (content.headline, content.summary, content.body, content.instruction)
        if part
    )
    hotlines = " ".join(f"{h.label} {h.number}".strip() for h in advisory.hotlines)
    return count_segments(sanitize(f"{text}\n{hotlines}")).segments


def _figures(report: Report, name: str, pairs: list[tuple[int, int]], detail: str) -> None:
    worst = max(composed for composed, _ in pairs)
    savings = [naive / composed for composed, naive in pairs]
    report.add(
        Figure(
            "sms",
            f"SMS segments, {name}: most in any language",
            str(worst),
            f"≤ {MAX_SEGMENTS}",
            worst <= MAX_SEGMENTS,
            detail,
        )
    )
    report.add(
        Figure(
            "sms",
            f"SMS naive / composed, {name}: least (median)",
            f"{min(savings):.1f}x ({median(savings):.1f}x)",
            f"≥ {MIN_SAVING:.0f}x",
            min(savings) >= MIN_SAVING,
        )
    )


def _corpus() -> list[tuple[str, Advisory]]:
    received_at = datetime.now(UTC)
    found: list[tuple[str, Advisory]] = []
    folders = [FIXTURES / name for name in ("cap", "feeds", "messy")]
    folders += [REPO_ROOT / "tests" / "fixtures" / name for name in ("cap", "feeds")]
    for folder in folders:
        for path in sorted(folder.glob("*")):
            try:
                result = normalize_document(path.read_bytes(), received_at=received_at)
            except NormalizationError:
                continue
            found += [(path.name, a) for a in result.advisories if a.hotlines]
    return found


def run(report: Report) -> None:
    print("SMS cost: composed segments vs the whole text as one SMS, per language")
    event = json.loads((REPO_ROOT / "events" / "post-advisory-seed.json").read_text("utf-8"))
    item = publication_from_request(event["body"].encode("utf-8"), "text/plain", {})
    seed = normalize_publication(item, IngestPolicy(), datetime.now(UTC))
    naive = count_segments(sanitize(event["body"])).segments
    composed = _composed(seed)
    _figures(
        report,
        "seed advisory",
        [(segments, naive) for segments in composed.values()],
        f"naive {naive}; composed "
        + ", ".join(f"{language} {segments}" for language, segments in composed.items()),
    )
    if not FIXTURES.is_dir():
        print(f"  (real-world corpus not found under {FIXTURES}: the project's fixtures only)")
    corpus = _corpus()
    if not corpus:
        report.skip("sms", "SMS segments, corpus", f"≤ {MAX_SEGMENTS}", "no advisory has a hotline")
        return
    pairs = []
    files: set[str] = set()
    for name, advisory in corpus:
        files.add(Path(name).name)
        for language, segments in _composed(advisory).items():
            pairs.append((segments, _naive(advisory, language)))
    _figures(
        report,
        f"{len(corpus)} fixture advisor{'y' if len(corpus) == 1 else 'ies'} with a hotline",
        pairs,
        f"from {', '.join(sorted(files))}; {len(pairs)} messages (ky, ru, en each)",
    )

"""Real-world tier: the canonical seed advisory from ../shared, when that folder exists."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from consular_alerts.domain.messages.render import render
from consular_alerts.domain.publication import IngestPolicy, normalize_publication
from consular_alerts.models.publisher import TextPost

from tests.conftest import SHARED

SEED = SHARED / "seed-advisory-ru.txt"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not SEED.exists(), reason=f"real-world corpus absent: {SEED} not found"),
]


def test_seed_normalizes_to_kz_with_its_three_hotlines() -> None:
    advisory = normalize_publication(
        TextPost(text=SEED.read_text(encoding="utf-8")), IngestPolicy(), datetime.now(UTC)
    )
    assert advisory.countries[0] == "KZ"
    assert "KG" not in advisory.countries[:1]
    assert list(advisory.content) == ["ru"]
    assert [(h.number, h.label) for h in advisory.hotlines] == [
        ("+996772454444", "Посольство в Нур-Султане"),
        ("+77770371448", "Генеральное консульство Кыргызстана в Алматы"),
        ("+77778150072", "Генеральное консульство Кыргызстана в Алматы"),
    ]
    assert advisory.sent.year == 2022


def test_seed_in_russian_fits_two_ucs2_segments_and_keeps_what_matters() -> None:
    advisory = normalize_publication(
        TextPost(text=SEED.read_text(encoding="utf-8")), IngestPolicy(), datetime.now(UTC)
    )
    message = render(advisory, "ru", "new", base_url="https://alerts.mfa.gov.kg", sms_budget=2)
    assert message.sms.encoding.value == "ucs2"
    assert message.sms.segments <= 2
    assert "Казахстан" in message.sms.text
    assert "Не принимать участие в протестах" in message.sms.text  # the advice itself
    assert "+996772454444" in message.sms.text


def test_cli_normalize_prints_the_seed_as_json() -> None:
    # The module behind the `alerts` script, run by this interpreter: it works installed or on
    # PYTHONPATH, whichever checkout the venv's own script was installed from.
    result = subprocess.run(
        [sys.executable, "-m", "alerts_cli.cli", "normalize", str(SEED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["countries"][0] == "KZ"
    assert record["version"] == 1

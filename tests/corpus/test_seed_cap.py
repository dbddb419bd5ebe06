"""Real-world tier: the seed advisory, normalized as the ministry's post, written as CAP 1.2,
validated against the schema and read back by `alerts normalize` as the same advisory."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from consular_alerts.domain.alerts_out.cap_writer import CapAuthority, cap_msg_type, write_cap
from consular_alerts.domain.publication import IngestPolicy, normalize_publication
from consular_alerts.models.publisher import TextPost

from tests.cap_schema import cap_schema_errors
from tests.conftest import SHARED

SEED = SHARED / "seed-advisory-ru.txt"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not SEED.exists(), reason=f"real-world corpus absent: {SEED} not found"),
]


def test_the_seed_written_as_cap_reads_back_as_the_seed(tmp_path: Path) -> None:
    seed = normalize_publication(
        TextPost(text=SEED.read_text(encoding="utf-8")), IngestPolicy(), datetime.now(UTC)
    )
    document = write_cap(
        seed,
        authority=CapAuthority(sender="alerts.mfa.gov.kg", site="https://alerts.mfa.gov.kg"),
        msg_type=cap_msg_type(seed, [], replaces_earlier_version=False),
    )
    assert cap_schema_errors(document) == []
    path = tmp_path / "seed.cap"
    path.write_bytes(document)
    alerts = Path(sys.executable).parent / "alerts"
    result = subprocess.run(
        [str(alerts), "normalize", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    back = json.loads(result.stdout)
    assert back["countries"] == seed.countries == ["KZ"]
    assert back["level"] == seed.level
    assert back["msg_type"] == seed.msg_type.value
    assert back["references"] == seed.references == []
    assert list(back["content"]) == list(seed.content) == ["ru"]
    assert back["content"]["ru"]["headline"] == seed.content["ru"].headline
    assert back["content"]["ru"]["instruction"] == seed.content["ru"].instruction
    assert [(h["number"], h["label"]) for h in back["hotlines"]] == [
        (h.number, h.label) for h in seed.hotlines
    ]
    assert len(back["hotlines"]) == 3

"""Time to reach (issue 17, part 4): N phones at the account's SMS rate take N / rate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from consular_alerts.domain.messages.reach import Reach, duration, reach_json

from alerts_cli.cli import main


@pytest.mark.parametrize(
    ("phones", "rate", "text"),
    [
        (120_000, 20, "120,000 phones: about 1 h 40 min at 20 SMS/s"),
        (10_000, 20, "10,000 phones: about 8 min 20 s at 20 SMS/s"),
        (1_000_000, 20, "1,000,000 phones: about 13 h 53 min at 20 SMS/s"),
        (1_000, 50, "1,000 phones: about 20 s at 50 SMS/s"),
        (7, 20, "7 phones: about 1 s at 20 SMS/s"),
        (0, 20, "0 phones: under a second at 20 SMS/s"),
    ],
)
def test_the_model_divides_the_phones_by_the_rate(phones: int, rate: float, text: str) -> None:
    assert Reach(phones, rate).describe() == text


def test_durations_round_to_the_minute_past_an_hour() -> None:
    assert duration(3600) == "about 1 h"
    assert duration(3600 + 29) == "about 1 h"
    assert duration(3600 + 30) == "about 1 h 1 min"
    assert duration(2 * 3600 - 10) == "about 2 h"
    assert duration(60) == "about 1 min"


def test_the_json_says_what_the_figure_is_made_of() -> None:
    data = reach_json(Reach(120_000, 20))
    assert data["seconds"] == 6000
    assert data["sms_per_second"] == 20
    assert "SMS per second" in data["model"]


def test_render_prints_the_time_to_reach_beside_the_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / "post.txt"
    post.write_text("МИД призвал граждан в Казахстане оставаться дома. Тел. +996772454444")
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"currency": "USD", "default": 0.05, "per_country": {}}))
    argv = ["render", str(post), "--prices", str(prices), "--sms", "KZ-ru-L1=100000"]
    assert main([*argv, "--sms", "KZ-ky-L1=20000"]) == 0
    assert "time to reach: 120,000 phones: about 1 h 40 min at 20 SMS/s" in capsys.readouterr().out
    assert main([*argv, "--rate", "100"]) == 0
    assert "100,000 phones: about 16 min 40 s at 100 SMS/s" in capsys.readouterr().out
    assert main([*argv, "--rate", "fast"]) == 2
    assert "--rate fast" in capsys.readouterr().err

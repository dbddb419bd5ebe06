from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerts_cli.cli import main

POST = (
    "МИД Кыргызстана призвал кыргызстанцев, находящихся в Казахстане, не принимать участие в "
    "протестах и оставаться дома. Посольство в Астане — +996 (772) 454 444."
)


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.txt"
    path.write_text(POST, encoding="utf-8")
    return path


def test_render_json_is_one_object_keyed_by_language(
    post: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(post), "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert sorted(preview) == ["en", "ky", "ru"]
    ru = preview["ru"]
    assert ru["sms"]["encoding"] == "ucs2"
    assert 1 <= ru["sms"]["segments"] <= 2
    assert "Не принимать участие в протестах" in ru["sms"]["text"]
    assert "+996772454444" in ru["sms"]["text"]
    assert "Казахстан" in ru["email"]["subject"]


def test_render_prints_the_cost_of_the_segments_reached(
    post: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"currency": "USD", "default": 1.0, "per_country": {"KZ": 0.5}}))
    code = main([
        "render", str(post), "--prices", str(prices),
        "--sms", "KZ-ru-L1=10", "--sms", "KZ-ru-L1@KG=2", "--sms", "KZ-ru-L4=99",
        "--email", "KZ-ru-L1=3",
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    # 2 segments each: 10 x 2 x 0.5 + 2 x 2 x 1.0; KZ-ru-L4 wants level 4 and is not reached
    assert "total: 24 billed SMS segments, 14.00 USD; 3 email(s)" in out
    assert "KZ-ru-L4" not in out.split("Cost of sending")[1]


@pytest.mark.parametrize(
    "argv",
    [
        ["--sms", "KZ-ru-L1=lots"],
        ["--sms", "kz-ru-L1=3"],
        ["--budget", "0"],
        ["--prices", "/nonexistent.json", "--sms", "KZ-ru-L1=1"],
    ],
)
def test_bad_render_arguments_exit_2_with_one_line(
    post: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(["render", str(post), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("alerts: ")

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerts_cli.cli import main
from tests.conftest import EVENTS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_advisory_normalizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = json.loads((EVENTS / "post-advisory-json.json").read_text(encoding="utf-8"))
    source = tmp_path / "advisory.json"
    source.write_text(event["body"], encoding="utf-8")
    code, out, err = run(capsys, "normalize", str(source))
    assert code == 0, err
    record = json.loads(out)
    assert record["countries"] == ["TR"]
    assert sorted(record["content"]) == ["en", "ky", "ru"]
    assert len(record["content_hash"]) == 64


def test_text_with_metadata_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "post.txt"
    source.write_text(
        "Граждан Кыргызстана в Казахстане просят избегать митингов. Горячая линия: "
        "+7 (777) 037-14-48.",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "normalize", str(source), "--level", "3", "--countries", "KZ")
    assert code == 0
    record = json.loads(out)
    assert record["level"] == 3
    assert record["hotlines"][0]["number"] == "+77770371448"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\xff\xfe\x00broken", "not UTF-8"),
        (b'{"countries": ["ZZ"], "level": 2, "content": {"ru": {"headline": "x"}}}', "countries.0"),
        (b'{"level": 2,', "invalid JSON at line 1"),
    ],
)
def test_invalid_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    code, out, err = run(capsys, "normalize", str(source))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
    assert str(source) in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "normalize", "/nonexistent/post.txt")
    assert code == 2
    assert "No such file" in err

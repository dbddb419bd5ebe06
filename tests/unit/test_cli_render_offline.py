"""`alerts render FILE --disrupted KZ`: the messages as a country whose internet is cut would
get them (issue 17, part 5), the same JSON shape as without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerts_cli.cli import main

POST = (
    "МИД Кыргызстана призвал кыргызстанцев, находящихся в Казахстане, не принимать участие в "
    "протестах, избегать мест массового скопления людей и оставаться дома. Посольство в "
    "Астане — +996 (772) 454 444; консульство в Алматы — +7 (777) 037-14-48."
)


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.txt"
    path.write_text(POST, encoding="utf-8")
    return path


def test_disrupted_json_has_no_link_and_both_hotlines(
    post: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(post), "--json", "--disrupted", "KZ"]) == 0
    offline = json.loads(capsys.readouterr().out)
    assert main(["render", str(post), "--json"]) == 0
    normal = json.loads(capsys.readouterr().out)
    assert sorted(offline) == sorted(normal) == ["en", "ky", "ru"]
    for language in ("ky", "ru", "en"):
        sms = offline[language]["sms"]
        assert "/a/" not in sms["text"]
        assert "alerts.mfa.gov.kg" not in sms["text"]
        assert "+996772454444" in sms["text"]
        assert "+77770371448" in sms["text"]
        assert sms["segments"] <= 2
        assert "/a/" in normal[language]["sms"]["text"]
    assert offline["ru"]["email"]["body"].startswith("Казахстан: интернет нарушен.")


def test_disrupted_prices_the_country_with_its_offline_sms(
    post: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"currency": "USD", "default": 1.0, "per_country": {}}))
    code = main(
        ["render", str(post), "--disrupted", "KZ", "--prices", str(prices), "--sms", "KZ-ru-L1=5"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Internet disrupted in KZ: SMS without a link.")
    assert "total: 10 billed SMS segments, 10.00 USD" in out  # 5 phones x 2 segments


def test_a_country_the_advisory_is_not_about_is_refused(
    post: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(post), "--disrupted", "TR"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--disrupted TR" in err
    assert "KZ" in err

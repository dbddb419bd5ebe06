"""The corpus scorer and its manifest on made-up cases: what counts as right, as a miss, as a
wrong hotline; what the manifest refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from alerts_cli.cli import main
from alerts_cli.corpus_manifest import CorpusInput, Expectation, load_manifest
from alerts_cli.corpus_score import Accepted, Crashed, Refused, headline_acceptable, render, score
from alerts_cli.errors import InputError

PROVENANCE: dict[str, Any] = {"url": "https://example.org/post", "licence": "test", "edits": "none"}


def an_input(**fields: Any) -> CorpusInput:
    return CorpusInput.model_validate({"file": "a.txt", "kind": "post", **PROVENANCE, **fields})


def a_record(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "countries": ["RU"],
        "level": 3,
        "msg_type": "alert",
        "hotlines": [],
        "content": {"ru": {"headline": "МИД рекомендует воздержаться от поездок в Россию"}},
    }
    return {**record, **fields}


def test_every_expected_field_right_is_a_full_share() -> None:
    entry = an_input(countries=["RU"], lead="RU", level=[3], msg_type="alert")
    summary = score([entry], {"a.txt": Accepted([a_record()])})
    assert (summary.right, summary.fields, summary.misses) == (5, 5, [])


def test_a_miss_names_the_field_what_was_expected_and_what_came_out() -> None:
    entry = an_input(countries=["KG"], level=[4])
    summary = score([entry], {"a.txt": Accepted([a_record(countries=["UA", "KG"], level=2)])})
    assert [m.describe() for m in summary.misses] == [
        "a.txt: countries: expected {KG}; got UA, KG",
        "a.txt: level: expected 4; got 2",
    ]
    assert "right fields: 1/3 = 33.3%" in render(summary)


def test_the_lead_country_must_come_first() -> None:
    entry = an_input(countries=["IN", "PK"], lead="IN")
    summary = score([entry], {"a.txt": Accepted([a_record(countries=["PK", "IN"])])})
    assert [m.expected for m in summary.misses] == ["IN first"]


def test_a_number_neither_required_nor_allowed_is_a_wrong_hotline() -> None:
    entry = an_input(hotlines=["+93700114000"], hotlines_may=["+18884074747"])
    numbers = [{"number": n} for n in ("+93700114000", "+18884074747", "+996700114000")]
    summary = score([entry], {"a.txt": Accepted([a_record(hotlines=numbers)])})
    assert [m.got for m in summary.wrong_hotlines] == ["+996700114000"]
    assert summary.misses == []  # the required number is there


def test_a_missing_required_hotline_is_a_miss_not_a_wrong_hotline() -> None:
    summary = score([an_input(hotlines=["+905447788545"])], {"a.txt": Accepted([a_record()])})
    assert [m.field for m in summary.misses] == ["hotlines"]
    assert summary.wrong_hotlines == []


def test_an_input_to_refuse_must_be_refused_with_the_reason_named() -> None:
    entry = an_input(accepted=False, refusal_matches="bulgarian")
    named = score([entry], {"a.txt": Refused("language not read: Bulgarian (bg)")})
    unnamed = score([entry], {"a.txt": Refused("no country found")})
    taken = score([entry], {"a.txt": Accepted([a_record()])})
    assert (named.right, unnamed.right, taken.right) == (1, 0, 0)


def test_an_internal_error_is_counted_apart_and_as_a_miss() -> None:
    summary = score([an_input(level=[3])], {"a.txt": Crashed("KeyError: 'info'")})
    assert [m.got for m in summary.crashes] == ["KeyError: 'info'"]
    assert summary.share == 0


def test_a_feed_is_scored_item_by_item_and_by_count() -> None:
    entry = an_input(kind="feed", item=[{"countries": ["HR"]}, {"countries": ["LK"]}])
    summary = score([entry], {"a.txt": Accepted([a_record(countries=["HR"])])})
    assert [m.describe() for m in summary.misses] == [
        "a.txt: count: expected 2; got 1",
        "a.txt item 2: advisory: expected an advisory; got none",
    ]


@pytest.mark.parametrize(
    ("headline", "acceptable"),
    [
        ("Граждан Киргизии призвали воздержаться от поездок в Россию", True),
        ("• 86.5", False),
        ("Cancelled: AS-NV-58d33e3a-1f9a-4909-9d59-34e90b33b3e8", False),
    ],
)
def test_a_headline_is_judged_by_its_words_and_forbidden_patterns(
    headline: str, acceptable: bool
) -> None:
    expect = Expectation(headline_contains=[], headline_forbids=[r"^[\s•\d.,]*$", "AS-NV-"])
    assert headline_acceptable([headline], expect)[0] is acceptable


def test_a_headline_that_reports_advice_must_carry_the_advice_itself() -> None:
    expect = Expectation(headline_matches="воздерж")
    advice = "Граждан Киргизии призвали воздержаться от поездок в Россию"
    report = "МИД Киргизии выпустил рекомендации для граждан, планирующих посетить Россию"
    assert headline_acceptable([report, advice], expect)[0] is True
    assert headline_acceptable([report], expect) == (False, "a headline matching /воздерж/")


def write_corpus(root: Path, manifest: str, files: list[str]) -> Path:
    (root / "inputs").mkdir()
    for name in files:
        (root / "inputs" / name).write_text("МИД рекомендует воздержаться от поездок в Россию")
    (root / "manifest.toml").write_text(manifest)
    return root


ENTRY = '[[input]]\nfile = "a.txt"\nkind = "post"\nlicence = "x"\nedits = "none"\n'


@pytest.mark.parametrize(
    ("manifest", "files", "message"),
    [
        (ENTRY, ["a.txt"], "provenance: give url, or repo, path and commit"),
        (ENTRY + 'url = "u"\n', ["a.txt", "b.txt"], "inputs without provenance: b.txt"),
        (ENTRY + 'url = "u"\n', [], "listed in the manifest but absent: a.txt"),
        (ENTRY + 'url = "u"\nlevel = [5]\n', ["a.txt"], "input.0.level.0"),
        (ENTRY + 'url = "u"\ncountries = ["RU"]\nlead = "KG"\n', ["a.txt"], "lead KG"),
        ("input = [", [], "not TOML"),
    ],
)
def test_the_manifest_refuses_what_cannot_be_scored(
    tmp_path: Path, manifest: str, files: list[str], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        load_manifest(write_corpus(tmp_path, manifest, files))


def test_the_command_scores_a_corpus_and_fails_below_the_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path, ENTRY + 'url = "u"\ncountries = ["KG"]\n', ["a.txt"])
    assert main(["corpus-score", str(corpus)]) == 0
    assert main(["corpus-score", str(corpus), "--min-share", "0.9"]) == 1
    assert main(["corpus-score", str(corpus), "--min-share", "2"]) == 2
    out, err = capsys.readouterr()
    assert "a.txt: countries: expected {KG}; got RU" in out
    assert "--min-share 2.0: between 0 and 1" in err

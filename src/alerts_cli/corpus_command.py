"""`alerts corpus-score DIR`: every input of a real-world corpus through `alerts normalize`'s
own reader, scored against the manifest's expectations (corpus_score); exit 1 on a wrong
hotline, an internal error, or a share of right fields below --min-share."""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

from alerts_cli.corpus_manifest import INPUTS_DIR, load_manifest
from alerts_cli.corpus_score import Accepted, Crashed, Outcome, Refused, Summary, render, score
from alerts_cli.documents import add_document_arguments, load_documents
from alerts_cli.errors import InputError
from alerts_cli.repo import REPO_ROOT

DEFAULT_CORPUS = REPO_ROOT / "tests" / "corpus" / "real_world"

# `alerts normalize`'s own arguments, so that each file is read with their defaults.
_NORMALIZE_ARGUMENTS = argparse.ArgumentParser(add_help=False)
add_document_arguments(_NORMALIZE_ARGUMENTS)


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    corpus = commands.add_parser(
        "corpus-score", help="score the real-world corpus: share of right fields, every miss"
    )
    corpus.add_argument("directory", nargs="?", default=str(DEFAULT_CORPUS))
    corpus.add_argument(
        "--min-share",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="exit 1 when the share of right fields is below this (0-1)",
    )
    corpus.set_defaults(run=corpus_command)


def corpus_command(args: argparse.Namespace) -> int:
    if not 0 <= args.min_share <= 1:
        raise InputError(f"--min-share {args.min_share}: between 0 and 1")
    summary = score_corpus(Path(args.directory))
    print(render(summary))
    failed = summary.wrong_hotlines or summary.crashes or summary.share < args.min_share
    return 1 if failed else 0


def score_corpus(directory: Path) -> Summary:
    """Read the manifest, run every input, score the lot."""
    manifest = load_manifest(directory)
    outcomes = {
        entry.file: normalize_file(directory / INPUTS_DIR / entry.file) for entry in manifest.input
    }
    return score(manifest.input, outcomes)


def normalize_file(path: Path) -> Outcome:
    """What `alerts normalize FILE` makes of a file: its advisories, its refusal, or an
    internal error (anything but a refusal)."""
    args = _NORMALIZE_ARGUMENTS.parse_args([str(path)])
    try:
        # Warnings go to stderr in `alerts normalize`; the report has no use for them.
        with contextlib.redirect_stderr(io.StringIO()):
            _, advisories = load_documents(args)
    except InputError as error:
        return Refused(str(error).removeprefix(f"{path}: "))
    except Exception as error:  # any other failure is what the tier is there to catch
        return Crashed(f"{type(error).__name__}: {error}")
    return Accepted([advisory.to_record() for advisory in advisories])

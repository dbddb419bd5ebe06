"""`alerts normalize FILE`: print the normalized advisory as JSON (exit 2 on bad input)."""

from __future__ import annotations

import argparse
import json

from alerts_cli.documents import add_document_arguments, load_documents

_FEED_FORMATS = {"rss", "atom", "us-state"}


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    normalize = commands.add_parser("normalize", help="print the normalized advisory as JSON")
    add_document_arguments(normalize)
    normalize.set_defaults(run=normalize_command)


def normalize_command(args: argparse.Namespace) -> int:
    document_format, advisories = load_documents(args)
    records = [advisory.to_record() for advisory in advisories]
    output = records if document_format in _FEED_FORMATS else records[0]
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0

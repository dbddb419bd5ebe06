"""Reading an advisory file for `alerts normalize` and `alerts render`: any format the
service ingests, with the metadata flags a ministry post takes."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from consular_alerts.api_requests import publication_from_request
from consular_alerts.domain.formats.documents import FORMATS, detect_format, normalize_document
from consular_alerts.domain.publication import IngestPolicy, normalize_publication
from consular_alerts.errors import NormalizationError, RequestError
from consular_alerts.models.advisory import Advisory

from alerts_cli.errors import InputError

_MEDIA_TYPES = {"json": "application/json", "text": "text/plain", "html": "text/html"}


def add_document_arguments(parser: argparse.ArgumentParser) -> None:
    """The file and the flags both commands take to read it."""
    parser.add_argument("file")
    parser.add_argument("--format", choices=FORMATS)
    parser.add_argument("--countries", help="e.g. KZ,KG (overrides what the text names)")
    parser.add_argument("--level", help="1-4")
    parser.add_argument("--language", help="ky, ru or en")


def load_documents(args: argparse.Namespace) -> tuple[str, list[Advisory]]:
    """The file's format and its advisories (one, or a feed's items)."""
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from error
    if not data.strip():
        raise InputError(f"{path}: empty file")
    try:
        document_format = args.format or detect_format(data, path.name)
        if document_format in _MEDIA_TYPES:
            # Ministry posts: the same request parsing as the API, flags as its metadata.
            query = {
                key: value
                for key, value in (
                    ("countries", args.countries),
                    ("level", args.level),
                    ("language", args.language),
                )
                if value
            }
            item = publication_from_request(data, _MEDIA_TYPES[document_format], query)
            notes: list[str] = []
            advisory = normalize_publication(item, IngestPolicy(), _now(), notes)
            _warn(path, notes)
            return document_format, [advisory]
        result = normalize_document(
            data,
            received_at=_now(),
            format=document_format,
            default_countries=args.countries.split(",") if args.countries else None,
            default_level=int(args.level) if args.level else 2,
        )
    except RequestError as error:
        raise InputError(f"{path}: {error.message}") from error
    except (NormalizationError, ValueError) as error:
        raise InputError(f"{path}: {error}") from error
    _warn(path, result.warnings)
    for link in result.cap_links:
        print(f"alerts: note: {path}: links to CAP document {link}", file=sys.stderr)
    return document_format, result.advisories


def _warn(path: Path, warnings: list[str]) -> None:
    for warning in warnings:
        print(f"alerts: warning: {path}: {warning}", file=sys.stderr)


def _now() -> datetime:
    return datetime.now(UTC)

"""Hostile inputs for the publisher API's options (issue 14): a mistyped preview, an unknown
query parameter, metadata in the query beside a JSON or CAP body. Before, 8 of 12 such
variants were stored and delivered; each must now be a 4xx naming the parameter, storing and
sending nothing. Part of `CASES` (cases.py)."""

from __future__ import annotations

from typing import Any

from tests.hostile.case import CAP_TYPE, Case
from tests.hostile.case import publisher_case as P
from tests.hostile.payloads import POST, advisory, cap

TEXT = "text/plain; charset=utf-8"
DRY_RUN_VALUE = "dry-run and revert values"
UNKNOWN_PARAMETER = "unknown query parameters"
QUERY_WITH_BODY = "options beside a JSON or CAP body"
NOT_ACCEPTED = "is not accepted; use true or false"


def _dry_run(id: str, value: str, names: str, **kw: Any) -> Case:
    return P(id, DRY_RUN_VALUE, advisory(), 400, names, query=f"dry_run={value}", **kw)


PUBLISH_OPTION_CASES: list[Case] = [
    # dry_run takes true or false (any case), nothing else: each of these used to send.
    _dry_run("dry-run-on", "on", f"dry_run='on' {NOT_ACCEPTED}", http=True),
    _dry_run("dry-run-y", "y", f"dry_run='y' {NOT_ACCEPTED}"),
    _dry_run("dry-run-leading-space", "%20true", f"dry_run=' true' {NOT_ACCEPTED}", http=True),
    _dry_run("dry-run-1", "1", f"dry_run='1' {NOT_ACCEPTED}"),
    _dry_run("dry-run-yes", "yes", f"dry_run='yes' {NOT_ACCEPTED}"),
    _dry_run("dry-run-empty", "", f"dry_run='' {NOT_ACCEPTED}"),
    _dry_run("dry-run-truthy-word", "truee", f"dry_run='truee' {NOT_ACCEPTED}"),
    _dry_run("dry-run-repeated", "true&dry_run=false", "'dry_run' given more than once"),
    P(
        "dry-run-on-text-post",
        DRY_RUN_VALUE,
        POST,
        400,
        f"dry_run='on' {NOT_ACCEPTED}",
        content_type=TEXT,
        query="countries=KZ&level=2&dry_run=on",
    ),
    P(
        "dry-run-maybe-with-cap",
        DRY_RUN_VALUE,
        cap(),
        400,
        f"dry_run='maybe' {NOT_ACCEPTED}",
        content_type=CAP_TYPE,
        query="dry_run=maybe",
    ),
    P(
        "dry-run-value-not-echoed",
        DRY_RUN_VALUE,
        advisory(),
        400,
        f"dry_run=a value of 12 characters {NOT_ACCEPTED}",  # digits: could be a phone number
        query="dry_run=%2B77011234567",
    ),
    P(
        "revert-on",
        DRY_RUN_VALUE,
        advisory(),
        400,
        "revert='on' is not accepted; use true or false",
        query="revert=on",
    ),
    P(
        "revert-string-in-body",
        QUERY_WITH_BODY,
        advisory(revert="yes"),
        422,
        "revert: Input should be a valid boolean",
    ),
    P(
        "expected-version-string-in-body",
        QUERY_WITH_BODY,
        advisory(expected_version="2"),
        422,
        "expected_version: Input should be a valid integer",
    ),
    P(
        "revert-query-and-body-disagree",
        QUERY_WITH_BODY,
        advisory(revert=False),
        400,
        "revert: the query says true, the body false",
        query="revert=true",
    ),
    # A parameter the route does not define: refused, never ignored.
    P(
        "query-dryrun",
        UNKNOWN_PARAMETER,
        advisory(),
        400,
        "unknown parameter 'dryrun'",
        query="dryrun=true",
        http=True,
    ),
    P(
        "query-dry-hyphen-run",
        UNKNOWN_PARAMETER,
        advisory(),
        400,
        "unknown parameter 'dry-run'",
        query="dry-run=true",
    ),
    P(
        "query-preview",
        UNKNOWN_PARAMETER,
        advisory(),
        400,
        "unknown parameter 'preview'",
        query="preview=true",
    ),
    P(
        "query-upper-case-name",
        UNKNOWN_PARAMETER,
        advisory(),
        400,
        "unknown parameter 'DRY_RUN'",
        query="DRY_RUN=true",
    ),
    P(
        "query-unknown-beside-text-metadata",
        UNKNOWN_PARAMETER,
        POST,
        400,
        "unknown parameter 'test'",
        content_type=TEXT,
        query="countries=KZ&level=3&test=1",
    ),
    # Metadata in the query beside a JSON body (which carries its own): refused, naming it.
    P(
        "json-with-query-status-test",
        QUERY_WITH_BODY,
        advisory(),
        422,
        "a JSON body carries its own metadata",
        query="status=test",
        http=True,
    ),
    P(
        "json-dry-run-with-query-level",
        QUERY_WITH_BODY,
        advisory(),
        422,
        "drop ['level']",
        query="dry_run=true&level=4",
    ),
    P(
        "json-text-post-with-query-countries",
        QUERY_WITH_BODY,
        b'{"text": "' + POST.replace(b'"', b"") + b'"}',
        422,
        "drop ['countries', 'level']",
        query="countries=KZ&level=2",
    ),
]

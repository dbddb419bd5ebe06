"""Hostile inputs to `alerts normalize FILE`: exit status 2 and one line naming the problem."""

from __future__ import annotations

from tests.hostile import publisher_and_cli as both
from tests.hostile.case import cli_case
from tests.hostile.payloads import POST, advisory, content, nested

CLI_CASES = [
    cli_case("empty-file", "oversize body", b"", "empty file"),
    cli_case("whitespace-only", "oversize body", b" \n\t\n", "empty file"),
    cli_case("invalid-utf8-json", "invalid UTF-8", b'{"level": "\xff"}', "not UTF-8"),
    cli_case("json-syntax", "malformed JSON", b'{"level": 2,', "invalid JSON at line 1"),
    both.DUPLICATE_KEY.for_cli(),
    cli_case("json-deeply-nested", "malformed JSON", nested(100_000), "nested too deeply"),
    both.HUGE_INTEGER.for_cli(),
    both.UNKNOWN_FIELD.for_cli(),
    both.COUNTRY_ZZ.for_cli(),
    cli_case(
        "flag-country-zz",
        "unknown countries",
        POST,
        "countries.0: Value error, 'ZZ'",
        filename="post.txt",
        args=("--countries", "ZZ"),
    ),
    cli_case(
        "flag-level-9",
        "wrong types",
        POST,
        "level: Input should be less than or equal to 4",
        filename="post.txt",
        args=("--countries", "KZ", "--level", "9"),
    ),
    cli_case(
        "script-in-headline",
        "markup",
        content(headline="<script>alert(1)</script>"),
        "content.ru.headline: Value error, markup",
    ),
    cli_case(
        "script-in-text-post",
        "markup",
        POST + b" <script>alert(1)</script>",
        "text: Value error, markup",
        filename="post.txt",
    ),
    cli_case(
        "nul-in-headline",
        "control characters",
        content(headline="x\u0000"),
        "control character U+0000",
    ),
    cli_case(
        "expires-year-9999",
        "absurd dates",
        advisory(expires="9999-12-31T23:59:59Z"),
        "expires: Value error, year 9999",
    ),
    cli_case(
        "expires-before-sent",
        "absurd dates",
        advisory(expires="2020-01-01T00:00:00Z"),
        "is not after sent",
    ),
    both.HOTLINE_UNASSIGNED_CODE.for_cli(),
    both.XXE_FILE_PASSWD.for_cli(),
    both.XXE_EXTERNAL_DTD.for_cli(),
    both.ENTITY_EXPANSION.for_cli(),
    both.XML_NOT_WELL_FORMED.for_cli(),
    cli_case(
        "xml-unknown-root",
        "malformed XML",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        "XML with root <svg> is not CAP, RSS or Atom",
        filename="image.xml",
    ),
    both.CAP_SENT_YEAR_1.for_cli(),
    cli_case(
        "binary-file",
        "wrong content type",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "binary (NUL bytes)",
        filename="image",
    ),
]

"""The hostile-input corpus: bad inputs for the publisher API, the citizen API and the CLI.

Each case says what it sends, the status it must get (4xx; exit status 2 for the CLI) and a
fragment the error message must hold, naming the problem. Every payload is generated here
(no third-party fixture). `len(CASES)` is the README's "bad inputs tried"; `figures()` counts
them by target and category (test_hostile_corpus.py writes build/hostile-figures.json).

Decisions the cases pin down (models/plaintext.py has the reasoning):
- markup in a publisher's plain-text field is refused (422 naming the field), never
  stripped; HTML goes through text/html or "format": "html", which keep the visible text;
- control characters (and bidirectional overrides) in anything a publisher or citizen sends
  are refused, naming the field and the code point;
- JSON with duplicate keys, NaN, integers of thousands of digits or more than 32 levels of
  nesting is refused before any model sees it.
"""

from __future__ import annotations

import codecs
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

PUBLISHER, CITIZEN, CLI = "publisher", "citizen", "cli"
JSON_TYPE = "application/json"
CAP_TYPE = "application/cap+xml"
UNKNOWN_ID = "0b0c0d0e-0000-4000-8000-000000000000"  # a well-formed subscription id nobody has


@dataclass(frozen=True)
class Case:
    id: str
    target: str  # publisher | citizen | cli
    category: str
    body: bytes
    status: int  # HTTP status; 2 for the CLI's exit status
    names: str  # the error message must contain this
    content_type: str | None = JSON_TYPE
    method: str = "POST"
    path: str = ""
    query: str = ""
    token: str = ""
    args: tuple[str, ...] = ()  # CLI flags after `normalize FILE`
    filename: str = "input.json"  # CLI: the file's name (format detection reads it)
    http: bool = False  # also sent over HTTP to the local runtime


# --- Payload builders ---------------------------------------------------------------------------

ADVISORY: dict[str, Any] = {
    "advisory_id": "mfa-kg-hostile-1",
    "source_url": "https://mfa.gov.kg/ru/news/1",
    "sent": "2022-01-06T03:00:00+06:00",
    "countries": ["KZ"],
    "level": 3,
    "content": {
        "ru": {
            "headline": "Беспорядки в Казахстане",
            "body": "Избегайте мест скопления людей.",
            "instruction": "Оставайтесь дома.",
            "web": "https://mfa.gov.kg/ru/news/1",
        }
    },
    "hotlines": [{"number": "+77770371448", "label": "Посольство"}],
    "areas": [{"name": "Алматы"}],
}


def advisory(**changes: Any) -> bytes:
    return json.dumps({**ADVISORY, **changes}, ensure_ascii=False).encode()


def content(**changes: Any) -> bytes:
    return advisory(content={"ru": {**ADVISORY["content"]["ru"], **changes}})


POST = "Граждане Кыргызстана в Казахстане, избегайте митингов. Тел. +7 777 037 14 48.".encode()

CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>HOSTILE-1</identifier>
  <sender>alerts@mfa.gov.kg</sender>
  <sent>2022-01-06T03:00:00+06:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>en</language>
    <category>Security</category>
    <event>Civil unrest</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>Unrest in Almaty, Kazakhstan</headline>
    <description>Protests continue in Almaty.</description>
    <area><areaDesc>Almaty, Kazakhstan</areaDesc></area>
  </info>
</alert>
"""


def cap(doctype: str = "", **replace: str) -> bytes:
    text = CAP
    for old, new in replace.items():
        text = text.replace(old, new)
    if doctype:
        text = text.replace("?>\n", "?>\n" + doctype + "\n", 1)
    return text.encode()


XXE = '<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = (
    '<!DOCTYPE alert [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
# The DOCTYPE spelled in UTF-7 ("+ADw-" is "<"): invisible to a filter that reads bytes.
UTF7_XXE = (
    b'<?xml version="1.0" encoding="UTF-7"?>'
    b"+ADw-+ACE-DOCTYPE alert +AFs-+ADw-+ACE-ENTITY xxe SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-"
    + CAP.split("?>", 1)[1].replace("Civil unrest", "&xxe;").encode("utf-7")
)
UTF16_XXE = codecs.BOM_UTF16_LE + cap(XXE).decode().replace('"UTF-8"', '"UTF-16"').encode(
    "utf-16-le"
)

SUBSCRIBE: dict[str, Any] = {
    "channel": "sms",
    "address": "+77011234567",
    "countries": ["KZ"],
    "language": "ru",
    "min_level": 1,
}


def subscribe(**changes: Any) -> bytes:
    return json.dumps({**SUBSCRIBE, **changes}, ensure_ascii=False).encode()


def email(address: str) -> bytes:
    return subscribe(channel="email", address=address)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# --- The corpus ---------------------------------------------------------------------------------


def _publisher(id: str, category: str, body: bytes, status: int, names: str, **kw: Any) -> Case:
    return Case(id, PUBLISHER, category, body, status, names, path="/advisories", **kw)


def _citizen(id: str, category: str, body: bytes, status: int, names: str, **kw: Any) -> Case:
    kw.setdefault("path", "/subscriptions")
    return Case(id, CITIZEN, category, body, status, names, **kw)


def _cli(id: str, category: str, body: bytes, names: str, **kw: Any) -> Case:
    return Case(id, CLI, category, body, 2, names, content_type=None, **kw)


P, C = _publisher, _citizen
TEXT = "text/plain; charset=utf-8"
META = "countries=KZ&level=3"

PUBLISHER_CASES = [
    # Malformed JSON
    P(
        "json-syntax",
        "malformed JSON",
        b"{not json",
        400,
        "invalid JSON at line 1 column 2",
        http=True,
    ),
    P("json-truncated", "malformed JSON", advisory()[:-30], 400, "invalid JSON at line 1"),
    P("json-not-an-object", "malformed JSON", b"[1, 2]", 422, "a JSON object is required"),
    P(
        "json-duplicate-key",
        "malformed JSON",
        b'{"level": 1, ' + advisory()[1:],
        400,
        "duplicate key 'level'",
    ),
    P("json-deeply-nested-arrays", "malformed JSON", nested(50_000), 400, "nested too deeply"),
    P("json-nested-objects", "malformed JSON", nested_objects(40), 400, "nested too deeply"),
    P(
        "json-huge-integer",
        "malformed JSON",
        advisory(level=0).replace(b'"level": 0', b'"level": ' + b"9" * 5000),
        400,
        "JSON number not accepted",
    ),
    P(
        "json-nan",
        "malformed JSON",
        advisory(level=0).replace(b'"level": 0', b'"level": NaN'),
        400,
        "NaN is not a JSON number",
    ),
    P("json-utf8-bom", "malformed JSON", codecs.BOM_UTF8 + advisory(), 400, "Unexpected UTF-8 BOM"),
    P(
        "json-raw-control-in-string",
        "malformed JSON",
        advisory().replace("Оставайтесь".encode(), b"\x01"),
        400,
        "Invalid control character",
    ),
    # Encoding
    P("invalid-utf8-json", "invalid UTF-8", b'{"level": "\xff\xfe"}', 400, "not UTF-8 (byte 11)"),
    P(
        "invalid-utf8-overlong-text",
        "invalid UTF-8",
        b"Kazakhstan \xc0\xaf avoid crowds",
        400,
        "not UTF-8",
        content_type=TEXT,
        query=META,
    ),
    P(
        "charset-koi8r",
        "wrong content type",
        "Граждане в Казахстане".encode("koi8-r"),
        415,
        "charset koi8-r is not accepted",
        content_type="text/plain; charset=KOI8-R",
        query=META,
        http=True,
    ),
    P(
        "charset-utf16-json",
        "wrong content type",
        advisory(),
        415,
        "charset utf-16 is not accepted",
        content_type="application/json; charset=utf-16",
    ),
    # Content types
    P(
        "content-type-image",
        "wrong content type",
        b"\x89PNG\r\n\x1a\n",
        415,
        "image/png is not accepted",
        content_type="image/png",
    ),
    P(
        "content-type-form",
        "wrong content type",
        b"countries=KZ&level=3",
        415,
        "application/x-www-form-urlencoded is not accepted",
        content_type="application/x-www-form-urlencoded",
    ),
    P(
        "content-type-multipart",
        "wrong content type",
        b"--x\r\n\r\nhi\r\n--x--",
        415,
        "multipart/form-data is not accepted",
        content_type="multipart/form-data; boundary=x",
    ),
    # Size
    P(
        "oversize-2mb",
        "oversize body",
        b'{"text": "' + b"a" * (2 * 1024 * 1024) + b'"}',
        413,
        "the limit is 262144",
    ),
    P("empty-body", "oversize body", b"", 400, "body: empty"),
    P(
        "text-too-long",
        "oversize body",
        b"a " * 75_000,
        422,
        "text: String should have at most 100000 characters",
        content_type=TEXT,
        query=META,
    ),
    P(
        "headline-too-long",
        "oversize body",
        content(headline="Я" * 501),
        422,
        "content.ru.headline: String should have at most 500 characters",
    ),
    P(
        "too-many-references",
        "oversize body",
        advisory(references=[f"ref-{i}" for i in range(51)]),
        422,
        "references: List should have at most 50 items",
    ),
    # Unknown fields
    P(
        "unknown-field",
        "unknown fields",
        advisory(is_urgent=True),
        422,
        "is_urgent: Extra inputs are not permitted",
    ),
    P(
        "unknown-nested-field",
        "unknown fields",
        content(html="<b>x</b>"),
        422,
        "content.ru.html: Extra inputs are not permitted",
    ),
    P(
        "unknown-query-parameter",
        "unknown fields",
        POST,
        400,
        "unknown parameter 'admin'",
        content_type=TEXT,
        query=META + "&admin=1",
    ),
    P(
        "cap-with-query-metadata",
        "unknown fields",
        cap(),
        422,
        "CAP carries its own metadata",
        content_type=CAP_TYPE,
        query="level=4",
    ),
    # Wrong types
    P(
        "level-bool",
        "wrong types",
        advisory(level=True),
        422,
        "level: Input should be a valid integer",
    ),
    P(
        "level-string",
        "wrong types",
        advisory(level="3"),
        422,
        "level: Input should be a valid integer",
    ),
    P(
        "level-out-of-range",
        "wrong types",
        advisory(level=7),
        422,
        "level: Input should be less than or equal to 4",
    ),
    P(
        "countries-string",
        "wrong types",
        advisory(countries="KZ"),
        422,
        "countries: Input should be a valid list",
    ),
    P(
        "content-list",
        "wrong types",
        advisory(content=[{"headline": "x"}]),
        422,
        "content: Input should be a valid dictionary",
    ),
    P(
        "query-level-9",
        "wrong types",
        POST,
        422,
        "level: Input should be less than or equal to 4",
        content_type=TEXT,
        query="countries=KZ&level=9",
    ),
    # Countries
    P(
        "country-zz",
        "unknown countries",
        advisory(countries=["ZZ"]),
        422,
        "countries.0: Value error, 'ZZ' is not an ISO 3166-1 alpha-2",
        http=True,
    ),
    P(
        "country-xx",
        "unknown countries",
        advisory(countries=["KZ", "XX"]),
        422,
        "countries.1: Value error, 'XX' is not an ISO 3166-1 alpha-2",
    ),
    P(
        "country-alpha3",
        "unknown countries",
        advisory(countries=["USA"]),
        422,
        "countries.0: String should match pattern",
    ),
    P(
        "country-none",
        "unknown countries",
        advisory(countries=[]),
        422,
        "countries: List should have at least 1 item",
    ),
    P(
        "query-country-zz",
        "unknown countries",
        POST,
        422,
        "countries.0: Value error, 'ZZ'",
        content_type=TEXT,
        query="countries=ZZ&level=2",
    ),
    # Dates
    P(
        "sent-year-1",
        "absurd dates",
        advisory(sent="0001-01-01T00:00:00+05:00"),
        422,
        "sent: Value error, year 1 is out of range",
    ),
    P(
        "expires-year-9999",
        "absurd dates",
        advisory(expires="9999-12-31T23:59:59-05:00"),
        422,
        "expires: Value error, year 9999 is out of range",
    ),
    P(
        "expires-before-sent",
        "absurd dates",
        advisory(expires="2021-01-06T03:00:00+06:00"),
        422,
        "expires: Value error, expires 2021-01-06T03:00:00+06:00 is not after sent",
    ),
    P(
        "expires-before-effective",
        "absurd dates",
        advisory(effective="2022-02-01T00:00:00Z", expires="2022-01-10T00:00:00Z"),
        422,
        "is not after effective",
    ),
    P(
        "sent-without-offset",
        "absurd dates",
        advisory(sent="2022-01-06T03:00:00"),
        422,
        "sent: Input should have timezone info",
    ),
    P(
        "sent-not-a-date",
        "absurd dates",
        advisory(sent="yesterday"),
        422,
        "sent: Input should be a valid datetime",
    ),
    P(
        "query-expires-year-9999",
        "absurd dates",
        POST,
        422,
        "expires: Value error, year 9999",
        content_type=TEXT,
        query=META + "&expires=9999-01-01T00:00:00Z",
    ),
    P(
        "cap-sent-year-1",
        "absurd dates",
        cap(**{"<sent>2022": "<sent>0001"}),
        422,
        "sent: Value error, year 1 is out of range",
        content_type=CAP_TYPE,
    ),
    # Script and markup
    P(
        "script-in-headline",
        "markup",
        content(headline="<script>alert(1)</script> Беспорядки"),
        422,
        "content.ru.headline: Value error, markup is not accepted in plain text ('<script')",
        http=True,
    ),
    P(
        "img-onerror-in-area",
        "markup",
        advisory(areas=[{"name": "<img src=x onerror=alert(1)>"}]),
        422,
        "areas.0.name: Value error, markup is not accepted",
    ),
    P(
        "iframe-in-instruction",
        "markup",
        content(instruction="Stay home <iframe src=//evil.example>"),
        422,
        "content.ru.instruction: Value error, markup",
    ),
    P(
        "svg-in-hotline-label",
        "markup",
        advisory(hotlines=[{"number": "+77770371448", "label": "<svg/onload=alert(1)>"}]),
        422,
        "hotlines.0.label: Value error, markup",
    ),
    P(
        "comment-in-event",
        "markup",
        advisory(event="Unrest <!-- x -->"),
        422,
        "event: Value error, markup",
    ),
    P(
        "script-in-text-post",
        "markup",
        b"<script>alert(1)</script> " + POST,
        422,
        "text: Value error, markup is not accepted in plain text ('<script')",
        content_type=TEXT,
        query=META,
    ),
    P(
        "script-in-metadata-headline",
        "markup",
        json.dumps(
            {
                "text": POST.decode(),
                "metadata": {"countries": ["KZ"], "headline": "<b onmouseover=x>Hi</b>"},
            }
        ).encode(),
        422,
        "metadata.headline: Value error, markup",
    ),
    P(
        "html-post-only-script",
        "markup",
        b"<script>alert(1)</script><style>p{}</style>",
        422,
        "post HTML has no visible text",
        content_type="text/html",
        query=META,
    ),
    P(
        "javascript-source-url",
        "markup",
        advisory(source_url="javascript:alert(1)"),
        422,
        "source_url: Value error, an http(s) URL is required (scheme 'javascript')",
    ),
    P(
        "data-url-in-web",
        "markup",
        content(web="data:text/html,<script>alert(1)</script>"),
        422,
        "content.ru.web: Value error, an http(s) URL is required (scheme 'data')",
    ),
    # Control characters
    P(
        "nul-in-headline",
        "control characters",
        content(headline="Беспорядки\u0000"),
        422,
        "content.ru.headline: Value error, control character U+0000",
    ),
    P(
        "bell-in-body",
        "control characters",
        content(body="Избегайте\u0007 толп"),
        422,
        "content.ru.body: Value error, control character U+0007",
    ),
    P(
        "c1-in-event",
        "control characters",
        advisory(event="Unrest\u009b31m"),
        422,
        "event: Value error, control character U+009B",
    ),
    P(
        "bidi-override-in-hotline-label",
        "control characters",
        advisory(hotlines=[{"number": "+77770371448", "label": "Тел.\u202e84417307777+"}]),
        422,
        "hotlines.0.label: Value error, control character U+202E",
    ),
    P(
        "nul-in-text-post",
        "control characters",
        POST.replace(b"\xd0\xb8\xd0\xb7", b"\x00"),
        422,
        "text: Value error, control character U+0000",
        content_type=TEXT,
        query=META,
    ),
    P(
        "escape-in-html-post",
        "control characters",
        b"<p>\x1b[2J Kazakhstan: avoid crowds</p>",
        422,
        "text: Value error, control character U+001B",
        content_type="text/html",
        query=META,
    ),
    # Phone numbers (hotlines)
    P(
        "hotline-unassigned-code",
        "invalid phone numbers",
        advisory(hotlines=[{"number": "+9991234567"}]),
        422,
        "hotlines.0.number: Value error, not a valid phone number",
    ),
    P(
        "hotline-short-code",
        "invalid phone numbers",
        advisory(hotlines=[{"number": "112"}]),
        422,
        "hotlines.0.number: String should match pattern",
    ),
    # Identifiers
    P(
        "advisory-id-path-traversal",
        "unknown fields",
        advisory(advisory_id="../../etc/passwd"),
        422,
        "advisory_id: Value error, advisory_id may hold",
    ),
    # XML
    P(
        "xxe-file-passwd",
        "XXE",
        cap(XXE, **{"Civil unrest": "&xxe;"}),
        422,
        "DTDs are not accepted (possible XXE): <!DOCTYPE alert> and 1 entity declaration(s)",
        content_type=CAP_TYPE,
        http=True,
    ),
    P(
        "xxe-external-dtd",
        "XXE",
        cap('<!DOCTYPE alert SYSTEM "http://attacker.example/evil.dtd">'),
        422,
        "with system id 'http://attacker.example/evil.dtd'",
        content_type=CAP_TYPE,
    ),
    P(
        "xxe-parameter-entity",
        "XXE",
        cap('<!DOCTYPE alert [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'),
        422,
        "DTDs are not accepted (possible XXE)",
        content_type=CAP_TYPE,
    ),
    P(
        "xxe-utf7-encoded",
        "XXE",
        UTF7_XXE,
        422,
        "DTDs are not accepted (possible XXE)",
        content_type=CAP_TYPE,
    ),
    P(
        "xxe-utf16",
        "XXE",
        UTF16_XXE,
        422,
        "DTDs are not accepted (possible XXE)",
        content_type="application/xml",
    ),
    P(
        "billion-laughs",
        "entity expansion",
        cap(BILLION_LAUGHS, **{"Civil unrest": "&lol9;"}),
        422,
        "and 10 entity declaration(s)",
        content_type=CAP_TYPE,
    ),
    P(
        "entity-in-body-no-doctype",
        "entity expansion",
        cap(**{"Civil unrest": "&lol;"}),
        422,
        "XML: not well-formed: undefined entity",
        content_type=CAP_TYPE,
    ),
    P(
        "xml-not-well-formed",
        "malformed XML",
        cap(**{"</info>": ""}),
        422,
        "XML: not well-formed: mismatched tag",
        content_type=CAP_TYPE,
    ),
    P(
        "xml-wrong-root",
        "malformed XML",
        b"<html><body>hi</body></html>",
        422,
        "the root element is <html>, not a CAP <alert>",
        content_type="text/xml",
    ),
    P(
        "cap-no-identifier",
        "malformed XML",
        cap(**{"<identifier>HOSTILE-1</identifier>": ""}),
        422,
        "identifier",
        content_type=CAP_TYPE,
    ),
    P(
        "cap-restricted-scope",
        "malformed XML",
        cap(**{"<scope>Public</scope>": "<scope>Restricted</scope>"}),
        422,
        "Restricted",
        content_type=CAP_TYPE,
    ),
    P(
        "cap-oversize",
        "oversize body",
        cap(**{"Protests continue in Almaty.": "x" * 300_000}),
        413,
        "the limit is 262144",
        content_type=CAP_TYPE,
    ),
]

CITIZEN_CASES = [
    # Malformed JSON
    C(
        "json-syntax",
        "malformed JSON",
        b'{"channel": "sms",',
        422,
        "body: invalid JSON at character 18",
        http=True,
    ),
    C(
        "json-duplicate-key",
        "malformed JSON",
        b'{"address": "+33612345678", ' + subscribe()[1:],
        422,
        "duplicate key 'address'",
    ),
    C("json-deeply-nested", "malformed JSON", nested(2000), 422, "nested too deeply"),
    C(
        "json-nan",
        "malformed JSON",
        subscribe(min_level=0).replace(b'"min_level": 0', b'"min_level": NaN'),
        422,
        "NaN is not a JSON number",
    ),
    C("json-array", "malformed JSON", b"[]", 422, "body: Input should be a valid dictionary"),
    C("json-empty-body", "malformed JSON", b"", 422, "body: Field required"),
    C("invalid-utf8", "invalid UTF-8", b'{"channel": "\xff\xfe"}', 422, "body: not UTF-8 JSON"),
    # Size and content types
    C(
        "oversize",
        "oversize body",
        subscribe(address="a" * 5000),
        413,
        "body: larger than 4096 bytes",
        http=True,
    ),
    C(
        "content-type-text",
        "wrong content type",
        subscribe(),
        415,
        "content-type: send application/json",
        content_type="text/plain",
    ),
    C(
        "content-type-form",
        "wrong content type",
        b"channel=sms&address=%2B77011234567",
        415,
        "content-type: send application/json",
        content_type="application/x-www-form-urlencoded",
    ),
    C(
        "charset-koi8r",
        "wrong content type",
        subscribe(),
        415,
        "charset koi8-r is not accepted",
        content_type="application/json; charset=koi8-r",
    ),
    # Unknown fields and wrong types
    C(
        "unknown-field",
        "unknown fields",
        subscribe(is_admin=True),
        422,
        "is_admin: Extra inputs are not permitted",
    ),
    C(
        "channel-fax",
        "wrong types",
        subscribe(channel="fax"),
        422,
        "channel: Input should be 'sms' or 'email'",
    ),
    C(
        "language-de",
        "wrong types",
        subscribe(language="de"),
        422,
        "language: Input should be 'ky', 'ru' or 'en'",
    ),
    C(
        "min-level-0",
        "wrong types",
        subscribe(min_level=0),
        422,
        "min_level: Input should be greater than or equal to 1",
    ),
    C(
        "min-level-bool",
        "wrong types",
        subscribe(min_level=True),
        422,
        "min_level: Input should be a valid integer",
    ),
    C(
        "min-level-string",
        "wrong types",
        subscribe(min_level="2"),
        422,
        "min_level: Input should be a valid integer",
    ),
    C(
        "address-number",
        "wrong types",
        subscribe(address=77011234567),
        422,
        "address: Input should be a valid string",
    ),
    # Countries
    C(
        "country-zz",
        "unknown countries",
        subscribe(countries=["ZZ"]),
        422,
        "countries.0: Value error, 'ZZ' is not an ISO 3166-1 alpha-2",
    ),
    C(
        "country-xx",
        "unknown countries",
        subscribe(countries=["KZ", "XX"]),
        422,
        "countries.1: Value error, 'XX'",
    ),
    C(
        "country-alpha3",
        "unknown countries",
        subscribe(countries=["USA"]),
        422,
        "countries.0: String should match pattern",
    ),
    C(
        "countries-21",
        "unknown countries",
        subscribe(
            countries=[
                "KZ",
                "KG",
                "RU",
                "TR",
                "AE",
                "US",
                "GB",
                "DE",
                "FR",
                "IT",
                "ES",
                "PL",
                "CN",
                "JP",
                "KR",
                "IN",
                "TH",
                "VN",
                "UZ",
                "TJ",
                "AM",
            ]
        ),
        422,
        "countries: List should have at most 20 items",
    ),
    C(
        "countries-empty",
        "unknown countries",
        subscribe(countries=[]),
        422,
        "countries: List should have at least 1 item",
    ),
    # Phone numbers
    C(
        "phone-unassigned-code",
        "invalid phone numbers",
        subscribe(address="+999123456789"),
        422,
        "address: give the phone number in international format",
        http=True,
    ),
    C(
        "phone-no-plus",
        "invalid phone numbers",
        subscribe(address="87011234567"),
        422,
        "address: give the phone number in international format",
    ),
    C(
        "phone-disallowed-country",
        "invalid phone numbers",
        subscribe(address="+33612345678"),
        422,
        "address: SMS to numbers of FR is not offered",
    ),
    C(
        "phone-premium-rate",
        "invalid phone numbers",
        subscribe(address="+449012345678"),
        422,
        "address: premium-rate numbers cannot receive advisories",
    ),
    C(
        "phone-toll-free",
        "invalid phone numbers",
        subscribe(address="+18002752273"),
        422,
        "address: toll-free numbers cannot receive advisories",
    ),
    C(
        "phone-landline",
        "invalid phone numbers",
        subscribe(address="+77272501234"),
        422,
        "address: landline numbers cannot receive advisories",
    ),
    C(
        "phone-too-short",
        "invalid phone numbers",
        subscribe(address="+7701"),
        422,
        "address: not a valid phone number",
    ),
    C(
        "phone-with-nul",
        "control characters",
        subscribe(address="+7701\u00001234567"),
        422,
        "address: give the phone number in international format",
    ),
    C(
        "phone-on-email-channel",
        "invalid emails",
        subscribe(channel="email"),
        422,
        "address: not an email address",
    ),
    C(
        "email-on-sms-channel",
        "invalid phone numbers",
        subscribe(address="dana@example.kg"),
        422,
        "address: give the phone number in international format",
    ),
    # Emails
    C("email-no-tld", "invalid emails", email("a@b"), 422, "address: not an email address"),
    C("email-double-at", "invalid emails", email("a@@b.c"), 422, "address: not an email address"),
    C(
        "email-400-char-local-part",
        "invalid emails",
        email("a" * 400 + "@example.org"),
        422,
        "address: String should have at most 254 characters",
    ),
    C(
        "email-65-char-local-part",
        "invalid emails",
        email("a" * 65 + "@example.org"),
        422,
        "address: not an email address",
    ),
    C(
        "email-header-injection",
        "invalid emails",
        email("a@example.org\r\nBcc: b@example.org"),
        422,
        "address: not an email address",
    ),
    C(
        "email-display-name",
        "invalid emails",
        email('"Evil" <a@example.org>'),
        422,
        "address: not an email address",
    ),
    C(
        "email-script-local-part",
        "markup",
        email("<script>@example.org"),
        422,
        "address: not an email address",
    ),
    C(
        "email-double-dot-domain",
        "invalid emails",
        email("a@example..org"),
        422,
        "address: not an email address",
    ),
    C(
        "email-homoglyph-domain",
        "invalid emails",
        email("a@exаmple.org"),
        422,
        "address: not an email address",
    ),
    C(
        "email-control-character",
        "control characters",
        email("a\u0007b@example.org"),
        422,
        "address: not an email address",
    ),
    C(
        "email-bidi-override",
        "control characters",
        email("a\u202eb@example.org"),
        422,
        "address: not an email address",
    ),
    # Other routes
    C(
        "verify-short-code",
        "wrong types",
        b'{"code": "12345"}',
        422,
        "code: String should match pattern",
        path=f"/subscriptions/{UNKNOWN_ID}/verify",
    ),
    C(
        "verify-letters",
        "wrong types",
        b'{"code": "abcdef"}',
        422,
        "code: String should match pattern",
        path=f"/subscriptions/{UNKNOWN_ID}/verify",
    ),
    C(
        "verify-unknown-id",
        "unknown fields",
        b'{"code": "123456"}',
        404,
        "no such subscription",
        path=f"/subscriptions/{UNKNOWN_ID}/verify",
    ),
    C(
        "path-not-a-uuid",
        "wrong types",
        b'{"code": "123456"}',
        422,
        "subscription_id: String should match pattern",
        path="/subscriptions/..%2F..%2Fetc/verify",
    ),
    C(
        "change-nothing",
        "wrong types",
        b"{}",
        422,
        "give at least one of countries, language, min_level",
        method="PATCH",
        path=f"/subscriptions/{UNKNOWN_ID}",
        token="x",
    ),
    C(
        "change-country-zz",
        "unknown countries",
        b'{"countries": ["ZZ"]}',
        422,
        "countries.0: Value error, 'ZZ'",
        method="PATCH",
        path=f"/subscriptions/{UNKNOWN_ID}",
        token="x",
    ),
    C(
        "code-for-an-email",
        "invalid phone numbers",
        b'{"address": "dana@example.kg"}',
        422,
        "address: give the phone number in international format",
        path="/subscriptions/code",
    ),
    C(
        "token-unknown-field",
        "unknown fields",
        b'{"address": "+77011234567", "code": "123456", "admin": true}',
        422,
        "admin: Extra inputs are not permitted",
        path="/subscriptions/token",
    ),
]

CLI_CASES = [
    _cli("empty-file", "oversize body", b"", "empty file"),
    _cli("whitespace-only", "oversize body", b" \n\t\n", "empty file"),
    _cli("invalid-utf8-json", "invalid UTF-8", b'{"level": "\xff"}', "not UTF-8"),
    _cli("json-syntax", "malformed JSON", b'{"level": 2,', "invalid JSON at line 1"),
    _cli(
        "json-duplicate-key",
        "malformed JSON",
        b'{"level": 1, ' + advisory()[1:],
        "duplicate key 'level'",
    ),
    _cli("json-deeply-nested", "malformed JSON", nested(100_000), "nested too deeply"),
    _cli(
        "json-huge-integer",
        "malformed JSON",
        advisory(level=0).replace(b'"level": 0', b'"level": ' + b"9" * 5000),
        "JSON number not accepted",
    ),
    _cli(
        "unknown-field",
        "unknown fields",
        advisory(is_urgent=True),
        "is_urgent: Extra inputs are not permitted",
    ),
    _cli(
        "country-zz",
        "unknown countries",
        advisory(countries=["ZZ"]),
        "countries.0: Value error, 'ZZ'",
    ),
    _cli(
        "flag-country-zz",
        "unknown countries",
        POST,
        "countries.0: Value error, 'ZZ'",
        filename="post.txt",
        args=("--countries", "ZZ"),
    ),
    _cli(
        "flag-level-9",
        "wrong types",
        POST,
        "level: Input should be less than or equal to 4",
        filename="post.txt",
        args=("--countries", "KZ", "--level", "9"),
    ),
    _cli(
        "script-in-headline",
        "markup",
        content(headline="<script>alert(1)</script>"),
        "content.ru.headline: Value error, markup",
    ),
    _cli(
        "script-in-text-post",
        "markup",
        POST + b" <script>alert(1)</script>",
        "text: Value error, markup",
        filename="post.txt",
    ),
    _cli(
        "nul-in-headline",
        "control characters",
        content(headline="x\u0000"),
        "control character U+0000",
    ),
    _cli(
        "expires-year-9999",
        "absurd dates",
        advisory(expires="9999-12-31T23:59:59Z"),
        "expires: Value error, year 9999",
    ),
    _cli(
        "expires-before-sent",
        "absurd dates",
        advisory(expires="2020-01-01T00:00:00Z"),
        "is not after sent",
    ),
    _cli(
        "hotline-unassigned-code",
        "invalid phone numbers",
        advisory(hotlines=[{"number": "+9991234567"}]),
        "not a valid phone number",
    ),
    _cli(
        "xxe-file-passwd",
        "XXE",
        cap(XXE, **{"Civil unrest": "&xxe;"}),
        "DTDs are not accepted (possible XXE)",
        filename="alert.cap",
    ),
    _cli(
        "xxe-external-dtd",
        "XXE",
        cap('<!DOCTYPE alert SYSTEM "http://attacker.example/evil.dtd">'),
        "with system id 'http://attacker.example/evil.dtd'",
        filename="alert.cap",
    ),
    _cli(
        "billion-laughs",
        "entity expansion",
        cap(BILLION_LAUGHS, **{"Civil unrest": "&lol9;"}),
        "entity declaration(s)",
        filename="alert.cap",
    ),
    _cli(
        "xml-not-well-formed",
        "malformed XML",
        cap(**{"</info>": ""}),
        "not well-formed",
        filename="alert.cap",
    ),
    _cli(
        "xml-unknown-root",
        "malformed XML",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        "XML with root <svg> is not CAP, RSS or Atom",
        filename="image.xml",
    ),
    _cli(
        "cap-sent-year-1",
        "absurd dates",
        cap(**{"<sent>2022": "<sent>0001"}),
        "sent: Value error, year 1",
        filename="alert.cap",
    ),
    _cli(
        "binary-file",
        "wrong content type",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "binary (NUL bytes)",
        filename="image",
    ),
]

CASES: list[Case] = [*PUBLISHER_CASES, *CITIZEN_CASES, *CLI_CASES]


def figures() -> dict[str, Any]:
    """How many bad inputs, by target and by category (the README quotes the total)."""
    return {
        "bad_inputs_tried": len(CASES),
        "by_target": dict(sorted(Counter(c.target for c in CASES).items())),
        "by_category": dict(sorted(Counter(c.category for c in CASES).items())),
        "over_http": sum(c.http for c in CASES),
    }


# --- Publisher options: dry_run and the query (issue 14), in a module of their own ------------
from tests.hostile.publish_options import PUBLISH_OPTION_CASES  # noqa: E402

CASES += PUBLISH_OPTION_CASES

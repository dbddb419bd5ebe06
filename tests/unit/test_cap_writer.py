"""Advisory -> CAP 1.2 (domain/formats/cap_writer.py) and back through the project's CAP reader.

Every document written here is checked against the OASIS CAP 1.2 schema (tests/cap_schema.py);
the round trip is a property over generated advisories in Kyrgyz, Russian and English."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from consular_alerts.domain.alerts_out.cap_writer import (
    LEVELS,
    CapAuthority,
    CapReference,
    cap_identifier,
    cap_msg_type,
    cap_time,
    write_cap,
)
from consular_alerts.domain.formats.cap_contact import contact_text, hotlines_from_contact
from consular_alerts.domain.formats.cap_info import cap_level
from consular_alerts.domain.formats.documents import normalize_document
from consular_alerts.domain.identity import advisory_id_for
from consular_alerts.domain.normalize import sealed
from consular_alerts.domain.publication import IngestPolicy, normalize_publication
from consular_alerts.models.advisory import Advisory, Hotline, MsgType
from consular_alerts.models.publisher import AdvisoryDraft
from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from tests.cap_schema import cap_schema_errors
from tests.conftest import EVENTS

AUTHORITY = CapAuthority(sender="alerts.mfa.gov.kg", site="https://alerts.mfa.gov.kg")
NOW = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def advisory(**fields: Any) -> Advisory:
    record: dict[str, Any] = {
        "advisory_id": "mfa-kg-0123456789abcdef0123",
        "version": 1,
        "source": "mfa-kg",
        "source_id": "tr-0147",
        "sent": NOW,
        "received_at": NOW,
        "countries": ["KZ"],
        "level": 2,
        "content": {
            "ru": {"headline": "Протесты в Казахстане", "instruction": "Избегайте митингов."}
        },
    }
    return sealed({**record, **fields})


def sample_json_advisory() -> Advisory:
    body = json.loads(json.loads((EVENTS / "post-advisory-json.json").read_text("utf-8"))["body"])
    return normalize_publication(AdvisoryDraft.model_validate(body), IngestPolicy(), NOW)


def written(item: Advisory, references: list[CapReference] | None = None, **options: Any) -> bytes:
    refs = references or []
    msg_type = cap_msg_type(
        item, refs, replaces_earlier_version=options.pop("replaces_earlier_version", False)
    )
    document = write_cap(item, authority=AUTHORITY, msg_type=msg_type, references=refs, **options)
    assert cap_schema_errors(document) == []
    return document


def read_back(document: bytes) -> Advisory:
    """As `alerts normalize` reads a file: the format detected, then the CAP reader."""
    result = normalize_document(document, received_at=NOW)
    assert len(result.advisories) == 1, result.warnings
    return result.advisories[0]


def texts(document: bytes, path: str) -> list[str]:
    root = ElementTree.fromstring(document)
    return [e.text or "" for e in root.iterfind(path.replace("cap:", CAP))]


# --- The schema and the fields -----------------------------------------------------------------


def test_the_published_sample_is_valid_cap_with_one_info_per_language() -> None:
    item = sample_json_advisory()
    document = written(item)
    assert texts(document, "cap:identifier") == [cap_identifier(item.advisory_id, 1)]
    assert texts(document, "cap:sender") == ["alerts.mfa.gov.kg"]
    assert texts(document, "cap:scope") == ["Public"]
    assert texts(document, "cap:info/cap:language") == ["ky", "ru", "en"]
    assert texts(document, "cap:info/cap:category") == ["Geo"] * 3
    assert texts(document, "cap:info/cap:web")[2] == (
        f"https://alerts.mfa.gov.kg/a/{item.advisory_id}?l=en"
    )
    # The countries' areas first, with their ISO geocodes, then the advisory's own.
    assert texts(document, "cap:info[3]/cap:area/cap:areaDesc") == [
        "Türkiye", "Kahramanmaraş", "Hatay"
    ]  # fmt: skip
    assert texts(document, "cap:info[1]/cap:area/cap:geocode/cap:value") == [
        "TR", "TR-46", "TR-31"
    ]  # fmt: skip
    assert texts(document, "cap:info/cap:expires") == ["2027-01-30T18:00:00+00:00"] * 3
    contact = texts(document, "cap:info[1]/cap:contact")[0]
    assert contact.splitlines() == [
        "Embassy of the Kyrgyz Republic in Ankara: +903124913506",
        "MFA situation centre, Bishkek: +996312620545",
    ]


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_each_level_is_written_as_the_stated_cap_values_and_read_back_as_itself(
    level: int,
) -> None:
    document = written(advisory(level=level))
    stated = LEVELS[level]
    assert texts(document, "cap:info/cap:severity") == [stated.severity]
    assert texts(document, "cap:info/cap:urgency") == [stated.urgency]
    assert texts(document, "cap:info/cap:certainty") == [stated.certainty]
    assert texts(document, "cap:info/cap:responseType") == list(stated.response_types)
    assert cap_level(stated.severity, stated.urgency, stated.certainty, stated.response_types) == (
        level
    )
    assert read_back(document).level == level


def test_areas_keep_polygons_circles_and_subdivisions_of_the_advisorys_countries() -> None:
    ring = [(43.2, 76.8), (43.3, 77.0), (43.1, 77.1), (43.2, 76.8)]
    item = advisory(
        countries=["KZ", "KG"],
        areas=[
            {"name": "Алматы", "iso_3166_2": "KZ-75", "polygons": [ring]},
            {"name": "Ош", "circles": [(40.51, 72.8, 15.0)]},
            {"name": "Ташкент", "iso_3166_2": "UZ-TK"},  # not an advisory country: no geocode
        ],
    )
    document = written(item)
    assert texts(document, "cap:info/cap:area/cap:polygon") == [
        "43.2,76.8 43.3,77.0 43.1,77.1 43.2,76.8"
    ]
    assert texts(document, "cap:info/cap:area/cap:circle") == ["40.51,72.8 15.0"]
    assert texts(document, "cap:info/cap:area/cap:geocode/cap:value") == ["KZ", "KG", "KZ-75"]
    back = read_back(document)
    assert back.countries == ["KZ", "KG"]
    assert [a.name for a in back.areas if a.polygons] == ["Алматы"]
    assert [a.circles for a in back.areas if a.circles] == [[(40.51, 72.8, 15.0)]]


def test_times_are_whole_seconds_with_an_explicit_offset() -> None:
    moment = datetime(2026, 11, 20, 14, 30, 5, 123456, tzinfo=timezone_plus_six())
    assert cap_time(moment) == "2026-11-20T08:30:05+00:00"


def timezone_plus_six() -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=6))


# --- Message types and references ----------------------------------------------------------------


def reference(identifier: str, sent: datetime = NOW) -> CapReference:
    return CapReference("alerts.mfa.gov.kg", identifier, sent)


def test_a_cancel_names_what_it_cancels_as_sender_identifier_sent() -> None:
    item = advisory(msg_type="cancel", references=["mfa-kg-earlier"], level=1)
    earlier = reference("mfa-kg-earlier.v2", datetime(2026, 11, 19, 6, 0, tzinfo=UTC))
    document = written(item, [earlier])
    assert texts(document, "cap:msgType") == ["Cancel"]
    assert texts(document, "cap:references") == [
        "alerts.mfa.gov.kg,mfa-kg-earlier.v2,2026-11-19T06:00:00+00:00"
    ]
    back = read_back(document)
    assert back.msg_type is MsgType.CANCEL
    assert back.references == [advisory_id_for("cap", "alerts.mfa.gov.kg,mfa-kg-earlier.v2")]


def test_a_later_version_updates_the_one_before_it() -> None:
    item = advisory(version=3)
    document = written(item, [reference(f"{item.advisory_id}.v2")], replaces_earlier_version=True)
    assert texts(document, "cap:identifier") == [f"{item.advisory_id}.v3"]
    assert texts(document, "cap:msgType") == ["Update"]


def test_update_or_cancel_with_nothing_to_replace_is_an_alert() -> None:
    for msg_type in ("update", "cancel"):
        item = advisory(msg_type=msg_type)
        assert cap_msg_type(item, [], replaces_earlier_version=False) is MsgType.ALERT
    assert cap_msg_type(advisory(), [reference("x")], replaces_earlier_version=False) is (
        MsgType.ALERT
    )


def test_test_alerts_say_so() -> None:
    document = written(advisory(status="test"))
    assert texts(document, "cap:status") == ["Test"]
    assert read_back(document).status.value == "test"


def test_a_cancel_carries_the_expiry_it_is_given() -> None:
    until = NOW + timedelta(days=1)
    item = advisory(msg_type="cancel", references=["a"])
    document = written(item, [reference("a.v1")], expires=until)
    assert texts(document, "cap:info/cap:expires") == [cap_time(until)]


# --- Hotlines in <contact> ---------------------------------------------------------------------


def test_contact_lines_are_read_back_as_the_hotlines_written() -> None:
    hotlines = [
        Hotline(number="+996772454444", label="Посольство в Нур-Султане"),
        Hotline(number="+77770371448", label="Консульство: дежурный"),
        Hotline(number="+77778150072"),
    ]
    assert hotlines_from_contact(contact_text(hotlines)) == hotlines


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ("None", []),
        ("BARUFFALDI/JUSKIE", []),
        ("DET. SMITH, METROPOLITAN POLICE AT 202-727-9099", []),  # national: no country known
        ("Embassy hotline +90 312 491 35 06 (24/7)", [("+903124913506", "Embassy hotline")]),
        ("<b>Call</b>: +996312620545", [("+996312620545", "")]),  # markup: the label is dropped
    ],
)
def test_contacts_of_real_alerts_give_international_numbers_only(
    contact: str, expected: list[tuple[str, str]]
) -> None:
    assert [(h.number, h.label) for h in hotlines_from_contact(contact)] == expected


# --- The round trip, over generated advisories --------------------------------------------------

WORDS = {
    "ky": st.text("абвгдеёжзийклмнңопрөстуүфхцчшщыэюя", min_size=3, max_size=9),
    "ru": st.text("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", min_size=3, max_size=9),
    "en": st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9),
}
COUNTRIES = ["KZ", "RU", "TR", "UZ", "TJ", "AE", "KR", "CN", "US", "GB", "DE", "JP", "XK"]
NUMBERS = ["+996772454444", "+77770371448", "+903124913506", "+996312620545", "+74952311234"]


def sentence(language: str, *, most: int = 12) -> st.SearchStrategy[str]:
    words = st.lists(WORDS[language], min_size=2, max_size=most)
    return words.map(lambda w: " ".join(w).capitalize() + ".")


@st.composite
def localized(draw: st.DrawFn, language: str) -> dict[str, str]:
    instruction = draw(st.lists(sentence(language), max_size=3))
    return {
        "headline": draw(sentence(language, most=8)),
        "body": "\n".join(draw(st.lists(sentence(language), max_size=4))),
        "instruction": "\n".join(instruction) if draw(st.booleans()) else " ".join(instruction),
    }


@st.composite
def generated(draw: st.DrawFn) -> tuple[Advisory, list[CapReference], bool]:
    """An advisory as the ministry could publish it, the messages it names (its references
    and, for a later version, the version before it), and whether it is a later version."""
    languages = draw(st.lists(st.sampled_from(["ky", "ru", "en"]), min_size=1, unique=True))
    countries = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True))
    sent = draw(st.datetimes(datetime(2020, 1, 1), datetime(2090, 1, 1), timezones=st.just(UTC)))
    hotlines = [
        {"number": number, "label": draw(st.one_of(st.just(""), sentence("ru", most=4)))}
        for number in draw(st.lists(st.sampled_from(NUMBERS), max_size=3, unique=True))
    ]
    msg_type = draw(st.sampled_from(["alert", "update", "cancel"]))
    version = draw(st.integers(1, 5))
    references = (
        draw(st.lists(st.sampled_from(["mfa-kg-a1", "mfa-kg/2026/b2"]), max_size=2, unique=True))
        if msg_type != "alert" or draw(st.booleans())
        else []
    )
    item = sealed(
        {
            "advisory_id": "mfa-kg-7f3e2d1c0b9a88776655",
            "version": version,
            "source": "mfa-kg",
            "source_id": "generated",
            "sent": sent,
            "received_at": sent,
            "status": draw(st.sampled_from(["actual", "test"])),
            "msg_type": msg_type,
            "references": references,
            "countries": countries,
            "level": draw(st.integers(1, 4)),
            "expires": sent + timedelta(days=draw(st.integers(1, 90)))
            if draw(st.booleans())
            else None,
            "content": {language: draw(localized(language)) for language in languages},
            "hotlines": hotlines,
        }
    )
    earlier = sent - timedelta(hours=1)
    named = [reference(f"{r}.v{draw(st.integers(1, 9))}", earlier) for r in references]
    if version > 1:
        named.insert(0, reference(cap_identifier(item.advisory_id, version - 1), sent))
    return item, named, version > 1


@given(generated())
def test_an_advisory_written_as_cap_reads_back_as_the_same_advisory(
    case: tuple[Advisory, list[CapReference], bool],
) -> None:
    item, references, later_version = case
    back = read_back(written(item, references, replaces_earlier_version=later_version))
    assert back.countries == item.countries
    assert back.level == item.level
    assert back.status == item.status
    assert list(back.content) == list(item.content)
    for language, text in item.content.items():
        assert back.content[language].headline == text.headline
        assert back.content[language].instruction == text.instruction
    assert back.hotlines == item.hotlines
    # A later version of an alert is CAP's Update of the version before it (module docstring).
    expected_type = item.msg_type
    if item.msg_type is MsgType.ALERT and later_version:
        expected_type = MsgType.UPDATE
    if not references:
        expected_type = MsgType.ALERT
    assert back.msg_type is expected_type
    assert back.references == [
        advisory_id_for("cap", f"{r.sender},{r.identifier}") for r in references
    ]

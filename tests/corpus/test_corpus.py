"""Real-world tier: every file of ../shared/fixtures (cap/, feeds/, messy/, hostile/)
through the document parsers, when that folder exists (CI always has it).

What each file must yield is written out per file below; SOURCES.md beside the files says
where each comes from and what it exercises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import defusedxml.ElementTree as DefusedET
import pytest
from consular_alerts.domain.formats.documents import detect_format, normalize_document
from consular_alerts.domain.language.countries import country_from_name, fips_to_iso
from consular_alerts.errors import NormalizationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures"
NOW = datetime(2026, 1, 1, tzinfo=UTC)

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not (FIXTURES / "cap").is_dir(),
        reason=f"real-world corpus absent: {FIXTURES} not found (CI has it)",
    ),
]


def read(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def files(folder: str) -> list[str]:
    directory = FIXTURES / folder
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if p.is_file())


# --- cap/ ---------------------------------------------------------------------------------

# file: (countries, level, msg_type, languages, number of references)
CAP_EXPECTED: dict[str, tuple[list[str], int, str, list[str], int]] = {
    "CanadaNaad.xml": (["CA"], 1, "alert", ["en-CA", "fr-CA"], 0),
    # Extreme hurricane for coastal zones, part of the US: capped at level 3 (cap_scope.py).
    "NOAA_MultiplePolygons.xml": (["US"], 3, "update", ["en-US"], 8),
    "australia.cap": (["AU"], 1, "alert", ["en-AU"], 0),
    "canada.cap": (["CA"], 1, "update", ["en-CA", "fr-CA"], 2),
    "canada_signed.cap": (["CA"], 2, "update", ["en-CA", "fr-CA"], 9),
    "earthquake-iso8859-1.cap": (["SV"], 1, "alert", ["en-US"], 0),
    "iceland_met_office.cap": (["IS"], 2, "alert", ["is-IS", "en-US"], 0),
    "mexico.xml": (["MX"], 2, "update", ["es-419"], 1),
    "no_info_tag.cap": (["US"], 1, "cancel", ["en"], 1),
    "taiwan.cap": (["TW"], 2, "alert", ["zh-TW"], 0),
    "thunderstorm.cap": (["US"], 3, "alert", ["en-US"], 0),
    "wcatwc-warning.cap": (["US"], 3, "update", ["en-US"], 1),  # Alaska coast: part of the US
}


def test_every_cap_file_has_an_expectation() -> None:
    assert set(files("cap")) == set(CAP_EXPECTED)


@pytest.mark.parametrize("name", sorted(CAP_EXPECTED))
def test_every_cap_file_normalizes_without_default_countries(name: str) -> None:
    data = read(f"cap/{name}")
    assert detect_format(data, name) == "cap"
    result = normalize_document(data, received_at=NOW)
    (advisory,) = result.advisories
    countries, level, msg_type, languages, references = CAP_EXPECTED[name]
    assert advisory.countries == countries
    assert advisory.level == level
    assert advisory.msg_type.value == msg_type
    assert list(advisory.content) == languages
    assert len(advisory.references) == references
    assert advisory.source == "cap"
    assert all(c.headline for c in advisory.content.values())


def test_cap_details_that_real_alerts_exercise() -> None:
    quake = normalize_document(read("cap/earthquake-iso8859-1.cap"), received_at=NOW).advisories[0]
    assert "Usulután" in quake.content["en-US"].headline  # ISO-8859-1 declared and read
    assert quake.areas[0].circles == [(12.747, -88.783, 0.0)]
    assert quake.content["en-US"].instruction == ""  # "None" is a placeholder

    taiwan = normalize_document(read("cap/taiwan.cap"), received_at=NOW).advisories[0]
    assert taiwan.content["zh-TW"].headline == "明德水庫:洩洪中"  # BOM and lower-case region

    hurricane = normalize_document(
        read("cap/NOAA_MultiplePolygons.xml"), received_at=NOW
    ).advisories[0]
    assert len(hurricane.areas) == 1
    assert len(hurricane.areas[0].polygons or []) == 2  # two polygons in one area

    canada = normalize_document(read("cap/canada.cap"), received_at=NOW).advisories[0]
    assert len(canada.areas) == 2  # en-CA and fr-CA describe the same two areas
    assert len(canada.areas[0].geocodes["profile:CAP-CP:Location:0.3"]) == 9  # type: ignore[index]

    australia = normalize_document(read("cap/australia.cap"), received_at=NOW).advisories[0]
    assert australia.areas[0].iso_3166_2 == "AU-NSW"
    assert "LOCATION: 12 Cox Street, Yerong Creek" in australia.content["en-AU"].body

    cancel = normalize_document(read("cap/no_info_tag.cap"), received_at=NOW).advisories[0]
    assert cancel.content["en"].headline == "the alert sent 2016-02-25 20:32 UTC"  # no raw id


# --- feeds/ -------------------------------------------------------------------------------

# file: (format, advisories, cap links, countries of the advisories)
FEEDS_EXPECTED: dict[str, tuple[str, int, int, list[list[str]]]] = {
    "amber.atom": ("atom", 1, 0, [["US"]]),
    "weather.atom": ("atom", 1, 0, [["US"]]),
    "sweden.atom": ("atom", 4, 0, [["SE"]] * 4),
    "ny_index.rss": ("rss", 0, 2, []),
    "usgs_alerthub.atom": ("atom", 0, 1, []),
    "govuk-travel-advice-full-country.json": ("fcdo", 1, 0, [["AL"]]),
    "govuk-travel-advice-alt-country.json": ("fcdo", 1, 0, [["TR"]]),
    "govuk-travel-advice-no-parts.json": ("fcdo", 1, 0, [["AQ"]]),
    "govuk-travel-advice-withdrawn-full-country.json": ("fcdo", 1, 0, [["AL"]]),
}


def test_every_feed_file_has_an_expectation() -> None:
    assert set(files("feeds")) == {*FEEDS_EXPECTED, "us-state-travel-advisories.xml"}


@pytest.mark.parametrize("name", sorted(FEEDS_EXPECTED))
def test_every_feed_file_normalizes(name: str) -> None:
    data = read(f"feeds/{name}")
    format_, count, links, countries = FEEDS_EXPECTED[name]
    assert detect_format(data, name) == format_
    result = normalize_document(data, received_at=NOW)
    assert len(result.advisories) == count
    assert len(result.cap_links) == links
    assert [a.countries for a in result.advisories] == countries
    assert result.warnings == []


def test_inline_cap_in_atom_is_read_as_cap() -> None:
    (weather,) = normalize_document(read("feeds/weather.atom"), received_at=NOW).advisories
    assert weather.source == "cap"
    assert weather.event == "Flash Flood Watch"
    assert (weather.level, weather.native_level) == (3, "Severe/Expected/Possible")
    assert weather.areas[0].geocodes == {"FIPS6": ["030049"], "UGC": ["MTZ014"]}
    (amber,) = normalize_document(read("feeds/amber.atom"), received_at=NOW).advisories
    assert amber.event == "Child Abduction"
    assert "BLK/BRO 3'0\"" in amber.content["en-US"].body  # double-escaped entities decoded


def test_cap_links_of_index_feeds() -> None:
    ny = normalize_document(read("feeds/ny_index.rss"), received_at=NOW)
    assert ny.cap_links == [
        "http://www.nyalert.gov/Public/News/GetCapAlert.aspx?capID=NYAlert-ALLHAZALERT-3167113",
        "http://www.nyalert.gov/Public/News/GetCapAlert.aspx?capID=NYAlert-ALLHAZALERT-3162202",
    ]
    usgs = normalize_document(read("feeds/usgs_alerthub.atom"), received_at=NOW)
    assert usgs.cap_links == ["http://earthquake.usgs.gov/earthquakes/eventpage/usb000qfgs.cap"]


def test_sweden_entries_carry_their_cap_areas_and_language() -> None:
    result = normalize_document(read("feeds/sweden.atom"), received_at=NOW)
    first = result.advisories[0]
    assert [a.name for a in first.areas] == ["Gävleborgs län", "Gävle"]
    assert first.event == "News"
    assert list(first.content) == ["sv"]


def test_fcdo_items() -> None:
    (albania,) = normalize_document(
        read("feeds/govuk-travel-advice-full-country.json"), received_at=NOW
    ).advisories
    assert albania.source == "gb-fcdo"
    assert albania.level == 1  # alert_status is empty
    assert albania.content["en"].web == "https://www.gov.uk/foreign-travel-advice/albania"
    assert albania.content["en"].body.startswith("Summary\nThe main opposition party")
    assert albania.content["en"].instruction.startswith("Latest update: Summary")
    assert albania.sent == datetime(2017, 2, 14, 15, 42, 21, tzinfo=UTC)
    (withdrawn,) = normalize_document(
        read("feeds/govuk-travel-advice-withdrawn-full-country.json"), received_at=NOW
    ).advisories
    assert withdrawn.msg_type.value == "cancel"
    assert withdrawn.advisory_id == albania.advisory_id  # a new version of the same advisory
    assert withdrawn.content["en"].body.startswith(
        "Withdrawn on 2017-02-28: This information has been archived as it is now out of date."
    )
    (antarctica,) = normalize_document(
        read("feeds/govuk-travel-advice-no-parts.json"), received_at=NOW
    ).advisories
    assert antarctica.content["en"].body == ""
    assert antarctica.sent == datetime(2015, 4, 28, 16, 11, 23, tzinfo=UTC)


# --- The US State Department feed -----------------------------------------------------------

US_STATE = "feeds/us-state-travel-advisories.xml"


def _us_state_items() -> list[tuple[str, list[str]]]:
    """(title, Country-Tags) of every item, read straight from the XML."""
    root = DefusedET.fromstring(read(US_STATE), forbid_dtd=True)
    return [
        (
            item.findtext("title") or "",
            [
                (c.text or "").strip()
                for c in item.findall("category")
                if c.get("domain") == "Country-Tag"
            ],
        )
        for item in root.iter("item")
    ]


def test_every_country_tag_of_the_us_state_feed_maps() -> None:
    items = _us_state_items()
    assert len(items) == 211
    tags = {tag for _, item_tags in items for tag in item_tags}
    assert len(tags) > 200
    assert {tag for tag in tags if not fips_to_iso(tag)} == set()


def test_country_tags_agree_with_the_country_named_in_the_title() -> None:
    disagree = []
    for title, tags in _us_state_items():
        name = re.split(r"\s+-\s+(?:Level|See Summaries)", title)[0]
        name = name.removesuffix(" Travel Advisory").strip()
        by_name = country_from_name(name)
        mapped = [code for tag in tags for code in fips_to_iso(tag)]
        if tags and by_name and by_name not in mapped:
            disagree.append((title, tags, mapped, by_name))
    assert disagree == []


def test_the_us_state_feed_normalizes_all_items_it_can() -> None:
    data = read(US_STATE)
    assert detect_format(data) == "us-state"
    result = normalize_document(data, received_at=NOW)
    assert len(result.advisories) == 211  # Kosovo too: XK is accepted beside ISO 3166-1
    assert result.warnings == []
    levels = [a.level for a in result.advisories]
    assert (levels.count(1), levels.count(2), levels.count(3), levels.count(4)) == (85, 84, 22, 20)
    by_headline = {a.content["en"].headline: a for a in result.advisories}
    mexico = by_headline["Mexico Travel Advisory - Level 2: Exercise Increased Caution"]
    assert (mexico.countries, mexico.level) == (["MX"], 2)
    assert mexico.native_level == "Level 2: Exercise Increased Caution"
    assert mexico.source_id == "MX,advisory"
    assert mexico.sent == datetime(2025, 8, 12, tzinfo=UTC)  # pubDate, a date without time
    china = next(a for h, a in by_headline.items() if h.startswith("Mainland China"))
    assert china.countries == ["CN", "HK", "MO"]
    assert by_headline["Macau - Level 3: Reconsider Travel"].countries == ["MO"]  # no tag
    countries = {c for a in result.advisories for c in a.countries}
    assert {"GB", "DE", "CN", "KZ", "KG", "RU", "TR"} <= countries
    # Every item is its own advisory, also the three that share Country-Tag A1.
    assert len({a.advisory_id for a in result.advisories}) == 211
    a1 = sorted(a.source_id for a in result.advisories if a.countries == ["BQ"])
    assert len(a1) == 3
    assert all(s.startswith("A1,advisory https://travel.state.gov/") for s in a1)


# --- messy/ and hostile/ ------------------------------------------------------------------


def test_pelmorex_is_read_with_the_encoding_defect_in_warnings() -> None:
    result = normalize_document(read("messy/pelmorex.atom"), received_at=NOW)
    assert result.cap_links == [
        "http://capcp2.naad-adna.pelmorex.com/2014-05-10/"
        "2014_05_10T02_17_00_00_00I2.49.0.1.124.41b6352f.2014.xml"
    ]
    assert result.warnings == [
        "XML: declared utf-8 but the bytes are not utf-8 (byte 0xe9 at offset 547); "
        "decoded as windows-1252"
    ]


def test_every_messy_file_is_read_with_its_defect_in_warnings() -> None:
    names = files("messy")
    assert names
    for name in names:
        result = normalize_document(read(f"messy/{name}"), received_at=NOW)
        assert result.warnings, name


HOSTILE_EXPECTED = {
    "xee.cap": (
        r"^XML: DTDs are not accepted \(possible XXE\): <!DOCTYPE alert> with system id "
        r"'http://localhost:8080/payload1.dtd' and 4 entity declaration\(s\)$"
    ),
    "invalid.cap": r"^CAP: invalid alert '12345': required <scope> is missing$",
    "canada_errors.cap": (
        r"^CAP: invalid alert '2.49.0.1.124.6bddbc91.2012': msgType Update needs <references> "
        r"naming the alert\(s\) it replaces; <references> is empty$"
    ),
    "noaa_errors.cap": (
        r"info\[1\]/<urgency> is empty .*info\[1\]/<severity> is empty .*"
        r"info\[1\]/area\[1\]/polygon\[1\]: '\+40.85,-118.09,' is not a 'lat,lon' pair; "
        r"<references> is empty$"
    ),
}


def test_every_hostile_file_has_an_expectation() -> None:
    assert set(files("hostile")) == set(HOSTILE_EXPECTED)


@pytest.mark.parametrize("name", sorted(HOSTILE_EXPECTED))
def test_every_hostile_file_is_refused_with_a_message_naming_the_problem(name: str) -> None:
    with pytest.raises(NormalizationError, match=HOSTILE_EXPECTED[name]):
        normalize_document(read(f"hostile/{name}"), received_at=NOW)


# --- Mutations of real files: nothing but NormalizationError escapes ----------------------


def _small_real_files() -> list[bytes]:
    if not (FIXTURES / "cap").is_dir():
        return [b""]
    paths = [*(FIXTURES / "cap").iterdir(), *(FIXTURES / "feeds").iterdir()]
    return [p.read_bytes() for p in sorted(paths) if p.stat().st_size < 60_000]


@st.composite
def mutated_real(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_small_real_files())))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "truncate", "insert"]))
        if kind == "flip" and data:
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[position:]
        else:
            data[position:position] = draw(st.sampled_from([b"<", b"&", b"\xff", b"<x>", b"]"]))
    return bytes(data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_real())
def test_mutated_real_files_raise_only_normalization_error(data: bytes) -> None:
    message = ""
    try:
        normalize_document(data, received_at=NOW)
    except NormalizationError as error:
        message = str(error) or "(empty message)"
    assert "\n" not in message
    assert message != "(empty message)"


def test_the_corpus_folder_is_where_the_tests_look() -> None:
    assert Path(FIXTURES, "SOURCES.md").is_file()

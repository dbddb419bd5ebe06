"""Feeds (RSS/Atom, US State Department, GOV.UK FCDO) and document dispatch
(consular_alerts.domain.formats: syndication, us_state, fcdo, scales, documents; the
country tables of consular_alerts.domain.language.countries).

The samples are written for these tests (tests/fixtures/feeds and the strings below);
the real-world corpus runs in tests/corpus/test_corpus.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pycountry
import pytest
from consular_alerts.domain.formats.documents import FORMATS, detect_format, normalize_document
from consular_alerts.domain.formats.fcdo import FCDO_LEVELS, parse_fcdo
from consular_alerts.domain.formats.scales import scale_level
from consular_alerts.domain.formats.syndication import parse_feed
from consular_alerts.domain.formats.us_state import parse_us_state
from consular_alerts.domain.formats.xml import MAX_DOCUMENT_BYTES
from consular_alerts.domain.identity import advisory_id_for
from consular_alerts.domain.language.countries import FIPS_TO_ISO, country_from_name, fips_to_iso
from consular_alerts.errors import NormalizationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import mutated as mutated_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
US_STATE = (FIXTURES / "feeds" / "us-state-sample.xml").read_bytes()
NEWS = (FIXTURES / "feeds" / "news.rss").read_bytes()
INLINE = (FIXTURES / "feeds" / "inline-cap.atom").read_bytes()
FCDO = (FIXTURES / "feeds" / "fcdo-sample.json").read_bytes()
CAP = (FIXTURES / "cap" / "kz-storm-ky-ru-en.cap").read_bytes()


def fcdo(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = json.loads(FCDO)
    details = {**item["details"], **changes.pop("details", {})}
    return {**item, **changes, "details": details}


# --- Generic RSS / Atom -------------------------------------------------------------------


def test_news_entries_become_advisories_and_entries_without_country_are_skipped() -> None:
    result = parse_feed(NEWS, received_at=NOW)
    assert [a.countries for a in result.advisories] == [["KZ"], ["TR"]]
    first = result.advisories[0]
    assert first.source == "feed:news.example.org"
    assert first.source_id == "item-1"
    assert first.advisory_id == advisory_id_for("feed:news.example.org", "item-1")
    assert first.sent == datetime(2022, 1, 4, 8, 0, tzinfo=UTC)
    assert first.level == 2  # from its words: "Citizens should avoid crowds"
    assert first.level_reason == "«avoid crowds»"
    content = first.content["en"]
    assert content.headline == "Protests expected in Almaty"
    assert content.body == (
        "Large protests are expected in Almaty, Kazakhstan. Citizens should avoid crowds."
    )
    assert content.web == "https://news.example.org/items/1"
    assert result.warnings == [
        "feed: entry 'Office hours change': cannot tell which country it is about; skipped"
    ]


def test_a_known_government_scale_in_the_title_gives_the_level() -> None:
    turkey = parse_feed(NEWS, received_at=NOW).advisories[1]
    assert turkey.level == 3
    assert turkey.native_level == "Level 3: Reconsider travel to border areas"


def test_default_countries_and_level_apply_to_news_without_them() -> None:
    result = parse_feed(NEWS, received_at=NOW, default_countries=["KG"], default_level=1)
    assert [a.countries for a in result.advisories] == [["KZ"], ["KG"], ["TR"]]
    # The default applies only where nothing says: the first item's words give level 2.
    assert [a.level for a in result.advisories] == [2, 1, 3]
    assert result.advisories[1].level_reason == "the default: the text names no level"
    assert result.warnings == []


def test_inline_cap_alerts_links_to_cap_and_cap_elements_in_entries() -> None:
    result = parse_feed(INLINE, received_at=NOW)
    assert result.cap_links == ["https://alerts.example.gov.au/a/2.cap"]
    fire, heat = result.advisories
    assert fire.source == "cap"
    assert fire.source_id == "AU-FIRE-1"
    assert (fire.level, fire.countries) == (3, ["AU"])  # Extreme, in a circle: part of AU
    assert fire.areas[0].circles == [(-35.39, 147.06, 10.0)]
    assert heat.event == "Heatwave"
    assert heat.areas[0].name == "Wagga Wagga"
    assert (heat.level, heat.native_level, heat.countries) == (2, "Moderate", ["AU"])
    assert heat.source == "feed:alerts.example.gov.au"


def test_a_cap_index_feed_yields_links_not_advisories() -> None:
    index = b"""<?xml version="1.0"?><rss version="2.0"><channel>
      <title>State-Wide CAP Index</title><link>https://alerts.example.gov/</link>
      <item><title>Road closed</title><link>https://alerts.example.gov/Get.aspx?capID=7</link>
        <guid>A-7</guid></item>
      <item><title>Flood</title><link>https://alerts.example.gov/alerts/8.xml</link></item>
    </channel></rss>"""
    result = parse_feed(index, received_at=NOW)
    assert result.advisories == []
    assert result.cap_links == [
        "https://alerts.example.gov/Get.aspx?capID=7",
        "https://alerts.example.gov/alerts/8.xml",
    ]


def test_an_escaped_cap_alert_in_content_is_read() -> None:
    escaped = CAP.decode().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id>'
        f'<entry><id>e1</id><title>Storm</title><content type="html">{escaped}</content>'
        "</entry></feed>"
    ).encode()
    (advisory,) = parse_feed(feed, received_at=NOW).advisories
    assert advisory.source_id == "KZ-EMER-2024-0117"
    assert list(advisory.content) == ["ky", "ru", "en"]


def test_a_bad_inline_alert_skips_its_entry_with_a_warning() -> None:
    broken = INLINE.replace(b"<scope>Public</scope>", b"")
    result = parse_feed(broken, received_at=NOW)
    assert [a.event for a in result.advisories] == ["Heatwave"]
    assert any("entry 1" in w and "<scope> is missing" in w for w in result.warnings)


def test_a_feed_that_feedparser_recovers_is_read_with_the_defect_in_warnings() -> None:
    broken = NEWS.replace(b"<title>Office hours change</title>", b"<title>Office & hours</title>")
    result = parse_feed(broken, received_at=NOW)
    assert [a.countries for a in result.advisories] == [["KZ"], ["TR"]]
    assert any("not well-formed" in w and "recovered 3 entries" in w for w in result.warnings)


def test_a_declared_encoding_the_bytes_do_not_match_is_read_with_a_warning() -> None:
    latin = NEWS.replace(b"Protests expected", "Manifestations prévues".encode()).decode()
    result = parse_feed(latin.encode("latin-1"), received_at=NOW)
    assert result.advisories[0].content["en"].headline == "Manifestations prévues in Almaty"
    assert any(
        "declared UTF-8 but the bytes are not UTF-8" in w and "decoded as windows-1252" in w
        for w in result.warnings
    )


def test_a_feed_with_a_dtd_is_refused() -> None:
    hostile = NEWS.replace(
        b"<rss", b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<rss', 1
    )
    with pytest.raises(NormalizationError, match="DTDs are not accepted"):
        parse_feed(hostile, received_at=NOW)


def test_xml_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(NormalizationError, match="not RSS or Atom"):
        parse_feed(b"<html><body>hi</body></html>", received_at=NOW)


def test_the_ministrys_own_feed_is_read_like_ministry_posts() -> None:
    own = (
        b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
      <title>MFA news</title><link>https://mfa.gov.kg/ru/news</link>
      <item><title>\xd0\x9e \xd1\x81\xd0\xb8\xd1\x82\xd1\x83\xd0\xb0\xd1\x86\xd0\xb8\xd0\xb8</title>
      <link>https://mfa.gov.kg/ru/news/1</link>
      <description>"""
        + (
            "МИД призывает граждан Кыргызстана, находящихся в Казахстане, избегать мест "
            "скопления людей. Горячая линия посольства: +996 772 454 444."
        ).encode()
        + b"""</description></item></channel></rss>"""
    )
    (advisory,) = parse_feed(own, received_at=NOW, ministry_country="KG").advisories
    assert advisory.countries == ["KZ"]
    assert list(advisory.content) == ["ru"]
    assert [h.number for h in advisory.hotlines] == ["+996772454444"]
    assert "избегать мест скопления людей" in advisory.content["ru"].instruction


def test_another_governments_feed_falls_back_to_its_domains_country() -> None:
    swedish = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Kris</title><id>k</id>
      <link href="https://www.krisinformation.se/"/>
      <entry><id>k1</id><title>Viktigt meddelande till allm\xc3\xa4nheten i Mora</title>
      <summary>Det viktiga meddelandet till allm\xc3\xa4nheten i Mora och Dalarna g\xc3\xa4ller
      inte l\xc3\xa4ngre. Faran \xc3\xa4r \xc3\xb6ver och det \xc3\xa4r s\xc3\xa4kert.</summary>
      </entry></feed>"""
    (advisory,) = parse_feed(swedish, received_at=NOW).advisories
    assert advisory.countries == ["SE"]
    assert list(advisory.content) == ["sv"]


# --- US State Department ------------------------------------------------------------------


def test_us_state_items_map_levels_and_fips_country_tags() -> None:
    result = parse_us_state(US_STATE, received_at=NOW)
    got = {
        a.content["en"].headline.split(" - ")[0]: (a.countries, a.level) for a in result.advisories
    }
    assert got == {
        "Mexico Travel Advisory": (["MX"], 2),
        "United Kingdom": (["GB"], 2),
        "Germany": (["DE"], 1),
        "Russia": (["RU"], 4),
        "Hong Kong": (["HK"], 2),  # no Country-Tag: from the title
        "Kyrgyzstan": (["KG"], 1),  # no Threat-Level tag: from the title
        "Kosovo": (["XK"], 2),  # FIPS KV -> XK, the code in common use outside ISO 3166-1
    }
    assert result.warnings == []


def test_a_us_state_item_keeps_the_native_level_identity_and_text() -> None:
    mexico = parse_us_state(US_STATE, received_at=NOW).advisories[0]
    assert mexico.source == "us-state"
    assert mexico.source_id == "MX,advisory"
    assert mexico.advisory_id == advisory_id_for("us-state", "MX,advisory")
    assert mexico.native_level == "Level 2: Exercise Increased Caution"
    assert mexico.sent == datetime(2025, 10, 7, tzinfo=UTC)
    content = mexico.content["en"]
    assert content.body == (
        "Exercise increased caution in Mexico due to crime and kidnapping.\n"
        "Do not travel to Colima state."
    )
    assert content.instruction == "Exercise Increased Caution."
    assert content.web.endswith("/mexico-travel-advisory.html")


def test_us_state_items_sharing_a_country_tag_stay_separate_advisories() -> None:
    item = (
        "<item><title>{name} - Level 1: Exercise Normal Precautions</title>"
        "<link>https://travel.state.gov/{slug}.html</link><pubDate>Wed, 08 Oct 2025</pubDate>"
        "<description>x</description><category domain='Country-Tag'>A1</category>"
        "<dc:identifier>A1,advisory</dc:identifier></item>"
    )
    feed = (
        '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
        "<link>https://travel.state.gov/</link>"
        + item.format(name="Bonaire", slug="bonaire")
        + item.format(name="Saba", slug="saba")
        + "</channel></rss>"
    ).encode()
    bonaire, saba = parse_us_state(feed, received_at=NOW).advisories
    assert bonaire.countries == saba.countries == ["BQ"]
    assert bonaire.advisory_id != saba.advisory_id
    assert bonaire.source_id == "A1,advisory https://travel.state.gov/bonaire.html"


def test_the_us_state_feed_is_detected_from_its_link() -> None:
    assert detect_format(US_STATE) == "us-state"
    assert len(parse_feed(US_STATE, received_at=NOW).advisories) == 7
    assert detect_format(NEWS) == "rss"


@pytest.mark.parametrize(
    ("fips", "iso"),
    [("UK", "GB"), ("GM", "DE"), ("CH", "CN"), ("KZ", "KZ"), ("KG", "KG"), ("RS", "RU"),
     ("TU", "TR"), ("AS", "AU"), ("AU", "AT"), ("SZ", "CH"), ("SR", "CH"), ("KS", "KR"),
     ("KN", "KP"), ("TI", "TJ"), ("TX", "TM"), ("UP", "UA"), ("BO", "BY"), ("EZ", "CZ"),
     ("IV", "CI"), ("A1", "BQ"), ("mx", "MX")],
)  # fmt: skip
def test_fips_10_4_maps_to_iso(fips: str, iso: str) -> None:
    assert iso in fips_to_iso(fips)


def test_every_fips_mapping_is_an_iso_country_except_kosovo() -> None:
    targets = {code for codes in FIPS_TO_ISO.values() for code in codes}
    unknown = {c for c in targets if pycountry.countries.get(alpha_2=c) is None}
    assert unknown == {"XK"}
    assert len(FIPS_TO_ISO) > 250
    assert fips_to_iso("ZZ") == ()


@pytest.mark.parametrize(
    ("name", "code"),
    [("Turkey", "TR"), ("Burma (Myanmar)", "MM"), ("The Bahamas", "BS"), ("Curaçao", "CW"),
     ("Cote d Ivoire", "CI"), ("Kingdom of Denmark", "DK"), ("Macau", "MO"),
     ("South Korea", "KR"), ("Antarctica", "AQ"), ("Atlantis", None)],
)  # fmt: skip
def test_country_from_name(name: str, code: str | None) -> None:
    assert country_from_name(name) == code


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (
            ("Mexico - Level 2: Exercise Increased Caution",),
            (2, "Level 2: Exercise Increased Caution"),
        ),
        (("Avoid non-essential travel to Haiti",), (3, "Avoid non-essential travel")),
        (("", "Reconsider your need to travel"), (3, "Reconsider your need to travel")),
        (("Exercise a high degree of caution",), (2, "Exercise a high degree of caution")),
        (("Do not travel",), (4, "Do not travel")),
        (("Nothing here",), None),
    ],
)
def test_scale_level(texts: tuple[str, ...], expected: tuple[int, str] | None) -> None:
    assert scale_level(*texts) == expected


# --- GOV.UK FCDO --------------------------------------------------------------------------


def test_an_fcdo_item_maps_field_by_field() -> None:
    result = parse_fcdo(json.loads(FCDO), received_at=NOW)
    (advisory,) = result.advisories
    assert advisory.source == "gb-fcdo"
    assert advisory.source_id == "0f3a0d2e-1111-4b2a-9c61-5d2b7a0c9e01"
    assert advisory.countries == ["KZ"]
    assert (advisory.level, advisory.native_level) == (2, "avoid_all_but_essential_travel_to_parts")
    assert advisory.sent == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    assert advisory.msg_type.value == "alert"
    content = advisory.content["en"]
    assert content.headline == "Kazakhstan travel advice"
    assert content.summary.startswith("FCDO travel advice for Kazakhstan.")
    assert content.body == (
        "Warnings and insurance\nFCDO advises against all but essential travel to Zhanaozen.\n\n"
        "Safety and security\nProtests\nAvoid demonstrations in Almaty."
    )
    assert content.instruction == "Latest update: protests in Almaty; avoid demonstrations."
    assert content.web == "https://www.gov.uk/foreign-travel-advice/kazakhstan"


@pytest.mark.parametrize(
    ("statuses", "level"),
    [
        ([], 1),
        (["avoid_all_but_essential_travel_to_parts"], 2),
        (["avoid_all_travel_to_parts"], 3),
        (["avoid_all_but_essential_travel_to_whole_country"], 3),
        (["avoid_all_travel_to_whole_country"], 4),
        (["avoid_all_but_essential_travel_to_parts", "avoid_all_travel_to_parts"], 3),
    ],
)
def test_fcdo_alert_status_levels(statuses: list[str], level: int) -> None:
    (advisory,) = parse_fcdo(fcdo(details={"alert_status": statuses}), received_at=NOW).advisories
    assert advisory.level == level
    assert advisory.native_level == ", ".join(statuses)
    assert set(statuses) <= set(FCDO_LEVELS)


def test_an_unknown_fcdo_status_is_a_warning() -> None:
    result = parse_fcdo(fcdo(details={"alert_status": ["mystery"]}), received_at=NOW)
    assert result.advisories[0].level == 1
    assert result.warnings == ["FCDO: unknown alert_status 'mystery'; ignored"]


def test_a_withdrawn_fcdo_item_is_a_cancel_with_the_explanation() -> None:
    notice = {
        "explanation": "<p>Archived: out of date.</p>",
        "withdrawn_at": "2024-02-01T00:00:00Z",
    }
    (advisory,) = parse_fcdo(fcdo(withdrawn_notice=notice), received_at=NOW).advisories
    assert advisory.msg_type.value == "cancel"
    assert advisory.references == [advisory.advisory_id]
    assert advisory.content["en"].body.startswith("Withdrawn on 2024-02-01: Archived: out of date.")
    (kept,) = parse_fcdo(fcdo(withdrawn_notice={}), received_at=NOW).advisories
    assert kept.msg_type.value == "alert"


def test_fcdo_country_from_slug_and_errors_name_the_field() -> None:
    (advisory,) = parse_fcdo(
        fcdo(details={"country": {"slug": "south-korea"}}), received_at=NOW
    ).advisories
    assert advisory.countries == ["KR"]
    with pytest.raises(NormalizationError, match=r"details.country 'Narnia' is not an ISO"):
        parse_fcdo(fcdo(details={"country": {"name": "Narnia"}}), received_at=NOW)
    with pytest.raises(NormalizationError, match=r"details.parts\[0\].body is not a string"):
        parse_fcdo(fcdo(details={"parts": [{"title": "x", "body": 5}]}), received_at=NOW)
    with pytest.raises(NormalizationError, match="alert_status is not a list of strings"):
        parse_fcdo(fcdo(details={"alert_status": "avoid"}), received_at=NOW)


# --- Detection and dispatch ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (CAP, "", "cap"),
        (NEWS, "", "rss"),
        (INLINE, "", "atom"),
        (US_STATE, "", "us-state"),
        (FCDO, "", "fcdo"),
        (b'{"countries": ["KZ"], "level": 2}', "", "json"),
        ("Внимание! Гражданам в Казахстане.".encode(), "", "text"),
        (b"<p>Avoid <b>Almaty</b></p>", "", "html"),
        (b"Plain words", "post.html", "html"),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c -->\n<alert/>", "", "cap"),
        ('<?xml version="1.0" encoding="UTF-16"?><feed/>'.encode("utf-16"), "", "atom"),
    ],
)
def test_detect_format(data: bytes, filename: str, expected: str) -> None:
    assert expected in FORMATS
    assert detect_format(data, filename) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"   \n", "document is empty"),
        (b"<?xml version='1.0'?><invoice/>", r"root <invoice> is not CAP, RSS or Atom"),
        (b"ab\x00cd", "binary"),
    ],
)
def test_detect_format_refuses_what_it_cannot_tell(data: bytes, message: str) -> None:
    with pytest.raises(NormalizationError, match=message):
        detect_format(data)


def test_normalize_document_dispatches_every_format() -> None:
    assert normalize_document(CAP, received_at=NOW).advisories[0].source_id == "KZ-EMER-2024-0117"
    assert normalize_document(INLINE, received_at=NOW).cap_links == [
        "https://alerts.example.gov.au/a/2.cap"
    ]
    assert normalize_document(FCDO, received_at=NOW).advisories[0].source == "gb-fcdo"
    assert len(normalize_document(US_STATE, received_at=NOW).advisories) == 7
    draft = b'{"content": {"en": {"headline": "Storm"}}, "level": 3}'
    (advisory,) = normalize_document(draft, received_at=NOW, default_countries=["KZ"]).advisories
    assert (advisory.countries, advisory.level, advisory.source) == (["KZ"], 3, "mfa-kg")
    text = "Гражданам Кыргызстана в Казахстане рекомендуется избегать митингов.".encode()
    (post,) = normalize_document(text, received_at=NOW).advisories
    assert post.countries == ["KZ"]
    (page,) = normalize_document(
        b"<p>Avoid <b>Turkey</b> border areas.</p>", received_at=NOW
    ).advisories
    assert page.countries == ["TR"]


def test_a_given_source_and_format_win() -> None:
    result = normalize_document(NEWS, received_at=NOW, format="rss", source="ex-news")
    assert {a.source for a in result.advisories} == {"ex-news"}
    (advisory,) = normalize_document(CAP, received_at=NOW, source="kz-emer").advisories
    assert advisory.advisory_id == advisory_id_for("kz-emer", "cap@emer.gov.kz,KZ-EMER-2024-0117")


def test_a_json_draft_list_and_json_errors() -> None:
    drafts = json.dumps(
        [
            {"countries": ["KZ"], "level": 2, "content": {"ru": {"headline": "Митинги"}}},
            {"countries": ["TR"], "level": 3, "content": {"en": {"headline": "Quake"}}},
        ]
    ).encode()
    result = normalize_document(drafts, received_at=NOW)
    assert [a.countries for a in result.advisories] == [["KZ"], ["TR"]]
    with pytest.raises(NormalizationError, match=r"JSON: level: Field required"):
        normalize_document(b'{"countries": ["KZ"], "content": {"en": {"headline": "x"}}}',
                           received_at=NOW)  # fmt: skip
    with pytest.raises(NormalizationError, match=r"JSON: invalid JSON at line 1 column 15"):
        normalize_document(b'{"countries": ', received_at=NOW, format="json")
    assert detect_format(b'{"countries": ', "post.json") == "json"  # the JSON path reports
    assert detect_format(b"[URGENT] Avoid Almaty", "") == "text"


def test_a_post_that_is_not_utf8_is_decoded_with_a_warning() -> None:
    text = "Гражданам Кыргызстана в Казахстане рекомендуется избегать митингов.".encode("cp1251")
    result = normalize_document(text, received_at=NOW, format="text")
    assert result.advisories[0].countries == ["KZ"]
    assert result.warnings == ["text: not UTF-8 (byte 0xc3 at offset 0); decoded as windows-1251"]


def test_normalize_document_limits_and_errors() -> None:
    with pytest.raises(NormalizationError, match="at most 5242880 are accepted"):
        normalize_document(b" " * (MAX_DOCUMENT_BYTES + 1), received_at=NOW)
    with pytest.raises(NormalizationError, match="unknown format 'pdf'"):
        normalize_document(CAP, received_at=NOW, format="pdf")
    with pytest.raises(NormalizationError, match="document is empty"):
        normalize_document(b"", received_at=NOW)
    with pytest.raises(NormalizationError, match="FCDO: the document is not a JSON object"):
        normalize_document(b"[1]", received_at=NOW, format="fcdo")


# --- Property-based: nothing but NormalizationError escapes -------------------------------

SAMPLES = [NEWS, INLINE, US_STATE, CAP, FCDO]


def _refuses_cleanly(call: Any) -> None:
    """`call` succeeds, or raises NormalizationError with a one-line message; nothing else."""
    message = None
    try:
        call()
    except NormalizationError as error:
        message = str(error)
    if message is not None:
        assert message
        assert "\n" not in message


FEED_FRAGMENTS = [b"<", b">", b"&", b"&#0;", b"<!DOCTYPE x>", b"\x00", b"\xff", b"]]>",
    b"<entry>", b"</item>", b'"', b"{", b"}", b"[", b"null", b"\xd0",
    b"Level 9:", b"<link href='http://[x'/>"]  # fmt: skip


def mutated(samples: list[bytes] = SAMPLES) -> st.SearchStrategy[bytes]:
    return mutated_bytes(samples, FEED_FRAGMENTS, max_mutations=5, max_deletion=60)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=1500))
def test_random_bytes_through_every_parser(data: bytes) -> None:
    _refuses_cleanly(lambda: parse_feed(data, received_at=NOW))
    _refuses_cleanly(lambda: parse_us_state(data, received_at=NOW))
    _refuses_cleanly(lambda: normalize_document(data, received_at=NOW))
    _refuses_cleanly(lambda: detect_format(data))


@SETTINGS
@given(mutated([NEWS, INLINE]))
def test_mutated_rss_and_atom(data: bytes) -> None:
    _refuses_cleanly(lambda: parse_feed(data, received_at=NOW))


@SETTINGS
@given(mutated([US_STATE]))
def test_mutated_us_state(data: bytes) -> None:
    _refuses_cleanly(lambda: parse_us_state(data, received_at=NOW))


@SETTINGS
@given(mutated([FCDO]))
def test_mutated_fcdo_bytes(data: bytes) -> None:
    _refuses_cleanly(lambda: normalize_document(data, received_at=NOW, format="fcdo"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@SETTINGS
@given(
    st.fixed_dictionaries(
        {"document_type": st.just("travel_advice")},
        optional={
            "details": st.fixed_dictionaries(
                {},
                optional={
                    "country": JSON_VALUES | st.fixed_dictionaries({"name": JSON_VALUES}),
                    "alert_status": JSON_VALUES,
                    "parts": JSON_VALUES
                    | st.lists(st.fixed_dictionaries({"title": JSON_VALUES, "body": JSON_VALUES})),
                    "change_description": JSON_VALUES,
                },
            ),
            "title": JSON_VALUES,
            "base_path": JSON_VALUES,
            "public_updated_at": JSON_VALUES,
            "withdrawn_notice": JSON_VALUES,
            "content_id": JSON_VALUES,
            "locale": JSON_VALUES,
        },
    )
)
def test_random_fcdo_items(item: dict[str, Any]) -> None:
    _refuses_cleanly(lambda: parse_fcdo(item, received_at=NOW))


@SETTINGS
@given(mutated())
def test_mutated_documents_through_detection_and_dispatch(data: bytes) -> None:
    _refuses_cleanly(lambda: normalize_document(data, received_at=NOW))

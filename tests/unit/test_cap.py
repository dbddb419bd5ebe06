"""CAP 1.0/1.1/1.2 -> Advisory (consular_alerts.domain.formats.cap and what it reads with:
xml, cap_elements, cap_info, cap_areas, senders; language/sentences and language/tags).

The alerts here are written for these tests (tests/fixtures/cap and the `alert()` builder);
the real-world corpus runs in tests/corpus/test_corpus.py.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest
from consular_alerts.domain.formats.cap import parse_cap
from consular_alerts.domain.formats.cap_info import cap_level
from consular_alerts.domain.formats.senders import country_from_domain
from consular_alerts.domain.formats.xml import MAX_DOCUMENT_BYTES, repair_xml_encoding
from consular_alerts.domain.identity import advisory_id_for
from consular_alerts.domain.language.sentences import first_sentences
from consular_alerts.domain.language.tags import normalize_language_tag
from consular_alerts.errors import NormalizationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import mutated as mutated_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cap"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"

AREA = """
    <area>
      <areaDesc>Central Valley</areaDesc>
      <polygon>38.47,-120.14 38.34,-119.95 38.52,-119.74 38.47,-120.14</polygon>
      <circle>38.40,-120.00 5.5</circle>
      <geocode><valueName>SAME</valueName><value>006109</value></geocode>
      <geocode><valueName>SAME</valueName><value>006009</value></geocode>
    </area>"""

# The whole country, named and nothing more: the level is not capped (cap_scope.py).
WHOLE_US = "<area><areaDesc>United States</areaDesc></area>"


def info(
    *,
    language: str | None = "en-US",
    severity: str = "Severe",
    urgency: str = "Expected",
    certainty: str = "Likely",
    headline: str | None = "Severe thunderstorm warning",
    description: str = "A storm is moving east. Hail is likely. Winds reach 90 km/h.",
    instruction: str = "Take cover in a substantial shelter.",
    area: str = AREA,
    extra: str = "",
    web: str = "https://www.weather.gov/sto",
) -> str:
    return f"""
  <info>
    {f"<language>{language}</language>" if language is not None else ""}
    <category>Met</category>
    <event>Thunderstorm</event>
    <responseType>Shelter</responseType>
    <urgency>{urgency}</urgency>
    <severity>{severity}</severity>
    <certainty>{certainty}</certainty>
    <effective>2024-05-01T10:00:00-07:00</effective>
    <expires>2024-05-01T12:00:00-07:00</expires>
    {f"<headline>{headline}</headline>" if headline is not None else ""}
    <description>{description}</description>
    <instruction>{instruction}</instruction>
    {f"<web>{web}</web>" if web else ""}
    {extra}
    {area}
  </info>"""


def alert(
    *,
    namespace: str | None = CAP12,
    identifier: str = "KSTO-2024-0501",
    sender: str = "w-nws.webmaster@noaa.gov",
    status: str = "Actual",
    msg_type: str = "Alert",
    scope: str = "Public",
    references: str | None = None,
    infos: tuple[str, ...] | None = None,
    extra: str = "",
    omit: str = "",
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> bytes:
    fields = {
        "identifier": identifier,
        "sender": sender,
        "sent": "2024-05-01T10:00:00-07:00",
        "status": status,
        "msgType": msg_type,
        "scope": scope,
    }
    head = "".join(f"  <{k}>{v}</{k}>\n" for k, v in fields.items() if k != omit)
    refs = f"  <references>{references}</references>\n" if references is not None else ""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = "".join(infos if infos is not None else (info(),))
    return f"{prolog}<alert{xmlns}>\n{head}{refs}{extra}{body}\n</alert>\n".encode()


def parse(data: bytes, **kwargs: object) -> tuple[object, list[str]]:
    warnings: list[str] = []
    advisory = parse_cap(data, received_at=NOW, warnings=warnings, **kwargs)  # type: ignore[arg-type]
    return advisory, warnings


# --- The mapping ----------------------------------------------------------------------------


def test_a_cap_12_alert_maps_field_by_field() -> None:
    advisory = parse_cap(alert(), received_at=NOW)
    assert advisory.advisory_id == advisory_id_for("cap", "w-nws.webmaster@noaa.gov,KSTO-2024-0501")
    assert advisory.source == "cap"
    assert advisory.source_id == "KSTO-2024-0501"
    assert advisory.sender == "w-nws.webmaster@noaa.gov"
    assert advisory.sent == datetime(2024, 5, 1, 17, 0, tzinfo=UTC)
    assert advisory.received_at == NOW
    assert (advisory.status.value, advisory.msg_type.value) == ("actual", "alert")
    assert advisory.countries == ["US"]
    assert (advisory.severity, advisory.urgency, advisory.certainty) == (
        "Severe",
        "Expected",
        "Likely",
    )
    assert advisory.level == 3
    assert advisory.native_level == "Severe/Expected/Likely"
    assert (advisory.category, advisory.event) == ("Met", "Thunderstorm")
    assert advisory.effective == datetime(2024, 5, 1, 17, 0, tzinfo=UTC)
    assert advisory.expires == datetime(2024, 5, 1, 19, 0, tzinfo=UTC)
    content = advisory.content["en-US"]
    assert content.headline == "Severe thunderstorm warning"
    assert content.summary == "A storm is moving east. Hail is likely. Winds reach 90 km/h."
    assert content.body == content.summary
    assert content.instruction == "Take cover in a substantial shelter."
    assert content.web == "https://www.weather.gov/sto"
    (area,) = advisory.areas
    assert area.name == "Central Valley"
    assert area.polygons == [
        [(38.47, -120.14), (38.34, -119.95), (38.52, -119.74), (38.47, -120.14)]
    ]
    assert area.circles == [(38.40, -120.00, 5.5)]
    assert area.geocodes == {"SAME": ["006109", "006009"]}
    assert len(advisory.content_hash) == 64
    assert advisory.version == 1


@pytest.mark.parametrize(
    "namespace",
    [
        "urn:oasis:names:tc:emergency:cap:1.2",
        "urn:oasis:names:tc:emergency:cap:1.1",
        "urn:oasis:names:tc:emergency:cap:1.0",
        None,
    ],
)
def test_cap_versions_and_unnamespaced_alerts_read_alike(namespace: str | None) -> None:
    advisory = parse_cap(alert(namespace=namespace), received_at=NOW)
    assert advisory.countries == ["US"]
    assert advisory.content["en-US"].headline == "Severe thunderstorm warning"


def test_prefixed_elements_and_a_signature_are_read_and_ignored() -> None:
    plain = alert().decode()
    prefixed = plain.replace("<alert xmlns=", "<cap:alert xmlns:cap=").replace(
        "</alert>", "</cap:alert>"
    )
    names = (
        "identifier sender sent status msgType scope info language category event responseType "
        "urgency severity certainty effective expires headline description instruction web "
        "area areaDesc polygon circle geocode valueName value"
    )
    for name in names.split():
        prefixed = prefixed.replace(f"<{name}>", f"<cap:{name}>").replace(
            f"</{name}>", f"</cap:{name}>"
        )
    signature = (
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>'
        "<identifier>not-the-alert</identifier></SignedInfo>"
        "<SignatureValue>AAAA</SignatureValue></Signature>"
    )
    signed = prefixed.replace("</cap:alert>", signature + "</cap:alert>").encode()
    advisory = parse_cap(signed, received_at=NOW)
    assert advisory.source_id == "KSTO-2024-0501"
    assert advisory.areas[0].geocodes == {"SAME": ["006109", "006009"]}


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("zh-tw", "zh-TW"), ("en-ca", "en-CA"), ("EN", "en"), ("sr_latn_rs", "sr-Latn-RS"),
     ("es-419", "es-419"), ("is-IS", "is-IS")],
)  # fmt: skip
def test_language_tags_are_normalized(raw: str, normalized: str) -> None:
    assert normalize_language_tag(raw) == normalized
    advisory = parse_cap(alert(infos=(info(language=raw),)), received_at=NOW)
    assert list(advisory.content) == [normalized]


def test_language_defaults_to_en_us_and_a_bad_tag_is_a_warning() -> None:
    advisory = parse_cap(alert(infos=(info(language=None),)), received_at=NOW)
    assert list(advisory.content) == ["en-US"]
    advisory, warnings = parse(alert(infos=(info(language="English!"),)))
    assert list(advisory.content) == ["en-US"]  # type: ignore[attr-defined]
    assert any("not a language tag" in w for w in warnings)


def test_every_info_is_a_language_and_two_in_one_language_are_merged() -> None:
    advisory = parse_cap(
        alert(
            infos=(
                info(language="ky", headline="Катуу бороон", description="Бороон күтүлөт."),
                info(language="ru", headline="Сильная гроза", description="Ожидается гроза."),
                info(language="ru", headline="Град", description="Возможен крупный град."),
            )
        ),
        received_at=NOW,
    )
    assert list(advisory.content) == ["ky", "ru"]
    body = advisory.content["ru"].body
    assert "Ожидается гроза." in body
    assert "Град\nВозможен крупный град." in body  # the second text kept, with its headline
    assert advisory.content["ru"].headline == "Сильная гроза"
    assert len(advisory.areas) == 1  # the same area in every info is kept once


def test_headline_falls_back_to_event_and_summary_is_cut_to_300() -> None:
    long = " ".join(["The river is rising fast near the old bridge."] * 20)
    advisory = parse_cap(alert(infos=(info(headline=None, description=long),)), received_at=NOW)
    content = advisory.content["en-US"]
    assert content.headline == "Thunderstorm"
    assert len(content.summary) <= 300
    assert content.summary.startswith("The river is rising fast near the old bridge.")
    assert content.body == long


def test_html_in_descriptions_becomes_text_and_placeholders_are_dropped() -> None:
    advisory = parse_cap(
        alert(
            infos=(
                info(
                    description=(
                        "LOCATION: 12 Cox St&lt;br /&gt;"
                        "STATUS: Out of control &amp;#39;now&amp;#39;"
                    ),
                    instruction="Not Applicable",
                ),
            )
        ),
        received_at=NOW,
    )
    content = advisory.content["en-US"]
    assert content.body == "LOCATION: 12 Cox St\nSTATUS: Out of control 'now'"
    assert content.instruction == ""


def test_a_web_link_that_is_not_http_is_dropped_with_a_warning() -> None:
    data = alert().replace(b"https://www.weather.gov/sto", b"javascript:alert(1)")
    advisory, warnings = parse(data)
    assert advisory.content["en-US"].web == ""  # type: ignore[attr-defined]
    assert any("<web>" in w for w in warnings)


def test_the_cyrillic_fixture_in_three_languages() -> None:
    advisory = parse_cap((FIXTURES / "kz-storm-ky-ru-en.cap").read_bytes(), received_at=NOW)
    assert list(advisory.content) == ["ky", "ru", "en"]
    assert advisory.content["ky"].headline == "Алматыда катуу шамал күтүлөт"
    assert advisory.content["ru"].instruction == "Оставайтесь дома, отложите работы на улице."
    assert advisory.countries == ["KZ"]
    assert advisory.areas[0].iso_3166_2 == "KZ-75"
    assert advisory.level == 3  # the most severe info (Severe) decides
    assert advisory.expires == datetime(2024, 1, 18, 7, 0, tzinfo=UTC)  # the latest one


# --- Level --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "urgency", "certainty", "responses", "level"),
    [
        ("Extreme", "Immediate", "Observed", (), 4),
        ("Severe", "Immediate", "Observed", (), 3),
        ("Moderate", "Expected", "Likely", (), 2),
        ("Minor", "Future", "Possible", (), 1),
        ("Unknown", "Unknown", "Unknown", (), 2),
        ("Extreme", "Past", "Observed", (), 3),
        ("Severe", "Expected", "Unlikely", (), 2),
        ("Minor", "Past", "Unlikely", (), 1),
        ("Extreme", "Immediate", "Observed", ("AllClear",), 1),
    ],
)
def test_level_table(
    severity: str, urgency: str, certainty: str, responses: tuple[str, ...], level: int
) -> None:
    assert cap_level(severity, urgency, certainty, responses) == level


def test_the_most_severe_info_gives_severity_urgency_certainty_and_level() -> None:
    advisory = parse_cap(
        alert(
            infos=(
                info(language="en-US", severity="Minor", urgency="Future", area=WHOLE_US),
                info(language="es-US", severity="Extreme", urgency="Immediate", area=WHOLE_US),
            )
        ),
        received_at=NOW,
    )
    assert (advisory.severity, advisory.urgency, advisory.level) == ("Extreme", "Immediate", 4)
    assert advisory.native_level == "Extreme/Immediate/Likely"


# --- Message types, references, status ---------------------------------------------------


def test_update_references_point_at_the_advisories_they_replace() -> None:
    refs = (
        "w-nws.webmaster@noaa.gov,KSTO-1,2024-05-01T09:00:00-07:00 "
        "w-nws.webmaster@noaa.gov,KSTO-2,2024-05-01T09:30:00-07:00"
    )
    advisory = parse_cap(alert(msg_type="Update", references=refs), received_at=NOW)
    assert advisory.msg_type.value == "update"
    assert advisory.references == [
        advisory_id_for("cap", "w-nws.webmaster@noaa.gov,KSTO-1"),
        advisory_id_for("cap", "w-nws.webmaster@noaa.gov,KSTO-2"),
    ]
    mine = parse_cap(alert(identifier="KSTO-1"), received_at=NOW)
    assert mine.advisory_id == advisory.references[0]


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
@pytest.mark.parametrize("references", [None, "", "   "])
def test_update_or_cancel_without_references_is_refused(
    msg_type: str, references: str | None
) -> None:
    with pytest.raises(NormalizationError, match=r"msgType .* needs <references>"):
        parse_cap(alert(msg_type=msg_type, references=references), received_at=NOW)


def test_a_malformed_reference_is_named() -> None:
    with pytest.raises(NormalizationError, match="'only-one-part' is not 'sender,identifier,sent'"):
        parse_cap(alert(msg_type="Update", references="only-one-part"), received_at=NOW)


@pytest.mark.parametrize("msg_type", ["Ack", "Error"])
def test_ack_and_error_are_not_advisories(msg_type: str) -> None:
    with pytest.raises(NormalizationError, match="not an advisory"):
        parse_cap(alert(msg_type=msg_type, references="a,b,c"), received_at=NOW)


@pytest.mark.parametrize("status", ["Actual", "Exercise", "System", "Test", "Draft"])
def test_status_is_kept_lowercase(status: str) -> None:
    assert parse_cap(alert(status=status), received_at=NOW).status.value == status.lower()


def test_a_cancel_without_info_says_what_was_cancelled() -> None:
    bare = alert(msg_type="Cancel", references="sender@x.gov,A-1,2024-05-01T09:00:00Z", infos=())
    advisory = parse_cap(bare, received_at=NOW)
    assert advisory.msg_type.value == "cancel"
    assert advisory.content["en"].headline == "the alert sent 2024-05-01 09:00 UTC"
    assert advisory.countries == ["US"]  # from the sender's domain (noaa.gov)
    noted = bare.replace(b"<msgType>", b"<note>Storm is over. Resume activities.</note><msgType>")
    advisory = parse_cap(noted, received_at=NOW)
    assert advisory.content["en"].headline == "Storm is over."
    assert advisory.content["en"].body == "Storm is over. Resume activities."


def test_an_alert_without_info_is_refused() -> None:
    with pytest.raises(NormalizationError, match="has no <info>"):
        parse_cap(alert(infos=()), received_at=NOW)


@pytest.mark.parametrize("scope", ["Restricted", "Private"])
def test_only_public_alerts_are_accepted(scope: str) -> None:
    with pytest.raises(NormalizationError, match=f"scope {scope}"):
        parse_cap(alert(scope=scope), received_at=NOW)


# --- Schema checks ------------------------------------------------------------------------


@pytest.mark.parametrize("element", ["identifier", "sender", "sent", "status", "msgType", "scope"])
def test_a_missing_required_element_is_named(element: str) -> None:
    with pytest.raises(NormalizationError, match=f"required <{element}> is missing"):
        parse_cap(alert(omit=element), received_at=NOW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"severity": ""}, r"info\[1\]/<severity> is empty"),
        ({"urgency": "Soon"}, r"info\[1\]/<urgency> 'Soon' is not one of"),
        ({"certainty": "Maybe"}, r"<certainty> 'Maybe' is not one of"),
    ],
)
def test_info_vocabulary_is_checked(change: dict[str, str], message: str) -> None:
    with pytest.raises(NormalizationError, match=message):
        parse_cap(alert(infos=(info(**change),)), received_at=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("<area><areaDesc>X</areaDesc>"
         "<polygon>38.1,-120 91.0,-119 38.5,-119 38.1,-120</polygon></area>",
         r"info\[1\]/area\[1\]/polygon\[1\]: 91.0 is outside -90.0..90.0"),
        ("<area><areaDesc>X</areaDesc><polygon>38.1;-120 38.2,-119 38.5,-119</polygon></area>",
         r"polygon\[1\]: '38.1;-120' is not a 'lat,lon' pair"),
        ("<area><areaDesc>X</areaDesc><polygon>1,1 1,1 1,1 1,1</polygon></area>",
         r"polygon\[1\] has 1 distinct points"),
        ("<area><areaDesc>X</areaDesc><circle>38.1,-120</circle></area>",
         r"circle\[1\]: '38.1,-120' is not 'lat,lon radius'"),
        ("<area><areaDesc>X</areaDesc><circle>38.1,-220 5</circle></area>",
         r"circle\[1\]: -220.0 is outside -180.0..180.0"),
        ("<area><areaDesc>X</areaDesc><circle>nan,1 5</circle></area>",
         r"circle\[1\]: nan is outside"),
    ],
)  # fmt: skip
def test_bad_coordinates_name_the_element(area: str, message: str) -> None:
    with pytest.raises(NormalizationError, match=message):
        parse_cap(alert(infos=(info(area=area),)), received_at=NOW)


def test_an_open_polygon_is_closed_with_a_warning() -> None:
    area = "<area><areaDesc>X</areaDesc><polygon>38.1,-120 38.2,-119 38.5,-119.5</polygon></area>"
    advisory, warnings = parse(alert(infos=(info(area=area),)))
    ring = advisory.areas[0].polygons[0]  # type: ignore[attr-defined]
    assert ring[0] == ring[-1] == (38.1, -120.0)
    assert any("was not closed" in w for w in warnings)


def test_several_problems_are_reported_together_on_one_line() -> None:
    data = alert(omit="scope", infos=(info(severity="", urgency=""),))
    with pytest.raises(NormalizationError) as caught:
        parse_cap(data, received_at=NOW)
    message = str(caught.value)
    assert "\n" not in message
    assert "<scope> is missing" in message
    assert "<severity> is empty" in message
    assert "<urgency> is empty" in message


def test_a_bad_date_is_named() -> None:
    data = alert().replace(b"<sent>2024-05-01T10:00:00-07:00</sent>", b"<sent>yesterday</sent>")
    with pytest.raises(NormalizationError, match="<sent> 'yesterday' is not a date-time"):
        parse_cap(data, received_at=NOW)


# --- Countries ----------------------------------------------------------------------------


def _area(geocodes: str = "", desc: str = "Somewhere") -> str:
    return f"<area><areaDesc>{desc}</areaDesc>{geocodes}</area>"


def _geocode(name: str, value: str) -> str:
    return f"<geocode><valueName>{name}</valueName><value>{value}</value></geocode>"


@pytest.mark.parametrize(
    ("geocodes", "countries"),
    [
        (_geocode("SAME", "006109"), ["US"]),
        (_geocode("FIPS6", "072001"), ["PR"]),
        (_geocode("UGC", "GUZ001"), ["GU"]),
        (_geocode("profile:CAP-CP:Location:0.3", "3537001"), ["CA"]),
        (_geocode("http://www.iso.org/iso/country_codes.html", "AU-NSW"), ["AU"]),
        (_geocode("EMMA_ID", "UK001"), ["GB"]),
        (_geocode("NUTS3", "EL301"), ["GR"]),
        # Kosovo: outside ISO 3166-1, in common use, and accepted by the advisory contract.
        (_geocode("ISO 3166-1", "XK"), ["XK"]),
    ],
)
def test_countries_from_national_geocode_systems(geocodes: str, countries: list[str]) -> None:
    data = alert(sender="someone", infos=(info(language="en", area=_area(geocodes)),))
    assert parse_cap(data, received_at=NOW).countries == countries


def test_an_iso_subdivision_geocode_fills_iso_3166_2() -> None:
    area = _area(_geocode("ISO 3166-2", "AU-NSW"))
    advisory = parse_cap(alert(infos=(info(area=area),)), received_at=NOW)
    assert advisory.areas[0].iso_3166_2 == "AU-NSW"


def test_a_country_named_in_area_desc_wins_over_the_senders_country() -> None:
    area = _area(desc="47 miles SSW of Usulutan, El Salvador")
    data = alert(sender="http://earthquake.usgs.gov/", infos=(info(area=area),))
    assert parse_cap(data, received_at=NOW).countries == ["SV"]


@pytest.mark.parametrize(
    ("sender", "language", "countries"),
    [
        ("cap@ec.gc.ca", "en", ["CA"]),
        ("webmaster@rfs.nsw.gov.au", "en", ["AU"]),
        ("smn.cna.gob.mx", "es-419", ["MX"]),
        ("https://www.weather.gov/", "en", ["US"]),
        ("IMO", "is-IS", ["IS"]),
        ("ddmt01@example.org", "zh-tw", ["TW"]),
        ("someone", "en-US", ["US"]),
        ("example.io", "en", []),  # a vanity TLD tells nothing
    ],
)
def test_countries_from_language_region_and_sender_domain(
    sender: str, language: str, countries: list[str]
) -> None:
    data = alert(sender=sender, infos=(info(language=language, area=_area(), web=""),))
    if countries:
        assert parse_cap(data, received_at=NOW).countries == countries
    else:
        with pytest.raises(NormalizationError, match="cannot tell which country"):
            parse_cap(data, received_at=NOW)


def test_a_wmo_oid_identifier_names_the_country() -> None:
    data = alert(
        identifier="urn:oid:2.49.0.1.124.3026064006.2019",
        sender="nobody",
        infos=(info(language="en", area=_area()),),
    )
    assert parse_cap(data, received_at=NOW).countries == ["CA"]


def test_an_ipaws_code_names_the_united_states() -> None:
    data = alert(
        sender="AtHoc", extra="<code>IPAWSv1.0</code>", infos=(info(language="en", area=_area()),)
    )
    assert parse_cap(data, received_at=NOW).countries == ["US"]


def test_default_countries_apply_only_when_nothing_tells() -> None:
    unknown = alert(sender="AtHoc", infos=(info(language="en", area=_area(), web=""),))
    with pytest.raises(NormalizationError, match="cannot tell which country the alert"):
        parse_cap(unknown, received_at=NOW)
    assert parse_cap(unknown, received_at=NOW, default_countries=["KZ"]).countries == ["KZ"]
    told = alert(infos=(info(area=_area(_geocode("SAME", "006109"))),))
    assert parse_cap(told, received_at=NOW, default_countries=["KZ"]).countries == ["US"]


@pytest.mark.parametrize(
    ("value", "country"),
    [
        ("cap@ec.gc.ca", "CA"),
        ("https://alerts.weather.gov/cap/", "US"),
        ("x@met.gov.uk", "GB"),
        ("meteo.gov.co", "CO"),
        ("startup.co", None),
        ("not a domain", None),
        ("http://[::1", None),
    ],
)
def test_country_from_domain(value: str, country: str | None) -> None:
    assert country_from_domain(value) == country


# --- Hardened XML -------------------------------------------------------------------------


def test_a_dtd_is_refused_before_parsing() -> None:
    data = alert(prolog='<?xml version="1.0"?>\n<!DOCTYPE alert SYSTEM "http://localhost/x.dtd">\n')
    with pytest.raises(NormalizationError, match=r"DTDs are not accepted \(possible XXE\)"):
        parse_cap(data, received_at=NOW)


def test_an_entity_expansion_bomb_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    )
    data = alert(prolog=bomb).replace(b"<event>Thunderstorm</event>", b"<event>&lol2;</event>")
    with pytest.raises(NormalizationError, match="DTDs are not accepted"):
        parse_cap(data, received_at=NOW)


def test_a_dtd_after_a_comment_is_still_found() -> None:
    data = alert(prolog='<?xml version="1.0"?><!-- hello --><!DOCTYPE alert [<!ENTITY x "y">]>')
    with pytest.raises(NormalizationError, match=r"DTDs are not accepted.*1 entity declaration"):
        parse_cap(data, received_at=NOW)


def test_an_oversized_document_is_refused_before_parsing() -> None:
    data = alert(extra="<!--" + "x" * MAX_DOCUMENT_BYTES + "-->")
    with pytest.raises(NormalizationError, match=r"at most 5242880 are accepted"):
        parse_cap(data, received_at=NOW)


def test_not_well_formed_xml_says_where() -> None:
    with pytest.raises(NormalizationError, match=r"XML: not well-formed: .*line \d+, column \d+"):
        parse_cap(alert()[:-20], received_at=NOW)


def test_a_utf8_bom_and_an_iso_8859_1_declaration_are_read() -> None:
    with_bom = codecs.BOM_UTF8 + alert(infos=(info(headline="Tormenta en Usulután"),))
    assert parse_cap(with_bom, received_at=NOW).content["en-US"].headline == "Tormenta en Usulután"
    latin1 = (
        alert(
            prolog='<?xml version="1.0" encoding="ISO-8859-1"?>',
            infos=(info(headline="Tormenta en Usulután"),),
        )
        .decode("utf-8")
        .encode("iso-8859-1")
    )
    advisory, warnings = parse(latin1)
    assert advisory.content["en-US"].headline == "Tormenta en Usulután"  # type: ignore[attr-defined]
    assert warnings == []


def test_utf16_with_a_bom_is_read() -> None:
    text = alert(prolog='<?xml version="1.0" encoding="UTF-16"?>').decode()
    advisory = parse_cap(text.encode("utf-16"), received_at=NOW)
    assert advisory.source_id == "KSTO-2024-0501"


def test_bytes_that_do_not_match_the_declared_encoding_are_recovered_with_a_warning() -> None:
    data = alert(infos=(info(headline="Alerte météo"),)).decode().encode("latin-1")
    advisory, warnings = parse(data)
    assert advisory.content["en-US"].headline == "Alerte météo"  # type: ignore[attr-defined]
    assert warnings == [
        "XML: declared UTF-8 but the bytes are not UTF-8 (byte 0xe9 at offset 661); "
        "decoded as windows-1252"
    ]


def test_control_characters_are_removed_with_a_warning() -> None:
    data = alert(infos=(info(headline="Storm\x07 warning"),))
    advisory, warnings = parse(data)
    assert advisory.content["en-US"].headline == "Storm warning"  # type: ignore[attr-defined]
    assert any("control character" in w for w in warnings)


def test_repair_keeps_utf8_documents_as_they_are() -> None:
    data = alert()
    assert repair_xml_encoding(data) == (data, [])


def test_a_root_that_is_not_an_alert_is_refused_and_a_wrapped_alert_is_found() -> None:
    with pytest.raises(NormalizationError, match="root element is <feed>"):
        parse_cap(b"<feed xmlns='http://www.w3.org/2005/Atom'/>", received_at=NOW)
    inner = alert(prolog="").decode()
    wrapped = (
        "<EDXLDistribution><contentObject><xmlContent>"
        f"{inner}</xmlContent></contentObject></EDXLDistribution>"
    )
    advisory, warnings = parse(wrapped.encode())
    assert advisory.source_id == "KSTO-2024-0501"  # type: ignore[attr-defined]
    assert any("inside <EDXLDistribution>" in w for w in warnings)


def test_first_sentences_respects_abbreviations_and_the_limit() -> None:
    text = "The U.S. Geological Survey reports a quake. Dr. Smith says more may follow. " * 3
    assert (
        first_sentences(text, 80)
        == "The U.S. Geological Survey reports a quake. Dr. Smith says more may follow."
    )
    assert len(first_sentences("word " * 200, 50)) <= 50


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Travel Advisory Level 3. Reconsider travel.", "Travel Advisory Level 3."),
        ('They sell invalid "visas." Avoid them.', 'They sell invalid "visas."'),
        ("Wind reaches 25 m/s. Stay indoors.", "Wind reaches 25 m/s."),
        ("See www.example.gov. Stay indoors.", "See www.example.gov."),
        ("1. Stay indoors. 2. Avoid travel.", "1. Stay indoors."),
        ("Mt. Elbrus is closed. Stay away.", "Mt. Elbrus is closed."),
        ("Heavy rain expected. (Updated at noon.)", "Heavy rain expected."),
        ("大雨警報。外出を控えてください。", "大雨警報。"),
    ],
)
def test_first_sentence_ends_where_the_one_splitter_says(text: str, first: str) -> None:
    # language/sentences.py serves CAP summaries and ministry posts alike.
    assert first_sentences(text, 120, most=1) == first


# --- Property-based: nothing but NormalizationError escapes -------------------------------

SAMPLES = [
    alert(),
    alert(
        msg_type="Update",
        references="a,b,2024-01-01T00:00:00Z",
        infos=(info(), info(language="fr-CA")),
    ),
    alert(msg_type="Cancel", references="a,b,c", infos=()),
    (FIXTURES / "kz-storm-ky-ru-en.cap").read_bytes(),
]  # fmt: skip


def _parse_or_refuse(data: bytes) -> None:
    """Parses, or raises NormalizationError with a one-line message; nothing else."""
    message = None
    try:
        parse_cap(data, received_at=NOW)
    except NormalizationError as error:
        message = str(error)
    if message is not None:
        assert message
        assert "\n" not in message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_normalization_error(data: bytes) -> None:
    _parse_or_refuse(data)


CAP_FRAGMENTS = [b"<", b">", b"&", b"&amp;", b"<!DOCTYPE a>", b"\x00", b"\xff\xfe", b"]]>",
    b"<info>", b"</area>", b"-999,-999 ", b"\xc3", b"<![CDATA[", b"NaN"]  # fmt: skip


def mutated() -> st.SearchStrategy[bytes]:
    return mutated_bytes(SAMPLES, CAP_FRAGMENTS, max_mutations=6, max_deletion=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_alerts_raise_only_normalization_error(data: bytes) -> None:
    _parse_or_refuse(data)


@settings(max_examples=60, deadline=None)
@given(
    severity=st.sampled_from(["Extreme", "Severe", "Moderate", "Minor", "Unknown"]),
    urgency=st.sampled_from(["Immediate", "Expected", "Future", "Past", "Unknown"]),
    certainty=st.sampled_from(["Observed", "Likely", "Possible", "Unlikely", "Unknown"]),
)
def test_every_valid_vocabulary_combination_normalizes(
    severity: str, urgency: str, certainty: str
) -> None:
    advisory = parse_cap(
        alert(infos=(info(severity=severity, urgency=urgency, certainty=certainty),)),
        received_at=NOW,
    )
    # AREA is two counties: part of the country, so never above level 3 (cap_scope.py).
    assert advisory.level == min(cap_level(severity, urgency, certainty), 3)
    assert 1 <= advisory.level <= 4
    assert advisory.native_level == f"{severity}/{urgency}/{certainty}"


def test_a_16_bit_declaration_on_8_bit_bytes_is_read_as_utf8_with_a_warning() -> None:
    advisory, warnings = parse(alert(prolog='<?xml version="1.0" encoding="UTF-16"?>'))
    assert advisory.source_id == "KSTO-2024-0501"  # type: ignore[attr-defined]
    assert warnings == ["XML: declared UTF-16 but the bytes are 8-bit; read as UTF-8"]


@pytest.mark.parametrize("ring", ["1,23,4 5,6 1,2", "1,23,45,6 7,8 1,2", "1,2 3,4 5,6,"])
def test_a_polygon_with_pairs_run_together_is_refused_naming_the_pair(ring: str) -> None:
    from consular_alerts.domain.formats.cap_areas import _polygon

    with pytest.raises(NormalizationError, match="is not a 'lat,lon' pair"):
        _polygon(ring, "polygon", [])

"""CAP shapes seen in real feeds (issue 13, item 6): empty polygons, the country when the
alert names none, placeholder text, hotlines in the instruction and description.

The alerts are small, hand-written, modelled on NWS, PAGASA and ministry CAP alerts."""

from __future__ import annotations

import pytest
from consular_alerts.domain.formats.cap import parse_cap
from consular_alerts.domain.language.placeholders import is_placeholder
from consular_alerts.domain.messages.render import render
from consular_alerts.domain.policy import Kind

from tests.unit.test_cap import NOW, _area, _geocode, alert, info


def test_an_empty_polygon_is_ignored_with_a_warning_and_the_alert_kept() -> None:
    area = (
        "<area><areaDesc>Harris, TX</areaDesc><polygon></polygon>"
        + _geocode("UGC", "TXC201")
        + "</area>"
    )
    warnings: list[str] = []
    advisory = parse_cap(alert(infos=(info(area=area),)), received_at=NOW, warnings=warnings)
    assert advisory.countries == ["US"]
    assert advisory.areas[0].name == "Harris, TX"
    assert advisory.areas[0].polygons is None
    assert any("polygon[1] is empty; ignored" in w for w in warnings)


def test_an_empty_circle_is_ignored_too() -> None:
    area = "<area><areaDesc>Harris, TX</areaDesc><circle> </circle></area>"
    warnings: list[str] = []
    advisory = parse_cap(alert(infos=(info(area=area),)), received_at=NOW, warnings=warnings)
    assert advisory.areas[0].circles is None
    assert any("circle[1] is empty; ignored" in w for w in warnings)


def test_a_malformed_polygon_is_still_refused() -> None:
    area = "<area><areaDesc>X</areaDesc><polygon>1,1 2,2</polygon></area>"
    with pytest.raises(ValueError, match="polygon"):
        parse_cap(alert(infos=(info(area=area),)), received_at=NOW)


@pytest.mark.parametrize(
    ("sender", "web", "country"),
    [
        # The PAGASA typhoon alert: en-US, a sender that is not a domain, a .ph link.
        ("PAGASA-DOST", "https://bagong.pagasa.dost.gov.ph/tropical-cyclone", "PH"),
        ("alerts@pagasa.dost.gov.ph", "", "PH"),
        ("KazHydromet", "https://www.kazhydromet.kz/ru/alerts", "KZ"),
        ("cap@meteo.gov.kg", "", "KG"),
    ],
)
def test_the_senders_or_web_links_domain_comes_before_the_language_region(
    sender: str, web: str, country: str
) -> None:
    typhoon = info(
        language="en-US",
        headline="Tropical cyclone wind signal no. 3",
        area=_area(desc="Batanes and Babuyan Islands"),
        web=web,
    )
    advisory = parse_cap(alert(sender=sender, infos=(typhoon,)), received_at=NOW)
    assert advisory.countries == [country]


def test_geocodes_still_come_before_the_senders_domain() -> None:
    area = _area(_geocode("ISO 3166-2", "PH-BTN"), desc="Batanes")
    advisory = parse_cap(
        alert(sender="cap@ec.gc.ca", infos=(info(area=area, web=""),)), received_at=NOW
    )
    assert advisory.countries == ["PH"]


def test_a_country_named_in_the_area_comes_before_the_senders_domain() -> None:
    area = _area(desc="Провинция Батанес, Филиппины")
    advisory = parse_cap(
        alert(sender="cap@meteo.gov.kg", infos=(info(language="ru", area=area),)),
        received_at=NOW,
    )
    assert advisory.countries == ["PH"]


@pytest.mark.parametrize(
    "placeholder",
    ["Unknown", "N/A", "n/a.", "TBD", "-", "None", "Нет данных", "неизвестно", "Белгисиз"],
)
def test_placeholder_text_is_never_advice(placeholder: str) -> None:
    data = alert(infos=(info(instruction=placeholder, description="Hail is likely."),))
    advisory = parse_cap(data, received_at=NOW)
    assert advisory.content["en-US"].instruction == ""
    sms = render(advisory, "en", Kind.NEW, base_url="https://a.kg", sms_budget=2).sms.text
    assert placeholder not in sms
    assert "Hail is likely" in sms


def test_a_placeholder_is_only_a_whole_text() -> None:
    assert is_placeholder(" unknown ")
    assert not is_placeholder("Unknown cause of the fire; stay indoors")
    data = alert(infos=(info(instruction="Unknown gas leak: stay indoors."),))
    assert parse_cap(data, received_at=NOW).content["en-US"].instruction.startswith("Unknown gas")


def test_an_event_called_unknown_is_not_refused() -> None:
    data = alert(infos=(info().replace("<event>Thunderstorm</event>", "<event>Unknown</event>"),))
    assert parse_cap(data, received_at=NOW).event == "Unknown"


@pytest.mark.parametrize(
    ("language", "field", "text", "number"),
    [
        (
            "ru",
            "instruction",
            "Не выходите из дома. Консульство: +7 (777) 037-14-48",
            "+77770371448",
        ),
        ("ky", "instruction", "Үйдөн чыкпагыла. Консулдук: +996 312 62 05 45", "+996312620545"),
        (
            "en",
            "description",
            "Roads are closed. Embassy hotline +90 312 491 35 06.",
            "+903124913506",
        ),
    ],
)
def test_numbers_in_the_instruction_and_description_are_hotlines(
    language: str, field: str, text: str, number: str
) -> None:
    texts = {"instruction": "Stay home.", "description": "A storm."} | {field: text}
    data = alert(
        infos=(info(language=language, area=_area(desc="Анкара, Türkiye"), web="", **texts),),  # type: ignore[arg-type]
        sender="cap@mfa.gov.kg",
    )
    advisory = parse_cap(data, received_at=NOW)
    assert number in [h.number for h in advisory.hotlines]


def test_the_contact_comes_first_and_a_national_number_is_left_out() -> None:
    data = alert(
        infos=(
            info(
                instruction="Call 0700-114-000 or +996 312 62 05 45.",
                extra="<contact>Embassy: +90 312 491 35 06</contact>",
            ),
        )
    )
    numbers = [h.number for h in parse_cap(data, received_at=NOW).hotlines]
    assert numbers == ["+903124913506", "+996312620545"]

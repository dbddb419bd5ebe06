"""Clear refusals (issue 13, item 8): JSON of a shape the service does not read is named for
what it looks like; a post in a language the service does not read is refused naming the
language; a State Department item with an impossible date is kept with a warning. The
inputs are written for these tests in the shapes of the public documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from consular_alerts.api_requests import publication_from_request
from consular_alerts.domain.formats.json_shapes import looks_like
from consular_alerts.domain.formats.us_state import parse_us_state
from consular_alerts.domain.language.detection import unread_language
from consular_alerts.domain.normalize import normalize_text_post
from consular_alerts.errors import NormalizationError, RequestError
from consular_alerts.models.publisher import TextPost

from alerts_cli.cli import main

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

# The shape of data.international.gc.ca's travel-advisory JSON, and GOV.UK's index item.
CANADA = {
    "metadata": {"generated": {"timestamp": 1764763200, "date": "2026-12-03 12:00:00"}},
    "data": {
        "AF": {
            "country-id": 1,
            "country-iso": "AF",
            "advisory-state": 3,
            "has-advisory-warning": 1,
            "eng": {"name": "Afghanistan", "advisory-text": "Avoid all travel"},
        }
    },
}
GOVUK_INDEX = {
    "base_path": "/foreign-travel-advice",
    "document_type": "travel_advice_index",
    "schema_name": "travel_advice_index",
    "title": "Foreign travel advice",
    "links": {"children": []},
}


# --- JSON of an unknown shape ---------------------------------------------------------------


def test_known_foreign_json_shapes_are_named() -> None:
    assert looks_like(CANADA) == "a Canadian travel-advisory JSON (travel.gc.ca)"
    assert looks_like(GOVUK_INDEX) == "the GOV.UK travel-advice index"
    assert looks_like({"type": "FeatureCollection", "features": []}) is not None
    assert looks_like({"title": "x", "items": []}) == "JSON with the keys items, title"


def test_a_ministry_advisory_with_mistakes_is_not_called_foreign() -> None:
    # Its own field errors say what is wrong with it.
    assert looks_like({"countries": ["ZZ"], "level": 2, "contnet": {}}) is None
    assert looks_like({"text": "Избегайте митингов."}) is None


@pytest.mark.parametrize(("document", "named"), [(CANADA, "Canadian"), (GOVUK_INDEX, "GOV.UK")])
def test_the_api_refuses_a_foreign_json_with_a_4xx_naming_it(
    document: dict[str, object], named: str
) -> None:
    with pytest.raises(RequestError) as refused:
        publication_from_request(json.dumps(document).encode(), "application/json", {})
    assert refused.value.status_code == 422
    assert refused.value.message.startswith("body: unsupported format (looks like ")
    assert named in refused.value.message
    assert "Field required" not in refused.value.message


@pytest.mark.parametrize(("document", "named"), [(CANADA, "Canadian"), (GOVUK_INDEX, "GOV.UK")])
def test_the_cli_refuses_a_foreign_json_with_exit_2_and_one_line(
    document: dict[str, object],
    named: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "index.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    assert main(["normalize", str(source)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "unsupported format (looks like " in err
    assert named in err


# --- languages the service does not read ----------------------------------------------------

BULGARIAN = (
    "Посолството на Република България в Казахстан препоръчва на българските граждани да "
    "избягват протестите. Това е важно, защото ситуацията е напрегната и няма яснота."
)
UKRAINIAN = (
    "Посольство України в Казахстані рекомендує громадянам уникати масових заходів. "
    "Ситуація залишається напруженою, їхати до Алмати не варто."
)
GERMAN = (
    "Die Botschaft empfiehlt allen deutschen Staatsangehörigen in Kasachstan, "
    "Menschenansammlungen zu meiden und sich über die Lage zu informieren."
)
KAZAKH = (
    "Қазақстан Республикасының Сыртқы істер министрлігі азаматтарға ескерту жасады. "
    "Алматыда жағдай қиын, жиналыстарға қатыспаңыз."
)
# Posts in the service's languages, each about a country with a language of its own.
READ = [
    "МИД Кыргызстана призывает граждан, находящихся в Болгарии, соблюдать осторожность. "
    "Посольство в Софии работает.",
    "МИД КР рекомендует гражданам в Украине избегать поездок в Киев и Харьков.",
    "Кыргыз Республикасынын Тышкы иштер министрлиги Казакстандагы кыргызстандыктарга "
    "Қарағанды шаарындагы массалык иш-чараларга катышпоону сунуштайт.",
    "The Ministry advises citizens in Germany to avoid the demonstrations in Berlin.",
]


@pytest.mark.parametrize(
    ("text", "code"), [(BULGARIAN, "bg"), (UKRAINIAN, "uk"), (GERMAN, "de"), (KAZAKH, "kk")]
)
def test_languages_the_service_does_not_read_are_named(text: str, code: str) -> None:
    assert unread_language(text) == code


@pytest.mark.parametrize("text", READ)
def test_kyrgyz_russian_and_english_posts_are_read(text: str) -> None:
    assert unread_language(text) is None


def normalize(text: str, **metadata: object) -> None:
    normalize_text_post(
        TextPost.model_validate({"text": text, "format": "text", "metadata": metadata}),
        received_at=NOW,
        ministry_country="KG",
        default_source="mfa-kg",
        default_level=2,
    )


@pytest.mark.parametrize(
    ("text", "name"), [(BULGARIAN, "Bulgarian"), (UKRAINIAN, "Ukrainian"), (GERMAN, "German")]
)
def test_a_post_in_another_language_is_refused_naming_it(text: str, name: str) -> None:
    with pytest.raises(NormalizationError, match=f"the post is in {name}, a language the service"):
        normalize(text)


def test_the_publisher_may_say_the_language_when_detection_is_wrong() -> None:
    normalize(BULGARIAN, language="bg", countries=["KZ"])  # not refused


# --- impossible dates in the State Department feed ----------------------------------------

US_STATE = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>
<title>travel.state.gov: Travel Advisories</title>
<link>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories.html</link>
<pubDate>Wed, 08 Oct 2025 17:36:06 GMT</pubDate>
<item>
<title>Mali - Level 4: Do Not Travel</title>
<link>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/mali.html</link>
<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>
<description>Do not travel to Mali.</description>
<category domain="Threat-Level">Level 4: Do Not Travel</category>
<category domain="Country-Tag">ML</category>
<dc:identifier>ML,advisory</dc:identifier>
</item>
<item>
<title>Chad - Level 3: Reconsider Travel</title>
<link>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/chad.html</link>
<pubDate>Tue, 07 Oct 2025</pubDate>
<description>Reconsider travel to Chad.</description>
<category domain="Threat-Level">Level 3: Reconsider Travel</category>
<category domain="Country-Tag">CD</category>
<dc:identifier>CD,advisory</dc:identifier>
</item>
</channel></rss>"""


def test_a_us_state_item_dated_1970_is_kept_with_the_feeds_date_and_a_warning() -> None:
    result = parse_us_state(US_STATE, received_at=NOW)
    assert [a.countries for a in result.advisories] == [["ML"], ["TD"]]
    mali, chad = result.advisories
    assert mali.sent == datetime(2025, 10, 8, 17, 36, 6, tzinfo=UTC)
    assert chad.sent == datetime(2025, 10, 7, tzinfo=UTC)
    assert result.warnings == [
        "us-state: 'Mali': date 1970-01-01 is impossible; took the feed's date 2025-10-08"
    ]


def test_without_any_possible_date_the_item_takes_the_time_received() -> None:
    feed = US_STATE.replace(b"<pubDate>Wed, 08 Oct 2025 17:36:06 GMT</pubDate>", b"")
    mali = parse_us_state(feed, received_at=NOW).advisories[0]
    assert mali.sent == NOW

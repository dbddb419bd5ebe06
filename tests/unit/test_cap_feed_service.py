"""The CAP feed service (services/cap_feed.py) with in-memory fakes: what each stored version
leaves on the site (its CAP document, the Atom feeds, the index the pages read)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from consular_alerts.domain.alerts_out.alert_feeds import ALL_KEY, INDEX_KEY, TEST_KEY, country_key
from consular_alerts.domain.alerts_out.cap_writer import CapAuthority
from consular_alerts.domain.alerts_out.site_file import SiteFile
from consular_alerts.domain.normalize import sealed
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.errors import PermanentError
from consular_alerts.models.advisory import Advisory
from consular_alerts.services.cap_feed import CapFeedConfig, CapFeedReport, CapFeedService
from consular_alerts.services.ingest import IngestService
from defusedxml import ElementTree

from tests.cap_schema import cap_schema_errors
from tests.fakes import FakeAdvisoryRepository, FakeClock, FakeSiteFiles, decode_image

SITE = "https://alerts.mfa.gov.kg"
ATOM = "{http://www.w3.org/2005/Atom}"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


class Site:
    """The ministry's API storing versions, and the CAP feed function reading the stream."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.table = FakeAdvisoryRepository()
        self.files = FakeSiteFiles()
        self.ingest = IngestService(self.table, IngestPolicy(), self.clock)
        self.feed = CapFeedService(
            self.table,
            self.files,
            CapFeedConfig(
                authority=CapAuthority(sender="alerts.mfa.gov.kg", site=SITE),
                sources=frozenset({"mfa-kg", "cap"}),
            ),
            self.clock,
            decode_image,
        )

    def post(self, advisory_id: str, **fields: Any) -> Advisory:
        record: dict[str, Any] = {
            "advisory_id": advisory_id,
            "version": 1,
            "source": "mfa-kg",
            "source_id": advisory_id,
            "sent": self.clock(),
            "received_at": self.clock(),
            "countries": ["KZ"],
            "level": 2,
            "content": {"ru": {"headline": f"Предупреждение {advisory_id}"}},
            **fields,
        }
        result = self.ingest.store(sealed(record))
        assert result.created
        return result.advisory

    def stream(self, advisory: Advisory) -> CapFeedReport:
        """The stream record of a stored version, as the function receives it."""
        return self.feed.publish_version(
            advisory.advisory_id, advisory.version, advisory.to_record()
        )

    def entries(self, key: str) -> list[dict[str, str]]:
        root = ElementTree.fromstring(self.files.files[key].body)
        return [
            {
                "id": entry.findtext(f"{ATOM}id") or "",
                "title": entry.findtext(f"{ATOM}title") or "",
                "cap": next(
                    link.get("href", "")
                    for link in entry.iter(f"{ATOM}link")
                    if link.get("type") == "application/cap+xml"
                ),
            }
            for entry in root.iter(f"{ATOM}entry")
        ]

    def in_force(self, key: str = ALL_KEY) -> list[str]:
        return [e["cap"].removeprefix(SITE) for e in self.entries(key)]

    def index(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.files.files[INDEX_KEY].body)
        return loaded

    def cap(self, advisory: Advisory) -> bytes:
        return self.files.files[f"cap/{advisory.advisory_id}/{advisory.version}.xml"].body


def cap_text(document: bytes, name: str) -> str:
    return ElementTree.fromstring(document).findtext(f"{CAP}{name}") or ""


@pytest.fixture
def site() -> Site:
    return Site()


def test_a_published_advisory_becomes_a_cap_document_and_enters_the_feeds(site: Site) -> None:
    advisory = site.post("mfa-kg-kz-protests", countries=["KZ", "KG"], level=3)
    report = site.stream(advisory)
    assert report.written == "cap/mfa-kg-kz-protests/1.xml"
    document = site.cap(advisory)
    assert cap_schema_errors(document) == []
    assert site.files.files[report.written].content_type == "application/cap+xml"
    assert cap_text(document, "identifier") == "mfa-kg-kz-protests.v1"
    assert cap_text(document, "msgType") == "Alert"
    assert site.in_force() == ["/cap/mfa-kg-kz-protests/1.xml"]
    assert site.in_force(country_key("KZ")) == site.in_force(country_key("KG"))
    assert site.in_force(country_key("KG")) == ["/cap/mfa-kg-kz-protests/1.xml"]
    assert site.entries(TEST_KEY) == []
    [entry] = site.index()["alerts"]
    assert (entry["level"], entry["countries"]) == (3, ["KZ", "KG"])
    assert entry["page"] == "/a/mfa-kg-kz-protests"
    names = site.index()["country_names"]["KZ"]
    assert names == {"ky": "Казакстан", "ru": "Казахстан", "en": "Kazakhstan"}
    assert site.files.files[ALL_KEY].cache_control == "public, max-age=60"


def test_a_new_version_updates_the_one_before_and_takes_its_place(site: Site) -> None:
    first = site.post("mfa-kg-a")
    site.stream(first)
    site.clock.advance(hours=2)
    second = site.post("mfa-kg-a", level=3)
    report = site.stream(second)
    assert cap_text(site.cap(second), "msgType") == "Update"
    sent = first.sent.isoformat().replace(".000000", "")
    assert report.references == [f"alerts.mfa.gov.kg,mfa-kg-a.v1,{sent}"]
    assert cap_text(site.cap(second), "references") == report.references[0]
    assert site.in_force() == ["/cap/mfa-kg-a/2.xml"]


def test_an_update_of_another_advisory_takes_it_out_of_the_feeds(site: Site) -> None:
    old = site.post("mfa-kg-old", countries=["TR"])
    site.stream(old)
    site.stream(site.post("mfa-kg-other"))
    site.clock.advance(minutes=5)
    update = site.post("mfa-kg-new", msg_type="update", references=["mfa-kg-old"],
                       countries=["TR"])  # fmt: skip
    site.stream(update)
    assert cap_text(site.cap(update), "msgType") == "Update"
    assert "mfa-kg-old.v1" in cap_text(site.cap(update), "references")
    assert site.in_force() == ["/cap/mfa-kg-new/1.xml", "/cap/mfa-kg-other/1.xml"]
    # A late copy of the replaced advisory's record (a retry, a replay) does not bring it back.
    site.stream(old)
    assert site.in_force() == ["/cap/mfa-kg-new/1.xml", "/cap/mfa-kg-other/1.xml"]


def test_a_cancel_stays_until_its_own_expiry_then_everything_leaves(site: Site) -> None:
    alert = site.post("mfa-kg-x", countries=["UZ"])
    site.stream(alert)
    cancel = site.post("mfa-kg-x-cancel", msg_type="cancel", references=["mfa-kg-x"],
                       countries=["UZ"], level=1)  # fmt: skip
    site.stream(cancel)
    assert cap_text(site.cap(cancel), "msgType") == "Cancel"
    assert site.in_force() == ["/cap/mfa-kg-x-cancel/1.xml"]
    site.clock.advance(hours=23)
    assert site.feed.refresh() is False
    site.clock.advance(hours=2)
    assert site.feed.refresh() is True
    assert site.in_force() == []
    assert site.in_force(country_key("UZ")) == []  # the country's feed says so too
    assert site.index()["alerts"] == []


def test_an_expired_alert_leaves_at_the_next_refresh(site: Site) -> None:
    site.stream(site.post("mfa-kg-brief", expires=site.clock() + timedelta(hours=1)))
    site.stream(site.post("mfa-kg-standing"))
    site.clock.advance(hours=1, seconds=1)
    assert site.feed.refresh() is True
    assert site.in_force() == ["/cap/mfa-kg-standing/1.xml"]


def test_test_alerts_go_to_the_test_feed_only(site: Site) -> None:
    drill = site.post("mfa-kg-drill", status="test")
    site.stream(drill)
    assert cap_text(site.cap(drill), "status") == "Test"
    assert site.in_force(TEST_KEY) == ["/cap/mfa-kg-drill/1.xml"]
    assert site.in_force() == []
    assert country_key("KZ") not in site.files.files  # a drill makes no country's feed
    assert site.index()["alerts"] == []


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"status": "exercise"}, "status exercise"),
        ({"status": "draft"}, "status draft"),
        ({"source": "us-state"}, "source us-state"),
    ],
)
def test_what_is_not_the_ministrys_published_word_is_not_written(
    site: Site, fields: dict[str, Any], why: str
) -> None:
    report = site.stream(site.post("mfa-kg-y", **fields))
    assert report.written == ""
    assert why in report.reason
    assert site.files.files == {}


def test_the_same_record_twice_changes_nothing(site: Site) -> None:
    advisory = site.post("mfa-kg-z")
    assert site.stream(advisory).index_changed
    before = dict(site.files.files)
    assert not site.stream(advisory).index_changed
    assert site.files.files == before


def test_a_concurrent_writer_of_the_index_is_not_overwritten(site: Site) -> None:
    site.stream(site.post("mfa-kg-first"))
    # Another invocation stores its own alert between this one's read and its write.
    other = Site()
    other.stream(other.post("mfa-kg-other"))
    site.files.interfere = [other.files.files[INDEX_KEY]]
    site.stream(site.post("mfa-kg-second"))
    ids = [entry["advisory_id"] for entry in site.index()["alerts"]]
    assert sorted(ids) == ["mfa-kg-other", "mfa-kg-second"]  # the re-read index, then ours


def test_an_index_it_did_not_write_is_refused_not_replaced(site: Site) -> None:
    site.files.write(SiteFile(INDEX_KEY, b'{"alerts": "nonsense"}', "application/json"))
    with pytest.raises(PermanentError, match="not an index this function wrote"):
        site.stream(site.post("mfa-kg-w"))
    assert site.files.files[INDEX_KEY].body == b'{"alerts": "nonsense"}'


def test_a_replayed_record_without_its_image_is_read_from_the_table(site: Site) -> None:
    advisory = site.post("mfa-kg-replayed")
    report = site.feed.publish_version(advisory.advisory_id, advisory.version, None)
    assert report.written == "cap/mfa-kg-replayed/1.xml"

"""The advisory page's read (services/advisories.py) over the in-memory repository: advisories
are stored through the real ingest service, so the head, versions and lifecycle are the ones
the pipeline writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from consular_alerts.domain.messages.render import short_link
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.errors import MixedStatusError, RequestError
from consular_alerts.models.advisory import Advisory, MsgType
from consular_alerts.models.public import Lifecycle
from consular_alerts.services.advisories import PublicAdvisoryService
from consular_alerts.services.ingest import IngestService

from tests.builders import a_draft
from tests.fakes import FakeAdvisoryRepository, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> FakeAdvisoryRepository:
    return FakeAdvisoryRepository()


@pytest.fixture
def ingest(repository: FakeAdvisoryRepository, clock: FakeClock) -> IngestService:
    return IngestService(repository, IngestPolicy(), clock)


@pytest.fixture
def service(repository: FakeAdvisoryRepository, clock: FakeClock) -> PublicAdvisoryService:
    return PublicAdvisoryService(repository, clock)


# What the page shows beyond the default draft: a second country, advice, an area.
PAGE: dict[str, object] = {
    "countries": ["KZ", "KG"],
    "content": {
        "ru": {
            "headline": "Беспорядки в Алматы",
            "body": "Оставайтесь дома.",
            "instruction": "Избегайте мест массового скопления людей.",
        }
    },
    "areas": [{"name": "Алматы", "iso_3166_2": "KZ-75"}],
}


def store(ingest: IngestService, **changes: object) -> Advisory:
    return ingest.ingest(a_draft(**{**PAGE, **changes})).advisory


def refusal(
    service: PublicAdvisoryService, advisory_id: str, version: list[str] | None = None
) -> RequestError:
    with pytest.raises(RequestError) as raised:
        service.read(advisory_id, version)
    return raised.value


def test_the_latest_version_with_everything_the_page_shows(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    stored = store(ingest)
    view = service.read(stored.advisory_id)
    assert (view.advisory_id, view.version, view.latest_version) == (stored.advisory_id, 1, 1)
    assert view.lifecycle is Lifecycle.CURRENT
    assert view.replaced_by is None
    assert view.level == 3
    assert view.content["ru"].headline == "Беспорядки в Алматы"
    assert view.content["ru"].instruction == "Избегайте мест массового скопления людей."
    assert view.content["ru"].advice == "Избегайте мест массового скопления людей."
    assert [h.number for h in view.hotlines] == ["+77770371448"]
    assert [a.name for a in view.areas] == ["Алматы"]
    # Country names in the three citizen languages, most relevant first, as messages say them.
    assert [c.code for c in view.countries] == ["KZ", "KG"]
    assert view.countries[0].names == {"ky": "Казакстан", "ru": "Казахстан", "en": "Kazakhstan"}


def test_the_short_reference_of_an_sms_link_resolves_to_its_advisory(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    stored = store(ingest)
    store(ingest, source_id="another")  # another advisory on record
    reference = short_link("https://alerts.mfa.gov.kg", stored).rsplit("/", 1)[1]
    view = service.read(reference)
    assert view.advisory_id == stored.advisory_id
    assert view.short_reference == reference


def test_no_advisory_id_can_shadow_an_sms_reference(ingest: IngestService) -> None:
    # Read directly first, an 8-hex id would take over the SMS link whose reference it
    # spells: such ids are refused when published.
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="reserved for SMS link references"):
        store(ingest, advisory_id="deadbeef")


def test_an_unknown_id_is_404_and_only_reference_shapes_query_the_index(
    service: PublicAdvisoryService, repository: FakeAdvisoryRepository
) -> None:
    missing = refusal(service, "mfa-kg-0000")
    assert (missing.status_code, missing.message) == (404, "no advisory mfa-kg-0000")
    assert not any(call == "find_by_reference" for call, _ in repository.reads)
    assert refusal(service, "0badc0de").status_code == 404
    assert ("find_by_reference", "0badc0de") in repository.reads


def test_an_earlier_version_on_request_says_a_newer_one_exists(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    first = store(ingest)
    store(ingest, level=4, significance="major")
    latest = service.read(first.advisory_id)
    assert (latest.version, latest.level) == (2, 4)
    older = service.read(first.advisory_id, ["1"])
    assert (older.version, older.latest_version, older.level) == (1, 2, 3)
    beyond = refusal(service, first.advisory_id, ["3"])
    assert beyond.status_code == 404
    assert "no version 3 (latest: 2)" in beyond.message


@pytest.mark.parametrize(
    ("advisory_id", "problem"),
    [
        ("", "advisory_id: missing"),
        ("../etc/passwd", "advisory_id: letters, digits"),
        ("mfa kg", "advisory_id: letters, digits"),
        ("<script>", "advisory_id: letters, digits"),
        ("a" * 201, "advisory_id: 201 characters, at most 200"),
    ],
)
def test_a_malformed_id_is_400_naming_advisory_id(
    service: PublicAdvisoryService,
    repository: FakeAdvisoryRepository,
    advisory_id: str,
    problem: str,
) -> None:
    refused = refusal(service, advisory_id)
    assert refused.status_code == 400
    assert refused.message.startswith(problem)
    assert repository.reads == []  # refused before any read


@pytest.mark.parametrize("version", [["0"], ["x"], ["1.5"], ["-1"], [""], ["1", "2"], ["٣"]])
def test_a_malformed_version_is_400_naming_version(
    ingest: IngestService, service: PublicAdvisoryService, version: list[str]
) -> None:
    stored = store(ingest)
    refused = refusal(service, stored.advisory_id, version)
    assert refused.status_code == 400
    assert refused.message.startswith("version: ")


@pytest.mark.parametrize("status", ["test", "exercise", "draft", "system"])
def test_only_actual_advisories_are_public(
    ingest: IngestService, service: PublicAdvisoryService, status: str
) -> None:
    stored = store(ingest, status=status)
    refused = refusal(service, stored.advisory_id)
    # The same answer as for an id never stored: nothing says a test advisory exists.
    assert (refused.status_code, refused.message) == (404, f"no advisory {stored.advisory_id}")
    assert refusal(service, stored.advisory_id, ["1"]).status_code == 404


def test_a_cancelled_advisory_says_so_and_names_the_cancel(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    original = store(ingest)
    cancel = store(
        ingest,
        source_id="cms-43",
        msg_type="cancel",
        references=[original.advisory_id],
        content={"ru": {"headline": "Отбой: беспорядки в Алматы"}},
    )
    view = service.read(original.advisory_id)
    assert view.lifecycle is Lifecycle.CLOSED
    assert view.replaced_by is not None
    assert (view.replaced_by.advisory_id, view.replaced_by.version) == (cancel.advisory_id, 1)
    cancelling = service.read(cancel.advisory_id)
    assert cancelling.msg_type is MsgType.CANCEL
    assert [r.advisory_id for r in cancelling.references] == [original.advisory_id]
    assert cancelling.lifecycle is Lifecycle.CURRENT


@pytest.mark.parametrize("status", ["draft", "test", "exercise"])
def test_a_drill_or_draft_cancel_does_not_close_a_live_advisory(
    ingest: IngestService, service: PublicAdvisoryService, status: str
) -> None:
    original = store(ingest)
    cancel = {
        "source_id": "cms-45",
        "status": status,
        "msg_type": "cancel",
        "references": [original.advisory_id],
        "content": {"ru": {"headline": "Отбой (учения)"}},
    }
    if status == "exercise":  # training mode: refused outright (services/ingest.py)
        with pytest.raises(MixedStatusError, match="exercise cannot follow"):
            store(ingest, **cancel)
    else:
        store(ingest, **cancel)
    view = service.read(original.advisory_id)
    assert view.lifecycle is Lifecycle.CURRENT
    assert view.replaced_by is None


def test_an_advisory_updated_by_another_is_superseded(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    original = store(ingest)
    update = store(ingest, source_id="cms-44", msg_type="update", references=[original.advisory_id])
    view = service.read(original.advisory_id)
    assert view.lifecycle is Lifecycle.SUPERSEDED
    assert view.replaced_by is not None
    assert view.replaced_by.advisory_id == update.advisory_id


def test_past_its_expiry_an_advisory_is_expired(
    ingest: IngestService, service: PublicAdvisoryService, clock: FakeClock
) -> None:
    stored = store(ingest, expires=(clock.now + timedelta(hours=6)).isoformat())
    assert service.read(stored.advisory_id).lifecycle is Lifecycle.CURRENT
    clock.advance(hours=6)
    assert service.read(stored.advisory_id).lifecycle is Lifecycle.EXPIRED


def test_what_to_do_is_the_instruction_without_its_reporting_preamble(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    reported = "МИД призвал граждан не принимать участие в протестах."
    content = {"ru": {"headline": "Беспорядки в Алматы", "instruction": reported}}
    view = service.read(store(ingest, content=content).advisory_id)
    assert view.content["ru"].instruction == reported  # the publisher's words, kept
    assert view.content["ru"].advice == "Не принимать участие в протестах."


def test_a_drill_version_on_top_neither_hides_the_real_one_nor_shows_itself(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    real = store(ingest)
    # A test version (an exercise on top of an actual one is refused: training mode).
    drill = store(ingest, status="test", level=4)
    assert drill.version == 2
    view = service.read(real.advisory_id)  # the SMS link still opens the real advisory
    assert (view.version, view.latest_version, view.level) == (1, 1, 3)
    assert refusal(service, real.advisory_id, ["2"]).message == (
        f"advisory {real.advisory_id} has no version 2 (latest: 1)"
    )


def test_a_drill_advisory_is_as_absent_as_an_unknown_one(
    ingest: IngestService, service: PublicAdvisoryService
) -> None:
    drill = store(ingest, status="test")
    for version in (None, ["1"], ["5"]):
        assert refusal(service, drill.advisory_id, version).message == (
            f"no advisory {drill.advisory_id}"
        )

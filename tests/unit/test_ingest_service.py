from __future__ import annotations

import pytest
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.errors import NormalizationError
from consular_alerts.models.publisher import PostMetadata, TextPost
from consular_alerts.services.ingest import ConcurrentWriteError, IngestService

from tests.builders import a_draft
from tests.fakes import FakeAdvisoryRepository, FakeClock

POST = (
    "МИД Кыргызстана призывает граждан, находящихся в Казахстане, избегать мест массового "
    "скопления людей и оставаться дома. Посольство в Астане — +996 (772) 454 444."
)


@pytest.fixture
def repository() -> FakeAdvisoryRepository:
    return FakeAdvisoryRepository()


@pytest.fixture
def service(repository: FakeAdvisoryRepository) -> IngestService:
    return IngestService(repository, IngestPolicy(), FakeClock())


def test_first_post_is_version_1(service: IngestService) -> None:
    result = service.ingest(a_draft())
    assert result.created
    assert result.advisory.version == 1
    assert result.advisory.source == "mfa-kg"
    assert result.advisory.advisory_id.startswith("mfa-kg-")


def test_unchanged_repost_stores_nothing(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    first = service.ingest(a_draft())
    again = service.ingest(a_draft())
    assert not again.created
    assert again.advisory.version == first.advisory.version == 1
    assert len(repository.items) == 1


def test_changed_content_is_next_version_of_same_advisory(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    first = service.ingest(a_draft())
    second = service.ingest(a_draft(level=4))
    assert second.created
    assert second.advisory.advisory_id == first.advisory.advisory_id
    assert second.advisory.version == 2
    assert second.advisory.content_hash != first.advisory.content_hash
    assert sorted(repository.items) == [
        (first.advisory.advisory_id, 1),
        (first.advisory.advisory_id, 2),
    ]


def test_concurrent_writer_makes_us_retry_on_the_new_head(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    repository.interfere_times = 1
    result = service.ingest(a_draft())
    assert result.created
    assert result.advisory.version == 2  # the other writer took version 1


def test_endless_interference_is_an_error_not_a_lost_write(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    repository.interfere_times = 99
    with pytest.raises(ConcurrentWriteError):
        service.ingest(a_draft())


def test_text_post_metadata_wins_over_extraction(service: IngestService) -> None:
    post = TextPost(text=POST, metadata=PostMetadata(countries=["KG"], level=4, language="ru"))
    advisory = service.ingest(post).advisory
    assert advisory.countries == ["KG"]
    assert advisory.level == 4
    assert list(advisory.content) == ["ru"]
    assert [h.number for h in advisory.hotlines] == ["+996772454444"]


def test_text_post_without_metadata_is_extracted(service: IngestService) -> None:
    advisory = service.ingest(TextPost(text=POST)).advisory
    assert advisory.countries[0] == "KZ"
    assert advisory.level == IngestPolicy().default_level
    assert "ru" in advisory.content


def test_text_post_naming_no_country_is_refused(service: IngestService) -> None:
    with pytest.raises(NormalizationError, match=r"metadata\.countries"):
        service.ingest(TextPost(text="Будьте осторожны на улице и берегите себя."))


def test_an_id_in_the_form_of_an_sms_link_reference_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="reserved for SMS link references"):
        a_draft(advisory_id="caf7ae85")
    assert a_draft(advisory_id="caf7ae85x").advisory_id == "caf7ae85x"


def test_dry_run_answer_shows_the_level_reason_and_what_was_left_out(
    service: IngestService,
) -> None:
    from consular_alerts.domain.dry_run import dry_run_json

    text = (
        "МИД КР призывает кыргызстанцев, находящихся в Афганистане, срочно покинуть страну. "
        "Посольство в Кабуле: 0700-114-000. Консульство в Алматы: 0312 62 05 45."
    )
    answer = dry_run_json(service.dry_run(TextPost(text=text, format="text")))
    assert answer["advisory"]["level"] == 4
    assert answer["advisory"]["level_reason"] == "«срочно покинуть»"
    assert [h["number"] for h in answer["advisory"]["hotlines"]] == ["+93700114000"]
    assert len(answer["warnings"]) == 1
    assert "Консульство в Алматы" in answer["warnings"][0]

"""No rollback by accident (issue 14): a version the publisher did not edit is a 412, an
earlier version's content a 409 unless it is a revert; nothing stored either way."""

from __future__ import annotations

import pytest
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.errors import StaleContentError, VersionMismatchError
from consular_alerts.services.ingest import IngestService
from consular_alerts.services.poller import FeedPoller

from tests.builders import a_draft
from tests.fakes import FakeAdvisoryRepository, FakeClock
from tests.unit.test_poller import NEWS, FakeFeeds, FakeFetcher, feed


@pytest.fixture
def repository() -> FakeAdvisoryRepository:
    return FakeAdvisoryRepository()


@pytest.fixture
def service(repository: FakeAdvisoryRepository) -> IngestService:
    return IngestService(repository, IngestPolicy(), FakeClock())


def test_a_stale_repost_is_refused_naming_the_current_version_and_stores_nothing(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    service.ingest(a_draft(level=3))
    service.ingest(a_draft(level=4))
    with pytest.raises(StaleContentError) as refused:
        service.ingest(a_draft(level=3))
    assert refused.value.status_code == 409
    assert refused.value.current_version == 2
    assert "not of the current version 2" in refused.value.message
    assert "revert=true" in refused.value.message
    assert len(repository.items) == 2
    with pytest.raises(StaleContentError):  # a preview says so too
        service.dry_run(a_draft(level=3))


def test_a_stated_revert_is_the_next_version_and_the_latest_content_stays_unchanged(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    first = service.ingest(a_draft(level=3)).advisory
    service.ingest(a_draft(level=4))
    assert service.dry_run(a_draft(level=3), revert=True).would_store
    restored = service.ingest(a_draft(level=3), revert=True)
    assert (restored.created, restored.advisory.version) == (True, 3)
    assert restored.advisory.content_hash == first.content_hash
    # The content of v2 is now earlier too; v3's is the latest: a repost is unchanged.
    assert not service.ingest(a_draft(level=3)).created
    assert not service.ingest(a_draft(level=3), revert=True).created
    with pytest.raises(StaleContentError):
        service.ingest(a_draft(level=4))
    assert len(repository.items) == 3


def test_an_edit_of_another_version_than_the_current_is_refused(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    service.ingest(a_draft(level=2))
    service.ingest(a_draft(level=3))
    with pytest.raises(VersionMismatchError) as refused:
        service.ingest(a_draft(level=4), expected_version=1)
    assert (refused.value.status_code, refused.value.current_version) == (412, 2)
    assert "is at version 2, not 1" in refused.value.message
    with pytest.raises(VersionMismatchError):
        service.dry_run(a_draft(level=4), expected_version=1)
    assert len(repository.items) == 2
    assert service.ingest(a_draft(level=4), expected_version=2).advisory.version == 3


def test_an_edit_of_an_advisory_that_does_not_exist_is_refused(service: IngestService) -> None:
    with pytest.raises(VersionMismatchError) as refused:
        service.ingest(a_draft(), expected_version=1)
    assert refused.value.current_version == 0
    assert "has no version yet" in refused.value.message


def test_a_concurrent_writer_between_read_and_write_makes_an_edit_a_412(
    service: IngestService, repository: FakeAdvisoryRepository
) -> None:
    service.ingest(a_draft(level=2))
    repository.interfere_times = 1  # another officer stores v2 before our write
    with pytest.raises(VersionMismatchError) as refused:
        service.ingest(a_draft(level=3), expected_version=1)
    assert refused.value.current_version == 2
    assert len(repository.items) == 1  # ours was never stored


def test_a_feed_serving_an_older_copy_stores_nothing_and_warns(
    repository: FakeAdvisoryRepository,
) -> None:
    url = "https://example.org/mfa.rss"
    changed = NEWS.replace(b"stay home.", b"leave the country.")
    feeds = FakeFeeds([feed("mfa")])
    fetcher = FakeFetcher({url: NEWS}, {url: '"a"'})

    def poll() -> tuple[int, int, list[str]]:
        clock = FakeClock()
        ingest = IngestService(repository, IngestPolicy(), clock)
        outcome = FeedPoller(feeds, fetcher, ingest, clock, "KG").poll_all()[0]
        return outcome.stored, outcome.unchanged, outcome.warnings

    assert poll()[0] == 1
    fetcher.documents[url], fetcher.etags[url] = changed, '"b"'
    assert poll()[0] == 1
    fetcher.documents[url], fetcher.etags[url] = NEWS, '"a"'  # a stale cache
    stored, unchanged, warnings = poll()
    assert (stored, unchanged) == (0, 1)
    assert any("content of an earlier version" in w for w in warnings)
    assert len(repository.items) == 2

"""Who published each version (issue 14, item 3): recorded beside the content, never part of
it; the feed poller records the feed; the local runtime's principal is an IAM user."""

from __future__ import annotations

from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.services.ingest import IngestService
from consular_alerts.services.poller import FeedPoller

from alerts_local.publisher_auth import PublisherCredentials
from tests.builders import a_draft
from tests.fakes import FakeAdvisoryRepository, FakeClock
from tests.unit.test_poller import NEWS, FakeFeeds, FakeFetcher, feed

OFFICER = "arn:aws:iam::123456789012:user/duty-officer"


def test_the_publisher_is_recorded_and_is_not_content() -> None:
    repository = FakeAdvisoryRepository()
    service = IngestService(repository, IngestPolicy(), FakeClock())
    first = service.ingest(a_draft(), published_by=OFFICER)
    assert first.advisory.published_by == OFFICER
    assert repository.items[(first.advisory.advisory_id, 1)].published_by == OFFICER
    again = service.ingest(a_draft(), published_by="AROAEXAMPLE:another-officer")
    assert not again.created  # the same content from someone else: unchanged
    assert again.advisory.published_by == OFFICER
    assert again.advisory.content_hash == first.advisory.content_hash


def test_a_feed_is_who_published_its_items() -> None:
    repository = FakeAdvisoryRepository()
    clock = FakeClock()
    fetcher = FakeFetcher({"https://example.org/mfa.rss": NEWS})
    ingest = IngestService(repository, IngestPolicy(), clock)
    FeedPoller(FakeFeeds([feed("mfa")]), fetcher, ingest, clock, "KG").poll_all()
    assert [a.published_by for a in repository.items.values()] == ["feed:mfa"]


def test_the_local_principal_is_named_as_api_gateway_names_an_iam_user() -> None:
    credentials = PublisherCredentials(secret_access_key="x")
    identity = credentials.identity()
    assert identity["userArn"] == "arn:aws:iam::123456789012:user/local-officer"
    assert identity["accessKey"] == credentials.access_key_id
    assert identity["caller"].startswith("AIDA")

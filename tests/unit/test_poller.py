"""The feed poller with fakes: conditional GET, bounds, one failing feed never stops others."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from consular_alerts.domain.publication import IngestPolicy
from consular_alerts.models.feeds import FeedConfig, FeedState
from consular_alerts.services.ingest import IngestService
from consular_alerts.services.poller import FeedPoller
from consular_alerts.services.ports import Fetched, FetchError

from tests.fakes import FakeAdvisoryRepository, FakeClock

NEWS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>MFA KG news</title><link>https://mfa.gov.kg</link>
<description>News</description>
<item><title>Advice to citizens in Kazakhstan</title><link>https://mfa.gov.kg/n/1</link>
<guid>n-1</guid><pubDate>Thu, 06 Jan 2022 03:00:00 +0600</pubDate>
<description>Citizens in Kazakhstan should avoid crowds and stay home.</description></item>
</channel></rss>"""


@dataclass
class FakeFetcher:
    documents: dict[str, bytes] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def fetch(
        self,
        url: str,
        *,
        etag: str,
        last_modified: str,
        max_bytes: int,
        timeout: float,
        linked_from: str | None = None,
    ) -> Fetched:
        self.requests.append((url, etag))
        if url in self.failing:
            raise FetchError(f"{url}: timed out")
        body = self.documents[url]
        if len(body) > max_bytes:
            raise FetchError(f"{url}: more than {max_bytes} bytes")
        current = self.etags.get(url, "")
        if etag and etag == current:
            return Fetched(304)
        return Fetched(200, body, current)


@dataclass
class FakeFeeds:
    configs: list[FeedConfig]
    states: dict[str, FeedState] = field(default_factory=dict)

    def feeds(self) -> list[tuple[FeedConfig, FeedState]]:
        return [(c, self.states.get(c.feed_id, FeedState())) for c in self.configs]

    def save_state(self, feed_id: str, state: FeedState) -> None:
        self.states[feed_id] = state


def feed(feed_id: str, **changes: object) -> FeedConfig:
    data: dict[str, object] = {
        "feed_id": feed_id,
        "url": f"https://example.org/{feed_id}.rss",
        "format": "rss",
        "source": feed_id,
        "default_countries": ["KZ"],
    }
    data.update(changes)
    return FeedConfig.model_validate(data)


@pytest.fixture
def repository() -> FakeAdvisoryRepository:
    return FakeAdvisoryRepository()


def poller(
    feeds: FakeFeeds, fetcher: FakeFetcher, repository: FakeAdvisoryRepository
) -> FeedPoller:
    clock = FakeClock()
    ingest = IngestService(repository, IngestPolicy(), clock)
    return FeedPoller(feeds, fetcher, ingest, clock, "KG")


def test_new_items_are_ingested_and_an_unchanged_feed_is_not_refetched(
    repository: FakeAdvisoryRepository,
) -> None:
    feeds = FakeFeeds([feed("mfa")])
    fetcher = FakeFetcher(
        {"https://example.org/mfa.rss": NEWS}, {"https://example.org/mfa.rss": '"v1"'}
    )
    first = poller(feeds, fetcher, repository).poll_all()
    assert [(o.status, o.stored) for o in first] == [("ingested", 1)]
    assert feeds.states["mfa"].etag == '"v1"'

    second = poller(feeds, fetcher, repository).poll_all()
    assert [o.status for o in second] == ["unchanged"]
    assert fetcher.requests[-1] == ("https://example.org/mfa.rss", '"v1"')  # conditional GET
    assert len(repository.items) == 1


def test_a_changed_feed_with_the_same_items_stores_nothing_new(
    repository: FakeAdvisoryRepository,
) -> None:
    feeds = FakeFeeds([feed("mfa")])
    url = "https://example.org/mfa.rss"
    fetcher = FakeFetcher({url: NEWS}, {url: '"v1"'})
    poller(feeds, fetcher, repository).poll_all()
    fetcher.etags[url] = '"v2"'  # touched, same content
    outcome = poller(feeds, fetcher, repository).poll_all()[0]
    assert (outcome.status, outcome.stored, outcome.unchanged) == ("ingested", 0, 1)


def test_one_failing_feed_does_not_stop_the_others(repository: FakeAdvisoryRepository) -> None:
    feeds = FakeFeeds([feed("broken"), feed("mfa")])
    fetcher = FakeFetcher(
        {"https://example.org/mfa.rss": NEWS, "https://example.org/broken.rss": b"<rss"},
        failing={"https://example.org/broken.rss"},
    )
    outcomes = {o.feed_id: o for o in poller(feeds, fetcher, repository).poll_all()}
    assert outcomes["broken"].status == "failed"
    assert "timed out" in outcomes["broken"].error
    assert outcomes["mfa"].stored == 1
    assert feeds.states["broken"].consecutive_failures == 1


def test_malformed_feed_fails_that_feed_only(repository: FakeAdvisoryRepository) -> None:
    feeds = FakeFeeds([feed("junk", format="cap"), feed("mfa")])
    fetcher = FakeFetcher(
        {"https://example.org/junk.rss": b"\x00\x01 not xml", "https://example.org/mfa.rss": NEWS}
    )
    outcomes = {o.feed_id: o for o in poller(feeds, fetcher, repository).poll_all()}
    assert outcomes["junk"].status == "failed"
    assert outcomes["junk"].error
    assert outcomes["mfa"].status == "ingested"


def test_oversized_feed_is_refused_within_its_bound(repository: FakeAdvisoryRepository) -> None:
    feeds = FakeFeeds([feed("big", max_bytes=1024)])
    fetcher = FakeFetcher({"https://example.org/big.rss": NEWS + b" " * 2000})
    (outcome,) = poller(feeds, fetcher, repository).poll_all()
    assert outcome.status == "failed"
    assert "1024" in outcome.error
    assert repository.items == {}


def test_disabled_feeds_are_not_fetched(repository: FakeAdvisoryRepository) -> None:
    feeds = FakeFeeds([feed("off", enabled=False)])
    fetcher = FakeFetcher()
    assert poller(feeds, fetcher, repository).poll_all() == []
    assert fetcher.requests == []


INDEX = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>CAP index</title><link>https://cap.example.org/</link>
<description>alerts</description>
%s
</channel></rss>"""
CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>A-%d</identifier><sender>alerts@example.kz</sender>
  <sent>2022-01-06T03:00:00+06:00</sent><status>Actual</status><msgType>Alert</msgType>
  <scope>Public</scope>
  <info><language>en</language><category>Security</category><event>Unrest</event>
    <urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>
    <headline>Unrest %d in Almaty</headline>
    <area><areaDesc>Almaty, Kazakhstan</areaDesc></area></info>
</alert>"""


def test_links_beyond_the_bound_are_fetched_at_the_next_polls_not_lost(
    repository: FakeAdvisoryRepository,
) -> None:
    links = [f"https://cap.example.org/{n}.cap" for n in range(5)]
    items = "".join(
        f"<item><title>Alert {n}</title><link>{link}</link>"
        f'<enclosure url="{link}" type="application/cap+xml" length="1"/></item>'
        for n, link in enumerate(links)
    )
    index_url = "https://cap.example.org/index.rss"
    documents = {index_url: INDEX % items.encode()}
    documents.update({link: (CAP % (n, n)).encode() for n, link in enumerate(links)})
    feeds = FakeFeeds([feed("capindex", url=index_url, format="rss", max_cap_links=2)])
    fetcher = FakeFetcher(documents, {index_url: '"v1"'})

    stored_per_poll = [poller(feeds, fetcher, repository).poll_all()[0].stored for _ in range(4)]

    assert stored_per_poll == [2, 2, 1, 0]
    assert len(repository.items) == 5  # every linked alert, none lost
    assert feeds.states["capindex"].etag == '"v1"'  # validators kept once all were fetched
    fetched = [url for url, _ in fetcher.requests if url != index_url]
    assert sorted(fetched) == sorted(links)  # each link fetched once


def test_an_unexpected_error_fails_that_feed_and_the_others_go_on(
    repository: FakeAdvisoryRepository,
) -> None:
    class Exploding(FakeFetcher):
        def fetch(self, url: str, **kwargs: object) -> Fetched:  # type: ignore[override]
            if "broken" in url:
                raise ValueError("invalid literal for int() with base 10: '1e3'")
            return super().fetch(url, **kwargs)  # type: ignore[arg-type]

    feeds = FakeFeeds([feed("broken"), feed("mfa")])
    fetcher = Exploding({"https://example.org/mfa.rss": NEWS})
    outcomes = {o.feed_id: o for o in poller(feeds, fetcher, repository).poll_all()}
    assert outcomes["broken"].status == "failed"
    assert "ValueError" in outcomes["broken"].error
    assert feeds.states["broken"].consecutive_failures == 1  # recorded like any failure
    assert outcomes["mfa"].stored == 1


def test_feeds_left_when_the_run_is_out_of_time_wait_for_the_next_run(
    repository: FakeAdvisoryRepository,
) -> None:
    feeds = FakeFeeds([feed("mfa")])
    fetcher = FakeFetcher({"https://example.org/mfa.rss": NEWS})
    service = poller(feeds, fetcher, repository)
    past = FakeClock().now
    assert [o.status for o in service.poll_all(deadline=past)] == ["deferred"]
    assert fetcher.requests == []

"""A feed the poller reads, and what it remembers between runs."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from consular_alerts.models.base import (
    KnownCountry,
    Level,
    StrictModel,
)

# --- Feeds ------------------------------------------------------------------------------------


class FeedConfig(StrictModel):
    """A feed the poller reads, as operations configure it (one item in the feeds table)."""

    feed_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    url: str = Field(pattern=r"^https?://\S+$", max_length=2000)
    format: str = Field(
        default="auto", pattern=r"^(auto|cap|rss|atom|fcdo|us-state|json|text|html)$"
    )
    source: str = Field(min_length=1, max_length=64)
    default_countries: list[KnownCountry] = Field(default_factory=list)
    default_level: Level = 2
    enabled: bool = True
    # Two-person approval: items of a feed not marked auto_publish wait for an officer.
    auto_publish: bool = False
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    timeout_seconds: float = Field(default=10, gt=0, le=60)
    max_cap_links: int = Field(default=20, ge=0, le=200)


class FeedState(BaseModel):
    """What the poller remembers of a feed between runs."""

    model_config = ConfigDict(extra="ignore")

    etag: str = ""
    last_modified: str = ""
    last_polled_at: str = ""
    last_outcome: str = ""
    consecutive_failures: int = 0
    fetched_links: list[str] = Field(default_factory=list)  # newest first, bounded

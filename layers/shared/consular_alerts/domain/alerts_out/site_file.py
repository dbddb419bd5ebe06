"""A public file of the site the CAP feed function writes (a CAP document, a feed, the index).

Kept apart from the writers so that the port (services/ports.py) costs other functions
nothing to import."""

from __future__ import annotations

from dataclasses import dataclass

# Feeds change with every advisory: aggregators and the pages see a change within a minute.
FEED_CACHE = "public, max-age=60"
# One version's CAP document does not change once written.
CAP_CACHE = "public, max-age=86400"


@dataclass(frozen=True)
class SiteFile:
    key: str  # the S3 key: the path on the site without its leading slash
    body: bytes
    content_type: str
    cache_control: str = FEED_CACHE

"""HTTP fetching for the poller: conditional GET, bounded in size and time."""

from __future__ import annotations

import urllib.error
import urllib.request

from consular_alerts.services.poller import Fetched, FetchError

USER_AGENT = "consular-alerts-poller/1.0 (+https://alerts.mfa.gov.kg)"


class UrllibFetcher:
    """stdlib urllib: enough for GET with validators, and no extra dependency in the layer."""

    def fetch(
        self, url: str, *, etag: str, last_modified: str, max_bytes: int, timeout: float
    ) -> Fetched:
        if not url.startswith(("https://", "http://")):
            raise FetchError(f"{url}: only http(s) URLs are fetched")
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(url, headers=headers)  # noqa: S310  (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                declared = int(response.headers.get("Content-Length") or 0)
                if declared > max_bytes:
                    raise FetchError(f"{url}: {declared} bytes, the limit is {max_bytes}")
                body = response.read(max_bytes + 1)
                if len(body) > max_bytes:
                    raise FetchError(f"{url}: more than {max_bytes} bytes")
                return Fetched(
                    200,
                    body,
                    response.headers.get("ETag", ""),
                    response.headers.get("Last-Modified", ""),
                )
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return Fetched(304)
            raise FetchError(f"{url}: HTTP {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise FetchError(f"{url}: {getattr(error, 'reason', error)}") from error

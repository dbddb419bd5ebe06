"""HTTP fetching for the poller: conditional GET, bounded in size, time and redirects.

Feed URLs come from operations and are trusted. URLs found inside a feed (links to CAP
documents) are not: they may only point at the feed's own host or at public addresses, so a
hostile feed cannot make the poller reach the Lambda runtime API on 127.0.0.1, link-local
metadata addresses or private networks, directly or through a redirect.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlsplit

from consular_alerts.services.poller import Fetched, FetchError

USER_AGENT = "consular-alerts-poller/1.0 (+https://alerts.mfa.gov.kg)"
MAX_REDIRECTS = 3


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_destination(url: str, trusted_host: str | None) -> None:
    """Refuse non-http(s) URLs, and hosts other than `trusted_host` that resolve to anything
    but public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"{url}: only http(s) URLs are fetched")
    host = parts.hostname.lower()
    if trusted_host is not None and host == trusted_host:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"{url}: cannot resolve {host}") from error
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise FetchError(f"{url}: {host} resolves to a non-public address ({address})")


def _content_length(value: str | None) -> int:
    """The declared length, or 0 when absent or malformed (the read is bounded anyway)."""
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, trusted_host: str | None) -> None:
        self._trusted_host = trusted_host

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        check_destination(newurl, self._trusted_host)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class UrllibFetcher:
    """stdlib urllib: enough for GET with validators, and no extra dependency in the layer."""

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
        """`linked_from`: the feed URL a link was found in (the link is then untrusted)."""
        trusted_host = _host(linked_from) if linked_from else _host(url)
        if linked_from:
            check_destination(url, trusted_host)
        elif not url.startswith(("https://", "http://")):
            raise FetchError(f"{url}: only http(s) URLs are fetched")
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(url, headers=headers)  # noqa: S310  (scheme checked)
        opener = urllib.request.build_opener(_CheckedRedirects(trusted_host))
        try:
            started = time.monotonic()
            with opener.open(request, timeout=timeout) as response:
                declared = _content_length(response.headers.get("Content-Length"))
                if declared > max_bytes:
                    raise FetchError(f"{url}: {declared} bytes, the limit is {max_bytes}")
                # `timeout` bounds each socket read; this bounds the whole download, so a
                # server trickling bytes cannot hold the poller.
                chunks: list[bytes] = []
                size = 0
                while chunk := response.read(64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"{url}: more than {max_bytes} bytes")
                    if time.monotonic() - started > timeout:
                        raise FetchError(f"{url}: not fetched within {timeout:g} s")
                    chunks.append(chunk)
                body = b"".join(chunks)
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

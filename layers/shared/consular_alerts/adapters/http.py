"""HTTP fetching for the poller: conditional GET, bounded in size, time and redirects.

Feed URLs come from operations and are trusted. URLs found inside a feed (links to CAP
documents) are not: they may only point at the feed's own host or at public addresses, so a
hostile feed cannot make the poller reach the Lambda runtime API on 127.0.0.1, link-local
metadata addresses or private networks, directly, through a redirect, or by a name that
resolves to a public address when checked and to an internal one when connected to.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit

from consular_alerts.services.ports import Fetched, FetchError

USER_AGENT = "consular-alerts-poller/1.0 (+https://alerts.mfa.gov.kg)"
MAX_REDIRECTS = 3


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_destination(url: str, trusted_host: str | None) -> None:
    """Refuse non-http(s) URLs, and hosts other than `trusted_host` that resolve to anything
    but public addresses (a first check; the connection checks again, see `_connect`)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"{url}: only http(s) URLs are fetched")
    _allowed_address(parts.hostname.lower(), parts.port or 443, trusted_host)


def _allowed_address(host: str, port: int, trusted_host: str | None) -> str:
    """The address to connect to: any for the trusted host, else only if every address
    the name resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host}") from error
    addresses = [str(info[4][0]).split("%")[0] for info in infos]
    if host != trusted_host:
        for address in addresses:
            if not ipaddress.ip_address(address).is_global:
                raise FetchError(f"{host} resolves to a non-public address ({address})")
    return addresses[0]


def _guarded(
    connection_class: type[http.client.HTTPConnection], trusted_host: str | None
) -> Callable[..., http.client.HTTPConnection]:
    """Connections that connect to the address they checked: resolving once for the check
    and again for the connection would let a name rebind to 127.0.0.1 in between."""

    def factory(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = connection_class(host, **kwargs)

        def connect(
            address: tuple[str, int],
            timeout: float | None = None,
            source_address: tuple[str, int] | None = None,
        ) -> socket.socket:
            hostname, port = address
            pinned = _allowed_address(hostname.lower(), port, trusted_host)
            return socket.create_connection((pinned, port), timeout, source_address)

        # http.client opens its socket through this attribute; TLS then still verifies the
        # certificate against the host name.
        connection._create_connection = connect  # type: ignore[attr-defined]
        return connection

    return factory


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, trusted_host: str | None) -> None:
        super().__init__()
        self._trusted_host = trusted_host

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_guarded(http.client.HTTPConnection, self._trusted_host), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, trusted_host: str | None) -> None:
        super().__init__()
        self._trusted_host = trusted_host

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            _guarded(http.client.HTTPSConnection, self._trusted_host),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


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
        opener = urllib.request.build_opener(
            _CheckedRedirects(trusted_host),
            _GuardedHTTPHandler(trusted_host),
            _GuardedHTTPSHandler(trusted_host),
        )
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

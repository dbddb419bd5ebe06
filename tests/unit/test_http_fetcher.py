"""The fetcher's guard against links that point inside the network (SSRF)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from consular_alerts.adapters.http import UrllibFetcher, check_destination
from consular_alerts.services.ports import FetchError


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/cap.xml",
        "http://[::1]/cap.xml",
        "http://localhost/cap.xml",
        "file:///etc/passwd",
        "gopher://example.org/",
    ],
)
def test_untrusted_links_to_internal_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError):
        check_destination(url, trusted_host="feeds.example.org")


def test_links_on_the_feeds_own_host_are_allowed() -> None:
    check_destination("http://127.0.0.1:8000/alerts/1.cap", trusted_host="127.0.0.1")


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/trickle":
            self.send_response(200)
            self.end_headers()
            for _ in range(8):  # one byte every 0.2 s: each read is quick, the whole is not
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
            return
        if self.path == "/odd-length":
            self.send_response(200)
            self.send_header("Content-Length", "1e3")
            self.end_headers()
            self.wfile.write(b"ok")
            return
        if self.path == "/feed":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_to_an_internal_address_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="non-public"):
        UrllibFetcher().fetch(
            f"{server}/feed", etag="", last_modified="", max_bytes=1024, timeout=5
        )


def test_a_plain_fetch_returns_the_body(server: str) -> None:
    fetched = UrllibFetcher().fetch(
        f"{server}/ok", etag="", last_modified="", max_bytes=1024, timeout=5
    )
    assert (fetched.status, fetched.body) == (200, b"ok")


def test_a_body_over_the_bound_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="bytes"):
        UrllibFetcher().fetch(f"{server}/ok", etag="", last_modified="", max_bytes=1, timeout=5)


def test_a_trickling_server_is_cut_off_at_the_fetch_timeout(server: str) -> None:
    # cut off by the whole-download bound (or, on a stalled machine, by a read timeout)
    with pytest.raises(FetchError, match=r"within|timed out"):
        UrllibFetcher().fetch(
            f"{server}/trickle", etag="", last_modified="", max_bytes=1024, timeout=1
        )


def test_a_malformed_content_length_does_not_crash_the_fetch(server: str) -> None:
    fetched = UrllibFetcher().fetch(
        f"{server}/odd-length", etag="", last_modified="", max_bytes=1024, timeout=5
    )
    assert fetched.body.startswith(b"ok")


def test_a_name_rebound_to_loopback_after_the_check_is_refused_at_connection(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    port = int(server.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1", "127.0.0.1"])

    def rebinding(host: str, *args: object, **kwargs: object) -> object:
        if host != "rebind.example.org":
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        address = next(answers)  # public when checked, loopback afterwards
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(FetchError, match="non-public"):
        UrllibFetcher().fetch(
            f"http://rebind.example.org:{port}/ok",
            etag="",
            last_modified="",
            max_bytes=1024,
            timeout=5,
            linked_from="https://feeds.example.org/index.rss",
        )


def test_a_link_on_the_feeds_own_host_is_fetched(server: str) -> None:
    fetched = UrllibFetcher().fetch(
        f"{server}/ok",
        etag="",
        last_modified="",
        max_bytes=1024,
        timeout=5,
        linked_from=f"{server}/index.rss",
    )
    assert fetched.body == b"ok"

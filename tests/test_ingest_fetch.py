"""URL fetching: User-Agent, redirects checked hop by hop, size cap, refused addresses, timeouts.

Every test either uses httpx.MockTransport (nothing leaves the process) or a server on 127.0.0.1; the
address checks use IP literals so that no name is ever resolved over the network.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from newswatch.config import FetchSettings
from newswatch.errors import FetchError
from newswatch.ingest import check_url, fetch_url, iter_documents
from newswatch.models import IngestFailure, RawDocument

PAGE = (Path(__file__).parent / "fixtures" / "pages" / "news_article.html").read_bytes()
PUBLIC = "http://93.184.216.34"  # a public IP literal: passes the address check without any DNS lookup


def _mock(routes: dict[str, httpx.Response], seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return routes.get(request.url.path, httpx.Response(404))

    return httpx.MockTransport(handler)


def test_fetch_sends_user_agent_and_returns_body() -> None:
    seen: list[httpx.Request] = []
    transport = _mock({"/story": httpx.Response(200, content=PAGE, headers={"content-type": "text/html; charset=utf-8"})},
                      seen)
    page = fetch_url(f"{PUBLIC}/story", fetch=FetchSettings(user_agent="test-agent/1.0"), transport=transport)
    assert page.content == PAGE and page.charset == "utf-8" and not page.is_feed
    assert seen[0].headers["user-agent"] == "test-agent/1.0"


def test_fetch_follows_redirects_up_to_the_limit() -> None:
    routes = {f"/r{i}": httpx.Response(302, headers={"location": f"/r{i + 1}"}) for i in range(3)}
    routes["/r3"] = httpx.Response(200, content=PAGE)
    page = fetch_url(f"{PUBLIC}/r0", fetch=FetchSettings(max_redirects=3), transport=_mock(routes))
    assert page.url == f"{PUBLIC}/r3"
    with pytest.raises(FetchError, match="redirected more than 2 times"):
        fetch_url(f"{PUBLIC}/r0", fetch=FetchSettings(max_redirects=2), transport=_mock(routes))


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1/admin", "http://10.0.0.7/", "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"],
)
def test_fetch_refuses_a_redirect_to_a_forbidden_place(target: str) -> None:
    seen: list[httpx.Request] = []
    routes = {"/go": httpx.Response(301, headers={"location": target})}
    with pytest.raises(FetchError):
        fetch_url(f"{PUBLIC}/go", fetch=FetchSettings(), transport=_mock(routes, seen))
    assert [str(r.url) for r in seen] == [f"{PUBLIC}/go"]  # the forbidden hop was never requested


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.10/", "private"),
        ("http://169.254.169.254/", "link-local"),
        ("http://0.0.0.0/", "unspecified|private"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 written as one decimal number
        ("http://0x7f000001/", "loopback"),  # ... and as hexadecimal
        ("http://user:pw@93.184.216.34/", "user name or password"),
        ("ftp://93.184.216.34/file", "only http and https"),
        ("javascript:alert(1)", "only http and https|not a valid URL"),
    ],
)
def test_check_url_refuses_hostile_urls(url: str, why: str) -> None:
    with pytest.raises(FetchError, match=why):
        check_url(url, allow_private=False)


def test_check_url_allows_private_when_asked() -> None:
    check_url("http://127.0.0.1:8080/", allow_private=True)


def test_fetch_size_cap_from_header_and_from_stream() -> None:
    big = b"<html>" + b"x" * 5000 + b"</html>"
    declared = httpx.Response(200, content=big)
    with pytest.raises(FetchError, match="over the 1000-byte limit"):
        fetch_url(f"{PUBLIC}/big", fetch=FetchSettings(max_bytes=1000), transport=_mock({"/big": declared}))

    def undeclared(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(big))  # no Content-Length: only the stream tells

    with pytest.raises(FetchError, match="larger than the 1000-byte limit"):
        fetch_url(f"{PUBLIC}/big", fetch=FetchSettings(max_bytes=1000), transport=httpx.MockTransport(undeclared))


def test_fetch_http_error_status_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="HTTP 503"):
        fetch_url(f"{PUBLIC}/x", fetch=FetchSettings(), transport=_mock({"/x": httpx.Response(503)}))


class _SlowHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/slow":
            time.sleep(1.5)
        body = PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:  # keep the test output clean
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_timeout_is_recorded_and_the_batch_goes_on(local_server: str) -> None:
    fetch = FetchSettings(timeout=0.3, allow_private=True)
    items = list(iter_documents([f"{local_server}/slow", f"{local_server}/fine.html"], fetch=fetch))
    failure, doc = items
    assert isinstance(failure, IngestFailure) and failure.stage == "fetch"
    assert "timed out" in failure.reason and "try again later" in failure.reason
    assert isinstance(doc, RawDocument) and doc.content == PAGE and doc.name == "fine"


def test_fetch_loopback_refused_without_allow_private(local_server: str) -> None:
    [failure] = list(iter_documents([f"{local_server}/fine.html"], fetch=FetchSettings()))
    assert isinstance(failure, IngestFailure)
    assert "loopback" in failure.reason and "allow_private" in failure.reason


def test_fetch_url_serving_a_feed_is_read_as_a_feed() -> None:
    feed = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            b'<entry><title>Strike</title><link href="' + PUBLIC.encode() + b'/story"/>'
            b"<updated>2024-03-04T08:00:00Z</updated><summary>s</summary></entry></feed>")
    routes = {"/feed": httpx.Response(200, content=feed, headers={"content-type": "text/html"}),
              "/story": httpx.Response(200, content=PAGE)}
    [doc] = list(iter_documents([f"{PUBLIC}/feed"], fetch=FetchSettings(), transport=_mock(routes)))
    assert isinstance(doc, RawDocument)
    assert doc.url == f"{PUBLIC}/story" and doc.content == PAGE and doc.meta["title"] == "Strike"


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Replace name resolution (the network boundary) with fixed answers; returns the names looked up."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list[tuple]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 443)) for ip in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_fetch_connects_to_the_checked_address_with_the_original_host(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _fake_dns(monkeypatch, {"news.example.org": ["93.184.216.34"]})
    seen: list[httpx.Request] = []
    transport = _mock({"/story": httpx.Response(200, content=PAGE)}, seen)
    page = fetch_url("https://news.example.org/story", fetch=FetchSettings(), transport=transport)
    assert asked == ["news.example.org"]
    assert seen[0].url.host == "93.184.216.34" and seen[0].headers["host"] == "news.example.org"
    assert seen[0].extensions["sni_hostname"] == "news.example.org"
    assert page.url == "https://news.example.org/story"


def test_fetch_refuses_a_name_that_resolves_to_a_private_address(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {"intranet.example.org": ["93.184.216.34", "10.0.0.5"]})
    seen: list[httpx.Request] = []
    with pytest.raises(FetchError, match="resolves to 10.0.0.5, a private address"):
        fetch_url("http://intranet.example.org/", fetch=FetchSettings(), transport=_mock({}, seen))
    assert seen == []

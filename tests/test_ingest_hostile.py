"""Hostile and unlucky input at the ingest stage: servers that drip, redirects into the private network, IPv6
addresses that carry private IPv4 ones, feeds of 100,000 items, JSONL lines that break parsers.

Servers run on 127.0.0.1 only; redirects and addresses outside it are tested with httpx.MockTransport and IP
literals, so nothing is ever sent or resolved off this machine.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newswatch.config import FetchSettings, IngestSettings
from newswatch.errors import FetchError
from newswatch.ingest import check_url, fetch_url, iter_documents
from newswatch.models import IngestFailure, RawDocument

PAGE = (Path(__file__).parent / "fixtures" / "pages" / "news_article.html").read_bytes()


# ------------------------------------------------------------------------------------------ dripping servers


@pytest.fixture
def drip_server() -> Iterator[tuple[str, threading.Event]]:
    """A raw TCP server on 127.0.0.1: /headers sends its status line and headers one byte every 0.2 s, /body
    sends its headers at once and then its body one byte every 0.2 s. Each stops when the client goes."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)

    def serve(conn: socket.socket) -> None:
        with conn:
            request = conn.recv(4096)
            body = b"<html><body>" + b"x" * 500 + b"</body></html>"
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
            slow, fast = (head + body, b"") if b"/headers" in request else (body, head)
            try:
                conn.sendall(fast)
                for byte in slow:
                    if stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(0.2)
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", stop
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.mark.parametrize("path", ["/headers", "/body"])
def test_fetch_total_deadline_covers_headers_and_body(drip_server: tuple[str, threading.Event], path: str) -> None:
    base, _stop = drip_server
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out: it did not finish .*within the 1\.5s"):
        fetch_url(base + path, fetch=FetchSettings(timeout=1.5, allow_private=True))
    # every single byte arrives well inside the per-read timeout; only the total deadline ends the request
    assert time.monotonic() - started < 3.0


def test_fetch_deadline_failure_is_recorded_and_the_batch_goes_on(
    drip_server: tuple[str, threading.Event], tmp_path: Path
) -> None:
    base, _stop = drip_server
    good = tmp_path / "good.html"
    good.write_bytes(PAGE)
    items = list(iter_documents([base + "/headers", str(good)], fetch=FetchSettings(timeout=1.0, allow_private=True)))
    failure, doc = items
    assert isinstance(failure, IngestFailure) and failure.stage == "fetch" and "timed out" in failure.reason
    assert isinstance(doc, RawDocument) and doc.content == PAGE


# ------------------------------------------------------------------------------------------ redirects


def _redirecting(target: str, seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/go":
            return httpx.Response(302, headers={"location": target})
        return httpx.Response(200, content=PAGE, headers={"content-type": "text/html"})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://10.0.0.1/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://192.168.1.1/", "private"),
        ("http://[2002:a00:1::]/", "6to4 address carrying 10.0.0.1"),
        ("http://[::ffff:169.254.169.254]/", "IPv4-mapped address carrying 169.254.169.254"),
    ],
)
def test_allow_private_redirect_from_loopback_may_not_leave_loopback(target: str, why: str) -> None:
    seen: list[str] = []
    with pytest.raises(FetchError, match=why):
        fetch_url("http://127.0.0.1:8080/go", fetch=FetchSettings(allow_private=True),
                  transport=_redirecting(target, seen))  # fmt: skip
    assert seen == ["http://127.0.0.1:8080/go"]  # the forbidden hop was never requested


@pytest.mark.parametrize("target", ["http://127.0.0.1:8080/page", "http://[::1]:8080/page", "http://93.184.216.34/page"])
def test_allow_private_redirect_to_loopback_or_public_is_followed(target: str) -> None:
    seen: list[str] = []
    page = fetch_url("http://127.0.0.1:8080/go", fetch=FetchSettings(allow_private=True),
                     transport=_redirecting(target, seen))  # fmt: skip
    assert page.content == PAGE and seen[-1] == target


def test_allow_private_from_a_private_address_redirect_to_link_local_is_refused() -> None:
    seen: list[str] = []
    with pytest.raises(FetchError, match="link-local"):
        fetch_url("http://10.0.0.7/go", fetch=FetchSettings(allow_private=True),
                  transport=_redirecting("http://169.254.169.254/", seen))  # fmt: skip
    assert seen == ["http://10.0.0.7/go"]


# ------------------------------------------------------------------------------------------ IPv6 carrying IPv4


@pytest.mark.parametrize(
    ("host", "form", "carried"),
    [
        ("[2002:a00:1::]", "6to4", "10.0.0.1"),
        ("[2002:7f00:1::1]", "6to4", "127.0.0.1"),
        ("[::ffff:a00:1]", "IPv4-mapped", "10.0.0.1"),
        ("[::a00:1]", "IPv4-compatible", "10.0.0.1"),
        ("[::ffff:0:a9fe:a9fe]", "IPv4-translated", "169.254.169.254"),
        ("[64:ff9b::a00:1]", "NAT64", "10.0.0.1"),
        ("[64:ff9b:1::a9fe:a9fe]", "NAT64", "169.254.169.254"),
        ("[2001:4860::5efe:a00:1]", "ISATAP", "10.0.0.1"),
        ("[2001:0:5db8:d822:8000:63bf:f5ff:fffe]", "Teredo", "10.0.0.1"),  # client bits are inverted
    ],
)
def test_check_url_refuses_every_ipv6_form_carrying_a_private_ipv4(host: str, form: str, carried: str) -> None:
    with pytest.raises(FetchError, match=f"a {form} address carrying {carried.replace('.', '[.]')}"):
        check_url(f"http://{host}/", allow_private=False)


@pytest.mark.parametrize("host", ["[2002:5db8:d822::1]", "[2606:4700::6810:84e5]"])
def test_check_url_accepts_ipv6_carrying_a_public_ipv4(host: str) -> None:
    assert check_url(f"http://{host}/", allow_private=False) is None  # an IP literal: nothing to pin


# ------------------------------------------------------------------------------------------ feed caps


def _rss(n: int, tag: str = "a") -> bytes:
    items = "".join(
        f"<item><title>{tag} {i}</title><description><![CDATA[<p>Story {tag} {i}: the ministers met on the "
        f"border and agreed to talk again next week about trade and security.</p>]]></description></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def test_feed_items_are_capped_per_feed_with_a_recorded_reason(tmp_path: Path) -> None:
    feed = tmp_path / "big.rss"
    feed.write_bytes(_rss(100_000))
    started = time.monotonic()
    items = list(iter_documents([str(feed)], fetch=FetchSettings(), limits=IngestSettings(max_feed_items=25)))
    docs = [i for i in items if isinstance(i, RawDocument)]
    failures = [i for i in items if isinstance(i, IngestFailure)]
    assert len(docs) == 25 and [d.meta["title"] for d in docs[:2]] == ["a 0", "a 1"]
    [cap] = failures
    assert "100,000 items" in cap.reason and "--max-feed-items" in cap.reason
    assert time.monotonic() - started < 120


def test_feed_items_are_capped_per_run_over_all_feeds(tmp_path: Path) -> None:
    for tag in ("a", "b", "c"):
        (tmp_path / f"{tag}.rss").write_bytes(_rss(8, tag))
    limits = IngestSettings(max_feed_items=100, max_run_feed_items=20)
    items = list(iter_documents(sorted(str(p) for p in tmp_path.glob("*.rss")), fetch=FetchSettings(), limits=limits))
    docs = [i for i in items if isinstance(i, RawDocument)]
    failures = [i for i in items if isinstance(i, IngestFailure)]
    assert len(docs) == 20 and docs[-1].meta["title"] == "c 3"
    [cap] = failures
    assert cap.source.endswith("c.rss") and "4 items of this feed were not read" in cap.reason
    assert "--max-run-feed-items" in cap.reason


# ------------------------------------------------------------------------------------------ JSONL lines


GOOD_A = {"id": "a", "text": "The foreign ministers of France and Germany met in Paris on Monday."}
GOOD_C = {"id": "c", "text": "The foreign ministers of Italy and Spain met in Rome on Tuesday."}


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("[" * 100_000, "nests arrays or objects too deeply"),
        ('{"id": "b", "text": "bad \\ud800 text"}', "unpaired surrogate"),
        ('{"id": "b", "text": "x", "\\udfff": 1}', "unpaired surrogate"),
        ('{"id": "b", "text": ', "not valid JSON"),
        ("[1, 2, 3]", "must be a JSON object"),
        ('{"id": "b", "text": 12}', 'no "text" field'),
    ],
)
@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_jsonl_bad_line_is_recorded_alone_and_the_rest_is_read(
    tmp_path: Path, bad_line: str, reason: str, suffix: str
) -> None:
    path = tmp_path / f"records{suffix}"
    path.write_text(json.dumps(GOOD_A) + "\n" + bad_line + "\n" + json.dumps(GOOD_C) + "\n", encoding="utf-8")
    items = list(iter_documents([str(path)], fetch=FetchSettings()))
    assert [i.name for i in items if isinstance(i, RawDocument)] == ["a", "c"]
    [failure] = [i for i in items if isinstance(i, IngestFailure)]
    assert failure.source == f"{path}:2" and reason in failure.reason
    assert "please report" not in failure.reason


def test_jsonl_line_separators_inside_strings_do_not_split_a_record(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    text = "First paragraph\u2028still the first record\u0085and more."
    path.write_text(json.dumps({"id": "a", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    [doc] = list(iter_documents([str(path)], fetch=FetchSettings()))
    assert isinstance(doc, RawDocument) and doc.meta["text"] == text


def test_json_file_nesting_too_deep_is_one_clear_failure(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    [failure] = list(iter_documents([str(path)], fetch=FetchSettings()))
    assert isinstance(failure, IngestFailure) and "nests arrays or objects too deeply" in failure.reason

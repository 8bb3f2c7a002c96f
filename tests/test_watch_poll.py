"""Polling a feed on a local HTTP server (127.0.0.1): each round adds only new entries and alerts once."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newswatch import watch
from newswatch.config import Settings
from newswatch.errors import NewswatchError
from newswatch.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "watch"
PAGES = {"/trade-talks": "trade_talks.html", "/kharkiv-shelling": "kharkiv_shelling.html"}


def _rss(base: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{p.strip('/')}</title><link>{base}{p}</link><guid>{base}{p}</guid></item>"
        for p in paths
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test wire</title>'
        f"<link>{base}/</link><description>local test feed</description>{items}</channel></rss>"
    ).encode()


class _Site:
    """A local news site: /feed.xml lists ``entries``; every request is logged."""

    def __init__(self) -> None:
        self.entries: list[str] = ["/trade-talks"]
        self.requests: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                if self.path == "/feed.xml":
                    body, kind = _rss(site.base, site.entries), "application/rss+xml"
                elif self.path in PAGES:
                    body, kind = (FIXTURES / PAGES[self.path]).read_bytes(), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site() -> Iterator[_Site]:
    s = _Site()
    yield s
    s.server.shutdown()
    s.server.server_close()


def test_poll_adds_only_new_entries_and_alerts_once(site: _Site, sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    settings = Settings(db_url=sqlite_url, fetch={"allow_private": True, "timeout": 10.0})
    watch.add_watch(store, "ukraine", watch.WatchRule(types=["ASSAULT"], countries=["UKR"]))
    waits: list[float] = []

    def between_rounds(seconds: float) -> None:  # the wire publishes a new story while the poller sleeps
        waits.append(seconds)
        if len(waits) == 1:
            site.entries.append("/kharkiv-shelling")

    rounds = list(
        watch.poll([f"{site.base}/feed.xml"], store=store, settings=settings, every=60, max_rounds=3,
                   sleep=between_rounds)
    )  # fmt: skip
    assert [r.number for r in rounds] == [1, 2, 3] and len(waits) == 2
    assert 0 < waits[0] < 60  # rounds start every 60 s: the first round's own time is taken off the wait
    assert [r.summary.articles_new for r in rounds] == [1, 1, 0]
    assert [r.summary.errors for r in rounds] == [0, 0, 0]
    assert [len(r.alerts) for r in rounds] == [0, 1, 0]
    alert = rounds[1].alerts[0]
    assert alert.details["url"] == f"{site.base}/kharkiv-shelling"
    assert alert.details["type"] == "ASSAULT" and "Kharkiv" in alert.details["evidence"]
    assert store.count("articles") == 2
    assert [a.key for a in watch.list_alerts(store)] == [alert.key]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"every": 0}, "--every"), ({"max_rounds": 0}, "--max-rounds"), ({"names": ["nope"]}, "no watch named")],
)
def test_poll_refuses_bad_settings_before_fetching(
    site: _Site, sqlite_url: str, kwargs: dict[str, object], message: str
) -> None:
    store = open_store(sqlite_url)
    settings = Settings(db_url=sqlite_url, fetch={"allow_private": True})
    args: dict[str, object] = {"every": 60, "max_rounds": 1, **kwargs}
    with pytest.raises(NewswatchError, match=message):
        next(watch.poll([f"{site.base}/feed.xml"], store=store, settings=settings, **args))  # type: ignore[arg-type]
    assert site.requests == []

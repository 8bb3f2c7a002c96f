"""The web face under attack: stored XSS vectors inert in a real Chromium, security headers and a strict
Content-Security-Policy on every response, the Host check against DNS rebinding, error pages without
internal URLs or paths, Swagger UI from local files, and `serve` holding the port it was asked for."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from newswatch import pipeline
from newswatch.api.app import bind, create_app
from newswatch.api.security import CONTENT_SECURITY_POLICY, DEFAULT_HOSTS
from newswatch.config import Settings
from newswatch.errors import ServiceError
from newswatch.models import Analysis, Article, Claim, CodedActor, Event, Mention, article_id
from newswatch.store import open_store

from ._data import fill
from .conftest import free_port

NEWSWATCH = str(Path(sys.executable).with_name("newswatch"))

# Each payload sets window.__xss to its own number when it runs; the browser test asserts none did.
URL_VECTOR = "javascript:window.__xss=1//"
TITLE = "<script>window.__xss=2</script>Ministers meet"
AUTHOR = "<img src=x onerror=window.__xss=3>"
SITE = '"><svg onload=window.__xss=4>'
ORIGIN = "<iframe srcdoc='<script>parent.__xss=5</script>'>"
TEXT = "Ministers met in Paris.<script>window.__xss=6</script>\n<img src=x onerror=window.__xss=7> They agreed."
ACTOR = "<b onmouseover=window.__xss=8>France</b>"
SPEAKER = "<a href=javascript:window.__xss=9>officials</a>"


def _hostile(store_url: str) -> Article:
    """An article whose every shown field carries a script, stored directly (as an older version would have
    stored a javascript: URL) with an event, a claim and mentions."""
    store = open_store(store_url)
    art = Article(id=article_id(canonical_url=None, text=TEXT), text=TEXT, url=URL_VECTOR, canonical_url=URL_VECTOR,
                  site=SITE, title=TITLE, author=AUTHOR, original_source=ORIGIN)  # fmt: skip
    actor = CodedActor(ACTOR, 0, 9, "FRA", "GOV", "country:FRA")
    event = Event(id="ev-x", article_id=art.id, sentence=0, text=TEXT, sent_start=0, trigger="met",
                  trigger_start=10, trigger_end=13, plover_type="CONSULT", actors=[actor], recipients=[actor],
                  rule="test")  # fmt: skip
    claim = Claim(id="cl-x", article_id=art.id, sentence=0, start=0, end=len(TEXT), text=TEXT, speaker=SPEAKER,
                  source_type="official", cue="<said>", certainty="reported")  # fmt: skip
    store.save_article(art)
    store.save_analysis(Analysis(art, [Mention(art.id, 0, 0, 9, ACTOR, "GPE", actor)], [event], [claim]),
                        coder_version="test")  # fmt: skip
    store.close()
    return art


# ------------------------------------------------------------------------------------------ ingest side


def test_only_http_urls_are_stored_from_records_and_feeds(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps({"id": "r", "url": URL_VECTOR, "title": "t",
                                   "text": "The foreign ministers of France and Germany met in Paris on Monday."}) + "\n")  # fmt: skip
    feed = tmp_path / "f.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Item</title>'
        "<link>javascript:window.__xss=1//</link><description><![CDATA[<p>The presidents of Kenya and Uganda "
        "met in Nairobi on Tuesday to discuss trade.</p>]]></description></item></channel></rss>"
    )
    url = f"sqlite:///{tmp_path / 'n.db'}"
    store = open_store(url)
    pipeline.run([str(records), str(feed)], store=store, settings=Settings(db_url=url))
    rows = list(store.iter_articles())
    assert len(rows) == 2
    for row in rows:
        assert row["url"] is None and row["canonical_url"] is None
        assert any("javascript:window.__xss=1//" in note and "not an http(s) URL" in note for note in row["notes"])


# ------------------------------------------------------------------------------------------ headers, hosts, errors


@pytest.fixture
def strict_client(sqlite_url: str) -> Iterator[TestClient]:
    fill(open_store(sqlite_url))
    with TestClient(create_app(sqlite_url, allowed_hosts=DEFAULT_HOSTS), base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.mark.parametrize(
    "path", ["/", "/events", "/articles/nope", "/api/articles", "/api/events?limit=0", "/static/style.css",
             "/docs", "/docs/assets/swagger-ui.css", "/openapi.json", "/no/such/page"],
)  # fmt: skip
def test_every_response_carries_the_security_headers(strict_client: TestClient, path: str) -> None:
    r = strict_client.get(path)
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"])
def test_known_host_names_are_served(strict_client: TestClient, host: str) -> None:
    assert strict_client.get("/api/articles", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "127.0.0.1.attacker.example:8000", "", "localhost.:80"])
def test_other_host_names_are_refused_in_the_one_error_shape(strict_client: TestClient, host: str) -> None:
    r = strict_client.get("/api/articles", headers={"host": host})
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and "--allow-host" in body["error"]
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = strict_client.get("/", headers={"host": host})
    assert page.status_code == 400 and "Shoigu" not in page.text


def test_allow_host_adds_a_name(sqlite_url: str) -> None:
    fill(open_store(sqlite_url))
    app = create_app(sqlite_url, allowed_hosts=[*DEFAULT_HOSTS, "news.internal"])
    with TestClient(app, base_url="http://news.internal") as c:
        assert c.get("/api/articles").status_code == 200
        assert c.get("/api/articles", headers={"host": "other.internal"}).status_code == 400


def test_error_pages_show_no_database_url_or_path(tmp_path: Path) -> None:
    db = tmp_path / "secret-folder" / "news.db"
    db.parent.mkdir()
    url = f"sqlite:///{db}"
    fill(open_store(url))
    app = create_app(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a damaged database: tables gone under a running server
        conn.execute(sa.text("drop table stories"))
        conn.execute(sa.text("drop table claims"))
    engine.dispose()
    with TestClient(app, raise_server_exceptions=False) as c:
        for path in ("/api/stories", "/api/claims", "/", "/articles/nope", "/api/articles/nope"):
            r = c.get(path)
            assert r.status_code in (404, 500, 503), path
            assert "secret-folder" not in r.text and "sqlite" not in r.text.lower(), (path, r.text)
            assert "Traceback" not in r.text
            if path.startswith("/api"):
                assert r.json()["ok"] is False
            assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_docs_are_served_from_local_assets(strict_client: TestClient) -> None:
    page = strict_client.get("/docs").text
    assert "<script>" not in page and "style=" not in page  # no inline script or style under the CSP
    assert "http://" not in page and "https://" not in page  # nothing from another origin
    bundle = strict_client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 500_000
    assert strict_client.get("/docs/assets/index.html").status_code == 404  # only the files the page uses
    assert strict_client.get("/redoc").status_code == 404


# ------------------------------------------------------------------------------------------ serve and its port


def test_bind_refuses_a_port_another_server_holds() -> None:
    holder = socket.create_server(("127.0.0.1", 0))
    try:
        with pytest.raises(ServiceError, match=r"port \d+ on 127.0.0.1 is in use"):
            bind("127.0.0.1", holder.getsockname()[1])
    finally:
        holder.close()


def _start_serve(db: str, port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen([NEWSWATCH, "serve", "--db", db, "--port", str(port)], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, start_new_session=True)  # fmt: skip
    return proc


def _announced(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "serving on" in line, line
    return line


def test_serve_restarted_at_once_takes_the_same_port(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    fill(open_store(f"sqlite:///{db}"))
    port = free_port()
    first = _start_serve(db, port)
    try:
        assert f"127.0.0.1:{port}/" in _announced(first)
        for _ in range(3):  # the server closes these connections first: its side waits in TIME_WAIT
            assert httpx.get(f"http://127.0.0.1:{port}/api/articles", headers={"connection": "close"}).status_code == 200
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=20)
    second = _start_serve(db, port)
    try:
        assert f"127.0.0.1:{port}/" in _announced(second)
        assert httpx.get(f"http://127.0.0.1:{port}/api/articles").json()["count"] == 1
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(timeout=20)


def test_serve_on_a_taken_port_fails_saying_so(tmp_path: Path) -> None:
    holder = socket.create_server(("127.0.0.1", 0))
    try:
        done = subprocess.run([NEWSWATCH, "serve", "--db", str(tmp_path / "x.db"), "--port",
                               str(holder.getsockname()[1])], capture_output=True, text=True, timeout=60)  # fmt: skip
    finally:
        holder.close()
    assert done.returncode == ServiceError.exit_code
    assert "is in use" in done.stderr and "--port" in done.stderr
    assert "serving on" not in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------------------------------ in a real browser


@pytest.fixture
def hostile_server(tmp_path: Path) -> Iterator[tuple[str, Article]]:
    import uvicorn

    url = f"sqlite:///{tmp_path / 'h.db'}"
    fill(open_store(url))
    art = _hostile(url)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(url, allowed_hosts=DEFAULT_HOSTS), host="127.0.0.1", port=port,
                                        log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}", art
    srv.should_exit = True
    thread.join(timeout=10)


def _no_script_ran(driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import NoAlertPresentException

    assert driver.execute_script("return window.__xss === undefined && (window.parent.__xss === undefined)")
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - reading it is the check


@pytest.mark.browser
def test_every_stored_xss_vector_is_inert_in_chromium(hostile_server: tuple[str, Article], chromium) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    base, art = hostile_server
    chromium.get(base + "/")  # the overview names the newest stories
    _no_script_ran(chromium)
    chromium.get(base + "/articles")
    _no_script_ran(chromium)
    rows = chromium.find_elements(By.CSS_SELECTOR, "#articles tr.article")
    assert any(TITLE in r.text for r in rows)  # the payload is shown as text
    chromium.get(f"{base}/articles/{art.id}")
    _no_script_ran(chromium)
    assert chromium.find_element(By.ID, "title").text == TITLE
    assert chromium.find_elements(By.LINK_TEXT, "source") == []  # a javascript: URL is never a link
    hrefs = [a.get_attribute("href") or "" for a in chromium.find_elements(By.TAG_NAME, "a")]
    assert hrefs and all(h.startswith(base) for h in hrefs)
    for chip in chromium.find_elements(By.CSS_SELECTOR, ".actor"):  # hover and click what a user would
        ActionChains(chromium).move_to_element(chip).click(chip).perform()
    page = chromium.find_element(By.TAG_NAME, "main").text
    for payload in (AUTHOR, ORIGIN, "<script>window.__xss=6</script>", SPEAKER):
        assert payload in page
    _no_script_ran(chromium)
    chromium.get(base + "/events")
    _no_script_ran(chromium)
    assert "<img src=x onerror=window.__xss=7>" in chromium.find_element(By.ID, "events").text


@pytest.mark.browser
def test_swagger_ui_renders_under_the_csp_from_local_files(hostile_server: tuple[str, Article], chromium) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    base, _art = hostile_server
    chromium.get(base + "/docs")
    WebDriverWait(chromium, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path"))
    )
    paths = {e.text.replace("\u200b", "") for e in chromium.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/api/articles", "/api/events"} <= paths
    assert "newswatch" in chromium.find_element(By.CSS_SELECTOR, ".info .title").text
    loaded = chromium.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(name.startswith(base) for name in loaded), loaded


def test_hostile_fixture_holds_what_the_browser_test_expects(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    art = _hostile(url)
    row = open_store(url).get_article(art.id)
    assert row["url"] == URL_VECTOR and row["title"] == TITLE  # stored as an older version would have
    assert os.path.exists(tmp_path / "h.db")

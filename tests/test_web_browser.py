"""The dashboard in a real headless Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from newswatch.api.app import create_app
from newswatch.store import open_store

from ._data import fill
from .conftest import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def server(sqlite_url: str) -> Iterator[str]:
    import uvicorn

    fill(open_store(sqlite_url))
    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(sqlite_url), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_web_dashboard_lists_articles_with_actors_and_opens_evidence(server: str, chromium) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    chromium.get(server + "/")
    rows = chromium.find_elements(By.CSS_SELECTOR, "#articles tr.article")
    assert len(rows) == 1
    chips = {c.text for c in rows[0].find_elements(By.CSS_SELECTOR, ".actor")}
    assert {"RUS GOV", "PRK GOV", "USA", "KOR"} <= chips
    assert "via aljazeera.com" in rows[0].text
    rows[0].find_element(By.LINK_TEXT, "Shoigu visits Pyongyang").click()
    assert chromium.find_element(By.ID, "title").text == "Shoigu visits Pyongyang"
    events = chromium.find_element(By.ID, "events").text
    assert "CONSULT" in events and "ACCUSE" in events
    marks = [m.text for m in chromium.find_elements(By.CSS_SELECTOR, "#events mark")]
    assert marks == ["visited", "denounced"]
    assert "state_media" in chromium.find_element(By.ID, "claims").text


def test_web_events_page_filters_by_country(server: str, chromium) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    chromium.get(server + "/events?country=USA")
    text = chromium.find_element(By.ID, "events").text
    assert "ACCUSE" in text and "CONSULT" not in text

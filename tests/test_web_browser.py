"""The dashboard in a real headless Chromium against a real server on 127.0.0.1, under a strict
Content-Security-Policy, at 1366x768: the demo corpus run through the real pipeline, then the overview's
timeline, the map, the network, filtering, and an article with its evidence. Screenshots go to
artifacts/browser/ (kept out of git)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newswatch.api.app import create_app
from newswatch.api.routes.web import assets_ready
from newswatch.store import open_store

from ._data import fill
from .conftest import free_port

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def _serve(url: str) -> Iterator[str]:
    import uvicorn

    app = create_app(url)

    @app.middleware("http")
    async def _csp(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        return response

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The bundled demo corpus through the real pipeline into a SQLite file, served."""
    from newswatch import pipeline
    from newswatch.config import Settings
    from newswatch.demo import demo_sources

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    pipeline.run(demo_sources(), store=open_store(url), settings=Settings(db_url=url))
    yield from _serve(url)


@pytest.fixture
def server(sqlite_url: str) -> Iterator[str]:
    fill(open_store(sqlite_url))
    yield from _serve(sqlite_url)


@pytest.fixture
def browser(chromium):  # type: ignore[no-untyped-def]
    if not assets_ready():
        pytest.fail("the dashboard assets are not built; run `make assets` (make test does it first)")
    chromium.set_window_size(1366, 768)
    chromium.get_log("browser")  # drop earlier messages
    return chromium


def _shot(driver, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _wait(driver, script: str, timeout: float = 20):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def _no_errors(driver) -> None:  # type: ignore[no-untyped-def]
    problems = [m["message"] for m in driver.get_log("browser") if m["level"] in ("SEVERE", "WARNING") and "favicon" not in m["message"] and "status of 422" not in m["message"]]
    assert problems == [], problems  # CSP violations and script errors are reported here


def test_web_overview_draws_the_timeline_and_links_every_number(demo_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(demo_server + "/")
    _wait(browser, "return document.getElementById('timeline').dataset.drawn")
    bars = browser.find_elements(By.CSS_SELECTOR, "#timeline svg a.bar rect")
    assert len(bars) > 10
    legend = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#timeline .legend a")]
    assert any(x.startswith("CONSULT ") for x in legend)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 1366
    _shot(browser, "overview")
    top = browser.find_element(By.CSS_SELECTOR, "#top-actors li a")
    code, count = top.text, int(top.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, ".num").text)
    top.click()
    summary = browser.find_element(By.ID, "summary").text
    assert summary.startswith(f"{count:,} events match"), (code, summary)
    _no_errors(browser)


def test_web_events_filter_form_and_opening_an_article(demo_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(demo_server + "/events")
    Select(browser.find_element(By.NAME, "quad")).select_by_visible_text("verbal-cooperation")
    field = browser.find_element(By.NAME, "country")
    field.send_keys("Ukraine")
    field.submit()
    assert "country=Ukraine" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "#events tr.event")
    assert 0 < len(rows) <= 50
    types = {r.find_elements(By.TAG_NAME, "td")[1].text.split("\n")[0] for r in rows}
    assert types <= {"AGREE", "CONSULT", "SUPPORT", "CONCEDE"}
    _shot(browser, "events-filtered")
    browser.get(demo_server + "/events?country=Atlantis")
    assert "not a country we know" in browser.find_element(By.ID, "filter-error").text
    browser.get(demo_server + "/claims?certainty=reported")
    claim = browser.find_element(By.CSS_SELECTOR, "#claims td.evidence a")
    claim.click()
    assert browser.find_elements(By.CSS_SELECTOR, "#fulltext .claim.c-reported")
    assert browser.find_elements(By.CSS_SELECTOR, "#fulltext mark.trigger")
    assert browser.find_element(By.ID, "story-link").text
    _shot(browser, "article")
    _no_errors(browser)


def test_web_map_draws_countries_and_clustered_points(demo_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(demo_server + "/map")
    _wait(browser, "return document.getElementById('map').dataset.clusters")
    box = browser.find_element(By.ID, "map")
    assert int(box.get_attribute("data-points")) >= int(box.get_attribute("data-clusters")) > 5
    assert int(box.get_attribute("data-shaded")) > 3
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map path.country")) > 150
    _shot(browser, "map")
    # zooming in opens clusters into their places; keyboard and buttons both zoom, reset gives the world back
    world = int(box.get_attribute("data-clusters"))
    # the cluster holding the most places, and where it is on the screen
    places, cx, cy = browser.execute_script(
        "var best = null; document.querySelectorAll('#map a.cluster').forEach(function (a) {"
        "  var t = a.querySelector('text'); if (!t) return; var n = +t.textContent;"
        "  if (!best || n > best[0]) { var r = a.querySelector('circle').getBoundingClientRect();"
        "    best = [n, r.left + r.width / 2, r.top + r.height / 2]; } }); return best;"
    )
    assert places >= 2
    for _ in range(4):  # wheel over it
        browser.execute_script(
            "document.querySelector('#map svg').dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: arguments[0],"
            " clientY: arguments[1], bubbles: true, cancelable: true}))", cx, cy
        )
    zoomed = float(box.get_attribute("data-zoom"))
    assert zoomed > 3
    near = browser.execute_script(  # clusters now drawn within 60 px of that point: the places drawn apart
        "var cx = arguments[0], cy = arguments[1], n = 0;"
        "document.querySelectorAll('#map a.cluster circle').forEach(function (c) {"
        "  var r = c.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;"
        "  if (Math.abs(x - cx) < 60 && Math.abs(y - cy) < 60) n += 1; }); return n;", cx, cy
    )
    assert near >= 2
    transform = browser.find_element(By.CSS_SELECTOR, "#map g.map-world").get_attribute("transform")
    assert "scale(" + box.get_attribute("data-zoom") + ")" in transform
    _shot(browser, "map-zoomed")
    browser.find_element(By.CSS_SELECTOR, "#map svg").send_keys("+")
    assert float(box.get_attribute("data-zoom")) == min(32, zoomed * 2)
    browser.find_element(By.CSS_SELECTOR, "#map .map-tools button[aria-label='whole world']").click()
    assert box.get_attribute("data-zoom") == "1" and int(box.get_attribute("data-clusters")) == world
    browser.find_element(By.CSS_SELECTOR, "#map .map-tools button[aria-label='zoom in']").click()
    assert box.get_attribute("data-zoom") == "2"
    browser.find_element(By.CSS_SELECTOR, "#map .map-tools button[aria-label='whole world']").click()
    cluster = next(c for c in browser.find_elements(By.CSS_SELECTOR, "#map a.cluster") if c.find_elements(By.TAG_NAME, "text"))
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", cluster)
    links = browser.find_elements(By.CSS_SELECTOR, "#map-detail a")
    assert len(links) >= 2
    href = links[0].get_attribute("href")
    browser.get(href)
    assert "place=" in browser.current_url and browser.find_elements(By.CSS_SELECTOR, "#events tr.event")
    _no_errors(browser)


def test_web_network_draws_actors_and_dyads(demo_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(demo_server + "/network")
    _wait(browser, "return document.getElementById('network').dataset.nodes")
    assert int(browser.find_element(By.ID, "network").get_attribute("data-nodes")) > 5
    assert len(browser.find_elements(By.CSS_SELECTOR, "#network a.edge line")) > 5
    _shot(browser, "network")
    node = browser.find_element(By.CSS_SELECTOR, "#network a.node")
    code = node.find_element(By.TAG_NAME, "text").text
    browser.get(demo_server + browser.execute_script("return arguments[0].getAttribute('href')", node))
    assert f"actor={code}" in browser.current_url.replace("+", " ").replace("%20", " ")
    _no_errors(browser)


def test_web_story_watches_and_keyboard(demo_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(demo_server + "/stories?sort=-articles")
    browser.find_element(By.CSS_SELECTOR, "#stories td a").click()
    assert browser.find_element(By.ID, "num-sources").text.isdigit()
    assert browser.find_elements(By.CSS_SELECTOR, "#chain li")
    _shot(browser, "story")
    browser.get(demo_server + "/watches")
    assert browser.find_element(By.ID, "watches")
    browser.get(demo_server + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    _no_errors(browser)


def test_web_article_page_with_hand_made_data_marks_triggers(server: str, chromium) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    chromium.get(server + "/articles")
    rows = chromium.find_elements(By.CSS_SELECTOR, "#articles tr.article")
    assert len(rows) == 1
    chips = {c.text for c in rows[0].find_elements(By.CSS_SELECTOR, ".actor")}
    assert {"RUS GOV", "PRK GOV", "USA", "KOR"} <= chips
    rows[0].find_element(By.LINK_TEXT, "Shoigu visits Pyongyang").click()
    assert chromium.find_element(By.ID, "title").text == "Shoigu visits Pyongyang"
    marks = [m.text for m in chromium.find_elements(By.CSS_SELECTOR, "#events mark")]
    assert marks == ["visited", "denounced"]
    assert [m.text for m in chromium.find_elements(By.CSS_SELECTOR, "#fulltext mark.trigger")] == ["visited", "denounced"]
    assert "state_media" in chromium.find_element(By.ID, "claims").text
    chromium.get(server + "/events?country=USA")
    text = chromium.find_element(By.ID, "events").text
    assert "ACCUSE" in text and "CONSULT" not in text

"""The JSON API and dashboard pages over a real SQLite file."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from newswatch.api.app import create_app
from newswatch.store import open_store

from ._data import S1, fill


@pytest.fixture
def client(sqlite_url: str):  # type: ignore[no-untyped-def]
    article = fill(open_store(sqlite_url))
    with TestClient(create_app(sqlite_url)) as c:
        c.article = article  # type: ignore[attr-defined]
        yield c


def test_api_articles_list_has_actors_not_text(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/articles").json()
    assert body["ok"] is True and body["count"] == 1
    item = body["items"][0]
    assert "text" not in item
    assert {a["country"] for a in item["actors"]} == {"RUS", "PRK", "USA", "KOR"}


def test_api_article_detail_has_events_and_claims(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get(f"/api/articles/{client.article.id}").json()
    assert body["article"]["original_source"] == "aljazeera.com"
    types = {e["plover_type"]: e for e in body["events"]}
    assert set(types) == {"CONSULT", "ACCUSE"}
    assert [r["country"] for r in types["ACCUSE"]["recipients"]] == ["USA", "KOR"]
    assert body["claims"][0]["source_type"] == "state_media"


def test_api_missing_article_is_404_json(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/articles/nope")
    assert r.status_code == 404
    assert r.json()["ok"] is False and "newswatch articles" in r.json()["error"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"ev-visit", "ev-accuse"}),
        ("?type=consult", {"ev-visit"}),
        ("?country=USA", {"ev-accuse"}),
        ("?certainty=reported", {"ev-accuse"}),
        ("?source_type=state_media", {"ev-accuse"}),
        ("?since=2024-09-14", {"ev-accuse"}),
        ("?until=2024-09-13", {"ev-visit"}),
    ],
)
def test_api_event_filters(client, query: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/events" + query).json()
    assert {e["id"] for e in body["items"]} == expected


def test_api_actors_counts(client) -> None:  # type: ignore[no-untyped-def]
    items = client.get("/api/actors").json()["items"]
    counts = {a["id"]: a["mentions"] for a in items}
    assert counts["country:PRK"] == 2 and counts["person:sergei-shoigu"] == 1


def test_api_bad_parameter_is_422(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/events?limit=0").status_code == 422


def test_web_article_page_shows_evidence_with_trigger(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/articles/{client.article.id}").text
    assert "<mark>visited</mark>" in html
    assert S1.split(" visited")[0].replace("'", "&#39;") in html


def test_openapi_lists_routes(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/actors",
        "/api/events",
        "/api/claims",
    } <= set(paths)

"""The analyst's API: validation with the allowed values, one error shape, pages with totals and next links,
aggregates and streamed exports in every format (headers even when nothing matches)."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from newswatch.api.app import create_app
from newswatch.export import FLAT_COLUMNS, GDELT_COLUMNS
from newswatch.store import open_store

from ._events_data import fill_events


@pytest.fixture(scope="module")
def api(tmp_path_factory):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'news.db'}"
    truth = fill_events(open_store(url))
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        client.truth = truth  # type: ignore[attr-defined]
        yield client


@pytest.mark.parametrize(
    ("path", "param", "allowed_has"),
    [
        ("/api/events?country=Atlantis", "country", "UKR"),
        ("/api/events?type=FIGHT", "type", "ASSAULT"),
        ("/api/events?quad=war", "quad", "material-conflict"),
        ("/api/events?certainty=sure", "certainty", "hedged"),
        ("/api/events?source_type=blog", "source_type", "state_media"),
        ("/api/events?sort=size", "sort", "-date"),
        ("/api/events/timeline?bucket=hour", "bucket", "month"),
        ("/api/events/network?level=city", "level", "actor"),
        ("/api/events/top?by=verbs", "by", "dyads"),
        ("/api/stories?sort=title", "sort", "-sources"),
        ("/api/claims?certainty=x", "certainty", "denied"),
        ("/api/export?format=xlsx", "format", "parquet"),
    ],
)
def test_api_refuses_unknown_values_with_the_allowed_ones(api, path: str, param: str, allowed_has: str) -> None:  # type: ignore[no-untyped-def]
    r = api.get(path)
    assert r.status_code == 422
    body = r.json()
    assert body["ok"] is False and body["param"] == param and allowed_has in body["allowed"]
    assert allowed_has in body["error"] or param == "country"


@pytest.mark.parametrize(
    "path",
    [
        "/api/events?offset=9223372036854775808",
        "/api/events?limit=100000",
        "/api/events?min_sources=99999999999999999999",
        "/api/stories?min_sources=-1",
        "/api/alerts?offset=9223372036854775808",
        "/api/articles?offset=99999999999",
        "/api/events?since=2024-02-30",
        "/api/events?since=0001-01-01",
        "/api/events?since=2024-05-01&until=2024-01-01",
        "/api/events?cursor=not-a-cursor",
        "/api/events?dyad=RUS",
        "/api/events/timeline?bucket=day&since=2000-01-01&until=2024-01-01",
    ],
)
def test_api_out_of_range_values_are_422_never_500(api, path: str) -> None:  # type: ignore[no-untyped-def]
    r = api.get(path)
    assert r.status_code == 422, r.text
    assert r.json()["ok"] is False and r.json()["error"]


def test_api_unknown_path_and_method_have_the_error_shape(api) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/nothing-here")
    assert r.status_code == 404 and r.json() == {"ok": False, "error": "nothing at /api/nothing-here; the API is listed at /docs"}
    r = api.post("/api/events")
    assert r.status_code == 405 and r.json()["ok"] is False


def test_api_country_by_name_and_code_give_the_same_events(api) -> None:  # type: ignore[no-untyped-def]
    by_name = api.get("/api/events?country=ukraine&limit=1000").json()
    by_code = api.get("/api/events?country=UKR&limit=1000").json()
    assert by_name["items"] == by_code["items"]
    assert by_name["total"] == sum(1 for t in api.truth if "UKR" in t["countries"])


def test_api_next_links_walk_all_pages_with_the_total(api) -> None:  # type: ignore[no-untyped-def]
    url, ids = "/api/events?limit=9&quad=verbal-cooperation", []
    total = None
    while url:
        body = api.get(url).json()
        total = body["total"]
        ids += [e["id"] for e in body["items"]]
        url = body["next"]
    want = [t["id"] for t in api.truth if t["type"] in ("CONSULT", "AGREE")]
    assert total == len(want) and sorted(ids) == sorted(want)


def test_api_aggregates_agree_with_the_list_totals(api) -> None:  # type: ignore[no-untyped-def]
    timeline = api.get("/api/events/timeline?country=FRA&by=total").json()
    listed = api.get("/api/events?country=FRA&limit=1").json()["total"]
    assert timeline["total"] == listed
    network = api.get("/api/events/network?level=actor").json()
    assert {"RUS GOV", "UKR MIL"} <= {n["id"] for n in network["nodes"]}
    top = api.get("/api/events/top?by=dyads&limit=50").json()["items"]
    for item in top[:3]:
        assert api.get(f"/api/events?dyad={item['key']}&limit=1").json()["total"] == item["events"]


@pytest.mark.parametrize("fmt", ["csv", "acled-csv", "gdelt-tsv", "cameo-tsv"])
def test_api_export_tables_have_headers_even_when_empty(api, fmt: str) -> None:  # type: ignore[no-untyped-def]
    r = api.get(f"/api/export?format={fmt}&country=ISL")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert len(lines) == 1 and lines[0].split("\t" if fmt.endswith("tsv") else ",")[0] in ("event_id", "GLOBALEVENTID", "EventID")


def test_api_export_gdelt_has_the_61_columns_in_order(api) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(api.get("/api/export?format=gdelt-tsv&dyad=RUS>UKR").text), delimiter="\t"))
    assert tuple(rows[0]) == GDELT_COLUMNS and len(GDELT_COLUMNS) == 61
    assert rows[1:] and all(len(r) == 61 for r in rows[1:])
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Actor1CountryCode"] == "RUS" and first["Actor2CountryCode"] == "UKR"
    assert first["Actor1Code"] == "RUSGOV" and first["SOURCEURL"].startswith("https://example.org/")


def test_api_export_csv_jsonl_and_parquet_hold_the_same_events(api) -> None:  # type: ignore[no-untyped-def]
    want = {t["id"] for t in api.truth if "FRA" in t["countries"] and not t["negated"] and t["tense"] != "future"}
    flat = list(csv.DictReader(io.StringIO(api.get("/api/export?format=csv&country=FRA").text)))
    assert {r["event_id"] for r in flat} == want and tuple(flat[0]) == FLAT_COLUMNS
    lines = [json.loads(x) for x in api.get("/api/export?format=jsonl&country=FRA").text.splitlines()]
    assert {x["event_id"] for x in lines} == want
    table = pq.read_table(io.BytesIO(api.get("/api/export?format=parquet&country=FRA").content))
    assert set(table.column("event_id").to_pylist()) == want
    assert str(table.schema.field("event_date").type) == "timestamp[us, tz=UTC]"
    geo = api.get("/api/export?format=geojson&country=FRA").json()
    assert all(f["geometry"]["coordinates"] for f in geo["features"])
    assert {f["properties"]["place"] for f in geo["features"]} <= {"Paris", "Kyiv"}


def test_api_choices_list_every_allowed_value(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/choices").json()
    assert "ASSAULT" in body["type"] and {"code": "UKR", "name": "Ukraine"} in body["country"]
    assert body["limits"]["offset"] == [0, 10000]


def test_web_pages_show_watches_and_their_alerts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from newswatch import watch

    url = f"sqlite:///{tmp_path / 'news.db'}"
    store = open_store(url)
    fill_events(store, articles=8)
    watch.add_watch(store, "ukraine-assaults", watch.WatchRule(types=["ASSAULT"], countries=["UKR"]))
    raised = watch.check(store, backfill=True)
    with TestClient(create_app(url)) as client:
        html = client.get("/watches").text
        assert "ukraine-assaults" in html and "ASSAULT" in html
        import html as markup

        assert raised and raised[0].message[:40] in markup.unescape(html)
        body = client.get("/api/articles?limit=2").json()
        assert body["total"] == 8 and body["count"] == 2


def test_web_overview_timeline_is_not_stretched_by_a_few_far_off_dates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from newswatch.models import Analysis, Article, CodedActor, Event, EventDate, article_id

    url = f"sqlite:///{tmp_path / 'news.db'}"
    store = open_store(url)
    fill_events(store, articles=40)  # events dated 2023-01-01 .. 2025-06
    with TestClient(create_app(url)) as client:
        page = client.get("/").text
        assert 'id="timeline-span"' not in page  # nothing far off: the whole span is drawn
    text = "In 1994 the two states signed a framework agreement."
    art = Article(id=article_id(canonical_url="https://example.org/old", text=text), text=text,
                  url="https://example.org/old", site="old.example.org", title="Old",
                  published_at=datetime(2024, 5, 1, tzinfo=UTC))  # fmt: skip
    old = Event(id="old-1", article_id=art.id, sentence=0, text=text, sent_start=0, trigger="signed",
                trigger_start=29, trigger_end=35, plover_type="AGREE", actors=[CodedActor("x", 0, 1, "USA", None)],
                recipients=[], date=EventDate(datetime(1994, 6, 1, tzinfo=UTC), "year"), rule="test")  # fmt: skip
    store.save_article(art)
    store.save_analysis(Analysis(art, [], [old], []), coder_version="test")
    with TestClient(create_app(url)) as client:
        page = client.get("/").text
        assert 'id="timeline-span"' in page and "From 2023-" in page and "Show the whole range" in page
        assert "since=2023-" in page  # the drawn chart asks the API for the main span only
        chart = client.get("/api/events/timeline?since=2023-01-01").json()
        assert chart["periods"][0].startswith("2023")
        whole = client.get("/?range=all").text
        assert 'id="timeline-span"' not in whole and "since=2023-" not in whole
        years = client.get("/api/events/timeline").json()["periods"]
        assert years[0].startswith("1994")  # the API itself leaves the range to the caller

"""Lists, totals and aggregates of stored events against the events themselves, in SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from newswatch.models import Analysis
from newswatch.query import QUAD, event_filter
from newswatch.store import open_store
from newswatch.store import query as q

from ._events_data import fill_events

FILTERS = [
    {},
    {"country": "Ukraine"},
    {"country": "FRA", "type": "ASSAULT"},
    {"type": "ASSAULT,PROTEST"},
    {"quad": "verbal-cooperation"},
    {"dyad": "RUS>UKR"},
    {"dyad": "RUS GOV>UKR MIL"},
    {"place": "Kyiv|UKR"},
    {"since": "2023-03-15", "until": "2024-02-10"},
    {"since": "2023-02-01", "until": "2023-02-28"},
    {"country": "USA", "since": "2023-06-01", "realised": True},
    {"certainty": "hedged"},
    {"country": "UKR", "certainty": "hedged"},
    {"dyad": "RUS>UKR", "certainty": "reported,hedged"},
    {"country": "ISL"},
]


def _expected(truth: list[dict], f) -> list[dict]:  # type: ignore[no-untyped-def]
    out = []
    for t in truth:
        if f.types and t["type"] not in f.types:
            continue
        if f.country and f.country not in t["countries"]:
            continue
        if f.dyad and f.dyad.replace(" GOV", "").replace(" MIL", "") != t["dyad"]:
            continue
        if f.place and f.place != t["place"]:
            continue
        if f.certainty and t["certainty"] not in f.certainty:
            continue
        if (f.since or f.until) and t["date"] is None:
            continue
        if f.since and t["date"].date() < f.since or f.until and t["date"].date() > f.until:
            continue
        if f.realised and (t["negated"] or t["tense"] == "future"):
            continue
        out.append(t)
    return out


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def filled(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One filled database per engine for the whole module (the tests only read it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('q') / 'news.db'}"
    else:
        import sqlalchemy as sa

        base = request.getfixturevalue("postgres_url")
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE IF EXISTS "query_tests"'))
            conn.execute(sa.text('CREATE DATABASE "query_tests"'))
        admin.dispose()
        url = base.rsplit("/", 1)[0] + "/query_tests"
    store = open_store(url)
    yield store, fill_events(store)
    store.close()


@pytest.mark.parametrize("raw", FILTERS, ids=lambda r: ",".join(f"{k}={v}" for k, v in r.items()) or "all")
def test_store_query_pages_walk_every_match_once_in_order_with_exact_totals(filled, raw) -> None:  # type: ignore[no-untyped-def]
    store, truth = filled
    f = event_filter(**raw)
    want = _expected(truth, f)
    seen, cursor = [], None
    while True:
        page = q.list_events(store.engine, f, limit=7, cursor=cursor)
        assert page.total == len(want) and page.total_exact
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(r["id"] for r in seen) == sorted(t["id"] for t in want)
    assert len({r["id"] for r in seen}) == len(seen)
    dated = [r["event_date"] for r in seen if r["event_date"] is not None]
    assert dated == sorted(dated, reverse=True)
    assert all(r["event_date"] is None for r in seen[len(dated):])  # undated ones come last


def test_store_query_oldest_first_sort_reverses_the_dated_order(filled) -> None:  # type: ignore[no-untyped-def]
    store, truth = filled
    rows = list(q.iter_events(store.engine, event_filter(), batch=5, sort="date"))
    dated = [r["event_date"] for r in rows if r["event_date"] is not None]
    assert dated == sorted(dated) and len(rows) == len(truth)


def test_store_query_timeline_counts_match_the_events(filled) -> None:  # type: ignore[no-untyped-def]
    store, truth = filled
    for raw in ({}, {"country": "UKR", "since": "2023-03-15", "until": "2024-02-10"}):
        f = event_filter(**raw)
        want = _expected(truth, f)
        data = q.timeline(store.engine, f, bucket="month", by="type")
        got: Counter[tuple[str, str]] = Counter()
        for s in data["series"]:
            for period, n in zip(data["periods"], s["counts"], strict=True):
                if n:
                    got[(period[:7], s["key"])] += n
        expected = Counter((t["date"].strftime("%Y-%m"), t["type"]) for t in want if t["date"] is not None)
        assert got == expected
        assert data["total"] == len(want)
    quads = q.timeline(store.engine, event_filter(), bucket="year", by="quad")
    assert {s["key"] for s in quads["series"]} <= {"verbal-cooperation", "material-cooperation", "verbal-conflict", "material-conflict"}
    by_quad = Counter()
    for t in truth:
        if t["date"] is not None:
            by_quad[QUAD[t["type"]]] += 1
    assert sorted(s["total"] for s in quads["series"]) == sorted(by_quad.values())


def test_store_query_network_places_and_top_count_the_events(filled) -> None:  # type: ignore[no-untyped-def]
    store, truth = filled
    net = q.network(store.engine, event_filter(), level="country")
    dyads = Counter(t["dyad"] for t in truth)
    assert {e["dyad"]: e["events"] for e in net["edges"]} == dict(dyads)
    edge = next(e for e in net["edges"] if e["dyad"] == "RUS>UKR")
    assert sum(edge["quads"].values()) == edge["events"]
    places = q.places(store.engine, event_filter())
    assert {p["name"] for p in places["points"]} == {"Kyiv", "Paris"}
    assert [a["name"] for a in places["areas"]] == ["Ukraine"]  # a country has no point, it is an area
    assert places["areas"][0]["numeric"] == "804"
    kyiv = next(p for p in places["points"] if p["name"] == "Kyiv")
    assert kyiv["events"] == sum(1 for t in truth if t["place"] == "Kyiv|UKR")
    top = q.top(store.engine, event_filter(), kind="c", limit=3)
    counts = Counter(c for t in truth for c in t["countries"])
    assert [(x["key"], x["events"]) for x in top] == counts.most_common(3)


def test_store_query_derived_rows_follow_a_reanalysis(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    truth = fill_events(store, articles=6)
    first = truth[0]["id"].split("-")[0]
    aid = next(r["article_id"] for r in q.iter_events(store.engine, event_filter()) if r["id"].startswith(first))
    article = store.get_article(aid)
    from newswatch.models import Article

    art = Article(id=aid, text=article["text"], url=article["url"], canonical_url=article["canonical_url"])
    store.save_analysis(Analysis(art, [], [], []), coder_version="test")  # the article now has no events
    left = [t for t in truth if not t["id"].startswith(first)]
    assert q.count_events(store.engine, event_filter()) == (len(left), True)
    net = q.network(store.engine, event_filter())
    assert sum(e["events"] for e in net["edges"]) == len(left)
    assert store.count("event_keys") == sum(1 for _ in store.engine.connect().exec_driver_sql(
        "SELECT 1 FROM event_keys k JOIN events e ON e.id = k.event_id"))  # fmt: skip


def test_store_query_min_sources_absent_is_empty_not_slow(filled) -> None:  # type: ignore[no-untyped-def]
    store, _truth = filled
    page = q.list_events(store.engine, event_filter(min_sources=5), limit=10)
    assert page.items == [] and page.total == 0


def test_store_query_counts_without_rollup_are_exact_below_the_cap(filled) -> None:  # type: ignore[no-untyped-def]
    store, truth = filled
    f = event_filter(certainty="reported", type="ASSAULT")
    assert q.count_events(store.engine, f) == (len(_expected(truth, f)), True)


def test_store_query_day_buckets_refuse_long_ranges(filled) -> None:  # type: ignore[no-untyped-def]
    from newswatch.errors import QueryError

    store, _truth = filled
    with pytest.raises(QueryError, match="bucket=month"):
        q.timeline(store.engine, event_filter(since=date(2020, 1, 1), until=date(2024, 1, 1)), bucket="day")


def _derived(store) -> tuple[Counter, Counter, dict]:  # type: ignore[no-untyped-def]
    """The derived tables as comparable values (rollup cells left at zero by a removal count as absent)."""
    with store.engine.connect() as conn:
        rollup = Counter({tuple(r[:-1]): r[-1] for r in conn.exec_driver_sql(
            'SELECT kind, party, grain, period, plover_type, realised, "key", n FROM event_rollup WHERE n != 0')})  # fmt: skip
        keys = Counter(tuple(r) for r in conn.exec_driver_sql("SELECT key, event_id FROM event_keys"))
        actors = {r[0]: (r[1], r[2]) for r in conn.exec_driver_sql(
            "SELECT actor_id, mentions, articles FROM actor_counts WHERE mentions != 0 OR articles != 0")}  # fmt: skip
    return rollup, keys, actors


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_store_batch_save_writes_what_one_by_one_and_a_rebuild_would(backend, request, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A run saves analyses in batches with the derived rows added up per batch: the derived tables must equal
    a rebuild from the events, through re-analyses, an article twice in one batch, and a refused analysis."""
    from newswatch.models import Article, CodedActor, Mention
    from newswatch.store import derived

    from ._events_data import make_analyses

    url = f"sqlite:///{tmp_path / 'batch.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_db")
    store = open_store(url)
    first, _ = make_analyses(articles=12, seed=3)
    again, truth_again = make_analyses(articles=12, seed=4, tag="r")  # other events for the same articles
    for n, a in enumerate(first):
        store.save_article(a.article)
        who = CodedActor("Putin", 0, 5, "RUS", "GOV", actor_id="person:putin") if n % 2 else None
        a.mentions = [Mention(a.article.id, 0, 0, 5, "Putin", "PERSON", who), Mention(a.article.id, 0, 6, 9, "Kyiv", "GPE")]  # fmt: skip
    # the same article twice in a batch: the later analysis is the one stored
    assert store.save_analyses([*first[:5], again[0]], coder_version="t") == [None] * 6
    assert store.save_analyses(first[5:], coder_version="t") == [None] * 7
    # re-analyses of stored articles, with one analysis the database must refuse (its article is not stored)
    stray = Article(id="f" * 32, text="Not stored.", url="https://example.org/stray")
    refused = Analysis(stray, [Mention(stray.id, 0, 0, 3, "Not", "NP")], [], [])
    out = store.save_analyses([*again[1:6], refused, again[7]], coder_version="t")
    assert [e is None for e in out] == [True] * 5 + [False, True]
    assert "refused" in str(out[5]) and stray.id in str(out[5])
    recoded = {0, 1, 2, 3, 4, 5, 7}
    expected = {t["id"] for t in truth_again if int(t["id"][1:4]) in recoded}
    expected |= {e.id for n, a in enumerate(first) if n not in recoded for e in a.events}
    with store.engine.connect() as conn:
        stored = {r[0] for r in conn.exec_driver_sql("SELECT id FROM events")}
    assert stored == expected
    batched = _derived(store)
    # Putin was in the odd articles; the re-analyses (no mentions) took 1, 3, 5 and 7 away: 9 and 11 are left
    assert batched[2] == {"person:putin": (2, 2)}
    derived.rebuild(store.engine)
    assert _derived(store) == batched
    assert q.count_events(store.engine, event_filter()) == (len(expected), True)
    store.close()

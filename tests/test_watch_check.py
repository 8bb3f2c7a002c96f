"""Event watch rules over a real SQLite file: what matches, once, and only what was stored since the last check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, inspect, text

from newswatch import watch
from newswatch.errors import ConfigError, NotFoundError
from newswatch.store import Store, open_store
from newswatch.store import watches as store_watches

from ._watch_data import Ev, save

DAY = datetime(2025, 3, 4, tzinfo=UTC)


@pytest.fixture
def store(sqlite_url: str) -> Store:
    return open_store(sqlite_url)


def test_check_alerts_on_new_matching_event_once(store: Store) -> None:
    watch.add_watch(store, "ukr", watch.WatchRule(types=["ASSAULT"], countries=["UKR"]))
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY, sentence="Troops shelled a town."))
    save(store, Ev("ASSAULT", ["SDN"], ["SDN"], "SDN", DAY))  # other country
    save(store, Ev("CONSULT", ["UKR"], ["POL"], "POL", DAY))  # other type
    first = watch.check(store)
    assert [(a.watch, a.kind, a.details["evidence"]) for a in first] == [
        ("ukr", "event", "Troops shelled a town.")
    ]
    assert first[0].details["actors"][0]["country"] == "RUS" and first[0].details["date"] == "2025-03-04"
    assert watch.check(store) == []
    assert watch.check(store, backfill=True) == []  # even looking at everything, an alert never repeats
    assert [a.key for a in watch.list_alerts(store)] == [first[0].key]


def test_events_stored_before_the_watch_need_backfill(store: Store) -> None:
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY))
    watch.add_watch(store, "late", watch.WatchRule(types=["ASSAULT"]))
    assert watch.check(store) == []
    assert len(watch.check(store, backfill=True)) == 1


def test_check_looks_back_only_from_the_last_check(store: Store) -> None:
    watch.add_watch(store, "all", watch.WatchRule())
    save(store, Ev("PROTEST", ["FRA"], [], "FRA", DAY))
    later = datetime.now(UTC) + timedelta(hours=1)
    assert [a.details["country"] for a in watch.check(store, now=later)] == ["FRA"]
    # stored now, i.e. before the last check (an hour ahead) minus the overlap: outside the window
    save(store, Ev("PROTEST", ["DEU"], [], "DEU", DAY))
    assert watch.check(store) == []
    assert [a.details["country"] for a in watch.check(store, overlap=timedelta(hours=3))] == ["DEU"]


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        ({"actors": ["RUS"]}, {"shell"}),
        ({"recipients": ["RUS"]}, {"drone"}),
        ({"countries": ["RUS"]}, {"shell", "drone"}),
        ({"certainty": ["reported"]}, {"drone"}),
        ({"keywords": ["DRONE"]}, {"drone"}),
        ({"include_negated": True, "actors": ["RUS"]}, {"shell", "negated"}),
        ({"tenses": ["future"]}, set()),
    ],
)
def test_rule_filters(store: Store, rule: dict[str, object], matches: set[str]) -> None:
    watch.add_watch(store, "w", watch.WatchRule.from_dict({"types": ["ASSAULT"], **rule}))
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY, sentence="shell: artillery hit a depot."))
    save(
        store,
        Ev("ASSAULT", ["UKR"], ["RUS"], None, DAY, "reported", sentence="drone: a drone hit a refinery."),
    )
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY, negated=True, sentence="negated: no strike hit."))
    found = {a.details["evidence"].split(":")[0] for a in watch.check(store)}
    assert found == matches


def test_min_sources_alerts_when_the_story_reaches_enough_sources(store: Store) -> None:
    watch.add_watch(store, "big", watch.WatchRule(types=["ASSAULT"], min_sources=3))
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY), story="s1", sources=1)
    assert watch.check(store) == []
    # a second outlet's article joins the story, which now counts three independent sources
    save(store, Ev("CONSULT", ["UKR"], ["USA"], None, DAY), story="s1", sources=3)
    [alert] = watch.check(store)
    assert (
        alert.key == "story:s1" and alert.details["num_sources"] == 3 and alert.details["type"] == "ASSAULT"
    )
    assert "3 independent sources" in alert.message


def test_one_alert_per_story_unless_per_event(store: Store) -> None:
    watch.add_watch(store, "story", watch.WatchRule(types=["ASSAULT"]))
    watch.add_watch(store, "event", watch.WatchRule(types=["ASSAULT"], group="event"))
    save(
        store,
        Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY),
        Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY),
        story="s9",
    )
    alerts = watch.check(store)
    by_watch = {name: [a for a in alerts if a.watch == name] for name in ("story", "event")}
    assert [a.details["matched_events"] for a in by_watch["story"]] == [2]
    assert len(by_watch["event"]) == 2


def test_max_age_skips_old_events(store: Store) -> None:
    watch.add_watch(store, "recent", watch.WatchRule(types=["ASSAULT"], max_age_days=30))
    now = datetime.now(UTC)
    save(
        store,
        Ev("ASSAULT", ["RUS"], ["UKR"], None, now - timedelta(days=400), sentence="An archived report."),
    )
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], None, now - timedelta(days=2), sentence="A fresh report."))
    assert [a.details["evidence"] for a in watch.check(store)] == ["A fresh report."]


def test_check_only_named_watches(store: Store) -> None:
    watch.add_watch(store, "a", watch.WatchRule())
    watch.add_watch(store, "b", watch.WatchRule())
    save(store, Ev("AID", ["USA"], ["UKR"], None, DAY))
    assert {a.watch for a in watch.check(store, names=["b"])} == {"b"}
    assert {a.watch for a in watch.check(store)} == {"a"}
    with pytest.raises(NotFoundError, match="watch list"):
        watch.check(store, names=["nope"])


def test_add_existing_name_needs_replace_and_remove_deletes_alerts(store: Store) -> None:
    watch.add_watch(store, "w", watch.WatchRule(types=["AID"]))
    with pytest.raises(ConfigError, match="--replace"):
        watch.add_watch(store, "w", watch.WatchRule(types=["ASSAULT"]))
    watch.add_watch(store, "w", watch.WatchRule(types=["ASSAULT"]), replace=True)
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], None, DAY))
    assert len(watch.check(store)) == 1
    [row] = watch.list_watches(store)
    assert row["rule"]["types"] == ["ASSAULT"] and row["alerts"] == 1 and row["checked_at"].tzinfo is not None
    assert watch.remove_watch(store, "w") == 1
    assert watch.list_watches(store) == [] and watch.list_alerts(store) == []
    with pytest.raises(NotFoundError):
        watch.remove_watch(store, "w")


def test_a_concurrent_insert_of_the_same_alert_is_ignored(store: Store) -> None:
    watch.add_watch(store, "w", watch.WatchRule())
    wid = watch.list_watches(store)[0]["id"]
    row = {
        "watch_id": wid,
        "key": "event:e1",
        "kind": "event",
        "event_id": "e1",
        "message": "m",
        "details": {},
    }
    with store.begin() as conn:  # what a second checker does when it lost the race after its own look-up
        assert store_watches._insert_alert(conn, {**row, "at": DAY}) is not None
        assert store_watches._insert_alert(conn, {**row, "at": DAY}) is None
    assert len(watch.list_alerts(store)) == 1
    with pytest.raises(ConfigError, match="--kind"):
        watch.list_alerts(store, kind="spikes")


def test_old_database_gets_the_new_alert_columns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # the tables as the first schema made them
        conn.execute(text("CREATE TABLE watches (id INTEGER PRIMARY KEY, name VARCHAR(255) UNIQUE, rule JSON, "
                          "created_at DATETIME)"))  # fmt: skip
        conn.execute(text("CREATE TABLE alerts (id INTEGER PRIMARY KEY, watch_id INTEGER, event_id VARCHAR(48), "
                          "at DATETIME, message TEXT)"))  # fmt: skip
    store = open_store(url)
    store_watches.ensure_watch_tables(store.engine)
    columns = {c["name"] for c in inspect(store.engine).get_columns("alerts")}
    assert {"kind", "key", "details"} <= columns
    watch.add_watch(store, "w", watch.WatchRule())
    save(store, Ev("AID", ["USA"], ["UKR"], None, DAY))
    assert len(watch.check(store)) == 1 and watch.check(store, backfill=True) == []


def test_watch_on_postgres(postgres_db: str) -> None:
    store = open_store(postgres_db)
    watch.add_watch(store, "ukr", watch.WatchRule(types=["ASSAULT"], countries=["UKR"], keywords=["depot"]))
    watch.add_watch(store, "surge", watch.WatchRule(kind="spike", by="place", window=7, min_history=3))
    for day in range(1, 6):
        save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY - timedelta(days=day)))
    for n in range(5):
        save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY, sentence="A Depot burned."), story=f"p{n}")
    alerts = watch.check(store)
    assert sorted((a.watch, a.kind) for a in alerts) == [("surge", "spike")] + [("ukr", "event")] * 5
    assert watch.check(store) == [] and watch.check(store, backfill=True) == []
    assert len(watch.list_alerts(store, watch="ukr")) == 5

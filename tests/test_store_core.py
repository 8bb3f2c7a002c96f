"""The store on a real SQLite file and a real PostgreSQL server: idempotent writes, replace-as-a-unit, filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from newswatch.errors import NotFoundError, StoreError
from newswatch.models import (
    Actor,
    Analysis,
    Article,
    Claim,
    CodedActor,
    Event,
    EventDate,
    IngestFailure,
    Mention,
    Place,
    article_id,
)
from newswatch.store import open_store

TEXT = (
    "Pyongyang test-fired a new missile on Thursday, state media said.\nAnalysts said it might be for export."
)


def _article(url: str | None = "https://example.org/a", body: str = TEXT) -> Article:
    return Article(
        id=article_id(canonical_url=url, text=body),
        text=body,
        url=url,
        canonical_url=url,
        site="example.org",
        title="Missile test",
        published_at=datetime(2024, 9, 13, 8, 0, tzinfo=UTC),
    )


def _analysis(article: Article, *, n_events: int = 1) -> Analysis:
    prk = CodedActor("Pyongyang", 0, 9, country="PRK", sector="GOV", actor_id="country:PRK", rule="capital")
    claim = Claim(
        id=f"{article.id}-c1", article_id=article.id, sentence=0, start=0, end=66, text=TEXT.split("\n")[0],
        speaker="state media", source_type="state_media", cue="said", certainty="reported",
    )  # fmt: skip
    events = [
        Event(
            id=f"{article.id}-e{i}",
            article_id=article.id,
            sentence=0,
            text=TEXT.split("\n")[0],
            sent_start=0,
            trigger="test-fired",
            trigger_start=10,
            trigger_end=20,
            plover_type="MOBILIZE",
            mode="weapons",
            cameo_code="15",
            actors=[prk],
            recipients=[],
            certainty="reported",
            claim_id=claim.id,
            date=EventDate(datetime(2024, 9, 12, tzinfo=UTC), "day", "on Thursday"),
            place=Place("Pyongyang", "PRK", 39.03, 125.75, "city"),
        )  # fmt: skip
        for i in range(n_events)
    ]
    mentions = [Mention(article.id, 0, 0, 9, "Pyongyang", "GPE", prk)]
    return Analysis(article=article, mentions=mentions, events=events, claims=[claim])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'news.db'}"
    else:
        url = request.getfixturevalue("postgres_db")
    s = open_store(url)
    yield s
    s.close()


def test_store_save_article_is_idempotent(store) -> None:  # type: ignore[no-untyped-def]
    a = _article()
    assert store.save_article(a).status == "new"
    again = store.save_article(_article())
    assert (again.status, again.article_id) == ("existing", a.id)
    assert store.count("articles") == 1


def test_store_same_text_other_url_is_stored_for_dedup_to_link(store) -> None:  # type: ignore[no-untyped-def]
    first = _article("https://example.org/a")
    store.save_article(first)
    copy = _article("https://mirror.example.net/copy", body=TEXT.replace("\n", "\n\n").upper())
    assert copy.text_hash == first.text_hash
    result = store.save_article(copy)
    assert (result.status, result.article_id) == ("new", copy.id)
    assert store.count("articles") == 2


def test_store_same_canonical_url_is_existing(store) -> None:  # type: ignore[no-untyped-def]
    first = _article("https://example.org/a")
    store.save_article(first)
    edited = _article("https://example.org/a", body=TEXT + " Updated.")
    edited.id = "other-id"
    assert store.save_article(edited).article_id == first.id


def test_store_save_analysis_replaces_as_a_unit(store) -> None:  # type: ignore[no-untyped-def]
    a = _article()
    store.save_article(a)
    store.save_analysis(_analysis(a, n_events=3), coder_version="t1")
    store.save_analysis(_analysis(a, n_events=2), coder_version="t2")
    assert store.count("events") == 2
    assert store.count("claims") == 1
    assert store.count("mentions") == 1
    row = store.get_article(a.id)
    assert (row["ingest_status"], row["coder_version"]) == ("analyzed", "t2")
    assert store.save_article(_article()).analyzed is True


def test_store_event_filters(store) -> None:  # type: ignore[no-untyped-def]
    a = _article()
    store.save_article(a)
    store.save_analysis(_analysis(a), coder_version="t")
    assert len(list(store.iter_events(country="prk"))) == 1
    assert list(store.iter_events(country="USA")) == []
    assert len(list(store.iter_events(certainty="reported", source_type="state_media"))) == 1
    assert list(store.iter_events(certainty="asserted")) == []
    assert len(list(store.iter_events(since=datetime(2024, 9, 12), until=datetime(2024, 9, 12, 23)))) == 1
    assert list(store.iter_events(since=datetime(2024, 9, 13))) == []
    event = next(store.iter_events())
    assert event["actors"][0]["country"] == "PRK"
    assert (event["place_name"], event["geo_precision"], event["date_precision"]) == (
        "Pyongyang",
        "city",
        "day",
    )


def test_store_actors_with_mention_counts(store) -> None:  # type: ignore[no-untyped-def]
    store.save_actors(
        [
            Actor("country:PRK", "North Korea", "PRK", ["GOV"], "state"),
            Actor("country:USA", "United States", "USA"),
        ]
    )
    a = _article()
    store.save_article(a)
    store.save_analysis(_analysis(a), coder_version="t")
    mentioned = list(store.iter_actors(mentioned_only=True))
    assert [(r["id"], r["mentions"]) for r in mentioned] == [("country:PRK", 1)]
    assert {r["id"] for r in store.iter_actors(mentioned_only=False)} == {"country:PRK", "country:USA"}
    assert store.save_actors([Actor("country:USA", "United States", "USA")]) == 1
    assert store.count("actors") == 1


def test_store_errors_are_recorded_and_cleared(store) -> None:  # type: ignore[no-untyped-def]
    store.record_error(IngestFailure("bad.html", "extract", "no article text"))
    store.record_error(IngestFailure("other.html", "ingest", "empty file"))
    assert {e["source"] for e in store.iter_errors()} == {"bad.html", "other.html"}
    store.clear_errors(["bad.html"])
    assert [e["source"] for e in store.iter_errors()] == ["other.html"]


def test_store_missing_article_is_not_found(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError, match="newswatch articles"):
        store.get_article("nope")


def test_store_sqlite_uses_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    with s.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_store_missing_folder_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'nope' / 'x.db'}")


def test_store_events_carry_their_story_source_counts(store) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert, update

    from newswatch.store.schema import events, stories

    a = _article()
    store.save_article(a)
    store.save_analysis(_analysis(a), coder_version="t")
    assert next(store.iter_events())["independent_sources"] is None
    with store.begin() as conn:
        conn.execute(insert(stories).values(id="s1", num_articles=5, num_independent_sources=3))
        conn.execute(update(events).values(story_id="s1"))
    row = next(store.iter_events())
    assert (row["story_articles"], row["independent_sources"]) == (5, 3)

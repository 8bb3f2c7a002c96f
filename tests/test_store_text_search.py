"""The text filter on events finds the evidence sentences through a word index (FTS5 on SQLite, a GIN index on
PostgreSQL) and gives what a substring search of whole words gives; the index follows every insert, re-analysis
and deletion, and a database made before it gets it when opened."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from newswatch.models import Analysis, Article, CodedActor, Event, EventDate, article_id
from newswatch.query import EventFilter
from newswatch.store import open_store
from newswatch.store import query as q

SENTENCES = [
    "North Korea fired two ballistic missiles into the sea on Thursday.",
    "Police in Nairobi detained twelve protesters outside parliament.",
    "The foreign ministers of Chile and Peru met in Lima.",
    "A missile struck a power plant near Kharkiv, officials said.",
    "Seoul's military said the North Korean launch was a provocation.",
    "Café owners in Zürich protested against the new levy.",
]


def _fill(store, sentences=SENTENCES, tag="a"):  # type: ignore[no-untyped-def]
    stored = {}
    for n, sent in enumerate(sentences):
        url = f"https://example.org/{tag}{n}"
        art = Article(id=article_id(canonical_url=url, text=sent), text=sent, url=url, canonical_url=url,
                      site="example.org", title=f"{tag}{n}", published_at=datetime(2024, 1, 1 + n, tzinfo=UTC))  # fmt: skip
        ev = Event(id=f"{tag}{n}", article_id=art.id, sentence=0, text=sent, sent_start=0, trigger="x", trigger_start=0,
                   trigger_end=1, plover_type="ASSAULT", actors=[CodedActor("x", 0, 1, "PRK", None)], recipients=[],
                   date=EventDate(datetime(2024, 1, 1 + n, tzinfo=UTC), "day"), rule="test")  # fmt: skip
        store.save_article(art)
        store.save_analysis(Analysis(art, [], [ev], []), coder_version="test")
        stored[sent] = art
    return stored


def _found(store, words: str) -> set[str]:  # type: ignore[no-untyped-def]
    page = q.list_events(store.engine, EventFilter(q=words), limit=100)
    total, exact = q.count_events(store.engine, EventFilter(q=words))
    assert exact and total == len(page.items)
    return {e["text"] for e in page.items}


def _expected(words: str) -> set[str]:
    return {s for s in SENTENCES if words.lower() in s.lower()}


CASES = ["missile", "missiles", "North Korea", "north korean", "seoul's", "protest", "PROTESTERS",
         "met in Lima", "Zürich", "in", "Korea fired two", "absentword", "sea on", "said."]  # fmt: skip


def _check_all(store) -> None:  # type: ignore[no-untyped-def]
    for words in CASES:
        assert _found(store, words) == _expected(words), words


def test_text_search_on_sqlite_is_an_index_lookup_with_substring_answers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'news.db'}")
    stored = _fill(store)
    _check_all(store)
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT count(*) FROM events_fts WHERE events_fts MATCH '\"missile\"*'")
        ).scalar()
        assert rows == 2  # the index itself holds the words ("missiles" by prefix)
    # re-analysing an article replaces its sentence in the index too
    art = stored["The foreign ministers of Chile and Peru met in Lima."]
    art_id = art.id
    sent = "The foreign ministers of Chile and Bolivia met in La Paz."
    ev = Event(id="a2", article_id=art_id, sentence=0, text=sent, sent_start=0, trigger="met", trigger_start=0,
               trigger_end=1, plover_type="CONSULT", actors=[], recipients=[], rule="test")  # fmt: skip
    store.save_analysis(Analysis(art, [], [ev], []), coder_version="test")
    assert _found(store, "Lima") == set() and _found(store, "Bolivia") == {sent}


def test_a_database_made_before_the_index_gets_it_when_opened(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = open_store(url)
    _fill(store)
    with store.engine.begin() as conn:  # as an earlier version left it: no word index, an older index version
        for name in ("events_fts_insert", "events_fts_delete", "events_fts_update"):
            conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(text("DROP TABLE events_fts"))
    store.close()
    _check_all(open_store(url))


def test_events_renumbered_behind_the_index_are_found_after_reopening(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'news.db'}"
    store = open_store(url)
    _fill(store)
    with store.engine.begin() as conn:  # what a VACUUM may do: new row ids, the index rows keep the old ones
        conn.execute(text("UPDATE events SET rowid = rowid + 1000"))
    assert _found(store, "missile") == set()  # out of step: the index points at row ids that are gone
    store.close()
    _check_all(open_store(url))


def test_text_search_on_postgresql_gives_the_same_answers(postgres_db: str) -> None:
    store = open_store(postgres_db)
    _fill(store)
    _check_all(store)
    with store.engine.connect() as conn:
        assert conn.execute(
            text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_events_text_search'")
        ).first()


@pytest.mark.parametrize("words", ["%", "_", "--", "\\"])
def test_text_without_words_is_a_plain_substring_search(tmp_path, words: str) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'news.db'}")
    _fill(store)
    assert _found(store, words) == _expected(words)


def test_postgresql_lists_claims_newest_first_through_an_index(postgres_db: str) -> None:
    """PostgreSQL reads an ascending index backwards only as NULLS FIRST; claims are listed newest article first
    with undated ones last, so it needs its own index (SQLite does not)."""
    store = open_store(postgres_db)
    with store.engine.connect() as conn:
        found = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_articles_published_desc'")
        ).scalar()
    assert found and "published_at DESC NULLS LAST" in found


def test_sqlite_has_no_postgresql_only_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'news.db'}")
    with store.engine.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))}
    assert "ix_articles_published_at" in names and "ix_articles_published_desc" not in names

"""assign_stories: same event in other words joins a story, copies join their original's, sources are counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, select

from newswatch.grouping import StoredDedupIndex, assign_stories
from newswatch.models import Article
from newswatch.store import schema
from newswatch.stories import load_owners, owner_of

FIX = Path(__file__).parent / "fixtures" / "dedup"
T0 = datetime(2025, 5, 5, 8, 0, tzinfo=UTC)
OWNERS = load_owners({"owners": {"Harbour Media": {"outlets": ["harbourtimes.example", "harbourpost.example"]}}})


def _text(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = create_engine("sqlite:///" + str(tmp_path / "t.db"))
    schema.metadata.create_all(eng)
    return eng


def _ingest(engine: Engine, index: StoredDedupIndex, aid: str, text: str, *, site: str, hours: float,
            events: list[dict[str, Any]] = (), **kw: Any) -> None:  # type: ignore[assignment]
    art = Article(id=aid, text=text, site=site, published_at=T0 + timedelta(hours=hours), **kw)
    with engine.begin() as conn:
        conn.execute(insert(schema.articles).values(
            id=art.id, text=art.text, text_hash=art.text_hash, site=art.site, published_at=art.published_at,
            original_source=art.original_source, title=art.title))
        index.add(art, index.check(art), conn=conn)
        for n, ev in enumerate(events):
            conn.execute(insert(schema.events).values(id=f"{aid}-{n}", article_id=aid, **ev))


STRIKE = {"plover_type": "PROTEST", "actor_countries": ",XVB,", "event_date": T0}


def _stories(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.articles.c.id, schema.articles.c.story_id)).all())


def test_dedup_stories_same_event_other_words_one_story(engine: Engine) -> None:
    index = StoredDedupIndex.load(engine)
    _ingest(engine, index, "a", _text("port_strike_a.txt"), site="harbourtimes.example", hours=0, events=[STRIKE])
    _ingest(engine, index, "b", _text("port_strike_b.txt"), site="coastnews.example", hours=2, events=[STRIKE])
    _ingest(engine, index, "other", _text("port_strike_other.txt"), site="harbourtimes.example", hours=24 * 12,
            events=[{**STRIKE, "event_date": T0 + timedelta(days=12)}])
    touched = assign_stories(engine, owners=OWNERS)
    story = _stories(engine)
    assert story["a"] == story["b"] != story["other"]
    assert len(touched) == 2
    with engine.connect() as conn:
        row = conn.execute(select(schema.stories).where(schema.stories.c.id == story["a"])).mappings().one()
        ev_story = conn.execute(select(schema.events.c.story_id).where(schema.events.c.article_id == "b")).scalar()
    assert (row["num_articles"], row["num_independent_sources"]) == (2, 2)
    assert ev_story == story["a"]


def test_dedup_stories_copies_and_owner_outlets_count_once_incrementally(engine: Engine) -> None:
    index = StoredDedupIndex.load(engine)
    body = _text("port_strike_a.txt")
    _ingest(engine, index, "a", body, site="harbourtimes.example", hours=0)
    assign_stories(engine, owners=OWNERS)
    # A day later: a copy elsewhere, and a different report by an outlet of the same owner.
    _ingest(engine, index, "copy", "Loading Now\n\n" + body, site="mirror.example", hours=5)
    _ingest(engine, index, "b", _text("port_strike_b.txt"), site="harbourpost.example", hours=6)
    touched = assign_stories(engine, owners=OWNERS)
    story = _stories(engine)
    assert story["copy"] == story["a"] == story["b"]
    assert touched == [story["a"]]
    with engine.connect() as conn:
        row = conn.execute(select(schema.stories).where(schema.stories.c.id == story["a"])).mappings().one()
    assert (row["num_articles"], row["num_independent_sources"]) == (3, 1)


def test_dedup_stories_claimed_origin_counts_as_that_outlet(engine: Engine) -> None:
    index = StoredDedupIndex.load(engine)
    body = _text("port_strike_a.txt")
    _ingest(engine, index, "c1", body + "\n\nOriginal Source: www.aljazeera.com", site="s1.example", hours=0,
            original_source="www.aljazeera.com")
    _ingest(engine, index, "c2", body, site="s2.example", hours=1)
    assign_stories(engine, owners=OWNERS)
    with engine.connect() as conn:
        row = conn.execute(select(schema.stories)).mappings().one()
    assert (row["num_articles"], row["num_independent_sources"]) == (2, 1)
    assert row["summary"]["sources"] == ["site:aljazeera.com"]


@pytest.mark.parametrize(
    ("site", "owner"),
    [("harbourpost.example", "Harbour Media"), ("live.harbourtimes.example", "Harbour Media"), ("other.example", None)],
)
def test_dedup_stories_owner_of(site: str, owner: str | None) -> None:
    assert owner_of(site, OWNERS) == owner


def test_dedup_stories_recoded_events_get_story_again(engine: Engine) -> None:
    index = StoredDedupIndex.load(engine)
    _ingest(engine, index, "a", _text("port_strike_a.txt"), site="harbourtimes.example", hours=0, events=[STRIKE])
    assign_stories(engine, owners=OWNERS)
    with engine.begin() as conn:  # re-coding replaces the article's events, without a story id
        conn.execute(schema.events.delete().where(schema.events.c.article_id == "a"))
        conn.execute(insert(schema.events).values(id="a-new", article_id="a", **STRIKE))
    assert assign_stories(engine, article_ids=["a"], owners=OWNERS) == []
    with engine.connect() as conn:
        ev_story = conn.execute(select(schema.events.c.story_id).where(schema.events.c.id == "a-new")).scalar()
    assert ev_story == _stories(engine)["a"]


def test_dedup_stories_copies_not_given_join_their_original(engine: Engine) -> None:
    index = StoredDedupIndex.load(engine)
    body = _text("port_strike_a.txt")
    _ingest(engine, index, "a", body, site="harbourtimes.example", hours=0)
    _ingest(engine, index, "copy", body + "\n\nShare this article", site="mirror.example", hours=1)
    # The pipeline places only the articles it analysed; the copy still joins.
    touched = assign_stories(engine, article_ids=["a"], owners=OWNERS)
    story = _stories(engine)
    assert story["copy"] == story["a"] and touched == [story["a"]]
    with engine.connect() as conn:
        row = conn.execute(select(schema.stories)).mappings().one()
    assert (row["num_articles"], row["num_independent_sources"]) == (2, 1)

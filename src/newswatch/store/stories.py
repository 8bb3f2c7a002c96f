"""Persistence for duplicate detection and stories: MinHash signatures, duplicate links, story rows and
story ids on articles and events, read and written with SQLAlchemy Core on the tables of ``schema``.

Functions that only read take an ``Engine``; functions that write take a ``Connection`` so that the caller
decides the transaction (the pipeline writes an article, its signature and its links in one).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..errors import NotFoundError, StoreError
from ..models import StoredSignature
from .schema import articles, events, signatures, stories

log = logging.getLogger(__name__)


def _store_error(action: str, exc: Exception) -> StoreError:
    return StoreError(
        f"could not {action}: {exc.__class__.__name__}: {exc}. Check that the database is reachable and was "
        "created by this version of newswatch (newswatch run creates the tables)."
    )


# ---------------------------------------------------------------------------------------- signatures


def iter_signatures(engine: Engine, *, num_perm: int, batch: int = 5000) -> Iterator[StoredSignature]:
    """Every persisted signature, oldest first, streamed in batches."""
    query = (
        select(
            signatures.c.article_id,
            signatures.c.minhash,
            signatures.c.num_shingles,
            articles.c.text_hash,
            articles.c.site,
            articles.c.original_source,
            articles.c.published_at,
            articles.c.duplicate_of,
        )
        .join(articles, articles.c.id == signatures.c.article_id)
        .order_by(signatures.c.created_at, signatures.c.article_id)
    )
    expected = num_perm * 4
    try:
        with engine.connect() as conn:
            result = conn.execution_options(yield_per=batch).execute(query)
            for row in result:
                blob = bytes(row.minhash)
                if len(blob) != expected:
                    raise StoreError(
                        f"the stored signature of article {row.article_id} has {len(blob)} bytes, expected "
                        f"{expected}: it was made with other MinHash settings. Delete the rows of "
                        "article_signatures and run `newswatch stories --reindex` to rebuild them."
                    )
                yield StoredSignature(
                    article_id=row.article_id,
                    signature=np.frombuffer(blob, dtype="<u4").astype(np.uint32),
                    num_shingles=int(row.num_shingles or 0),
                    text_hash=row.text_hash,
                    site=row.site,
                    original_source=row.original_source,
                    published_at=row.published_at,
                    duplicate_of=row.duplicate_of,
                )
    except SQLAlchemyError as exc:
        raise _store_error("read article signatures", exc) from exc


def article_text(db: Engine | Connection, article_id: str) -> str | None:
    """An article's text, read through ``db``: pass the caller's connection inside its transaction (SQLite
    refuses a second connection's read while a write transaction is open, and it would not see the
    transaction's own rows)."""
    query = select(articles.c.text).where(articles.c.id == article_id)
    if isinstance(db, Connection):
        value = db.execute(query).scalar()
    else:
        with db.connect() as conn:
            value = conn.execute(query).scalar()
    return None if value is None else str(value)


_INSERT_SIGNATURE = insert(signatures)
_UPDATE_LINK = (
    update(articles)
    .where(articles.c.id == bindparam("aid"))
    .values(
        duplicate_of=bindparam("dup"),
        dup_relation=bindparam("rel"),
        dup_score=bindparam("score"),
        original_source=func.coalesce(articles.c.original_source, bindparam("claimed")),
    )
)


def save_signatures(conn: Connection, items: Sequence[tuple[str, np.ndarray, int]]) -> None:
    """Persist (article id, signature, number of shingles) rows in one statement.

    The index adds an article once, so this never replaces a row.
    """
    if not items:
        return
    now = datetime.now(UTC)
    # One parameterised statement, compiled once, executed for the whole batch. Rows get increasing
    # timestamps so that loading (ordered by created_at) replays the order in which articles were added.
    conn.execute(
        _INSERT_SIGNATURE,
        [
            {
                "article_id": aid,
                "minhash": np.asarray(sig, dtype="<u4").tobytes(),
                "num_shingles": n,
                "created_at": now + timedelta(microseconds=i),
            }
            for i, (aid, sig, n) in enumerate(items)
        ],
    )


def save_duplicate_links(conn: Connection, links: Sequence[dict[str, Any]]) -> None:
    """Record how articles are copies: rows of ``aid``, ``dup`` (duplicate_of), ``rel``, ``score`` and
    ``claimed`` (a claimed origin, which fills ``original_source`` when that is empty)."""
    if links:
        conn.execute(_UPDATE_LINK, list(links))


def repoint_duplicates(
    conn: Connection, *, old_root: str, new_root: str, relation: str, score: float
) -> None:
    """``new_root`` is the original of ``old_root``'s group: point the group (and ``old_root``) at it."""
    conn.execute(update(articles).where(articles.c.duplicate_of == old_root).values(duplicate_of=new_root))
    conn.execute(
        update(articles)
        .where(articles.c.id == old_root)
        .values(duplicate_of=new_root, dup_relation=relation, dup_score=score)
    )


# ---------------------------------------------------------------------------------------- stories


def story_articles(
    conn: Connection,
    *,
    article_ids: Sequence[str] | None = None,
    unassigned: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    story_ids: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Article rows (without text) selected by id, by missing story, by story or by publication window."""
    cols = [
        articles.c.id,
        articles.c.site,
        articles.c.title,
        articles.c.published_at,
        articles.c.fetched_at,
        articles.c.created_at,
        articles.c.duplicate_of,
        articles.c.dup_relation,
        articles.c.original_source,
        articles.c.story_id,
    ]
    query = select(*cols)
    if article_ids is not None:
        rows: list[dict[str, Any]] = []
        ids = list(article_ids)
        for i in range(0, len(ids), 500):
            part = conn.execute(query.where(articles.c.id.in_(ids[i : i + 500]))).mappings().all()
            rows.extend(dict(r) for r in part)
        return rows
    if unassigned:
        query = query.where(articles.c.story_id.is_(None))
    if story_ids is not None:
        query = query.where(articles.c.story_id.in_(list(story_ids)))
    if since is not None:
        query = query.where(articles.c.published_at >= since)
    if until is not None:
        query = query.where(articles.c.published_at <= until)
    return [dict(r) for r in conn.execute(query).mappings().all()]


def article_texts(conn: Connection, article_ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    ids = list(article_ids)
    for i in range(0, len(ids), 500):
        for row in conn.execute(
            select(articles.c.id, articles.c.title, articles.c.text).where(
                articles.c.id.in_(ids[i : i + 500])
            )
        ):
            out[row.id] = f"{row.title or ''}\n{row.text or ''}"
    return out


def article_events(conn: Connection, article_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The coded events of each article: type, actor and recipient countries, date, place."""
    out: dict[str, list[dict[str, Any]]] = {}
    ids = list(article_ids)
    for i in range(0, len(ids), 500):
        query = select(
            events.c.article_id,
            events.c.plover_type,
            events.c.actor_countries,
            events.c.recipient_countries,
            events.c.event_date,
            events.c.country,
            events.c.place_name,
            events.c.negated,
        ).where(events.c.article_id.in_(ids[i : i + 500]))
        for row in conn.execute(query).mappings():
            out.setdefault(row["article_id"], []).append(dict(row))
    return out


def unplaced_copies(conn: Connection) -> list[tuple[str, str]]:
    """(copy id, story id) of copies without a story whose original has one."""
    root = articles.alias("root")
    query = (
        select(articles.c.id, root.c.story_id)
        .join(root, root.c.id == articles.c.duplicate_of)
        .where(articles.c.story_id.is_(None), root.c.story_id.is_not(None))
    )
    return [(r[0], r[1]) for r in conn.execute(query)]


def set_story(conn: Connection, *, article_ids: Sequence[str], story_id: str) -> None:
    ids = list(article_ids)
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        conn.execute(update(articles).where(articles.c.id.in_(part)).values(story_id=story_id))
        conn.execute(update(events).where(events.c.article_id.in_(part)).values(story_id=story_id))


def save_story(
    conn: Connection,
    *,
    story_id: str,
    title: str | None,
    first_seen: datetime | None,
    last_seen: datetime | None,
    num_articles: int,
    num_independent_sources: int,
    summary: dict[str, Any],
) -> None:
    values = {
        "title": title,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "num_articles": num_articles,
        "num_independent_sources": num_independent_sources,
        "summary": summary,
    }
    done = conn.execute(update(stories).where(stories.c.id == story_id).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(stories).values(id=story_id, **values))


# ---------------------------------------------------------------------------------------- reading


def list_stories(
    engine: Engine, *, limit: int = 50, offset: int = 0, min_sources: int = 0
) -> list[dict[str, Any]]:
    """Stories, most recent first."""
    query = (
        select(stories)
        .where(stories.c.num_independent_sources >= min_sources)
        .order_by(stories.c.last_seen.desc().nulls_last(), stories.c.id)
        .limit(limit)
        .offset(offset)
    )
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings().all()]
    except SQLAlchemyError as exc:
        raise _store_error("list stories", exc) from exc


def get_story(engine: Engine, story_id: str) -> dict[str, Any]:
    """One story with its articles (id, site, title, published_at, duplicate_of) and its number of events."""
    with engine.connect() as conn:
        row = conn.execute(select(stories).where(stories.c.id == story_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no story with id {story_id!r}; list stories with `newswatch stories`")
        story = dict(row)
        members = conn.execute(
            select(
                articles.c.id,
                articles.c.site,
                articles.c.title,
                articles.c.url,
                articles.c.published_at,
                articles.c.duplicate_of,
                articles.c.dup_relation,
                articles.c.original_source,
            )
            .where(articles.c.story_id == story_id)
            .order_by(articles.c.published_at, articles.c.id)
        ).mappings()
        story["articles"] = [dict(m) for m in members]
        story["num_events"] = conn.execute(
            select(func.count()).select_from(events).where(events.c.story_id == story_id)
        ).scalar()
    return story


def article_copies(engine: Engine, article_id: str) -> dict[str, Any]:
    """An article's place in its copy group: the original (earliest known version) and every copy of it."""
    cols = [
        articles.c.id,
        articles.c.site,
        articles.c.title,
        articles.c.url,
        articles.c.published_at,
        articles.c.duplicate_of,
        articles.c.dup_relation,
        articles.c.dup_score,
        articles.c.original_source,
        articles.c.story_id,
    ]
    with engine.connect() as conn:
        row = conn.execute(select(*cols).where(articles.c.id == article_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}; list articles with `newswatch articles`")
        root_id = row["duplicate_of"] or article_id
        original = conn.execute(select(*cols).where(articles.c.id == root_id)).mappings().first()
        copies = conn.execute(select(*cols).where(articles.c.duplicate_of == root_id)).mappings()
        far = datetime.max.replace(tzinfo=UTC)
        return {
            "article": dict(row),
            "original": dict(original) if original is not None else {"id": root_id},
            "copies": sorted(
                (dict(c) for c in copies),
                key=lambda c: ((c["published_at"] or far).replace(tzinfo=UTC), c["id"]),
            ),
        }

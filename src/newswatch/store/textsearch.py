"""Word search in the events' evidence sentences through an index, not a scan.

A filter ``q="north korea"`` keeps the events whose sentence holds those words in that order, the last one as a
prefix ("missile" finds "missiles"). The index finds the candidates: SQLite's FTS5 table ``events_fts`` (kept in
step with ``events`` by triggers, so every way of writing events updates it) and a GIN index on PostgreSQL's
``to_tsvector('simple', text)``. The query then also checks the sentence with ILIKE, so the answer is what a
substring search of whole words gives: at a million events a word takes milliseconds instead of seconds.

On SQLite the index rows carry the events' row ids (the triggers copy them), and the query reads the matching
row ids straight from the index; a database whose events were renumbered (VACUUM) gets its index refilled
when next opened (``ensure_index``).

Words are letters and digits (``[^\\W_]+``), lower-cased; a query with none (only punctuation) is a plain
substring search.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import literal
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Boolean

from .schema import events

log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+")

# PostgreSQL: the expression the queries use, indexed
_PG_DDL = "CREATE INDEX IF NOT EXISTS ix_events_text_search ON events USING gin (to_tsvector('simple', text))"

_SQLITE_DDL = (
    # the sentence is kept once more in the index table (FTS5 needs it to delete a row by its rowid); the
    # event's own rowid is the index row's, set by the triggers
    'CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(event_id UNINDEXED, text, tokenize="unicode61 '
    'remove_diacritics 2")',
    "CREATE TRIGGER IF NOT EXISTS events_fts_insert AFTER INSERT ON events BEGIN "
    "INSERT OR REPLACE INTO events_fts(rowid, event_id, text) VALUES (new.rowid, new.id, coalesce(new.text, '')); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS events_fts_delete AFTER DELETE ON events BEGIN "
    "DELETE FROM events_fts WHERE rowid = old.rowid; END",
    "CREATE TRIGGER IF NOT EXISTS events_fts_update AFTER UPDATE OF id, text ON events BEGIN "
    "INSERT OR REPLACE INTO events_fts(rowid, event_id, text) VALUES (new.rowid, new.id, coalesce(new.text, '')); "
    "END",
)


def words(q: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(q)]


def ensure_index(conn: Connection) -> None:
    """Create the word index if this database has none, and fill it from the stored events; on SQLite, also
    refill it when it no longer matches the events' row ids (a VACUUM may renumber them). Called on every open:
    when all is in place it only reads."""
    if conn.dialect.name != "sqlite":
        if not conn.exec_driver_sql(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_events_text_search'"
        ).first():
            if conn.exec_driver_sql("SELECT 1 FROM events LIMIT 1").first():
                log.warning("indexing the words of the stored event sentences for text search (once)")
            conn.exec_driver_sql(_PG_DDL)
        return
    present = {
        str(name)
        for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name IN "
            "('events_fts', 'events_fts_insert', 'events_fts_delete', 'events_fts_update')"
        )
    }
    if len(present) < 4:
        for statement in _SQLITE_DDL:
            conn.exec_driver_sql(statement)
    elif _in_step(conn):
        return
    conn.exec_driver_sql("DELETE FROM events_fts")
    n = conn.exec_driver_sql(
        "INSERT INTO events_fts(rowid, event_id, text) SELECT rowid, id, coalesce(text, '') FROM events"
    ).rowcount
    if n:
        log.warning("indexed the words of %d stored event sentences for text search (once)", n)


def _in_step(conn: Connection) -> bool:
    top = conn.exec_driver_sql("SELECT max(rowid) FROM events").scalar()
    top_fts = conn.exec_driver_sql("SELECT max(rowid) FROM events_fts").scalar()
    if top != top_fts:
        return False
    if top is None:
        return True
    row = conn.exec_driver_sql("SELECT id FROM events WHERE rowid = ?", (top,)).scalar()
    return row == conn.exec_driver_sql("SELECT event_id FROM events_fts WHERE rowid = ?", (top,)).scalar()


class EvidenceMatch(ColumnElement[bool]):
    """True for the events whose sentence holds ``words`` in order (the last as a prefix), per the index."""

    type = Boolean()
    inherit_cache = False
    _is_implicitly_boolean = (
        True  # a condition as it is, never "(...) = 1", which would hide it from the planner
    )

    def __init__(self, found: list[str]) -> None:
        self.words = tuple(found)


@compiles(EvidenceMatch)
def _sqlite(element: EvidenceMatch, compiler: Any, **kw: Any) -> str:
    return (
        "events.rowid IN (SELECT events_fts.rowid FROM events_fts WHERE events_fts MATCH "
        f"{compiler.process(literal(fts5_phrase(element.words)), **kw)})"
    )


@compiles(EvidenceMatch, "postgresql")
def _postgresql(element: EvidenceMatch, compiler: Any, **kw: Any) -> str:
    query = " <-> ".join(element.words) + ":*"
    return (
        "to_tsvector('simple', events.text) @@ to_tsquery('simple', "
        f"{compiler.process(literal(query), **kw)})"
    )


def fts5_phrase(found: Sequence[str]) -> str:
    return '"' + " ".join(found) + '"*'


# Up to this many matching sentences a page of a list is read through the index (the matches, then sorted by
# date); a commoner phrase is found sooner by walking the events in date order and checking each sentence.
FEW_MATCHES = 5000


def few_matches(engine: Engine, q: str | None) -> bool:
    """Whether the words of ``q`` match at most FEW_MATCHES sentences (SQLite; PostgreSQL's planner knows)."""
    found = words(q or "")
    if not found or engine.dialect.name != "sqlite":
        return True
    with engine.connect() as conn:
        n = conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT 1 FROM events_fts WHERE events_fts MATCH ? LIMIT ?)",
            (fts5_phrase(found), FEW_MATCHES + 1),
        ).scalar()
    return int(n or 0) <= FEW_MATCHES


def evidence_contains(q: str, *, use_index: bool = True) -> list[ColumnElement[bool]]:
    """The conditions of a text filter: the index narrows, ILIKE keeps the exact substring. Without the index
    (``use_index=False``, for a page of a common phrase, see ``few_matches``) ILIKE alone."""
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    exact = events.c.text.ilike(like, escape="\\")
    found = words(q)
    return [EvidenceMatch(found), exact] if found and use_index else [exact]

"""Tables derived from the events, kept in step with them: ``event_keys`` (what each event involves, for
filters that walk an index in date order) and ``event_rollup`` (event counts by period, type, country, dyad,
place and actor, for aggregates and total counts at a million events).

``Store`` calls ``remove_articles`` before it replaces articles' events and ``add_events`` after, collecting
the changes of one transaction in ``Changes`` and writing them before it commits, so the derived rows never
disagree with the events. ``rebuild`` recomputes
everything (a database made before these tables existed is rebuilt once when it is opened).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from ..query import actor_code
from . import textsearch
from .schema import actor_counts, articles, event_keys, event_rollup, events, mentions, meta_table, stories

log = logging.getLogger(__name__)

DERIVED_VERSION = "2"
INDEX_VERSION = "4"  # the indexes the queries of store.query rely on (4: articles by date, descending, on PostgreSQL)
UNDATED = "0000-00-00"
# the event columns the derived rows are computed from
EVENT_COLUMNS = (
    events.c.id,
    events.c.event_date,
    events.c.plover_type,
    events.c.actors,
    events.c.recipients,
    events.c.country,
    events.c.place_name,
    events.c.lat,
    events.c.lon,
    events.c.geo_precision,
    events.c.negated,
    events.c.tense,
)
RollupKey = tuple[str, str, str, str, str, int, str]  # kind, party, grain, period, type, realised, key


def realised(row: Mapping[str, Any]) -> bool:
    return not row.get("negated") and row.get("tense") not in ("future", "hypothetical")


def _codes(parties: Iterable[Mapping[str, Any]] | None) -> list[str]:
    out = []
    for a in parties or ():
        code = actor_code(a.get("country"), a.get("sector"))
        if code and code not in out:
            out.append(code)
    return out


def place_key(row: Mapping[str, Any]) -> str | None:
    """"name|country" of an event's place, the form the ``place`` filter takes."""
    name = (row.get("place_name") or "").strip()
    return f"{name}|{row.get('country') or ''}" if name else None


def place_rollup_key(row: Mapping[str, Any]) -> str | None:
    """The place with its precision and coordinates (none for a country or region without a point)."""
    key = place_key(row)
    if key is None:
        return None
    lat, lon = row.get("lat"), row.get("lon")
    coords = f"{lat:.4f}|{lon:.4f}" if lat is not None and lon is not None else "|"
    return f"{key}|{row.get('geo_precision') or ''}|{coords}"


def event_parts(row: Mapping[str, Any]) -> dict[str, list[str]]:
    """Countries, actor codes, dyads (code- and country-level) and place of a stored event row."""
    actors = _codes(row.get("actors"))
    recipients = _codes(row.get("recipients"))
    countries: list[str] = []
    for a in [*(row.get("actors") or ()), *(row.get("recipients") or ())]:
        if a.get("country") and a["country"] not in countries:
            countries.append(a["country"])
    if row.get("country") and row["country"] not in countries:
        countries.append(row["country"])
    dyads = list(dict.fromkeys(f"{a}>{b}" for a in actors for b in recipients if a != b))
    country_dyads = list(
        dict.fromkeys(
            f"{a.get('country')}>{b.get('country')}"
            for a in row.get("actors") or ()
            for b in row.get("recipients") or ()
            if a.get("country") and b.get("country") and a.get("country") != b.get("country")
        )
    )
    place = place_key(row)
    return {
        "countries": countries,
        "codes": list(dict.fromkeys(actors + recipients)),
        "dyads": dyads,
        "country_dyads": country_dyads,
        "places": [place] if place else [],
    }


def key_rows(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    parts = event_parts(row)
    keys = (
        ["c:" + c for c in parts["countries"]]
        + ["a:" + c for c in parts["codes"]]
        + ["d:" + d for d in dict.fromkeys(parts["dyads"] + parts["country_dyads"])]
        + ["p:" + p for p in parts["places"]]
    )
    return [{"key": k[:200], "event_date": row.get("event_date"), "event_id": row["id"]} for k in keys]


def _periods(when: datetime | None) -> list[tuple[str, str]]:
    """The cells' time grains: its day and month (or undated), and all time (read when no date filter is set)."""
    if when is None:
        return [("u", UNDATED), ("a", "")]
    return [("d", when.strftime("%Y-%m-%d")), ("m", when.strftime("%Y-%m-01")), ("a", "")]


def rollup_keys(row: Mapping[str, Any]) -> list[RollupKey]:
    """Every rollup cell one event counts in."""
    parts = event_parts(row)
    ptype = row.get("plover_type") or ""
    real = int(realised(row))
    cells: list[tuple[str, str]] = [("t", "")]
    cells += [("d", d) for d in parts["dyads"]]
    cells += [("e", d) for d in parts["country_dyads"]]
    cells += [("a", c) for c in parts["codes"]]
    place = place_rollup_key(row)
    if place:
        cells.append(("p", place))
    out: list[RollupKey] = []
    for grain, period in _periods(row.get("event_date")):
        for party in ["", *parts["countries"]]:
            for kind, key in cells:
                out.append((kind, party[:8], grain, period, ptype, real, key[:200]))
    return out


def _apply(conn: Connection, counts: Counter[RollupKey]) -> None:
    """Add ``counts`` (negative to subtract) to the rollup cells, creating the missing ones."""
    if not counts:
        return
    rows = [
        {"kind": k[0], "party": k[1], "grain": k[2], "period": k[3], "plover_type": k[4], "realised": k[5],
         "key": k[6], "n": n}
        for k, n in counts.items()
        if n
    ]  # fmt: skip
    if not rows:
        return
    _upsert(conn, event_rollup, rows, ("n",))


def _upsert(conn: Connection, table: Any, rows: list[dict[str, Any]], adds: Sequence[str]) -> None:
    """Insert ``rows`` (plain strings and numbers, the same keys each), adding the ``adds`` columns to the row
    already there. Sent as the driver's own executemany: a batch's tens of thousands of rollup cells cost
    SQLAlchemy's per-row parameter processing more than the database's work."""
    cols = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    name = quote(table.name)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    keys = ", ".join(quote(c.name) for c in table.primary_key.columns)
    sql = (
        f"INSERT INTO {name} ({', '.join(quote(c) for c in cols)}) VALUES ({', '.join([mark] * len(cols))}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = {name}.{quote(c)} + excluded.{quote(c)}" for c in adds)
    )
    for i in range(0, len(rows), 2000):
        conn.exec_driver_sql(sql, [tuple(r[c] for c in cols) for r in rows[i : i + 2000]])


class Changes:
    """Derived-row changes of several articles saved in one transaction, written at once by ``write``.

    Articles of one batch share most rollup cells (the same day, type and country), so adding their counts up
    before the upsert writes each cell once per batch instead of once per article.
    """

    def __init__(self) -> None:
        self.rollup: Counter[RollupKey] = Counter()
        self.mentions: Counter[str] = Counter()  # actor id: mentions added (negative: taken away)
        self.articles: Counter[str] = Counter()  # actor id: articles that mention it, added
        self.keys: list[dict[str, Any]] = []  # event_keys rows to insert

    def write(self, conn: Connection) -> None:
        for i in range(0, len(self.keys), 2000):
            conn.execute(insert(event_keys), self.keys[i : i + 2000])
        _apply(conn, self.rollup)
        rows = [
            {"actor_id": a, "mentions": self.mentions[a], "articles": self.articles[a]}
            for a in dict.fromkeys([*self.mentions, *self.articles])
            if self.mentions[a] or self.articles[a]
        ]
        if rows:
            _upsert(conn, actor_counts, rows, ("mentions", "articles"))
        self.rollup, self.mentions, self.articles, self.keys = Counter(), Counter(), Counter(), []


def change_actor_counts(actor_ids: Iterable[str | None], sign: int, changes: Changes) -> None:
    """Add (sign 1) or take away (sign -1) one article's mentions of actors."""
    for a, n in Counter(a[:128] for a in actor_ids if a).items():
        changes.mentions[a] += sign * n
        changes.articles[a] += sign


def add_events(rows: Sequence[Mapping[str, Any]], changes: Changes) -> None:
    """Derived rows for newly inserted events."""
    changes.keys.extend(k for r in rows for k in key_rows(r))
    changes.rollup.update(k for r in rows for k in rollup_keys(r))


def remove_articles(conn: Connection, article_ids: Sequence[str], changes: Changes) -> None:
    """Take the articles' stored mentions and events out of the derived tables (before they are replaced): their
    event keys at once, their counts into ``changes``."""
    for i in range(0, len(article_ids), 500):
        chunk = list(article_ids[i : i + 500])
        old_actors = conn.execute(
            select(mentions.c.article_id, mentions.c.actor_id).where(mentions.c.article_id.in_(chunk))
        ).all()
        by_article: dict[str, list[str | None]] = {}
        for aid, actor in old_actors:
            by_article.setdefault(aid, []).append(actor)
        for actors_of in by_article.values():
            change_actor_counts(actors_of, -1, changes)
        old = [dict(r) for r in conn.execute(select(*EVENT_COLUMNS).where(events.c.article_id.in_(chunk))).mappings()]
        ids = [r["id"] for r in old]
        for j in range(0, len(ids), 500):
            conn.execute(delete(event_keys).where(event_keys.c.event_id.in_(ids[j : j + 500])))
        for r in old:
            changes.rollup.subtract(rollup_keys(r))


def rebuild(engine: Engine, *, batch: int = 20_000) -> int:
    """Recompute both derived tables from the events; returns the number of events read."""
    n = 0
    with engine.begin() as conn:
        conn.execute(delete(event_keys))
        conn.execute(delete(event_rollup))
        conn.execute(delete(actor_counts))
        per_actor = (
            select(
                mentions.c.actor_id,
                func.count().label("mentions"),
                func.count(mentions.c.article_id.distinct()).label("articles"),
            )
            .where(mentions.c.actor_id.is_not(None))
            .group_by(mentions.c.actor_id)
        )
        conn.execute(insert(actor_counts).from_select(["actor_id", "mentions", "articles"], per_actor))
    with engine.connect() as reader:
        result = reader.execution_options(stream_results=True, yield_per=batch).execute(select(*EVENT_COLUMNS))
        counts: Counter[RollupKey] = Counter()
        keys: list[dict[str, Any]] = []
        for row in result.mappings():
            n += 1
            keys.extend(key_rows(dict(row)))
            counts.update(rollup_keys(dict(row)))
            if n % batch == 0:
                with engine.begin() as conn:
                    conn.execute(insert(event_keys), keys)
                    _apply(conn, counts)
                keys, counts = [], Counter()
        with engine.begin() as conn:
            if keys:
                conn.execute(insert(event_keys), keys)
            _apply(conn, counts)
            _set_version(conn)
    log.info("derived tables rebuilt from %d events", n)
    return n


def _set_version(conn: Connection) -> None:
    conn.execute(delete(meta_table).where(meta_table.c.key == "derived_version"))
    conn.execute(insert(meta_table).values(key="derived_version", value=DERIVED_VERSION))


# indexes of earlier schema versions that the planner would prefer to the date-ordered ones
_OBSOLETE_INDEXES = ("ix_events_plover_type", "ix_events_certainty", "ix_events_event_date")


def ensure(engine: Engine) -> None:
    """Bring a database's derived tables up to date (once, when it was made by an earlier version)."""
    with engine.begin() as conn:
        query = select(meta_table.c.key, meta_table.c.value).where(
            meta_table.c.key.in_(("derived_version", "index_version"))
        )
        found = {str(k): v for k, v in conn.execute(query).all()}
        if found.get("index_version") != INDEX_VERSION:
            for name in _OBSOLETE_INDEXES:
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
            for table in (events, stories, articles):  # create_all makes indexes only with new tables
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
            conn.execute(delete(meta_table).where(meta_table.c.key == "index_version"))
            conn.execute(insert(meta_table).values(key="index_version", value=INDEX_VERSION))
        textsearch.ensure_index(conn)
        version = found.get("derived_version")
        if version == DERIVED_VERSION:
            return
        if version is not None:  # made by an earlier layout of the derived tables: make them anew
            for table in (event_rollup, event_keys):
                table.drop(conn, checkfirst=True)
                table.create(conn)
        has_rows = conn.execute(select(func.count()).select_from(select(mentions.c.id).limit(1).subquery())).scalar()
        has_rows = has_rows or conn.execute(select(func.count()).select_from(select(events.c.id).limit(1).subquery())).scalar()
        if not has_rows:
            _set_version(conn)
            return
    log.warning("building the event index and counts tables for this database (once)")
    rebuild(engine)

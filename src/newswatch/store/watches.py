"""Persistence for watch rules and alerts over the ``watches`` and ``alerts`` tables, with SQLAlchemy Core.

Rules are stored as JSON (the library in ``newswatch.watch`` validates them); an alert is unique per watch and
``key`` (a story, an event or a spike day), so checking the same events twice never alerts twice. The
queries that find candidate events for a rule live here too, so that the watch library writes no SQL.
Databases made before the alert columns existed are upgraded in place by ``ensure_watch_tables``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, and_, delete, func, insert, inspect, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..errors import ConfigError, NotFoundError, StoreError
from .schema import alerts, articles, events, stories, watches

log = logging.getLogger(__name__)

# Engines whose watch tables are known to be up to date: the API checks on every request, cheaply.
_ready: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()

# Columns added after the first schema; old databases get them with ALTER TABLE (all nullable).
_ADDED_COLUMNS = {"watches": ("checked_at",), "alerts": ("kind", "key", "details")}


def _store_error(action: str, exc: Exception) -> StoreError:
    return StoreError(
        f"could not {action}: {exc.__class__.__name__}: {exc}. Check that the database is reachable and "
        "writable (newswatch run creates the tables)."
    )


def ensure_watch_tables(engine: Engine) -> None:
    """Create the watch tables, or add the columns an older database lacks (idempotent; once per engine)."""
    if _ready.get(engine):
        return
    try:
        watches.create(engine, checkfirst=True)
        alerts.create(engine, checkfirst=True)
        present = {t: {c["name"] for c in inspect(engine).get_columns(t)} for t in _ADDED_COLUMNS}
        with engine.begin() as conn:
            for table_name, names in _ADDED_COLUMNS.items():
                table = watches if table_name == "watches" else alerts
                for name in names:
                    if name in present[table_name]:
                        continue
                    column = table.c[name]
                    kind = column.type.compile(dialect=engine.dialect)
                    log.info("adding column %s.%s to %s", table_name, name, engine.url)
                    conn.execute(text(f'ALTER TABLE {table_name} ADD COLUMN "{name}" {kind}'))
        for index in alerts.indexes:
            index.create(engine, checkfirst=True)
    except SQLAlchemyError as exc:
        raise _store_error("prepare the watches and alerts tables", exc) from exc
    _ready[engine] = True


# ---------------------------------------------------------------------------------------- watches


def add_watch(engine: Engine, *, name: str, rule: dict[str, Any], replace: bool = False) -> dict[str, Any]:
    """Store a rule under ``name``; an existing name is an error unless ``replace`` (alerts are kept)."""
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            found = conn.execute(select(watches.c.id).where(watches.c.name == name)).scalar()
            if found is not None:
                if not replace:
                    raise ConfigError(
                        f"a watch named {name!r} already exists; choose another name, remove it with "
                        f"`newswatch watch remove {name}`, or pass --replace"
                    )
                conn.execute(update(watches).where(watches.c.id == found).values(rule=rule))
            else:
                conn.execute(insert(watches).values(name=name, rule=rule, created_at=now, checked_at=None))
    except SQLAlchemyError as exc:
        raise _store_error(f"save the watch {name!r}", exc) from exc
    return get_watch(engine, name)


def get_watch(engine: Engine, name: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(watches).where(watches.c.name == name)).mappings().first()
    if row is None:
        raise NotFoundError(f"no watch named {name!r}; list watches with `newswatch watch list`")
    return dict(row)


def list_watches(engine: Engine, *, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Watches by name, each with its number of alerts and the time of its latest alert."""
    counts = (
        select(alerts.c.watch_id, func.count().label("alerts"), func.max(alerts.c.at).label("last_alert"))
        .group_by(alerts.c.watch_id)
        .subquery()
    )
    query = (
        select(
            watches,
            func.coalesce(counts.c.alerts, 0).label("alerts"),
            counts.c.last_alert,
        )
        .select_from(watches.join(counts, counts.c.watch_id == watches.c.id, isouter=True))
        .order_by(watches.c.name)
    )
    if names:
        query = query.where(watches.c.name.in_(list(names)))
    try:
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
    except SQLAlchemyError as exc:
        raise _store_error("list watches", exc) from exc
    if names:
        missing = sorted(set(names) - {r["name"] for r in rows})
        if missing:
            raise NotFoundError(
                f"no watch named {', '.join(map(repr, missing))}; list watches with `newswatch watch list`"
            )
    return rows


def remove_watch(engine: Engine, name: str) -> int:
    """Delete a watch and its alerts; returns the number of alerts deleted."""
    watch = get_watch(engine, name)
    with engine.begin() as conn:
        gone = conn.execute(delete(alerts).where(alerts.c.watch_id == watch["id"])).rowcount
        conn.execute(delete(watches).where(watches.c.id == watch["id"]))
    return int(gone or 0)


def mark_checked(conn: Connection, *, watch_id: int, at: datetime) -> None:
    conn.execute(update(watches).where(watches.c.id == watch_id).values(checked_at=at))


# ---------------------------------------------------------------------------------------- candidates


def _event_filters(
    *,
    types: Sequence[str] = (),
    countries: Sequence[str] = (),
    actors: Sequence[str] = (),
    recipients: Sequence[str] = (),
    certainty: Sequence[str] = (),
    source_types: Sequence[str] = (),
    tenses: Sequence[str] = (),
    keywords: Sequence[str] = (),
    include_negated: bool = False,
    occurred_since: datetime | None = None,
) -> list[Any]:
    """SQL conditions on events (and the joined article for keywords and dates); each list means any of.
    ``occurred_since`` keeps events dated (else published) at or after that time."""
    conds: list[Any] = []
    if occurred_since is not None:
        conds.append(func.coalesce(events.c.event_date, articles.c.published_at) >= occurred_since)
    if types:
        conds.append(events.c.plover_type.in_([t.upper() for t in types]))
    if countries:
        conds.append(
            or_(
                *[
                    or_(
                        events.c.actor_countries.contains(f",{c},"),
                        events.c.recipient_countries.contains(f",{c},"),
                        events.c.country == c,
                    )
                    for c in countries
                ]
            )
        )
    if actors:
        conds.append(or_(*[events.c.actor_countries.contains(f",{c},") for c in actors]))
    if recipients:
        conds.append(or_(*[events.c.recipient_countries.contains(f",{c},") for c in recipients]))
    if certainty:
        conds.append(events.c.certainty.in_(list(certainty)))
    if source_types:
        conds.append(func.coalesce(events.c.source_type, "unattributed").in_(list(source_types)))
    if tenses:
        conds.append(events.c.tense.in_(list(tenses)))
    if keywords:
        conds.append(
            or_(*[or_(events.c.text.ilike(f"%{k}%"), articles.c.title.ilike(f"%{k}%")) for k in keywords])
        )
    if not include_negated:
        conds.append(or_(events.c.negated.is_(False), events.c.negated.is_(None)))
    return conds


def candidate_events(
    engine: Engine,
    *,
    stored_since: datetime | None,
    min_sources: int = 1,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Events matching ``filters`` whose article was stored at or after ``stored_since``, or whose story
    gained an article since then (a story can reach ``min_sources`` after its first report); ``None``
    means every stored event. Rows carry the article's url, title, site and dates and the story's number
    of independent sources (1 for an article without a story), oldest first."""
    sources = func.coalesce(stories.c.num_independent_sources, 1)
    query = (
        select(
            events,
            articles.c.url,
            articles.c.title,
            articles.c.site,
            articles.c.published_at,
            articles.c.created_at.label("stored_at"),
            sources.label("num_sources"),
        )
        .select_from(
            events.join(articles, articles.c.id == events.c.article_id).join(
                stories, stories.c.id == events.c.story_id, isouter=True
            )
        )
        .where(and_(*_event_filters(**filters)))
        .order_by(articles.c.created_at, events.c.article_id, events.c.sentence, events.c.trigger_start)
    )
    if min_sources > 1:
        query = query.where(sources >= min_sources)
    if stored_since is not None:
        touched = select(articles.c.story_id).where(
            and_(articles.c.created_at >= stored_since, articles.c.story_id.is_not(None))
        )
        query = query.where(or_(articles.c.created_at >= stored_since, events.c.story_id.in_(touched)))
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
    except SQLAlchemyError as exc:
        raise _store_error("read events for the watches", exc) from exc


def first_event_date(engine: Engine, **filters: Any) -> datetime | None:
    """The earliest date (event date, else publication date) of the events matching ``filters``."""
    day = func.coalesce(events.c.event_date, articles.c.published_at)
    query = (
        select(func.min(day))
        .select_from(events.join(articles, articles.c.id == events.c.article_id))
        .where(and_(*_event_filters(**filters)))
    )
    try:
        with engine.connect() as conn:
            value = conn.execute(query).scalar()
    except SQLAlchemyError as exc:
        raise _store_error("find the first event date", exc) from exc
    if isinstance(value, str):  # SQLite returns MIN() over a COALESCE as text
        value = datetime.fromisoformat(value)
    return value if isinstance(value, datetime) else None


def dated_events(
    engine: Engine,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    stored_since: datetime | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Minimal rows (date, type, countries, story, article) of matching events for counting per day.

    The date is the event's date, else its article's publication date; ``start``/``end`` bound it and
    ``stored_since`` keeps events whose article was stored since then."""
    day = func.coalesce(events.c.event_date, articles.c.published_at)
    query = (
        select(
            day.label("date"),
            events.c.plover_type,
            events.c.country,
            events.c.actor_countries,
            events.c.recipient_countries,
            events.c.story_id,
            events.c.article_id,
        )
        .select_from(events.join(articles, articles.c.id == events.c.article_id))
        .where(and_(day.is_not(None), *_event_filters(**filters)))
    )
    if start is not None:
        query = query.where(day >= start)
    if end is not None:
        query = query.where(day < end)
    if stored_since is not None:
        query = query.where(articles.c.created_at >= stored_since)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
    except SQLAlchemyError as exc:
        raise _store_error("count events for spike detection", exc) from exc


# ---------------------------------------------------------------------------------------- alerts


def save_alerts(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert alert rows (``watch_id``, ``key``, ``kind``, ``event_id``, ``message``, ``details``) whose
    (watch, key) is new; returns the rows inserted, with their ``id`` and ``at``."""
    if not rows:
        return []
    keys_by_watch: dict[int, set[str]] = {}
    for row in rows:
        keys_by_watch.setdefault(row["watch_id"], set()).add(row["key"])
    seen: set[tuple[int, str]] = set()
    for wid, keys in keys_by_watch.items():
        found = conn.execute(
            select(alerts.c.key).where(and_(alerts.c.watch_id == wid, alerts.c.key.in_(sorted(keys))))
        ).scalars()
        seen.update((wid, k) for k in found)
    now = datetime.now(UTC)
    inserted: list[dict[str, Any]] = []
    for row in rows:
        ident = (row["watch_id"], row["key"])
        if ident in seen:
            continue
        seen.add(ident)
        values = {**row, "at": now}
        new_id = _insert_alert(conn, values)
        if new_id is not None:
            inserted.append({**values, "id": new_id})
    return inserted


def _insert_alert(conn: Connection, values: dict[str, Any]) -> int | None:
    """Insert one alert; None when a concurrent checker already stored the same (watch, key)."""
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        make = sqlite_insert if dialect == "sqlite" else pg_insert
        stmt = make(alerts).values(**values).on_conflict_do_nothing(index_elements=["watch_id", "key"])
        result = conn.execute(stmt.returning(alerts.c.id))
        return result.scalar()
    try:  # other engines: a savepoint, so that losing the race does not end the transaction
        with conn.begin_nested():
            result = conn.execute(insert(alerts).values(**values))
    except IntegrityError:
        return None
    key = result.inserted_primary_key
    return int(key[0]) if key else None


def list_alerts(
    engine: Engine,
    *,
    watch: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Alerts, newest first, with the name of their watch."""
    query = (
        select(alerts, watches.c.name.label("watch"))
        .select_from(alerts.join(watches, watches.c.id == alerts.c.watch_id))
        .order_by(alerts.c.at.desc(), alerts.c.id.desc())
        .offset(offset)
    )
    if watch:
        query = query.where(watches.c.name == watch)
    if kind:
        query = query.where(alerts.c.kind == kind)
    if since is not None:
        query = query.where(alerts.c.at >= since)
    if limit is not None:
        query = query.limit(limit)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
    except SQLAlchemyError as exc:
        raise _store_error("list alerts", exc) from exc

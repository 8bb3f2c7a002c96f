"""Read events, claims and stories the way an analyst browses them: filtered pages in a stable order with
keyset cursors and total counts, and aggregates (timeline, network, places, top actors and dyads).

Lists walk an index in date order and stop after one page: a filter on a country, dyad, actor or place walks
``event_keys``; a PLOVER type, certainty or source type walks its (value, event_date, id) index; several types
are read as one ordered walk per type merged by the database. Totals and aggregates read ``event_rollup``
when every filter is one it counts by (types, one country, one dyad/actor/place, dates, realised); other
filters are counted on the events themselves, up to a cap that the result reports.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, false, func, literal, or_, select, true, tuple_, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from ..errors import QueryError
from ..query import (
    QUAD,
    QUAD_NAMES,
    Cursor,
    EventFilter,
    country_name,
    country_numeric,
)
from .derived import UNDATED, event_parts, place_rollup_key, realised
from .schema import articles, claims, event_keys, event_rollup, events, stories
from .textsearch import evidence_contains, few_matches

COUNT_CAP = 10_000  # totals of filters the rollup does not count stop here (reported as not exact)
LIVE_CAP = 200_000  # aggregates over such filters read at most this many events (reported as partial)
MAX_DAY_BUCKET_DAYS = 400


@dataclass
class Page:
    """One page of a list: its rows, the total number of matches, and the cursor of the next page."""

    items: list[dict[str, Any]]
    total: int
    total_exact: bool
    next_cursor: str | None


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------- event lists


FEW_STORIES = 2000


def _qualifying_stories(engine: Engine, min_sources: int) -> list[str] | None:
    """The ids of the stories with at least ``min_sources`` sources when there are few of them, else None."""
    with engine.connect() as conn:
        ids = conn.execute(
            select(stories.c.id).where(stories.c.num_independent_sources >= min_sources).limit(FEW_STORIES + 1)
        ).scalars().all()
    return list(ids) if len(ids) <= FEW_STORIES else None


def _key_drives(engine: Engine, f: EventFilter) -> bool:
    """Whether a key filter (country, dyad, actor, place) should drive the walk rather than a certainty or
    source-type index: the side with fewer events does. The key's count comes from the rollup, the
    attribute's from its index, both capped; the planner's own estimates miss such skew (USA is in 59% of
    events, the average key in 0.05%)."""
    if not (f.certainty or f.source_type):
        return True
    target = _rollup_target(EventFilter(country=f.country, dyad=f.dyad if not (f.actor or f.place) else None,
                                        actor=f.actor, place=f.place) if len(f.keys()) == 1 else EventFilter(country=f.country))  # fmt: skip
    with engine.connect() as conn:
        if target is not None:
            kind, key = target
            key_n = conn.execute(
                select(func.coalesce(func.sum(event_rollup.c.n), 0)).where(
                    *_rollup_where(EventFilter(country=f.country), kind, key)
                )
            ).scalar() or 0
        else:
            key_n = COUNT_CAP
        conds = []
        if f.certainty:
            conds.append(events.c.certainty.in_(f.certainty))
        if f.source_type:
            conds.append(events.c.source_type.in_(f.source_type))
        attr_n = conn.execute(
            select(func.count()).select_from(select(events.c.id).where(*conds).limit(COUNT_CAP + 1).subquery())
        ).scalar() or 0
    return int(key_n) <= int(attr_n)


def _conditions(
    f: EventFilter, *, skip_key: str | None = None, few_stories: list[str] | None = None, text_index: bool = True
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    for key in f.keys():
        if key == skip_key:
            continue
        k = event_keys.alias()
        conds.append(select(literal(1)).where(k.c.event_id == events.c.id, k.c.key == key).exists())
    if f.certainty:
        conds.append(events.c.certainty.in_(f.certainty))
    if f.source_type:
        conds.append(events.c.source_type.in_(f.source_type))
    if f.since is not None:
        conds.append(events.c.event_date >= f.since_dt)
    if f.until is not None:
        conds.append(events.c.event_date <= f.until_dt)
    if f.realised:
        conds.append(events.c.negated.is_not(True))
        conds.append(or_(events.c.tense.is_(None), events.c.tense.not_in(("future", "hypothetical"))))
    elif not f.include_negated:
        conds.append(events.c.negated.is_not(True))
    if f.article_id:
        conds.append(events.c.article_id == f.article_id)
    if f.story_id:
        conds.append(events.c.story_id == f.story_id)
    if f.min_sources:
        conds.append(stories.c.num_independent_sources >= f.min_sources)
        if few_stories is not None:  # few stories qualify: read their events by story, not the whole date walk
            conds.append(events.c.story_id.in_(few_stories))
    if f.q:
        conds.extend(evidence_contains(f.q, use_index=text_index))
    return conds


_LIST_COLUMNS = (
    *events.c,
    stories.c.num_articles.label("story_articles"),
    stories.c.num_independent_sources.label("independent_sources"),
    articles.c.title.label("article_title"),
    articles.c.site.label("article_site"),
    articles.c.url.label("article_url"),
    articles.c.published_at.label("article_published_at"),
    articles.c.created_at.label("article_added_at"),
)


def _walk(
    f: EventFilter, *, ptype: str | None, columns: Sequence[Any] = _LIST_COLUMNS, engine: Engine | None = None,
    joins: bool = True, counting: bool = False,
) -> tuple[Select[Any], Any, Any]:
    """The filtered select driven by one index, with the (date, id) columns it is ordered by."""
    keys = f.keys()
    few = _qualifying_stories(engine, f.min_sources) if f.min_sources and engine is not None else None
    if few is not None and not few:
        keys = []
    if keys and engine is not None and not _key_drives(engine, f):
        keys = []  # the attribute index is the shorter walk; the keys are checked per row (EXISTS)
    # a count reads every match: through the word index; a page of a common phrase: in date order (see textsearch)
    few_text = True if counting or not f.q or engine is None else few_matches(engine, f.q)
    joined: Any
    if keys:
        drive = event_keys.alias("drive")
        joined = drive.join(events, events.c.id == drive.c.event_id)
        date_col, id_col = drive.c.event_date, drive.c.event_id
        conds = [drive.c.key == keys[0], *_conditions(f, skip_key=keys[0], few_stories=few, text_index=few_text)]
    else:
        joined = events
        date_col, id_col = events.c.event_date, events.c.id
        conds = _conditions(f, few_stories=few, text_index=few_text)
        if few is not None and not few:
            conds.append(false())  # no story has that many sources
    if joins or f.min_sources:  # counts need the story only for its sources
        if joins:
            joined = joined.join(articles, articles.c.id == events.c.article_id)
        joined = joined.join(stories, stories.c.id == events.c.story_id, isouter=not f.min_sources)
    if ptype is not None:
        conds.append(events.c.plover_type == ptype)
    query = select(*columns).select_from(joined).where(and_(true(), *conds))
    return query, date_col, id_col


def _keyset(
    date_col: Any, id_col: Any, cursor: Cursor | None, *, desc: bool, dated: bool
) -> list[ColumnElement[bool]]:
    if not dated:
        conds = [date_col.is_(None)]
        if cursor is not None and cursor.value is None:
            conds.append(id_col < cursor.id if desc else id_col > cursor.id)
        return conds
    conds = [date_col.is_not(None)]
    if cursor is not None and cursor.value is not None:
        when = datetime.fromisoformat(cursor.value)
        # a row-value comparison: both engines seek the (date, id) index to it
        if desc:
            conds.append(tuple_(date_col, id_col) < tuple_(literal(when, events.c.event_date.type), literal(cursor.id)))
        else:
            conds.append(tuple_(date_col, id_col) > tuple_(literal(when, events.c.event_date.type), literal(cursor.id)))
    return conds


def _phase(
    engine: Engine, f: EventFilter, cursor: Cursor | None, *, desc: bool, dated: bool, limit: int
) -> list[dict[str, Any]]:
    types: list[str | None] = list(f.types) if f.types else [None]
    if f.keys() and f.types:
        # a key walk checks the type on each row; one walk per type would repeat the key walk
        query, date_col, id_col = _walk(f.with_(types=()), ptype=None, engine=engine)
        parts = [(query.where(events.c.plover_type.in_(f.types)), date_col, id_col)]
    elif len(types) == 1:
        parts = [_walk(f, ptype=types[0], engine=engine)]
    else:  # the merge below reads only (date, id) from each walk
        parts = [_walk(f, ptype=t, engine=engine, columns=(events.c.id,)) for t in types]

    def ordered(query: Select[Any], date_col: Any, id_col: Any) -> Select[Any]:
        order = [date_col.desc(), id_col.desc()] if desc else [date_col.asc(), id_col.asc()]
        where = _keyset(date_col, id_col, cursor, desc=desc, dated=dated)
        return query.where(*where).order_by(*(order if dated else order[1:])).limit(limit)

    with engine.connect() as conn:
        if len(parts) == 1:
            return [dict(r) for r in conn.execute(ordered(*parts[0])).mappings()]
        # Several ordered walks (one per type): merge their (date, id) keys, which each index holds, and read
        # the full rows of the one page that wins, not of every walk's page.
        subs = [ordered(q.with_only_columns(d.label("d"), i.label("i")), d, i) for q, d, i in parts]
        merged = union_all(*[select(s.subquery()) for s in subs]).subquery()
        order = [merged.c.d.desc(), merged.c.i.desc()] if desc else [merged.c.d, merged.c.i]
        ids = [r.i for r in conn.execute(select(merged.c.i).order_by(*(order if dated else order[1:])).limit(limit))]
        if not ids:
            return []
        full, _d, _i = _walk(EventFilter(), ptype=None)
        rows = {r["id"]: dict(r) for r in conn.execute(full.where(events.c.id.in_(ids))).mappings()}
    return [rows[i] for i in ids if i in rows]


def list_events(
    engine: Engine, f: EventFilter, *, limit: int = 50, cursor: str | None = None, sort: str = "-date",
    offset: int = 0, with_total: bool = True,
) -> Page:  # fmt: skip
    """One page of events matching ``f``, newest first (``sort="date"``: oldest first); undated ones last."""
    desc = sort != "date"
    cur = Cursor.decode(cursor)
    if f.story_id or f.article_id:
        return _small_set(engine, f, cur, desc=desc, limit=limit, offset=offset)
    want = limit + offset + 1
    rows: list[dict[str, Any]] = []
    if cur is None or cur.value is not None:
        rows = _phase(engine, f, cur, desc=desc, dated=True, limit=want)
    if len(rows) < want:
        rows += _phase(engine, f, cur if cur is not None and cur.value is None else None, desc=desc,
                       dated=False, limit=want - len(rows))  # fmt: skip
    rows = rows[offset:]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        when = _utc(last["event_date"])
        next_cursor = Cursor(when.isoformat() if when else None, last["id"]).encode()
    total, exact = count_events(engine, f) if with_total else (len(rows), False)
    return Page(rows, total, exact, next_cursor)


def _small_set(engine: Engine, f: EventFilter, cur: Cursor | None, *, desc: bool, limit: int, offset: int) -> Page:
    """The events of one story or article: read by its index and ordered here (a date-ordered walk would pass
    every event of the database to find a story's few)."""
    query = select(*_LIST_COLUMNS).select_from(
        events.join(articles, articles.c.id == events.c.article_id).join(
            stories, stories.c.id == events.c.story_id, isouter=not f.min_sources
        )
    )
    conds = _conditions(f, few_stories=None)
    if f.types:
        conds.append(events.c.plover_type.in_(f.types))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query.where(*conds)).mappings()]
    far = datetime.min.replace(tzinfo=UTC)

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        when = _utc(r["event_date"])
        return (when is None, far if when is None else when, r["id"])

    dated = sorted((r for r in rows if r["event_date"] is not None), key=key, reverse=desc)
    undated = sorted((r for r in rows if r["event_date"] is None), key=lambda r: r["id"], reverse=desc)
    ordered = dated + undated
    if cur is not None:
        position = next((i for i, r in enumerate(ordered) if r["id"] == cur.id), None)
        ordered = ordered[position + 1 :] if position is not None else []
    page = ordered[offset : offset + limit]
    more = len(ordered) > offset + limit
    nxt = None
    if more and page:
        when = _utc(page[-1]["event_date"])
        nxt = Cursor(when.isoformat() if when else None, page[-1]["id"]).encode()
    return Page(page, len(rows), True, nxt)


def iter_events(engine: Engine, f: EventFilter, *, batch: int = 2000, sort: str = "-date") -> Iterator[dict[str, Any]]:
    """Every event matching ``f`` in list order, read page by page (constant memory at any size)."""
    cursor: str | None = None
    while True:
        page = list_events(engine, f, limit=batch, cursor=cursor, sort=sort, with_total=False)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# ---------------------------------------------------------------------------------------- rollups


def _rollup_target(f: EventFilter) -> tuple[str, str | None] | None:
    """(kind, key) of the rollup cells that count exactly the events of ``f``; None when none does."""
    if f.certainty or f.source_type or f.min_sources or f.q or f.article_id or f.story_id:
        return None
    if not f.include_negated and not f.realised:
        return None
    others = [x for x in (f.dyad, f.actor, f.place) if x]
    if len(others) > 1:
        return None
    if f.dyad:
        return ("d" if " " in f.dyad else "e", f.dyad)
    if f.actor:
        return ("a", f.actor)
    if f.place:
        return ("p", f.place)
    return ("t", "")


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _grains(since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """Conditions selecting rollup rows that cover [since, until] exactly: whole months from the month rows,
    the days of partial months from the day rows; without dates, the all-time rows (undated events included)."""
    r = event_rollup.c
    if since is None and until is None:
        return [r.grain == "a"]
    first_full = None if since is None else (since if since.day == 1 else _month_end(since) + timedelta(days=1))
    last_full = None if until is None else (until if until == _month_end(until) else _month_start(until) - timedelta(days=1))
    parts: list[ColumnElement[bool]] = []
    if first_full is None or last_full is None or first_full <= last_full:
        conds = [r.grain == "m"]
        if first_full is not None:
            conds.append(r.period >= first_full.isoformat())
        if last_full is not None:
            conds.append(r.period <= last_full.replace(day=1).isoformat())
        parts.append(and_(*conds))
        if since is not None and first_full is not None and since < first_full:
            parts.append(and_(r.grain == "d", r.period >= since.isoformat(), r.period < first_full.isoformat()))
        if until is not None and last_full is not None and until > last_full:
            parts.append(and_(r.grain == "d", r.period > last_full.isoformat(), r.period <= until.isoformat()))
    else:  # within one month
        conds = [r.grain == "d"]
        if since is not None:
            conds.append(r.period >= since.isoformat())
        if until is not None:
            conds.append(r.period <= until.isoformat())
        parts.append(and_(*conds))
    return [or_(*parts)] if len(parts) > 1 else parts


def _rollup_where(f: EventFilter, kind: str, key: str | None, *, grains: bool = True) -> list[ColumnElement[bool]]:
    r = event_rollup.c
    conds = [r.kind == kind, r.party == (f.country or "")]
    if grains:
        conds += _grains(f.since, f.until)
    if f.types:
        conds.append(r.plover_type.in_(f.types))
    if f.realised:
        conds.append(r.realised == 1)
    if key:
        conds.append(r.key.startswith(key + "|", autoescape=True) if kind == "p" else r.key == key)
    return conds


def count_events(engine: Engine, f: EventFilter) -> tuple[int, bool]:
    """(number of events matching ``f``, whether the number is exact)."""
    target = _rollup_target(f)
    with engine.connect() as conn:
        if target is not None:
            kind, key = target
            total = conn.execute(select(func.coalesce(func.sum(event_rollup.c.n), 0)).where(*_rollup_where(f, kind, key))).scalar()
            return int(total or 0), True
        query, _d, _i = _walk(f.with_(types=()), ptype=None, columns=[events.c.id], engine=engine, joins=False,
                              counting=True)
        if f.types:
            query = query.where(events.c.plover_type.in_(f.types))
        n = conn.execute(select(func.count()).select_from(query.limit(COUNT_CAP + 1).subquery())).scalar() or 0
    return (COUNT_CAP, False) if n > COUNT_CAP else (int(n), True)


def _bucket_of(period: str, bucket: str) -> str:
    d = date.fromisoformat(period)
    if bucket == "day":
        return period
    if bucket == "week":
        return (d - timedelta(days=d.weekday())).isoformat()
    if bucket == "month":
        return d.replace(day=1).isoformat()
    return d.replace(month=1, day=1).isoformat()


def _next_bucket(d: date, bucket: str) -> date:
    if bucket == "day":
        return d + timedelta(days=1)
    if bucket == "week":
        return d + timedelta(days=7)
    if bucket == "month":
        return _month_end(d) + timedelta(days=1)
    return date(d.year + 1, 1, 1)


def choose_bucket(f: EventFilter, bucket: str, first: date | None, last: date | None) -> str:
    lo, hi = f.since or first, f.until or last
    span = (hi - lo).days if lo and hi else 0
    if bucket == "auto":
        return "day" if span <= 62 else "week" if span <= 270 else "month" if span <= 365 * 12 else "year"
    if bucket in ("day", "week") and span > MAX_DAY_BUCKET_DAYS:
        raise QueryError(
            f"bucket={bucket} covers at most {MAX_DAY_BUCKET_DAYS} days and this range spans {span}; "
            "use bucket=month or year, or narrow since/until",
            param="bucket",
            allowed=["auto", "month", "year"],
        )
    return bucket


def _date_span(engine: Engine, f: EventFilter) -> tuple[date | None, date | None]:
    r = event_rollup.c
    where = (r.kind == "t", r.party == (f.country or ""), r.grain == "d")
    with engine.connect() as conn:  # one aggregate per query: each is then a single index lookup
        lo = conn.execute(select(func.min(r.period)).where(*where)).scalar()
        hi = conn.execute(select(func.max(r.period)).where(*where)).scalar()
    return (date.fromisoformat(lo) if lo else None, date.fromisoformat(hi) if hi else None)


def main_span(engine: Engine, f: EventFilter, *, share: float = 0.95) -> tuple[date, date] | None:
    """The days between which ``share`` of the dated events fall (the tails cut evenly, then widened again by any
    days that continue it without a long gap), when a few far-off dates
    stretch the axis to more than twice that: a report of 2024 that recalls a 2000 summit dates one event in 2000,
    and a chart from 2000 to 2024 would hide everything else in one bar. None when the whole span is the main one.
    Read from the daily totals (one row per day), so it costs one index range at any size."""
    r = event_rollup.c
    query = (
        select(r.period, func.sum(r.n))
        .where(r.kind == "t", r.party == (f.country or ""), r.grain == "d")
        .group_by(r.period)
        .order_by(r.period)
    )
    with engine.connect() as conn:
        days = [(p, int(n)) for p, n in conn.execute(query) if n]
    total = sum(n for _, n in days)
    if len(days) < 2 or total == 0:
        return None
    cut = total * (1 - share) / 2
    seen, lo = 0, days[0][0]
    for period, n in days:
        seen += n
        if seen > cut:
            lo = period
            break
    seen, hi = 0, days[-1][0]
    for period, n in reversed(days):
        seen += n
        if seen > cut:
            hi = period
            break
    first, last = date.fromisoformat(days[0][0]), date.fromisoformat(days[-1][0])
    start, end = date.fromisoformat(lo), date.fromisoformat(hi)
    # only detached dates are left out: days that continue the main span (no gap longer than a tenth of it, or a
    # week) are taken back in, so the newest events are never cut from the chart
    gap = max((end - start).days // 10, 7)
    for period, _n in reversed(days):
        d = date.fromisoformat(period)
        if d < start and (start - d).days <= gap:
            start = d
    for period, _n in days:
        d = date.fromisoformat(period)
        if d > end and (d - end).days <= gap:
            end = d
    main = (start, end)
    if (last - first).days <= 2 * max((main[1] - main[0]).days, 1):
        return None
    return main


def timeline(engine: Engine, f: EventFilter, *, bucket: str = "auto", by: str = "type") -> dict[str, Any]:
    """Event counts per time bucket, one series per PLOVER type (``by="type"``), quad class or in total."""
    first, last = _date_span(engine, f)
    bucket = choose_bucket(f, bucket, first, last)
    counts: Counter[tuple[str, str]] = Counter()
    undated = 0
    complete = True
    target = _rollup_target(f)
    if target is not None:
        kind, key = target
        r = event_rollup.c
        if bucket in ("day", "week"):
            grains: list[ColumnElement[bool]] = [r.grain == "d"]
            if f.since:
                grains.append(r.period >= f.since.isoformat())
            if f.until:
                grains.append(r.period <= f.until.isoformat())
            if not (f.since or f.until):
                grains = [r.grain.in_(("d", "u"))]
        elif f.since or f.until:
            grains = _grains(f.since, f.until)
        else:
            grains = [r.grain.in_(("m", "u"))]
        query = (
            select(r.grain, r.period, r.plover_type, func.sum(r.n).label("n"))
            .where(*_rollup_where(f, kind, key, grains=False), *grains)
            .group_by(r.grain, r.period, r.plover_type)
        )
        with engine.connect() as conn:
            for grain, period, ptype, n in conn.execute(query):
                if grain == "u":
                    undated += int(n)
                elif n:
                    counts[(_bucket_of(period, bucket), ptype)] += int(n)
    else:
        live, _d, _i = _walk(f.with_(types=()), ptype=None, columns=[events.c.event_date, events.c.plover_type], engine=engine)
        if f.types:
            live = live.where(events.c.plover_type.in_(f.types))
        with engine.connect() as conn:
            seen = 0
            for when, ptype in conn.execute(live.limit(LIVE_CAP + 1)).tuples():
                seen += 1
                if seen > LIVE_CAP:
                    complete = False
                    break
                w = _utc(when)
                if w is None:
                    undated += 1
                else:
                    counts[(_bucket_of(w.date().isoformat(), bucket), ptype)] += 1
    return _series(counts, f, bucket, by, undated=undated, complete=complete)


def _series(counts: Counter[tuple[str, str]], f: EventFilter, bucket: str, by: str, *, undated: int, complete: bool) -> dict[str, Any]:
    def group(ptype: str) -> str:
        if by == "quad":
            return QUAD_NAMES.get(QUAD.get(ptype, 0), "other")
        return ptype if by == "type" else "events"

    buckets = sorted({b for b, _ in counts})
    periods: list[str] = []
    if buckets or f.since:
        start = date.fromisoformat(_bucket_of((f.since or date.fromisoformat(buckets[0])).isoformat(), bucket))
        end = date.fromisoformat(_bucket_of((f.until or date.fromisoformat(buckets[-1])).isoformat(), bucket)) if (buckets or f.until) else start
        d = start
        while d <= end and len(periods) < 5000:
            periods.append(d.isoformat())
            d = _next_bucket(d, bucket)
    index = {p: i for i, p in enumerate(periods)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    for (b, ptype), n in counts.items():
        if b in index:
            series[group(ptype)][index[b]] += n
    ordered = sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return {
        "bucket": bucket,
        "by": by,
        "periods": periods,
        "series": [{"key": k, "total": sum(v), "counts": v} for k, v in ordered],
        "total": sum(sum(v) for v in series.values()) + undated,
        "undated": undated,
        "complete": complete,
    }


def _live_rows(engine: Engine, f: EventFilter) -> tuple[list[dict[str, Any]], bool]:
    cols = [events.c.id, events.c.event_date, events.c.plover_type, events.c.actors, events.c.recipients,
            events.c.country, events.c.place_name, events.c.lat, events.c.lon, events.c.geo_precision,
            events.c.negated, events.c.tense]  # fmt: skip
    query, _d, _i = _walk(f.with_(types=()), ptype=None, columns=cols, engine=engine)
    if f.types:
        query = query.where(events.c.plover_type.in_(f.types))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query.limit(LIVE_CAP + 1)).mappings()]
    return rows[:LIVE_CAP], len(rows) <= LIVE_CAP


def _grouped(engine: Engine, f: EventFilter, kind: str, *, limit: int | None = None) -> tuple[list[tuple[str, str, int]], bool]:
    """(key, PLOVER type, count) per rollup key of ``kind`` for the events of ``f``; whether complete."""
    target = _rollup_target(f)
    if target is not None and (target[0] == "t" or target[0] == kind):
        _k, key = target
        r = event_rollup.c
        where = _rollup_where(f, kind, key if target[0] == kind else None)
        query = select(r.key, r.plover_type, func.sum(r.n).label("n")).where(*where).group_by(r.key, r.plover_type)
        with engine.connect() as conn:
            return [(k, t, int(n)) for k, t, n in conn.execute(query) if n], True
    rows, complete = _live_rows(engine, f)
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        parts = event_parts(row)
        keys = {"d": parts["dyads"], "e": parts["country_dyads"], "a": parts["codes"], "t": [""]}.get(kind)
        if kind == "p":
            place = place_rollup_key(row)
            keys = [place] if place else []
        for key in keys or ():
            counts[(key, row.get("plover_type") or "")] += 1
    return [(k, t, n) for (k, t), n in counts.items()], complete


def _quads(by_type: Counter[str]) -> dict[str, int]:
    out = {name: 0 for name in QUAD_NAMES.values()}
    for t, n in by_type.items():
        if t in QUAD:
            out[QUAD_NAMES[QUAD[t]]] += n
    return out


def _tone(quads: dict[str, int]) -> float:
    """-1 (all conflict) .. +1 (all cooperation)."""
    coop = quads["verbal-cooperation"] + quads["material-cooperation"]
    conflict = quads["verbal-conflict"] + quads["material-conflict"]
    return round((coop - conflict) / (coop + conflict), 3) if coop + conflict else 0.0


def network(engine: Engine, f: EventFilter, *, level: str = "country", limit: int = 80) -> dict[str, Any]:
    """Actors as nodes and actor>recipient dyads as edges, weighted by events and coloured by cooperation."""
    rows, complete = _grouped(engine, f, "e" if level == "country" else "d")
    by_edge: dict[str, Counter[str]] = defaultdict(Counter)
    for key, ptype, n in rows:
        by_edge[key][ptype] += n
    ranked = sorted(by_edge.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    edges: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for key, types in ranked[:limit]:
        a, _, b = key.partition(">")
        quads = _quads(types)
        weight = sum(types.values())
        edges.append({"source": a, "target": b, "dyad": key, "events": weight, "quads": quads, "tone": _tone(quads),
                      "types": dict(types.most_common())})  # fmt: skip
        for code, role in ((a, "out"), (b, "in")):
            node = nodes.setdefault(code, {"id": code, "name": _code_name(code), "events_out": 0, "events_in": 0})
            node["events_" + role] += weight
    return {"level": level, "nodes": list(nodes.values()), "edges": edges, "edges_total": len(by_edge), "complete": complete}


def _country_codes() -> list[str]:
    from ..query import choices

    return [c["code"] for c in choices()["country"]]


def _code_name(code: str) -> str:
    head, _, sector = code.partition(" ")
    name = country_name(head) or head
    return f"{name} {sector}".strip()


def places(engine: Engine, f: EventFilter, *, limit: int = 2000) -> dict[str, Any]:
    """Event counts by place at the place's precision: points for places with coordinates, countries and
    regions without a point counted apart (never drawn at a made-up centroid)."""
    rows, complete = _grouped(engine, f, "p")
    merged: dict[str, Counter[str]] = defaultdict(Counter)
    for key, ptype, n in rows:
        merged[key][ptype] += n
    points, areas = [], []
    for key, types in sorted(merged.items(), key=lambda kv: -sum(kv[1].values())):
        name, country, precision, lat, lon = (key.split("|") + ["", "", "", "", ""])[:5]
        quads = _quads(types)
        item = {"name": name, "country": country or None, "precision": precision or None,
                "events": sum(types.values()), "quads": quads, "place": f"{name}|{country}"}  # fmt: skip
        if lat and lon:
            points.append({**item, "lat": float(lat), "lon": float(lon)})
        else:
            areas.append({**item, "numeric": country_numeric(country) if precision == "country" else None})
    return {"points": points[:limit], "areas": areas[:limit], "complete": complete}


def top(engine: Engine, f: EventFilter, *, kind: str, limit: int = 10) -> list[dict[str, Any]]:
    """The most frequent actor codes (``a``), dyads (``e`` country, ``d`` actor), places (``p``) or countries (``c``)."""
    if kind == "c":
        if f.country:
            return []
        r = event_rollup.c
        g = f.with_(country=None)
        target = _rollup_target(g)
        if target is None or target[0] != "t":
            return []
        where = [c for c in _rollup_where(g, "t", None) if c is not None]
        # one index seek per country code, not a scan of every country's cells
        where[1] = r.party.in_(sorted(_country_codes()))
        query = (select(r.party, func.sum(r.n).label("n")).where(*where).group_by(r.party)
                 .order_by(func.sum(r.n).desc(), r.party).limit(limit))  # fmt: skip
        with engine.connect() as conn:
            return [{"key": p, "name": country_name(p) or p, "events": int(n)} for p, n in conn.execute(query) if n]
    rows, _complete = _grouped(engine, f, kind)
    totals: Counter[str] = Counter()
    for key, _t, n in rows:
        totals[key] += n
    out = []
    for key, n in totals.most_common(limit):
        if kind == "p":
            name, country = (key.split("|") + [""])[:2]
            out.append({"key": f"{name}|{country}", "name": name, "country": country, "events": n})
        elif kind in ("d", "e"):
            a, _, b = key.partition(">")
            out.append({"key": key, "name": f"{_code_name(a)} → {_code_name(b)}", "events": n})
        else:
            out.append({"key": key, "name": _code_name(key), "events": n})
    return out


# ---------------------------------------------------------------------------------------- stories, claims


_STORY_SORT = {
    "-last_seen": (stories.c.last_seen, True),
    "last_seen": (stories.c.last_seen, False),
    "-sources": (stories.c.num_independent_sources, True),
    "-articles": (stories.c.num_articles, True),
}


def list_stories(
    engine: Engine, *, min_sources: int = 0, since: date | None = None, until: date | None = None,
    q: str | None = None, sort: str = "-last_seen", limit: int = 50, cursor: str | None = None,
) -> Page:  # fmt: skip
    """Stories with at least ``min_sources`` independent sources, seen within the dates, titles containing ``q``."""
    col, desc = _STORY_SORT[sort]
    conds: list[ColumnElement[bool]] = []
    if min_sources:
        conds.append(stories.c.num_independent_sources >= min_sources)
    if since:
        conds.append(stories.c.last_seen >= datetime(since.year, since.month, since.day, tzinfo=UTC))
    if until:
        conds.append(stories.c.first_seen < datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1))
    if q:
        conds.append(stories.c.title.ilike("%" + q.replace("%", "") + "%"))
    cur = Cursor.decode(cursor)
    page_conds = list(conds)
    numeric = col is not stories.c.last_seen
    if cur is not None:
        value: Any = None
        if cur.value is not None:
            value = int(cur.value) if numeric else datetime.fromisoformat(cur.value)
        if value is None:
            page_conds += [col.is_(None), stories.c.id > cur.id]
        elif desc:
            page_conds.append(or_(col < value, and_(col == value, stories.c.id > cur.id), col.is_(None)))
        else:
            page_conds.append(or_(col > value, and_(col == value, stories.c.id > cur.id), col.is_(None)))
    order = [(col.desc() if desc else col.asc()).nulls_last(), stories.c.id]
    query = select(stories).where(*page_conds).order_by(*order).limit(limit + 1)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        total = conn.execute(select(func.count()).select_from(stories).where(*conds)).scalar() or 0
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if more and rows:
        v = rows[-1][col.name]
        nxt = Cursor(None if v is None else (str(v) if numeric else _utc(v).isoformat()), rows[-1]["id"]).encode()  # type: ignore[union-attr]
    return Page(rows, int(total), True, nxt)


def list_claims(
    engine: Engine, *, certainty: Sequence[str] = (), source_type: Sequence[str] = (), speaker: str | None = None,
    q: str | None = None, article_id: str | None = None, sort: str = "-date", limit: int = 50,
    cursor: str | None = None,
) -> Page:  # fmt: skip
    """Claims with their article's date, title and site, newest article first."""
    conds: list[ColumnElement[bool]] = []
    if certainty:
        conds.append(claims.c.certainty.in_(list(certainty)))
    if source_type:
        conds.append(claims.c.source_type.in_(list(source_type)))
    if speaker:
        conds.append(claims.c.speaker.ilike("%" + speaker.replace("%", "") + "%"))
    if q:
        conds.append(claims.c.text.ilike("%" + q.replace("%", "") + "%"))
    if article_id:
        conds.append(claims.c.article_id == article_id)
    desc = sort != "date"
    cur = Cursor.decode(cursor)
    date_col = articles.c.published_at
    page_conds = list(conds)
    if cur is not None:
        aid, cid = cur.extra.get("a", ""), cur.id
        if cur.value is None:
            page_conds += [date_col.is_(None), or_(articles.c.id > aid, and_(articles.c.id == aid, claims.c.id > cid))]
        else:
            when = datetime.fromisoformat(cur.value)
            beyond = date_col < when if desc else date_col > when
            page_conds.append(or_(beyond, and_(date_col == when, or_(articles.c.id > aid, and_(articles.c.id == aid, claims.c.id > cid))), date_col.is_(None)))
    order = [(date_col.desc() if desc else date_col.asc()).nulls_last(), articles.c.id, claims.c.id]
    cols = [*claims.c, articles.c.title.label("article_title"), articles.c.site.label("article_site"),
            articles.c.published_at.label("article_published_at")]  # fmt: skip
    joined = claims.join(articles, articles.c.id == claims.c.article_id)
    query = select(*cols).select_from(joined).where(*page_conds).order_by(*order).limit(limit + 1)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        counted = select(claims.c.id).where(*conds).limit(COUNT_CAP + 1).subquery()  # the filters are on claims only
        total = conn.execute(select(func.count()).select_from(counted)).scalar() or 0
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if more and rows:
        last = rows[-1]
        published = _utc(last["article_published_at"])
        nxt = Cursor(published.isoformat() if published else None, last["id"], {"a": last["article_id"]}).encode()
    exact = total <= COUNT_CAP
    return Page(rows, min(int(total), COUNT_CAP), exact, nxt)


def articles_actors(engine: Engine, article_ids: Sequence[str], *, per_article: int = 10) -> dict[str, list[dict[str, Any]]]:
    """The coded actors of several articles in one query (as ``Store.article_actors``, most mentioned first)."""
    from .schema import mentions

    if not article_ids:
        return {}
    query = (
        select(
            mentions.c.article_id, mentions.c.country, mentions.c.sector, func.min(mentions.c.text).label("text"),
            func.min(mentions.c.actor_id).label("actor_id"), func.count().label("n"),
        )
        .where(mentions.c.article_id.in_(list(article_ids)), mentions.c.country.is_not(None))
        .group_by(mentions.c.article_id, mentions.c.country, mentions.c.sector)
    )  # fmt: skip
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            out[row["article_id"]].append({k: row[k] for k in ("country", "sector", "text", "actor_id", "n")})
    return {a: sorted(v, key=lambda x: (-x["n"], x["country"]))[:per_article] for a, v in out.items()}


def count_articles(engine: Engine, *, site: str | None = None, q: str | None = None) -> tuple[int, bool]:
    """(number of stored articles of ``site`` containing ``q``, whether exact: capped like the event counts)."""
    query = select(articles.c.id)
    if site:
        query = query.where(articles.c.site == site)
    if q:
        like = "%" + q.replace("%", "") + "%"
        query = query.where(or_(articles.c.title.ilike(like), articles.c.text.ilike(like)))
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(query.limit(COUNT_CAP + 1).subquery())).scalar() or 0
    return (COUNT_CAP, False) if n > COUNT_CAP else (int(n), True)


def claim_certainty_counts(engine: Engine, article_id: str) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(claims.c.certainty, func.count()).where(claims.c.article_id == article_id).group_by(claims.c.certainty)
        )
        return {str(c): int(n) for c, n in rows}


__all__ = [
    "Page", "count_events", "iter_events", "list_claims", "list_events", "list_stories", "network", "places",
    "realised", "timeline", "top", "UNDATED",
]  # fmt: skip

"""Open a database and read and write articles, analyses and ingest errors with SQLAlchemy Core.

SQLite files are opened in WAL mode with foreign keys on; PostgreSQL URLs work the same way. Writes are
idempotent: ``save_article`` returns the id already stored when the same id (canonical URL, else text
hash) or canonical URL was seen before, and ``save_analysis`` replaces an article's mentions, events and claims
as one transaction, so an interrupted run can simply be run again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from ..errors import NotFoundError, StoreError
from ..instants import to_utc, utc_offset
from ..models import Actor, Analysis, Article, Claim, CodedActor, Event, IngestFailure
from . import derived, schema
from .schema import actors, articles, claims, events, ingest_errors, mentions, stories

log = logging.getLogger(__name__)


@dataclass
class SaveResult:
    """What ``save_article`` did: ``status`` is "new" or "existing" (same id or canonical URL)."""

    article_id: str
    status: str
    analyzed: bool = False
    copy: bool = False  # stored as a copy of an earlier article: never analysed (its original carries the events)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _utc(value: datetime | None) -> datetime | None:
    return to_utc(value)


def _calendar_day(value: datetime | None, precision: str | None) -> datetime | None:
    """An event date as stored: a clock time ("hour") is an instant, converted to UTC; a day, week, month or
    year is a calendar date, kept as that date at midnight UTC (converting "21 January" at midnight in Tokyo
    to UTC would move it to the 20th)."""
    if value is None:
        return None
    if precision == "hour":
        return to_utc(value)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _no_nul(value: Any) -> Any:
    """PostgreSQL refuses NUL in text; no text newswatch stores needs one."""
    return value.replace("\x00", "") if isinstance(value, str) else value


# Columns added after the first schema: a database made by an older version gets them (all nullable).
_ADDED_COLUMNS: dict[str, tuple[str, ...]] = {"articles": ("published_offset", "notes")}


class Store:
    """A database holding newswatch data."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    # ------------------------------------------------------------------ setup

    def create(self) -> None:
        try:
            schema.metadata.create_all(self.engine)
            self._add_columns()
            derived.ensure(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"could not create the newswatch tables in {self.url}: {exc.__class__.__name__}: {exc}. "
                "Check that the database exists and that you may write to it."
            ) from exc

    def _add_columns(self) -> None:
        inspector = inspect(self.engine)
        with self.engine.begin() as conn:
            for table_name, names in _ADDED_COLUMNS.items():
                present = {c["name"] for c in inspector.get_columns(table_name)}
                for name in names:
                    if name in present:
                        continue
                    column = schema.metadata.tables[table_name].c[name]
                    kind = column.type.compile(dialect=self.engine.dialect)
                    log.info("adding column %s.%s to %s", table_name, name, self.url)
                    conn.execute(text(f'ALTER TABLE {table_name} ADD COLUMN "{name}" {kind}'))

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ articles

    def find_existing(self, conn: Connection, article: Article) -> tuple[str, str, bool] | None:
        """(id, ingest_status, is a copy) of the stored article with the same id or canonical URL.

        An article with the same text under another URL is stored too: it is a copy, and the dedup stage
        links it to the earliest version, so that the copy's site still counts in the syndication chain.
        """
        row = conn.execute(
            select(articles.c.id, articles.c.ingest_status, articles.c.duplicate_of).where(
                articles.c.id == article.id
            )
        ).first()
        if row is None and article.canonical_url:
            row = conn.execute(
                select(articles.c.id, articles.c.ingest_status, articles.c.duplicate_of).where(
                    articles.c.canonical_url == article.canonical_url
                )
            ).first()
        return (row.id, row.ingest_status, row.duplicate_of is not None) if row else None

    def save_article(self, article: Article, *, conn: Connection | None = None) -> SaveResult:
        """Store ``article`` unless the same article (id, canonical URL or text) is already stored."""
        if conn is None:
            with self._begin() as c:
                return self.save_article(article, conn=c)
        found = self.find_existing(conn, article)
        if found is not None:
            found_id, status, copy = found
            return SaveResult(found_id, "existing", analyzed=status == "analyzed", copy=copy or status == "copy")
        try:
            conn.execute(insert(articles).values(**self._article_row(article)))
        except (DataError, IntegrityError) as exc:
            raise StoreError(
                f"the database refused this article ({exc.orig}); the other articles are stored. "
                "Check the record's fields for values the database cannot hold"
            ) from exc
        return SaveResult(article.id, "new")

    def mark_copy(self, article_id: str, *, conn: Connection) -> None:
        """Record that ``article_id`` was stored as a copy: a re-run after a crash must not analyse it, just as
        the run that stored it would not have."""
        conn.execute(update(articles).where(articles.c.id == article_id).values(ingest_status="copy"))

    @staticmethod
    def _article_row(article: Article) -> dict[str, Any]:
        row = {
            "id": article.id,
            "url": article.url,
            "canonical_url": article.canonical_url,
            "site": article.site,
            "title": article.title,
            "author": article.author,
            "published_at": _utc(article.published_at),
            "fetched_at": _utc(article.fetched_at),
            "language": article.language,
            "text": article.text,
            "text_hash": article.text_hash,
            "original_source": article.original_source,
            "source": article.source,
            "name": article.name,
            "ingest_status": "extracted",
            "created_at": datetime.now(UTC),
            "published_offset": utc_offset(article.published_at),
            "notes": [_no_nul(n) for n in article.notes] or None,
        }
        return {k: _no_nul(v) for k, v in row.items()}

    def get_article(self, article_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}; list ids with: newswatch articles")
        return dict(row)

    def iter_articles(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        site: str | None = None,
        q: str | None = None,
        include_text: bool = True,
    ) -> Iterator[dict[str, Any]]:
        cols = list(articles.c) if include_text else [c for c in articles.c if c.name != "text"]
        query = select(*cols).order_by(articles.c.published_at.desc(), articles.c.id)
        if site:
            query = query.where(articles.c.site == site)
        if q:
            like = f"%{q}%"
            query = query.where(or_(articles.c.title.ilike(like), articles.c.text.ilike(like)))
        yield from self._rows(query, limit=limit, offset=offset)

    def count(self, table_name: str) -> int:
        table = schema.metadata.tables[table_name]
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    # ------------------------------------------------------------------ analysis

    def save_analysis(self, analysis: Analysis, *, coder_version: str) -> None:
        """Replace everything stored for the article with this analysis, in one transaction."""
        try:
            with self._begin() as conn:
                self._replace_analyses(conn, [analysis], coder_version)
        except (DataError, IntegrityError) as exc:
            raise StoreError(
                f"the database refused the analysis of article {analysis.article.id} ({exc.orig}); "
                "the article stays stored without it and the next run tries again"
            ) from exc

    def save_analyses(self, batch: Sequence[Analysis], *, coder_version: str) -> list[StoreError | None]:
        """``save_analysis`` for each of ``batch``, all in one transaction and each table written once for all
        (what a run does: a transaction and a dozen statements per article cost more than a fast coder's
        analysis). When the database refuses the batch, each is saved alone, so only the refused one is lost.
        Returns, per analysis, the error that kept it out, or None."""
        last = {a.article.id: i for i, a in enumerate(batch)}  # an article twice: its last analysis wins
        if len(batch) > 1:
            try:
                with self._begin() as conn:
                    self._replace_analyses(
                        conn, [a for i, a in enumerate(batch) if last[a.article.id] == i], coder_version
                    )
                return [None] * len(batch)
            except (DataError, IntegrityError):
                log.warning("the database refused a batch of %d analyses; saving them one at a time", len(batch))
        out: list[StoreError | None] = []
        for i, analysis in enumerate(batch):
            try:
                if last[analysis.article.id] == i:
                    self.save_analysis(analysis, coder_version=coder_version)
                out.append(None)
            except StoreError as exc:
                out.append(exc)
        return out

    def _replace_analyses(self, conn: Connection, batch: Sequence[Analysis], coder_version: str) -> None:
        """Replace the mentions, claims and events of the articles of ``batch`` (distinct ids) in ``conn``'s
        transaction, and the derived rows with them."""
        changes = derived.Changes()
        ids = [a.article.id for a in batch]
        derived.remove_articles(conn, ids, changes)
        for i in range(0, len(ids), 500):
            for table in (mentions, events, claims):
                conn.execute(delete(table).where(table.c.article_id.in_(ids[i : i + 500])))
        mention_rows = [
            {
                "article_id": a.article.id,
                "sentence": m.sentence,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "label": m.label,
                "actor_id": m.actor.actor_id if m.actor else None,
                "country": m.actor.country if m.actor else None,
                "sector": m.actor.sector if m.actor else None,
                "rule": m.actor.rule if m.actor else None,
            }
            for a in batch
            for m in a.mentions
        ]
        if mention_rows:
            conn.execute(insert(mentions), mention_rows)
            for a in batch:
                derived.change_actor_counts([m.actor.actor_id if m.actor else None for m in a.mentions], 1, changes)
        claim_rows = [self._claim_row(c, coder_version) for a in batch for c in a.claims]
        if claim_rows:
            conn.execute(insert(claims), _unique_by_id(claim_rows))
        # Re-coded events keep the story their article is in (a re-run that re-analyses an article placed
        # by an earlier run must not leave its new events outside the story).
        story_of: dict[str, Any] = {}
        for i in range(0, len(ids), 500):
            chunk = select(articles.c.id, articles.c.story_id).where(articles.c.id.in_(ids[i : i + 500]))
            story_of.update((r.id, r.story_id) for r in conn.execute(chunk))
        event_rows: list[dict[str, Any]] = []
        for a in batch:
            source_types = {c.id: c.source_type for c in a.claims}
            story_id = story_of.get(a.article.id)
            event_rows += [
                {**self._event_row(e, source_types.get(e.claim_id or "")), "story_id": story_id} for e in a.events
            ]
        if event_rows:
            event_rows = _unique_by_id(event_rows)
            conn.execute(insert(events), event_rows)
            derived.add_events(event_rows, changes)
        conn.execute(
            update(articles)
            .where(articles.c.id == bindparam("aid"))
            .values(
                ingest_status="analyzed",
                coder_version=coder_version,
                notes=bindparam("new_notes", type_=articles.c.notes.type),
            ),
            [
                {"aid": a.article.id, "new_notes": list(dict.fromkeys([*a.article.notes, *a.notes])) or None}
                for a in batch
            ],
        )
        changes.write(conn)

    @staticmethod
    def _claim_row(c: Claim, coder_version: str) -> dict[str, Any]:
        sa = c.speaker_actor
        return {
            "id": c.id,
            "article_id": c.article_id,
            "sentence": c.sentence,
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "speaker": c.speaker,
            "speaker_start": c.speaker_start,
            "speaker_end": c.speaker_end,
            "speaker_actor_id": sa.actor_id if sa else None,
            "speaker_country": sa.country if sa else None,
            "speaker_sector": sa.sector if sa else None,
            "source_type": c.source_type,
            "affiliation": c.affiliation,
            "cue": c.cue,
            "cue_start": c.cue_start,
            "cue_end": c.cue_end,
            "content_start": c.content_start,
            "content_end": c.content_end,
            "certainty": c.certainty,
            "parent_id": c.parent_id,
            "coder_version": coder_version,
        }

    @staticmethod
    def _event_row(e: Event, source_type: str | None) -> dict[str, Any]:
        def actor_json(a: CodedActor) -> dict[str, Any]:
            return {
                "text": a.text,
                "start": a.start,
                "end": a.end,
                "country": a.country,
                "sector": a.sector,
                "actor_id": a.actor_id,
                "name": a.name,
                "rule": a.rule,
            }

        def codes(items: Sequence[CodedActor]) -> str:
            found = sorted({a.country for a in items if a.country})
            return "," + ",".join(found) + "," if found else ""

        place = e.place
        date = e.date
        return {
            "id": e.id,
            "article_id": e.article_id,
            "sentence": e.sentence,
            "text": e.text,
            "sent_start": e.sent_start,
            "trigger": e.trigger,
            "trigger_start": e.trigger_start,
            "trigger_end": e.trigger_end,
            "plover_type": e.plover_type,
            "mode": e.mode,
            "context": list(e.context),
            "cameo_code": e.cameo_code,
            "acled_type": e.acled_type,
            "actors": [actor_json(a) for a in e.actors],
            "recipients": [actor_json(a) for a in e.recipients],
            "actor_countries": codes(e.actors),
            "recipient_countries": codes(e.recipients),
            "event_date": _calendar_day(date.value, date.precision) if date else None,
            "date_precision": date.precision if date else None,
            "date_text": date.text if date else None,
            "place_name": place.name if place else None,
            "country": place.country if place else None,
            "lat": place.lat if place else None,
            "lon": place.lon if place else None,
            "geo_precision": place.precision if place else None,
            "negated": e.negated,
            "tense": e.tense,
            "certainty": e.certainty,
            "claim_id": e.claim_id,
            "source_type": source_type,
            "confidence": e.confidence,
            "rule": e.rule,
            "coder_version": e.coder_version,
        }

    # ------------------------------------------------------------------ actors

    def save_actors(self, items: Sequence[Actor]) -> int:
        """Replace the actor table's shipped entries (idempotent)."""
        rows = [
            {
                "id": a.id,
                "name": a.name,
                "country": a.country,
                "sectors": list(a.sectors),
                "kind": a.kind,
                "aliases": list(a.aliases),
            }
            for a in items
        ]
        with self._begin() as conn:
            conn.execute(delete(actors))
            if rows:
                conn.execute(insert(actors), _unique_by_id(rows))
        return len(rows)

    def iter_actors(
        self, *, country: str | None = None, mentioned_only: bool = False, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Actors with how often they are mentioned; ``mentioned_only`` keeps those seen in stored articles."""
        counts = select(schema.actor_counts).where(schema.actor_counts.c.mentions > 0).subquery()
        join = actors.join(counts, counts.c.actor_id == actors.c.id, isouter=not mentioned_only)
        query = (
            select(
                actors,
                func.coalesce(counts.c.mentions, 0).label("mentions"),
                func.coalesce(counts.c.articles, 0).label("articles"),
            )
            .select_from(join)
            .order_by(func.coalesce(counts.c.mentions, 0).desc(), actors.c.name)
        )
        if country:
            query = query.where(actors.c.country == country.upper())
        yield from self._rows(query, limit=limit)

    def article_actors(self, article_id: str) -> list[dict[str, Any]]:
        """Coded actors of an article, one per country and sector, most mentioned first."""
        query = (
            select(
                mentions.c.country,
                mentions.c.sector,
                func.min(mentions.c.text).label("text"),
                func.min(mentions.c.actor_id).label("actor_id"),
                func.count().label("n"),
            )
            .where(and_(mentions.c.article_id == article_id, mentions.c.country.is_not(None)))
            .group_by(mentions.c.country, mentions.c.sector)
            .order_by(func.count().desc(), mentions.c.country)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def article_mentions(self, article_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(mentions).where(mentions.c.article_id == article_id).order_by(mentions.c.start)
            ).mappings()
            return [dict(r) for r in rows]

    # ------------------------------------------------------------------ events and claims

    def iter_events(
        self,
        *,
        article_id: str | None = None,
        plover_type: str | None = None,
        country: str | None = None,
        certainty: str | None = None,
        source_type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        include_negated: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[dict[str, Any]]:
        query = (
            select(
                events,
                stories.c.num_articles.label("story_articles"),
                stories.c.num_independent_sources.label("independent_sources"),
            )
            .select_from(events.outerjoin(stories, stories.c.id == events.c.story_id))
            .order_by(events.c.event_date.desc().nulls_last(), events.c.article_id, events.c.sentence)
        )
        if article_id:  # one article: in reading order
            query = (
                query.where(events.c.article_id == article_id)
                .order_by(None)
                .order_by(events.c.sentence, events.c.trigger_start)
            )
        if plover_type:
            query = query.where(events.c.plover_type == plover_type.upper())
        if country:
            code = country.upper()
            query = query.where(
                or_(
                    events.c.actor_countries.contains(f",{code},"),
                    events.c.recipient_countries.contains(f",{code},"),
                    events.c.country == code,
                )
            )
        if certainty:
            query = query.where(events.c.certainty == certainty)
        if source_type:
            query = query.where(events.c.source_type == source_type)
        if since:
            query = query.where(events.c.event_date >= _utc(since))
        if until:
            query = query.where(events.c.event_date <= _utc(until))
        if not include_negated:
            query = query.where(events.c.negated.is_(False))
        yield from self._rows(query, limit=limit, offset=offset)

    def iter_claims(
        self,
        *,
        article_id: str | None = None,
        certainty: str | None = None,
        source_type: str | None = None,
        speaker: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[dict[str, Any]]:
        query = select(claims).order_by(claims.c.article_id, claims.c.start)
        if article_id:
            query = query.where(claims.c.article_id == article_id)
        if certainty:
            query = query.where(claims.c.certainty == certainty)
        if source_type:
            query = query.where(claims.c.source_type == source_type)
        if speaker:
            query = query.where(claims.c.speaker.ilike(f"%{speaker}%"))
        yield from self._rows(query, limit=limit, offset=offset)

    # ------------------------------------------------------------------ errors

    def record_error(self, failure: IngestFailure) -> None:
        with self._begin() as conn:
            conn.execute(
                insert(ingest_errors).values(
                    source=failure.source[:2000],
                    stage=failure.stage,
                    reason=failure.reason[:4000],
                    at=_utc(failure.at) or datetime.now(UTC),
                )
            )

    def clear_errors(self, sources: Sequence[str]) -> None:
        """Forget earlier errors of sources that now went through."""
        if not sources:
            return
        with self._begin() as conn:
            conn.execute(delete(ingest_errors).where(ingest_errors.c.source.in_(list(sources))))

    def iter_errors(self, *, limit: int | None = None) -> Iterator[dict[str, Any]]:
        query = select(ingest_errors).order_by(ingest_errors.c.id.desc())
        yield from self._rows(query, limit=limit)

    # ------------------------------------------------------------------ helpers

    def _rows(self, query: Any, *, limit: int | None = None, offset: int = 0) -> Iterator[dict[str, Any]]:
        """The rows of ``query`` as dicts, paged."""
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                yield dict(row)

    def _begin(self) -> Any:
        try:
            return self.engine.begin()
        except SQLAlchemyError as exc:  # pragma: no cover - connection failures
            raise StoreError(f"could not open {self.url}: {exc}. Check the --db URL.") from exc

    def begin(self) -> Any:
        """A transaction (context manager yielding a Connection)."""
        return self._begin()


def _unique_by_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(row["id"], row)
    return list(seen.values())


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def _check_backend(url: str) -> None:
    """Refuse databases newswatch does not support before SQLAlchemy asks for their drivers."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise StoreError(
            f"{url!r} is neither a database URL nor a file path; use a file path (--db news.db), "
            "sqlite:///path.db or postgresql+psycopg://user@host/dbname"
        ) from exc
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"newswatch stores into SQLite or PostgreSQL, not {backend}; use a file path (--db news.db) or "
            "postgresql+psycopg://user@host/dbname (with pip install 'newswatch[postgres]')"
        )


def open_store(url: str, *, create: bool = True) -> Store:
    """Open (and by default create) the database at a SQLAlchemy URL such as ``sqlite:///news.db``."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        if path.parent and not path.parent.exists():
            raise StoreError(
                f"the folder {path.parent} for the database {path} does not exist; create it or pass another --db"
            )
    _check_backend(url)
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except ImportError as exc:  # only PostgreSQL gets here: its driver is an optional extra
        raise StoreError(
            f"the PostgreSQL driver is not installed ({exc}); install it into newswatch's environment with "
            "pip install 'newswatch[postgres]' (from a clone: .venv/bin/pip install -e '.[postgres]'), "
            "or use a SQLite file: --db news.db"
        ) from exc
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(
            f"cannot open database URL {url!r}: {exc}. Use a file path (--db news.db), sqlite:///path.db or "
            "postgresql+psycopg://user@host/dbname"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    store = Store(engine)
    if create:
        store.create()
    return store

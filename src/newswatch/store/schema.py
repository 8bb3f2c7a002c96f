"""The one schema for both engines: SQLite (embedded default, WAL) or PostgreSQL, through SQLAlchemy Core.

Writes are idempotent: an article is keyed by its stable id (canonical URL, else text hash) and a second
article with the same text hash is recorded as an exact duplicate, not stored twice. Everything an
analysis found for an article (mentions, events, claims) is replaced as a unit, so re-running a source
after an interruption completes it without doubling anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)

from ..instants import to_utc

SCHEMA_VERSION = 1
metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: written in UTC (a time with another offset is converted, a naive one is taken as UTC) and
    read back as an aware UTC datetime, the same on SQLite (which keeps no offset) and on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return to_utc(value) if isinstance(value, datetime) else value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if not isinstance(value, datetime):
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else to_utc(value)


articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("url", Text),
    Column("canonical_url", Text, index=True),
    Column("site", String(255), index=True),
    Column("title", Text),
    Column("author", Text),
    Column("published_at", UTCDateTime(), index=True),
    Column("published_offset", String(6)),  # the offset the source gave ("-05:00"); published_at is UTC
    Column("fetched_at", UTCDateTime()),
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False, index=True),
    Column("original_source", String(255)),
    Column("duplicate_of", String(32), index=True),
    Column("dup_relation", String(32)),  # exact | near | contained | syndicated
    Column("dup_score", Float),
    Column("story_id", String(32), index=True),
    Column("source", Text),
    Column("name", Text),
    Column("ingest_status", String(16), nullable=False, default="extracted"),  # extracted|analyzed|copy
    Column("coder_version", String(32)),
    Column("created_at", UTCDateTime(), index=True),  # watch checks read "stored since"
    Column("notes", JSON),  # what was set aside or cut: a non-http URL, an unbelievable date, a long text
    # Copies only: SQLite's statistics count the NULLs of duplicate_of as one value and then prefer a table
    # scan to ix_articles_duplicate_of (seconds at a million articles); this index holds the copies alone.
    Index(
        "ix_articles_copies",
        "duplicate_of",
        sqlite_where=text("duplicate_of IS NOT NULL"),
        postgresql_where=text("duplicate_of IS NOT NULL"),
    ),
)
# Claims are listed newest article first (publication time descending, undated last): PostgreSQL reads an
# ascending index backwards only as "NULLS FIRST", so without this it sorts every claim (65 ms at 600,000
# claims, 2.6 ms with it). SQLite walks ix_articles_published_at either way.
Index(
    "ix_articles_published_desc", articles.c.published_at.desc().nulls_last(), articles.c.id
).ddl_if(dialect="postgresql")

actors = Table(
    "actors",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(8), index=True),
    Column("sectors", JSON),
    Column("kind", String(16)),
    Column("aliases", JSON),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), index=True, nullable=False
    ),
    Column("sentence", Integer),
    Column("start", Integer),
    Column("end", Integer),
    Column("text", Text),
    Column("label", String(16)),
    Column("actor_id", String(128), index=True),
    Column("country", String(8), index=True),
    Column("sector", String(16)),
    Column("rule", String(128)),
)

claims = Table(
    "claims",
    metadata,
    Column("id", String(48), primary_key=True),
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), index=True, nullable=False
    ),
    Column("sentence", Integer),
    Column("start", Integer),
    Column("end", Integer),
    Column("text", Text),
    Column("speaker", Text),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    Column("speaker_actor_id", String(128)),
    Column("speaker_country", String(8)),
    Column("speaker_sector", String(16)),
    Column("source_type", String(32), index=True),
    Column("affiliation", Text),
    Column("cue", String(64)),
    Column("cue_start", Integer),
    Column("cue_end", Integer),
    Column("content_start", Integer),
    Column("content_end", Integer),
    Column("certainty", String(16), index=True),
    Column("parent_id", String(48)),
    Column("coder_version", String(32)),
)

events = Table(
    "events",
    metadata,
    Column("id", String(48), primary_key=True),
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), index=True, nullable=False
    ),
    Column("sentence", Integer),
    Column("text", Text),
    Column("sent_start", Integer),
    Column("trigger", Text),
    Column("trigger_start", Integer),
    Column("trigger_end", Integer),
    Column("plover_type", String(16)),
    Column("mode", String(32)),
    Column("context", JSON),
    Column("cameo_code", String(8), index=True),
    Column("acled_type", String(48), index=True),
    Column("actors", JSON),  # [{"text","start","end","country","sector","actor_id"}]
    Column("recipients", JSON),
    Column("actor_countries", String(255), index=True),  # ",PRK,RUS," for filtering
    Column("recipient_countries", String(255)),
    Column("event_date", UTCDateTime()),
    Column("date_precision", String(16)),
    Column("date_text", Text),
    Column("place_name", Text),
    Column("country", String(8), index=True),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", String(16)),
    Column("negated", Boolean, default=False),
    Column("tense", String(16)),
    Column("certainty", String(16)),
    Column("claim_id", String(48)),
    Column("source_type", String(32)),
    Column("confidence", Float),
    Column("rule", Text),
    Column("coder_version", String(32)),
    Column("story_id", String(32), index=True),
    # Lists are read newest first: each filter that can drive a list walks one of these in date order and
    # stops after a page, so a rare value costs as little as a common one.
    Index("ix_events_date_id", "event_date", "id"),
    Index("ix_events_type_date", "plover_type", "event_date", "id"),
    Index("ix_events_certainty_date", "certainty", "event_date", "id"),
    Index("ix_events_source_type_date", "source_type", "event_date", "id"),
)

# What an event involves, one row per key: "c:UKR" (a country among its actors, recipients or place),
# "a:RUS GOV" (an actor code as actor or recipient), "d:RUS GOV>UKR MIL" and "d:RUS>UKR" (actor>recipient
# dyads), "p:Kyiv|UKR" (its place). Filters on these walk (key, event_date, event_id) in date order.
event_keys = Table(
    "event_keys",
    metadata,
    Column("key", String(200), nullable=False),
    Column("event_date", DateTime(timezone=True)),
    Column("event_id", String(48), nullable=False),
    Index("ix_event_keys_walk", "key", "event_date", "event_id"),
    Index("ix_event_keys_event", "event_id"),
)

# Event counts kept up to date as analyses are stored: per grain (d day, m month, u undated, a all time), period, kind
# (t type, d actor-code dyad, e country dyad, p place, a actor code), party ('' for all events, else a country
# the event involves), PLOVER type, realised or not, and key. Aggregates and total counts read these.
event_rollup = Table(
    "event_rollup",
    metadata,
    Column("kind", String(1), nullable=False),
    Column("party", String(8), nullable=False),
    Column("grain", String(1), nullable=False),
    Column("period", String(10), nullable=False),
    Column("plover_type", String(16), nullable=False),
    Column("realised", Integer, nullable=False),
    Column("key", String(200), nullable=False),
    Column("n", Integer, nullable=False),
    # The key holds the count too (SQLite: a clustered WITHOUT ROWID table; PostgreSQL: INCLUDE), so a range
    # of cells is read from the index alone, without a random read per cell.
    PrimaryKeyConstraint(
        "kind", "party", "grain", "period", "plover_type", "realised", "key", postgresql_include=["n"]
    ),
    sqlite_with_rowid=False,
)

# How often each actor is mentioned and in how many articles, kept up to date with the mentions.
actor_counts = Table(
    "actor_counts",
    metadata,
    Column("actor_id", String(128), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("articles", Integer, nullable=False, index=True),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", Text),
    Column("first_seen", UTCDateTime()),
    Column("last_seen", UTCDateTime()),
    Column("num_articles", Integer, default=0),
    Column("num_independent_sources", Integer, default=0, index=True),
    Column("summary", JSON),
)
# Stories are listed newest first: an index in that order for each engine (SQLite has no NULLS LAST in
# an index, and sorts NULLs first ascending, i.e. last when read backwards).
Index("ix_stories_last_seen", stories.c.last_seen, stories.c.id).ddl_if(dialect="sqlite")
Index("ix_stories_last_seen_desc", stories.c.last_seen.desc().nulls_last(), stories.c.id).ddl_if(dialect="postgresql")

signatures = Table(
    "article_signatures",
    metadata,
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("minhash", LargeBinary, nullable=False),
    Column("num_shingles", Integer),
    Column("created_at", UTCDateTime()),
)

ingest_errors = Table(
    "ingest_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime()),
    Index("ix_ingest_errors_source", "source", mysql_length=255),
)

watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), unique=True),
    Column("rule", JSON),
    Column("created_at", UTCDateTime()),
    Column("checked_at", UTCDateTime()),  # end of the last check: the next one starts there
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE")),
    Column("event_id", String(48)),
    Column("at", UTCDateTime()),
    Column("message", Text),
    Column("kind", String(16)),  # event | spike
    Column("key", String(160)),  # what the alert is about (story, event or spike): one alert per watch and key
    Column("details", JSON),
    Index("ix_alerts_watch_key", "watch_id", "key", unique=True),
)

meta_table = Table(
    "newswatch_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text),
)

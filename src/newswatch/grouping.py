"""Copies and stories kept in the database: the pipeline's store-facing half of the dedup and stories stages.

The stages take and give plain data (``dedup.DedupIndex`` fingerprints and decisions, ``stories.place`` over
article rows); here they meet the store (``store.stories``): ``StoredDedupIndex`` loads the persisted signatures,
verifies candidates on texts read in the caller's transaction and writes each added article's signature and copy
link; ``assign_stories`` reads the articles to place and their neighbours, lets the stories stage decide, and
writes the stories back, all in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from . import stories
from .dedup import DedupDecision, DedupIndex, Fingerprint
from .models import Article
from .store import stories as store_stories

log = logging.getLogger(__name__)

STORY_CHUNK = 2000  # articles placed per step of a large run (memory holds the texts around one step)


class StoredDedupIndex:
    """A ``DedupIndex`` over the articles of a database: ``check`` an article, then ``add`` it in the transaction
    that writes it; keyword settings go to the index (thresholds, LSH shape, cache size)."""

    def __init__(self, engine: Engine, **settings: Any) -> None:
        self.engine = engine
        self.index = DedupIndex(texts=self._read_text, **settings)
        self._unsaved: list[tuple[str, Fingerprint, DedupDecision]] = []
        self._read_warned = False

    @classmethod
    def load(cls, engine: Engine, **settings: Any) -> StoredDedupIndex:
        """An index holding every signature persisted in ``engine``'s database."""
        index = cls(engine, **settings)
        index.refresh()
        return index

    def refresh(self) -> int:
        """Read signatures persisted since the last load (by other processes); returns how many were new."""
        return self.index.extend(store_stories.iter_signatures(self.engine, num_perm=self.index.num_perm))

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.index

    def root_of(self, article_id: str) -> str | None:
        """The earliest known version of ``article_id`` (itself when it is an original), None if unknown."""
        return self.index.root_of(article_id)

    def check(self, article: Article, *, conn: Connection | None = None) -> DedupDecision:
        """Is ``article`` a copy of an indexed one? Does not change the index.

        Texts of candidates that are not cached are read through ``conn`` when given (pass the connection of the
        transaction the article is written in), else through the engine.
        """
        if conn is None:
            return self.index.check(article)
        return self.index.check(article, texts=lambda article_id: self._read_text(article_id, conn))

    def add(
        self, article: Article, decision: DedupDecision, *, conn: Connection | None, defer: bool = False
    ) -> None:
        """Index ``article`` with ``decision`` and persist its signature and duplicate link through ``conn``.

        With ``defer`` the rows are queued and written by ``flush(conn)`` in one batch, which the caller must
        call before it commits; bulk loads use it to save one statement per article.
        """
        fp = self.index.add(article, decision)
        if fp is None or conn is None:
            return
        self._unsaved.append((article.id, fp, decision))
        if not defer:
            self.flush(conn)

    def flush(self, conn: Connection) -> int:
        """Write queued signatures and duplicate links through ``conn``; returns how many articles."""
        if not self._unsaved:
            return 0
        queued, self._unsaved = self._unsaved, []
        store_stories.save_signatures(
            conn, [(aid, fp.signature, len(fp.shingles)) for aid, fp, _decision in queued]
        )
        links = [
            {
                "aid": aid,
                "dup": d.duplicate_of,
                "rel": d.relation,
                "score": d.score if d.relation else None,
                "claimed": d.claimed_origin,
            }
            for aid, _fp, d in queued
            if d.relation or d.claimed_origin
        ]
        store_stories.save_duplicate_links(conn, links)
        for aid, _fp, d in queued:
            if d.supersedes:
                store_stories.repoint_duplicates(
                    conn, old_root=d.supersedes, new_root=aid, relation=d.superseded_relation or "near", score=d.score
                )
        return len(queued)

    def _read_text(self, article_id: str, conn: Connection | None = None) -> str | None:
        try:
            return store_stories.article_text(conn if conn is not None else self.engine, article_id)
        except SQLAlchemyError as exc:
            # A locked SQLite file must not stop ingestion: the index verifies without this candidate.
            level = logging.DEBUG if self._read_warned else logging.WARNING
            self._read_warned = True
            log.log(level, "could not read article %s to verify a copy (%s); pass check(conn=...)", article_id, exc)
            return None


def assign_stories(
    engine: Engine,
    *,
    article_ids: Sequence[str] | None = None,
    include_unassigned: bool = False,
    window_days: float = stories.WINDOW_DAYS,
    text_alone: float = stories.TEXT_ALONE,
    text_with_event: float = stories.TEXT_WITH_EVENT,
    owners: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = STORY_CHUNK,
) -> list[str]:
    """Place stored articles without a story (or ``article_ids``) into stories; return the ids of stories touched.

    The articles are placed oldest first, ``chunk`` at a time, each chunk beside the placed articles within two
    story windows of it: the same stories as placing all at once (see ``stories.chunk_range``), with only one
    chunk's neighbourhood of texts in memory.

    With ``include_unassigned`` every stored article that has no story joins too, whether given or not: a run
    killed before its stories were committed leaves such articles behind, and the next run places them
    exactly as the interrupted run would have. ``progress`` is called with the number of articles placed so
    far while the (single) transaction is open.
    """
    window = stories.story_window(window_days)
    owners = stories.default_owners() if owners is None else owners
    with engine.begin() as conn:
        if article_ids is not None:
            given = store_stories.story_articles(conn, article_ids=article_ids)
            targets = [r for r in given if not r["story_id"]]
            if include_unassigned:
                known = {r["id"] for r in targets}
                targets += [r for r in store_stories.story_articles(conn, unassigned=True) if r["id"] not in known]
            # Already placed articles keep their story; their events may have been re-coded since, so the
            # events get the story id again.
            for sid in {r["story_id"] for r in given if r["story_id"]}:
                store_stories.set_story(
                    conn, article_ids=[r["id"] for r in given if r["story_id"] == sid], story_id=sid
                )
        else:
            targets = store_stories.story_articles(conn, unassigned=True)
        if not targets and not store_stories.unplaced_copies(conn):
            return []
        ordered = stories.in_time_order(targets)
        whole = stories.pool_range(ordered, window)
        if whole is None or len(ordered) <= chunk or stories.article_time(ordered[-1]) is None:
            groups = [(ordered, whole)]
        else:  # oldest first, a chunk at a time: only the texts around each chunk are held
            groups = [
                (ordered[i : i + chunk], stories.chunk_range(ordered[i : i + chunk], whole, window))
                for i in range(0, len(ordered), chunk)
            ]
        touched: dict[str, list[str]] = {}
        done = 0
        for group, span in groups:
            placed = _place_chunk(
                conn, group, span, window=window, text_alone=text_alone, text_with_event=text_with_event,
                progress=_offset(progress, done),
            )  # fmt: skip
            for sid, members in placed.items():
                store_stories.set_story(conn, article_ids=members, story_id=sid)
                touched.setdefault(sid, []).extend(members)
            done += len(group)
        # Copies that were not given (the pipeline does not analyse copies) join their original's story.
        for copy_id, sid in store_stories.unplaced_copies(conn):
            store_stories.set_story(conn, article_ids=[copy_id], story_id=sid)
            touched.setdefault(sid, []).append(copy_id)
        for sid in touched:
            _recount(conn, sid, owners)
    log.info("stories: %d articles placed in %d stories", len(targets), len(touched))
    return sorted(touched)


def _offset(progress: Callable[[int], None] | None, base: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    report = progress
    return lambda n: report(base + n)


def _place_chunk(
    conn: Connection,
    targets: list[dict[str, Any]],
    span: tuple[Any, Any] | None,
    *,
    window: Any,
    text_alone: float,
    text_with_event: float,
    progress: Callable[[int], None] | None,
) -> dict[str, list[str]]:
    """Place ``targets`` among the articles already in a story and published within ``span`` (and the originals
    of copies), reading only their texts and events."""
    pool = store_stories.story_articles(conn, since=span[0], until=span[1]) if span is not None else []
    rows: dict[str, dict[str, Any]] = {r["id"]: r for r in pool if r["story_id"]}
    rows.update({r["id"]: r for r in targets})
    for r in store_stories.story_articles(conn, article_ids=stories.missing_roots(targets, rows)):
        rows[r["id"]] = r
    ids = list(rows)
    return stories.place(
        targets, rows, texts=store_stories.article_texts(conn, ids), events=store_stories.article_events(conn, ids),
        window=window, text_alone=text_alone, text_with_event=text_with_event, progress=progress,
    )  # fmt: skip


def _recount(conn: Connection, story_id: str, owners: Mapping[str, str]) -> None:
    members = store_stories.story_articles(conn, story_ids=[story_id])
    rows = {r["id"]: r for r in members}
    for r in store_stories.story_articles(conn, article_ids=stories.missing_roots(members, rows)):
        rows[r["id"]] = r
    store_stories.save_story(conn, story_id=story_id, **stories.summary(members, rows, owners))

"""Compose the stages: the one place that knows their order.

    sources -> ingest -> extract -> store (idempotent) -> dedup -> nlp -> actors -> events
            -> claims -> dates and places -> store analysis -> stories

The stages' parts (the spaCy pipeline, the actor resolver, the gazetteer, the event coder) are built by
``newswatch.registry`` from the run's ``Settings`` and handed to each stage that needs them. ``analyze_articles``
is the unit of work that runs the same way in one process, in several processes (``workers``) or on a Dask
cluster (``newswatch.scale``): it takes articles and gives analyses, touching no database; a worker builds its
parts from the settings it is sent, once. Bad input never stops a batch: every failure becomes an
``IngestFailure`` that is recorded.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import nlp
from .acled import NON_POLITICAL_LABELS
from .claims import find_claims, link_events
from .config import CoderSettings, ExtractSettings, FetchSettings, IngestSettings, NlpSettings, Settings
from .errors import InputError, ModelNotInstalledError, NewswatchError
from .extract import article_json, extract_article
from .instants import publication_problem
from .models import Analysis, Article, CodedActor, Event, IngestFailure, RawDocument
from .registry import Stages
from .timeplace import place_and_date
from .workers import die_with_parent

if TYPE_CHECKING:
    from .store import Store  # the store (SQLAlchemy) is imported only by runs that store

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, int], None]
# analyses a run saves per transaction at most (see run): fewer commits and rollup upserts
SAVE_BATCH = 32


@dataclass
class RunSummary:
    """What one ``newswatch run`` did."""

    documents: int = 0
    articles_new: int = 0
    already_stored: int = 0
    duplicates: int = 0
    analyzed: int = 0
    events: int = 0
    claims: int = 0
    errors: int = 0
    notes: int = 0  # articles stored with a note (text cut to the parser's limit, a date or URL set aside)
    words: int = 0
    seconds: float = 0.0
    analysis_seconds: float = 0.0  # parsing and coding only, without reading and storing
    error_sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "error_sources"}


# ---------------------------------------------------------------------------- analysis (no I/O)


def analyze_doc(doc: Any, article: Article, *, stages: Stages) -> Analysis:
    """Actors, events, claims, dates and places of one parsed article, by the parts of ``stages``."""
    resolver = stages.actors
    coder = stages.coder
    # a bare "the President" in a statement without a dateline belongs to the publisher's country
    context = resolver.context_for(doc, site=article.site or article.url)
    mentions = resolver.mentions(doc, article_id=article.id, context=context)
    events = coder.code_doc(doc, article_id=article.id, context=context)
    claims = find_claims(doc, article_id=article.id, resolver=resolver, context=context)
    link_events(events, claims)
    place_and_date(events, doc, published_at=article.published_at, gazetteer=stages.gazetteer)
    return Analysis(article=article, mentions=mentions, events=events, claims=claims)


def analyze_articles(
    items: Sequence[Article], *, stages: Stages, batch_size: int = 32
) -> list[Analysis | IngestFailure]:
    """Parse and analyse articles in one batch; a failing article becomes an IngestFailure.

    A text longer than the parser takes is cut at the last paragraph (else sentence, else word) end before
    the limit and the cut is noted on the analysis; the stored article keeps its whole text. When the parser
    fails on a batch, each article is parsed alone so that only the one that fails is recorded.
    """
    prepared = [_parseable(a) for a in items]
    try:
        return _analyze_prepared(prepared, stages=stages, batch_size=batch_size)
    except ModelNotInstalledError:
        raise
    except Exception:  # one article broke the batch: find it, keep the others
        log.warning("the parser failed on a batch of %d articles; parsing them one at a time", len(prepared))
    results: list[Analysis | IngestFailure] = []
    for one in prepared:
        try:
            results.extend(_analyze_prepared([one], stages=stages, batch_size=1))
        except ModelNotInstalledError:
            raise
        except Exception as exc:
            log.exception("parsing failed for %s", one[1].id)
            results.append(_failure(one[1].source or one[1].id, "analyze",
                                    f"the parser failed on this text ({exc.__class__.__name__}: {exc}); "
                                    "the article is stored without events; please report it with this input"))
    return results


def _parseable(article: Article) -> tuple[str, Article, list[str]]:
    """(text to parse, article, notes): the text cut to the parser's limit when it is longer."""
    text = article.text
    limit = nlp.MAX_CHARS
    if len(text) <= limit:
        return text, article, []
    cut = _cut_point(text, limit)
    note = (
        f"the text has {len(text):,} characters, more than the parser's limit of {limit:,}; only the first "
        f"{cut:,} characters were analysed for events and claims (the whole text is stored)"
    )
    return text[:cut], article, [note]


def _cut_point(text: str, limit: int) -> int:
    for sep in ("\n", ". ", " "):
        at = text.rfind(sep, limit // 2, limit)
        if at > 0:
            return at + (1 if sep != "\n" else 0)
    return limit


def _analyze_prepared(
    prepared: Sequence[tuple[str, Article, list[str]]], *, stages: Stages, batch_size: int
) -> list[Analysis | IngestFailure]:
    results: list[Analysis | IngestFailure] = []
    notes = {id(article): extra for _text, article, extra in prepared}
    pairs = ((text, article) for text, article, _notes in prepared)
    for doc, article in nlp.parse_with_ids(pairs, nlp=stages.nlp, batch_size=batch_size):
        try:
            analysis = analyze_doc(doc, article, stages=stages)
            analysis.notes.extend(notes.get(id(article), []))
            results.append(analysis)
        except NewswatchError as exc:
            results.append(_failure(article.source or article.id, "analyze", str(exc)))
        except Exception as exc:  # a coder bug on odd text must not stop the batch; it is recorded
            log.exception("analysis failed for %s", article.id)
            results.append(
                _failure(
                    article.source or article.id,
                    "analyze",
                    f"internal error while analysing ({exc.__class__.__name__}: {exc}); "
                    "please report it with this input",
                )
            )
    return results


def _analyze_chunk(args: tuple[list[Article], Settings]) -> list[Analysis | IngestFailure]:
    """The unit of work sent to a worker: the parts come from the registry of the process it runs in."""
    items, settings = args
    return analyze_articles(items, stages=Stages(settings), batch_size=settings.nlp.batch_size)


def analysis_settings(settings: Settings) -> Settings:
    """The part of ``settings`` analysis depends on (the parser and the coder), the only part sent to workers:
    the database URL, which may hold a password, stays in this process."""
    return Settings(nlp=settings.nlp, coder=settings.coder)


def analyze_parallel(
    items: Iterable[Article], *, settings: Settings, chunk_size: int = 64
) -> Iterator[Analysis | IngestFailure]:
    """Analyses of ``items`` in chunks: in this process, in ``settings.nlp.workers`` processes, or on the Dask
    cluster ``settings.nlp.cluster``."""
    for results in analyze_chunks(items, settings=settings, chunk_size=chunk_size):
        yield from results


def analyze_chunks(
    items: Iterable[Article], *, settings: Settings, chunk_size: int = 64
) -> Iterator[list[Analysis | IngestFailure]]:
    """``analyze_parallel``'s results a chunk at a time, as each chunk is done (in item order)."""
    sent = analysis_settings(settings)
    workers, cluster = settings.nlp.workers, settings.nlp.cluster
    chunks = ((c, sent) for c in _chunked(items, chunk_size))
    if cluster:
        from .scale import map_on_cluster

        yield from map_on_cluster(_analyze_chunk, chunks, address=cluster, n_workers=workers)
        return
    if workers <= 1:
        for chunk in chunks:
            yield _analyze_chunk(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(_analyze_chunk, chunks)


def _chunked(items: Iterable[Article], size: int, first: int = 8) -> Iterator[list[Article]]:
    """Lists of ``size`` items; the first holds only ``first``, so that progress (and its time left) shows within
    a second or two of the analysis starting."""
    chunk: list[Article] = []
    limit = min(first, size)
    for item in items:
        chunk.append(item)
        if len(chunk) >= limit:
            yield chunk
            chunk = []
            limit = size
    if chunk:
        yield chunk


def _failure(source: str, stage: str, reason: str) -> IngestFailure:
    return IngestFailure(source=source, stage=stage, reason=reason, at=datetime.now(UTC))


# ---------------------------------------------------------------------------- documents -> articles


def iter_articles(
    sources: Sequence[str],
    *,
    extract: ExtractSettings,
    fetch: FetchSettings,
    transport: Any = None,
    limits: IngestSettings | None = None,
) -> Iterator[Article | IngestFailure]:
    """Articles (or failures) from sources: ingest then extract."""
    from .ingest import iter_documents  # httpx and the file readers: not needed by `newswatch code`

    for item in iter_documents(sources, fetch=fetch, transport=transport, limits=limits):
        if isinstance(item, IngestFailure):
            yield item
            continue
        yield _extract_one(item, extract)


def extract_paths(
    paths: Sequence[str],
    *,
    settings: ExtractSettings,
    fetch: FetchSettings,
    transport: Any = None,
    on_failure: Callable[[IngestFailure], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """One ``newswatch extract`` JSON object per document; failures go to ``on_failure`` (else the log)."""
    for result in iter_articles(paths, extract=settings, fetch=fetch, transport=transport):
        if isinstance(result, IngestFailure):
            if on_failure is not None:
                on_failure(result)
            else:
                log.warning("%s: %s", result.source, result.reason)
            continue
        yield article_json(result)


def _extract_one(raw: RawDocument, settings: ExtractSettings) -> Article | IngestFailure:
    try:
        return extract_article(raw, settings=settings)
    except InputError as exc:
        return _failure(raw.source, "extract", str(exc))
    except Exception as exc:  # a library failure on hostile input is recorded, not raised
        log.exception("extraction failed for %s", raw.source)
        return _failure(
            raw.source, "extract", f"could not extract this document ({exc.__class__.__name__}: {exc})"
        )


# ---------------------------------------------------------------------------- the run


def run(
    sources: Sequence[str],
    *,
    store: Store,
    settings: Settings,
    progress: ProgressFn | None = None,
    transport: Any = None,
    reanalyze: bool = False,
) -> RunSummary:
    """Ingest and analyse ``sources`` into ``store``; idempotent, and resumable after an interruption."""
    from .grouping import StoredDedupIndex, assign_stories

    started = time.perf_counter()
    summary = RunSummary()
    tick = progress or (lambda _what, _n: None)
    stages = Stages(analysis_settings(settings))
    _ensure_actors(store, stages)
    coder_version = stages.coder.version
    index = StoredDedupIndex.load(store.engine)
    to_analyze: list[Article] = []
    new_ids: list[str] = []  # every article this run stored, copies included: all of them join stories
    ok_sources: list[str] = []
    for item in iter_articles(
        sources, extract=settings.extract, fetch=settings.fetch, transport=transport, limits=settings.ingest
    ):
        summary.documents += 1
        tick("read", 1)
        if isinstance(item, IngestFailure):
            _record(store, summary, item)
            continue
        try:
            with store.begin() as conn:
                saved = store.save_article(item, conn=conn)
                if saved.status == "new":
                    decision = index.check(item, conn=conn)
                    index.add(item, decision, conn=conn)  # persists the signature and any copy link
                    if decision.duplicate_of:
                        store.mark_copy(item.id, conn=conn)
        except NewswatchError as exc:
            _record(store, summary, _failure(item.source, "store", str(exc)))
            continue
        ok_sources.append(item.source)
        if saved.status == "new":
            summary.articles_new += 1
            new_ids.append(item.id)
            if decision.duplicate_of:
                summary.duplicates += 1
                summary.notes += 1 if item.notes else 0
                continue
            to_analyze.append(item)
        else:
            summary.already_stored += 1
            # not analysed: stored by an interrupted run, finish it (a copy was never to be analysed)
            if not saved.copy and (reanalyze or not saved.analyzed):
                to_analyze.append(item)
    store.clear_errors(ok_sources)
    tick("to_analyze", len(to_analyze))
    if to_analyze and settings.nlp.workers <= 1 and not settings.nlp.cluster:
        stages.warm()  # so that analysis_seconds (and the words/s shown) leaves out start-up
    analysis_started = time.perf_counter()
    pending: list[Analysis] = []

    def save_pending() -> None:
        refused: list[NewswatchError | None]
        try:
            refused = list(store.save_analyses(pending, coder_version=coder_version))
        except NewswatchError as exc:  # the database went away: none of the batch is stored
            refused = [exc] * len(pending)
        for result, error in zip(pending, refused, strict=True):
            if error is not None:
                _record(store, summary, _failure(result.article.source, "store", str(error)))
                continue
            summary.analyzed += 1
            if result.notes or result.article.notes:
                summary.notes += 1
            summary.events += len(result.events)
            summary.claims += len(result.claims)
            summary.words += len(result.article.text.split())
            tick("analyzed", 1)
        pending.clear()

    # Analyses are saved SAVE_BATCH at a time and whenever a chunk is done, one transaction each: an interruption
    # loses at most one batch, whose articles are stored unanalysed and analysed by the next run.
    for results in analyze_chunks(to_analyze, settings=settings):
        for result in results:
            if isinstance(result, IngestFailure):
                _record(store, summary, result)
                continue
            pending.append(result)
            if len(pending) >= SAVE_BATCH:
                save_pending()
        save_pending()
    summary.analysis_seconds = time.perf_counter() - analysis_started
    known = set(new_ids)
    story_ids = new_ids + [a.id for a in to_analyze if a.id not in known]  # re-analysed ones too
    # Articles that an interrupted run stored but never placed join too (include_unassigned): a re-run after
    # a crash at any point ends with the same stories as a run that was never interrupted.
    tick("stories", 0)
    placed = 0

    def _placed(n: int) -> None:
        nonlocal placed
        tick("stories", n - placed)
        placed = n

    assign_stories(store.engine, article_ids=story_ids, include_unassigned=True, progress=_placed)
    tick("done", 0)
    summary.seconds = time.perf_counter() - started
    return summary


def _record(store: Store, summary: RunSummary, failure: IngestFailure) -> None:
    summary.errors += 1
    summary.error_sources.append(failure.source)
    log.warning("%s failed at %s: %s", failure.source, failure.stage, failure.reason)
    store.record_error(failure)


def _ensure_actors(store: Store, stages: Stages) -> None:
    """Load the shipped actor entries into the actors table (once per database, refreshed on change)."""
    entries = stages.actors.all_actors()
    if store.count("actors") != len(entries):
        store.save_actors(entries)


# ---------------------------------------------------------------------------- `newswatch code`


def code_records(
    records: Iterable[dict[str, Any]],
    *,
    model: str | None = None,
    batch_size: int = 32,
    coder: CoderSettings | None = None,
) -> Iterator[dict[str, Any]]:
    """For records ``{"id", "text", optional "date", "url", "site"}``: the coded events, as ``newswatch code``
    prints them. A record's web address or site tells the publisher's country, as in a run ("we" in a statement
    on whitehouse.gov is the United States)."""
    stages = Stages(Settings(nlp=NlpSettings(model=model), coder=coder or CoderSettings()))
    event_coder = stages.coder

    def pairs() -> Iterator[tuple[str, Article]]:
        for n, record in enumerate(records):
            text = str(record.get("text") or "")
            rid = str(record.get("id", n))
            url, site = (v if isinstance(v, str) and v.strip() else None for v in (record.get("url"), record.get("site")))
            article = Article(
                id=rid, text=text, published_at=_parse_date(record.get("date")), source=rid, url=url, site=site
            )
            yield text, article

    for doc, article in nlp.parse_with_ids(pairs(), nlp=stages.nlp, batch_size=batch_size):
        analysis = analyze_doc(doc, article, stages=stages)
        label = event_coder.acled_label(article.text, analysis.events)
        # a snippet about a disaster or crime gets that label and no political event
        events = [] if label in NON_POLITICAL_LABELS else analysis.events
        yield {"id": article.id, "acled_type": label, "events": [event_json(e) for e in events]}


def event_json(e: Event) -> dict[str, Any]:
    """The ``newswatch code`` shape of one event."""

    def actor(a: CodedActor) -> dict[str, Any]:
        return {"text": a.text, "country": a.country, "sector": a.sector}

    return {
        "type": e.plover_type,
        "mode": e.mode,
        "context": e.context,
        "cameo": e.cameo_code,
        "acled_type": e.acled_type,
        "actors": [actor(a) for a in e.actors],
        "recipients": [actor(a) for a in e.recipients],
        "negated": e.negated,
        "tense": e.tense,
        "certainty": e.certainty,
        "claim_id": e.claim_id,
        "date": e.date.value.isoformat() if e.date and e.date.value else None,
        "date_precision": e.date.precision if e.date else None,
        "place": (
            {
                "name": e.place.name,
                "country": e.place.country,
                "lat": e.place.lat,
                "lon": e.place.lon,
                "precision": e.place.precision,
            }
            if e.place
            else None
        ),
        "trigger": e.trigger,
        "evidence": e.text,
        "sentence": e.sentence,
        "rule": e.rule,
        "confidence": e.confidence,
        "coder_version": e.coder_version,
    }


def _parse_date(value: Any) -> datetime | None:
    """A record's publication time, or None when it is missing, unreadable or unbelievable (0001-01-01)."""
    found = _read_date(value)
    if found is not None and publication_problem(found):
        log.warning("record date %s set aside: %s", found.isoformat(), publication_problem(found))
        return None
    return found


def _read_date(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    for candidate in (text, text.replace("Z", "+00:00")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            pass
    if len(text) == 8 and text.isdigit():  # 19950101
        try:
            return datetime.strptime(text, "%Y%m%d")
        except ValueError:
            return None
    return None

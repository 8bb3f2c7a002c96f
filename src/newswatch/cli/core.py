"""Built-in commands: run, articles, actors, events, claims, errors, code, export, serve, demo."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import Settings, db_url_from_option
from ..errors import ConfigError, InputError
from ..store import Store, open_store
from .output import DbOption, FormatOption, LimitOption, dumps, emit, err_console, translate_errors


def _settings(db: str | None, **overrides: Any) -> Settings:
    return Settings.from_env(db_url=db_url_from_option(db), **overrides)


def _store(db: str | None) -> Store:
    return open_store(_settings(db).db_url)


def _parse_day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from exc


def run(
    sources: Annotated[
        list[str], typer.Argument(help="files, directories, globs, URLs, feeds, WARC or JSONL files")
    ],
    db: DbOption = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="processes for parsing and coding")
    ] = 1,
    batch_size: Annotated[int, typer.Option(min=1, help="texts per spaCy batch")] = 32,
    cluster: Annotated[
        str | None,
        typer.Option(
            help="run parsing and coding on Dask: 'local' (a LocalCluster of --workers) or tcp://host:port"
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="spaCy pipeline name (default en_core_web_sm, then its PyPI copy)")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option(help="allow fetching from loopback/private addresses (refused by default)")
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds per HTTP request")] = 20.0,
    reanalyze: Annotated[
        bool, typer.Option(help="code stored articles again (after a coder update)")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary")] = False,
) -> None:
    """Ingest and analyse SOURCES into the database (idempotent: running again adds nothing new)."""
    from .. import pipeline

    settings = _settings(
        db,
        nlp={"workers": workers, "batch_size": batch_size, "model": model, "cluster": cluster},
        fetch={"allow_private": allow_private, "timeout": timeout},
    )
    store = open_store(settings.db_url)
    show = sys.stderr.isatty() and not quiet
    if show:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            read = bar.add_task("read 0 documents", total=None)
            done = bar.add_task("analysed 0 articles", total=None)
            counts = {"read": 0, "analyzed": 0}

            def tick(what: str, n: int) -> None:
                counts[what] = counts.get(what, 0) + n
                if what == "read":
                    bar.update(read, description=f"read {counts['read']} documents")
                else:
                    bar.update(done, description=f"analysed {counts['analyzed']} articles")

            summary = pipeline.run(
                sources, store=store, settings=settings, progress=tick, reanalyze=reanalyze
            )
    else:
        summary = pipeline.run(sources, store=store, settings=settings, reanalyze=reanalyze)
    if not quiet:
        words_per_s = summary.words / summary.seconds if summary.seconds else 0.0
        err_console.print(
            f"documents read {summary.documents} · articles stored {summary.articles_new} "
            f"(already stored {summary.already_stored}, duplicates {summary.duplicates}) · "
            f"analysed {summary.analyzed} · events {summary.events} · claims {summary.claims} · "
            f"errors {summary.errors} · {summary.seconds:.1f} s ({words_per_s:,.0f} words/s)",
            highlight=False,
        )
        if summary.errors:
            err_console.print(
                f"{summary.errors} input(s) failed and were recorded; see them with: newswatch errors"
                + (f" --db {db}" if db else ""),
                highlight=False,
            )


ARTICLE_COLUMNS = ("id", "published_at", "site", "title", "original_source", "duplicate_of", "story_id")


def articles(
    db: DbOption = None,
    fmt: FormatOption = None,
    limit: LimitOption = None,
    site: Annotated[str | None, typer.Option(help="only this site")] = None,
    q: Annotated[str | None, typer.Option("--search", "-s", help="title or text contains")] = None,
    text: Annotated[bool, typer.Option(help="include the article text in jsonl/json/csv")] = True,
) -> None:
    """List stored articles."""
    store = _store(db)
    rows = store.iter_articles(limit=limit, site=site, q=q, include_text=text)
    emit(rows, fmt=fmt, columns=ARTICLE_COLUMNS, title="articles")


def actors(
    db: DbOption = None,
    fmt: FormatOption = None,
    limit: LimitOption = None,
    country: Annotated[str | None, typer.Option(help="ISO-3 code")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="also actors never mentioned in stored articles")
    ] = False,
) -> None:
    """List actors, most mentioned first."""
    store = _store(db)
    rows = store.iter_actors(country=country, mentioned_only=not all_, limit=limit)
    emit(
        rows,
        fmt=fmt,
        columns=("id", "name", "country", "sectors", "kind", "mentions", "articles"),
        title="actors",
    )


EVENT_COLUMNS = ("event_date", "plover_type", "actors", "recipients", "place_name", "certainty", "text")


def events(
    db: DbOption = None,
    fmt: FormatOption = None,
    limit: LimitOption = None,
    type_: Annotated[str | None, typer.Option("--type", help="PLOVER type(s), e.g. ASSAULT,COERCE")] = None,
    country: Annotated[str | None, typer.Option(help="actor, recipient or place country (ISO-3 or name)")] = None,
    certainty: Annotated[
        str | None, typer.Option(help="asserted, reported, hedged, speculative, denied")
    ] = None,
    source_type: Annotated[
        str | None, typer.Option(help="state_media, official, military, expert, ...")
    ] = None,
    since: Annotated[str | None, typer.Option(help="event date on or after YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="event date on or before YYYY-MM-DD")] = None,
    article: Annotated[str | None, typer.Option(help="only events of this article id")] = None,
    negated: Annotated[bool, typer.Option(help="include negated events")] = True,
) -> None:
    """List coded events with their evidence, filtered."""
    from itertools import islice

    from ..query import event_filter
    from ..store import query as q

    f = event_filter(
        type=type_, country=country, certainty=certainty, source_type=source_type, since=since, until=until,
        negated=negated, article_id=article,
    )  # fmt: skip
    store = _store(db)
    rows = islice(q.iter_events(store.engine, f, batch=min(limit or 2000, 2000)), limit)
    emit(
        (
            {**r, "actors": _codes(r["actors"]), "recipients": _codes(r["recipients"])}
            if _is_table(fmt)
            else r
            for r in rows
        ),
        fmt=fmt,
        columns=EVENT_COLUMNS,
        title="events",
    )


def _is_table(fmt: str | None) -> bool:
    return fmt == "table" or (fmt is None and sys.stdout.isatty())


def _codes(items: list[dict[str, Any]] | None) -> str:
    return " + ".join(f"{a.get('country') or '---'}{a.get('sector') or ''}" for a in items or [])


def claims(
    db: DbOption = None,
    fmt: FormatOption = None,
    limit: LimitOption = None,
    certainty: Annotated[
        str | None, typer.Option(help="asserted, reported, hedged, speculative, denied")
    ] = None,
    source_type: Annotated[
        str | None, typer.Option(help="state_media, official, military, expert, ...")
    ] = None,
    speaker: Annotated[str | None, typer.Option(help="speaker contains")] = None,
    article: Annotated[str | None, typer.Option(help="only claims of this article id")] = None,
) -> None:
    """List claims: who says what, with which cue and how surely."""
    store = _store(db)
    rows = store.iter_claims(
        article_id=article, certainty=certainty, source_type=source_type, speaker=speaker, limit=limit
    )
    emit(rows, fmt=fmt, columns=("speaker", "source_type", "cue", "certainty", "text"), title="claims")


def errors(db: DbOption = None, fmt: FormatOption = None, limit: LimitOption = None) -> None:
    """List inputs that failed, with the stage and the reason."""
    store = _store(db)
    emit(
        store.iter_errors(limit=limit),
        fmt=fmt,
        columns=("at", "stage", "source", "reason"),
        title="ingest errors",
    )


def code(
    input_: Annotated[
        Path, typer.Option("--input", "-i", help="JSONL records {id, text, optional date}; - for stdin")
    ],
    model: Annotated[str | None, typer.Option(help="spaCy pipeline name")] = None,
) -> None:
    """Code events in text records; one JSON object per record on stdout."""
    from ..pipeline import code_records

    stream = sys.stdin if str(input_) == "-" else _open_text(input_)
    records = _read_jsonl(stream, str(input_))
    for result in code_records(records, model=model):
        sys.stdout.write(dumps(result) + "\n")


def _open_text(path: Path) -> Any:
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path", source=str(path)) from exc


def _read_jsonl(stream: Any, name: str) -> Any:
    for n, line in enumerate(stream, 1):
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            err_console.print(
                f"{name}:{n}: skipped, not valid JSON ({exc.msg}); each line must be one JSON object"
            )
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            err_console.print(f'{name}:{n}: skipped, needs an object with a "text" string')
            continue
        yield record


def export(
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f",
            help="csv, jsonl, parquet, geojson, plover-json, acled-csv, gdelt-tsv (GDELT 2.0 layout), cameo-tsv",
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default stdout; parquet needs a file)")
    ] = None,
    db: DbOption = None,
    type_: Annotated[str | None, typer.Option("--type", help="PLOVER type(s), comma-separated")] = None,
    quad: Annotated[str | None, typer.Option(help="quad class, e.g. material-conflict")] = None,
    country: Annotated[str | None, typer.Option(help="ISO-3 code or English name")] = None,
    dyad: Annotated[str | None, typer.Option(help="actor>recipient, e.g. RUS>UKR")] = None,
    certainty: Annotated[str | None, typer.Option(help="asserted, reported, hedged, speculative, denied")] = None,
    source_type: Annotated[str | None, typer.Option(help="state_media, official, military, ...")] = None,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    min_sources: Annotated[int, typer.Option(help="at least this many independent sources")] = 0,
    negated: Annotated[bool, typer.Option(help="include negated and hypothetical events")] = False,
) -> None:
    """Export events in the formats the field uses, streamed (constant memory at any size)."""
    from ..export import export_events, exporter
    from ..query import event_filter
    from ..store import query as q

    spec = exporter(fmt)
    f = event_filter(
        type=type_, quad=quad, country=country, dyad=dyad, certainty=certainty, source_type=source_type,
        since=since, until=until, min_sources=min_sources,
    )  # fmt: skip
    if spec.binary and output is None and sys.stdout.isatty():
        raise ConfigError(f"{fmt} is a binary format; write it to a file with -o FILE.{spec.extension}")
    store = _store(db)
    rows = q.iter_events(store.engine, f)
    if output:
        out: Any = output.open("wb") if spec.binary else output.open("w", encoding="utf-8", newline="")
    else:
        out = sys.stdout.buffer if spec.binary else sys.stdout
    try:
        n = export_events(rows, fmt=fmt, out=out, include_unrealised=negated)
    finally:
        if output:
            out.close()
    err_console.print(f"exported {n} events as {fmt}" + (f" to {output}" if output else ""), highlight=False)


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0 = any free port)")] = 8000,
) -> None:
    """Serve the JSON API and the dashboard."""
    from ..api.app import serve as serve_app

    serve_app(_settings(db).db_url, host=host, port=port, announce=_announce)


def _announce(url: str) -> None:
    err_console.print(f"newswatch is serving on [bold]{url}[/] (Ctrl+C to stop)", highlight=False)
    sys.stderr.flush()


def demo(
    db: Annotated[str, typer.Option("--db", help="database for the demo")] = "newswatch-demo.db",
    port: Annotated[int, typer.Option(help="port (0 = any free port)")] = 8000,
    serve_: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the dashboard after loading")
    ] = True,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1)] = 1,
) -> None:
    """Load the bundled demo corpus into a SQLite database and serve the dashboard."""
    from ..demo import demo_sources

    run(demo_sources(), db=db, workers=workers, quiet=False)
    if serve_:
        serve(db=db, port=port)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    for func, name in (
        (run, "run"),
        (articles, "articles"),
        (actors, "actors"),
        (events, "events"),
        (claims, "claims"),
        (errors, "errors"),
        (code, "code"),
        (export, "export"),
        (serve, "serve"),
        (demo, "demo"),
    ):
        app.command(name)(translate_errors(func))

"""Built-in commands: run, articles, actors, events, claims, errors, code, export, serve, demo."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..config import IngestSettings, Settings, db_url_from_option, sqlite_path
from ..errors import ConfigError, InputError, StoreError
from .output import (
    DbOption,
    FormatOption,
    LimitOption,
    dumps,
    emit,
    err_console,
    escape_control,
    open_db,
    say,
    translate_errors,
)

if TYPE_CHECKING:
    from ..store import Store

EventModelOption = Annotated[
    Path | None,
    typer.Option("--event-model", help="event model folder made by 'newswatch train events' (default: shipped)"),
]
CoderOption = Annotated[
    str, typer.Option("--coder", help="'learned' (the trained coder) or 'rules' (rules-0.2.0, the old baseline)")
]


def _coder_settings(event_model: Path | None, coder: str) -> dict[str, Any]:
    from ..registry import names

    if coder not in names("coder"):
        raise ConfigError(f"--coder must be {' or '.join(repr(n) for n in names('coder'))}, not {coder!r}")
    if event_model is not None and not (event_model / "meta.json").is_file():
        raise ConfigError(
            f"--event-model {event_model} holds no event model (no meta.json); give a folder written by "
            "'newswatch train events -o DIR'"
        )
    return {"kind": coder, "event_model": str(event_model) if event_model else None}


def _settings(db: str | None, **overrides: Any) -> Settings:
    return Settings.from_env(db_url=db_url_from_option(db), **overrides)


def _store(db: str | None) -> Store:
    return open_db(db)


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
    event_model: EventModelOption = None,
    coder: CoderOption = "learned",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary")] = False,
    progress: Annotated[
        str,
        typer.Option(
            help="auto: a bar on a terminal; jsonl: one JSON object per step on stderr, for scripts; none"
        ),
    ] = "auto",
    max_feed_items: Annotated[
        int, typer.Option(min=1, help="read at most this many items of one feed")
    ] = IngestSettings().max_feed_items,
    max_run_feed_items: Annotated[
        int, typer.Option(min=1, help="read at most this many feed items in the whole run")
    ] = IngestSettings().max_run_feed_items,
) -> None:
    """Ingest and analyse SOURCES into the database (idempotent: running again adds nothing new).

    Exit codes: 0 every input went in; 7 some inputs failed (each is recorded with its reason, see
    `newswatch errors`; the others were stored and analysed); 4 every input failed.
    """
    from .. import pipeline

    if progress not in ("auto", "jsonl", "none"):
        raise ConfigError(f"--progress {progress!r}: choose auto, jsonl or none")
    settings = _settings(
        db,
        nlp={"workers": workers, "batch_size": batch_size, "model": model, "cluster": cluster},
        fetch={"allow_private": allow_private, "timeout": timeout},
        ingest={"max_feed_items": max_feed_items, "max_run_feed_items": max_run_feed_items},
        coder=_coder_settings(event_model, coder),
    )
    from ..store import open_store
    from .progress import run_progress

    store = open_store(settings.db_url)
    if progress == "jsonl":
        summary = pipeline.run(sources, store=store, settings=settings, progress=_JsonlProgress(), reanalyze=reanalyze)
    else:
        with run_progress(err_console, terminal=sys.stderr.isatty(), quiet=quiet, out=sys.stderr) as tick:
            summary = pipeline.run(sources, store=store, settings=settings, progress=tick, reanalyze=reanalyze)
    if not quiet:
        # a rate over a few articles would measure the start-up (loading spaCy and the tables), not the pipeline
        rate = (
            f" ({summary.words / summary.analysis_seconds:,.0f} words/s in analysis)"
            if summary.analyzed >= 20 and summary.analysis_seconds >= 1
            else ""
        )
        err_console.print(
            f"documents read {summary.documents} · articles stored {summary.articles_new} "
            f"(already stored {summary.already_stored}, copies {summary.duplicates}) · "
            f"analysed {summary.analyzed} · events {summary.events} · claims {summary.claims} · "
            f"errors {summary.errors} · {summary.seconds:.1f} s{rate}",
            highlight=False,
            soft_wrap=True,
        )
        if summary.notes:
            err_console.print(
                f"{summary.notes} article(s) carry a note (a text cut to the parser's limit, a date or URL "
                "set aside); see the notes column of: newswatch articles",
                highlight=False,
            )
        if summary.errors:
            err_console.print(
                f"{summary.errors} input(s) failed and were recorded; see them with: newswatch errors"
                + (f" --db {escape_control(db)}" if db else ""),
                highlight=False,
            )
    if summary.errors and summary.errors >= summary.documents:
        raise typer.Exit(code=ALL_INPUTS_FAILED)
    if summary.errors:
        raise typer.Exit(code=SOME_INPUTS_FAILED)


# Exit codes of `newswatch run` (documented in its --help and README): every input failed / some did.
ALL_INPUTS_FAILED = InputError.exit_code
SOME_INPUTS_FAILED = 7


class _JsonlProgress:
    """One JSON object per step on stderr: ``{"progress": "read"|"analyzed"|"stories"|"done", "count": n}``."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + n
        sys.stderr.write(json.dumps({"progress": what, "count": self.counts[what]}) + "\n")
        sys.stderr.flush()


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
        Path, typer.Option("--input", "-i", help="JSONL records {id, text, optional date, url, site}; - for stdin")
    ],
    model: Annotated[str | None, typer.Option(help="spaCy pipeline name")] = None,
    event_model: EventModelOption = None,
    coder: CoderOption = "learned",
) -> None:
    """Code events in text records; one JSON object per record on stdout."""
    from ..config import CoderSettings
    from ..pipeline import code_records

    settings = CoderSettings.model_validate(_coder_settings(event_model, coder))
    stream = sys.stdin.buffer if str(input_) == "-" else _open_bytes(input_)
    records = _read_jsonl(stream, str(input_))
    for result in code_records(records, model=model, coder=settings):
        sys.stdout.write(dumps(result) + "\n")


def _open_bytes(path: Path) -> Any:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path", source=str(path)) from exc


def _read_jsonl(stream: Any, name: str) -> Any:
    """Records of a JSONL byte stream; a line that is not one (bad UTF-8 or JSON, nested too deeply, an
    unpaired surrogate escape) is reported on stderr and skipped, and the lines after it are still read."""
    for n, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            say(f"{name}:{n}: skipped, not UTF-8 (byte {exc.start}); re-encode the file as UTF-8")
            continue
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            say(f"{name}:{n}: skipped, not valid JSON ({exc.msg}); each line must be one JSON object")
            continue
        except RecursionError:
            say(f"{name}:{n}: skipped, nested too deeply; each line must be one flat JSON object")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            say(f'{name}:{n}: skipped, needs an object with a "text" string')
            continue
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            say(f"{name}:{n}: skipped, holds an unpaired surrogate escape (such as \\ud800); fix the escape")
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
    from ..query import event_filter
    from ..registry import exporter
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
        n = spec.write(rows, out=out, include_unrealised=negated)
    finally:
        if output:
            out.close()
    say(f"exported {n} events as {fmt}" + (f" to {output}" if output else ""))


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0 = any free port); a taken port is an error")] = 8000,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="another host name this server answers to (repeatable); by default only 127.0.0.1, "
            "localhost and the --host address",
        ),
    ] = None,
) -> None:
    """Serve the JSON API and the dashboard."""
    from ..api.app import serve as serve_app

    url = _settings(db).db_url
    path = sqlite_path(url)
    if path is not None and path.parent.is_dir() and not path.exists():
        try:
            open_db(db)
        except StoreError as exc:  # no database yet: serve an empty one, but say where the data is
            err_console.print(f"note: {exc}; the dashboard starts empty", highlight=False, markup=False,
                              soft_wrap=True)
    serve_app(url, host=host, port=port, announce=_announce, allow_hosts=allow_host or ())


def _announce(url: str) -> None:
    from rich.text import Text

    err_console.print(
        Text.assemble("newswatch is serving on ", (escape_control(url), "bold"), " (Ctrl+C to stop)"),
        highlight=False,
    )
    sys.stderr.flush()


def demo(
    db: Annotated[str, typer.Option("--db", help="database for the demo")] = "newswatch-demo.db",
    port: Annotated[int, typer.Option(help="port (0 = any free port)")] = 8000,
    serve_: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the dashboard after loading")
    ] = True,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1)] = 1,
) -> None:
    """Load the bundled demo corpus (reports on Korea, Russia and Ukraine written for newswatch: web pages with
    copies on other sites, a feed, wire records) into a SQLite database, add two example watches and serve the
    dashboard."""
    from ..demo import add_demo_watches, demo_sources, most_copied_article

    try:
        run(demo_sources(), db=db, workers=workers, quiet=False)
    except typer.Exit as done:  # inputs that failed are recorded; the demo still serves the rest
        if done.exit_code != SOME_INPUTS_FAILED:
            raise
    store = open_db(db)
    alerts = add_demo_watches(store)
    err_console.print(
        "watches: " + ", ".join(f"{name} ({n} alerts)" for name, n in alerts.items()),
        highlight=False,
        soft_wrap=True,
    )
    _next_steps(db, article=most_copied_article(store))
    if serve_:
        serve(db=db, port=port)


def _next_steps(db: str, *, article: str | None) -> None:
    """Tell a newcomer where the demo data is and the commands that read it."""
    import shlex
    import shutil

    here = Path(sys.argv[0]).resolve().parent if sys.argv and sys.argv[0] else None
    on_path = shutil.which("newswatch")
    lines = [f"The demo database is {Path(db).resolve()}. Read it with --db, for example:"]
    for cmd in ("stories --min-sources 2", f"article {article or 'ID'} --copies", "events --type ASSAULT --country UKR",
                "claims --source-type state_media", "watch alerts", "export --format geojson -o events.geojson"):
        lines.append(f"  newswatch {cmd} --db {shlex.quote(db)}")
    lines.append(f"or once for this shell: export NEWSWATCH_DB={shlex.quote(str(Path(db).resolve()))}")
    if here is not None and (on_path is None or Path(on_path).resolve().parent != here):
        lines.append(
            f"The newswatch command is in {here}; put it on PATH with: "
            f'export PATH="{here}:$PATH" (or: source {here / "activate"})'
        )
    err_console.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)


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

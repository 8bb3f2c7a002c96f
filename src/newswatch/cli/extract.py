"""Commands `newswatch extract PATH...` (one JSON object per document on stdout, failures on stderr) and
`newswatch eval extraction DIR` (body F1 and metadata accuracy against a gold directory, beside trafilatura)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import typer

from ..config import ExtractSettings, FetchSettings
from ..errors import ConfigError, InputError, NewswatchError
from ..models import IngestFailure
from .output import escape_control

# defaults come from the settings classes, declared once
_FETCH = FetchSettings.model_fields
_EXTRACT = ExtractSettings.model_fields


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `extract` to ``app`` and `extraction` to ``eval_app``."""
    app.command("extract")(extract_command)
    eval_app.command("extraction")(eval_extraction_command)


def extract_command(
    paths: list[str] = typer.Argument(..., help="files, directories, globs, URLs, feeds, WARC or JSONL files"),
    timeout: float = typer.Option(_FETCH["timeout"].default, help="seconds per HTTP request"),
    max_bytes: int = typer.Option(_FETCH["max_bytes"].default, help="largest response fetched, in bytes"),
    allow_private: bool = typer.Option(False, "--allow-private", help="allow loopback and private addresses"),
    max_html_bytes: int = typer.Option(_EXTRACT["max_html_bytes"].default,
                                       help="larger pages are refused without parsing"),
) -> None:
    """Print one JSON object per document: id, url, title, author, date, site, language, text, original_source.

    A document that fails is reported on stderr and the others still print; the exit code is then 4.
    """
    from ..pipeline import extract_paths

    try:
        fetch = FetchSettings(timeout=timeout, max_bytes=max_bytes, allow_private=allow_private)
        settings = ExtractSettings(max_html_bytes=max_html_bytes)
    except ValueError as exc:
        _fail(ConfigError(f"invalid option: {exc}; see `newswatch extract --help`"))
    failures: list[IngestFailure] = []

    def report(failure: IngestFailure) -> None:
        failures.append(failure)
        typer.echo(escape_control(f"newswatch: {failure.source}: {failure.reason}"), err=True)

    try:
        for record in extract_paths(paths, settings=settings, fetch=fetch, on_failure=report):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    except NewswatchError as exc:
        _fail(exc)
    if failures:
        raise typer.Exit(InputError.exit_code)


def eval_extraction_command(
    directory: Path = typer.Argument(..., help="gold directory with html/<id>.html.gz and truth/<id>.json"),
    limit: int | None = typer.Option(None, help="score only the first N pages"),
    as_json: bool = typer.Option(False, "--json", help="print the figures as JSON"),
    details: Path | None = typer.Option(None, help="write per-page scores as JSONL to this file"),
) -> None:
    """Body F1 (4-token shingles) and title/author/date accuracy, newswatch beside plain trafilatura."""
    from ..evaluation.extraction import evaluate_extraction, format_report

    try:
        report = evaluate_extraction(directory, settings=ExtractSettings(), limit=limit)
    except NewswatchError as exc:
        _fail(exc)
    if details is not None:
        with details.open("w", encoding="utf-8") as fh:
            for row in report.details:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else format_report(report))


def _fail(exc: NewswatchError) -> NoReturn:
    typer.echo(escape_control(f"newswatch: {exc}"), err=True)
    raise typer.Exit(exc.exit_code)

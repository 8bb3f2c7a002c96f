"""Shared output for commands: JSON lines, CSV, or a Rich table on a terminal; errors as one line."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import NewswatchError, StoreError

if TYPE_CHECKING:
    from ..store import Store

FORMATS = ("table", "jsonl", "json", "csv")

# options shared by the commands that read the database and print rows
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="database: a SQLite file path or a SQLAlchemy URL (default ./newswatch.db, or $NEWSWATCH_DB)",
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="table (default on a terminal), jsonl (default when piped), json, csv"
    ),
]
LimitOption = Annotated[int | None, typer.Option("--limit", "-n", help="at most this many rows")]
F = TypeVar("F", bound=Callable[..., Any])

err_console = Console(stderr=True)


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=json_default, ensure_ascii=False)


def resolve_format(fmt: str | None) -> str:
    if fmt is None:
        return "table" if sys.stdout.isatty() else "jsonl"
    if fmt not in FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return fmt


def emit(rows: Iterable[dict[str, Any]], *, fmt: str | None, columns: Sequence[str], title: str = "") -> int:
    """Print rows; tables show ``columns``, machine formats every field. Returns the row count."""
    fmt = resolve_format(fmt)
    n = 0
    out = sys.stdout
    if fmt == "jsonl":
        for row in rows:
            out.write(dumps(row) + "\n")
            n += 1
        return n
    if fmt == "json":
        items = list(rows)
        out.write(dumps(items) + "\n")
        return len(items)
    if fmt == "csv":
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            flat = {k: (dumps(v) if isinstance(v, list | dict) else v) for k, v in row.items()}
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(flat), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: json_default(v) if isinstance(v, datetime) else v for k, v in flat.items()})
            n += 1
        return n
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
        n += 1
    Console().print(table)
    return n


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{v}" for v in value.values() if v)
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


class LazyModule:
    """A module imported on first use: registering every command must not import the store, SQLAlchemy or the
    watch machinery for a command that needs none of them (``newswatch code``, ``newswatch --help``)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self._name), attr)


def open_db(db: str | None, *, create: bool = False) -> Store:
    """The store named by --db / $NEWSWATCH_DB / the default. Commands that only read refuse to create an empty
    SQLite file: they say where the data is instead (the demo database, or the command that fills one)."""
    from ..config import Settings, db_url_from_option, sqlite_path
    from ..store import open_store

    url = Settings.from_env(db_url=db_url_from_option(db)).db_url
    path = sqlite_path(url)
    if not create and path is not None and not path.exists() and path.parent.is_dir():
        from ..demo import DEMO_DB

        hint = "store articles first with: newswatch run SOURCE..." + (f" --db {db}" if db else "")
        if Path(DEMO_DB).is_file() and path.resolve() != Path(DEMO_DB).resolve():
            hint += (f"; or read the demo database here with --db {DEMO_DB} "
                     f"(or export NEWSWATCH_DB={DEMO_DB})")
        raise StoreError(f"there is no database at {path} yet; {hint}")
    return open_store(url)


def fail(exc: NewswatchError) -> typer.Exit:
    """Print a NewswatchError as one line and give the exit that goes with it."""
    # the message is plain text: "[postgres]" in "pip install 'newswatch[postgres]'" is not Rich markup
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=exc.exit_code)


def translate_errors(func: F) -> F:
    """Turn NewswatchError raised by a command into a one-line message and its exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewswatchError as exc:
            raise fail(exc) from exc
        except BrokenPipeError:  # `newswatch articles | head`
            sys.stderr.close()
            raise typer.Exit(code=0) from None

    return wrapper  # type: ignore[return-value]

"""Shared output for commands: JSON lines, CSV, or a Rich table on a terminal; errors as one line."""

from __future__ import annotations

import csv
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

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

# C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what a terminal shows
# ("Trojan source"): a file name or title holding them must not move the cursor, retitle the window, clear
# the screen or disguise itself. Newlines and tabs stay in table cells; one-line messages escape them too.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters written as visible escapes (``\\x1b``) for a terminal."""
    return (_CONTROL if keep_newlines else _CONTROL_LINE).sub(_escaped, text)


class EscapeControlFilter(logging.Filter):
    """Log records reach the terminal with control characters escaped (sources and reasons hold user text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        escaped = escape_control(message, keep_newlines=True)
        if escaped != message:
            record.msg, record.args = escaped, None
        return True


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
    from rich.text import Text

    table = Table(title=title or None, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        # Text, not str: a title holding "[bold]" or "[/x]" is data, not Rich markup
        table.add_row(*[Text(escape_control(_cell(row.get(c)), keep_newlines=True)) for c in columns])
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


def say(message: str, *, label: str = "", style: str = "bold yellow") -> None:
    """One message on stderr, user text escaped: no Rich markup, no terminal control characters."""
    from rich.text import Text

    parts: list[Any] = [(label, style), " "] if label else []
    err_console.print(Text.assemble(*parts, escape_control(message)), highlight=False, soft_wrap=True)


def fail(exc: NewswatchError) -> typer.Exit:
    """Print a NewswatchError as one line and give the exit that goes with it."""
    from rich.text import Text

    err_console.print(
        Text.assemble(("error:", "bold red"), " ", escape_control(str(exc))), highlight=False, soft_wrap=True
    )
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

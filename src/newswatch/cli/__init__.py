"""The command line: thin commands that parse input, call the library, and translate errors."""

from __future__ import annotations

import importlib
import logging
from typing import Annotated

import typer

from .. import __version__

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="newswatch: news into evidence-linked event data: who did what to whom, when, where, who says so.",
)
eval_app = typer.Typer(no_args_is_help=True, help="Score newswatch against gold data (paths as arguments).")
app.add_typer(eval_app, name="eval")

# Each module registers its commands on ``app`` / ``eval_app`` through ``register(app, eval_app)``;
# the built-ins are listed here, in one place, the way a plugin would be.
COMMAND_MODULES: tuple[str, ...] = ("core", "extract", "events_eval", "claims_eval", "stories", "watch", "train")

_registered = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newswatch {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="more log output (-vv for debug)")
    ] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    from rich.logging import RichHandler

    from .output import EscapeControlFilter, err_console

    handler = RichHandler(console=err_console, show_path=False)
    handler.addFilter(EscapeControlFilter())
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)
    for noisy in ("trafilatura", "htmldate", "courlan", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.ERROR if verbose < 2 else logging.DEBUG))


def register_all() -> typer.Typer:
    """Register every command module once; returns the app."""
    global _registered
    if not _registered:
        for name in COMMAND_MODULES:
            module = importlib.import_module(f"{__name__}.{name}")
            module.register(app, eval_app)
        _registered = True
    return app


def main() -> None:
    register_all()()

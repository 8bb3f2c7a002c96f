"""The command line: thin commands that parse input, call the library, and translate errors."""

from __future__ import annotations

import importlib
import logging
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperArgument, TyperOption

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

    # Rich prints the level and time itself: the message format is the message alone (plus where it came from
    # with -vv), or lines read "WARNING  WARNING:newswatch.pipeline:..."
    handler = RichHandler(console=err_console, show_path=False, show_time=verbose > 0, markup=False)
    handler.addFilter(EscapeControlFilter())
    fmt = "%(message)s" if verbose < 2 else "%(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, handlers=[handler], force=True)
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


def command() -> Any:
    """The command behind ``newswatch``, with help that names values the way Unix tools do."""
    cmd = typer.main.get_command(register_all())
    _plain_metavars(cmd)
    return cmd


def _plain_metavars(cmd: Any) -> None:
    """Help shows ``--db DB``, ``--workers N`` and ``SOURCES...`` instead of Typer's ``<str>``, ``<int range>``,
    ``<list[str]>``, ``<bool>`` and ``{sources}``; flags show no value at all."""
    for param in cmd.params:
        if isinstance(param, TyperOption) and (param.is_flag or param.count):
            param.metavar = ""
            continue
        name = (param.name or "value").strip("_").upper()
        kind = param.bare_type() if isinstance(param, TyperOption | TyperArgument) else "str"
        label = {"int": "N", "float": "NUMBER"}.get(kind, name)
        if "timeout" in name.lower():
            label = "SECONDS"
        if isinstance(param, TyperArgument):
            usage = name + ("..." if param.nargs != 1 else "")
            usage = usage if param.required else f"[{usage}]"
            param._usage_display_name = lambda usage=usage: usage  # type: ignore[method-assign,misc]
            param.display_type_rich = lambda ctx: ""  # type: ignore[method-assign,misc]  # the name says it
            label = name
        param.metavar = label
    make_help = cmd.get_help_option

    def help_option(ctx: Any, make_help: Any = make_help) -> Any:
        option = make_help(ctx)
        if option is not None:
            option.metavar = ""
        return option

    cmd.get_help_option = help_option
    for sub in getattr(cmd, "commands", {}).values():
        _plain_metavars(sub)


def main() -> None:
    command()(prog_name="newswatch")

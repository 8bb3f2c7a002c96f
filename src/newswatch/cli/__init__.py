"""The command line: thin commands that parse input, call the library, and translate errors."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="newswatch: news into evidence-linked event data.")
eval_app = typer.Typer(no_args_is_help=True, help="Score newswatch against gold data.")
app.add_typer(eval_app, name="eval")

# Each module registers its commands on ``app`` / ``eval_app`` through ``register(app, eval_app)``;
# built-ins are listed here, in one place.
COMMAND_MODULES: tuple[str, ...] = ()


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(app, eval_app)


def main() -> None:
    _register_all()
    app()

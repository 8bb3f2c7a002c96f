"""`newswatch train events`: train an event model from stand-off labels and the texts they point into."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .output import err_console, translate_errors

train_app = typer.Typer(no_args_is_help=True, help="Train newswatch models on your own annotation.")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add the `train` group to ``app``."""
    app.add_typer(train_app, name="train")
    train_app.command("events")(translate_errors(train_events_command))


def train_events_command(
    labels: Annotated[
        Path,
        typer.Option(
            "--labels",
            help="labels (JSONL): stand-off ones pointing into --text, or inline ones that carry their sentence "
            "(the news gold format); see docs/event-model.md",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder to write the model to")],
    text: Annotated[
        list[Path] | None,
        typer.Option("--text", help="a folder or file stand-off labels point into (repeat for several)"),
    ] = None,
    name: Annotated[str, typer.Option(help="model name, stored in every event's coder_version")] = "events",
    version: Annotated[str, typer.Option(help="model version")] = "custom",
    seed: Annotated[int, typer.Option(help="fixed seed: the same data and seed give the same model")] = 13,
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline", help="score rules-0.2.0 on the test split too")
    ] = True,
    sentence_model: Annotated[
        Path | None,
        typer.Option(
            "--sentence-model",
            help="folder holding a sentence type model (sentence.json, sentence.npz) to bundle as a second "
            "opinion (default: the shipped model's)",
        ),
    ] = None,
    no_sentence_model: Annotated[
        bool, typer.Option("--no-sentence-model", help="train without the sentence type model")
    ] = False,
) -> None:
    """Train the event coder's models on the labels' training split and print the figures of their test split."""
    from ..train import train_event_model

    def show_problems(problems: list[str]) -> None:
        for problem in problems[:20]:
            err_console.print(f"[yellow]skipped[/]: {problem}", highlight=False)
        if len(problems) > 20:
            err_console.print(f"... and {len(problems) - 20} more problems", highlight=False)

    report = train_event_model(
        labels=labels, texts=text or [], out=out, name=name, version=version, seed=seed, baseline=baseline,
        sentence_model=sentence_model, use_sentence_model=not no_sentence_model, problems=show_problems,
        progress=lambda msg: err_console.print(msg, highlight=False),
    )  # fmt: skip
    typer.echo(json.dumps(report, indent=2))
    err_console.print(f"model written to {out}; use it with --event-model {out}", highlight=False)

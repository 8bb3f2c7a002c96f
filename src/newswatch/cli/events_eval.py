"""`newswatch eval events --gold FILE`: score the event coder on PLOVER-style, ACLED-style (CASE 2021) or
PETRARCH-2 unit-test gold, detected from the file, and print the figures, per-label table and confusion
table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .output import translate_errors


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `events` to ``eval_app``."""
    eval_app.command("events")(translate_errors(eval_events_command))


def eval_events_command(
    gold: Annotated[
        Path, typer.Option("--gold", help="gold JSONL file (PLOVER, CASE 2021 task 2 or PETRARCH-2)")
    ],
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="score only the first N records")
    ] = None,
    show_errors: Annotated[
        bool, typer.Option("--show-errors", help="list every record the coder got wrong")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the headline figures as JSON")] = False,
    un_as_igo: Annotated[
        bool,
        typer.Option(
            "--un-as-igo", help="read UNO and EUR as IGO (the 2016 PLOVER gold codes the UN and EU so)"
        ),
    ] = False,
) -> None:
    """Event-type accuracy, actor/recipient country F1 and full match (PLOVER); weighted F1 (ACLED-style)."""
    from ..evaluation.events import evaluate_events, format_report

    scores = evaluate_events(gold, limit=limit, show_errors=show_errors, un_as_igo=un_as_igo)
    if as_json:
        typer.echo(json.dumps({"format": scores.format, "records": scores.n, **scores.figures}, indent=2))
        return
    typer.echo(format_report(scores, show_errors=show_errors))

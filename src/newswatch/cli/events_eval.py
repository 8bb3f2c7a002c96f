"""`newswatch eval events --gold FILE`: score the event coder on exhaustive news, PLOVER-style, ACLED-style
(CASE 2021) or PETRARCH-2 unit-test gold, detected from the file, with the rule coder rules-0.2.0 beside it
measured in the same run on the same parses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from .output import translate_errors


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `events` to ``eval_app``."""
    eval_app.command("events")(translate_errors(eval_events_command))


def eval_events_command(
    gold: Annotated[
        Path,
        typer.Option(
            "--gold", help="gold JSONL file (exhaustive news, PLOVER, CASE 2021 task 2 or PETRARCH-2)"
        ),
    ],
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="score only the first N records")
    ] = None,
    event_model: Annotated[
        Path | None, typer.Option("--event-model", help="a model folder made by 'newswatch train events'")
    ] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline", help="score rules-0.2.0 beside it in the same run")
    ] = True,
    show_errors: Annotated[
        bool, typer.Option("--show-errors", help="list every record the coder got wrong")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the headline figures as JSON")] = False,
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help='score only the records of this split ("split" field; a record without one is "train"), e.g. '
            "test: your own held-out labels in the inline format",
        ),
    ] = None,
    un_as_igo: Annotated[
        bool,
        typer.Option(
            "--un-as-igo", help="read UNO and EUR as IGO (the 2016 PLOVER gold codes the UN and EU so)"
        ),
    ] = False,
) -> None:
    """Figures of the learned coder beside rules-0.2.0: type P/R/F1, full P/R/F1, actor and recipient F1 and quiet
    rate per type, and the type and full figures of only the events at confidence 0.5, 0.7 and 0.9 or more (news
    gold); type accuracy and country F1 (PLOVER); weighted F1 (ACLED-style)."""
    from ..config import CoderSettings, Settings
    from ..evaluation.events import compare_coders, format_comparison, format_report
    from ..registry import Stages

    stages = Stages(Settings(coder=CoderSettings(event_model=str(event_model) if event_model else None)))
    learned = stages.coder
    coders = {learned.version: learned}
    if baseline:
        rules = stages.rules_coder
        coders[rules.version] = rules
    results = compare_coders(
        gold, coders=coders, limit=limit, show_errors=show_errors, un_as_igo=un_as_igo, split=split
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    name: {
                        "format": s.format,
                        "records": s.n,
                        **s.figures,
                        **_by_confidence(s.by_confidence),
                    }
                    for name, s in results.items()
                },
                indent=2,
            )
        )
        return
    typer.echo(format_comparison(results))
    if show_errors:
        for name, scores in results.items():
            typer.echo(f"\nerrors of {name}:")
            typer.echo(format_report(scores, show_errors=True).split("errors:", 1)[-1].strip())


def _by_confidence(cutoffs: dict[float, dict[str, float]]) -> dict[str, Any]:
    """The figures per confidence cutoff as JSON, keyed "0.5", "0.7", ... (nothing for gold without them)."""
    return {"by_confidence": {f"{c:g}": f for c, f in cutoffs.items()}} if cutoffs else {}

"""Evaluation commands for claims, certainty, dates and places: ``eval claims``, ``eval polnear``, ``eval timeplace``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from .output import translate_errors

GoldOption = Annotated[Path, typer.Option("--gold", help="gold JSONL file (see docs/eval-formats.md)")]
LimitOption = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="score only the first N gold lines")]
JsonOption = Annotated[bool, typer.Option("--json", help="print the figures as one JSON object")]
ModelOption = Annotated[str | None, typer.Option("--model", help="spaCy pipeline name (default: the installed one)")]
SharedOption = Annotated[
    Path,
    typer.Option("--shared", help="folder holding the third-party texts gold lines point to (text_ref)"),
]


def eval_claims(
    gold: GoldOption,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    model: ModelOption = None,
    pred_out: Annotated[
        Path | None, typer.Option("--pred-out", help="PolNeAR gold only: also write predictions for score_claims.py")
    ] = None,
    errors: Annotated[bool, typer.Option("--errors", help="dev-set gold only: list every miss")] = False,
    shared: SharedOption = Path("../shared"),
) -> None:
    """Score claim finding: PolNeAR attribution gold or our dev set, told apart by the file's first line."""
    from ..evaluation import read_jsonl
    from ..evaluation.claims import detect_format

    records = read_jsonl(gold, limit=limit)
    if not records:
        raise InputError(f"{gold} holds no gold lines; give a JSONL file with one record a line", source=str(gold))
    if detect_format(records[0]) == "polnear":
        _polnear(records, as_json=as_json, model=model, pred_out=pred_out)
    else:
        _dev(records, as_json=as_json, model=model, errors=errors, shared=shared)


def eval_polnear(
    gold: GoldOption,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    model: ModelOption = None,
    pred_out: Annotated[Path | None, typer.Option("--pred-out", help="also write predictions for score_claims.py")] = None,
) -> None:
    """Score claim detection and speakers against PolNeAR attribution gold."""
    from ..evaluation import read_jsonl

    _polnear(read_jsonl(gold, limit=limit), as_json=as_json, model=model, pred_out=pred_out)


def eval_timeplace(
    gold: GoldOption,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    model: ModelOption = None,
    errors: Annotated[bool, typer.Option("--errors", help="list every miss")] = False,
    shared: SharedOption = Path("../shared"),
) -> None:
    """Score speakers, certainty, dates and places against the hand-annotated dev set."""
    from ..evaluation import read_jsonl

    _dev(read_jsonl(gold, limit=limit), as_json=as_json, model=model, errors=errors, shared=shared)


def _polnear(records: list[dict[str, object]], *, as_json: bool, model: str | None, pred_out: Path | None) -> None:
    from ..evaluation.claims import evaluate_polnear, format_polnear

    scores = evaluate_polnear(records, model=model, predictions_out=pred_out)
    typer.echo(json.dumps(scores.as_dict()) if as_json else format_polnear(scores))


def _dev(
    records: list[dict[str, object]], *, as_json: bool, model: str | None, errors: bool, shared: Path
) -> None:
    from ..evaluation import resolve_text_refs
    from ..evaluation.timeplace import evaluate_dev, format_dev
    from .output import err_console

    records, skipped = resolve_text_refs(records, shared=shared)
    if skipped:  # scored without them, and said so: figures over a subset must not pass for the whole set
        err_console.print(
            f"{len(skipped)} gold line(s) left out, their text was not found (give --shared): {skipped[0]}",
            highlight=False, markup=False, soft_wrap=True,
        )
    if not records:
        raise InputError("no gold line has its text; give the folder of the texts they point to with --shared")
    scores = evaluate_dev(records, model=model)
    typer.echo(json.dumps(scores.as_dict()) if as_json else format_dev(scores, show_errors=errors))


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    eval_app.command("claims")(translate_errors(eval_claims))
    eval_app.command("polnear")(translate_errors(eval_polnear))
    eval_app.command("timeplace")(translate_errors(eval_timeplace))

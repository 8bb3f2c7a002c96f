"""Commands for copies and stories: ``stories``, ``article ID [--copies]``, ``eval dedup``, ``eval dedup-gen``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .output import LazyModule, dumps, emit, open_db, translate_errors

if TYPE_CHECKING:
    from ..store import stories as store_stories
else:
    store_stories = LazyModule("newswatch.store.stories")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database: a SQLite file path or a SQLAlchemy URL (default ./newswatch.db, or $NEWSWATCH_DB)"),
]
FormatOption = Annotated[str | None, typer.Option("--format", "-f", help="table, jsonl, json or csv")]


def _open(db: str | None) -> Any:
    return open_db(db)


def stories(
    db: DbOption = None,
    fmt: FormatOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="at most this many stories")] = 50,
    min_sources: Annotated[int, typer.Option(min=0, help="only stories with this many independent sources")] = 0,
    assign: Annotated[bool, typer.Option("--assign", help="first place articles that have no story yet")] = False,
) -> None:
    """List stories, most recent first, with their number of articles and of independent sources."""
    from ..grouping import assign_stories

    store = _open(db)
    if assign:
        assign_stories(store.engine)
    rows = store_stories.list_stories(store.engine, limit=limit, min_sources=min_sources)
    emit(
        rows,
        fmt=fmt,
        columns=("id", "first_seen", "num_articles", "num_independent_sources", "title"),
        title="stories",
    )


def article(
    article_id: Annotated[str, typer.Argument(help="article id (see `newswatch articles`)")],
    copies: Annotated[bool, typer.Option("--copies", help="show its original and every copy of it")] = False,
    db: DbOption = None,
    fmt: FormatOption = None,
) -> None:
    """Show one article's copy links; with --copies, its original and all known copies."""
    store = _open(db)
    group = store_stories.article_copies(store.engine, article_id)
    columns = ("id", "site", "published_at", "duplicate_of", "dup_relation", "dup_score", "original_source", "title")
    if not copies:
        emit([group["article"]], fmt=fmt, columns=columns, title="article")
        return
    original = {**group["original"], "dup_relation": "original"}
    emit([original, *group["copies"]], fmt=fmt, columns=columns, title=f"copies of {original['id']}")


def eval_dedup(
    set_path: Annotated[Path, typer.Argument(help="JSON lines made by `newswatch eval dedup-gen`")],
    as_json: Annotated[bool, typer.Option("--json", help="print the full report as JSON")] = False,
    containment: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="containment threshold (default: the shipped one)")
    ] = None,
    near_jaccard: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Jaccard threshold of a near-duplicate")
    ] = None,
    bands: Annotated[int | None, typer.Option(min=2, help="LSH bands")] = None,
    rows: Annotated[int | None, typer.Option(min=1, help="LSH rows per band")] = None,
) -> None:
    """Score copy detection: precision/recall per transformation and false merges between hard negatives."""
    from ..evaluation.dedup import evaluate

    settings = {"containment": containment, "near_jaccard": near_jaccard, "bands": bands, "rows": rows}
    report = evaluate(set_path, **{k: v for k, v in settings.items() if v is not None})
    if as_json:
        sys.stdout.write(dumps(report.as_dict()) + "\n")
        return
    table: list[dict[str, Any]] = [{"transform": k, **v} for k, v in report.per_transform.items()]
    table.append({"transform": "ALL", **report.overall})
    emit(table, fmt="table", columns=("transform", "n", "linked", "correct", "precision", "recall"),
         title=f"copy detection on {set_path.name} ({report.records} articles, {report.seconds:.1f} s)")
    neg = [{"negatives": k, **v} for k, v in report.negatives.items()]
    neg.append({"negatives": "originals linked to another article", "articles": "",
                "false_merges": report.originals_falsely_linked})
    emit(neg, fmt="table", columns=("negatives", "articles", "false_merges"), title="false merges")


def eval_dedup_gen(
    source_dir: Annotated[Path, typer.Argument(help="folder with benchmark folders holding truth/*.json")],
    out: Annotated[Path, typer.Argument(help="output JSON lines file")],
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same set")] = 13,
) -> None:
    """Make a copy-detection evaluation set from real article bodies (see docs/dedup-eval.md)."""
    from ..evaluation.dedup_gen import write

    counts = write(source_dir, out, seed=seed)
    rows = [{"kind": k, "articles": v} for k, v in sorted(counts.items())]
    emit(rows, fmt="table" if sys.stdout.isatty() else "jsonl", columns=("kind", "articles"), title=str(out))


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    app.command("stories")(translate_errors(stories))
    app.command("article")(translate_errors(article))
    eval_app.command("dedup")(translate_errors(eval_dedup))
    eval_app.command("dedup-gen")(translate_errors(eval_dedup_gen))

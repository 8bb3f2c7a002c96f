"""The faces of dedup: `newswatch stories`, `article --copies`, `eval dedup(-gen)` and the /api/stories routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from newswatch.api.app import create_app
from newswatch.cli import stories as stories_cli
from newswatch.grouping import StoredDedupIndex, assign_stories
from newswatch.models import Article
from newswatch.store import open_store

FIX = Path(__file__).parent / "fixtures" / "dedup"
T0 = datetime(2025, 5, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database with an original, a chrome-wrapped copy that names it, and an unrelated article."""
    url = f"sqlite:///{tmp_path / 'news.db'}"
    store = open_store(url)
    index = StoredDedupIndex.load(store.engine)
    body = (FIX / "port_strike_a.txt").read_text(encoding="utf-8")
    chrome = (FIX / "chrome_header.txt").read_text(encoding="utf-8")
    arts = [
        Article(id="orig", text=body, site="harbourtimes.example", title="Dock strike", published_at=T0),
        Article(id="copy", text=chrome + "\n" + body, site="mirror.example", published_at=T0 + timedelta(hours=2),
                original_source="www.harbourtimes.example"),
        Article(id="other", text=(FIX / "port_strike_other.txt").read_text(encoding="utf-8"),
                site="harbourtimes.example", published_at=T0 + timedelta(days=12)),
    ]
    for art in arts:
        with store.begin() as conn:
            store.save_article(art, conn=conn)
            index.add(art, index.check(art), conn=conn)
    assign_stories(store.engine)
    store.close()
    return url


def _app() -> typer.Typer:
    app = typer.Typer()
    eval_app = typer.Typer()
    app.add_typer(eval_app, name="eval")
    stories_cli.register(app, eval_app)
    return app


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_dedup_cli_stories_counts_copy_once(db: str) -> None:
    result = CliRunner().invoke(_app(), ["stories", "--db", db, "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = sorted(_jsonl(result.stdout), key=lambda r: str(r["first_seen"]))
    assert [(r["num_articles"], r["num_independent_sources"]) for r in rows] == [(2, 1), (1, 1)]


def test_dedup_cli_article_copies(db: str) -> None:
    result = CliRunner().invoke(_app(), ["article", "copy", "--copies", "--db", db, "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert [(r["id"], r["dup_relation"]) for r in rows] == [("orig", "original"), ("copy", "syndicated")]


def test_dedup_cli_unknown_article_is_one_line_error(db: str) -> None:
    result = CliRunner().invoke(_app(), ["article", "nope", "--db", db])
    assert result.exit_code == 6
    assert "no article with id 'nope'" in result.stderr


def test_dedup_cli_eval_gen_then_score(tmp_path: Path) -> None:
    out = tmp_path / "set.jsonl"
    gen = CliRunner().invoke(_app(), ["eval", "dedup-gen", str(FIX / "source"), str(out), "--seed", "3"])
    assert gen.exit_code == 0, gen.output
    records = _jsonl(out.read_text(encoding="utf-8"))
    assert {r["kind"] for r in records} >= {"original", "copy", "negative"}
    scored = CliRunner().invoke(_app(), ["eval", "dedup", str(out), "--json"])
    assert scored.exit_code == 0, scored.output
    report = json.loads(scored.stdout)
    assert report["overall"]["recall"] == 1.0 and report["overall"]["precision"] == 1.0
    assert sum(v["false_merges"] for v in report["hard_negatives"].values()) == 0


def test_dedup_api_stories_and_copies(db: str) -> None:
    client = TestClient(create_app(db))
    stories = client.get("/api/stories").json()
    assert stories["ok"] and stories["count"] == 2
    big = max(stories["items"], key=lambda s: s["num_articles"])
    detail = client.get(f"/api/stories/{big['id']}").json()["story"]
    assert sorted(a["id"] for a in detail["articles"]) == ["copy", "orig"]
    copies = client.get("/api/articles/orig/copies").json()
    assert [c["id"] for c in copies["copies"]] == ["copy"]
    missing = client.get("/api/stories/nope")
    assert missing.status_code == 404 and missing.json()["ok"] is False

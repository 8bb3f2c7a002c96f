"""The bundled demo corpus: written by us, up to date with its source, and showing what newswatch does
(extraction of real pages, a feed, records, copies on other sites, stories with several independent sources,
a spike for the watch demo) when run the way `make demo` runs it."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from newswatch import pipeline
from newswatch.config import Settings
from newswatch.demo import DEMO_PARTS, add_demo_watches, demo_sources, most_copied_article
from newswatch.store import open_store
from newswatch.watch import list_alerts

from .conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
COPY_SITES = {"meridiandaily.example", "coastlinetimes.example", "worldbriefs.example", "newsdigesthub.example"}


def _builder() -> object:
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "scripts" / "demo" / "build_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_demo"] = module
    spec.loader.exec_module(module)
    return module


def test_demo_files_are_what_the_builder_makes_from_the_reports() -> None:
    b: object = _builder()
    reports = b.parse_reports(b.REPORTS.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    files = b.build(reports)  # type: ignore[attr-defined]
    base = Path(demo_sources()[0]).parent
    on_disk = {str(p.relative_to(base)) for part in ("pages", "copies", "feeds", "wire")
               for p in (base / part).rglob("*") if p.is_file()}
    assert on_disk == set(files), "run: python scripts/demo/build_demo.py"
    stale = [p for p, text in files.items() if (base / p).read_text(encoding="utf-8") != text]
    assert not stale, f"out of date, run scripts/demo/build_demo.py: {stale[:3]}"


def test_demo_reports_cover_every_input_form_and_copy_kind() -> None:
    b: object = _builder()
    reports = b.parse_reports(b.REPORTS.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    assert len(reports) >= 140
    forms = Counter(r.outlet.form for r in reports)
    assert forms["html"] >= 60 and forms["rss"] >= 15 and forms["jsonl"] >= 15
    kinds = Counter(kind for r in reports for kind, _, _ in r.copies)
    assert min(kinds[k] for k in ("verbatim", "retitled", "trimmed")) >= 10
    same_owner = [o for r in reports for _, o, _ in r.copies if o.owner == r.outlet.owner]
    other_owner = [o for r in reports for _, o, _ in r.copies if o.owner != r.outlet.owner]
    assert len(same_owner) >= 10 and len(other_owner) >= 20
    # every report has a dateline place and names who says what
    for r in reports:
        assert re.match(r"[A-Z]{3,}", r.paragraphs[0]), r.rid
        assert re.search(r"\b(said|says|reported|according to|told)\b", " ".join(r.paragraphs)), r.rid


def _grams(text: str, n: int = 10) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus is not on this machine")
def test_demo_reports_share_no_passage_with_the_third_party_corpora() -> None:
    ours = _grams((ROOT / "scripts" / "demo" / "reports.txt").read_text(encoding="utf-8"))
    theirs: set[str] = set()
    for path in sorted((SHARED / "corpus").glob("*")):
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    theirs |= _grams(json.loads(line).get("text", ""))
        else:
            theirs |= _grams(path.read_text(encoding="utf-8", errors="replace"))
    shared = ours & theirs
    assert not shared, sorted(shared)[:5]


@pytest.mark.slow
def test_demo_run_shows_copies_stories_and_a_spike(tmp_path: Path) -> None:
    assert [Path(s).name for s in demo_sources()] == [Path(p).name for p in DEMO_PARTS]
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    settings = Settings(db_url=store.url)
    summary = pipeline.run(demo_sources(), store=store, settings=settings)
    assert summary.errors == 0 and summary.documents == summary.articles_new >= 200
    rows = list(store.iter_articles(include_text=False))
    by_id = {r["id"]: r for r in rows}
    copies = [r for r in rows if r["site"] in COPY_SITES]
    assert len(copies) >= 60
    for copy in copies:  # every copy is linked to the original on the outlet it names
        original = by_id[copy["duplicate_of"]]
        assert original["site"] == copy["original_source"] and original["duplicate_of"] is None
    assert not [r for r in rows if r["site"] not in COPY_SITES and r["duplicate_of"]]
    assert summary.analyzed == len(rows) - len(copies)
    # page chrome and bylines of the web pages
    page = next(r for r in rows if r["site"] == "harbourpost.example")
    text = store.get_article(page["id"])["text"]
    assert page["author"] == "Mina Cho" and "Post Comment" not in text and "Sign up" not in text
    assert "is a correspondent for" not in text
    # stories carried by several outlets, copies counted once
    from newswatch.store import stories as store_stories

    stories = store_stories.list_stories(store.engine, limit=500, min_sources=0)
    sources = Counter(s["num_independent_sources"] for s in stories)
    assert sum(n for k, n in sources.items() if k >= 3) >= 8
    assert all(s["num_independent_sources"] <= s["num_articles"] for s in stories)
    # the watch demo: the burst of strike reports on 17 November 2024 is a spike
    counts = add_demo_watches(store)
    assert counts["pyongyang-moscow"] >= 5
    spikes = [a for a in list_alerts(store, watch="strikes-spike")]
    assert any(a.details.get("day") == "2024-11-17" and a.details.get("type") == "ASSAULT" for a in spikes), [
        a.message for a in spikes
    ]
    assert most_copied_article(store) in by_id
    # placing the stories a few articles at a time gives the stories placing them all at once gives
    assert _stories_placed_anew(tmp_path / "demo.db", chunk=9) == _stories_placed_anew(tmp_path / "demo.db", chunk=10**6)
    # a second run adds nothing and analyses nothing again (copies included)
    again = pipeline.run(demo_sources(), store=store, settings=settings)
    assert (again.articles_new, again.analyzed, again.already_stored) == (0, 0, summary.documents)
    assert add_demo_watches(store) == counts


def _stories_placed_anew(db: Path, *, chunk: int) -> tuple[dict[str, str], list[tuple[object, ...]]]:
    """In a copy of ``db`` with every story removed, place all articles again ``chunk`` at a time; return each
    article's story and the stories' rows."""
    import sqlite3

    from sqlalchemy import text

    from newswatch.grouping import assign_stories

    copy = db.with_name(f"anew-{chunk}.db")
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    store = open_store(f"sqlite:///{copy}")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE articles SET story_id = NULL"))
        conn.execute(text("UPDATE events SET story_id = NULL"))
        conn.execute(text("DELETE FROM stories"))
    assert assign_stories(store.engine, chunk=chunk)
    with store.engine.connect() as conn:
        placed = {str(i): str(s) for i, s in conn.execute(text("SELECT id, story_id FROM articles"))}
        rows = [tuple(r) for r in conn.execute(text(
            "SELECT id, title, first_seen, last_seen, num_articles, num_independent_sources FROM stories ORDER BY id"
        ))]  # fmt: skip
    assert all(placed.values()) and len(rows) > 50
    store.close()
    return placed, rows

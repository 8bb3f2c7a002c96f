"""The whole pipeline over real files into a real SQLite file: good inputs stored and coded, bad ones recorded."""

from __future__ import annotations

import gzip
import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newswatch import pipeline
from newswatch.config import Settings
from newswatch.extract import extract_article
from newswatch.ingest import iter_documents
from newswatch.models import Article
from newswatch.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"


def _settings(url: str, **fetch: object) -> Settings:
    return Settings(db_url=url, fetch={"allow_private": True, "timeout": 1.0, **fetch})


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(FIXTURES / "records.jsonl", d / "records.jsonl")
    shutil.copy(FIXTURES / "briefing.html", d / "briefing.html")
    return d


@pytest.fixture
def slow_url() -> Iterator[str]:
    """A local server that never answers in time."""

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(3)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/slow"
    srv.shutdown()


def test_pipeline_run_stores_codes_and_is_idempotent(good_dir: Path, sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    first = pipeline.run([str(good_dir)], store=store, settings=_settings(sqlite_url))
    assert (first.documents, first.articles_new, first.analyzed, first.errors) == (4, 4, 4, 0)
    assert first.events > 0
    arts = {a["title"]: a for a in store.iter_articles()}
    herald = arts["Turkish and Greek ministers meet in Ankara"]
    assert herald["canonical_url"] == "https://herald.example.net/world/ministers-meet-ankara"
    assert herald["published_at"].year == 2024
    assert "Subscribe" not in herald["text"] and "Most read" not in herald["text"]
    countries = {a["country"] for a in store.article_actors(herald["id"])}
    assert {"TUR", "GRC"} <= countries
    again = pipeline.run([str(good_dir)], store=store, settings=_settings(sqlite_url))
    assert (again.articles_new, again.already_stored, again.analyzed) == (0, 4, 0)
    assert store.count("articles") == 4
    assert store.count("events") == first.events


def test_pipeline_run_records_bad_inputs_and_keeps_the_rest(
    good_dir: Path, tmp_path: Path, sqlite_url: str, slow_url: str
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.html").write_bytes(b"")
    (bad / "binary.html").write_bytes(bytes(range(256)) * 64)
    packed = gzip.compress(b"<html><body><p>" + b" ".join(b"w%d" % i for i in range(20000)))
    (bad / "truncated.html.gz").write_bytes(packed[: len(packed) // 2])
    (bad / "latin1.txt").write_bytes(
        "Le ministre fran\xe7ais a rencontr\xe9 son homologue.".encode("latin-1")
    )
    (bad / "huge.html").write_bytes(
        b"<html><body>" + b"<p>filler text here</p>" * (50_000_000 // 23) + b"</body></html>"
    )
    store = open_store(sqlite_url)
    summary = pipeline.run([str(good_dir), str(bad), slow_url], store=store, settings=_settings(sqlite_url))
    assert summary.analyzed >= 4
    errors = {Path(e["source"]).name if "://" not in e["source"] else "url": e for e in store.iter_errors()}
    for name in ("empty.html", "binary.html", "truncated.html.gz", "huge.html", "url"):
        assert name in errors, f"{name} was not recorded: {sorted(errors)}"
        assert len(errors[name]["reason"]) > 15
    assert "time" in errors["url"]["reason"].lower()
    assert {a["title"] for a in store.iter_articles()} >= {"EU imposes new sanctions on Russia"}


def test_pipeline_run_finishes_an_interrupted_run(good_dir: Path, sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    settings = _settings(sqlite_url)
    # an interrupted run: articles stored, never analysed
    for item in iter_documents([str(good_dir / "records.jsonl")], fetch=settings.fetch):
        assert not hasattr(item, "reason")
        article = extract_article(item, settings=settings.extract)  # type: ignore[arg-type]
        assert isinstance(article, Article)
        store.save_article(article)
    assert store.count("events") == 0
    summary = pipeline.run([str(good_dir)], store=store, settings=settings)
    assert summary.analyzed == 4
    assert {a["ingest_status"] for a in store.iter_articles()} == {"analyzed"}


@pytest.mark.slow
def test_pipeline_workers_and_dask_give_the_same_events(good_dir: Path, tmp_path: Path) -> None:
    results = []
    for name, nlp_settings in (
        ("one", {"workers": 1}),
        ("two", {"workers": 2}),
        ("dask", {"workers": 2, "cluster": "local"}),
    ):
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        store = open_store(url)
        summary = pipeline.run([str(good_dir)], store=store, settings=Settings(db_url=url, nlp=nlp_settings))
        assert summary.analyzed == 4, name
        results.append(sorted((e["article_id"], e["plover_type"], e["trigger"]) for e in store.iter_events()))
    assert results[0] and results[0] == results[1] == results[2]


def test_code_records_shape() -> None:
    records = [
        {
            "id": "r1",
            "text": "Kenyan police arrested dozens of protesters in Nairobi on Tuesday.",
            "date": "2024-03-06",
        },
        {"id": "r2", "text": ""},
    ]
    out = list(pipeline.code_records(records))
    assert [o["id"] for o in out] == ["r1", "r2"]
    assert out[1]["events"] == []
    ev = out[0]["events"]
    assert ev, "an arrest by police should be coded"
    keys = {"type", "mode", "context", "cameo", "acled_type", "actors", "recipients", "negated", "tense",
            "certainty", "date", "place", "evidence"}  # fmt: skip
    assert keys <= set(ev[0])
    assert ev[0]["evidence"].startswith("Kenyan police arrested")
    assert any(a["country"] == "KEN" for e in ev for a in e["actors"])


@pytest.mark.postgres
def test_pipeline_run_into_postgres_is_idempotent(good_dir: Path, postgres_db: str) -> None:
    store = open_store(postgres_db)
    first = pipeline.run([str(good_dir)], store=store, settings=_settings(postgres_db))
    assert (first.articles_new, first.analyzed, first.errors) == (4, 4, 0)
    again = pipeline.run([str(good_dir)], store=store, settings=_settings(postgres_db))
    assert (again.articles_new, again.analyzed) == (0, 0)
    assert store.count("events") == first.events > 0
    assert store.count("stories") >= 1
    assert {e["article_id"] for e in store.iter_events(country="RUS")}
    store.close()


def test_code_records_disaster_gets_its_label_and_no_event() -> None:
    text = (
        "A strong earthquake struck the coastal province overnight, destroying hundreds of homes; "
        "rescue teams pulled survivors from the rubble on Sunday."
    )
    (out,) = pipeline.code_records([{"id": "q", "text": text}])
    assert out["acled_type"] == "NATURAL_DISASTER"
    assert out["events"] == []


def test_analysis_chunks_start_small_so_progress_shows_early() -> None:
    from newswatch.pipeline import _chunked

    sizes = [len(c) for c in _chunked(iter(range(150)), 64)]  # type: ignore[arg-type]
    assert sizes == [8, 64, 64, 14]
    assert [len(c) for c in _chunked(iter(range(5)), 64)] == [5]  # type: ignore[arg-type]
    assert [len(c) for c in _chunked(iter(range(7)), 3)] == [3, 3, 1]  # type: ignore[arg-type]

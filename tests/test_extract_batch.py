"""A batch of good and bad inputs: every bad one ends as a clear failure, the good ones still come out,
both through the library (`extract_paths`) and through `newswatch extract` on the command line."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newswatch.cli import extract as extract_cli
from newswatch.config import ExtractSettings, FetchSettings
from newswatch.models import IngestFailure
from newswatch.pipeline import extract_paths

PAGES = Path(__file__).parent / "fixtures" / "pages"
KEYS = {"id", "url", "title", "author", "date", "site", "language", "text", "original_source"}


@pytest.fixture
def batch(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "good_html": tmp_path / "good.html",
        "good_text": tmp_path / "copy.txt.gz",
        "empty": tmp_path / "empty.html",
        "binary": tmp_path / "picture.html",
        "truncated": tmp_path / "cut.html.gz",
        "bad_utf8": tmp_path / "garbled.txt",
        "huge": tmp_path / "huge.html",
        "bad_feed": tmp_path / "broken.rss",
        "missing": tmp_path / "missing.html",
    }
    shutil.copy(PAGES / "news_article.html", paths["good_html"])
    paths["good_text"].write_bytes(gzip.compress((PAGES / "syndicated_copy.txt").read_bytes()))
    paths["empty"].write_bytes(b"")
    paths["binary"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    paths["truncated"].write_bytes(gzip.compress((PAGES / "news_article.html").read_bytes() * 20)[:700])
    paths["bad_utf8"].write_bytes(bytes(range(0x80, 0x100)) * 40)
    with paths["huge"].open("wb") as fh:  # 50 MB of real-looking markup
        fh.write(b"<html><body>")
        block = b"<p>" + b"The port stayed closed for another day. " * 25 + b"</p>\n"
        for _ in range(50_000_000 // len(block) + 1):
            fh.write(block)
        fh.write(b"</body></html>")
    paths["bad_feed"].write_bytes(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><ti')
    return paths


EXPECTED_REASONS = {
    "empty": "empty",
    "binary": "binary",
    "truncated": "truncated or corrupt",
    "bad_utf8": "not valid UTF-8",
    "huge": "over the 10000000-byte limit, and was not parsed",
    "bad_feed": "malformed or has no entries",
    "missing": "no such file",
}


def test_extract_batch_records_each_bad_input_and_keeps_the_good(batch: dict[str, Path]) -> None:
    failures: list[IngestFailure] = []
    out = list(extract_paths([str(p) for p in batch.values()], settings=ExtractSettings(), fetch=FetchSettings(),
                             on_failure=failures.append))
    assert [o["id"] for o in out] == ["good", "copy"]
    assert all(set(o) == KEYS for o in out)
    by_source = {f.source: f.reason for f in failures}
    assert len(failures) == len(EXPECTED_REASONS)
    for key, reason in EXPECTED_REASONS.items():
        assert reason in by_source[str(batch[key])], (key, by_source[str(batch[key])])


def _app() -> typer.Typer:
    app, eval_app = typer.Typer(), typer.Typer()
    app.add_typer(eval_app, name="eval")
    extract_cli.register(app, eval_app)
    return app


def test_extract_cli_prints_one_json_object_per_document(batch: dict[str, Path]) -> None:
    result = CliRunner().invoke(_app(), ["extract", str(batch["good_html"]), str(batch["good_text"]),
                                         str(batch["empty"])])
    assert result.exit_code == 4
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["good", "copy"]
    good, copy = lines
    assert set(good) == KEYS
    assert good["date"] == "2024-03-14T09:30:00+02:00"
    assert good["url"] == "https://harbourtimes.example.com/news/valmora-port-strike-third-day"
    assert copy["original_source"] == "northsea-herald.com" and copy["url"] is None
    assert result.stderr.count("\n") == 1 and str(batch["empty"]) in result.stderr and "empty" in result.stderr


def test_extract_cli_all_good_exits_zero() -> None:
    result = CliRunner().invoke(_app(), ["extract", str(PAGES / "syndicated_copy.txt")])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Dock Workers in Valmora Halt Grain Shipments Over Unpaid Wages"


def test_extract_cli_invalid_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(_app(), ["extract", "--timeout", "0", str(PAGES / "syndicated_copy.txt")])
    assert result.exit_code == 2
    assert "invalid option" in result.stderr and result.stdout == ""

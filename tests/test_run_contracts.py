"""What a script or an analyst can rely on after `newswatch run`: times kept as instants across time zones,
texts over the parser's limit cut with a note instead of stopping the batch, extreme dates that break nothing
later, exit codes that tell all / some / none failed, and terminal output with control characters escaped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newswatch import nlp, pipeline
from newswatch.cli import register_all
from newswatch.cli.core import SOME_INPUTS_FAILED
from newswatch.config import Settings
from newswatch.errors import InputError
from newswatch.registry import Stages
from newswatch.store import open_store

app = register_all()
runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"


def _jsonl(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _rows(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


# ------------------------------------------------------------------------------------------ instants


# Two reports of one meeting: by the wall clock A (23 January in Tokyo) is later than B (22 January in
# New York), but B was published nine hours after A.
TOKYO = {"id": "a", "date": "2021-01-23T01:00:00+09:00", "url": "https://tokyo.example.jp/a",
         "text": "The foreign ministers of Japan and Australia met in Tokyo on Friday to discuss maritime security."}
NEW_YORK = {"id": "b", "date": "2021-01-22T20:00:00-05:00", "url": "https://ny.example.com/b",
            "text": "The foreign ministers of Canada and Mexico met in Ottawa on Friday to discuss trade rules."}  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_times_are_stored_as_utc_instants_with_their_offset(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_db")
    source = _jsonl(tmp_path / "tz.jsonl", [TOKYO, NEW_YORK])
    store = open_store(url)
    pipeline.run([source], store=store, settings=Settings(db_url=url))
    rows = list(store.iter_articles(include_text=False))
    assert [r["name"] for r in rows] == ["b", "a"]  # newest instant first, not newest wall clock
    by_name = {r["name"]: r for r in rows}
    assert by_name["a"]["published_at"].isoformat() == "2021-01-22T16:00:00+00:00"
    assert by_name["b"]["published_at"].isoformat() == "2021-01-23T01:00:00+00:00"
    assert (by_name["a"]["published_offset"], by_name["b"]["published_offset"]) == ("+09:00", "-05:00")
    # "on Friday" is 22 January in both places: a calendar day keeps its day, whatever the zone
    days = {e["article_id"]: e["event_date"].date().isoformat() for e in store.iter_events() if e["event_date"]}
    assert set(days.values()) == {"2021-01-22"}
    store.close()


def test_articles_command_prints_the_instant_and_the_offset(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    source = _jsonl(tmp_path / "tz.jsonl", [{**NEW_YORK, "date": "2021-01-22 22:12:35-05:00"}])
    assert runner.invoke(app, ["run", source, "--db", db, "-q"]).exit_code == 0
    [row] = _rows(runner.invoke(app, ["articles", "--db", db, "--format", "jsonl"]).output)
    assert row["published_at"] == "2021-01-23T03:12:35+00:00" and row["published_offset"] == "-05:00"


# ------------------------------------------------------------------------------------------ long texts


def _long_text(chars: int) -> str:
    para = ("The defence ministers of Norway and Sweden met in Oslo on Tuesday and agreed to hold joint naval "
            "exercises in the spring. ")  # fmt: skip
    out, n = [], 0
    while n < chars:
        out.append(para * 3)
        n += len(para) * 3 + 2
    return "\n\n".join(out)


def test_a_text_over_the_parser_limit_is_cut_with_a_note_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nlp, "MAX_CHARS", 5_000)  # the parser's limit, scaled down: 1,000,000 characters normally
    long_text = _long_text(15_000)
    source = _jsonl(tmp_path / "r.jsonl", [{"id": "long", "text": long_text}, TOKYO])
    url = f"sqlite:///{tmp_path / 'l.db'}"
    store = open_store(url)
    summary = pipeline.run([source], store=store, settings=Settings(db_url=url))
    assert (summary.analyzed, summary.errors, summary.notes) == (2, 0, 1)
    rows = {r["name"]: r for r in store.iter_articles()}
    assert rows["long"]["text"].split() == long_text.split()  # stored whole
    [note] = rows["long"]["notes"]
    assert "more than the parser's limit of 5,000" in note and "whole text is stored" in note
    events = [e for e in store.iter_events() if e["article_id"] == rows["long"]["id"]]
    assert events and max(e["trigger_end"] for e in events) <= 5_000
    assert rows["a"]["ingest_status"] == "analyzed"


def test_a_parser_failure_on_one_text_is_recorded_and_the_others_are_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = Stages().nlp  # the pipeline the run uses: the registry builds it once per process
    monkeypatch.setattr(parser, "max_length", 3_000)  # spaCy raises E088 on the long text, as it would at 1M
    monkeypatch.setattr(nlp, "MAX_CHARS", 10**9)  # and newswatch does not cut it first
    source = _jsonl(tmp_path / "r.jsonl", [TOKYO, {"id": "long", "text": _long_text(8_000)}, NEW_YORK])
    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = open_store(url)
    summary = pipeline.run([source], store=store, settings=Settings(db_url=url))
    assert (summary.analyzed, summary.errors) == (2, 1)
    [error] = list(store.iter_errors())
    assert error["stage"] == "analyze" and "E088" in error["reason"] and error["source"].endswith(":2")
    statuses = {r["name"]: r["ingest_status"] for r in store.iter_articles(include_text=False)}
    assert statuses == {"a": "analyzed", "b": "analyzed", "long": "extracted"}


# ------------------------------------------------------------------------------------------ extreme dates


def test_extreme_dates_break_no_run_and_no_later_command(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    records = [
        {"id": "d1", "date": "0001-01-01", "text": "The foreign ministers of France and Germany met in Paris."},
        {"id": "d2", "date": "9999-12-31", "text": "The foreign ministers of Italy and Spain met in Rome."},
        {"id": "d3", "date": "2024-03-05", "text": "The presidents of Kenya and Uganda met 1000000 days ago in Nairobi."},
        {"id": "d4", "date": "0001-01-01T00:00:00+05:00", "text": "The leaders of Chile and Peru met in Lima on Monday."},
    ]
    source = _jsonl(tmp_path / "d.jsonl", records)
    for _ in range(2):  # and a second run, which places stories again
        result = runner.invoke(app, ["run", source, "--db", db, "-q"])
        assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in _rows(runner.invoke(app, ["articles", "--db", db, "--format", "jsonl"]).output)}
    assert rows["d1"]["published_at"] is None and "before 1600" in rows["d1"]["notes"][0]
    assert rows["d2"]["published_at"] is None and "in the future" in rows["d2"]["notes"][0]
    assert all(r["story_id"] for r in rows.values())
    for command in (["stories", "--format", "jsonl"], ["events", "--format", "jsonl"], ["export", "--format", "jsonl"],
                    ["export", "--format", "acled-csv"], ["claims", "--format", "jsonl"]):  # fmt: skip
        result = runner.invoke(app, [*command, "--db", db])
        assert result.exit_code == 0, (command, result.output)


# ------------------------------------------------------------------------------------------ exit codes


def test_run_exit_code_when_every_input_failed(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "binary.html").write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(app, ["run", str(tmp_path / "empty.html"), str(tmp_path / "binary.html"),
                                 "--db", str(tmp_path / "e.db")])  # fmt: skip
    assert result.exit_code == InputError.exit_code == 4
    assert "2 input(s) failed" in result.output


def test_run_exit_code_when_some_inputs_failed(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    result = runner.invoke(app, ["run", str(FIXTURES / "records.jsonl"), str(tmp_path / "empty.html"),
                                 "--db", str(tmp_path / "s.db")])  # fmt: skip
    assert result.exit_code == SOME_INPUTS_FAILED == 7
    assert "articles stored 3" in result.output and "1 input(s) failed" in result.output


def test_run_help_documents_the_exit_codes() -> None:
    text = runner.invoke(app, ["run", "--help"]).output
    assert "7 some inputs failed" in " ".join(text.split()) and "4 every input failed" in " ".join(text.split())


# ------------------------------------------------------------------------------------------ terminal output


def test_errors_table_escapes_terminal_control_characters(tmp_path: Path) -> None:
    evil = tmp_path / "evil\x1b]0;pwned\x07\x1b[2J\u202egnp.html"
    evil.write_bytes(b"")
    db = str(tmp_path / "c.db")
    run = runner.invoke(app, ["run", str(evil), "--db", db])
    assert run.exit_code == 4
    assert "\x1b" not in run.output and "\x07" not in run.output and "\u202e" not in run.output
    table = runner.invoke(app, ["errors", "--db", db, "--format", "table"], env={"COLUMNS": "400"})
    assert table.exit_code == 0
    assert "\x1b" not in table.output and "\x07" not in table.output and "\u202e" not in table.output
    flat = "".join(table.output.split())
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202egnp.html" in flat
    # machine formats keep the exact name (JSON escapes it)
    [row] = _rows(runner.invoke(app, ["errors", "--db", db, "--format", "jsonl"]).output)
    assert row["source"] == str(evil)


def test_table_cells_are_not_rich_markup(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    source = _jsonl(tmp_path / "m.jsonl", [{**TOKYO, "title": "[bold]Sanctions[/] and [/unclosed]"}])
    assert runner.invoke(app, ["run", source, "--db", db, "-q"]).exit_code == 0
    table = runner.invoke(app, ["articles", "--db", db, "--format", "table"], env={"COLUMNS": "400"})
    assert table.exit_code == 0, table.output
    assert "[bold]Sanctions[/] and [/unclosed]" in "".join(table.output.split("\n"))


def test_code_skips_hostile_lines_and_codes_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        (json.dumps({"id": "a", "text": "The European Union imposed sanctions on Russia."}) + "\n").encode()
        + b"[" * 100_000 + b"\n"
        + b'{"id": "s", "text": "bad \\ud800 escape"}\n'
        + b"\xff\xfe not utf-8\n"
        + (json.dumps({"id": "b", "date": "9999-12-31", "text": "Police arrested protesters 1000000 days ago."}) + "\n").encode()
    )  # fmt: skip
    result = runner.invoke(app, ["code", "--input", str(path)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b"]
    for line_no, why in ((2, "nested too deeply"), (3, "unpaired surrogate"), (4, "not UTF-8")):
        assert f"{path}:{line_no}: skipped" in result.stderr and why in result.stderr

"""A newcomer's first commands: where the database is, $NEWSWATCH_DB as a plain path, useful errors for
unsupported databases, help without type placeholders, progress without a terminal, clean log lines."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import command, register_all
from newswatch.cli.progress import LineProgress
from newswatch.config import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"
app = register_all()
runner = CliRunner()


def test_firstrun_newswatch_db_takes_a_plain_path(tmp_path: Path) -> None:
    assert Settings.from_env({"NEWSWATCH_DB": "news.db"}).db_url == "sqlite:///news.db"
    assert Settings.from_env({"NEWSWATCH_DB": "sqlite:///a.db"}).db_url == "sqlite:///a.db"
    db = tmp_path / "env.db"
    result = runner.invoke(app, ["run", str(FIXTURES / "records.jsonl"), "-q"], env={"NEWSWATCH_DB": str(db)})
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["articles", "--format", "jsonl"], env={"NEWSWATCH_DB": str(db)})
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 3


def test_firstrun_reading_a_missing_database_points_to_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newswatch-demo.db").write_bytes(b"")
    for cmd in (["events"], ["articles"], ["claims"], ["stories"], ["watch", "alerts"]):
        result = runner.invoke(app, cmd, env={"NEWSWATCH_DB": ""})
        assert result.exit_code == 5, (cmd, result.output)
        assert "no database at newswatch.db" in result.output
        assert "--db newswatch-demo.db" in result.output and "NEWSWATCH_DB=newswatch-demo.db" in result.output
    assert not (tmp_path / "newswatch.db").exists()  # nothing was created


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://user@localhost/news", "SQLite or PostgreSQL, not mysql"),
        ("oracle://user@localhost/news", "SQLite or PostgreSQL, not oracle"),
    ],
)
def test_firstrun_unsupported_database_says_what_works(url: str, expected: str) -> None:
    result = runner.invoke(app, ["events", "--db", url])
    assert result.exit_code == 5
    assert expected in result.output
    assert "--db news.db" in result.output


def test_firstrun_error_messages_keep_their_brackets(tmp_path: Path) -> None:
    # "[postgres]" was read as Rich markup and vanished: "pip install 'newswatch'"
    result = runner.invoke(app, ["events", "--db", "mysql://u@h/x"])
    assert "pip install 'newswatch[postgres]'" in result.output


def _all_help(cmd: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    out = [(path, cmd)]
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        out.extend(_all_help(sub, (*path, name)))
    return out


def _help(root: object, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        root.main([*args, "--help"], prog_name="newswatch")  # type: ignore[attr-defined]
    assert done.value.code == 0, args
    return capsys.readouterr().out


def test_firstrun_help_names_values_without_type_placeholders(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    root = command()
    paths = [path for path, _ in _all_help(root)]
    assert ("watch", "add") in paths and ("eval", "events") in paths
    for path in paths:
        usage = _help(root, list(path), capsys)
        assert not re.search(r"<(bool|str|int|float|list\[str\]|path|int range|float range)>", usage), (path, usage)
        assert not re.search(r"\{[a-z_]+\}", usage), (path, usage)
    run_help = _help(root, ["run"], capsys)
    assert "Usage: newswatch run [OPTIONS] SOURCES..." in run_help
    assert re.search(r"--workers\s+-w\s+N\b", run_help) and re.search(r"--db\s+DB\b", run_help)


def test_firstrun_progress_without_a_terminal_prints_a_line_now_and_then() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = LineProgress(out, interval=10, clock=lambda: now[0])
    for _ in range(50):
        now[0] += 0.1
        progress("read", 1)
    progress("to_analyze", 40)
    assert out.getvalue() == ""  # five seconds: nothing yet
    for _ in range(10):
        now[0] += 1.0
        progress("analyzed", 1)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("progress: read 50 documents · analysed 6/40 articles (15 %)")
    assert "articles/s" in lines[0] and "s left" in lines[0]


def test_firstrun_run_summary_and_log_lines(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    good = tmp_path / "note.txt"
    good.write_text("North Korea fired two ballistic missiles into the sea on Monday, the South's military said.")
    result = runner.invoke(app, ["run", str(good), str(bad), "--db", str(tmp_path / "n.db")])
    assert result.exit_code == 7, result.output  # some inputs failed (the documented exit code)
    assert "WARNING:newswatch" not in result.output  # the level is printed once, by Rich
    assert "failed at" in result.output
    # one short document: a words/s figure would measure the start-up, so there is none
    assert "words/s" not in result.output and "analysed 1" in result.output


def test_firstrun_verbose_logging_is_not_configured_twice() -> None:
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    try:
        result = runner.invoke(app, ["-v", "errors", "--db", "sqlite:///:memory:"])
        assert result.exit_code == 0
        handlers = root.handlers
        assert len(handlers) == 1 and handlers[0].formatter is not None
        assert handlers[0].formatter._fmt == "%(message)s"
    finally:  # leave logging as the other tests expect it (-v sets INFO on the root logger)
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]

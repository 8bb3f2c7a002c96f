"""The command line end to end with CliRunner over a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newswatch.cli import register_all

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"
app = register_all()
runner = CliRunner()


def _jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_cli_run_then_list_articles_events_claims(tmp_path: Path) -> None:
    db = str(tmp_path / "n.db")
    result = runner.invoke(app, ["run", str(FIXTURES / "records.jsonl"), "--db", db])
    assert result.exit_code == 0, result.output
    assert "articles stored 3" in result.output
    arts = _jsonl(runner.invoke(app, ["articles", "--db", db, "--format", "jsonl"]).output)
    assert len(arts) == 3
    assert {
        "id",
        "url",
        "title",
        "published_at",
        "site",
        "original_source",
        "duplicate_of",
        "story_id",
    } <= set(arts[0])
    events = _jsonl(runner.invoke(app, ["events", "--db", db, "--format", "jsonl"]).output)
    assert events and all(e["text"] for e in events)
    claims = _jsonl(runner.invoke(app, ["claims", "--db", db, "--format", "jsonl"]).output)
    assert all({"article_id", "speaker", "source_type", "cue", "certainty", "text"} <= set(c) for c in claims)
    rus = _jsonl(runner.invoke(app, ["events", "--db", db, "--format", "jsonl", "--country", "RUS"]).output)
    assert rus and all(
        "RUS" in (e["actor_countries"] + e["recipient_countries"] + (e["country"] or "")) for e in rus
    )
    actors = _jsonl(runner.invoke(app, ["actors", "--db", db, "--format", "jsonl"]).output)
    assert actors and all(a["mentions"] > 0 for a in actors)


def test_cli_code_prints_one_object_per_record(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        json.dumps({"id": "a", "text": "The European Union imposed sanctions on Russia."}) + "\n"
        + "not json\n"
        + json.dumps({"id": "b", "text": "It rained."}) + "\n"
    )  # fmt: skip
    result = runner.invoke(app, ["code", "--input", str(inp)])
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert "acled_type" in out[0] and isinstance(out[0]["events"], list)
    # every event says which coder made it: the shipped model's name and version
    from newswatch.coder.model import EventModel, shipped_model_dir

    assert out[0]["events"] and {e["coder_version"] for e in out[0]["events"]} == {
        EventModel.load(shipped_model_dir()).version
    }
    rules = runner.invoke(app, ["code", "--input", str(inp), "--coder", "rules"])
    assert {e["coder_version"] for e in json.loads(rules.stdout.splitlines()[0])["events"]} == {"rules-0.2.0"}


def test_cli_code_takes_the_publishers_country_from_a_records_address(tmp_path: Path) -> None:
    """First person in a government statement is that government when the record says where it was published;
    without an address (or with a malformed one) the coder cannot know who "we" are."""
    text = "We imposed sanctions on Russia."
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        json.dumps({"id": "wh", "text": text, "url": "https://www.whitehouse.gov/briefing-room/statement"}) + "\n"
        + json.dumps({"id": "site", "text": text, "site": "www.gov.uk"}) + "\n"
        + json.dumps({"id": "none", "text": text}) + "\n"
        + json.dumps({"id": "bad", "text": text, "url": "http://[::1"}) + "\n"
        + json.dumps({"id": "num", "text": text, "url": 7}) + "\n"
    )  # fmt: skip
    for coder in ("learned", "rules"):
        result = runner.invoke(app, ["code", "--input", str(inp), "--coder", coder])
        assert result.exit_code == 0, result.output
        out = {o["id"]: o["events"] for o in map(json.loads, result.stdout.splitlines())}
        assert list(out) == ["wh", "site", "none", "bad", "num"]

        def actors(rid: str, out: dict = out) -> set[str | None]:
            return {a["country"] for e in out[rid] if e["type"] == "SANCTION" for a in e["actors"]}

        assert actors("wh") == {"USA"}, (coder, out["wh"])
        assert actors("site") == {"GBR"}, (coder, out["site"])
        for rid in ("none", "bad", "num"):
            assert "USA" not in actors(rid) and "GBR" not in actors(rid), (coder, rid, out[rid])


def test_cli_bad_db_is_one_line_and_exit_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["articles", "--db", str(tmp_path / "missing" / "x.db")])
    assert result.exit_code == 5
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_cli_unknown_export_format_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "xml", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "plover-json" in result.output

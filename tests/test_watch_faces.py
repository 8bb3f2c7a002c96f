"""The faces of watch: `newswatch watch ...` through CliRunner and GET /api/watches, /api/alerts, over SQLite."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from newswatch.api.routes.watch import router
from newswatch.cli.watch import register
from newswatch.store import open_store

from ._watch_data import Ev, save

runner = CliRunner()
DAY = datetime(2025, 3, 4, tzinfo=UTC)


def _app() -> typer.Typer:
    """A fresh app with only the watch commands registered, as cli/__init__.py would register them."""
    app, eval_app = typer.Typer(), typer.Typer()

    @app.callback()
    def _main() -> None:
        pass

    register(app, eval_app)
    return app


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "news.db")


def test_cli_add_list_check_alerts_remove(db: str) -> None:
    code, _, err = _run(
        "watch", "add", "ukr", "--type", "assault", "-c", "UKR", "--min-sources", "1", "--db", db
    )
    assert code == 0 and "type=ASSAULT country=UKR" in err
    save(
        open_store(f"sqlite:///{db}"), Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY, sentence="Artillery hit.")
    )
    code, out, _ = _run("watch", "check", "--db", db, "-f", "jsonl")
    [alert] = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and alert["watch"] == "ukr" and alert["details"]["evidence"] == "Artillery hit."
    assert _run("watch", "check", "--db", db, "-f", "jsonl")[1] == ""
    code, out, _ = _run("watch", "alerts", "--db", db, "-f", "json", "--watch", "ukr")
    assert [a["key"] for a in json.loads(out)] == [alert["key"]]
    [row] = [json.loads(line) for line in _run("watch", "list", "--db", db, "-f", "jsonl")[1].splitlines()]
    assert row["name"] == "ukr" and row["alerts"] == 1
    code, _, err = _run("watch", "remove", "ukr", "--db", db)
    assert code == 0 and "1 alert" in err
    assert _run("watch", "list", "--db", db, "-f", "jsonl")[1] == ""


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["watch", "add", "w", "--type", "ATTACK"], 2, "not a PLOVER event type"),
        (["watch", "remove", "nope"], 6, "no watch named 'nope'"),
        (["watch", "check", "--smtp-to", "a@example.org"], 2, "--smtp-host"),
        (["watch", "alerts", "--since", "yesterday"], 2, "YYYY-MM-DD"),
        (["watch", "add", "s", "--spike", "--by", "city"], 2, "--by 'city' is not valid"),
    ],
)
def test_cli_errors_are_one_line_with_exit_code(
    db: str, args: list[str], exit_code: int, message: str
) -> None:
    code, _, err = _run(*args, "--db", db)
    assert code == exit_code and message in err and len(err.strip().splitlines()) <= 2


def test_cli_check_runs_the_notify_command(db: str, tmp_path: Path) -> None:
    got = tmp_path / "got.json"
    _run("watch", "add", "all", "--db", db)
    save(open_store(f"sqlite:///{db}"), Ev("AID", ["USA"], ["SDN"], "SDN", DAY))
    command = f"{sys.executable} -c \"import sys; open({str(got)!r}, 'w').write(sys.stdin.read())\""
    code, _, _ = _run("watch", "check", "--db", db, "--notify-command", command, "-f", "jsonl")
    assert code == 0 and json.loads(got.read_text())["details"]["recipients"][0]["country"] == "SDN"


def test_cli_spikes_lists_spike_days(db: str) -> None:
    store = open_store(f"sqlite:///{db}")
    for day in range(1, 9):
        save(store, Ev("PROTEST", ["FRA"], [], "FRA", datetime(2025, 3, day, tzinfo=UTC)))
    for n in range(5):
        save(store, Ev("PROTEST", ["FRA"], [], "FRA", datetime(2025, 3, 9, tzinfo=UTC)), story=f"s{n}")
    code, out, _ = _run("watch", "spikes", "--type", "PROTEST", "--by", "place", "--db", db, "-f", "jsonl")
    [spike] = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and (spike["day"], spike["group"], spike["count"]) == ("2025-03-09", "FRA", 5)


def test_cli_poll_once_on_a_saved_page(db: str, tmp_path: Path) -> None:
    page = tmp_path / "kharkiv.html"
    shutil.copy(Path(__file__).parent / "fixtures" / "watch" / "kharkiv_shelling.html", page)
    _run("watch", "add", "ukr", "--type", "ASSAULT", "--country", "UKR", "--db", db)
    code, out, err = _run("watch", "poll", str(page), "--once", "--db", db, "-f", "jsonl")
    assert code == 0 and "round 1" in err and "1 new article(s)" in err
    [alert] = [json.loads(line) for line in out.splitlines()]
    assert alert["watch"] == "ukr" and "Kharkiv" in alert["details"]["evidence"]


@pytest.fixture
def client(db: str) -> Iterator[TestClient]:
    store = open_store(f"sqlite:///{db}")
    app = FastAPI()
    app.state.store = store
    app.include_router(router)
    with TestClient(app) as c:
        yield c


def test_api_lists_watches_and_alerts(client: TestClient, db: str) -> None:
    assert client.get("/api/watches").json() == {"ok": True, "count": 0, "items": []}
    _run("watch", "add", "ukr", "--type", "ASSAULT", "--db", db)
    _run("watch", "add", "surge", "--spike", "--db", db)
    save(open_store(f"sqlite:///{db}"), Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", DAY))
    _run("watch", "check", "--db", db)
    watches = client.get("/api/watches").json()
    assert [(w["name"], w["alerts"]) for w in watches["items"]] == [("surge", 0), ("ukr", 1)]
    body = client.get("/api/alerts", params={"watch": "ukr"}).json()
    assert body["count"] == 1 and body["items"][0]["details"]["type"] == "ASSAULT"
    assert client.get("/api/alerts", params={"kind": "spike"}).json()["count"] == 0
    assert client.get("/api/alerts", params={"kind": "other"}).status_code == 422

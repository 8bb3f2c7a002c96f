"""The registry: parts built once per process for each configuration, chosen by name, and another coder or
exporter registered the way the built-ins are and used by the pipeline and the command line."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newswatch import pipeline, registry
from newswatch.cli import register_all
from newswatch.config import CoderSettings, Settings
from newswatch.errors import ConfigError, QueryError
from newswatch.export import Exporter
from newswatch.models import Article
from newswatch.registry import Stages
from newswatch.store import open_store

from ._data import fill

runner = CliRunner()
TEXT = "North Korea fired a ballistic missile into the sea on Thursday, South Korea's military said."


class _Tagged:
    """A third party's coder: the rule coder's events under its own version."""

    version = "tagged-0.1"

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def code_doc(self, doc: Any, *, article_id: str, context: Any = None) -> list[Any]:
        events = self.inner.code_doc(doc, article_id=article_id, context=context)
        return [replace(e, coder_version=self.version) for e in events]

    def acled_label(self, text: str, events: list[Any]) -> str | None:
        label: str | None = self.inner.acled_label(text, events)
        return label


@pytest.fixture
def tagged_coder(tmp_path: Path) -> Iterator[Path]:
    """Register the "tagged" coder; yields a file that gets the id of every process that builds it."""
    builds = tmp_path / "builds.txt"
    builds.write_text("", encoding="utf-8")

    @registry.register("coder", "tagged")
    def make(*, parts: Stages, event_model: str | None = None) -> _Tagged:
        with builds.open("a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return _Tagged(parts.rules_coder)

    yield builds
    registry.unregister("coder", "tagged")


def _builders(builds: Path) -> list[int]:
    return [int(line) for line in builds.read_text(encoding="utf-8").split()]


def test_registry_builds_each_part_once_per_configuration() -> None:
    one, two = Stages(), Stages(Settings(db_url="sqlite:///elsewhere.db", nlp={"workers": 3}))
    assert one.actors is two.actors and one.gazetteer is two.gazetteer and one.acled is two.acled
    assert one.coder is two.coder and one.rules_coder is two.rules_coder
    assert one.coder is not one.rules_coder
    assert one.coder.resolver is one.actors and one.rules_coder.resolver is one.actors
    assert Stages(Settings(coder={"kind": "rules"})).coder is one.rules_coder


def test_registry_unknown_coder_is_a_config_error_naming_the_registered_ones() -> None:
    with pytest.raises(ConfigError, match="'learned' or 'rules'"):
        _ = Stages(Settings(coder={"kind": "nonesuch"})).coder


def test_registry_unknown_export_format_lists_the_formats() -> None:
    with pytest.raises(QueryError) as info:
        registry.exporter("xml")
    assert info.value.allowed == registry.names("exporter")
    assert "plover-json" in str(info.value) and info.value.param == "format"


def test_registry_third_party_coder_codes_records_and_runs(tagged_coder: Path, tmp_path: Path) -> None:
    assert "tagged" in registry.names("coder")
    [tagged] = pipeline.code_records([{"id": "a", "text": TEXT}], coder=CoderSettings(kind="tagged"))
    [rules] = pipeline.code_records([{"id": "a", "text": TEXT}], coder=CoderSettings(kind="rules"))
    def same(record: dict) -> dict:  # type: ignore[type-arg]
        return {**record, "events": [{k: v for k, v in e.items() if k != "coder_version"} for e in record["events"]]}

    # the same events, each saying which coder made it
    assert same(tagged) == same(rules) and tagged["events"]
    assert {e["coder_version"] for e in tagged["events"]} == {"tagged-0.1"}
    assert {e["coder_version"] for e in rules["events"]} == {"rules-0.2.0"}
    source = tmp_path / "r.jsonl"
    source.write_text(json.dumps({"id": "a", "text": TEXT, "date": "2024-09-12"}) + "\n", encoding="utf-8")
    db = str(tmp_path / "t.db")
    app = register_all()
    assert runner.invoke(app, ["run", str(source), "--db", db, "--coder", "tagged", "--quiet"]).exit_code == 0
    events = [json.loads(line) for line in runner.invoke(app, ["events", "--db", db, "--format", "jsonl"]).output.splitlines()]
    assert events and {e["coder_version"] for e in events} == {"tagged-0.1"}
    assert _builders(tagged_coder) == [os.getpid()]  # built once, for the three uses


def test_registry_third_party_exporter_is_a_format_of_export(sqlite_url: str, tmp_path: Path) -> None:
    def lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
        for row in rows:
            yield f"{row['plover_type']} {row['id']}\n"

    registry.register("exporter", "lines", lambda *, parts: Exporter(lines, "text/plain", "txt"))
    try:
        store = open_store(sqlite_url)
        fill(store)
        ids = sorted(e["id"] for e in store.iter_events() if not e["negated"] and e["tense"] not in ("future", "hypothetical"))
        out = tmp_path / "events.txt"
        result = runner.invoke(register_all(), ["export", "--format", "lines", "--db", sqlite_url, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(line.split()[1] for line in out.read_text(encoding="utf-8").splitlines()) == ids
    finally:
        registry.unregister("exporter", "lines")
    with pytest.raises(QueryError):
        registry.exporter("lines")


ARTICLES = [Article(id=f"a{n}", text=f"{TEXT} Talks in Seoul followed on day {n}.", source=f"a{n}") for n in range(8)]


@pytest.mark.slow
@pytest.mark.parametrize("where", [{"workers": 2}, {"workers": 2, "cluster": "local"}], ids=["workers", "dask"])
def test_registry_workers_code_as_one_process(where: dict[str, Any]) -> None:
    """Workers are sent the analysis settings, build their parts from them and code as this process does."""
    here = list(pipeline.analyze_parallel(ARTICLES, settings=Settings(), chunk_size=2))
    there = list(pipeline.analyze_parallel(ARTICLES, settings=Settings(nlp={"batch_size": 2, **where}), chunk_size=2))
    assert [a.events for a in there] == [a.events for a in here]  # type: ignore[union-attr]
    assert sum(len(a.events) for a in here) >= 8  # type: ignore[union-attr]


@pytest.mark.slow
def test_registry_worker_processes_build_a_registered_coder_once_each(tagged_coder: Path) -> None:
    settings = Settings(nlp={"workers": 2}, coder={"kind": "tagged"})
    results = list(pipeline.analyze_parallel(ARTICLES, settings=settings, chunk_size=1))  # 8 chunks, 2 processes
    assert all(e.coder_version == "tagged-0.1" for a in results for e in a.events)  # type: ignore[union-attr]
    builders = _builders(tagged_coder)
    assert os.getpid() not in builders and 1 <= len(builders) <= 2 and len(set(builders)) == len(builders)

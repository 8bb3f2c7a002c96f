"""The shipped actor data files: provenance headers, well-formed rows, and loader errors that name the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newswatch.actors import DATA_DIR, ActorResolver
from newswatch.errors import ConfigError

FILES = [
    "countries.tsv",
    "places.tsv",
    "sectors.tsv",
    "organisations.tsv",
    "people.tsv",
    "people_politics.tsv",
    "sites.tsv",
]


@pytest.mark.parametrize("name", FILES)
def test_actors_data_file_has_provenance_header(name: str) -> None:
    header = [
        line for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    text = "\n".join(header).lower()
    assert "_meta" in text
    assert "source" in text
    assert "2026-" in text  # dated
    assert "licence" in text


@pytest.mark.parametrize("name", ["organisations.tsv", "people.tsv", "people_politics.tsv"])
def test_actors_data_ids_are_unique(name: str) -> None:
    rows = [
        line.split("\t")
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ][1:]
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(len(r) == len(rows[0]) for r in rows)


@pytest.mark.parametrize(
    ("name", "bad_row", "message"),
    [
        ("people.tsv", "x-y\tX Y\t\tRUSSIA\tGOV\trole\t2000-", "people.tsv:.*'RUSSIA'"),
        ("people.tsv", "x-y\tX Y\t\tRUS\tGOVT\trole\t2000-", "people.tsv:.*'GOVT'"),
        ("organisations.tsv", "x\tX\t\tZZZ\tGOV\tnote", "organisations.tsv:.*'ZZZ'"),
        ("sectors.tsv", "warlords\tWAR\t\t", "sectors.tsv:.*'WAR'"),
        ("places.tsv", "Atlantis\tATL\tregion\tnote", "places.tsv:.*'ATL'"),
    ],
)
def test_actors_bad_data_row_is_a_config_error_naming_file_and_line(
    tmp_path: Path, name: str, bad_row: str, message: str
) -> None:
    for f in FILES:
        shutil.copy(DATA_DIR / f, tmp_path / f)
    with (tmp_path / name).open("a", encoding="utf-8") as fh:
        fh.write(bad_row + "\n")
    with pytest.raises(ConfigError, match=message):
        ActorResolver(data_dir=tmp_path, min_city_population=0)


def test_actors_data_dir_override_is_used(tmp_path: Path) -> None:
    for f in FILES:
        shutil.copy(DATA_DIR / f, tmp_path / f)
    with (tmp_path / "people.tsv").open("a", encoding="utf-8") as fh:
        fh.write("test-person\tZorblax Quint\tQuint\tNOR\tGOV\tfictional test entry\t2026-\n")
    actor = ActorResolver(data_dir=tmp_path, min_city_population=0).code_text("Zorblax Quint")
    assert actor is not None
    assert (actor.country, actor.actor_id) == ("NOR", "person:test-person")

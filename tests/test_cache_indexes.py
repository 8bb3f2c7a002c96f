"""The per-user cache of built indexes: reused across processes, rebuilt when its inputs change, harmless when
it cannot be written or is damaged, and the gazetteer read from its file answers like the one built in memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newswatch import cache
from newswatch.places import Gazetteer, load_gazetteer


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("NEWSWATCH_CACHE_DIR", str(home))
    return home


def test_cache_builds_once_then_loads(cache_home: Path) -> None:
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"answer": 42}

    assert cache.cached("thing", "k1", build) == {"answer": 42}
    assert cache.cached("thing", "k1", build) == {"answer": 42}
    assert len(calls) == 1
    assert [p.name for p in cache_home.iterdir()] == ["thing-k1.pickle"]


def test_cache_new_key_rebuilds_and_keeps_the_three_latest_versions(cache_home: Path) -> None:
    for n in range(1, 5):
        assert cache.cached("thing", f"k{n}", lambda n=n: n) == n
        os.utime(cache_home / f"thing-k{n}.pickle", (1000 + n, 1000 + n))
    cache.cached("thing", "k5", lambda: 5)
    assert sorted(p.name for p in cache_home.iterdir()) == ["thing-k3.pickle", "thing-k4.pickle", "thing-k5.pickle"]
    cache.cached("thing-other", "k1", lambda: 3)  # another entry whose name starts alike is left alone
    assert len(list(cache_home.glob("thing-other-*"))) == 1 and len(list(cache_home.glob("thing-k*"))) == 3


def test_cache_ignores_files_of_another_user(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.cached("thing", "k1", lambda: 1)
    monkeypatch.setattr(os, "getuid", lambda: 12345)
    assert cache.cached("thing", "k1", lambda: 2) == 2


def test_cache_fingerprint_follows_the_data_files(tmp_path: Path) -> None:
    data = tmp_path / "people.tsv"
    data.write_text("a\tb\n")
    before = cache.fingerprint(files=[data], packages=["numpy"])
    assert cache.fingerprint(files=[data], packages=["numpy"]) == before
    data.write_text("a\tc\n")
    assert cache.fingerprint(files=[data], packages=["numpy"]) != before


def test_cache_damaged_file_is_rebuilt(cache_home: Path) -> None:
    cache.cached("thing", "k1", lambda: 1)
    (cache_home / "thing-k1.pickle").write_bytes(b"not a pickle")
    assert cache.cached("thing", "k1", lambda: 2) == 2


def test_cache_without_a_writable_folder_still_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NEWSWATCH_CACHE_DIR", str(blocker / "cache"))  # cannot be created under a file
    assert cache.cache_dir() is None
    assert cache.cached("thing", "k1", lambda: 7) == 7


@pytest.mark.slow
def test_cache_gazetteer_file_answers_like_the_built_one(cache_home: Path, tmp_path: Path) -> None:
    built = Gazetteer()
    path = tmp_path / "gaz.sqlite"
    built.save(path)
    read = Gazetteer.from_file(path)
    assert len(read) == len(built)
    for name in ("Pyongyang", "Kursk", "Washington", "Donbas", "the Yellow Sea", "Sudzha", "Odesa", "Nowhere-Ville"):
        assert read.candidates(name) == built.candidates(name), name
        assert read.resolve(name) == built.resolve(name), name
    entry = built.resolve("Sinuiju")
    assert entry is not None
    assert read.timezone(geonameid=entry.geonameid) == built.timezone(geonameid=entry.geonameid) == "Asia/Pyongyang"
    assert read.timezone(country="UKR") == built.timezone(country="UKR")
    assert read.curated_pattern.pattern == built.curated_pattern.pattern


@pytest.mark.slow
def test_cache_gazetteer_is_written_once_and_read_by_the_next_process(cache_home: Path) -> None:
    first = load_gazetteer()
    files = list(cache_home.glob("gazetteer-*.sqlite"))
    assert len(files) == 1 and isinstance(first._index, dict)  # built in memory, then written
    code = (
        "from newswatch.places import load_gazetteer, _IndexFile; g = load_gazetteer(); "
        "assert isinstance(g._index, _IndexFile); print(g.resolve('Pyongyang').country)"
    )
    env = {**os.environ, "NEWSWATCH_CACHE_DIR": str(cache_home)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "PRK"


@pytest.mark.slow
def test_cache_actor_tables_survive_a_read_only_cache_folder(cache_home: Path) -> None:
    """A cache folder that exists but cannot be written (a read-only home) only makes things slower."""
    cache_home.mkdir()
    code = (
        "import os, newswatch.cache as c; os.access = lambda *a, **k: False; "
        "from newswatch.actors import load_resolver; r = load_resolver(); "
        "print(r.code_text('North Korea').country, c.cache_dir())"
    )
    env = {**os.environ, "NEWSWATCH_CACHE_DIR": str(cache_home)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["PRK", "None"]
    assert list(cache_home.iterdir()) == []

"""Shared fixtures: real SQLite files, a real PostgreSQL server, a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

REQUIRE_SYSTEM = os.environ.get("NEWSWATCH_REQUIRE_SYSTEM_TESTS") == "1"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def missing(what: str) -> None:
    """Skip a test that needs a system program, or fail when CI requires it."""
    if REQUIRE_SYSTEM:
        pytest.fail(
            f"{what} is required here (NEWSWATCH_REQUIRE_SYSTEM_TESTS=1); run scripts/test-system-deps.sh"
        )
    pytest.skip(f"{what} not installed; scripts/test-system-deps.sh installs it")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'news.db'}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1 run by an unprivileged user (initdb refuses root)."""
    bins = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        missing("PostgreSQL server (initdb)")
    bindir = Path(bins[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="newswatch-pg-"))
    base.chmod(0o777)
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    sock.chmod(0o777)
    prefix: list[str] = []
    user = os.environ.get("USER") or "postgres"
    if os.geteuid() == 0:
        user = "nobody"
        prefix = ["runuser", "-u", user, "--"]
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-E", "UTF8", "-U", user],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    log = base / "pg.log"
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
         f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True, env=env,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server."""
    import sqlalchemy as sa

    name = f"t{time.time_ns()}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A real headless Chromium driven through chromedriver (Debian packages)."""
    if not (Path("/usr/bin/chromium").exists() and shutil.which("chromedriver")):
        missing("Chromium and chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000", f"--user-data-dir={tempfile.mkdtemp(prefix='newswatch-chromium-')}",
    ):  # fmt: skip
        options.add_argument(arg)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()

"""The FastAPI app: JSON API under /api, the dashboard at /, all assets served locally."""

from __future__ import annotations

import importlib
import logging
import socket
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..store import open_store
from . import errors

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# Route modules under newswatch.api.routes, each with an APIRouter named ``router``; listed in one place.
ROUTE_MODULES: tuple[str, ...] = ("articles", "actors", "events", "stories", "watch", "export", "web")


def create_app(db_url: str) -> FastAPI:
    """An app serving the database at ``db_url``."""
    app = FastAPI(
        title="newswatch",
        version=__version__,
        description="Evidence-linked event data from news: articles, actors, events, claims, stories.",
    )
    app.state.store = open_store(db_url)

    errors.install(app)

    for name in ROUTE_MODULES:
        try:
            module = importlib.import_module(f"{__package__}.routes.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.routes.{name}":
                raise
            log.warning("route module %s is not installed; its endpoints are missing", name)
            continue
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    return app


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def serve(
    db_url: str, *, host: str = "127.0.0.1", port: int = 8000, announce: Callable[[str], None] | None = None
) -> None:
    """Serve until interrupted; when ``port`` is taken (or 0), any free port is used and announced."""
    import uvicorn

    if port == 0 or not _port_free(host, port):
        port = _free_port(host)
    app = create_app(db_url)
    url = f"http://{host}:{port}/"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    if announce:
        announce(url)
    server.run()

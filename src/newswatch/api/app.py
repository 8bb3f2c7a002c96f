"""The FastAPI app: JSON API under /api, the dashboard at /, all assets served locally."""

from __future__ import annotations

import errno
import importlib
import logging
import socket
from collections.abc import Callable, Iterable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..errors import ServiceError
from ..store import open_store
from . import errors, security
from .security import DEFAULT_HOSTS

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# Route modules under newswatch.api.routes, each with an APIRouter named ``router``; listed in one place.
ROUTE_MODULES: tuple[str, ...] = ("articles", "actors", "events", "stories", "watch", "export", "web")


def create_app(db_url: str, *, allowed_hosts: Iterable[str] | None = None) -> FastAPI:
    """An app serving the database at ``db_url``; with ``allowed_hosts`` requests for other Host names are
    refused (``serve`` always passes them; see ``security``)."""
    app = FastAPI(
        title="newswatch",
        version=__version__,
        description="Evidence-linked event data from news: articles, actors, events, claims, stories.",
        docs_url=None,  # served by security.install from local assets, under the Content-Security-Policy
        redoc_url=None,
    )
    app.state.store = open_store(db_url)
    security.install(app, allowed_hosts=allowed_hosts)

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


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on exactly ``host``:``port`` (0: any free port), or a ServiceError saying why not.

    SO_REUSEADDR lets a restarted server take its port back while the old connections sit in TIME_WAIT;
    a port another server really holds is still refused.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise ServiceError(f"cannot listen on {host!r}: the address does not resolve ({exc}); pass --host "
                           "127.0.0.1 or another address of this machine") from exc
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServiceError(f"port {port} on {host} is in use by another program; stop it, or pass another "
                               "--port (--port 0 picks any free port)") from exc
        raise ServiceError(f"cannot listen on {host} port {port} ({exc.strerror or exc}); pass another --host "
                           "or --port") from exc
    sock.set_inheritable(True)
    return sock


def serve(
    db_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    announce: Callable[[str], None] | None = None,
    allow_hosts: Iterable[str] = (),
) -> None:
    """Serve until interrupted on exactly ``port`` (0: any free port, announced); a taken port is an error.

    Requests must name this server in their Host header: 127.0.0.1, localhost, ::1, the address it listens
    on (when not a wildcard) and any of ``allow_hosts``; a page read through a rebinding DNS name is refused.
    """
    import uvicorn

    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    hosts = [*DEFAULT_HOSTS, *allow_hosts]
    if host not in ("0.0.0.0", "::", ""):
        hosts.append(host)
    app = create_app(db_url, allowed_hosts=hosts)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound_port}/"
    config = uvicorn.Config(app, log_level="warning", server_header=False)
    server = uvicorn.Server(config)
    if announce:
        announce(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()

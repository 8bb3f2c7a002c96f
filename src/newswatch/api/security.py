"""The web face's defences, in one place: security headers and a strict Content-Security-Policy on every
response, the Host header check against DNS rebinding, error responses that never show internal URLs or
paths, API docs from locally installed assets, and links that are only ever http(s).

``install(app, allowed_hosts=...)`` wires it into an app; ``newswatch serve`` always passes the hosts (127.0.0.1
and localhost by default, more with ``--allow-host``). An app made without hosts (embedded in another server,
or in tests) skips only the Host check.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import StoreError

log = logging.getLogger(__name__)

DEFAULT_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")

# No inline script or style anywhere, no plug-ins, no framing, no other origin; images may be data: URIs
# (Swagger UI's icons are).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)

_DOCS_ASSETS = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css",
                "favicon-32x32.png": "image/png"}  # fmt: skip
_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>newswatch API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def safe_link(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None: a ``javascript:`` or ``data:`` URL stored by an
    older version is shown as text, never as a link."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\x00\t\n\r"):
        return None
    return url


def normalise_hosts(hosts: Iterable[str]) -> frozenset[str]:
    """Host names as the check compares them: lower case, without port or IPv6 brackets."""
    out = set()
    for host in hosts:
        host = host.strip().lower()
        if host.startswith("["):
            host = host[1:].split("]", 1)[0]
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        if host:
            out.add(host)
    return frozenset(out)


def _host_of(scope: Scope) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == b"host":
            return next(iter(normalise_hosts([value.decode("latin-1")])), None)
    return None


def _wants_json(scope: Scope) -> bool:
    path: str = scope.get("path") or ""
    return path.startswith("/api") or path == "/openapi.json"


def error_response(scope: Scope, status: int, message: str) -> Response:
    """The one error shape: ``{"ok": false, "error": ...}`` under /api, a short page elsewhere."""
    if _wants_json(scope):
        return JSONResponse({"ok": False, "error": message}, status_code=status)
    return PlainTextResponse(message, status_code=status)


class SecurityMiddleware:
    """Adds the security headers to every response, refuses unknown Host headers, and turns an unexpected
    exception into a 500 that says nothing about the server's files or database (the log has the detail)."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None = None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers[name] = value
            await send(message)

        if self.allowed_hosts is not None:
            host = _host_of(scope)
            if host not in self.allowed_hosts:
                shown = (host or "(none)")[:100]
                message = (
                    f"this newswatch server does not answer to the host name {shown!r}; it answers to "
                    f"{', '.join(sorted(self.allowed_hosts))}. To reach it under another name, restart it with "
                    "--allow-host NAME"
                )
                await error_response(scope, 400, message)(scope, receive, send_with_headers)
                return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            message = "internal error while answering this request; the server's log has the details"
            await error_response(scope, 500, message)(scope, receive, send_with_headers)


def _store_error(request: Request, exc: Exception) -> Response:
    # the message names the database URL or file: the log keeps it, the client does not see it
    log.error("database error on %s: %s", request.url.path, exc)
    return error_response(
        request.scope, 503, "the database could not be read; the server's log has the details, try again later"
    )


def install(app: FastAPI, *, allowed_hosts: Iterable[str] | None = None) -> None:
    """Wire the defences into ``app`` (made with ``docs_url=None, redoc_url=None``)."""
    app.add_middleware(SecurityMiddleware, allowed_hosts=None if allowed_hosts is None else normalise_hosts(allowed_hosts))
    app.add_exception_handler(StoreError, _store_error)


    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        folder = _swagger_folder()
        if name not in _DOCS_ASSETS or folder is None:
            return error_response({"path": "/docs"}, 404, "no such file")
        return FileResponse(folder / name, media_type=_DOCS_ASSETS[name])


def _swagger_folder() -> Path | None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        log.warning("the API docs need swagger-ui-bundle-v2: pip install swagger-ui-bundle-v2==5.31.0")
        return None
    return Path(str(swagger_ui_path))

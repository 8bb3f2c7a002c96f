"""One error shape for the whole API: ``{"ok": false, "error": message}`` (plus ``param`` and ``allowed`` for a
refused query value), whatever failed: a NewswatchError, a parameter FastAPI could not parse, an unknown
path or method, or a bug (500, logged with its traceback, never shown to the client)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import NewswatchError, QueryError

log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)


def _page(request: Request, message: str, status: int) -> Response:
    from .routes.web import render_error

    return render_error(request, message, status)


def error_response(request: Request, message: str, status: int, **extra: Any) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "error": message, **extra}, status_code=status)
    return _page(request, message, status)


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    parts = []
    param = None
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
        name = ".".join(loc) or "request"
        param = param or name
        value = err.get("input")
        shown = f" {value!r}" if isinstance(value, str | int | float) and len(str(value)) <= 80 else ""
        parts.append(f"{name}{shown}: {err.get('msg', 'invalid')}")
    return "invalid query parameter: " + "; ".join(parts) + ". See /docs for the allowed values.", param


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""

    @app.exception_handler(NewswatchError)
    async def _newswatch_error(request: Request, exc: NewswatchError) -> Response:
        extra: dict[str, Any] = {}
        if isinstance(exc, QueryError):
            extra = {"param": exc.param or None, "allowed": exc.allowed}
        return error_response(request, str(exc), exc.http_status, **extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        message, param = _validation_message(exc)
        return error_response(request, message, 422, param=param)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}; the API is listed at /docs"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}; the API is read-only (GET)"
        return error_response(request, message, exc.status_code)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(
            request,
            "internal error: the server could not answer this request; it was logged. "
            "Retry, and report it with the URL if it persists.",
            500,
        )


__all__ = ["HTMLResponse", "error_response", "install"]

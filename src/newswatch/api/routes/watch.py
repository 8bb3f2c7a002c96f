"""Watches and alerts: the rules analysts set and what they raised (read-only; rules are managed by the CLI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from ... import watch as lib
from ..deps import StoreDep

router = APIRouter(prefix="/api", tags=["watch"])


@router.get("/watches")
def list_watches(store: StoreDep) -> dict[str, Any]:
    """Retrieve watch rules with their number of alerts, latest alert and last check."""
    items = lib.list_watches(store)
    return {"ok": True, "count": len(items), "items": items}


@router.get("/alerts")
def list_alerts(
    store: StoreDep,
    watch: Annotated[str | None, Query(max_length=255, description="only this watch's alerts")] = None,
    kind: Annotated[Literal["event", "spike"] | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="raised at or after this time (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Retrieve alerts, newest first: matched events (with evidence and sources) and spikes."""
    items = [
        a.as_dict()
        for a in lib.list_alerts(store, watch=watch, kind=kind, since=since, limit=limit, offset=offset)
    ]
    return {"ok": True, "count": len(items), "offset": offset, "items": items}

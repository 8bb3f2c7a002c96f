"""Actors, most mentioned first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ...query import parse_country
from ..deps import StoreDep

router = APIRouter(prefix="/api", tags=["actors"])


@router.get("/actors")
def list_actors(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    country: Annotated[str | None, Query(max_length=64, description="ISO-3 code or English name")] = None,
    mentioned: bool = True,
) -> dict[str, Any]:
    """Retrieve actors with mention and article counts; ``mentioned=false`` includes unmentioned entries."""
    code = parse_country(country) if country else None
    items = list(store.iter_actors(country=code, mentioned_only=mentioned, limit=limit))
    return {"ok": True, "count": len(items), "items": items}

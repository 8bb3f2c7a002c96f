"""Events and claims, filtered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ..deps import StoreDep

router = APIRouter(prefix="/api", tags=["events"])


def _day(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day) if value else None


@router.get("/events")
def list_events(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    type: str | None = None,
    country: str | None = None,
    certainty: str | None = None,
    source_type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    article_id: str | None = None,
    negated: bool = True,
) -> dict[str, Any]:
    """Retrieve coded events with their evidence sentence, filtered by type, country, certainty, source, date."""
    items = list(
        store.iter_events(
            article_id=article_id,
            plover_type=type,
            country=country,
            certainty=certainty,
            source_type=source_type,
            since=_day(since),
            until=_day(until),
            include_negated=negated,
            limit=limit,
            offset=offset,
        )
    )
    return {"ok": True, "count": len(items), "offset": offset, "items": items}


@router.get("/claims")
def list_claims(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    certainty: str | None = None,
    source_type: str | None = None,
    speaker: str | None = None,
    article_id: str | None = None,
) -> dict[str, Any]:
    """Retrieve claims: speaker, source type, cue, certainty and the sentence."""
    items = list(
        store.iter_claims(
            article_id=article_id,
            certainty=certainty,
            source_type=source_type,
            speaker=speaker,
            limit=limit,
            offset=offset,
        )
    )
    return {"ok": True, "count": len(items), "offset": offset, "items": items}


@router.get("/errors")
def list_errors(store: StoreDep, limit: Annotated[int, Query(ge=1, le=5000)] = 100) -> dict[str, Any]:
    """Retrieve inputs that failed, with stage and reason."""
    items = list(store.iter_errors(limit=limit))
    return {"ok": True, "count": len(items), "items": items}


@router.get("/stats")
def stats(store: StoreDep) -> dict[str, Any]:
    """Counts of stored rows."""
    return {
        "ok": True,
        "counts": {
            t: store.count(t)
            for t in ("articles", "events", "claims", "mentions", "stories", "ingest_errors")
        },
    }

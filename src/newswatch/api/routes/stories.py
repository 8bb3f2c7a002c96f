"""Stories and copy groups: which articles report one event and how many independent outlets carry it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ...store import stories as store_stories
from ..deps import StoreDep

router = APIRouter(prefix="/api", tags=["stories"])


@router.get("/stories")
def list_stories(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    min_sources: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Retrieve stories, most recent first, with their numbers of articles and independent sources."""
    items = store_stories.list_stories(store.engine, limit=limit, offset=offset, min_sources=min_sources)
    return {"ok": True, "count": len(items), "offset": offset, "items": items}


@router.get("/stories/{story_id}")
def get_story(story_id: str, store: StoreDep) -> dict[str, Any]:
    """Retrieve one story with its articles and its number of events."""
    return {"ok": True, "story": store_stories.get_story(store.engine, story_id)}


@router.get("/articles/{article_id}/copies")
def article_copies(article_id: str, store: StoreDep) -> dict[str, Any]:
    """Retrieve an article's original (earliest known version) and every known copy of it."""
    return {"ok": True, **store_stories.article_copies(store.engine, article_id)}

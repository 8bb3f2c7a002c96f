"""Stories and copy groups: which articles report one event and how many independent outlets carry it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ...query import MAX_MIN_SOURCES, STORY_SORTS, parse_day
from ...store import query as q
from ...store import stories as store_stories
from ..deps import StoreDep
from ..params import CursorParam, LimitParam, choice
from .events import page_body

router = APIRouter(prefix="/api", tags=["stories"])


@router.get("/stories")
def list_stories(
    request: Request,
    store: StoreDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
    min_sources: Annotated[int, Query(ge=0, le=MAX_MIN_SOURCES)] = 0,
    since: Annotated[str | None, Query(max_length=32, description="last seen on or after YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(max_length=32, description="first seen on or before YYYY-MM-DD")] = None,
    q_: Annotated[str | None, Query(alias="q", max_length=200, description="title contains")] = None,
    sort: Annotated[str, Query(description="-last_seen, last_seen, -sources or -articles")] = "-last_seen",
) -> JSONResponse:
    """Retrieve stories with their numbers of articles and independent sources, most recent first."""
    choice(sort, "sort", STORY_SORTS)
    page = q.list_stories(
        store.engine, min_sources=min_sources, since=parse_day(since, "since"), until=parse_day(until, "until"),
        q=q_, sort=sort, limit=limit, cursor=cursor,
    )  # fmt: skip
    return page_body(request, page)


@router.get("/stories/{story_id}")
def get_story(story_id: str, store: StoreDep) -> dict[str, Any]:
    """Retrieve one story with its articles (which copies which) and its number of events."""
    return {"ok": True, "story": store_stories.get_story(store.engine, story_id)}


@router.get("/articles/{article_id}/copies")
def article_copies(article_id: str, store: StoreDep) -> dict[str, Any]:
    """Retrieve an article's original (earliest known version) and every known copy of it."""
    return {"ok": True, **store_stories.article_copies(store.engine, article_id)}

"""Articles, with their actors, events and claims."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ...store.query import articles_actors, count_articles
from ..deps import StoreDep

router = APIRouter(prefix="/api", tags=["articles"])


@router.get("/articles")
def list_articles(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    site: Annotated[str | None, Query(max_length=255)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Retrieve articles, newest first, without their text."""
    items = list(store.iter_articles(limit=limit, offset=offset, site=site, q=q, include_text=False))
    actors = articles_actors(store.engine, [i["id"] for i in items], per_article=8)
    for item in items:
        item["actors"] = actors.get(item["id"], [])
    total, exact = count_articles(store.engine, site=site, q=q)
    return {"ok": True, "total": total, "total_exact": exact, "count": len(items), "offset": offset, "items": items}


@router.get("/articles/{article_id}")
def get_article(article_id: str, store: StoreDep) -> dict[str, Any]:
    """Retrieve one article with its text, actors, mentions, events and claims."""
    article = store.get_article(article_id)
    return {
        "ok": True,
        "article": article,
        "actors": store.article_actors(article_id),
        "mentions": store.article_mentions(article_id),
        "events": list(store.iter_events(article_id=article_id)),
        "claims": list(store.iter_claims(article_id=article_id)),
    }

"""The dashboard: server-rendered pages over the same store as the API (no external assets)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ...errors import NotFoundError
from ..app import PACKAGE_DIR
from ..deps import StoreDep
from ..security import safe_link

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))


def _actor_label(a: dict[str, Any]) -> str:
    return f"{a.get('country') or '?'}{(' ' + a['sector']) if a.get('sector') else ''}"


def _highlight(text: str, start: int | None, end: int | None, offset: int) -> Markup:
    """The evidence sentence with the trigger marked."""
    if start is None or end is None:
        return Markup(escape(text))
    s, e = start - offset, end - offset
    if not (0 <= s < e <= len(text)):
        return Markup(escape(text))
    return Markup(f"{escape(text[:s])}<mark>{escape(text[s:e])}</mark>{escape(text[e:])}")


templates.env.filters["actor_label"] = _actor_label


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    store: StoreDep,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> HTMLResponse:
    items = list(store.iter_articles(limit=limit, q=q, include_text=False))
    for item in items:
        item["actors"] = store.article_actors(item["id"])[:10]
    counts = {t: store.count(t) for t in ("articles", "events", "claims", "stories", "ingest_errors")}
    recent = list(store.iter_events(limit=15, include_negated=False))
    return templates.TemplateResponse(
        request, "dashboard.html", {"articles": items, "counts": counts, "q": q or "", "recent": recent}
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str, store: StoreDep) -> HTMLResponse:
    try:
        article = store.get_article(article_id)
    except NotFoundError as exc:
        return templates.TemplateResponse(request, "error.html", {"message": str(exc)}, status_code=404)
    article["url"] = safe_link(article.get("url"))  # a javascript: URL stored by an older version is no link
    events = list(store.iter_events(article_id=article_id))
    for e in events:
        e["evidence"] = _highlight(
            e.get("text") or "", e.get("trigger_start"), e.get("trigger_end"), e.get("sent_start") or 0
        )
    return templates.TemplateResponse(
        request,
        "article.html",
        {
            "a": article,
            "actors": store.article_actors(article_id),
            "events": events,
            "claims": list(store.iter_claims(article_id=article_id)),
        },
    )


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    store: StoreDep,
    type: str | None = None,
    country: str | None = None,
    certainty: str | None = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> HTMLResponse:
    events = list(store.iter_events(plover_type=type, country=country, certainty=certainty, limit=limit))
    for e in events:
        e["evidence"] = _highlight(
            e.get("text") or "", e.get("trigger_start"), e.get("trigger_end"), e.get("sent_start") or 0
        )
    return templates.TemplateResponse(
        request,
        "events.html",
        {"events": events, "type": type or "", "country": country or "", "certainty": certainty or ""},
    )

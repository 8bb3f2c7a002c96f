"""Events and claims: filtered pages with totals and next links, aggregates, and the allowed values."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ...query import BUCKETS, CERTAINTIES, CLAIM_SORTS, EVENT_SORTS, SOURCE_TYPES, choices
from ...store import query as q
from ..deps import StoreDep
from ..params import CursorParam, FilterDep, LimitParam, OffsetParam, choice

router = APIRouter(prefix="/api", tags=["events"])


def next_link(request: Request, cursor: str | None) -> str | None:
    """The URL of the next page: this request's parameters with the new cursor (and no offset)."""
    if cursor is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "offset")]
    return f"{request.url.path}?{urlencode([*params, ('cursor', cursor)])}"


class FastJSON(JSONResponse):
    """JSON written by the standard library with dates as ISO 8601 (no per-value pydantic encoding pass)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def page_body(request: Request, page: q.Page) -> JSONResponse:
    return FastJSON({
        "ok": True,
        "total": page.total,
        "total_exact": page.total_exact,
        "count": len(page.items),
        "next": next_link(request, page.next_cursor),
        "cursor": page.next_cursor,
        "items": page.items,
    })


@router.get("/events")
def list_events(
    request: Request,
    store: StoreDep,
    f: FilterDep,
    limit: LimitParam = 100,
    offset: OffsetParam = 0,
    cursor: CursorParam = None,
    sort: Annotated[str, Query(description="-date (newest first) or date")] = "-date",
) -> JSONResponse:
    """Retrieve coded events with their evidence sentence, story sources and article, filtered, newest first.

    ``total`` counts every match (``total_exact`` is false when it stopped at 10,000); ``next`` is the URL of
    the following page (keyset: stable while new events arrive)."""
    choice(sort, "sort", EVENT_SORTS)
    page = q.list_events(store.engine, f, limit=limit, cursor=cursor, sort=sort, offset=offset)
    return page_body(request, page)


@router.get("/events/timeline")
def events_timeline(
    store: StoreDep,
    f: FilterDep,
    bucket: Annotated[str, Query(description="auto, day, week, month or year")] = "auto",
    by: Annotated[str, Query(description="type, quad or total")] = "type",
) -> JSONResponse:
    """Count events per day, week, month or year, one series per PLOVER type, quad class or in total."""
    choice(bucket, "bucket", BUCKETS)
    choice(by, "by", ("type", "quad", "total"))
    return FastJSON({"ok": True, "filter": f.params(), **q.timeline(store.engine, f, bucket=bucket, by=by)})


@router.get("/events/network")
def events_network(
    store: StoreDep,
    f: FilterDep,
    level: Annotated[str, Query(description="country (RUS>UKR) or actor (RUS GOV>UKR MIL)")] = "country",
    limit: Annotated[int, Query(ge=1, le=500, description="strongest edges to return")] = 80,
) -> JSONResponse:
    """The actor network: actors as nodes, actor>recipient dyads as edges with event counts per quad class and a
    tone from -1 (all conflict) to +1 (all cooperation)."""
    choice(level, "level", ("country", "actor"))
    return FastJSON({"ok": True, "filter": f.params(), **q.network(store.engine, f, level=level, limit=limit)})


@router.get("/events/places")
def events_places(store: StoreDep, f: FilterDep) -> JSONResponse:
    """Count events by place: ``points`` for places with coordinates (cities, points, regions with a seat) and
    ``areas`` for countries and regions known without a point (never placed at a made-up centroid)."""
    return FastJSON({"ok": True, "filter": f.params(), **q.places(store.engine, f)})


@router.get("/events/top")
def events_top(
    store: StoreDep,
    f: FilterDep,
    by: Annotated[str, Query(description="actors, dyads, actor-dyads, places or countries")] = "actors",
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
) -> dict[str, Any]:
    """The most frequent actor codes, dyads, places or countries among the filtered events."""
    kinds = {"actors": "a", "dyads": "e", "actor-dyads": "d", "places": "p", "countries": "c"}
    choice(by, "by", tuple(kinds))
    return {"ok": True, "by": by, "items": q.top(store.engine, f, kind=kinds[by], limit=limit)}


@router.get("/choices")
def list_choices() -> dict[str, Any]:
    """Every allowed value of the filters, sorts and buckets (types, quad classes, countries, ...)."""
    return {"ok": True, **choices()}


@router.get("/claims")
def list_claims(
    request: Request,
    store: StoreDep,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
    certainty: Annotated[list[str] | None, Query(description="asserted, reported, hedged, speculative, denied")] = None,
    source_type: Annotated[list[str] | None, Query(description="state_media, official, military, ...")] = None,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    q_: Annotated[str | None, Query(alias="q", max_length=200, description="claim sentence contains")] = None,
    article_id: Annotated[str | None, Query(max_length=64)] = None,
    sort: Annotated[str, Query(description="-date or date (the article's publication)")] = "-date",
) -> JSONResponse:
    """Retrieve claims: speaker, source type, cue, certainty, the sentence and its article, newest first."""
    from ...query import split_values

    choice(sort, "sort", CLAIM_SORTS)
    certs = [choice(c.lower(), "certainty", CERTAINTIES) for c in split_values(certainty)]
    types = [choice(s.lower(), "source_type", SOURCE_TYPES) for s in split_values(source_type)]
    page = q.list_claims(
        store.engine, certainty=certs, source_type=types, speaker=speaker, q=q_, article_id=article_id,
        sort=sort, limit=limit, cursor=cursor,
    )  # fmt: skip
    return page_body(request, page)


@router.get("/errors")
def list_errors(store: StoreDep, limit: LimitParam = 100) -> dict[str, Any]:
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

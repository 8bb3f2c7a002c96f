"""The dashboard: server-rendered pages over the same store and the same validated filters as the API.

Every page is complete without JavaScript (tables of what the charts draw, links for every number). Charts,
the map and the network are drawn by /static/app.js from the JSON endpoints named in ``data-src``
attributes; no inline script or style, so the pages run under a strict Content-Security-Policy. The map and
chart code comes from npm at build time (``make assets``); without it the pages say so and stay usable.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ... import registry
from ... import watch as watch_lib
from ...errors import NotFoundError, QueryError
from ...query import (
    CERTAINTIES,
    CLAIM_SORTS,
    EVENT_SORTS,
    QUAD,
    QUAD_NAMES,
    SOURCE_TYPES,
    STORY_SORTS,
    EventFilter,
    choices,
    country_name,
    event_filter,
    parse_day,
    plover_types,
    split_values,
)
from ...store import query as q
from ...store import stories as store_stories
from ..app import PACKAGE_DIR
from ..deps import StoreDep
from ..params import choice
from ..security import safe_link

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
VENDOR = PACKAGE_DIR / "static" / "vendor"
PAGE_SIZE = 50


def _actor_label(a: dict[str, Any]) -> str:
    return f"{a.get('country') or '?'}{(' ' + a['sector']) if a.get('sector') else ''}"


def _clip(text: str | None, n: int = 220) -> str:
    """``text`` cut at a word boundary before ``n`` characters, with an ellipsis when cut."""
    text = " ".join((text or "").split())
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _highlight(text: str, start: int | None, end: int | None, offset: int) -> Markup:
    """The evidence sentence with the trigger marked."""
    if start is None or end is None:
        return Markup(escape(text))
    s, e = start - offset, end - offset
    if not (0 <= s < e <= len(text)):
        return Markup(escape(text))
    return Markup(f"{escape(text[:s])}<mark>{escape(text[s:e])}</mark>{escape(text[e:])}")


def _fmt_date(value: Any, fmt: str = "%Y-%m-%d") -> str:
    return value.strftime(fmt) if hasattr(value, "strftime") else ""


templates.env.filters["actor_label"] = _actor_label
templates.env.filters["clip"] = _clip
templates.env.filters["date"] = _fmt_date
templates.env.filters["country_name"] = lambda c: country_name(c) or c or ""
templates.env.globals["QUAD_NAMES"] = QUAD_NAMES
templates.env.globals["QUAD"] = QUAD


def assets_ready() -> bool:
    return (VENDOR / "manifest.json").is_file() and (VENDOR / "vendor.js").is_file()


def _url(path: str, params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    merged = {k: v for k, v in merged.items() if v not in (None, "", False)}
    return path + ("?" + urlencode(merged) if merged else "")


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    base = {"assets_ready": assets_ready(), "path": request.url.path, "url": _url}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def render_error(request: Request, message: str, status: int) -> Response:
    return _render(request, "error.html", {"message": message, "status": status}, status)


def _raw_filters(request: Request) -> dict[str, Any]:
    qp = request.query_params
    names = ("type", "quad", "country", "dyad", "actor", "place", "certainty", "source_type", "since", "until",
             "min_sources", "q", "story_id")  # fmt: skip
    raw: dict[str, Any] = {}
    for name in names:
        values = [v for v in qp.getlist(name) if v.strip()]
        if values:
            raw[name] = values if name in ("type", "quad", "certainty", "source_type") else values[0]
    if qp.get("realised") in ("1", "true", "on"):
        raw["realised"] = True
    return raw


def _filter(request: Request) -> tuple[EventFilter, str | None, dict[str, Any]]:
    """The page's filter, or an empty one and the message saying which value was refused."""
    raw = _raw_filters(request)
    try:
        return event_filter(**raw), None, raw
    except QueryError as exc:
        return EventFilter(), str(exc), raw


def _form(f: EventFilter, raw: dict[str, Any]) -> dict[str, Any]:
    """Values to show in the filter form: what the user typed when it was refused, else the parsed filter."""
    shown = {k: (",".join(v) if isinstance(v, list) else v) for k, v in raw.items()}
    return {
        "types": list(plover_types()),
        "quads": list(QUAD_NAMES.values()),
        "certainties": list(CERTAINTIES),
        "source_types": list(SOURCE_TYPES),
        "countries": choices()["country"],
        "value": shown,
        "params": f.params(),
    }


def _downloads(f: EventFilter) -> list[tuple[str, str]]:
    return [(fmt, _url("/api/export", f.params(), format=fmt)) for fmt in registry.names("exporter")]


def _evidence(rows: list[dict[str, Any]]) -> None:
    for e in rows:
        e["evidence"] = _highlight(
            e.get("text") or "", e.get("trigger_start"), e.get("trigger_end"), e.get("sent_start") or 0
        )


def _status(error: str | None) -> int:
    return 422 if error else 200


# ---------------------------------------------------------------------------------------- overview


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, store: StoreDep) -> HTMLResponse:
    f, error, raw = _filter(request)
    engine = store.engine
    total, exact = q.count_events(engine, f)
    by = request.query_params.get("by", "type") if request.query_params.get("by") in ("type", "quad") else "type"
    timeline_f, span = f, None
    if not (f.since or f.until or error) and request.query_params.get("range") != "all":
        main = q.main_span(engine, f)
        if main is not None:
            timeline_f = f.with_(since=main[0], until=main[1])
    timeline = q.timeline(engine, timeline_f, by=by)
    if timeline_f is not f:
        span = {
            "since": timeline_f.since.isoformat() if timeline_f.since else "",
            "until": timeline_f.until.isoformat() if timeline_f.until else "",
            "left_out": max(total - timeline["total"], 0),
        }
    context = {
        "f": f,
        "error": error,
        "form": _form(f, raw),
        "total": total,
        "total_exact": exact,
        "counts": {t: store.count(t) for t in ("articles", "stories", "ingest_errors")},
        "timeline": timeline,
        "timeline_span": span,
        "top_actors": q.top(engine, f, kind="a", limit=10),
        "top_dyads": q.top(engine, f, kind="e", limit=10),
        "top_places": q.top(engine, f, kind="p", limit=10),
        "top_countries": q.top(engine, f, kind="c", limit=10),
        "top_actor_dyads": q.top(engine, f, kind="d", limit=10) if f.country else [],
        "stories": q.list_stories(engine, limit=8).items,
        "download_links": _downloads(f),
    }
    return _render(request, "overview.html", context, _status(error))


# ---------------------------------------------------------------------------------------- events


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    store: StoreDep,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    sort: str = "-date",
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
) -> HTMLResponse:
    f, error, raw = _filter(request)
    page = q.Page([], 0, True, None)
    try:
        choice(sort, "sort", EVENT_SORTS)
        if error is None:
            page = q.list_events(store.engine, f, limit=limit, cursor=cursor, sort=sort)
    except QueryError as exc:
        error = str(exc)
    _evidence(page.items)
    params = f.params() | ({"sort": sort} if sort != "-date" else {})
    context = {
        "f": f, "error": error, "form": _form(f, raw), "page": page, "sort": sort, "params": params,
        "next_url": _url("/events", params, cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": _url("/events", params) if cursor else None,
        "download_links": _downloads(f),
    }  # fmt: skip
    return _render(request, "events.html", context, _status(error))


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, store: StoreDep) -> HTMLResponse:
    f, error, raw = _filter(request)
    data = q.places(store.engine, f) if error is None else {"points": [], "areas": [], "complete": True}
    context = {"f": f, "error": error, "form": _form(f, raw), "places": data, "download_links": _downloads(f),
               "api": _url("/api/events/places", f.params())}  # fmt: skip
    return _render(request, "map.html", context, _status(error))


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, store: StoreDep, level: str = "country") -> HTMLResponse:
    f, error, raw = _filter(request)
    data: dict[str, Any] = {"nodes": [], "edges": [], "edges_total": 0, "complete": True}
    try:
        choice(level, "level", ("country", "actor"))
        if error is None:
            data = q.network(store.engine, f, level=level, limit=60)
    except QueryError as exc:
        error = str(exc)
    context = {"f": f, "error": error, "form": _form(f, raw), "net": data, "level": level,
               "download_links": _downloads(f), "api": _url("/api/events/network", f.params(), level=level, limit=60)}  # fmt: skip
    return _render(request, "network.html", context, _status(error))


# ---------------------------------------------------------------------------------------- stories


@router.get("/stories", response_class=HTMLResponse)
def stories_page(
    request: Request,
    store: StoreDep,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    sort: str = "-last_seen",
    min_sources: Annotated[str | None, Query(max_length=12)] = None,
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
    q_: Annotated[str | None, Query(alias="q", max_length=200)] = None,
) -> HTMLResponse:
    error = None
    page = q.Page([], 0, True, None)
    params = {"sort": sort if sort != "-last_seen" else None, "min_sources": min_sources, "since": since,
              "until": until, "q": q_}  # fmt: skip
    try:
        from ...query import MAX_MIN_SOURCES, bounded_int

        choice(sort, "sort", STORY_SORTS)
        page = q.list_stories(
            store.engine, min_sources=bounded_int(min_sources or 0, "min_sources", 0, MAX_MIN_SOURCES),
            since=parse_day(since, "since"), until=parse_day(until, "until"), q=q_, sort=sort, limit=PAGE_SIZE,
            cursor=cursor,
        )  # fmt: skip
    except QueryError as exc:
        error = str(exc)
    context = {"error": error, "page": page, "params": params, "sort": sort, "sorts": STORY_SORTS,
               "next_url": _url("/stories", params, cursor=page.next_cursor) if page.next_cursor else None}  # fmt: skip
    return _render(request, "stories.html", context, _status(error))


def _chain(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The story's articles as copy groups: each original followed by its copies (depth 1), in date order."""
    by_id = {a["id"]: a for a in articles}
    groups: dict[str, list[dict[str, Any]]] = {}
    for a in articles:
        root = a.get("duplicate_of")
        if root and root in by_id:
            groups.setdefault(root, []).append(a)
    out = []
    for a in articles:
        if a.get("duplicate_of") and a["duplicate_of"] in by_id:
            continue
        out.append({**a, "copies": groups.get(a["id"], []), "outside_original": a.get("duplicate_of")})
    return out


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str, store: StoreDep) -> Response:
    try:
        story = store_stories.get_story(store.engine, story_id)
    except NotFoundError as exc:
        return render_error(request, str(exc), 404)
    f = event_filter(story_id=story_id)
    page = q.list_events(store.engine, f, limit=200)
    _evidence(page.items)
    context = {"story": story, "groups": _chain(story["articles"]), "page": page, "f": f,
               "download_links": _downloads(f)}  # fmt: skip
    return _render(request, "story.html", context)


# ---------------------------------------------------------------------------------------- claims, watches


@router.get("/claims", response_class=HTMLResponse)
def claims_page(
    request: Request,
    store: StoreDep,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    sort: str = "-date",
    certainty: Annotated[list[str] | None, Query()] = None,
    source_type: Annotated[list[str] | None, Query()] = None,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    q_: Annotated[str | None, Query(alias="q", max_length=200)] = None,
) -> HTMLResponse:
    error = None
    page = q.Page([], 0, True, None)
    certs = [c for c in split_values(certainty)]
    types = [s for s in split_values(source_type)]
    params = {"certainty": ",".join(certs), "source_type": ",".join(types), "speaker": speaker, "q": q_,
              "sort": sort if sort != "-date" else None}  # fmt: skip
    try:
        choice(sort, "sort", CLAIM_SORTS)
        certs = [choice(c.lower(), "certainty", CERTAINTIES) for c in certs]
        types = [choice(s.lower(), "source_type", SOURCE_TYPES) for s in types]
        page = q.list_claims(store.engine, certainty=certs, source_type=types, speaker=speaker, q=q_, sort=sort,
                             limit=PAGE_SIZE, cursor=cursor)  # fmt: skip
    except QueryError as exc:
        error = str(exc)
    context = {"error": error, "page": page, "params": params, "certainties": CERTAINTIES,
               "source_types": SOURCE_TYPES,
               "next_url": _url("/claims", params, cursor=page.next_cursor) if page.next_cursor else None}  # fmt: skip
    return _render(request, "claims.html", context, _status(error))


@router.get("/watches", response_class=HTMLResponse)
def watches_page(request: Request, store: StoreDep, watch: Annotated[str | None, Query(max_length=255)] = None) -> HTMLResponse:
    watches = watch_lib.list_watches(store)
    alerts = [a.as_dict() for a in watch_lib.list_alerts(store, watch=watch, limit=100)]
    return _render(request, "watches.html", {"watches": watches, "alerts": alerts, "watch": watch})


# ---------------------------------------------------------------------------------------- articles


@router.get("/articles", response_class=HTMLResponse)
def articles_page(
    request: Request,
    store: StoreDep,
    q_: Annotated[str | None, Query(alias="q", max_length=200)] = None,
    site: Annotated[str | None, Query(max_length=255)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> HTMLResponse:
    items = list(store.iter_articles(limit=PAGE_SIZE + 1, offset=offset, q=q_, site=site, include_text=False))
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    actors = q.articles_actors(store.engine, [i["id"] for i in items])
    for item in items:
        item["actors"] = actors.get(item["id"], [])
    params = {"q": q_, "site": site}
    context = {"articles": items, "q": q_ or "", "site": site or "", "params": params,
               "next_url": _url("/articles", params, offset=offset + PAGE_SIZE) if more else None}  # fmt: skip
    return _render(request, "articles.html", context)


def _spans(text: str, events: list[dict[str, Any]], claims: list[dict[str, Any]]) -> Markup:
    """The article text with claim spans (coloured by certainty) and event triggers marked."""
    marks: list[tuple[int, int, str, dict[str, str]]] = []
    for c in claims:
        s, e = c.get("start"), c.get("end")
        if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
            marks.append((s, e, "span", {"class": f"claim c-{c.get('certainty') or 'asserted'}", "id": f"claim-{c['id']}",
                                         "title": f"claim · {c.get('certainty')} · {c.get('speaker') or 'unattributed'}"}))  # fmt: skip
    for ev in events:
        s, e = ev.get("trigger_start"), ev.get("trigger_end")
        if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
            marks.append((s, e, "mark", {"class": "trigger" + (" negated" if ev.get("negated") else ""),
                                         "id": f"event-{ev['id']}", "title": f"{ev.get('plover_type')} event"}))  # fmt: skip
    bounds = sorted({0, len(text), *[m[0] for m in marks], *[m[1] for m in marks]})
    out: list[str] = []
    opened: set[str] = set()
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        covering = [m for m in marks if m[0] <= lo and hi <= m[1]]
        covering.sort(key=lambda m: (m[2] == "mark", m[0]))
        piece = str(escape(text[lo:hi]))
        for s, _e, tag, attrs in reversed(covering):
            first = s == lo and attrs["id"] not in opened
            if first:
                opened.add(attrs["id"])
            attr = " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items() if k != "id" or first)
            piece = f"<{tag} {attr}>{piece}</{tag}>"
        out.append(piece)
    return Markup("".join(out))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str, store: StoreDep) -> Response:
    try:
        article = store.get_article(article_id)
    except NotFoundError as exc:
        return render_error(request, str(exc), 404)
    article["url"] = safe_link(article.get("url"))  # a javascript: URL stored by an older version is no link
    events = list(store.iter_events(article_id=article_id))
    _evidence(events)
    claims = list(store.iter_claims(article_id=article_id))
    copies = store_stories.article_copies(store.engine, article_id)
    story = None
    if article.get("story_id"):
        try:
            story = store_stories.get_story(store.engine, article["story_id"])
        except NotFoundError:
            story = None
    context = {
        "a": article,
        "actors": store.article_actors(article_id),
        "events": events,
        "claims": claims,
        "copies": copies,
        "story": story,
        "fulltext": _spans(article.get("text") or "", events, claims),
        "certainties": CERTAINTIES,
    }
    return _render(request, "article.html", context)

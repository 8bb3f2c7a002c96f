"""Query parameters shared by the API and the dashboard: the event filters, paging and sorting, validated by
``newswatch.query`` so that both faces accept and refuse exactly the same values."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from ..errors import QueryError
from ..query import MAX_LIMIT, MAX_MIN_SOURCES, MAX_OFFSET, EventFilter, event_filter

_DATE = "YYYY-MM-DD"


def event_filter_params(
    type: Annotated[list[str] | None, Query(description="PLOVER type(s), repeated or comma-separated")] = None,
    quad: Annotated[
        list[str] | None,
        Query(description="quad class: verbal-cooperation, material-cooperation, verbal-conflict, material-conflict"),
    ] = None,
    country: Annotated[str | None, Query(description="ISO-3 code or English name: among actors, recipients or place")] = None,
    dyad: Annotated[str | None, Query(description="actor>recipient: RUS>UKR or RUS GOV>UKR MIL")] = None,
    actor: Annotated[str | None, Query(description="actor code as actor or recipient: RUS or RUS GOV")] = None,
    place: Annotated[str | None, Query(description="place as name|country, e.g. Kyiv|UKR")] = None,
    certainty: Annotated[list[str] | None, Query(description="asserted, reported, hedged, speculative, denied")] = None,
    source_type: Annotated[list[str] | None, Query(description="state_media, official, military, expert, ...")] = None,
    since: Annotated[str | None, Query(description=f"event date on or after ({_DATE})", max_length=32)] = None,
    until: Annotated[str | None, Query(description=f"event date on or before ({_DATE})", max_length=32)] = None,
    min_sources: Annotated[int, Query(ge=0, le=MAX_MIN_SOURCES, description="independent sources in the story")] = 0,
    q: Annotated[str | None, Query(description="evidence sentence contains these words, in this order (the last may be the start of a word: missile finds missiles)", max_length=200)] = None,
    realised: Annotated[bool, Query(description="only events that happened (not negated, future or hypothetical)")] = False,
    negated: Annotated[bool, Query(description="include negated events")] = True,
    article_id: Annotated[str | None, Query(max_length=64)] = None,
    story_id: Annotated[str | None, Query(max_length=64)] = None,
) -> EventFilter:
    """The event filter of a request."""
    return event_filter(
        type=type, quad=quad, country=country, dyad=dyad, actor=actor, place=place, certainty=certainty,
        source_type=source_type, since=since, until=until, min_sources=min_sources, q=q, realised=realised,
        negated=negated, article_id=article_id, story_id=story_id,
    )  # fmt: skip


FilterDep = Annotated[EventFilter, Depends(event_filter_params)]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")]
OffsetParam = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip (prefer the cursor of 'next')")]
CursorParam = Annotated[str | None, Query(max_length=400, description="the cursor of the previous page's 'next' link")]


def choice(value: str, param: str, allowed: tuple[str, ...] | list[str]) -> str:
    """``value`` if it is one of ``allowed``, else a 422 naming them."""
    if value not in allowed:
        raise QueryError(
            f"{param} {value!r} is not allowed; use one of: {', '.join(allowed)}", param=param, allowed=list(allowed)
        )
    return value

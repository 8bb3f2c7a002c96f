"""When and where: the one entry point the pipeline calls for event dates and places.

Dates live in ``dates.py`` (relative expressions resolved against the publication time, with a precision) and
places in ``places.py`` (an offline gazetteer and the rules tying a place to an event). Call ``locate_events``
before ``resolve_dates``: a clock time "around 9 AM local time" takes the time zone of the event's place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .dates import resolve_dates
from .models import Event
from .places import Gazetteer, GazetteerEntry, load_gazetteer, locate_events

__all__ = ["Gazetteer", "GazetteerEntry", "load_gazetteer", "locate_events", "resolve_dates", "place_and_date"]


def place_and_date(
    events: list[Event], doc: Any, *, published_at: datetime | None, gazetteer: Gazetteer, dateline: str | None = None
) -> None:
    """Locate, then date, every event of one article with ``gazetteer`` (the order matters for local clock
    times)."""
    locate_events(events, doc, gazetteer=gazetteer, dateline=dateline)
    resolve_dates(events, doc, published_at=published_at, gazetteer=gazetteer)

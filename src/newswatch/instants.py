"""Times as instants: publication times converted to UTC with their original offset kept, and the range of
publication dates newswatch believes.

A time with an offset ("2021-01-22 22:12:35-05:00") is an instant: it is stored in UTC (2021-01-23 03:12:35)
and its offset ("-05:00") is kept beside it, so event dates and story windows compare instants across time
zones and the local time can still be shown. A time without an offset is taken as UTC. A publication date
before the first newspapers or after tomorrow is a data error (a record dated 0001-01-01 or 9999-12-31): it
is set aside with a note instead of being used, since every window around it would leave the calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

# The first printed newspapers appeared in the early 17th century; nothing published earlier is news.
EARLIEST_PUBLICATION = datetime(1600, 1, 1, tzinfo=UTC)
# A publication time a little ahead of this machine's clock is a time-zone or clock error, not a forecast.
FUTURE_SLACK = timedelta(days=2)


def to_utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC (a naive time is taken as UTC); never raises at the calendar's edges."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00 has no UTC form; keep the wall time
        return value.replace(tzinfo=UTC)


def utc_offset(value: datetime | None) -> str | None:
    """The original offset as "+HH:MM" (None for a naive time): what `to_utc` would otherwise lose."""
    if value is None or value.tzinfo is None:
        return None
    delta = value.utcoffset()
    if delta is None:
        return None
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def publication_problem(value: datetime | date | None, *, now: datetime | None = None) -> str | None:
    """Why ``value`` cannot be a publication date, or None when it can."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    instant = to_utc(value)
    assert instant is not None
    now = now or datetime.now(UTC)
    if instant < EARLIEST_PUBLICATION:
        return f"the publication date {value.isoformat()} is before {EARLIEST_PUBLICATION.year}"
    latest = now + FUTURE_SLACK
    if instant > latest:
        return f"the publication date {value.isoformat()} is in the future (after {latest.date().isoformat()})"
    return None

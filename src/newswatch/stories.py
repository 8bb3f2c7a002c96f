"""Group articles that report the same event into stories and count each story's independent sources.

A copy joins its original's story. Other articles join the best matching story published within a time
window when their text is similar enough on its own, or when a coded event matches (same PLOVER type,
a shared actor country, dates within the window) and the text is at least loosely similar; otherwise they
start a new story. Independent sources count outlets, not articles: copies count once (under their
original or the origin they name) and outlets of one owner count once where
``data/dedup/outlet_owners.json`` says so.

The stage takes and gives plain data (article rows as dicts, their texts and events): ``place`` decides each
article's story and ``summary`` counts a story's sources. Reading the rows from the database and writing the
stories back, incrementally (only articles without a story, or the ones given, are placed, and only the
stories they touch are recounted), is the pipeline's part: ``newswatch.grouping.assign_stories``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import ConfigError
from .sites import normalise_site

log = logging.getLogger(__name__)

WINDOW_DAYS = 3.0
# Set cosine of the article profiles (distinctive words of title and lead); values chosen on hand-made
# fixtures: two reports of one event by different outlets score 0.3-0.6, unrelated articles on one topic
# (two missile tests a month apart) 0.1-0.25.
TEXT_ALONE = 0.4
TEXT_WITH_EVENT = 0.2

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}|\d{2,}")
_STOP = frozenset(
    """that this with from have has had were been will would could should their there they them than then
    which while when where what also into over under about after before more most some such only other
    said says told according just like many much very your ours hers his her him its it's those these
    being does did doing because during between against among through without within upon whose whom""".split()
)
_LEAD_CHARS = 2500


@lru_cache(maxsize=1)
def default_owners() -> dict[str, str]:
    """Domain -> owner name from the shipped ``data/dedup/outlet_owners.json``."""
    data = json.loads(
        resources.files("newswatch").joinpath("data/dedup/outlet_owners.json").read_text(encoding="utf-8")
    )
    return load_owners(data)


def load_owners(data: Mapping[str, Any]) -> dict[str, str]:
    """Domain -> owner name from the ``outlet_owners.json`` structure."""
    owners = data.get("owners")
    if not isinstance(owners, Mapping):
        raise ConfigError("an outlet owners file needs an 'owners' object: {owner: {outlets: [domains]}}")
    out: dict[str, str] = {}
    for owner, entry in owners.items():
        for domain in entry.get("outlets", []):
            site = normalise_site(domain)
            if site:
                out[site] = owner
    return out


def owner_of(site: str | None, owners: Mapping[str, str]) -> str | None:
    """The owner of ``site`` or of its nearest listed parent domain ("edition.cnn.com" -> "cnn.com")."""
    site = normalise_site(site)
    while site:
        if site in owners:
            return owners[site]
        if "." not in site:
            return None
        site = site.split(".", 1)[1]
        if "." not in site:
            return None
    return None


def source_unit(
    row: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]], owners: Mapping[str, str]
) -> str:
    """What one article counts as among independent sources: its original's outlet, or that outlet's owner."""
    root = rows.get(row.get("duplicate_of") or "", row)
    claimed = normalise_site(root.get("original_source"))
    site = normalise_site(root.get("site"))
    outlet = claimed if claimed and claimed != site else site
    if outlet is None:
        return "article:" + str(root.get("id"))
    owner = owner_of(outlet, owners)
    return "owner:" + owner if owner else "site:" + outlet


def _profile(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text[:_LEAD_CHARS]) if w.lower() not in _STOP}


def _cosine(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _when(row: Mapping[str, Any]) -> datetime | None:
    value = row.get("published_at") or row.get("fetched_at") or row.get("created_at")
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value if isinstance(value, datetime) else None


def _countries(value: str | None) -> set[str]:
    return {c for c in (value or "").split(",") if c}


def _event_match(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]], window: timedelta) -> bool:
    for ea in a:
        if ea.get("negated"):
            continue
        for eb in b:
            if eb.get("negated") or ea.get("plover_type") != eb.get("plover_type"):
                continue
            actors_a = _countries(ea.get("actor_countries")) | _countries(ea.get("recipient_countries"))
            actors_b = _countries(eb.get("actor_countries")) | _countries(eb.get("recipient_countries"))
            if not actors_a & actors_b:
                continue
            da, db = ea.get("event_date"), eb.get("event_date")
            if isinstance(da, datetime) and isinstance(db, datetime):
                if da.tzinfo is None:
                    da = da.replace(tzinfo=UTC)
                if db.tzinfo is None:
                    db = db.replace(tzinfo=UTC)
                if abs(da - db) > window:
                    continue
            return True
    return False


def _story_id(article_id: str) -> str:
    return hashlib.sha256(("story:" + article_id).encode("utf-8")).hexdigest()[:16]


def _shift(value: datetime, delta: timedelta) -> datetime:
    """``value + delta`` clamped to the representable range: a record dated 0001-01-01 or 9999-12-31 must not
    stop story assignment with an OverflowError."""
    try:
        return value + delta
    except OverflowError:
        edge = datetime.min if delta < timedelta(0) else datetime.max
        return edge.replace(tzinfo=value.tzinfo)


def story_window(window_days: float) -> timedelta:
    """The time window within which articles may share a story; a window that is not positive is a ConfigError."""
    if window_days <= 0:
        raise ConfigError(f"the story window must be positive, got {window_days} days")
    return timedelta(days=window_days)


def pool_range(targets: Iterable[Mapping[str, Any]], window: timedelta) -> tuple[datetime, datetime] | None:
    """The publication times within which placed articles may share a story with ``targets`` (None when no
    target is dated)."""
    times = [t for t in (_when(r) for r in targets) if t is not None]
    if not times:
        return None
    return _shift(min(times), -window), _shift(max(times), window)


def article_time(row: Mapping[str, Any]) -> datetime | None:
    """When an article row counts as published (publication, else fetch, else storage time), in UTC."""
    return _when(row)


def in_time_order(targets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``targets`` in the order ``place`` gives them stories: oldest first, then by id; undated last."""
    far_future = datetime.max.replace(tzinfo=UTC)
    return sorted(targets, key=lambda r: (_when(r) or far_future, r["id"]))


def chunk_range(
    chunk: Sequence[Mapping[str, Any]], whole: tuple[datetime, datetime], window: timedelta
) -> tuple[datetime, datetime]:
    """The publication times of the placed articles that placing ``chunk`` (dated, in time order) may look at, when
    the whole run's targets look at ``whole`` (``pool_range``): everything within two windows of the chunk, since an
    article's candidates come from its own and the two neighbouring window-long slots (see ``_Placed``), and the
    rarity of a word is counted over those slots."""
    first, last = _when(chunk[0]), _when(chunk[-1])
    assert first is not None and last is not None
    return max(whole[0], _shift(first, -2 * window)), min(whole[1], _shift(last, 2 * window))


def missing_roots(rows: Iterable[Mapping[str, Any]], known: Mapping[str, Any]) -> list[str]:
    """Ids of the originals that copies among ``rows`` point to and that are not in ``known``."""
    return sorted({r["duplicate_of"] for r in rows if r.get("duplicate_of") and r["duplicate_of"] not in known})


def place(
    targets: Sequence[dict[str, Any]],
    rows: Mapping[str, dict[str, Any]],
    *,
    texts: Mapping[str, str],
    events: Mapping[str, list[dict[str, Any]]],
    window: timedelta,
    text_alone: float = TEXT_ALONE,
    text_with_event: float = TEXT_WITH_EVENT,
    progress: Callable[[int], None] | None = None,
) -> dict[str, list[str]]:
    """Give each of ``targets`` a story; returns story id -> the ids placed in it, in order.

    ``rows`` holds every article row the decision may look at (id -> row with ``story_id``, ``duplicate_of``,
    ``published_at``...): the targets, the placed articles within the window and the originals of copies.
    Targets are placed oldest first and each one's ``story_id`` is set, so a later target can join an earlier
    one's story. ``progress`` is called with the number of articles placed so far.
    """
    ids = list(rows)
    profiles = {i: _profile(texts.get(i, "")) for i in ids}
    placed = _Placed(profiles, window)
    for r in rows.values():
        if r["story_id"]:
            placed.add(r)
    touched: dict[str, list[str]] = {}
    for n, row in enumerate(in_time_order(targets), start=1):
        candidates = placed.candidates(row)
        sid = _place(row, rows, candidates, profiles, events, window, text_alone, text_with_event)
        row["story_id"] = sid
        placed.add(row)
        touched.setdefault(sid, []).append(row["id"])
        if progress is not None:
            progress(n)
    return touched


def summary(
    members: Sequence[Mapping[str, Any]], rows: Mapping[str, Mapping[str, Any]], owners: Mapping[str, str]
) -> dict[str, Any]:
    """A story's row from its ``members`` (``rows`` also holds the originals of copies among them): title,
    first and last seen, number of articles and of independent sources."""
    units = {source_unit(r, rows, owners) for r in members}
    times = [t for t in (_when(r) for r in members) if t is not None]
    first = min(members, key=lambda r: (_when(r) or datetime.max.replace(tzinfo=UTC), r["id"]))
    return {
        "title": first.get("title"),
        "first_seen": min(times) if times else None,
        "last_seen": max(times) if times else None,
        "num_articles": len(members),
        "num_independent_sources": len(units),
        "summary": {"sources": sorted(units), "sites": sorted({str(r.get("site")) for r in members if r.get("site")})},
    }


class _Placed:
    """Articles already in a story, with an inverted index from profile words to articles per time slot.

    A slot is one story window long, so an article within the window of another sits in the same or a
    neighbouring slot: only articles of those three slots that share one of a new article's rarer words (rarer
    there) are compared with it. The work per article then depends on how many articles appear around its
    date, not on the size of the whole corpus (all-time postings grew with it, which made a large run
    quadratic).
    """

    _RARE_WORDS = 30

    def __init__(self, profiles: Mapping[str, set[str]], window: timedelta) -> None:
        self._profiles = profiles
        self._rows: list[Mapping[str, Any]] = []
        self._postings: dict[str, dict[int | None, list[int]]] = {}
        self._slot_seconds = max(window.total_seconds(), 1.0)

    def _slot(self, row: Mapping[str, Any]) -> int | None:
        when = _when(row)
        return None if when is None else int(when.timestamp() // self._slot_seconds)

    def add(self, row: Mapping[str, Any]) -> None:
        n = len(self._rows)
        self._rows.append(row)
        slot = self._slot(row)
        for word in self._profiles.get(row["id"], ()):
            self._postings.setdefault(word, {}).setdefault(slot, []).append(n)

    def candidates(self, row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        slot = self._slot(row)
        near: dict[str, list[list[int]]] = {}
        for word in self._profiles.get(row["id"], ()):
            slots = self._postings.get(word)
            if not slots:
                continue
            if slot is None:  # undated: it may match anything, as before
                lists = list(slots.values())
            else:  # undated placed articles match every date too
                lists = [x for x in (slots.get(slot - 1), slots.get(slot), slots.get(slot + 1), slots.get(None)) if x]
            if lists:
                near[word] = lists
        words = sorted(near, key=lambda w: (sum(len(x) for x in near[w]), w))
        found: set[int] = set()
        for word in words[: self._RARE_WORDS]:
            for postings in near[word]:
                found.update(postings)
        return [self._rows[i] for i in sorted(found)]


def _place(
    row: dict[str, Any],
    rows: Mapping[str, dict[str, Any]],
    placed: Sequence[Mapping[str, Any]],
    profiles: Mapping[str, set[str]],
    events: Mapping[str, list[dict[str, Any]]],
    window: timedelta,
    text_alone: float,
    text_with_event: float,
) -> str:
    root = rows.get(row.get("duplicate_of") or "")
    if root is not None and root.get("story_id"):
        return str(root["story_id"])
    when = _when(row)
    best: tuple[float, str] | None = None
    for other in placed:
        other_when = _when(other)
        if when is not None and other_when is not None and abs(when - other_when) > window:
            continue
        sim = _cosine(profiles.get(row["id"], set()), profiles.get(other["id"], set()))
        if sim >= text_alone:
            score = sim
        elif sim >= text_with_event and _event_match(events.get(row["id"], []), events.get(other["id"], []), window):
            score = sim + 0.2
        else:
            continue
        # equal scores go to the smaller story id, so the choice does not depend on the order rows were read in
        if best is None or score > best[0] or (score == best[0] and str(other["story_id"]) < best[1]):
            best = (score, str(other["story_id"]))
    if best is not None:
        return best[1]
    return _story_id(row["id"])

"""What an analyst may ask of the stored events: filters, sorts and paging, validated against their allowed values.

Every face (API, dashboard, CLI export) builds an ``EventFilter`` through ``event_filter``, which turns raw
strings into codes (``country=Ukraine`` -> ``UKR``, ``quad=material-conflict`` -> its PLOVER types) and raises
``QueryError`` naming the allowed values for anything it does not know, so a filter never silently matches
nothing. ``choices()`` lists every allowed value for the API and the dashboard's drop-downs.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from .codes import CERTAINTIES, NON_STATE_CODES, SOURCE_TYPES
from .errors import QueryError

# PLOVER type -> GDELT-style QuadClass (1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
# 4 material conflict); the grouping follows PLOVER's own ordering of its event types.
QUAD = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3,
    "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}  # fmt: skip
QUAD_NAMES = {1: "verbal-cooperation", 2: "material-cooperation", 3: "verbal-conflict", 4: "material-conflict"}
EVENT_SORTS = ("-date", "date")
STORY_SORTS = ("-last_seen", "last_seen", "-sources", "-articles")
CLAIM_SORTS = ("-date", "date")
BUCKETS = ("auto", "day", "week", "month", "year")
MAX_LIMIT = 1000
MAX_OFFSET = 10_000
MAX_MIN_SOURCES = 10_000
MAX_TEXT = 200
EARLIEST = date(1800, 1, 1)
LATEST = date(2200, 12, 31)


def plover_types() -> tuple[str, ...]:
    return tuple(sorted(QUAD))


_ALIASES: dict[str, str] = {}


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Code -> English name for ISO 3166-1 alpha-3 countries, Kosovo and the PLOVER non-state codes."""
    import pycountry

    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names["XKX"] = "Kosovo"
    # the coder's own country list names them the way the news does ("Russia", not "Russian Federation")
    table = resources.files("newswatch").joinpath("data/actors/countries.tsv").read_text(encoding="utf-8")
    for line in table.splitlines():
        cols = line.split("\t")
        if len(cols) > 1 and len(cols[0]) == 3 and cols[0].isupper() and cols[1].strip():
            names[cols[0]] = cols[1].split("|")[0].strip()
            for alias in cols[1].split("|"):
                _ALIASES.setdefault(alias.strip().lower(), cols[0])
    nonstate = {
        "IGO": "intergovernmental organisations", "UNO": "United Nations", "EUR": "European Union",
        "NGO": "non-governmental organisations", "ISM": "international social movements",
        "IMG": "transnational militarised groups", "MNC": "multinational companies",
    }  # fmt: skip
    for code in NON_STATE_CODES:
        names[code] = nonstate.get(code, code)
    return names


def country_name(code: str | None) -> str | None:
    return _countries().get(code or "") if code else None


@lru_cache(maxsize=1)
def _numeric() -> dict[str, str]:
    """ISO alpha-3 -> ISO numeric (the ids of the Natural Earth world map)."""
    import pycountry

    return {c.alpha_3: c.numeric for c in pycountry.countries}


def country_numeric(code: str) -> str | None:
    return _numeric().get(code)


def parse_country(value: str, param: str = "country") -> str:
    """An ISO-3 code, ISO-2 code or English country name -> the code events are stored under."""
    raw = value.strip()
    names = _countries()
    if raw.upper() in names:
        return raw.upper()
    if raw.lower().removeprefix("the ") in _ALIASES:
        return _ALIASES[raw.lower().removeprefix("the ")]
    import pycountry

    try:
        found = pycountry.countries.lookup(raw)
    except LookupError:
        found = None
    if found is None:
        lowered = raw.lower()
        for code, name in names.items():
            if name.lower() == lowered:
                return code
        raise QueryError(
            f"{param} {value!r} is not a country we know; use an ISO 3166-1 alpha-3 code or an English name "
            "(UKR or Ukraine), or a non-state code (IGO, UNO, EUR, NGO, ISM, IMG, MNC); "
            "GET /api/choices lists them all",
            param=param,
            allowed=sorted(names),
        )
    return str(found.alpha_3)


def _one_of(value: str, param: str, allowed: Sequence[str], *, lower: bool = True) -> str:
    v = value.strip().lower() if lower else value.strip().upper()
    if v not in allowed:
        raise QueryError(
            f"{param} {value!r} is not allowed; use one of: {', '.join(allowed)}", param=param, allowed=list(allowed)
        )
    return v


def split_values(values: str | Iterable[str] | None) -> list[str]:
    """``"a,b"`` or ``["a", "b,c"]`` -> ``["a", "b", "c"]``: each value once, in order, blanks dropped."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for item in items:
        out.extend(v.strip() for v in str(item).split(",") if v.strip())
    return list(dict.fromkeys(out))


def actor_code(country: str | None, sector: str | None) -> str | None:
    """The GDELT-style code of a coded actor: country and sector ("RUS GOV"), or either alone."""
    parts = [p for p in (country, sector) if p]
    return " ".join(parts) if parts else None


def _actor(value: str, param: str) -> str:
    parts = value.replace("_", " ").split()
    if not parts or len(parts) > 2:
        raise QueryError(
            f"{param} {value!r} is not an actor code; write a country and an optional sector, e.g. RUS or RUS GOV",
            param=param,
        )
    head = parts[0].upper()
    country = parse_country(head, param) if len(head) == 3 else None
    if len(parts) == 2:
        return f"{country or head} {parts[1].upper()}"
    return country or head.upper()


def parse_dyad(value: str, param: str = "dyad") -> str:
    """"RUS>UKR" or "RUS GOV>UKR MIL": actor and recipient, country or country and sector."""
    if ">" not in value:
        raise QueryError(
            f"{param} {value!r} is not a dyad; write actor>recipient, e.g. RUS>UKR or RUS GOV>UKR MIL", param=param
        )
    a, b = value.split(">", 1)
    return f"{_actor(a, param)}>{_actor(b, param)}"


def parse_day(value: str | date | None, param: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise QueryError(f"{param} {value!r} is not a date; use YYYY-MM-DD", param=param) from None
    if not EARLIEST <= value <= LATEST:
        raise QueryError(
            f"{param} {value.isoformat()} is out of range; use a date between {EARLIEST} and {LATEST}", param=param
        )
    return value


def bounded_int(value: Any, param: str, lo: int, hi: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{param} {value!r} is not a whole number", param=param) from None
    if not lo <= n <= hi:
        raise QueryError(f"{param} {n} is out of range; use a number from {lo} to {hi}", param=param)
    return n


@dataclass(frozen=True)
class EventFilter:
    """Which events: every field narrows the set; empty fields do not filter."""

    types: tuple[str, ...] = ()
    country: str | None = None
    dyad: str | None = None  # "A>B" actor codes, country-level or with sectors
    actor: str | None = None  # an actor code, as actor or recipient
    place: str | None = None  # "name|country"
    certainty: tuple[str, ...] = ()
    source_type: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    min_sources: int = 0
    q: str | None = None
    realised: bool = False  # only events that happened: not negated, not future or hypothetical
    include_negated: bool = True
    article_id: str | None = None
    story_id: str | None = None

    def keys(self) -> list[str]:
        """The event_keys entries this filter needs an event to have."""
        out = []
        if self.country:
            out.append("c:" + self.country)
        if self.dyad:
            out.append("d:" + self.dyad)
        if self.actor:
            out.append("a:" + self.actor)
        if self.place:
            out.append("p:" + self.place)
        return out

    def params(self) -> dict[str, Any]:
        """The filter as URL query parameters (for links, downloads and next pages)."""
        out: dict[str, Any] = {}
        if self.types:
            quad = next((q for q in QUAD_NAMES if set(self.types) == {t for t, n in QUAD.items() if n == q}), None)
            if quad and len(self.types) > 1:
                out["quad"] = QUAD_NAMES[quad]
            else:
                out["type"] = ",".join(self.types)
        for name in ("country", "dyad", "actor", "place", "q", "article_id", "story_id"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.certainty:
            out["certainty"] = ",".join(self.certainty)
        if self.source_type:
            out["source_type"] = ",".join(self.source_type)
        if self.since:
            out["since"] = self.since.isoformat()
        if self.until:
            out["until"] = self.until.isoformat()
        if self.min_sources:
            out["min_sources"] = self.min_sources
        if self.realised:
            out["realised"] = "true"
        elif not self.include_negated:
            out["negated"] = "false"
        return out

    def with_(self, **changes: Any) -> EventFilter:
        return replace(self, **changes)

    @property
    def since_dt(self) -> datetime | None:
        return datetime(self.since.year, self.since.month, self.since.day, tzinfo=UTC) if self.since else None

    @property
    def until_dt(self) -> datetime | None:
        """The end of the ``until`` day (the filter includes the whole day)."""
        if self.until is None:
            return None
        end = datetime(self.until.year, self.until.month, self.until.day, tzinfo=UTC)
        return end + timedelta(days=1) - timedelta(microseconds=1)


def event_filter(
    *,
    type: str | Sequence[str] | None = None,
    quad: str | Sequence[str] | None = None,
    country: str | None = None,
    dyad: str | None = None,
    actor: str | None = None,
    place: str | None = None,
    certainty: str | Sequence[str] | None = None,
    source_type: str | Sequence[str] | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    min_sources: int | str | None = None,
    q: str | None = None,
    realised: bool = False,
    negated: bool = True,
    article_id: str | None = None,
    story_id: str | None = None,
) -> EventFilter:
    """Validate raw filter values (strings as they come from a URL or a command line) into an ``EventFilter``."""
    types: list[str] = []
    allowed_types = plover_types()
    for t in split_values(type):
        types.append(_one_of(t, "type", allowed_types, lower=False))
    quads = split_values(quad)
    if quads:
        allowed_quads = [*QUAD_NAMES.values(), "1", "2", "3", "4"]
        wanted: set[int] = set()
        for qv in quads:
            v = _one_of(qv, "quad", allowed_quads)
            wanted.add(int(v) if v.isdigit() else next(k for k, n in QUAD_NAMES.items() if n == v))
        in_quad = [t for t in allowed_types if QUAD[t] in wanted]
        types = [t for t in types if t in in_quad] if types else in_quad
        if not types:
            raise QueryError("type and quad exclude each other: no PLOVER type is in both", param="quad")
    since_d, until_d = parse_day(since, "since"), parse_day(until, "until")
    if since_d and until_d and since_d > until_d:
        raise QueryError(f"since {since_d} is after until {until_d}; swap them", param="since")
    text = (q or "").strip() or None
    if text and len(text) > MAX_TEXT:
        raise QueryError(f"q is {len(text)} characters long; search for at most {MAX_TEXT}", param="q")
    place_v = (place or "").strip() or None
    if place_v:
        name, _, code = place_v.partition("|")
        place_v = f"{name.strip()}|{parse_country(code, 'place') if code.strip() else ''}"
    return EventFilter(
        types=tuple(sorted(set(types))),
        country=parse_country(country) if country and country.strip() else None,
        dyad=parse_dyad(dyad) if dyad and dyad.strip() else None,
        actor=_actor(actor, "actor") if actor and actor.strip() else None,
        place=place_v,
        certainty=tuple(_one_of(c, "certainty", CERTAINTIES) for c in split_values(certainty)),
        source_type=tuple(_one_of(s, "source_type", SOURCE_TYPES) for s in split_values(source_type)),
        since=since_d,
        until=until_d,
        min_sources=bounded_int(min_sources or 0, "min_sources", 0, MAX_MIN_SOURCES),
        q=text,
        realised=bool(realised),
        include_negated=bool(negated),
        article_id=(article_id or "").strip() or None,
        story_id=(story_id or "").strip() or None,
    )


# ---------------------------------------------------------------------------------------- keyset cursors


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's sort value (None for undated rows) and id."""

    value: str | None
    id: str
    extra: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        raw = json.dumps([self.value, self.id, self.extra], separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str | None) -> Cursor | None:
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            value, ident, extra = json.loads(raw)
            if not (value is None or isinstance(value, str | int | float)) or not isinstance(ident, str):
                raise ValueError
            if not isinstance(extra, dict):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
            raise QueryError(
                "cursor is not one this server made; follow the 'next' link of a previous page, or drop it "
                "to start at the first page",
                param="cursor",
            ) from None
        return cls(None if value is None else str(value), ident, extra)


def choices() -> dict[str, Any]:
    """Every allowed filter, sort and bucket value (the API's /api/choices and the dashboard's menus)."""
    return {
        "type": list(plover_types()),
        "quad": [{"value": v, "quad_class": k, "types": [t for t, q in QUAD.items() if q == k]} for k, v in QUAD_NAMES.items()],
        "certainty": list(CERTAINTIES),
        "source_type": list(SOURCE_TYPES),
        "country": [{"code": c, "name": n} for c, n in sorted(_countries().items())],
        "sort": {"events": list(EVENT_SORTS), "stories": list(STORY_SORTS), "claims": list(CLAIM_SORTS)},
        "bucket": list(BUCKETS),
        "limits": {"limit": [1, MAX_LIMIT], "offset": [0, MAX_OFFSET], "min_sources": [0, MAX_MIN_SOURCES]},
    }

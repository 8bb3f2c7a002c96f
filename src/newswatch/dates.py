"""Resolve when each event happened, against the article's publication time, with an honest precision.

Fast rules handle the expressions news uses most ("on Thursday", "yesterday", "overnight", "last week", "earlier
this month", "on March 3", "in 2004", "around 9 AM local time", "three days ago"); spaCy DATE/TIME entities the
rules do not cover go to dateparser (English only, which keeps it fast). For each event the expression attached
to its verb wins, then the nearest one in its sentence; an hour without a day takes the day of the last dated
expression before it in the article (else the publication day) and the time zone of the event's place when
known. An event with no time cue gets the publication time with precision "reported-on", never "day".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import Event, EventDate
from .sentences import doc_text, sentences

if TYPE_CHECKING:
    from .places import Gazetteer

log = logging.getLogger(__name__)

PRECISIONS = ("hour", "day", "week", "month", "year", "reported-on", "unknown")

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec"))
    )
    for name in names
}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "a": 1, "an": 1, "several": 3, "a few": 3, "few": 3}
_MONTH_RE = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY_RE = r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

# tried in this order; an earlier kind wins where two overlap ("March 3, 2004" before "in 2004")
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    ("month_day", rf"\b{_MONTH_RE}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>(?:19|20)\d\d))?\b"),
    ("day_month", rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+(?P<year>(?:19|20)\d\d))?\b"),
    ("weekday", rf"\b(?P<mod>last|this|on|next|past|early|late)?\s*{_WEEKDAY_RE}(?:'s)?\b"),
    ("ago", r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an|several|a\s+few)\s+(?P<unit>day|week|month|year)s?\s+ago(?P<ago_today>\s+today)?\b"),
    ("relday", r"\b(?P<rel>yesterday|today|tonight|tomorrow|overnight|last\s+night|this\s+morning|this\s+afternoon|this\s+evening|earlier\s+today|on\s+the\s+same\s+day)\b"),
    ("relperiod", r"\b(?P<rmod>last|this|next|past|earlier\s+this|later\s+this|early\s+this|late\s+last|earlier\s+last|early\s+last|in\s+the\s+past)\s+(?P<period>week|weekend|month|year)\b"),
    ("in_month", rf"\b(?:in|during|since|by|until|early|late|mid-?)\s+{_MONTH_RE}(?:\s+(?P<year>(?:19|20)\d\d))?\b"
                 # "in May and September 2022": the year of a coordinated month is this one's too
                 r"(?:(?=\s+(?:and|or|to|through)\s+[A-Z][a-z]+\.?\s+(?P<year2>(?:19|20)\d\d)\b))?"),
    ("year", r"\b(?:in|during|since|of|by|until|early|late|mid-?)\s+(?P<year>(?:19|20)\d\d)\b"),
    ("clock", r"\b(?:around|about|at|approximately|shortly\s+after|shortly\s+before|before|after|by)?\s*(?P<h>\d{1,2})(?::(?P<min>\d\d))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?P<local>\s+local\s+time)?"),
]


@dataclass
class _Expr:
    start: int
    end: int
    text: str
    value: datetime | None
    precision: str
    hour: tuple[int, int] | None = None  # a clock time waiting for its day
    local: bool = False
    absolute: bool = False  # names its own calendar date ("December 7, 2021"), needs no publication time
    calendar: bool = False  # names a month and day, with or without the year


def _compile() -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(rx, re.I)) for kind, rx in _PATTERNS]


_COMPILED = _compile()


def _midnight(d: date, tz: tzinfo | None) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz)


def _number(text: str) -> int:
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBERS.get(text, 1)


def _month_start(d: date, back: int) -> date:
    y, m = d.year, d.month - back
    while m < 1:
        m += 12
        y -= 1
    while m > 12:
        m -= 12
        y += 1
    return date(y, m, 1)


def _year_for(month: int, day: int, today: date, tense: str | None) -> int:
    """The year of a year-less day and month: the coming occurrence for a future verb, the latest one on or
    before publication for a past verb, else the occurrence closest to publication (within about six months).
    Raises ValueError for a day the month does not have."""
    options = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue  # 29 February in a common year
    if not options:
        raise ValueError(f"no day {day} in month {month}")
    if tense == "future":
        ahead = [d for d in options if d >= today]
        if ahead:
            return ahead[0].year
    elif tense == "past":
        # one day of slack: a publication time in another zone may be a day behind the event's own
        behind = [d for d in options if d <= today + timedelta(days=1)]
        if behind:
            return behind[-1].year
    return min(options, key=lambda d: abs((d - today).days)).year


def _rule_value(
    kind: str, m: re.Match[str], pub: datetime | None, tense: str | None = None
) -> tuple[datetime | None, str, tuple[int, int] | None]:
    """(value, precision, pending clock time) for one matched expression; ``tense`` is that of the verb the
    expression hangs on ("future", "past" or None when unclear)."""
    tz = pub.tzinfo if pub is not None else None
    today = pub.date() if pub is not None else None
    g = m.groupdict()
    if kind == "iso":
        try:
            return _midnight(date(int(g["y"]), int(g["m"]), int(g["d"])), tz), "day", None
        except ValueError:
            return None, "unknown", None
    if kind in {"month_day", "day_month"}:
        month = _MONTHS[_month_key(g["month"])]
        day = int(g["day"])
        if g.get("year"):
            year = int(g["year"])
        elif today is not None:
            try:
                year = _year_for(month, day, today, tense)
            except ValueError:
                return None, "unknown", None
        else:
            return None, "unknown", None
        try:
            return _midnight(date(year, month, day), tz), "day", None
        except ValueError:
            return None, "unknown", None
    if kind == "in_month":
        month = _MONTHS[_month_key(g["month"])]
        if g.get("year") or g.get("year2"):
            return _midnight(date(int(g.get("year") or g["year2"]), month, 1), tz), "month", None
        if today is None:
            return None, "unknown", None
        if tense == "future":
            year = today.year if month >= today.month else today.year + 1
        elif tense == "past":
            year = today.year if month <= today.month else today.year - 1
        else:
            year = _year_for(month, 1, today.replace(day=1), None)
        return _midnight(date(year, month, 1), tz), "month", None
    if kind == "year":
        return _midnight(date(int(g["year"]), 1, 1), tz), "year", None
    if kind == "clock":
        h = int(g["h"]) % 12 + (12 if g["ampm"].lower().startswith("p") else 0)
        return None, "hour", (h, int(g["min"] or 0))
    if today is None:
        return None, "unknown", None
    if kind == "weekday":
        target = _WEEKDAYS.index(g["weekday"].lower())
        mod = (g.get("mod") or "").lower()
        back = (today.weekday() - target) % 7
        if mod == "next" or (tense == "future" and mod not in {"last", "past"}):
            # "will meet on Tuesday": the coming one (today counts, unless it is "next Tuesday")
            fwd = (target - today.weekday()) % 7
            if mod == "next" and fwd == 0:
                fwd = 7
            return _midnight(today + timedelta(days=fwd), tz), "day", None
        if mod in {"last", "past"} and back == 0:
            back = 7
        return _midnight(today - timedelta(days=back), tz), "day", None
    if kind == "relday":
        rel = " ".join(g["rel"].lower().split())
        if rel in {"yesterday", "last night", "overnight"}:
            return _midnight(today - timedelta(days=1), tz), "day", None
        if rel == "tomorrow":
            return _midnight(today + timedelta(days=1), tz), "day", None
        if rel == "on the same day":
            return None, "unknown", None
        return _midnight(today, tz), "day", None
    if kind == "ago":
        n = _number(g["n"])
        unit = g["unit"].lower()
        if g.get("ago_today"):
            # "seven years ago today": the same calendar day, n units back
            months = {"day": 0, "week": 0, "month": n, "year": 12 * n}[unit]
            days = {"day": n, "week": 7 * n}.get(unit, 0)
            month_back = _month_start(today, months)
            try:
                anniversary = date(month_back.year, month_back.month, today.day)
            except ValueError:
                anniversary = month_back
            return _midnight(anniversary - timedelta(days=days), tz), "day", None
        if unit == "day":
            return _midnight(today - timedelta(days=n), tz), "day", None
        if unit == "week":
            d = today - timedelta(weeks=n)
            return _midnight(d - timedelta(days=d.weekday()), tz), "week", None
        if unit == "month":
            return _midnight(_month_start(today, n), tz), "month", None
        return _midnight(date(today.year - n, 1, 1), tz), "year", None
    if kind == "relperiod":
        mod = " ".join(g["rmod"].lower().split())
        period = g["period"].lower()
        back = 1 if mod in {"last", "past", "late last", "earlier last", "early last", "in the past"} else 0
        if mod == "next":
            back = -1
        if period in {"week", "weekend"}:
            d = today - timedelta(weeks=back)
            start = d - timedelta(days=d.weekday())
            if period == "weekend":
                start = start + timedelta(days=5)
                if start > today:
                    start -= timedelta(weeks=1)
                return _midnight(start, tz), "week", None
            return _midnight(start, tz), "week", None
        if period == "month":
            return _midnight(_month_start(today, back), tz), "month", None
        return _midnight(date(today.year - back, 1, 1), tz), "year", None
    return None, "unknown", None


def _month_key(text: str) -> str:
    low = text.lower().rstrip(".")
    if low in _MONTHS:
        return low
    return low[:3]


_FUTURE = re.compile(r"\b(will|shall|'ll|scheduled|planned|plans|upcoming|next|expected\s+to)\b", re.I)
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
_PAST_AUX = frozenset({"was", "were", "had", "has", "have", "'ve", "'d"})
# "is scheduled to visit on May 20", "plans to travel on June 2": the infinitive is ahead of its governor
_FUTURE_GOVERNORS = frozenset({"schedule", "plan", "expect", "intend", "set", "due", "aim", "prepare", "go", "hope",
                               "promise", "vow", "pledge", "agree", "decide"})
_AHEAD_WORDS = frozenset({"upcoming", "coming", "next", "planned", "forthcoming", "scheduled", "future"})
_TENSE_KINDS = frozenset({"month_day", "day_month", "in_month", "weekday"})


def _verb_tense(verb: Any) -> str | None:
    """"future", "past" or None (present, infinitive, unclear) for the verb a time expression hangs on."""
    aux = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    if aux & _FUTURE_AUX:
        return "future"
    if verb.dep_ == "xcomp" and verb.head.lemma_.lower() in _FUTURE_GOVERNORS:
        head_aux = {c.lower_ for c in verb.head.children if c.dep_ in {"aux", "auxpass"}}
        if verb.head.tag_ != "VBD" and not head_aux & {"was", "were", "had"}:
            return "future"
    if verb.tag_ == "VBD" or aux & _PAST_AUX:
        return "past"
    if verb.tag_ == "VBN" and verb.dep_ in {"acl", "amod", "relcl"}:
        return "past"  # "the task force announced on February 26": a reduced relative clause is done
    return None


def _attached_tense(doc: Any, start: int, end: int) -> str | None:
    """The tense of the verb a time expression directly modifies; None when it modifies a noun or no verb."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    tok = span.root
    for _ in range(6):
        head = tok.head
        if head.i == tok.i:
            return None
        if head.pos_ in {"VERB", "AUX"}:
            return _verb_tense(head)
        if head.pos_ in {"NOUN", "PROPN"} and any(c.lower_ in _AHEAD_WORDS for c in head.children):
            return "future"  # "the upcoming visit on August 30"
        tok = head  # "the state visit in April", announced before: the clause the noun sits in decides
    return None


def _find_expressions(text: str, offset: int, pub: datetime | None, doc: Any = None) -> list[_Expr]:
    """Rule-matched time expressions in ``text`` (char offsets shifted by ``offset``), non-overlapping; with
    the parsed ``doc``, a year-less date follows the tense of the verb it hangs on."""
    found: list[_Expr] = []
    for kind, rx in _COMPILED:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            if m.group(0).strip() == "" or any(x.start - offset < e and s < x.end - offset for x in found):
                continue
            if kind == "weekday" and not m.group("weekday"):
                continue
            tense: str | None = None
            if kind in _TENSE_KINDS and pub is not None:
                tense = _attached_tense(doc, offset + s, offset + e) if doc is not None else None
                if tense is None and kind == "weekday" and _FUTURE.search(text[max(0, s - 40) : s]):
                    # a weekday looks forward when its own clause is future ("will meet on Tuesday"), not when
                    # a later clause is ("said on Thursday that it will ...")
                    tense = "future"
            try:
                value, precision, hour = _rule_value(kind, m, pub, tense)
            except (KeyError, ValueError, OverflowError):  # "1000000 days ago" leaves the calendar
                continue
            lead = len(m.group(0)) - len(m.group(0).lstrip())
            found.append(
                _Expr(offset + s + lead, offset + e, m.group(0).strip(), value, precision, hour,
                      bool(m.groupdict().get("local")),
                      kind == "iso" or (kind in {"month_day", "day_month", "in_month"}
                                               and bool(m.groupdict().get("year") or m.groupdict().get("year2")))
                      or kind == "year", kind in {"iso", "month_day", "day_month"})
            )
    return found


_DATEPARSER_SKIP = re.compile(r"\b(years?|decades?|centur(y|ies)|annual|daily|weekly|months?|weeks?|days?|hours?|season)\b", re.I)


def _dateparser_expr(ent: Any, pub: datetime | None) -> _Expr | None:
    """A DATE/TIME entity the rules missed, through dateparser (English only: ten times faster)."""
    text = ent.text
    if pub is None and not re.search(r"\b(?:1[89]|20)\d\d\b", text):
        return None  # without a publication time only a date naming its year resolves: never the machine's clock
    if _DATEPARSER_SKIP.search(text) and "ago" not in text.lower():
        return None
    if not re.search(r"\d|" + "|".join(_WEEKDAYS) + "|" + "|".join(m for m in _MONTHS if len(m) > 3), text, re.I):
        return None
    import dateparser
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    if pub is not None:
        settings["RELATIVE_BASE"] = pub.replace(tzinfo=None)
    try:
        data = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    except (ValueError, OverflowError, dateparser.conf.SettingValidationError):  # type: ignore[attr-defined]
        return None
    if data is None or data.date_obj is None:
        return None
    period = data.period or "day"
    precision = {"time": "hour", "day": "day", "week": "week", "month": "month", "year": "year"}.get(period, "day")
    value = data.date_obj
    if pub is not None and pub.tzinfo is not None and value.tzinfo is None:
        value = value.replace(tzinfo=pub.tzinfo)
    if precision != "hour":
        value = value.replace(hour=0, minute=0, second=0, microsecond=0)
    return _Expr(ent.start_char, ent.end_char, text, value, precision)


def expressions(doc: Any, *, published_at: datetime | None) -> list[_Expr]:
    """Every time expression in a parsed article, resolved where possible, in text order."""
    out: list[_Expr] = []
    bounds = sentences(doc)
    text: str = doc_text(doc)
    for start, end in zip(bounds.char_starts, bounds.char_ends, strict=True):
        out.extend(_find_expressions(text[start:end], start, published_at, doc))
    for ent in doc.ents:
        if ent.label_ not in {"DATE", "TIME"}:
            continue
        if any(x.start < ent.end_char and ent.start_char < x.end for x in out):
            continue
        expr = _dateparser_expr(ent, published_at)
        if expr is not None:
            out.append(expr)
    out.sort(key=lambda x: x.start)
    return out


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _governing_verb(tok: Any) -> Any:
    """The nearest verb above a token (auxiliaries do not count), or None."""
    steps = 0
    while tok.head.i != tok.i and steps < 8:
        tok = tok.head
        steps += 1
        if tok.pos_ in {"VERB", "AUX"} and tok.dep_ not in {"aux", "auxpass"}:
            return tok
    return None


def _relation(expr: _Expr, doc: Any, trigger: Any) -> int | None:
    """1 when the expression hangs on the event word, 2 when it dates a clause the event sits in ("KCNA said on
    Wednesday that ... tested"), 3 when it hangs on no verb; None when it belongs to another clause."""
    span = doc.char_span(expr.start, expr.end, alignment_mode="expand")
    if span is None:
        return None
    tok = span.root
    steps = 0
    while tok.i != trigger.i and tok.head.i != tok.i and steps < 6:
        tok = tok.head
        steps += 1
        if tok.i != trigger.i and tok.pos_ in {"VERB", "AUX"} and tok.dep_ not in {"aux", "auxpass"}:
            break
    if tok.i == trigger.i:
        return 1
    verb = _governing_verb(span.root)
    if verb is None:
        return 3
    if verb.head.i == trigger.i and verb.dep_ == "xcomp":
        return 1  # "began operating on Monday": the time of the verb's own complement
    path = []
    tok = trigger
    while tok.head.i != tok.i and tok.i != verb.i:
        path.append(tok)
        tok = tok.head
    # a clause conjoined to the dated one ("sank on Monday, and a rescue began") has its own time
    if tok.i == verb.i and not any(t.dep_ == "conj" for t in path):
        return 2
    return None


def resolve_dates(events: list[Event], doc: Any, *, published_at: datetime | None, gazetteer: Gazetteer) -> None:
    """Set ``event.date`` on each event (see the module docstring for the rules and their order); a clock time
    takes the time zone ``gazetteer`` gives the event's place."""
    if not events:
        return
    exprs = expressions(doc, published_at=published_at)
    bounds = sentences(doc)
    for event in events:
        in_sent: list[_Expr] = []
        if len(bounds):
            k = bounds.index_of_char(event.trigger_start)
            lo, hi = bounds.char_starts[k], bounds.char_ends[k]
            in_sent = [x for x in exprs if lo <= x.start < hi]
        span = doc.char_span(event.trigger_start, event.trigger_end, alignment_mode="expand")
        trigger = span.root if span is not None else None
        chosen: list[_Expr] = []
        if trigger is not None:
            ranked = [(rel, abs(x.start - event.trigger_start), x) for x in in_sent
                      if (rel := _relation(x, doc, trigger)) is not None]
            # on one footing, a stated calendar date beats a relative one ("on Tuesday, December 7, 2021",
            # "tomorrow, December 21": the publication time may sit in another time zone's day)
            chosen = [x for _rel, _dist, x in sorted(
                ranked, key=lambda r: (r[0], not r[2].absolute, not r[2].calendar, r[1]))]
        else:
            chosen = sorted(in_sent, key=lambda x: abs(x.start - event.trigger_start))
        resolved = [x for x in chosen if x.value is not None or x.hour is not None]
        if trigger is not None and published_at is not None and trigger.pos_ in {"VERB", "AUX"} and (
            _verb_tense(trigger) == "past"
        ):
            # a past verb did not happen after publication: a later date belongs to something else in the
            # sentence ("discussed the upcoming visit on August 30")
            latest = published_at.date() + timedelta(days=1) if published_at.date() < date.max else date.max
            resolved = [x for x in resolved if x.value is None or x.value.date() <= latest]
        if not resolved:
            event.date = EventDate(published_at, "reported-on" if published_at is not None else "unknown", None)
            continue
        expr = resolved[0]
        if expr.hour is None:
            event.date = EventDate(expr.value, expr.precision, expr.text)
            continue
        # a clock time: its day is a day-precise expression in the sentence, else the last one before it
        day_exprs = [x for x in in_sent if x.precision == "day" and x.value is not None]
        if not day_exprs:
            day_exprs = [x for x in exprs if x.end <= expr.start and x.precision == "day" and x.value is not None][-1:]
        base = day_exprs[0].value if day_exprs else published_at
        if base is None:
            event.date = EventDate(None, "unknown", expr.text)
            continue
        tz = base.tzinfo
        if event.place is not None and event.place.country:
            zone = gazetteer.timezone(country=event.place.country, geonameid=event.place.geonameid)
            tz = _zone(zone) or tz
        h, minute = expr.hour
        event.date = EventDate(datetime(base.year, base.month, base.day, h, minute, tzinfo=tz), "hour", expr.text)

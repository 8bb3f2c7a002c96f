"""Watch rules, spike detection, feed polling and notifications: the library behind ``newswatch watch``.

A watch is a named rule stored in the database. An *event* rule matches coded events by PLOVER type,
countries (any role, as actor, or as recipient), certainty, source type, tense, keywords (in the evidence
sentence or the article title) and a minimum number of independent sources of the event's story; a check
looks at events whose article was stored since the watch's last check (minus a small overlap, so that an
article committed during a check is not missed) or whose story gained an article since then, and raises
one alert per story (or per event with ``group="event"``). A *spike* rule counts matching events per day
and per group, where the group is a country involved in the event (place, actor or recipient:
``by="country"``), the place's country only (``by="place"``) or the directed actor>recipient country pair
(``by="pair"``), and the PLOVER type; the day is the event's date, else its article's publication date, in
UTC; the count is of distinct stories by default (an article without a story counts as its own story),
so that ten outlets reporting one attack count once. A day is a spike when its count is at least
``min_count`` and greater than ``mean + k * max(std, sqrt(max(mean, 0.5)))`` of the counts of the ``window``
days before it (zeros included, population standard deviation; the floor is the spread of a Poisson count
with that mean, so that a flat or quiet baseline does not turn every small bump into a spike), counting only
days since the first matching event in the database, and only when at least ``min_history`` such days
exist, so that a new database does not alert on its first day. The defaults (28 days, k = 3, at least 3)
were chosen on synthetic Poisson series with injected surges (``benchmarks/watch_bench.py``). A check evaluates the days touched by events stored since the last check. Every alert is
unique per watch and key (story, event or spike day), so checking again never repeats it. Alerts are
written to the ``alerts`` table, returned to the caller, and can be handed to notifiers: a local command
that receives each alert as JSON on stdin, or an SMTP server that receives one digest message per check.
Polling runs the pipeline on feeds every ``every`` seconds (ingest is idempotent, so a round only adds
new entries) and checks the watches after each round.
"""

from __future__ import annotations

import json
import logging
import math
import shlex
import smtplib
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from .codes import CERTAINTIES, SOURCE_TYPES, plover_types
from .config import Settings
from .errors import ConfigError, NewswatchError
from .store import Store
from .store import watches as store_watches

log = logging.getLogger(__name__)

TENSES = ("past", "present", "future", "hypothetical")
SPIKE_GROUPS = ("country", "place", "pair")
COUNT_UNITS = ("stories", "articles", "events")
DEFAULT_OVERLAP = timedelta(minutes=10)


class NotificationError(NewswatchError):
    """A notifier (command or SMTP server) could not deliver alerts."""


# ---------------------------------------------------------------------------------------- rules


@dataclass
class WatchRule:
    """What a watch looks for; every list means "any of", an empty list means "any"."""

    kind: str = "event"  # event | spike
    types: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # in any role: place, actor or recipient
    actors: list[str] = field(default_factory=list)  # actor countries
    recipients: list[str] = field(default_factory=list)  # recipient countries
    certainty: list[str] = field(default_factory=list)
    source_types: list[str] = field(default_factory=list)
    tenses: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    include_negated: bool = False
    min_sources: int = 1  # independent sources of the event's story
    group: str = "story"  # event rules: one alert per story or per event
    by: str = "country"  # spike rules: country | place | pair
    window: int = 28
    k: float = 3.0
    min_count: int = 3
    min_history: int = 7
    count: str = "stories"  # stories | articles | events
    max_age_days: int | None = None  # ignore events (or spike days) older than this at check time

    def __post_init__(self) -> None:
        self.types = _codes(self.types, "--type", allowed=plover_types())
        self.countries = _codes(self.countries, "--country")
        self.actors = _codes(self.actors, "--actor")
        self.recipients = _codes(self.recipients, "--recipient")
        self.certainty = _choices(self.certainty, "--certainty", CERTAINTIES)
        self.source_types = _choices(self.source_types, "--source-type", SOURCE_TYPES)
        self.tenses = _choices(self.tenses, "--tense", TENSES)
        self.keywords = [k.strip() for k in self.keywords if k and k.strip()]
        _one_of(self.kind, "kind", ("event", "spike"))
        _one_of(self.group, "group", ("story", "event"))
        _one_of(self.by, "--by", SPIKE_GROUPS)
        _one_of(self.count, "--count", COUNT_UNITS)
        if self.max_age_days is not None and self.max_age_days < 1:
            raise ConfigError(f"--max-age must be at least 1 day, not {self.max_age_days}")
        if self.min_sources < 1:
            raise ConfigError(f"--min-sources must be at least 1, not {self.min_sources}")
        if self.window < 1 or self.min_history < 0 or self.min_history > self.window:
            raise ConfigError(
                f"--window ({self.window}) must be at least 1 day and --min-history ({self.min_history}) "
                "between 0 and the window"
            )
        if self.min_count < 1 or not math.isfinite(self.k) or self.k < 0:
            raise ConfigError(
                f"--min-count must be at least 1 and --k a number >= 0 (got {self.min_count}, {self.k})"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WatchRule:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown watch rule field(s) {', '.join(unknown)}; known fields: {', '.join(sorted(known))}"
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise ConfigError(f"invalid watch rule {data!r}: {exc}") from exc

    def as_dict(self) -> dict[str, Any]:
        """The rule without defaults that do not apply to its kind (what is stored and listed)."""
        data = asdict(self)
        skip = (
            ("by", "window", "k", "min_count", "min_history", "count") if self.kind == "event" else ("group",)
        )
        return {k: v for k, v in data.items() if k not in skip}

    def filters(self) -> dict[str, Any]:
        """Keyword filters of the store's event queries."""
        return {
            "types": self.types,
            "countries": self.countries,
            "actors": self.actors,
            "recipients": self.recipients,
            "certainty": self.certainty,
            "source_types": self.source_types,
            "tenses": self.tenses,
            "keywords": self.keywords,
            "include_negated": self.include_negated,
        }

    def describe(self) -> str:
        """A short human description, for listings."""
        parts = [self.kind]
        for label, values in (
            ("type", self.types), ("country", self.countries), ("actor", self.actors),
            ("recipient", self.recipients), ("certainty", self.certainty), ("source", self.source_types),
            ("tense", self.tenses), ("keyword", self.keywords),
        ):  # fmt: skip
            if values:
                parts.append(f"{label}={'|'.join(values)}")
        if self.min_sources > 1:
            parts.append(f"sources>={self.min_sources}")
        if self.include_negated:
            parts.append("with negated")
        if self.max_age_days:
            parts.append(f"within {self.max_age_days}d")
        if self.kind == "spike":
            parts.append(
                f"by {self.by}, {self.count}/day > mean+{self.k:g}sd of {self.window}d, >= {self.min_count}"
            )
        return " ".join(parts)


def _split(values: Sequence[str]) -> list[str]:
    """Values given as repeated options or comma-separated lists."""
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in str(value).split(",") if v.strip())
    return list(dict.fromkeys(out))


def _codes(values: Sequence[str], option: str, *, allowed: frozenset[str] | None = None) -> list[str]:
    codes = list(dict.fromkeys(v.upper() for v in _split(values)))
    for code in codes:
        if allowed is not None and code not in allowed:
            raise ConfigError(
                f"{option} {code!r} is not a PLOVER event type; use one of {', '.join(sorted(allowed))}"
            )
        if allowed is None and not (code.isalpha() and 3 <= len(code) <= 4):
            raise ConfigError(
                f"{option} {code!r} is not a country code; use ISO 3166-1 alpha-3 (UKR) or IGO, NGO..."
            )
    return codes


def _choices(values: Sequence[str], option: str, allowed: Sequence[str]) -> list[str]:
    out = list(dict.fromkeys(v.lower() for v in _split(values)))
    for value in out:
        _one_of(value, option, allowed)
    return out


def _one_of(value: str, option: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ConfigError(f"{option} {value!r} is not valid; use one of {', '.join(allowed)}")


# ---------------------------------------------------------------------------------------- watches


def add_watch(store: Store, name: str, rule: WatchRule, *, replace: bool = False) -> dict[str, Any]:
    """Store ``rule`` as the watch ``name``; it sees events stored from now on."""
    name = name.strip()
    if not name or len(name) > 255:
        raise ConfigError("a watch name must have 1 to 255 characters")
    store_watches.ensure_watch_tables(store.engine)
    return store_watches.add_watch(store.engine, name=name, rule=rule.as_dict(), replace=replace)


def list_watches(store: Store) -> list[dict[str, Any]]:
    """Watches with their rule, a description, their number of alerts and their last check."""
    store_watches.ensure_watch_tables(store.engine)
    rows = store_watches.list_watches(store.engine)
    for row in rows:
        row["description"] = WatchRule.from_dict(row["rule"] or {}).describe()
        for key in ("created_at", "checked_at", "last_alert"):
            row[key] = _aware(row.get(key))
    return rows


def remove_watch(store: Store, name: str) -> int:
    """Delete the watch ``name`` and its alerts; returns how many alerts went with it."""
    store_watches.ensure_watch_tables(store.engine)
    return store_watches.remove_watch(store.engine, name)


def list_alerts(
    store: Store,
    *,
    watch: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[Alert]:
    """Stored alerts, newest first."""
    if kind is not None:
        _one_of(kind, "--kind", ("event", "spike"))
    store_watches.ensure_watch_tables(store.engine)
    rows = store_watches.list_alerts(
        store.engine, watch=watch, kind=kind, since=_aware(since), limit=limit, offset=offset
    )
    return [Alert.from_row(r) for r in rows]


# ---------------------------------------------------------------------------------------- alerts


@dataclass
class Alert:
    """One thing a watch found: an event (or story) that matched, or a spike."""

    watch: str
    kind: str  # event | spike
    key: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    event_id: str | None = None
    at: datetime | None = None
    id: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Alert:
        return cls(
            watch=row["watch"], kind=row.get("kind") or "event", key=row.get("key") or str(row["id"]),
            message=row.get("message") or "", details=row.get("details") or {}, event_id=row.get("event_id"),
            at=_aware(row.get("at")), id=row.get("id"),
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "watch": self.watch,
            "kind": self.kind,
            "key": self.key,
            "at": self.at,
            "event_id": self.event_id,
            "message": self.message,
            "details": self.details,
        }


def check(
    store: Store,
    *,
    names: Sequence[str] | None = None,
    now: datetime | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
    backfill: bool = False,
) -> list[Alert]:
    """Evaluate watches (all, or ``names``) over events stored since each one's last check; record and
    return the new alerts. ``backfill`` looks at every stored event instead (alerts still never repeat)."""
    store_watches.ensure_watch_tables(store.engine)
    started = _aware(now) or datetime.now(UTC)
    found: list[Alert] = []
    for watch in store_watches.list_watches(store.engine, names=names):
        rule = WatchRule.from_dict(watch["rule"] or {})
        # the overlap covers articles committed while the last check ran; a new watch starts at its creation
        checked, created = _aware(watch.get("checked_at")), _aware(watch.get("created_at"))
        since = checked - overlap if checked else created
        if backfill:
            since = None
        oldest = started - timedelta(days=rule.max_age_days) if rule.max_age_days else None
        if rule.kind == "spike":
            rows = _spike_alerts(store, watch, rule, since=since, oldest=oldest)
        else:
            rows = _event_alerts(store, watch, rule, since=since, oldest=oldest)
        with store.begin() as conn:
            saved = store_watches.save_alerts(conn, rows)
            store_watches.mark_checked(conn, watch_id=watch["id"], at=started)
        found.extend(Alert.from_row({**r, "watch": watch["name"]}) for r in saved)
        if saved:
            log.info("watch %s: %d new alert(s)", watch["name"], len(saved))
    return found


def _event_alerts(
    store: Store, watch: dict[str, Any], rule: WatchRule, *, since: datetime | None, oldest: datetime | None
) -> list[dict[str, Any]]:
    rows = store_watches.candidate_events(
        store.engine,
        stored_since=since,
        min_sources=rule.min_sources,
        occurred_since=oldest,
        **rule.filters(),
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = (
            f"story:{row['story_id']}"
            if rule.group == "story" and row.get("story_id")
            else f"event:{row['id']}"
        )
        groups.setdefault(key, []).append(row)
    alerts = []
    for key, members in groups.items():
        first = members[0]
        details = _event_details(first, matched=len(members))
        alerts.append({
            "watch_id": watch["id"], "kind": "event", "key": key, "event_id": first["id"],
            "message": _event_message(watch["name"], details), "details": details,
        })  # fmt: skip
    return alerts


def _event_details(row: dict[str, Any], *, matched: int) -> dict[str, Any]:
    def who(items: Any) -> list[dict[str, Any]]:
        return [
            {"text": a.get("text"), "country": a.get("country"), "sector": a.get("sector")}
            for a in items or []
        ]

    when = _aware(row.get("event_date"))
    return {
        "event_id": row["id"], "article_id": row["article_id"], "story_id": row.get("story_id"),
        "type": row["plover_type"], "mode": row.get("mode"), "cameo": row.get("cameo_code"),
        "acled_type": row.get("acled_type"), "actors": who(row.get("actors")),
        "recipients": who(row.get("recipients")), "place": row.get("place_name"),
        "country": row.get("country"),
        "date": when.date().isoformat() if when else None, "date_precision": row.get("date_precision"),
        "certainty": row.get("certainty"), "source_type": row.get("source_type"), "tense": row.get("tense"),
        "negated": bool(row.get("negated")), "num_sources": int(row.get("num_sources") or 1),
        "matched_events": matched, "trigger": row.get("trigger"), "evidence": row.get("text"),
        "url": row.get("url"), "title": row.get("title"), "site": row.get("site"),
    }  # fmt: skip


def _event_message(watch: str, d: dict[str, Any]) -> str:
    def side(items: list[dict[str, Any]]) -> str:
        codes = sorted({a["country"] for a in items if a.get("country")})
        return "+".join(codes) if codes else (items[0]["text"] if items else "?")

    where = f" in {d['place']}" + (f" ({d['country']})" if d.get("country") else "") if d.get("place") else ""
    when = f" on {d['date']}" if d.get("date") else ""
    sources = d["num_sources"]
    evidence = " ".join(str(d.get("evidence") or "").split())
    if len(evidence) > 200:
        evidence = evidence[:197] + "..."
    return (
        f"{watch}: {d['type']} {side(d['actors'])} -> {side(d['recipients'])}{where}{when}; "
        f"{d.get('certainty') or '?'} ({d.get('source_type') or 'unattributed'}), "
        f'{sources} independent source{"s" if sources != 1 else ""}: "{evidence}"'
        + (f" {d['url']}" if d.get("url") else "")
    )


# ---------------------------------------------------------------------------------------- spikes


@dataclass
class Spike:
    """A day whose count of matching events stands out from the days before it."""

    group: str  # a country code, or "ACTOR>RECIPIENT" for pairs
    type: str  # PLOVER type
    day: date
    count: int
    mean: float  # baseline
    std: float
    threshold: float  # the count had to exceed this (and reach min_count)
    history: int  # baseline days used

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["mean"] = round(self.mean, 3)
        data["std"] = round(self.std, 3)
        data["threshold"] = round(self.threshold, 3)
        return data


def daily_counts(
    rows: Sequence[dict[str, Any]], *, by: str, count: str
) -> dict[tuple[str, str], dict[date, int]]:
    """Counts per (group, PLOVER type) and UTC day of ``dated_events`` rows."""
    units: dict[tuple[str, str], dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
    for i, row in enumerate(rows):
        when = _aware(row["date"])
        if when is None:
            continue
        unit = {"stories": row.get("story_id") or row["article_id"], "articles": row["article_id"]}.get(
            count, str(i)
        )
        for group in _groups(row, by):
            units[(group, row["plover_type"])][when.date()].add(unit)
    return {key: {d: len(u) for d, u in days.items()} for key, days in units.items()}


def _groups(row: dict[str, Any], by: str) -> list[str]:
    actors = _code_list(row.get("actor_countries"))
    recipients = _code_list(row.get("recipient_countries"))
    if by == "pair":
        return [f"{a}>{r}" for a in actors for r in recipients if a != r]
    place = [row["country"]] if row.get("country") else []
    if by == "place":
        return place
    return sorted(set(place) | set(actors) | set(recipients))


def _code_list(value: Any) -> list[str]:
    return [c for c in str(value or "").split(",") if c]


def find_spikes(
    counts: dict[tuple[str, str], dict[date, int]],
    *,
    days: dict[tuple[str, str], set[date]] | None = None,
    first_day: date | None = None,
    window: int = 28,
    k: float = 3.0,
    min_count: int = 3,
    min_history: int = 7,
) -> list[Spike]:
    """Spikes among ``counts``: every day with data, or only ``days`` per key (the days a check touched)."""
    spikes = []
    for key, per_day in counts.items():
        start = first_day or min(per_day)
        for day in sorted(days.get(key, set()) if days is not None else per_day):
            n = per_day.get(day, 0)
            if n < min_count:
                continue
            history = [per_day.get(day - timedelta(days=i), 0) for i in range(1, window + 1)
                       if day - timedelta(days=i) >= start]  # fmt: skip
            if len(history) < min_history or not history:
                continue
            mean = sum(history) / len(history)
            std = math.sqrt(sum((x - mean) ** 2 for x in history) / len(history))
            threshold = mean + k * max(std, math.sqrt(max(mean, 0.5)))
            if n > threshold:
                spikes.append(
                    Spike(key[0], key[1], day, n, mean, std, max(threshold, min_count - 1), len(history))
                )
    spikes.sort(key=lambda s: (s.day, s.type, s.group))
    return spikes


def detect_spikes(
    store: Store,
    rule: WatchRule,
    *,
    since: date | None = None,
    until: date | None = None,
    stored_since: datetime | None = None,
) -> list[Spike]:
    """Spikes of ``rule``'s events on days from ``since`` to ``until`` (inclusive); with ``stored_since``,
    only on the days of events stored since then."""
    engine = store.engine
    filters = rule.filters()
    first = _aware(store_watches.first_event_date(engine, **filters))
    if first is None:
        return []
    touched: dict[tuple[str, str], set[date]] | None = None
    low, high = since, until
    if stored_since is not None:
        new_rows = store_watches.dated_events(engine, stored_since=stored_since, **filters)
        touched = {k: set(v) for k, v in daily_counts(new_rows, by=rule.by, count="events").items()}
        days = [d for per_key in touched.values() for d in per_key]
        if not days:
            return []
        low = max(low, min(days)) if low else min(days)
        high = min(high, max(days)) if high else max(days)
    # only the days to judge and their baselines are read
    start = _midnight(low - timedelta(days=rule.window)) if low else None
    end = _midnight(high + timedelta(days=1)) if high else None
    rows = store_watches.dated_events(engine, start=start, end=end, **filters)
    counts = daily_counts(rows, by=rule.by, count=rule.count)
    spikes = find_spikes(
        counts, days=touched, first_day=first.date(), window=rule.window, k=rule.k,
        min_count=rule.min_count, min_history=rule.min_history,
    )  # fmt: skip
    return [s for s in spikes if (since is None or s.day >= since) and (until is None or s.day <= until)]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _unit(unit: str, n: int) -> str:
    return unit if n != 1 else {"stories": "story", "articles": "article", "events": "event"}[unit]


def _spike_alerts(
    store: Store, watch: dict[str, Any], rule: WatchRule, *, since: datetime | None, oldest: datetime | None
) -> list[dict[str, Any]]:
    alerts = []
    for spike in detect_spikes(store, rule, stored_since=since, since=oldest.date() if oldest else None):
        details = {
            **spike.as_dict(),
            "by": rule.by,
            "count_unit": rule.count,
            "window": rule.window,
            "k": rule.k,
        }
        message = (
            f"{watch['name']}: spike: {spike.count} {_unit(rule.count, spike.count)} of {spike.type} "
            f"for {spike.group} on {spike.day.isoformat()} "
            f"(baseline {spike.mean:.1f} ± {spike.std:.1f} over {spike.history} days)"
        )
        alerts.append({
            "watch_id": watch["id"], "kind": "spike", "event_id": None, "message": message,
            "details": details,
            "key": f"spike:{rule.by}:{spike.group}:{spike.type}:{spike.day.isoformat()}",
        })  # fmt: skip
    return alerts


# ---------------------------------------------------------------------------------------- notifications


def alert_json(alert: Alert) -> str:
    """One alert as a JSON object on one line (times in ISO 8601), as notifiers receive it."""
    return json.dumps(alert.as_dict(), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


Notifier = Callable[[Sequence[Alert]], None]


def command_notifier(command: str | Sequence[str], *, timeout: float = 30.0) -> Notifier:
    """Run ``command`` (no shell) once per alert with the alert as one JSON object on stdin."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if not argv:
        raise ConfigError("--notify-command is empty; give a program to run, e.g. 'logger -t newswatch'")

    def send(alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            payload = alert_json(alert)
            try:
                done = subprocess.run(
                    argv, input=payload.encode("utf-8"), capture_output=True, timeout=timeout, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise NotificationError(
                    f"the notify command {argv[0]!r} could not run ({exc}); check the program and its path"
                ) from exc
            if done.returncode != 0:
                stderr = done.stderr.decode("utf-8", "replace").strip()[:300]
                raise NotificationError(
                    f"the notify command {argv[0]!r} exited with {done.returncode}: "
                    f"{stderr or 'no message'}; "
                    "the alerts are stored and can be listed with `newswatch watch alerts`"
                )

    return send


@dataclass
class SmtpSettings:
    """Where an alert digest is mailed."""

    host: str
    sender: str
    recipients: list[str]
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if not self.recipients or not self.sender or "@" not in self.sender:
            raise ConfigError("SMTP alerts need --smtp-from ADDRESS and at least one --smtp-to ADDRESS")


def smtp_notifier(settings: SmtpSettings) -> Notifier:
    """Mail one digest per check (subject: how many alerts from which watches) through an SMTP server."""

    def send(alerts: Sequence[Alert]) -> None:
        if not alerts:
            return
        watches = sorted({a.watch for a in alerts})
        msg = EmailMessage()
        msg["Subject"] = (
            f"newswatch: {len(alerts)} alert{'s' if len(alerts) != 1 else ''} ({', '.join(watches)})"
        )
        msg["From"] = settings.sender
        msg["To"] = ", ".join(settings.recipients)
        body = "\n\n".join(a.message for a in alerts)
        data = "\n".join(alert_json(a) for a in alerts) + "\n"
        msg.set_content(body + "\n")
        msg.add_attachment(
            data.encode("utf-8"), maintype="application", subtype="x-ndjson", filename="alerts.jsonl"
        )
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls()
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotificationError(
                f"could not mail alerts through {settings.host}:{settings.port} "
                f"({exc.__class__.__name__}: {exc}); "
                "check --smtp-host/--smtp-port and credentials; the alerts are stored in the database"
            ) from exc

    return send


def notify(alerts: Sequence[Alert], notifiers: Sequence[Notifier]) -> list[str]:
    """Hand ``alerts`` to every notifier; a failing one does not stop the others. Returns the errors."""
    errors: list[str] = []
    if not alerts:
        return errors
    for notifier in notifiers:
        try:
            notifier(alerts)
        except NotificationError as exc:
            log.warning("%s", exc)
            errors.append(str(exc))
    return errors


# ---------------------------------------------------------------------------------------- polling


@dataclass
class PollRound:
    """What one polling round did."""

    number: int
    started: datetime
    summary: Any  # pipeline.RunSummary
    alerts: list[Alert]
    notify_errors: list[str]
    error: str | None = None  # why the round failed (the next round still runs)


def poll(
    sources: Sequence[str],
    *,
    store: Store,
    settings: Settings,
    every: float,
    max_rounds: int | None = None,
    names: Sequence[str] | None = None,
    notifiers: Sequence[Notifier] = (),
    sleep: Callable[[float], None] = time.sleep,
    transport: Any = None,
) -> Iterator[PollRound]:
    """Run the pipeline on ``sources`` and check the watches, every ``every`` seconds, ``max_rounds`` times
    (forever when None); yields each round. Rounds start on a fixed schedule, so a slow round does not make
    the next ones drift; when a round overruns the interval the next one starts at once."""
    from . import pipeline

    if every <= 0:
        raise ConfigError(f"--every must be a positive number of seconds, not {every}")
    if max_rounds is not None and max_rounds < 1:
        raise ConfigError(f"--max-rounds must be at least 1, not {max_rounds}")
    if not sources:
        raise ConfigError("give at least one feed or URL to poll")
    store_watches.ensure_watch_tables(store.engine)
    store_watches.list_watches(store.engine, names=names)  # unknown names fail before the first round
    origin = time.monotonic()
    number = 0
    while max_rounds is None or number < max_rounds:
        number += 1
        started = datetime.now(UTC)
        try:
            summary = pipeline.run(sources, store=store, settings=settings, transport=transport)
            alerts = check(store, names=names)
        except ConfigError:
            raise  # a setting that is wrong now is wrong in every round
        except NewswatchError as exc:  # e.g. a database briefly unavailable: a poller keeps going
            log.warning("polling round %d failed: %s", number, exc)
            yield PollRound(number, started, pipeline.RunSummary(), [], [], error=str(exc))
        else:
            yield PollRound(number, started, summary, alerts, notify(alerts, notifiers))
        if max_rounds is not None and number >= max_rounds:
            break
        wait = origin + number * every - time.monotonic()
        if wait > 0:
            sleep(wait)


def _aware(value: Any) -> datetime | None:
    """SQLite hands back naive datetimes: every stored time is UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)

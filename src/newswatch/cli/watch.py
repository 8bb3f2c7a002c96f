"""``newswatch watch ...``: manage watch rules, check them, list alerts and spikes, and poll feeds."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..config import Settings, db_url_from_option
from ..errors import ConfigError
from .output import DbOption, FormatOption, LazyModule, emit, err_console, open_db, say, translate_errors

if TYPE_CHECKING:
    from .. import watch as lib
    from ..store import Store
else:
    lib = LazyModule("newswatch.watch")

_ALERT_COLUMNS = ("at", "watch", "kind", "message")


def _store(db: str | None, *, create: bool = False) -> Store:
    return open_db(db, create=create)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from exc


def _notifiers(
    *,
    command: str | None,
    smtp_host: str | None,
    smtp_port: int,
    smtp_from: str | None,
    smtp_to: list[str] | None,
    smtp_user: str | None,
    smtp_password: str | None,
    smtp_starttls: bool,
) -> list[lib.Notifier]:
    out: list[lib.Notifier] = []
    if command:
        out.append(lib.command_notifier(command))
    if smtp_host:
        settings = lib.SmtpSettings(
            host=smtp_host, port=smtp_port, sender=smtp_from or "", recipients=list(smtp_to or []),
            username=smtp_user, password=smtp_password, starttls=smtp_starttls,
        )  # fmt: skip
        out.append(lib.smtp_notifier(settings))
    elif smtp_to:
        raise ConfigError("--smtp-to needs --smtp-host (the SMTP server that sends the mail)")
    return out


NotifyCommand = Annotated[
    str | None,
    typer.Option(help="run this program (no shell) once per new alert, with the alert JSON on stdin"),
]
SmtpHost = Annotated[str | None, typer.Option(help="mail a digest of new alerts through this SMTP server")]
SmtpPort = Annotated[int, typer.Option(min=1, max=65535, help="SMTP port")]
SmtpFrom = Annotated[str | None, typer.Option(help="sender address of alert mail")]
SmtpTo = Annotated[list[str] | None, typer.Option(help="recipient of alert mail (repeat for several)")]
SmtpUser = Annotated[str | None, typer.Option(help="SMTP login name")]
SmtpPassword = Annotated[
    str | None,
    typer.Option(envvar="NEWSWATCH_SMTP_PASSWORD", help="SMTP password ($NEWSWATCH_SMTP_PASSWORD)"),
]
SmtpStarttls = Annotated[bool, typer.Option(help="upgrade the SMTP connection with STARTTLS")]


def add(
    name: Annotated[str, typer.Argument(help="a name for the watch")],
    types: Annotated[list[str] | None, typer.Option("--type", "-t", help="PLOVER type, e.g. ASSAULT")] = None,
    countries: Annotated[
        list[str] | None,
        typer.Option("--country", "-c", help="ISO-3 country in any role (place, actor, recipient)"),
    ] = None,
    actors: Annotated[list[str] | None, typer.Option("--actor", help="country of the actor")] = None,
    recipients: Annotated[
        list[str] | None, typer.Option("--recipient", help="country of the recipient")
    ] = None,
    certainty: Annotated[
        list[str] | None, typer.Option(help="asserted, reported, hedged, speculative or denied")
    ] = None,
    source_types: Annotated[
        list[str] | None, typer.Option("--source-type", help="state_media, official, military, expert, ...")
    ] = None,
    tenses: Annotated[
        list[str] | None, typer.Option("--tense", help="past, present, future, hypothetical")
    ] = None,
    keywords: Annotated[
        list[str] | None, typer.Option("--keyword", "-k", help="word in the evidence sentence or the title")
    ] = None,
    min_sources: Annotated[int, typer.Option(min=1, help="independent sources the story needs")] = 1,
    include_negated: Annotated[bool, typer.Option(help="also match negated events (did not attack)")] = False,
    per_event: Annotated[bool, typer.Option(help="one alert per event instead of one per story")] = False,
    spike: Annotated[
        bool, typer.Option("--spike", help="alert on spikes of daily counts, not on events")
    ] = False,
    by: Annotated[
        str, typer.Option(help="spikes per: country (any role), place, or pair (actor>recipient)")
    ] = ("country"),
    window: Annotated[int, typer.Option(min=1, help="spike baseline: this many days before the day")] = 28,
    k: Annotated[
        float,
        typer.Option(
            "--sd", help="spike: count must exceed mean + SD x std (std at least that of a Poisson count)"
        ),
    ] = 3.0,
    min_count: Annotated[int, typer.Option(min=1, help="spike: at least this many a day")] = 3,
    min_history: Annotated[
        int, typer.Option(min=0, help="spike: baseline days needed since the first event")
    ] = 7,
    count: Annotated[str, typer.Option(help="spike: count stories, articles or events")] = "stories",
    max_age: Annotated[
        int | None, typer.Option(min=1, help="ignore events (or spike days) older than this many days")
    ] = None,
    replace: Annotated[bool, typer.Option(help="replace a watch of the same name")] = False,
    db: DbOption = None,
) -> None:
    """Add a watch rule; `watch check` reports events (or spikes) stored from now on that match it."""
    rule = lib.WatchRule(
        kind="spike" if spike else "event", types=types or [], countries=countries or [], actors=actors or [],
        recipients=recipients or [], certainty=certainty or [], source_types=source_types or [],
        tenses=tenses or [], keywords=keywords or [], include_negated=include_negated,
        min_sources=min_sources,
        group="event" if per_event else "story", by=by, window=window, k=k, min_count=min_count,
        min_history=min_history, count=count, max_age_days=max_age,
    )  # fmt: skip
    watch = lib.add_watch(_store(db, create=True), name, rule, replace=replace)
    say(f"watch {watch['name']!r}: {rule.describe()}")


def list_(db: DbOption = None, fmt: FormatOption = None) -> None:
    """List watches with their rule, number of alerts and last check."""
    rows = lib.list_watches(_store(db, create=True))
    emit(
        rows, fmt=fmt, columns=("name", "description", "alerts", "last_alert", "checked_at"), title="watches"
    )


def remove(name: Annotated[str, typer.Argument(help="the watch to delete")], db: DbOption = None) -> None:
    """Delete a watch and its alerts."""
    gone = lib.remove_watch(_store(db, create=True), name)
    say(f"removed watch {name!r} and {gone} alert(s)")


def check(
    names: Annotated[list[str] | None, typer.Argument(help="watches to check (default: all)")] = None,
    backfill: Annotated[
        bool, typer.Option(help="look at every stored event, not only those stored since the last check")
    ] = False,
    notify_command: NotifyCommand = None,
    smtp_host: SmtpHost = None,
    smtp_port: SmtpPort = 25,
    smtp_from: SmtpFrom = None,
    smtp_to: SmtpTo = None,
    smtp_user: SmtpUser = None,
    smtp_password: SmtpPassword = None,
    smtp_starttls: SmtpStarttls = False,
    db: DbOption = None,
    fmt: FormatOption = None,
) -> None:
    """Evaluate watches over events stored since their last check; record, print and send new alerts."""
    notifiers = _notifiers(
        command=notify_command, smtp_host=smtp_host, smtp_port=smtp_port, smtp_from=smtp_from,
        smtp_to=smtp_to,
        smtp_user=smtp_user, smtp_password=smtp_password, smtp_starttls=smtp_starttls,
    )  # fmt: skip
    alerts = lib.check(_store(db, create=True), names=names or None, backfill=backfill)
    emit((a.as_dict() for a in alerts), fmt=fmt, columns=_ALERT_COLUMNS, title="new alerts")
    errors = lib.notify(alerts, notifiers)
    for error in errors:
        say(str(error), label="warning:")
    if errors:
        raise typer.Exit(code=lib.NotificationError.exit_code)


def alerts(
    watch: Annotated[str | None, typer.Option("--watch", "-w", help="only this watch's alerts")] = None,
    kind: Annotated[str | None, typer.Option(help="event or spike")] = None,
    since: Annotated[str | None, typer.Option(help="raised on or after this day (YYYY-MM-DD)")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="at most this many")] = 100,
    db: DbOption = None,
    fmt: FormatOption = None,
) -> None:
    """List stored alerts, newest first."""
    day = _day(since, "--since")
    start = datetime(day.year, day.month, day.day) if day else None
    rows = lib.list_alerts(_store(db), watch=watch, kind=kind, since=start, limit=limit)
    emit((a.as_dict() for a in rows), fmt=fmt, columns=_ALERT_COLUMNS, title="alerts")


def spikes(
    types: Annotated[list[str] | None, typer.Option("--type", "-t", help="PLOVER type")] = None,
    countries: Annotated[
        list[str] | None, typer.Option("--country", "-c", help="ISO-3 country, any role")
    ] = None,
    certainty: Annotated[list[str] | None, typer.Option(help="certainty levels to count")] = None,
    by: Annotated[str, typer.Option(help="country (any role), place, or pair (actor>recipient)")] = "country",
    window: Annotated[int, typer.Option(min=1, help="baseline days before each day")] = 28,
    k: Annotated[
        float,
        typer.Option("--sd", help="count must exceed mean + SD x std (std at least that of a Poisson count)"),
    ] = 3.0,
    min_count: Annotated[int, typer.Option(min=1, help="at least this many a day")] = 3,
    min_history: Annotated[int, typer.Option(min=0, help="baseline days needed since the first event")] = 7,
    count: Annotated[str, typer.Option(help="count stories, articles or events")] = "stories",
    since: Annotated[str | None, typer.Option(help="first day to report (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="last day to report (YYYY-MM-DD)")] = None,
    db: DbOption = None,
    fmt: FormatOption = None,
) -> None:
    """List spikes of daily event counts in the stored events (nothing is recorded)."""
    rule = lib.WatchRule(
        kind="spike", types=types or [], countries=countries or [], certainty=certainty or [], by=by,
        window=window, k=k, min_count=min_count, min_history=min_history, count=count,
    )  # fmt: skip
    found = lib.detect_spikes(_store(db), rule, since=_day(since, "--since"), until=_day(until, "--until"))
    emit(
        (s.as_dict() for s in found),
        fmt=fmt,
        columns=("day", "type", "group", "count", "mean", "std", "threshold"),
        title=f"spikes ({rule.describe()})",
    )


def poll(
    sources: Annotated[list[str], typer.Argument(help="feed URLs (or any source `newswatch run` accepts)")],
    every: Annotated[float, typer.Option(min=1.0, help="seconds between the starts of two rounds")] = 900.0,
    once: Annotated[bool, typer.Option(help="one round, then exit")] = False,
    max_rounds: Annotated[int | None, typer.Option(min=1, help="stop after this many rounds")] = None,
    watches: Annotated[
        list[str] | None, typer.Option("--watch", "-w", help="check only these watches")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option(help="allow fetching from loopback/private addresses (refused by default)")
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds per HTTP request")] = 20.0,
    notify_command: NotifyCommand = None,
    smtp_host: SmtpHost = None,
    smtp_port: SmtpPort = 25,
    smtp_from: SmtpFrom = None,
    smtp_to: SmtpTo = None,
    smtp_user: SmtpUser = None,
    smtp_password: SmtpPassword = None,
    smtp_starttls: SmtpStarttls = False,
    db: DbOption = None,
    fmt: FormatOption = None,
) -> None:
    """Every --every seconds run the pipeline on the feeds (adds only new entries) and check the watches."""
    settings = Settings.from_env(
        db_url=db_url_from_option(db), fetch={"allow_private": allow_private, "timeout": timeout}
    )
    notifiers = _notifiers(
        command=notify_command, smtp_host=smtp_host, smtp_port=smtp_port, smtp_from=smtp_from,
        smtp_to=smtp_to,
        smtp_user=smtp_user, smtp_password=smtp_password, smtp_starttls=smtp_starttls,
    )  # fmt: skip
    store = open_db(db, create=True)
    rounds = lib.poll(
        sources, store=store, settings=settings, every=every, max_rounds=1 if once else max_rounds,
        names=watches or None, notifiers=notifiers,
    )  # fmt: skip
    try:
        for done in rounds:
            s: Any = done.summary
            err_console.print(
                f"round {done.number} ({done.started:%H:%M:%S} UTC): {s.articles_new} new article(s), "
                f"{s.events} event(s), {s.errors} error(s), {len(done.alerts)} alert(s)",
                highlight=False,
            )
            if done.alerts:
                emit((a.as_dict() for a in done.alerts), fmt=fmt, columns=_ALERT_COLUMNS, title="new alerts")
                sys.stdout.flush()
            if done.error:
                say(f"round {done.number} failed: {done.error}", label="warning:")
            for error in done.notify_errors:
                say(str(error), label="warning:")
    except KeyboardInterrupt:
        err_console.print("stopped", highlight=False)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    watch_app = typer.Typer(
        no_args_is_help=True, help="Watch rules, alerts, spike detection and feed polling."
    )
    watch_app.command("add")(translate_errors(add))
    watch_app.command("list")(translate_errors(list_))
    watch_app.command("remove")(translate_errors(remove))
    watch_app.command("check")(translate_errors(check))
    watch_app.command("alerts")(translate_errors(alerts))
    watch_app.command("spikes")(translate_errors(spikes))
    watch_app.command("poll")(translate_errors(poll))
    app.add_typer(watch_app, name="watch")

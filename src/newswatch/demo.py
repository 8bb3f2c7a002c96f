"""The bundled demo corpus: reports written for newswatch about Korea, Russia and Ukraine (May 2024 - Jan 2025).

``data/demo/`` holds web pages with page chrome and syndicated copies, one RSS feed and one JSONL file of wire
records (see its README); ``scripts/demo/build_demo.py`` makes them from ``scripts/demo/reports.txt``.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store

# the inputs, in the order a run reads them: the outlets' own pages, the feed, the wire records, then the copies
# on other sites (read after their originals, as they would be published)
DEMO_PARTS = ("pages", "feeds/easternledger.rss", "wire/peninsulawire.jsonl", "copies")
DEMO_DB = "newswatch-demo.db"


def demo_sources() -> list[str]:
    """Paths of the bundled demo inputs, as ``newswatch run`` sources."""
    base = files("newswatch") / "data" / "demo"
    return [str(base / part) for part in DEMO_PARTS]


def add_demo_watches(store: Store) -> dict[str, int]:
    """Add the demo's two watches (once) and check them over everything stored; returns alerts per watch.

    ``strikes-spike`` flags a day with far more articles on attacks involving one country than the four weeks
    before it (the corpus holds such a day: 17 November 2024); ``pyongyang-moscow`` alerts on North Korean
    military moves, cooperation and aid reported by at least two independent outlets."""
    from .watch import WatchRule, add_watch, check, list_alerts, list_watches

    rules = {
        "strikes-spike": WatchRule(kind="spike", types=["ASSAULT"], by="country", count="articles"),
        "pyongyang-moscow": WatchRule(types=["MOBILIZE", "COOPERATE", "AID"], countries=["PRK"], min_sources=2),
    }
    have = {w["name"] for w in list_watches(store)}
    for name, rule in rules.items():
        if name not in have:
            add_watch(store, name, rule)
    check(store, names=list(rules), backfill=True)
    return {name: len(list_alerts(store, watch=name)) for name in rules}


def most_copied_article(store: Store) -> str | None:
    """The id of the stored article with the most known copies (to show ``newswatch article ID --copies``)."""
    from sqlalchemy import func, select

    from .store.schema import articles

    query = (
        select(articles.c.duplicate_of)
        .where(articles.c.duplicate_of.is_not(None))
        .group_by(articles.c.duplicate_of)
        .order_by(func.count().desc(), articles.c.duplicate_of)
        .limit(1)
    )
    with store.engine.connect() as conn:
        found = conn.execute(query).scalar()
    return str(found) if found else None

"""A store with varied hand-made events for tests of lists, totals and aggregates (independent of the coder)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from newswatch.models import Analysis, Article, CodedActor, Event, EventDate, Place, article_id
from newswatch.store import Store

TYPES = ("ASSAULT", "CONSULT", "AGREE", "ACCUSE", "PROTEST")
PARTIES = (("RUS", "GOV"), ("UKR", "MIL"), ("USA", None), ("PRK", "GOV"), ("FRA", None))
PLACES = (Place("Kyiv", "UKR", 50.45, 30.52, "city"), Place("Ukraine", "UKR", None, None, "country"), None,
          Place("Paris", "FRA", 48.86, 2.35, "city"))  # fmt: skip


def fill_events(store: Store, *, articles: int = 40, seed: int = 7) -> list[dict]:
    """``articles`` articles of 1-4 events each, some undated, negated or future, saved one by one; returns the
    events as plain dicts of the fields the tests compare (type, countries, date, flags)."""
    analyses, truth = make_analyses(articles=articles, seed=seed)
    for analysis in analyses:
        store.save_article(analysis.article)
        store.save_analysis(analysis, coder_version="test")
    return truth


def make_analyses(*, articles: int = 40, seed: int = 7, tag: str = "") -> tuple[list[Analysis], list[dict]]:
    """The analyses ``fill_events`` saves, and their events as plain dicts; ``tag`` makes other event ids for
    the same articles (a re-analysis)."""
    rng = random.Random(seed)
    analyses = []
    start = datetime(2023, 1, 1, tzinfo=UTC)
    truth = []
    for n in range(articles):
        text = f"Article {n}. " + "Something happened here today. " * 4
        url = f"https://example.org/{n}"
        art = Article(id=article_id(canonical_url=url, text=text), text=text, url=url, canonical_url=url,
                      site=f"site{n % 5}.example.org", title=f"Article {n}", published_at=start + timedelta(days=3 * n))  # fmt: skip
        events = []
        for k in range(rng.randint(1, 4)):
            a = rng.choice(PARTIES)
            r = rng.choice([p for p in PARTIES if p != a])
            when = None if rng.random() < 0.1 else start + timedelta(days=rng.randint(0, 900), hours=rng.randint(0, 23))
            ev = Event(
                id=f"e{n:03d}-{k}{tag}", article_id=art.id, sentence=0, text="Something happened here today.", sent_start=0,
                trigger="happened", trigger_start=10, trigger_end=18, plover_type=rng.choice(TYPES),
                actors=[CodedActor("x", 0, 1, a[0], a[1])], recipients=[CodedActor("y", 2, 3, r[0], r[1])],
                negated=rng.random() < 0.1, tense=rng.choice(["past", "past", "past", "future"]),
                certainty=rng.choice(["asserted", "asserted", "reported", "hedged"]),
                date=EventDate(when, "day") if when else None, place=rng.choice(PLACES), rule="test",
            )  # fmt: skip
            events.append(ev)
            countries = {a[0], r[0]} | ({ev.place.country} if ev.place else set())
            truth.append({"id": ev.id, "type": ev.plover_type, "countries": countries, "date": when,
                          "dyad": f"{a[0]}>{r[0]}", "negated": ev.negated, "tense": ev.tense,
                          "certainty": ev.certainty, "place": f"{ev.place.name}|{ev.place.country}" if ev.place else None})  # fmt: skip
        analyses.append(Analysis(art, [], events, []))
    return analyses, truth

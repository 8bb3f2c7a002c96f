"""Hand-built stored events for the watch tests: one article per call, events coded by hand (no coder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from newswatch.models import Analysis, Article, CodedActor, Event, EventDate, Place, article_id
from newswatch.store import Store
from newswatch.store import stories as store_stories


@dataclass
class Ev:
    """One event to store: type, actor and recipient countries, place country, day, certainty."""

    type: str
    actors: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    place: str | None = None
    day: datetime | None = None
    certainty: str = "asserted"
    negated: bool = False
    sentence: str = "Something happened somewhere."


_counter = iter(range(1_000_000))


def save(store: Store, *events: Ev, story: str | None = None, sources: int = 1, title: str = "Report") -> str:
    """Store one article holding ``events``; with ``story``, put it in that story with ``sources``
    independent sources. Returns the article id."""
    n = next(_counter)
    url = f"https://example.org/report-{n}"
    body = "\n".join(e.sentence for e in events) or "Nothing happened."
    art = Article(
        id=article_id(canonical_url=url, text=body), text=body, url=url, canonical_url=url,
        site="example.org", title=title, published_at=datetime(2025, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    coded, offset = [], 0
    for i, e in enumerate(events):
        coded.append(
            Event(
                id=f"{art.id}-{i}", article_id=art.id, sentence=i, text=e.sentence, sent_start=offset,
                trigger="x", trigger_start=offset, trigger_end=offset + 1, plover_type=e.type,
                actors=[CodedActor(c, offset, offset + 3, c) for c in e.actors],
                recipients=[CodedActor(c, offset, offset + 3, c) for c in e.recipients],
                place=Place(f"somewhere in {e.place}", e.place) if e.place else None,
                date=EventDate(e.day, "day") if e.day else None, certainty=e.certainty, negated=e.negated,
            )
        )  # fmt: skip
        offset += len(e.sentence) + 1
    store.save_article(art)
    store.save_analysis(Analysis(art, events=coded), coder_version="test")
    if story is not None:
        with store.begin() as conn:
            store_stories.set_story(conn, article_ids=[art.id], story_id=story)
            store_stories.save_story(
                conn, story_id=story, title=title, first_seen=None, last_seen=None, num_articles=1,
                num_independent_sources=sources, summary={},
            )  # fmt: skip
    return art.id

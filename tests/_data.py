"""Small hand-made stored data for tests of the faces (API, dashboard, export), independent of the coder."""

from __future__ import annotations

from datetime import UTC, datetime

from newswatch.models import (
    Actor,
    Analysis,
    Article,
    Claim,
    CodedActor,
    Event,
    EventDate,
    Mention,
    Place,
    article_id,
)
from newswatch.store import Store

S1 = "Russia's security chief Sergei Shoigu visited Pyongyang on Friday."
S2 = "North Korea denounced the joint drills of the United States and South Korea, state media reported."
BODY = S1 + "\n" + S2


def fill(store: Store) -> Article:
    """One article with two events, a claim and mentions."""
    url = "https://news.example.org/shoigu-visit"
    art = Article(
        id=article_id(canonical_url=url, text=BODY), text=BODY, url=url, canonical_url=url, site="news.example.org",
        title="Shoigu visits Pyongyang", published_at=datetime(2024, 9, 14, 9, 30, tzinfo=UTC),
        original_source="aljazeera.com",
    )  # fmt: skip
    rus = CodedActor(
        "Russia's security chief Sergei Shoigu", 0, 37, "RUS", "GOV", "person:sergei-shoigu", "Sergei Shoigu"
    )
    prk = CodedActor("Pyongyang", 46, 55, "PRK", "GOV", "country:PRK")
    off = len(S1) + 1
    prk2 = CodedActor("North Korea", off, off + 11, "PRK", None, "country:PRK")
    usa = CodedActor("the United States", off + 40, off + 57, "USA", None, "country:USA")
    kor = CodedActor("South Korea", off + 62, off + 73, "KOR", None, "country:KOR")
    claim = Claim(
        id="claim-1", article_id=art.id, sentence=1, start=off, end=len(BODY), text=S2, speaker="state media",
        speaker_start=off + 76, speaker_end=off + 87, source_type="state_media", cue="reported", certainty="reported",
        content_start=off, content_end=off + 74,
    )  # fmt: skip
    events = [
        Event(
            id="ev-visit", article_id=art.id, sentence=0, text=S1, sent_start=0, trigger="visited",
            trigger_start=38, trigger_end=45, plover_type="CONSULT", mode="visit", cameo_code="042",
            actors=[rus], recipients=[prk], date=EventDate(datetime(2024, 9, 13, tzinfo=UTC), "day", "on Friday"),
            place=Place("Pyongyang", "PRK", 39.03, 125.75, "city"), rule="test",
        ),
        Event(
            id="ev-accuse", article_id=art.id, sentence=1, text=S2, sent_start=off, trigger="denounced",
            trigger_start=off + 12, trigger_end=off + 21, plover_type="ACCUSE", mode="disapprove", cameo_code="111",
            actors=[prk2], recipients=[usa, kor], certainty="reported", claim_id="claim-1",
            date=EventDate(datetime(2024, 9, 14, tzinfo=UTC), "reported-on"), rule="test",
        ),
    ]  # fmt: skip
    mentions = [Mention(art.id, 0, a.start, a.end, a.text, "GPE", a) for a in (rus, prk)] + [
        Mention(art.id, 1, a.start, a.end, a.text, "GPE", a) for a in (prk2, usa, kor)
    ]
    store.save_actors(
        [
            Actor("person:sergei-shoigu", "Sergei Shoigu", "RUS", ["GOV"], "person"),
            Actor("country:PRK", "North Korea", "PRK", [], "state"),
            Actor("country:USA", "United States", "USA", [], "state"),
            Actor("country:KOR", "South Korea", "KOR", [], "state"),
        ]
    )
    store.save_article(art)
    store.save_analysis(Analysis(art, mentions, events, [claim]), coder_version="test")
    return art

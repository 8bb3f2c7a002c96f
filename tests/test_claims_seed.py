"""The seed story (shared corpus, not shipped): its claims, the test's date and the places the project must find."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newswatch.claims import find_claims, link_events
from newswatch.models import Claim, Event
from newswatch.registry import Stages
from newswatch.timeplace import place_and_date

STAGES = Stages()  # the parts a default run uses, built once per process

SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed_article.txt"
# a Saturday: the Thursday before it is 2024-11-28
PUBLISHED = datetime(2024, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def doc() -> Any:
    if not SEED.exists():
        pytest.skip("shared/corpus/seed_article.txt is not here")
    return STAGES.nlp(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def claims(doc: Any) -> list[Claim]:
    return find_claims(doc, article_id="seed")


def _claim(claims: list[Claim], speaker_part: str) -> Claim:
    found = [c for c in claims if c.speaker and speaker_part in c.speaker]
    assert found, [c.speaker for c in claims]
    return found[0]


def _event(doc: Any, pattern: str, trigger: str) -> Event:
    m = re.search(pattern, doc.text)
    assert m is not None
    start = m.start() + m.group(0).index(trigger)
    sent = next(s for s in doc.sents if s.start_char <= start < s.end_char)
    return Event(id=trigger, article_id="seed", sentence=0, text=sent.text, sent_start=sent.start_char,
                 trigger=trigger, trigger_start=start, trigger_end=start + len(trigger), plover_type="UNKNOWN")


@pytest.mark.parametrize(
    ("speaker", "source_type", "certainty", "affiliation"),
    [
        ("KCNA", "state_media", "reported", None),
        ("South Korea", "military", "hedged", None),  # "anticipated"
        ("Shin Seung-ki", "expert", "reported", "Korea Institute for Defense Analyses"),
        ("Ahn Chan-il", "expert", "hedged", "World Institute for North Korea Studies"),  # "might"
        ("Experts", "expert", "hedged", None),
        ("Intelligence sources", "intelligence", "reported", None),
    ],
)
def test_seed_claims(claims: list[Claim], speaker: str, source_type: str, certainty: str,
                     affiliation: str | None) -> None:
    claim = _claim(claims, speaker)
    assert claim.source_type == source_type
    assert claim.certainty == certainty
    if affiliation:
        assert claim.affiliation == affiliation


def test_seed_test_date_is_the_thursday_before_publication(doc: Any, claims: list[Claim]) -> None:
    event = _event(doc, r"The test was conducted on Thursday", "conducted")
    link_events([event], claims)
    place_and_date([event], doc, published_at=PUBLISHED, gazetteer=STAGES.gazetteer)
    assert event.certainty == "asserted"
    assert event.date is not None and event.date.value is not None
    assert (event.date.value.date().isoformat(), event.date.precision) == ("2024-11-28", "day")


def test_seed_places(doc: Any) -> None:
    visit = _event(doc, r"Sergei Shoigu visited Pyongyang", "visited")
    redeploy = _event(doc, r"being redeployed to the front lines", "redeployed")
    place_and_date([visit, redeploy], doc, published_at=PUBLISHED, gazetteer=STAGES.gazetteer)
    assert visit.place is not None and (visit.place.name, visit.place.country, visit.place.precision) == (
        "Pyongyang", "PRK", "city")
    assert redeploy.place is not None and (redeploy.place.country, redeploy.place.precision) == ("RUS", "admin")
    assert "Kursk" in redeploy.place.name


def test_seed_export_hypothesis_is_hedged(doc: Any, claims: list[Claim]) -> None:
    event = _event(doc, r"tests might be for the purpose of exporting", "exporting")
    link_events([event], claims)
    assert event.certainty == "hedged"
    assert event.claim_id == _claim(claims, "Ahn Chan-il").id

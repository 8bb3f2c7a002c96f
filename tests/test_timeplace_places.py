"""The gazetteer and locate_events: names, ambiguity, precision, no country centroids, the order of evidence."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newswatch.models import Event
from newswatch.registry import Stages
from newswatch.timeplace import locate_events

STAGES = Stages()  # the parts a default run uses, built once per process


def _event(doc: Any, trigger: str) -> Event:
    start, end = re.search(rf"\b{re.escape(trigger)}\b", doc.text).span()  # type: ignore[union-attr]
    sent = next(s for s in doc.sents if s.start_char <= start < s.end_char)
    return Event(id=trigger, article_id="a", sentence=0, text=sent.text, sent_start=sent.start_char,
                 trigger=trigger, trigger_start=start, trigger_end=end, plover_type="UNKNOWN")


def _place(text: str, trigger: str, dateline: str | None = None) -> tuple[str | None, str | None, str | None]:
    doc = STAGES.nlp(text)
    event = _event(doc, trigger)
    locate_events([event], doc, gazetteer=STAGES.gazetteer, dateline=dateline)
    if event.place is None:
        return None, None, None
    return event.place.name, event.place.country, event.place.precision


@pytest.mark.parametrize(
    ("name", "country", "precision"),
    [
        ("Pyongyang", "PRK", "city"),
        ("the Kursk region", "RUS", "admin"),
        ("Kyiv", "UKR", "city"),
        ("Kiev", "UKR", "city"),
        ("Georgia", "GEO", "country"),  # the country before the US state
        ("Paris", "FRA", "city"),  # the capital before Paris, Texas
        ("the DPRK", "PRK", "country"),
        ("the Gaza Strip", "PSE", "region"),
    ],
)
def test_gazetteer_resolves_names(name: str, country: str, precision: str) -> None:
    entry = STAGES.gazetteer.resolve(name)
    assert entry is not None
    assert (entry.country, entry.precision) == (country, precision)


def test_gazetteer_prefers_cities_in_countries_the_article_names() -> None:
    gaz = STAGES.gazetteer
    assert gaz.resolve("Tripoli").country == "LBY"  # type: ignore[union-attr]
    assert gaz.resolve("Tripoli", countries=frozenset({"LBN"})).country == "LBN"  # type: ignore[union-attr]


def test_gazetteer_country_place_has_no_coordinates() -> None:
    gaz = STAGES.gazetteer
    place = gaz.place(gaz.resolve("North Korea"))  # type: ignore[arg-type]
    assert place.precision == "country"
    assert place.lat is None and place.lon is None
    city = gaz.place(gaz.resolve("Pyongyang"))  # type: ignore[arg-type]
    assert city.lat == pytest.approx(39.03, abs=0.1) and city.lon == pytest.approx(125.75, abs=0.1)


def test_gazetteer_is_built_once() -> None:
    assert Stages().gazetteer is Stages().gazetteer


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # the prepositional argument of the verb beats other places in the sentence
        ("Russian officials said troops were shelling positions near Kharkiv.", "shelling", ("Kharkiv", "UKR", "city")),
        ("China's navy held drills in the South China Sea.", "held", ("South China Sea", None, "region")),
        # the most specific place on the verb: "to the front lines in the Kursk region"
        ("Soldiers were redeployed to the front lines in the Kursk region.", "redeployed",
         ("Kursk Oblast", "RUS", "admin")),
        # a possessive country is an actor's origin, not where it happened
        ("South Korea's military detected the launch.", "detected", (None, None, None)),
        # the event's own subject, when no place preposition says where
        ("Iran launched a satellite.", "launched", ("Iran", "IRN", "country")),
    ],
)
def test_locate_events_order_of_evidence(text: str, trigger: str, expected: tuple[str | None, ...]) -> None:
    assert _place(text, trigger) == expected


def test_locate_events_falls_back_to_the_paragraph_then_the_dateline() -> None:
    text = "Fighting broke out in Goma on Sunday.\nMore people fled later."
    assert _place(text, "broke")[1] == "COD"
    # "fled" is in the next paragraph: only the dateline can place it
    assert _place(text, "fled") == (None, None, None)
    assert _place(text, "fled", dateline="KINSHASA") == ("Kinshasa", "COD", "city")


def test_locate_events_keeps_the_evidence_span() -> None:
    text = "The minister arrived in Hanoi for talks."
    doc = STAGES.nlp(text)
    event = _event(doc, "arrived")
    locate_events([event], doc, gazetteer=STAGES.gazetteer)
    assert event.place is not None and event.place.start is not None
    assert text[event.place.start : event.place.end] == "Hanoi"


def test_gazetteer_small_towns_need_their_country_in_the_article() -> None:
    gaz = STAGES.gazetteer
    # the island, not Crete, Nebraska
    assert gaz.resolve("Crete").country == "GRC"  # type: ignore[union-attr]
    # a small town whose name no other place has is still found, its marks folded away
    assert gaz.resolve("Yongbyon").country == "PRK"  # type: ignore[union-attr]


def test_locate_events_reads_the_dateline_from_the_text() -> None:
    text = "KYIV, Ukraine (Reuters) - Officials said the blackout lasted six hours."
    assert _place(text, "lasted") == ("Kyiv", "UKR", "city")


@pytest.mark.parametrize(
    ("text", "trigger", "name", "country"),
    [
        # the object of an attack or visit verb is where it happened, even when the tagger calls it a person
        ("Russian troops shelled Kherson overnight, the mayor said.", "shelled", "Kherson", "UKR"),
        ("Rebel drones struck Kharkiv on Sunday.", "struck", "Kharkiv", "UKR"),
        ("The chancellor visited Lyon last spring.", "visited", "Lyon", "FRA"),
    ],
)
def test_places_object_of_attack_or_visit_verb(text: str, trigger: str, name: str, country: str) -> None:
    got = _place(text, trigger)
    assert (got[0], got[1]) == (name, country)

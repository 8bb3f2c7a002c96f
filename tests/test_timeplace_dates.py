"""resolve_dates: relative expressions against the publication time, precision, clock times and time zones."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from newswatch.models import Event, Place
from newswatch.registry import Stages
from newswatch.timeplace import place_and_date, resolve_dates

STAGES = Stages()  # the parts a default run uses, built once per process

# Friday 13 June 2025, 08:00 UTC
PUB = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)


def _event(doc: Any, trigger: str) -> Event:
    start, end = re.search(rf"\b{re.escape(trigger)}\b", doc.text).span()  # type: ignore[union-attr]
    sent = next(s for s in doc.sents if s.start_char <= start < s.end_char)
    return Event(id=trigger, article_id="a", sentence=0, text=sent.text, sent_start=sent.start_char,
                 trigger=trigger, trigger_start=start, trigger_end=end, plover_type="UNKNOWN")


def _date(text: str, trigger: str, published: datetime | None = PUB) -> tuple[str | None, str]:
    doc = STAGES.nlp(text)
    event = _event(doc, trigger)
    resolve_dates([event], doc, published_at=published, gazetteer=STAGES.gazetteer)
    assert event.date is not None
    value = event.date.value.date().isoformat() if event.date.value else None
    return value, event.date.precision


@pytest.mark.parametrize(
    ("text", "trigger", "value", "precision"),
    [
        ("The rebels attacked the convoy on Friday.", "attacked", "2025-06-13", "day"),  # same day counts
        ("The rebels attacked the convoy on Thursday.", "attacked", "2025-06-12", "day"),
        ("The rebels attacked the convoy on Saturday.", "attacked", "2025-06-07", "day"),
        ("The rebels attacked the convoy last Friday.", "attacked", "2025-06-06", "day"),
        ("The rebels attacked the convoy yesterday.", "attacked", "2025-06-12", "day"),
        ("Drones struck the depot overnight.", "struck", "2025-06-12", "day"),
        ("The rebels attacked the convoy today.", "attacked", "2025-06-13", "day"),
        ("The rebels attacked the convoy last week.", "attacked", "2025-06-02", "week"),
        ("The rebels attacked the convoy earlier this month.", "attacked", "2025-06-01", "month"),
        ("The rebels attacked the convoy on March 3.", "attacked", "2025-03-03", "day"),
        ("The rebels attacked the convoy on 3 March 2019.", "attacked", "2019-03-03", "day"),
        ("The treaty was signed in 2004.", "signed", "2004-01-01", "year"),
        ("The plant was bombed in April.", "bombed", "2025-04-01", "month"),
        ("The talks will resume on July 2.", "resume", "2025-07-02", "day"),
        ("The rebels attacked the convoy three days ago.", "attacked", "2025-06-10", "day"),
        ("Ten years ago today, the army seized the capital.", "seized", "2015-06-13", "day"),
        ("The rebels attacked the convoy.", "attacked", "2025-06-13", "reported-on"),
    ],
)
def test_dates_resolve_against_publication(text: str, trigger: str, value: str, precision: str) -> None:
    assert _date(text, trigger) == (value, precision)


def test_dates_expression_on_another_clause_is_not_used() -> None:
    text = "The ship sank on Monday, and a rescue began near the island."
    assert _date(text, "began") == ("2025-06-13", "reported-on")


def test_dates_cue_verb_dates_its_content() -> None:
    text = "The agency said on Wednesday that the leader inspected a factory."
    assert _date(text, "inspected") == ("2025-06-11", "day")


def test_dates_without_publication_time_relative_is_unknown() -> None:
    assert _date("The rebels attacked the convoy on Thursday.", "attacked", None) == (None, "unknown")
    assert _date("The rebels attacked the convoy on 3 March 2019.", "attacked", None) == ("2019-03-03", "day")


def test_dates_clock_time_takes_the_earlier_day_and_the_place_time_zone() -> None:
    text = "The missile was fired on Thursday. It landed at around 7 a.m. local time."
    doc = STAGES.nlp(text)
    event = _event(doc, "landed")
    event.place = Place("Sea of Japan", None)  # no country: keeps the publication zone
    resolve_dates([event], doc, published_at=PUB, gazetteer=STAGES.gazetteer)
    assert event.date is not None and event.date.value is not None
    assert (event.date.value.date().isoformat(), event.date.value.hour, event.date.precision) == (
        "2025-06-12", 7, "hour")
    event.place = Place("Pyongyang", "PRK")
    resolve_dates([event], doc, published_at=PUB, gazetteer=STAGES.gazetteer)
    assert event.date.value is not None and str(event.date.value.tzinfo) == "Asia/Pyongyang"


def test_dates_place_and_date_locates_before_dating() -> None:
    text = "The launch happened in Pyongyang at 9 a.m. local time on Tuesday."
    doc = STAGES.nlp(text)
    event = _event(doc, "happened")
    place_and_date([event], doc, published_at=PUB, gazetteer=STAGES.gazetteer)
    assert event.place is not None and event.place.country == "PRK"
    assert event.date is not None and event.date.value is not None
    assert event.date.value.isoformat() == "2025-06-10T09:00:00+09:00"


def test_dates_clock_time_uses_the_city_time_zone_not_the_capital() -> None:
    text = "The blast happened in Vladivostok at 8 a.m. local time on Monday."
    doc = STAGES.nlp(text)
    event = _event(doc, "happened")
    place_and_date([event], doc, published_at=PUB, gazetteer=STAGES.gazetteer)
    assert event.place is not None and event.place.country == "RUS"
    assert event.date is not None and event.date.value is not None
    assert str(event.date.value.tzinfo) == "Asia/Vladivostok"


@pytest.mark.parametrize(
    ("text", "trigger", "value"),
    [
        ("The leaders will meet on Tuesday.", "meet", "2025-06-17"),
        ("The leaders will meet on Friday.", "meet", "2025-06-13"),
        ("The leaders will meet next Friday.", "meet", "2025-06-20"),
        ("The leaders will meet on Tuesday, July 8, 2025.", "meet", "2025-07-08"),
    ],
)
def test_dates_future_weekdays_and_stated_dates(text: str, trigger: str, value: str) -> None:
    assert _date(text, trigger) == (value, "day")


def test_dates_a_later_future_clause_does_not_move_a_past_weekday() -> None:
    assert _date("The agency said on Tuesday that it will launch a satellite.", "said") == ("2025-06-10", "day")


@pytest.mark.parametrize(
    ("text", "trigger", "value", "precision"),
    [
        # no publication time: a relative or year-less expression cannot be resolved, whatever the clock says
        ("After the October ballot, many observers condemned the count.", "condemned", None, "unknown"),
        ("The militia burned the depot in August.", "burned", None, "unknown"),
        ("The militia burned the depot on August 9.", "burned", None, "unknown"),
        ("The militia burned the depot last month.", "burned", None, "unknown"),
        ("The militia burned the depot.", "burned", None, "unknown"),
        # an explicit full date still resolves
        ("The militia burned the depot on August 9, 2011.", "burned", "2011-08-09", "day"),
        ("The militia burned the depot in August 2011.", "burned", "2011-08-01", "month"),
    ],
)
def test_dates_without_publication_time_never_use_the_clock(
    text: str, trigger: str, value: str | None, precision: str
) -> None:
    assert _date(text, trigger, None) == (value, precision)


@pytest.mark.parametrize(
    ("text", "trigger", "value"),
    [
        # the tense of the verb the date hangs on decides, not a future verb elsewhere in the sentence
        ("The ministry will expand the fund created on February 20, which it will double.", "created",
         "2025-02-20"),
        ("Officials said the embargo imposed on May 30 will stay until autumn.", "imposed", "2025-05-30"),
        # a future verb of its own looks forward
        ("The envoy will return to the capital on January 15.", "return", "2026-01-15"),
        ("The envoy is scheduled to visit the capital on June 2.", "visit", "2026-06-02"),
        # a past verb looks back, even past a new year
        ("The envoy visited the capital on December 28.", "visited", "2024-12-28"),
    ],
)
def test_dates_year_less_day_follows_the_tense_of_its_own_verb(text: str, trigger: str, value: str) -> None:
    assert _date(text, trigger)[0] == value


@pytest.mark.parametrize(
    ("published", "text", "value"),
    [
        # no tense to go by: the occurrence closest to publication
        (datetime(2025, 1, 5, tzinfo=UTC), "The summit on December 30 drew many leaders.", "2024-12-30"),
        (datetime(2025, 12, 28, tzinfo=UTC), "The summit on January 3 draws many leaders.", "2026-01-03"),
    ],
)
def test_dates_year_less_day_without_tense_is_the_closest_occurrence(
    published: datetime, text: str, value: str
) -> None:
    assert _date(text, "drew" if "drew" in text else "draws", published)[0] == value


def test_dates_stated_day_beats_a_relative_word_beside_it() -> None:
    # published late in UTC: "tomorrow" counted from the UTC day would be a day off the stated date
    published = datetime(2025, 6, 14, 1, 0, tzinfo=UTC)
    assert _date("The king will receive the envoy tomorrow, June 14, at the palace.", "receive", published) == (
        "2025-06-14", "day")


def test_dates_a_past_verb_never_takes_a_date_after_publication() -> None:
    text = "They discussed preparations for the upcoming state visit by the king on July 9, 2025."
    assert _date(text, "discussed") == ("2025-06-13", "reported-on")


@pytest.mark.parametrize(
    ("published", "text", "trigger", "value"),
    [
        # a month coordinated with a month that names its year shares that year
        (datetime(2023, 10, 26, tzinfo=UTC), "The banks cooperated as agreed during talks in May and September 2022.",
         "agreed", "2022-05-01"),
        # a noun's date follows the clause the noun sits in, not a future verb elsewhere ...
        (datetime(2025, 1, 10, tzinfo=UTC),
         "The pact, announced during the king's state visit in April, will take effect soon.", "visit", "2024-04-01"),
        # ... unless the noun itself looks ahead
        (PUB, "The upcoming summit on July 9 worries the ministers.", "summit", "2025-07-09"),
    ],
)
def test_dates_coordinated_months_and_noun_attached_dates(
    published: datetime, text: str, trigger: str, value: str
) -> None:
    assert _date(text, trigger, published)[0] == value

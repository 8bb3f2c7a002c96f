"""Spike detection: daily counts per group and type, the baseline rule, and spike alerts from a check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from newswatch import watch
from newswatch.errors import ConfigError
from newswatch.store import Store, open_store

from ._watch_data import Ev, save

D0 = date(2025, 3, 1)


def _series(*counts: int) -> dict[tuple[str, str], dict[date, int]]:
    return {("UKR", "ASSAULT"): {D0 + timedelta(days=i): n for i, n in enumerate(counts) if n}}


@pytest.mark.parametrize(
    ("counts", "spike_days"),
    [
        ((1, 1, 1, 1, 1, 1, 1, 6), [7]),  # flat baseline, then six: mean 1, std 0
        ((1, 1, 1, 1, 1, 1, 1, 2), []),  # two is above the mean but under min_count 3
        (
            (1, 1, 1, 1, 1, 1, 1, 3),
            [],
        ),  # flat baseline: a Poisson count's spread (1) keeps 3 at the threshold
        ((3, 0, 4, 0, 3, 0, 4, 4), []),  # a noisy baseline: 4 <= mean + 2 std
        ((0, 0, 0, 0, 0, 0, 0, 3), [7]),  # quiet days count as zeros
        ((5, 5, 5, 9), []),  # fewer than min_history baseline days since the first event
    ],
)
def test_find_spikes_baseline_rule(counts: tuple[int, ...], spike_days: list[int]) -> None:
    series = _series(*counts)
    first = D0 if counts[0] == 0 else None  # with leading zeros, the data starts before the first count
    found = watch.find_spikes(series, first_day=first, window=7, k=2.0, min_count=3, min_history=4)
    assert [(s.day - D0).days for s in found] == spike_days


def test_spike_reports_its_baseline() -> None:
    [spike] = watch.find_spikes(_series(1, 2, 1, 2, 1, 2, 1, 8), window=7, k=2.0, min_count=3, min_history=7)
    assert spike.count == 8 and spike.history == 7
    assert spike.mean == pytest.approx(10 / 7)
    assert spike.std == pytest.approx(0.4949, abs=1e-3)
    # the observed spread (0.49) is under a Poisson count's (sqrt(10/7) = 1.2), which sets the threshold
    assert spike.threshold == pytest.approx(10 / 7 + 2 * (10 / 7) ** 0.5)


@pytest.mark.parametrize(
    ("by", "count", "expected"),
    [
        ("country", "stories", {("RUS", "ASSAULT"): 2, ("UKR", "ASSAULT"): 1, ("BLR", "ASSAULT"): 2}),
        ("place", "stories", {("UKR", "ASSAULT"): 1}),
        (
            "pair",
            "stories",
            {("RUS>UKR", "ASSAULT"): 1, ("BLR>UKR", "ASSAULT"): 1, ("RUS>BLR", "ASSAULT"): 1},
        ),
        ("country", "events", {("RUS", "ASSAULT"): 3, ("UKR", "ASSAULT"): 2, ("BLR", "ASSAULT"): 2}),
    ],
)
def test_daily_counts_groups_and_units(by: str, count: str, expected: dict[tuple[str, str], int]) -> None:
    day = datetime(2025, 3, 2, 14, tzinfo=UTC)
    rows = [  # two articles of story s1 (syndicated reports of one attack) and one of another story
        {"date": day, "plover_type": "ASSAULT", "country": "UKR", "actor_countries": ",RUS,",
         "recipient_countries": ",UKR,", "story_id": "s1", "article_id": "a1"},
        {"date": day, "plover_type": "ASSAULT", "country": None, "actor_countries": ",BLR,RUS,",
         "recipient_countries": ",UKR,", "story_id": "s1", "article_id": "a2"},
        {"date": day, "plover_type": "ASSAULT", "country": None, "actor_countries": ",RUS,",
         "recipient_countries": ",BLR,", "story_id": None, "article_id": "a3"},
    ]  # fmt: skip
    counts = watch.daily_counts(rows, by=by, count=count)
    assert {key: per_day[day.date()] for key, per_day in counts.items()} == expected


@pytest.fixture
def store(sqlite_url: str) -> Store:
    return open_store(sqlite_url)


def _history(store: Store, days: int) -> None:
    """One reported attack a day in Ukraine, for ``days`` days before 2025-03-15."""
    for i in range(days, 0, -1):
        day = datetime(2025, 3, 15, tzinfo=UTC) - timedelta(days=i)
        save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", day))


def test_check_raises_a_spike_alert_once(store: Store) -> None:
    _history(store, 10)
    watch.add_watch(store, "surge", watch.WatchRule(kind="spike", types=["ASSAULT"], by="place", window=7))
    assert watch.check(store) == []  # nothing stored since the watch was made
    spike_day = datetime(2025, 3, 15, 9, tzinfo=UTC)
    for n in range(5):  # five separate stories on one day
        save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", spike_day), story=f"st{n}")
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", spike_day), story="st0")  # a copy adds no story
    [alert] = watch.check(store)
    assert alert.kind == "spike" and alert.key == "spike:place:UKR:ASSAULT:2025-03-15"
    assert alert.details["count"] == 5 and alert.details["mean"] == 1.0
    assert "5 stories of ASSAULT for UKR on 2025-03-15" in alert.message
    save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", spike_day), story="st9")  # six now: same spike day
    assert watch.check(store) == []


def test_spike_days_older_than_max_age_are_not_alerted(store: Store) -> None:
    watch.add_watch(store, "old", watch.WatchRule(kind="spike", by="place", window=7, max_age_days=30))
    watch.add_watch(store, "any", watch.WatchRule(kind="spike", by="place", window=7))
    _history(store, 10)
    for n in range(5):
        save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", datetime(2025, 3, 15, tzinfo=UTC)), story=f"s{n}")
    assert {a.watch for a in watch.check(store)} == {"any"}  # 2025-03-15 is long before this check


def test_new_database_needs_history_before_spikes(store: Store) -> None:
    watch.add_watch(store, "surge", watch.WatchRule(kind="spike", min_history=7))
    _history(store, 3)
    for n in range(6):
        save(store, Ev("ASSAULT", ["RUS"], ["UKR"], "UKR", datetime(2025, 3, 15, tzinfo=UTC)), story=f"s{n}")
    assert watch.check(store) == []


def test_detect_spikes_over_a_date_range(store: Store) -> None:
    _history(store, 10)
    for n in range(4):
        save(store, Ev("ASSAULT", ["RUS"], ["UKR"], None, datetime(2025, 3, 10, tzinfo=UTC)), story=f"s{n}")
    rule = watch.WatchRule(kind="spike", by="pair", window=7, min_history=3)
    [spike] = watch.detect_spikes(store, rule)
    assert (spike.group, spike.day, spike.count) == ("RUS>UKR", date(2025, 3, 10), 5)
    assert watch.detect_spikes(store, rule, since=date(2025, 3, 11)) == []


@pytest.mark.parametrize(
    "bad",
    [{"by": "region"}, {"count": "words"}, {"window": 3, "min_history": 5}, {"k": -1.0}, {"min_count": 0}],
)
def test_bad_spike_settings_are_config_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        watch.WatchRule(kind="spike", **bad)  # type: ignore[arg-type]

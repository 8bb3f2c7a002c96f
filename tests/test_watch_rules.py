"""Watch rules: validation with messages that say what to use, comma lists, round trips through JSON."""

from __future__ import annotations

import pytest

from newswatch.errors import ConfigError
from newswatch.watch import WatchRule


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"types": ["ATTACK"]}, "not a PLOVER event type"),
        ({"countries": ["Ukraine"]}, "not a country code"),
        ({"actors": ["U1"]}, "not a country code"),
        ({"certainty": ["sure"]}, "asserted, reported"),
        ({"source_types": ["blog"]}, "state_media"),
        ({"tenses": ["past perfect"]}, "hypothetical"),
        ({"min_sources": 0}, "at least 1"),
        ({"kind": "digest"}, "event, spike"),
        ({"group": "article"}, "story, event"),
    ],
)
def test_invalid_rules_name_the_valid_values(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        WatchRule(**fields)  # type: ignore[arg-type]


def test_codes_are_normalised_and_comma_lists_split() -> None:
    rule = WatchRule(types=["assault,coerce", "ASSAULT"], countries=["ukr, rus"], certainty=["Reported"])
    assert rule.types == ["ASSAULT", "COERCE"]
    assert rule.countries == ["UKR", "RUS"]
    assert rule.certainty == ["reported"]


@pytest.mark.parametrize(
    "rule",
    [
        WatchRule(types=["AID"], recipients=["SDN"], min_sources=2, keywords=["famine"]),
        WatchRule(kind="spike", by="pair", window=30, k=3.0, min_count=5, min_history=10, count="events"),
    ],
)
def test_rule_round_trips_through_its_stored_form(rule: WatchRule) -> None:
    stored = rule.as_dict()
    assert WatchRule.from_dict(stored) == rule
    assert ("window" in stored) == (rule.kind == "spike") and ("group" in stored) == (rule.kind == "event")


def test_unknown_stored_field_is_reported() -> None:
    with pytest.raises(ConfigError, match="unknown watch rule field"):
        WatchRule.from_dict({"kind": "event", "colour": "red"})

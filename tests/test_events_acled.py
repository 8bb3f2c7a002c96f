"""ACLED-style record labels from the cue file: one label per snippet, and no PLOVER event for non-political
ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.acled import AcledClassifier, get_classifier
from newswatch.errors import ConfigError
from newswatch.events import get_coder


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("A suicide bomber blew himself up at a checkpoint, killing four guards.", "SUIC_BOMB"),
        ("Warplanes carried out air strikes on a market town overnight.", "AIR_STRIKE"),
        (
            "A magnitude 6.1 earthquake shook the coastal province, destroying hundreds of homes.",
            "NATURAL_DISASTER",
        ),
        (
            "Two lorries collided on the motorway in a road accident that killed three drivers.",
            "MAN_MADE_DISASTER",
        ),
        ("Customs officers arrested a gang smuggling heroin across the border.", "ORG_CRIME"),
        ("The militant group claimed responsibility for the bombing of the bus station.", "ATTRIB"),
        ("Police fired tear gas to disperse a protest by teachers in the capital.", "PROTEST_WITH_INTER"),
        (
            "Hundreds of nurses held a peaceful rally outside the health ministry demanding higher pay.",
            "PEACE_PROTEST",
        ),
        ("Rebels kidnapped three aid workers on the road to the airport.", "ABDUCT_DISSAP"),
        ("The army set up a new military base near the border town.", "HQ_ESTABLISHED"),
    ],
)
def test_acled_label_from_definitions(text: str, label: str) -> None:
    assert get_classifier().classify(text) == label


def test_acled_nothing_for_unrelated_text() -> None:
    assert get_classifier().classify("The museum opened a new wing for modern art.") is None


def test_acled_explain_lists_the_cues() -> None:
    hits = get_classifier().explain("Gunmen stormed a village and kidnapped five farmers.")
    assert "ABDUCT_DISSAP" in hits
    assert any("kidnap" in hit for hit in hits["ABDUCT_DISSAP"])


def test_acled_bad_cue_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "acled.json"
    bad.write_text('{"labels": {"X": [["(unclosed", 1]]}, "priority": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed"):
        AcledClassifier(data_file=bad)


def test_acled_non_political_snippet_gets_no_plover_event() -> None:
    from newswatch.nlp import load_pipeline

    text = "Floods and landslides killed twelve people after heavy rain, and the army rescued survivors."
    label, events = get_coder().code_snippet(load_pipeline()(text), article_id="flood")
    assert label == "NATURAL_DISASTER"
    assert events == []


def test_acled_capitals_in_a_pattern_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "acled.json"
    bad.write_text('{"labels": {"X": [["\\\\bNATO\\\\b", 1]]}, "priority": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="lower case"):
        AcledClassifier(data_file=bad)

"""ACLED-style record labels from the cue file: one label per snippet, and no PLOVER event for non-political
ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.acled import AcledClassifier
from newswatch.errors import ConfigError
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process


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
    assert STAGES.acled.classify(text) == label


def test_acled_nothing_for_unrelated_text() -> None:
    assert STAGES.acled.classify("The museum opened a new wing for modern art.") is None


def test_acled_explain_lists_the_cues() -> None:
    hits = STAGES.acled.explain("Gunmen stormed a village and kidnapped five farmers.")
    assert "ABDUCT_DISSAP" in hits
    assert any("kidnap" in hit for hit in hits["ABDUCT_DISSAP"])


def test_acled_bad_cue_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "acled.json"
    bad.write_text('{"labels": {"X": [["(unclosed", 1]]}, "priority": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed"):
        AcledClassifier(data_file=bad)


def test_acled_non_political_snippet_gets_no_plover_event() -> None:
    text = "Floods and landslides killed twelve people after heavy rain, and the army rescued survivors."
    label, events = STAGES.rules_coder.code_snippet(STAGES.nlp(text), article_id="flood")
    assert label == "NATURAL_DISASTER"
    assert events == []


def test_acled_capitals_in_a_pattern_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "acled.json"
    bad.write_text('{"labels": {"X": [["\\\\bNATO\\\\b", 1]]}, "priority": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="lower case"):
        AcledClassifier(data_file=bad)


# one hand-written snippet per label, from the ACLED codebook's sub-event definitions
DEFINITION_CASES = [
    (
        "ARMED_CLASH",
        "Government troops and rebel fighters exchanged fire for several hours near the river crossing.",
    ),
    ("ARMED_CLASH", "Soldiers repelled an assault by insurgents on their outpost, killing twelve attackers."),
    ("GOV_REGAINS_TERIT", "The national army retook the northern town from separatist fighters on Friday."),
    (
        "NON_STATE_ACTOR_OVERTAKES_TER",
        "Jihadist militants captured the district headquarters after government forces fled.",
    ),
    ("AIR_STRIKE", "Fighter jets bombed a weapons depot on the outskirts of the city."),
    ("ART_MISS_ATTACK", "Artillery shells landed in a residential area, wounding four people."),
    (
        "CHEM_WEAP",
        "Doctors said the victims showed symptoms of exposure to a nerve agent after the attack.",
    ),
    ("GRENADE", "An attacker threw a grenade into a crowded bar, injuring nine customers."),
    ("REM_EXPLOS", "A roadside bomb struck a military convoy, killing two soldiers."),
    ("SUIC_BOMB", "A suicide bomber detonated his vest at the entrance of a mosque."),
    ("ATTACK", "Unknown gunmen shot dead a village chief in front of his house."),
    ("ABDUCT_DISSAP", "Armed men abducted twenty schoolgirls from their dormitory overnight."),
    ("SEX_VIOL", "The report documents cases of rape committed by soldiers against women in the camps."),
    ("PEACE_PROTEST", "Hundreds of teachers staged a peaceful sit-in outside the education ministry."),
    ("PROTEST_WITH_INTER", "Police used batons and tear gas to break up a student march in the capital."),
    (
        "FORCE_AGAINST_PROTEST",
        "Security forces opened fire on demonstrators, killing at least six protesters.",
    ),
    ("VIOL_DEMONSTR", "Rioters torched cars and looted shops after the election results were announced."),
    ("MOB_VIOL", "A mob beat a man to death after accusing him of theft."),
    ("AGREEMENT", "The two armed groups signed a ceasefire agreement in the capital."),
    ("ARREST", "Authorities arrested a prominent opposition leader at his home."),
    ("CHANGE_TO_GROUP_ACT", "Hundreds of fighters defected from the militia and joined the army."),
    ("DISR_WEAP", "Police discovered a cache of rifles and ammunition hidden in a farmhouse."),
    ("HQ_ESTABLISHED", "The rebels established a new headquarters in the mountain village."),
    (
        "NON_VIOL_TERRIT_TRANSFER",
        "Government forces withdrew from the town without a fight, handing it over to local militia.",
    ),
    ("PROPERTY_DISTRUCT", "Unknown people vandalized a church and set fire to its doors."),
    ("ORG_CRIME", "Police dismantled a drug trafficking ring and seized two tons of cocaine."),
    ("NATURAL_DISASTER", "A powerful cyclone made landfall, flattening homes along the coast."),
    ("MAN_MADE_DISASTER", "A bus plunged into a ravine, killing 23 passengers."),
    ("ATTRIB", "The armed group claimed responsibility for the ambush that killed ten soldiers."),
    ("DIPLO", "The foreign ministry summoned the ambassador to protest against the remarks."),
]


@pytest.mark.parametrize(("label", "text"), DEFINITION_CASES, ids=[label for label, _ in DEFINITION_CASES])
def test_acled_every_label_from_its_definition(label: str, text: str) -> None:
    assert STAGES.acled.classify(text) == label


def test_acled_loose_prefilter_never_hides_a_cue() -> None:
    """Each cue is tried only where its loose form (leading word boundaries of top-level branches dropped)
    matches: the loose form must match wherever the cue does, and the labels and hits must be those of the
    cues alone, on the demo corpus's wire texts and on strings made to sit at word edges."""
    import json
    import re

    from newswatch.acled import _loose
    from newswatch.demo import demo_sources

    assert _loose(r"\bair ?strikes?\b|\bairstrikes?\b") == r"air ?strikes?\b|airstrikes?\b"
    assert _loose(r"(\bx|\by)\b|\bz") == r"(\bx|\by)\b|z"  # inside a group: left as it is
    assert _loose(r"[\b|]\bq") == r"[\b|]\bq"  # a class's "|" is no branch; the \b after it is not leading
    assert _loose(r"\\b\bw") == r"\\b\bw"  # an escaped backslash and a literal b
    wire = next(s for s in demo_sources() if s.endswith(".jsonl"))
    texts = [json.loads(line)["text"] for line in Path(wire).read_text(encoding="utf-8").splitlines() if line]
    sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t)]
    sentences += ["xair strikes hit", "the airstrikes", "shelling.", "re-shelled", "grenades!", "ungrenade"]
    classifier = AcledClassifier()
    cues = [p for p in classifier._loose]  # every cue and combo pattern
    for text in sentences:
        low = text.lower()
        for p in cues:
            if re.search(p, low):
                assert classifier._loose[p].search(low), (p, text)
    plain = AcledClassifier()
    plain._loose = {p: re.compile("") for p in plain._loose}  # the empty pattern matches everywhere
    assert [classifier.explain(t) for t in sentences] == [plain.explain(t) for t in sentences]
    assert sum(1 for t in sentences if classifier.explain(t)) >= 5  # the check saw cues fire

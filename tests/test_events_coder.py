"""The event coder on hand-written sentences: types, roles, negation, tense, and the evidence each event
keeps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newswatch.events import CODER_VERSION, EventCoder, main_event
from newswatch.models import Event
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process

FIXTURES = Path(__file__).parent / "fixtures" / "events"
CASES = [
    json.loads(line)
    for line in (FIXTURES / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    if line
]


@pytest.fixture(scope="module")
def nlp() -> Any:
    return STAGES.nlp


@pytest.fixture(scope="module")
def coder() -> EventCoder:
    return STAGES.rules_coder


def _code(nlp: Any, coder: EventCoder, text: str) -> tuple[Any, list[Event]]:
    doc = nlp(text)
    return doc, coder.code_doc(doc, article_id="test")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_events_main_event_matches_hand_coding(nlp: Any, coder: EventCoder, case: dict[str, Any]) -> None:
    doc, events = _code(nlp, coder, case["text"])
    event = main_event(events, doc)
    assert event is not None
    assert event.plover_type == case["type"]
    assert sorted({a.country for a in event.actors}) == case["actors"]
    assert sorted({a.country for a in event.recipients}) == case["recipients"]
    assert event.negated is case["negated"]
    assert event.tense == case["tense"]


def test_events_keep_their_evidence(nlp: Any, coder: EventCoder) -> None:
    text = "Police arrested ten protesters. Chile and Peru signed a trade agreement in Lima."
    doc, events = _code(nlp, coder, text)
    signed = next(e for e in events if e.sentence == 1)
    assert signed.plover_type == "SUPPORT"
    assert signed.cameo_code == "057"
    assert text[signed.trigger_start : signed.trigger_end] == signed.trigger
    assert signed.trigger.startswith("signed")
    assert signed.text == "Chile and Peru signed a trade agreement in Lima."
    assert signed.sent_start == text.index("Chile")
    assert signed.coder_version == CODER_VERSION
    assert signed.rule  # every event names the lexicon entry that produced it
    for actor in signed.actors:
        assert text[actor.start : actor.end] == actor.text


def test_events_reporting_verb_is_not_an_event(nlp: Any, coder: EventCoder) -> None:
    _, events = _code(nlp, coder, "The spokesman said that Azerbaijani troops shelled Armenian positions.")
    assert [e.plover_type for e in events] == ["ASSAULT"]
    assert {a.country for a in events[0].actors} == {"AZE"}


def test_events_compound_actor_is_one_event(nlp: Any, coder: EventCoder) -> None:
    _, events = _code(nlp, coder, "Britain, Canada and Australia condemned the coup in Myanmar.")
    accuse = [e for e in events if e.plover_type == "ACCUSE"]
    assert len(accuse) == 1
    assert {a.country for a in accuse[0].actors} == {"GBR", "CAN", "AUS"}


@pytest.mark.parametrize(
    ("text", "tense"),
    [
        ("Will India sanction Myanmar?", "hypothetical"),
        ("Iran could attack shipping in the Gulf.", "hypothetical"),
        ("Brazil will host talks with Argentina next week.", "future"),
        ("Russian troops are shelling Kharkiv.", "present"),
        ("Russian troops shelled Kharkiv.", "past"),
    ],
)
def test_events_modality_is_marked(nlp: Any, coder: EventCoder, text: str, tense: str) -> None:
    doc, events = _code(nlp, coder, text)
    event = main_event(events, doc)
    assert event is not None
    assert event.tense == tense


def test_events_future_cooperation_is_agree(nlp: Any, coder: EventCoder) -> None:
    doc, events = _code(nlp, coder, "Brazil will host talks with Argentina next week.")
    event = main_event(events, doc)
    assert event is not None and event.plover_type == "AGREE"


def test_events_negated_refusal_words_become_reject(nlp: Any, coder: EventCoder) -> None:
    doc, events = _code(nlp, coder, "Hungary will not accept the migration pact.")
    event = main_event(events, doc)
    assert event is not None
    assert (event.plover_type, event.negated) == ("REJECT", False)


def test_events_purpose_clause_is_not_an_event(nlp: Any, coder: EventCoder) -> None:
    _, events = _code(nlp, coder, "Chad sent troops to Niger to help the army.")
    assert [e.plover_type for e in events] == ["MOBILIZE"]


def test_events_plain_sentences_code_nothing(nlp: Any, coder: EventCoder) -> None:
    text = "The author has written for newspapers for twenty years. He lives in a small town with his family."
    _, events = _code(nlp, coder, text)
    assert events == []


def test_events_ids_are_stable_and_distinct(nlp: Any, coder: EventCoder) -> None:
    text = "Russia attacked Ukraine. Ukraine attacked Russia."
    _, first = _code(nlp, coder, text)
    _, second = _code(nlp, coder, text)
    assert [e.id for e in first] == [e.id for e in second]
    assert len({e.id for e in first}) == len(first) == 2


@pytest.mark.parametrize(
    ("text", "plover_type", "mode"),
    [
        ("Pakistan conducted a test of a cruise missile on Sunday.", "MOBILIZE", "weapons"),
        ("Israel launched air strikes on targets in Lebanon.", "ASSAULT", None),
        ("Workers went on strike at the port of Santos.", "PROTEST", None),
        ("The foreign ministry lodged a protest with the Dutch embassy.", "ACCUSE", "disapprove"),
        ("Kazakhstan lifted the curfew in Almaty.", "CONCEDE", None),
        ("Argentina recalled its ambassador to Venezuela.", "SANCTION", None),
        ("The army fired rockets at villages across the border.", "ASSAULT", None),
    ],
)
def test_events_light_verbs_take_their_meaning_from_the_object(
    nlp: Any, coder: EventCoder, text: str, plover_type: str, mode: str | None
) -> None:
    doc, events = _code(nlp, coder, text)
    event = main_event(events, doc)
    assert event is not None
    assert event.plover_type == plover_type
    if mode is not None:
        assert event.mode == mode


# one or more hand-written sentences per PLOVER type: the main event's type only (roles are tested above)
TYPE_CASES = [
    ("COOPERATE", "Spain extradited two Moroccan suspects to Morocco on Friday."),
    ("COOPERATE", "Jordan shared intelligence with Iraq about the smuggling network."),
    ("AID", "Qatar sent humanitarian aid to Gaza."),
    ("AID", "The World Bank approved a $300 million loan to Kenya."),
    ("RETREAT", "Iran released three French citizens on Tuesday."),
    ("RETREAT", "The Ethiopian government freed hundreds of political prisoners."),
    ("SANCTION", "Canada suspended military aid to Turkey."),
    ("SANCTION", "Bahrain severed diplomatic ties with Qatar."),
    ("SANCTION", "A court in Cairo sentenced three journalists to seven years in prison."),
    ("COERCE", "Chinese authorities detained a Canadian businessman."),
    ("COERCE", "Thailand deported 100 Uighurs to China."),
    ("COERCE", "Indian police seized weapons from a militant hideout in Kashmir."),
    ("REQUEST", "Germany urged Turkey to release the reporter."),
    ("REQUEST", "The opposition called for early elections in Zimbabwe."),
    ("ACCUSE", "The European Union criticized Hungary over its media law."),
    ("ACCUSE", "Amnesty International accused Myanmar's army of war crimes."),
    ("REJECT", "Russia vetoed a UN resolution on Syria."),
    ("REJECT", "Israel rejected the French proposal for a ceasefire."),
    ("CONCEDE", "The Egyptian president pardoned 500 prisoners."),
    ("SUPPORT", "Morocco recognized the new government in Tripoli."),
    ("SUPPORT", "The United States praised Colombia's peace efforts."),
    ("THREATEN", "North Korea warned South Korea of serious consequences."),
    ("THREATEN", "Turkey threatened to expel the ambassadors of ten countries."),
    ("MOBILIZE", "Russia massed troops near the Ukrainian border."),
    ("MOBILIZE", "Iran test-fired a ballistic missile."),
    ("PROTEST", "Farmers blocked highways across France to protest fuel prices."),
    ("PROTEST", "Thousands marched in Santiago against the pension reform."),
    ("ASSAULT", "Gunmen killed five police officers in northern Nigeria."),
    ("ASSAULT", "Saudi-led coalition aircraft bombed a market in Yemen."),
    ("CONSULT", "The Chinese foreign minister met his Indian counterpart in Moscow."),
    ("CONSULT", "Putin spoke by telephone with Erdogan on Monday."),
    ("AGREE", "Israel and the UAE agreed to establish diplomatic relations."),
    ("AGREE", "Japan offered to mediate between the two Koreas."),
    ("CONSULT", "Egypt hosted talks between Israel and Hamas."),
    ("ASSAULT", "Separatists shelled government positions near Donetsk."),
    ("COERCE", "Belarus closed its border with Poland."),
    ("REJECT", "Pakistan denied entry to an Indian delegation."),
    ("ACCUSE", "Venezuela protested to Colombia over the incident."),
    ("RETREAT", "The last American troops left Afghanistan."),
    ("AID", "Turkey granted asylum to the dissident."),
]

# more sentences per type, including the boundary rules (future hosting and pledges are AGREE)
TYPE_CASES += [
    ("CONSULT", "The Egyptian president received the Sudanese envoy in Cairo on Monday."),
    ("CONSULT", "Macron telephoned Putin to discuss the crisis."),
    ("CONSULT", "The Iranian foreign minister held a telephone conversation with his Omani counterpart."),
    ("AGREE", "Norway will host peace talks between the government and the rebels next month."),
    ("AGREE", "Pakistan said it was ready to resume talks with India."),
    ("SUPPORT", "The two countries signed a memorandum to expand trade and promised to cooperate on energy."),
    ("SUPPORT", "Brazil voiced support for Argentina's claim to the islands."),
    ("CONCEDE", "Japan apologized to South Korea for its wartime conduct."),
    ("COOPERATE", "France and Germany launched joint naval patrols in the Baltic."),
    ("AGREE", "The European Union pledged 50 million euros in humanitarian aid for Sudan."),
    ("AID", "China delivered vaccines to Cambodia."),
    ("RETREAT", "Rebels handed over weapons to the peacekeepers."),
    ("RETREAT", "Myanmar's junta released 700 political prisoners on Tuesday."),
    ("CONCEDE", "Belarus eased restrictions on the opposition."),
    ("REQUEST", "Lebanon asked the UN for help in securing the border."),
    ("REQUEST", "Mexico called on the United States to stop deportations."),
    ("ACCUSE", "The opposition leader accused the government of rigging the vote."),
    ("ACCUSE", "Prosecutors opened an investigation into the former minister."),
    ("REJECT", "Kosovo rejected Serbia's proposal for talks."),
    ("REJECT", "The Turkish parliament refused to ratify the treaty."),
    ("THREATEN", "Greece threatened to veto the deal."),
    ("THREATEN", "Russia warned NATO against expanding eastward."),
    ("PROTEST", "Thousands of Armenians rallied in Yerevan against the agreement."),
    ("PROTEST", "Students staged a sit-in at the university in Dhaka."),
    ("SANCTION", "The Netherlands expelled two Russian diplomats for spying."),
    ("SANCTION", "Washington imposed new sanctions on Iranian oil companies."),
    ("MOBILIZE", "Israel called up 300,000 reservists."),
    ("MOBILIZE", "China conducted military drills near Taiwan."),
    ("COERCE", "Hong Kong police raided the offices of the newspaper."),
    ("COERCE", "The junta imposed martial law in the capital."),
    ("ASSAULT", "Israeli aircraft struck targets in Gaza overnight."),
    ("ASSAULT", "Militants ambushed a police patrol in northern Burkina Faso."),
]


@pytest.mark.parametrize(("plover_type", "text"), TYPE_CASES, ids=[t[:40] for _, t in TYPE_CASES])
def test_events_types_across_categories(nlp: Any, coder: EventCoder, plover_type: str, text: str) -> None:
    doc, events = _code(nlp, coder, text)
    event = main_event(events, doc)
    assert event is not None
    assert event.plover_type == plover_type


@pytest.mark.parametrize(
    "text",
    [
        "The economy grew by three percent last year, the central bank said.",
        "She is a professor of political science at a university in Chicago.",
        "Temperatures will reach 40 degrees in the capital this week.",
        "The minister refused to comment on the arrests.",
        "Analysts believe the talks could resume next month.",
    ],
)
def test_events_no_event_in_plain_statements(nlp: Any, coder: EventCoder, text: str) -> None:
    _, events = _code(nlp, coder, text)
    assert events == []


def test_events_denied_claim_is_negated_not_a_rejection(nlp: Any, coder: EventCoder) -> None:
    _, events = _code(nlp, coder, "Officials denied that Chinese troops had crossed the border.")
    assert [e.plover_type for e in events] == ["MOBILIZE"]
    assert events[0].negated is True


def test_events_protesters_clashing_is_a_riot(nlp: Any, coder: EventCoder) -> None:
    doc, events = _code(nlp, coder, "Protesters clashed with police in Nairobi.")
    event = main_event(events, doc)
    assert event is not None
    assert (event.plover_type, event.cameo_code) == ("PROTEST", "145")


@pytest.mark.parametrize(
    ("text", "plover_type", "cameo"),
    [
        ("The opposition called for sanctions against the government of Belarus.", "ACCUSE", "113"),
        ("The UN urged Israel to stop attacks against civilians.", "REQUEST", "100"),
        ("The agency withdrew its weapons inspectors from Iraq.", "SANCTION", "1662"),
        ("Rescue helicopters evacuated the wounded from the town.", "AID", "073"),
    ],
)
def test_events_cameo_categories_decide_close_calls(
    nlp: Any, coder: EventCoder, text: str, plover_type: str, cameo: str
) -> None:
    doc, events = _code(nlp, coder, text)
    event = main_event(events, doc)
    assert event is not None
    assert (event.plover_type, event.cameo_code) == (plover_type, cameo)


@pytest.mark.parametrize(
    ("text", "acled_type"),
    [
        ("A roadside bomb struck a military convoy near Kandahar.", "REM_EXPLOS"),
        ("Fighter jets bombed a weapons depot outside Idlib.", "AIR_STRIKE"),
        ("Police used tear gas to disperse protesters in Lagos.", "PROTEST_WITH_INTER"),
        ("Workers struck at the car plant on Monday.", "PEACE_PROTEST"),
    ],
)
def test_events_carry_the_acled_type_the_sentence_shows(
    nlp: Any, coder: EventCoder, text: str, acled_type: str
) -> None:
    doc, events = _code(nlp, coder, text)
    event = main_event(events, doc)
    assert event is not None
    assert event.acled_type == acled_type


def test_events_event_noun_with_moved_forces(nlp: Any, coder: EventCoder) -> None:
    _, events = _code(nlp, coder, "The deployment of North Korean troops to Kursk worried Kyiv.")
    assert [e.plover_type for e in events] == ["MOBILIZE"]
    assert {a.country for a in events[0].actors} == {"PRK"}
    assert {a.country for a in events[0].recipients} == {"RUS"}


@pytest.mark.parametrize(
    "text",
    [
        "Regional officials warn that some villages may not receive aid for two weeks.",
        "The flooded area has been completely cut off for a week.",
        "The file-sharing site shut down last month.",
        "The satellites were launched on a commercial rocket.",
        "The earthquake killed 40 people in the province.",
        "A magnitude 6 earthquake struck the coast, killing 12 people.",
        "The islands struck by the catastrophe are burying their dead.",
        "Aid organisations are accepting donations for the victims.",
        "Four players were suspended after a brawl at the end of the Friday game.",
        "Thank you, Mr. President, for your leadership.",
        "A new method has been demonstrated by researchers.",
        "Tourists should avoid travelling to the coast.",
    ],
)
def test_events_look_alikes_are_not_events(nlp: Any, coder: EventCoder, text: str) -> None:
    _, events = _code(nlp, coder, text)
    assert events == []


def test_events_warning_with_a_threat_inside(nlp: Any, coder: EventCoder) -> None:
    doc, events = _code(nlp, coder, "Iran warned that it would close the Strait of Hormuz.")
    event = main_event(events, doc)
    assert event is not None
    assert (event.plover_type, event.tense) == ("THREATEN", "future")
    assert {a.country for a in event.actors} == {"IRN"}


def test_events_deployment_inside_an_assault_is_only_the_assault(nlp: Any, coder: EventCoder) -> None:
    _, events = _code(
        nlp, coder, "Azerbaijani troops deployed to the border and shelled villages in Armenia."
    )
    assert [e.plover_type for e in events] == ["ASSAULT"]


def test_events_arrest_warrant_is_a_threat_of_arrest(nlp: Any, coder: EventCoder) -> None:
    doc, events = _code(nlp, coder, "A court in Lima issued an arrest warrant for the former president.")
    event = main_event(events, doc)
    assert event is not None
    assert (event.plover_type, event.mode) == ("THREATEN", "arrest")


@pytest.mark.parametrize(
    "text",
    ["Neither Chile nor Peru boycotted the summit.", "Nobody attacked the convoy near Gao."],
)
def test_events_negated_subjects_negate_the_event(nlp: Any, coder: EventCoder, text: str) -> None:
    doc, events = _code(nlp, coder, text)
    assert events
    assert all(e.negated for e in events)


def test_events_participle_descriptions_are_not_events(nlp: Any, coder: EventCoder) -> None:
    _, events = _code(nlp, coder, "Thousands joined a parade supporting the Ukrainian army in Vilnius.")
    assert "SUPPORT" not in [e.plover_type for e in events]


def _data_copy(tmp_path: Path, edit: dict[str, Any]) -> Path:
    from importlib import resources

    base = resources.files("newswatch") / "data" / "events"
    lexicon = json.loads((base / "lexicon.json").read_text(encoding="utf-8"))
    lexicon["verbs"].update(edit)
    (tmp_path / "lexicon.json").write_text(json.dumps(lexicon), encoding="utf-8")
    return tmp_path


def test_events_lexicon_drives_the_coding(nlp: Any, tmp_path: Path) -> None:
    custom = EventCoder(data_dir=_data_copy(tmp_path, {"besmirch": "111"}))
    doc = nlp("Serbia besmirched Croatia on Monday.")
    assert [e.plover_type for e in custom.code_doc(doc, article_id="t")] == ["ACCUSE"]
    assert STAGES.rules_coder.code_doc(doc, article_id="t") == []


def test_events_unknown_cameo_code_in_lexicon_is_a_config_error(tmp_path: Path) -> None:
    from newswatch.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown CAMEO code"):
        EventCoder(data_dir=_data_copy(tmp_path, {"besmirch": "999"}))


@pytest.mark.parametrize(
    ("text", "plover_type", "tense"),
    [
        ("Pakistan vowed to retaliate against India.", "THREATEN", "future"),
        ("Moscow is likely to expel more diplomats.", "SANCTION", "future"),
        ("Iran failed to attack the tanker.", "ASSAULT", "past"),
        ("The president may visit Kenya next year.", "CONSULT", "hypothetical"),
    ],
)
def test_events_stated_intent_threatens_but_expectation_does_not(
    nlp: Any, coder: EventCoder, text: str, plover_type: str, tense: str
) -> None:
    doc, events = _code(nlp, coder, text)
    event = main_event(events, doc)
    assert event is not None
    assert (event.plover_type, event.tense) == (plover_type, tense)
    assert event.negated is text.startswith("Iran failed")

"""find_claims and link_events on hand-written sentences: speakers, source types, cues, certainty, nesting."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newswatch.claims import chain_certainty, find_claims, link_events
from newswatch.models import Claim, Event
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process


def _doc(text: str) -> Any:
    return STAGES.nlp(text)


def _event(doc: Any, trigger: str, article_id: str = "a1") -> Event:
    start, end = re.search(rf"\b{re.escape(trigger)}\b", doc.text).span()  # type: ignore[union-attr]
    sent = next(s for s in doc.sents if s.start_char <= start < s.end_char)
    return Event(id=trigger, article_id=article_id, sentence=0, text=sent.text, sent_start=sent.start_char,
                 trigger=trigger, trigger_start=start, trigger_end=end, plover_type="UNKNOWN")


def _only(claims: list[Claim], cue: str) -> Claim:
    found = [c for c in claims if c.cue == cue]
    assert len(found) == 1, [(c.cue, c.speaker) for c in claims]
    return found[0]


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "source_type", "certainty"),
    [
        ("The Korean Central News Agency said the new rocket flew 800 kilometres.", "say",
         "The Korean Central News Agency", "state_media", "reported"),
        ("Xinhua reported that the two navies held drills near Hainan.", "report", "Xinhua", "state_media", "reported"),
        ("The Joint Chiefs of Staff said the projectile splashed down off the coast.", "say",
         "The Joint Chiefs of Staff", "military", "reported"),
        ("The defence ministry denied that its jets had entered Finnish airspace.", "deny",
         "The defence ministry", "military", "denied"),
        ("Several analysts believe the factory was rebuilt last year.", "believe", "Several analysts", "expert",
         "hedged"),
        ("Western intelligence officials said the convoy carried artillery shells.", "say",
         "Western intelligence officials", "intelligence", "reported"),
        ("Sources familiar with the talks said the deal had collapsed.", "say",
         "Sources familiar with the talks", "anonymous", "reported"),
        ("Reuters reported that the tanker changed course.", "report", "Reuters", "outlet", "reported"),
        ("The foreign minister warned that the sanctions could hurt exporters.", "warn", "The foreign minister",
         "official", "hedged"),
        ("A researcher speculated that the engine came from abroad.", "speculate", "A researcher", "expert",
         "speculative"),
    ],
)
def test_claims_speaker_type_and_certainty(
    text: str, cue: str, speaker: str, source_type: str, certainty: str
) -> None:
    claim = _only(find_claims(_doc(text), article_id="a1"), cue)
    assert claim.speaker == speaker
    assert claim.source_type == source_type
    assert claim.certainty == certainty
    assert claim.speaker_start is not None and text[claim.speaker_start : claim.speaker_end] == speaker


def test_claims_expert_affiliation() -> None:
    text = "Park Ji-won from the Sejong Institute noted that the launches had become more frequent."
    claim = _only(find_claims(_doc(text), article_id="a1"), "note")
    assert claim.source_type == "expert"
    assert claim.affiliation == "Sejong Institute"


@pytest.mark.parametrize(
    ("text", "cue", "certainty"),
    [
        ("It is alleged that the guards beat the prisoners.", "allege", "hedged"),
        ("The militia reportedly burned three villages.", "reportedly", "hedged"),
    ],
)
def test_claims_without_speaker_are_unattributed(text: str, cue: str, certainty: str) -> None:
    claim = _only(find_claims(_doc(text), article_id="a1"), cue)
    assert claim.speaker is None
    assert claim.source_type == "unattributed"
    assert claim.certainty == certainty


def test_claims_according_to_content_excludes_the_attribution() -> None:
    text = "According to the health ministry, 40 people died in the blast."
    claim = _only(find_claims(_doc(text), article_id="a1"), "According to")
    assert claim.speaker == "the health ministry"
    assert claim.source_type == "official"
    content = text[claim.content_start : claim.content_end]
    assert content.startswith("40 people died") and "ministry" not in content


def test_claims_quote_before_cue_is_the_content() -> None:
    text = "\u201cWe will not retreat from the border,\u201d the general said on Monday."
    claim = _only(find_claims(_doc(text), article_id="a1"), "say")
    assert text[claim.content_start : claim.content_end] == "We will not retreat from the border,"
    assert claim.source_type == "military"


def test_claims_cue_inside_a_quote_is_not_a_new_claim() -> None:
    text = "\u201cI think they will attack again,\u201d the mayor said."
    claims = find_claims(_doc(text), article_id="a1")
    assert [c.cue for c in claims] == ["say"]


def test_claims_nested_attribution_keeps_the_chain() -> None:
    text = "Media reports suggest that, according to Ukrainian intelligence, the brigade has moved to Belgorod."
    claims = find_claims(_doc(text), article_id="a1")
    outer = _only(claims, "suggest")
    inner = _only(claims, "according to")
    assert inner.parent_id == outer.id
    assert outer.parent_id is None
    assert chain_certainty(inner, {c.id: c for c in claims}) == "hedged"


def test_claims_pronoun_speaker_takes_the_last_named_type() -> None:
    text = "Defence Minister Ana Ruiz said the base would close. She added that the troops would move north."
    claims = find_claims(_doc(text), article_id="a1")
    added = _only(claims, "add")
    assert added.speaker == "She"
    assert added.source_type == "official"


def test_claims_ids_are_stable_and_distinct() -> None:
    text = "The army said the bridge was destroyed. Officials said the road was closed."
    first = [c.id for c in find_claims(_doc(text), article_id="a1")]
    again = [c.id for c in find_claims(_doc(text), article_id="a1")]
    other = [c.id for c in find_claims(_doc(text), article_id="a2")]
    assert first == again
    assert len(set(first)) == 2
    assert not set(first) & set(other)


@pytest.mark.parametrize(
    ("text", "trigger", "certainty", "linked"),
    [
        ("Police arrested four men in the capital.", "arrested", "asserted", False),
        ("The army said its soldiers captured the hill.", "captured", "reported", True),
        ("The army said its soldiers might capture the hill.", "capture", "hedged", True),
        ("The ministry denied that troops shelled the market.", "shelled", "denied", True),
        ("Analysts speculate that the regime will test a rocket.", "test", "speculative", True),
    ],
)
def test_link_events_inherit_certainty(text: str, trigger: str, certainty: str, linked: bool) -> None:
    doc = _doc(text)
    claims = find_claims(doc, article_id="a1")
    event = _event(doc, trigger)
    link_events([event], claims)
    assert event.certainty == certainty
    assert (event.claim_id is not None) == linked


def test_claims_reporting_noun_with_that_clause() -> None:
    text = "The government's claim that the border was sealed drew criticism."
    claim = _only(find_claims(_doc(text), article_id="a1"), "claim")
    assert claim.speaker == "The government's"
    assert text[claim.content_start : claim.content_end] == "the border was sealed"


def test_claims_unlisted_verb_with_that_clause_is_a_claim() -> None:
    text = "The prosecutor hinted that new charges were coming."
    claim = _only(find_claims(_doc(text), article_id="a1"), "hint")
    assert claim.speaker == "The prosecutor"
    assert claim.certainty == "hedged"


@pytest.mark.parametrize(
    "text",
    [
        "The senators support the new sanctions bill.",  # a stance, not a claim about events
        "The exchange of technology indicates a deepening alliance.",  # the article's own inference
        "The meeting allowed them to strengthen their coordination.",  # an infinitive is not a statement
    ],
)
def test_claims_not_every_verb_is_a_claim(text: str) -> None:
    assert find_claims(_doc(text), article_id="a1") == []


@pytest.mark.parametrize(
    ("text", "cue", "certainty"),
    [
        ("Army commanders are confident that the line will hold.", "confident", "reported"),
        ("Diplomats are worried that the truce will collapse.", "worried", "hedged"),
    ],
)
def test_claims_belief_adjective_after_be(text: str, cue: str, certainty: str) -> None:
    claim = _only(find_claims(_doc(text), article_id="a1"), cue)
    assert claim.certainty == certainty
    assert text[claim.content_start : claim.content_end].startswith("the ")


def test_claims_name_colon_headline() -> None:
    text = "Angela Merkel: Europe must defend itself.\n\nThe speech was short."
    claim = _only(find_claims(_doc(text), article_id="a1"), ":")
    assert claim.speaker == "Angela Merkel"
    assert text[claim.content_start : claim.content_end] == "Europe must defend itself"


def test_claims_reported_clause_is_not_mistaken_for_a_cue_hanging_on_it() -> None:
    text = "The envoy said the rebels had written a letter saying that they would disarm."
    claims = find_claims(_doc(text), article_id="a1")
    said = next(c for c in claims if c.speaker == "The envoy")
    assert said.cue == "say"
    assert text[said.content_start : said.content_end].startswith("the rebels had written")
    assert all(c.cue != "write" for c in claims)


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        # two apostrophes as quotation marks
        ("''We never signed that agreement,'' the mayor said.", "the mayor", "We never signed that agreement,"),
        # an opening curly quote closed by a straight one
        ("\u201cThe bridge will reopen in spring,\" the engineer said.", "the engineer",
         "The bridge will reopen in spring,"),
        # a short quote that ends its own sentence
        ("\u201cNot today,\u201d the clerk said.", "the clerk", "Not today,"),
    ],
)
def test_claims_quote_marks_of_every_kind(text: str, speaker: str, content: str) -> None:
    claims = find_claims(_doc(text), article_id="a1")
    assert [(c.speaker, text[c.content_start or 0 : c.content_end or 0]) for c in claims] == [(speaker, content)]


def test_claims_scare_quoted_word_is_no_quotation() -> None:
    text = "\u201cBold\u201d said nothing to the workers."
    assert find_claims(_doc(text), article_id="a1") == []


def test_claims_transcript_speakers_in_capitals() -> None:
    text = ("Part of the exchange:\n\n\"HOST: Will the ferry run on Sunday?\n\n"
            "\"MINISTER: The ferry will run on Sunday as planned.")
    claims = find_claims(_doc(text), article_id="a1")
    assert [(c.speaker, text[c.content_start or 0 : c.content_end or 0]) for c in claims] == [
        ("HOST", "Will the ferry run on Sunday"), ("MINISTER", "The ferry will run on Sunday as planned")]


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        ("The auditors knew that the accounts were false.", "know", "The auditors"),
        ("Many residents feel that the curfew is too strict.", "feel", "Many residents"),
    ],
)
def test_claims_cognition_verbs_with_a_clause(text: str, cue: str, speaker: str) -> None:
    assert _only(find_claims(_doc(text), article_id="a1"), cue).speaker == speaker


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a belief the speaker reports of themself is one claim, as sure as the weaker cue
        ("The mayor said she expects the bridge to reopen soon.", [("The mayor", "say", "hedged")]),
        ("The agency said it hopes the talks will resume.", [("The agency", "say", "speculative")]),
        # someone else's belief stays a claim of its own
        ("The minister said analysts believe the plant was rebuilt.",
         [("The minister", "say", "reported"), ("analysts", "believe", "hedged")]),
    ],
)
def test_claims_own_belief_folds_into_the_outer_claim(text: str, expected: list[tuple[str, str, str]]) -> None:
    claims = find_claims(_doc(text), article_id="a1")
    assert [(c.speaker, c.cue, c.certainty) for c in claims] == expected


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "content"),
    [
        # a relative pronoun speaks for the noun it hangs on
        ("The mayor, who said the dam would hold, left early.", "say", "who", "the dam would hold"),
        # an emotion participle with a that-clause states what the subject holds
        ("Farmers were frustrated that the canal stayed closed.", "frustrated", "Farmers", "the canal stayed closed"),
        # any noun subject of a verb with a 'that'-clause holds that clause
        ("The audit establishes that the payments were never made.", "establish", "The audit",
         "the payments were never made"),
    ],
)
def test_claims_speakers_of_relative_and_emotion_clauses(text: str, cue: str, speaker: str, content: str) -> None:
    claim = _only(find_claims(_doc(text), article_id="a1"), cue)
    assert (claim.speaker, text[claim.content_start or 0 : claim.content_end or 0]) == (speaker, content)


def test_claims_relative_pronoun_speaker_takes_its_noun_type() -> None:
    claim = _only(find_claims(_doc("The defence ministry, which said the jets never left the base, closed the airfield."),
                              article_id="a1"), "say")
    assert (claim.speaker, claim.source_type) == ("which", "military")


@pytest.mark.parametrize(
    ("text", "cue", "certainty", "event"),
    [
        # what a speaker wants or seeks has not happened: an event inside it is speculative
        ("The army seeks to capture the northern port.", "seek", "speculative", "capture"),
        ("Moscow wants to expel the envoy.", "want", "speculative", "expel"),
    ],
)
def test_claims_wanted_acts_are_speculative(text: str, cue: str, certainty: str, event: str) -> None:
    doc = _doc(text)
    claims = find_claims(doc, article_id="a1")
    assert _only(claims, cue).certainty == certainty
    ev = _event(doc, event)
    link_events([ev], claims)
    assert ev.certainty == certainty


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "content"),
    [
        # the reported clause the parser hangs on "a statement" is still the verb's
        ("The ministry said in a statement that the convoy was hit.", "say", "The ministry", "the convoy was hit"),
        # a document or survey introducing a clause is its source
        ("In the latest Gallup survey, the governor led by four points.", "In", "the latest Gallup survey",
         "the governor led by four points"),
        ("In a leaked memo, the minister ranks three failures.", "In", "a leaked memo",
         "the minister ranks three failures"),
    ],
)
def test_claims_statements_and_documents_as_sources(text: str, cue: str, speaker: str, content: str) -> None:
    claim = _only(find_claims(_doc(text), article_id="a1"), cue)
    assert (claim.speaker, text[claim.content_start or 0 : claim.content_end or 0]) == (speaker, content)


@pytest.mark.parametrize(
    "text",
    [
        "The convoy was in the town for two days.",  # a place, not a source
        "For two days, the convoy waited at the border.",  # a duration, not a viewpoint
    ],
)
def test_claims_prepositions_that_name_no_source(text: str) -> None:
    assert find_claims(_doc(text), article_id="a1") == []


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "content"),
    [
        ("\u201cThey stole the harvest,\u201d the farmer shouted.", "shout", "the farmer", "They stole the harvest,"),
        ("The crowd chanted \u201cNo more taxes\u201d outside the hall.", "chant", "The crowd", "No more taxes"),
        ("The governor conceded that the levee failed.", "concede", "The governor", "the levee failed"),
    ],
)
def test_claims_manner_of_speaking_verbs(text: str, cue: str, speaker: str, content: str) -> None:
    claim = _only(find_claims(_doc(text), article_id="a1"), cue)
    assert (claim.speaker, text[claim.content_start or 0 : claim.content_end or 0]) == (speaker, content)


def test_claims_manner_of_speaking_needs_a_quotation() -> None:
    assert find_claims(_doc("The crowd shouted at the police."), article_id="a1") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mayor Says New Bridge Will Open In May\n\nThe bridge is closed.",
         [("Mayor", "say", "New Bridge Will Open In May")]),
        ("Senator Warns Of Shutdown As Talks Stall\n\nThe talks stalled.",
         [("Senator", "warn", "Of Shutdown As Talks Stall")]),
        # a title-case headline without a reporting verb holds no claim
        ("Storm Batters Coast, Thousands Without Power\n\nThe storm hit the coast.", []),
    ],
)
def test_claims_title_case_headlines(text: str, expected: list[tuple[str, str, str]]) -> None:
    claims = find_claims(_doc(text), article_id="a1")
    assert [(c.speaker, c.cue, text[c.content_start or 0 : c.content_end or 0]) for c in claims] == expected


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "content"),
    [
        ("The minister was quoted as saying the border would stay shut.", "say", "The minister",
         "the border would stay shut"),
        # a passive with its agent: what was confirmed or denied is the subject
        ("The drone attack was confirmed by the regional governor.", "confirm", "the regional governor",
         "The drone attack"),
    ],
)
def test_claims_quoted_as_saying_and_passive_with_agent(text: str, cue: str, speaker: str, content: str) -> None:
    claim = _only(find_claims(_doc(text), article_id="a1"), cue)
    assert (claim.speaker, text[claim.content_start or 0 : claim.content_end or 0]) == (speaker, content)


def test_claims_sentence_final_cue_the_parser_read_as_a_noun() -> None:
    text = "The senator gave $5,000 to the campaign, election records compiled by a watchdog show."
    claim = _only(find_claims(_doc(text), article_id="a1"), "show")
    assert (claim.speaker, text[claim.content_start or 0 : claim.content_end or 0]) == (
        "election records compiled by a watchdog", "The senator gave $5,000 to the campaign")


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        ("The minister listed three demands for the ceasefire.", "list", "The minister"),
        ("The note read: \u201cWe will not surrender the town.\u201d", "read", "The note"),
    ],
)
def test_claims_accounts_and_written_words(text: str, cue: str, speaker: str) -> None:
    assert _only(find_claims(_doc(text), article_id="a1"), cue).speaker == speaker


@pytest.mark.parametrize("text", ["The soldiers read the map.", "The factory offered jobs to refugees."])
def test_claims_reading_and_offering_things_are_no_claims(text: str) -> None:
    assert find_claims(_doc(text), article_id="a1") == []


def test_claims_naming_verb_with_object_and_predicate() -> None:
    text = "The minister branded the strike an act of terror."
    claim = _only(find_claims(_doc(text), article_id="a1"), "brand")
    assert text[claim.content_start or 0 : claim.content_end or 0] == "the strike an act of terror"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("WASHINGTON -- The defense secretary said the talks would resume.", "The defense secretary"),
        ("KYIV, May 3 (Reuters) - The Ukrainian army said it repelled an attack.", "The Ukrainian army"),
        ("Lee Min-ji said the launch failed.", "Lee Min-ji"),  # a hyphen inside a name is no dateline dash
    ],
)
def test_claims_dateline_is_no_part_of_the_speaker(text: str, speaker: str) -> None:
    assert _only(find_claims(_doc(text), article_id="a1"), "say").speaker == speaker

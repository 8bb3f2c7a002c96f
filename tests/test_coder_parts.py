"""The learned coder's parts, each on its own: the doc view, candidates, dependency paths, role tidying, the
linear learner, stand-off labels and the code tables."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from newswatch.coder.candidates import Candidate, candidates
from newswatch.coder.coder import Prediction, negation_status
from newswatch.coder.codes import PLOVER_TYPES, acled_for, cameo_for, modes_of, plover_of_cameo
from newswatch.coder.features import (
    argument_candidates,
    dep_path,
    inside_name,
    predicate_features,
    status_features,
)
from newswatch.coder.labels import read_labels
from newswatch.coder.lexicon import load_lexicon
from newswatch.coder.linear import LinearModel, fit
from newswatch.coder.roles import choose_roles
from newswatch.coder.view import doc_view
from newswatch.errors import ConfigError, InputError
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return STAGES.nlp


def test_view_matches_spacy_tokens(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Turkish troops shelled Kurdish positions near Kobani. The United Nations urged restraint.")
    v = doc_view(doc)
    assert v.text == [t.text for t in doc]
    assert v.head == [t.head.i for t in doc]
    assert v.idx == [t.idx for t in doc]
    assert v.lemma == [t.lemma_.lower() for t in doc]
    assert [sorted(c) for c in v.children] == [sorted(c.i for c in t.children) for t in doc]
    assert len(v.sent_starts) == 2 and v.sentence_of(len(doc) - 1) == 1
    assert v.tensor is not None and v.tensor.shape[0] == len(doc)
    assert doc_view(doc) is v  # cached on the doc


def test_a_trigger_the_parse_negates_is_negated_unless_its_negation_is_the_event(nlp) -> None:  # type: ignore[no-untyped-def]
    def status(text: str, word: str, plover_type: str, model_says: str = "asserted") -> str:
        v = doc_view(nlp(text))
        return negation_status(v, v.lower.index(word), plover_type, model_says)

    assert status("Police did not arrest the protesters in Nairobi.", "arrest", "COERCE") == "negated"
    assert status("The minister never met the ambassador.", "met", "CONSULT") == "negated"
    assert status("Police arrested the protesters in Nairobi.", "arrested", "COERCE") == "asserted"
    # refusing or faulting is the event itself (NEWS_GUIDE.md: "refused to" is REJECT and asserted)
    assert status("Iran said it would not negotiate with Washington.", "negotiate", "REJECT") == "asserted"
    assert status("The editorial said the plan did not show good judgment.", "show", "ACCUSE") == "asserted"
    # what the status model says otherwise stands
    assert status("Troops will not deploy to the border.", "deploy", "MOBILIZE", "future") == "future"
    coded = STAGES.coder.code_doc(nlp("Police did not arrest the protesters in Nairobi."), article_id="n")
    assert [e.negated for e in coded if e.plover_type == "COERCE"] == [True]


def test_status_features_join_a_negation_with_the_type(nlp) -> None:  # type: ignore[no-untyped-def]
    lex = load_lexicon()

    def feats(text: str, word: str, plover_type: str) -> list[str]:
        doc = nlp(text)
        v = doc_view(doc)
        cand = next(c for c in candidates(v, 0, len(doc), lex.event_nouns) if v.lower[c.i] == word)
        return status_features(predicate_features(v, cand, lex, len(doc)), plover_type)

    negated = feats("Police did not arrest the protesters.", "arrest", "COERCE")
    assert "neg|T=COERCE" in negated and "T=COERCE" in negated
    assert "neg|T=CONSULT" in feats("The minister never met the ambassador.", "met", "CONSULT")
    # a negation of the governing clause: "would not agree to meet"
    assert "gaux0=not|T=REJECT" in feats("Iran would not agree to meet the envoy.", "meet", "REJECT")
    plain = feats("Police arrested the protesters.", "arrested", "COERCE")
    assert "T=COERCE" in plain and not [f for f in plain if f.endswith("|T=COERCE")]


def test_a_word_inside_a_longer_name_is_no_participant_of_its_own(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("The United States condemned the Democratic People's Republic of Korea and met Canada, France and Japan.")
    v = doc_view(doc)
    inside = {v.text[i] for i in range(len(doc)) if inside_name(v, i)}
    assert "Korea" in inside and "Republic" not in inside and "States" not in inside
    # members of a list are names of their own
    assert not inside & {"Canada", "France", "Japan"}
    condemned = v.lower.index("condemned")
    lo, hi = v.sent_starts[0], v.sent_ends[0]
    found = {v.text[c] for c, _ in argument_candidates(v, condemned, lo, hi)}
    assert "Republic" in found and "Korea" not in found and "France" in found


def test_a_trigger_naming_the_protesters_is_their_own_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    coder = STAGES.coder
    v = doc_view(nlp("Security forces fired tear gas at the protesters outside parliament."))
    i = v.lower.index("protesters")
    gas, forces = v.lower.index("gas"), v.lower.index("forces")
    pred = Prediction(Candidate(i, "N"), "PROTEST", 0.9, "asserted", None, actors=[gas], recipients=[forces, i])
    coder._own_actor(v, pred)
    assert pred.actors == [i] and pred.recipients == [forces]
    # another noun trigger keeps the role model's choice
    j = v.lower.index("gas")
    other = Prediction(Candidate(j, "N"), "ASSAULT", 0.9, "asserted", None, actors=[forces], recipients=[i])
    coder._own_actor(v, other)
    assert other.actors == [forces] and other.recipients == [i]
    coded = coder.code_doc(nlp("Police did not arrest the protesters in Nairobi."), article_id="p")
    assert all("Police" not in [a.text for a in e.actors] for e in coded if e.plover_type == "PROTEST")


def test_candidates_are_full_verbs_and_event_nouns(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("The ministers will hold talks on Monday after the army had withdrawn.")
    v = doc_view(doc)
    found = {v.text[c.i]: c.kind for c in candidates(v, 0, len(doc), load_lexicon().event_nouns)}
    assert found.get("hold") == "V" and found.get("withdrawn") == "V" and found.get("talks") == "N"
    assert "will" not in found and "had" not in found  # auxiliaries are no predicates
    assert "Monday" not in found and "army" not in found


def test_dependency_path_names_prepositions(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Russia sent tanks to Belarus.")
    v = doc_view(doc)
    sent, russia, belarus = 1, 0, 4
    assert dep_path(v, sent, russia) == ("vnsubj",)
    path = dep_path(v, sent, belarus)
    assert path is not None and path[0].endswith("_to") and path[1] == "vpobj"  # the preposition is named
    cands = dict(argument_candidates(v, sent, 0, len(doc)))
    assert set(cands) == {0, 2, 4}  # Russia, tanks, Belarus; never the verb or the preposition


def test_roles_drop_modifiers_of_chosen_phrases_and_add_conjuncts(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("U.S. officials and French diplomats met Iranian negotiators.")
    v = doc_view(doc)
    us, officials, diplomats, negotiators = 0, 1, 4, 6
    probs = np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    roles = choose_roles(v, [us, officials, diplomats, negotiators], probs)
    # "U.S." sits inside the chosen "U.S. officials"; "diplomats" joins as the conjunct of a chosen actor
    assert roles.actors == [officials, diplomats]
    assert roles.recipients == [negotiators]


def test_an_empty_role_takes_its_likeliest_candidate_above_the_fallback(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("The ministers agreed to stand with the people of Ukraine and their neighbours.")
    v = doc_view(doc)
    ministers, people, ukraine, neighbours = 1, 7, 9, 12
    # no candidate is sure of being the recipient; "people" is the likeliest; "ministers" is a sure actor
    probs = np.array([[0.1, 0.8, 0.1], [0.7, 0.02, 0.28], [0.8, 0.05, 0.15], [0.75, 0.22, 0.03]])
    toks = [ministers, people, ukraine, neighbours]
    assert choose_roles(v, toks, probs, actor_threshold=0.3, recipient_threshold=0.3).recipients == []
    roles = choose_roles(v, toks, probs, actor_threshold=0.3, recipient_threshold=0.3, recipient_fallback=0.15)
    assert roles.actors == [ministers] and roles.recipients == [people, neighbours]  # its conjunct joins it
    # above the fallback but likelier an actor than a recipient ("neighbours") is never taken as the recipient
    assert choose_roles(v, [neighbours], probs[3:], recipient_threshold=0.3, recipient_fallback=0.01).recipients == []
    # a fallback the likeliest does not clear leaves the role empty; a filled role is never topped up
    assert choose_roles(v, toks, probs, actor_threshold=0.3, recipient_threshold=0.3, recipient_fallback=0.3).recipients == []
    assert choose_roles(v, toks, probs, actor_threshold=0.3, actor_fallback=0.01).actors == [ministers]


def _rows() -> tuple[list[list[str]], list[str]]:
    rows, labels = [], []
    for i in range(60):
        word = ["attack", "meet", "bake"][i % 3]
        rows.append(["b", "l=" + word, f"noise={i % 7}"])
        labels.append({"attack": "ASSAULT", "meet": "CONSULT", "bake": "NONE"}[word])
    return rows, labels


def test_linear_model_learns_and_is_deterministic(tmp_path: Path) -> None:
    rows, labels = _rows()
    a = fit("type", rows, labels, classes=["NONE", "ASSAULT", "CONSULT"], l2=0.1, min_count=1)
    b = fit("type", rows, labels, classes=["NONE", "ASSAULT", "CONSULT"], l2=0.1, min_count=1)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
    for word, label in (("attack", "ASSAULT"), ("meet", "CONSULT"), ("bake", "NONE")):
        p = a.proba(["b", "l=" + word])
        assert a.classes[int(np.argmax(p))] == label and p.max() > 0.8
    probs = a.proba_many([["b", "l=attack"], ["b", "l=unseen"]])
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1.0)
    a.save(tmp_path)
    c = LinearModel.load(tmp_path, "type")
    assert c.classes == a.classes and c.vocab == a.vocab
    assert np.allclose(c.proba(["b", "l=meet"]), a.proba(["b", "l=meet"]), atol=1e-3)  # stored as float16


def test_linear_model_refuses_a_damaged_file(tmp_path: Path) -> None:
    rows, labels = _rows()
    fit("type", rows, labels, min_count=1).save(tmp_path)
    meta = json.loads((tmp_path / "type.features.json").read_text(encoding="utf-8"))
    meta["features"] = meta["features"][:-1]
    (tmp_path / "type.features.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ConfigError, match="damaged"):
        LinearModel.load(tmp_path, "type")
    with pytest.raises(ConfigError, match="retrain"):
        LinearModel.load(tmp_path, "role")


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _one_record_corpus(path: Path) -> tuple[str, int]:
    """A text file of one record (id r1) whose second sentence is labelled: (that sentence, its offset)."""
    body = "Intro line. Rebels seized the town of Kidal on Sunday. Closing line."
    sent = "Rebels seized the town of Kidal on Sunday."
    path.write_text(json.dumps({"id": "r1", "text": body}) + "\n", encoding="utf-8")
    return sent, body.index(sent)


def test_labels_join_the_text_they_point_into(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    sent, start = _one_record_corpus(tmp_path / "texts" / "corpus.jsonl")
    label = {
        "sid": "x1", "source": "corpus.jsonl", "record": "r1", "start": start, "end": start + len(sent),
        "sha1": _sha1(sent), "split": "test",
        "events": [{"type": "ASSAULT", "status": "asserted", "trigger": [7, 13],
                    "actors": [{"span": [0, 6], "country": "MLI", "sector": "REB"}], "recipients": []}],
    }  # fmt: skip
    changed = dict(label, sid="x2", sha1=_sha1("something else"))
    missing = dict(label, sid="x3", record="nope")
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(r) for r in (label, changed, missing)) + "\n", encoding="utf-8")
    sentences, problems = read_labels(labels, [tmp_path / "texts"])
    assert [s.sid for s in sentences] == ["x1"]
    s = sentences[0]
    assert s.text == sent and s.split == "test"
    e = s.events[0]
    assert s.text[e.trigger[0] : e.trigger[1]] == "seized" and s.text[e.actors[0].start : e.actors[0].end] == "Rebels"
    assert any("checksum" in p for p in problems) and any("no text" in p for p in problems)
    with pytest.raises(InputError, match="not found"):
        read_labels(labels, [tmp_path / "nowhere"])


def test_labels_the_guide_does_not_allow_are_left_out_with_their_reason(tmp_path: Path) -> None:
    sent, start = _one_record_corpus(tmp_path / "corpus.jsonl")
    event = {"type": "ASSAULT", "status": "asserted", "trigger": [7, 13],
             "actors": [{"span": [0, 6], "country": "MLI", "sector": "REB"}], "recipients": []}  # fmt: skip
    good = {"sid": "ok", "source": "corpus.jsonl", "record": "r1", "start": start, "end": start + len(sent),
            "sha1": _sha1(sent), "events": [event]}  # fmt: skip

    def bad(sid: str, **change: object) -> dict:
        return dict(good, sid=sid, events=[dict(event, **change)])

    actor = event["actors"][0]  # type: ignore[index]
    rows = [
        good,
        bad("type", type="ATTACK"),
        bad("status", status="negatd"),
        bad("mode", mode="carpet-bombing"),
        bad("trigger", trigger=[30, 60]),
        bad("span", actors=[dict(actor, span=[6, 0])]),
        bad("country", actors=[dict(actor, country="Mali")]),
        bad("sector", actors=[dict(actor, sector="REBELS")]),
        dict(good, sid="events", events="ASSAULT"),
        dict(good, sid="end", end=200, sha1=None),
    ]
    labels = tmp_path / "labels.jsonl"
    lines = [json.dumps(r) for r in rows] + ["[1, 2]", "{not json"]
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sentences, problems = read_labels(labels, [tmp_path / "corpus.jsonl"])
    # the faulty sentence is left out whole (its other events alone would teach that the faulty one is none)
    assert [s.sid for s in sentences] == ["ok"]
    assert len(problems) == len(lines) - 1
    for needle in ("'ATTACK' is not a PLOVER type", "'negatd' is not one of", "'carpet-bombing' is not a mode",
                   "trigger [30, 60] is not a span of the 42-character sentence", "span [6, 0]",
                   "'Mali' is not a three-letter code", "'REBELS' is not a PLOVER sector", "not a list",
                   "of the 68-character text of the record", "not an object", "malformed label (JSONDecodeError"):  # fmt: skip
        assert sum(needle in p for p in problems) == 1, needle
    assert all(p.startswith("line ") and "left out" in p for p in problems)


def test_labels_survive_text_and_label_files_in_the_wrong_encoding(tmp_path: Path) -> None:
    sent = "Rebels seized the town of Kidal on Sunday."
    good = json.dumps({"id": "r1", "text": sent}).encode("utf-8")
    # one line of the text file is Latin-1: only that record is lost, the others stay readable
    (tmp_path / "corpus.jsonl").write_bytes(b'{"id": "r0", "text": "caf\xe9 line"}\n' + good + b"\n")
    label = {"sid": "x1", "source": "corpus.jsonl", "record": "r1", "start": 0, "end": len(sent), "sha1": _sha1(sent),
             "events": []}  # fmt: skip
    missing = dict(label, sid="x0", record="r0", end=4, sha1=None)
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(label) + "\n" + json.dumps(missing) + "\n", encoding="utf-8")
    sentences, problems = read_labels(labels, [tmp_path / "corpus.jsonl"])
    assert [s.sid for s in sentences] == ["x1"] and sentences[0].text == sent
    assert len(problems) == 1 and "no text for corpus.jsonl record r0" in problems[0]
    # a JSON text file that cannot be decoded is read once and named in each label pointing into it
    (tmp_path / "page.json").write_bytes(b'\xff{"text": "x"}')
    page = dict(label, sid="p", source="page.json", record="page", end=1, sha1=None)
    labels.write_text(json.dumps(page) + "\n" + json.dumps(dict(page, sid="q")) + "\n", encoding="utf-8")
    sentences, problems = read_labels(labels, [tmp_path])
    assert sentences == [] and len(problems) == 2 and all("page.json is not UTF-8" in p for p in problems)
    # a labels file that is not text at all is an input error that says so, not a traceback
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_labels(binary, [tmp_path / "corpus.jsonl"])


def test_inline_labels_place_their_quotes_and_mix_with_stand_off_ones(tmp_path: Path) -> None:
    sent, start = _one_record_corpus(tmp_path / "corpus.jsonl")
    standoff = {"sid": "s1", "source": "corpus.jsonl", "record": "r1", "start": start, "end": start + len(sent),
                "sha1": _sha1(sent), "events": []}  # fmt: skip
    text = "The army said on Monday that the army shelled the village."
    inline = {"id": "i1", "text": text, "article": "a-17", "split": "test",
              "events": [{"type": "ASSAULT", "trigger": "shelled", "status": "asserted",
                          "actors": [{"text": "the army", "country": None, "sector": "MIL"}],
                          "recipients": [{"text": "the village", "country": None, "sector": "CVL"}]}]}  # fmt: skip
    same_article = {"id": "i2", "text": "Nothing else happened.", "article": "a-17", "events": []}
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(r) for r in (standoff, inline, same_article)) + "\n", encoding="utf-8")
    sentences, problems = read_labels(labels, [tmp_path / "corpus.jsonl"])
    assert problems == [] and [s.sid for s in sentences] == ["s1", "i1", "i2"]
    s1, i1, i2 = sentences
    assert s1.text == sent and i1.text == text and i1.split == "test" and i2.split == "train"
    e = i1.events[0]
    assert text[e.trigger[0] : e.trigger[1]] == "shelled"
    # the participant quoted twice is the occurrence nearest the trigger, not the first
    assert e.actors[0].start == text.index("the army shelled") and e.actors[0].sector == "MIL"
    assert text[e.recipients[0].start : e.recipients[0].end] == "the village"
    # sentences of one article stay one article (training keeps it whole when it sets a tuning part apart)
    assert (i1.source, i1.record) == (i2.source, i2.record) != (s1.source, s1.record)


def test_a_labelled_sentence_is_parsed_with_its_publishers_country(tmp_path: Path) -> None:
    """The record's web address reaches the parse as the publisher's country (as in a run), and the gold file
    for ``newswatch code`` keeps it; a record without one gets no country."""
    from newswatch.coder.labels import to_gold_json
    from newswatch.coder.training import parse_all
    from newswatch.registry import Stages

    sent = "We will work with our partners."
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "a", "url": "https://www.whitehouse.gov/briefing-room/x", "text": sent}) + "\n"
        + json.dumps({"id": "b", "text": sent}) + "\n"
        + json.dumps({"id": "c", "url": 5, "text": sent}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    rows = [
        {"sid": rid, "source": "c.jsonl", "record": rid, "start": 0, "end": len(sent), "sha1": _sha1(sent),
         "events": []}
        for rid in "abc"
    ]  # fmt: skip
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    sentences, problems = read_labels(labels, [tmp_path / "c.jsonl"])
    assert not problems
    assert [s.url for s in sentences] == ["https://www.whitehouse.gov/briefing-room/x", "", ""]
    assert [g.get("url") for g in to_gold_json(sentences)] == ["https://www.whitehouse.gov/briefing-room/x", None, None]
    stages = Stages(None)
    parsed = parse_all(sentences, nlp=stages.nlp, resolver=stages.actors)
    assert [p.context.home_country for p in parsed] == ["USA", None, None]


def test_written_sentences_are_fitted_on_but_never_choose_thresholds(tmp_path: Path) -> None:
    from newswatch.coder.training import _in_tuning

    sent = "Rebels seized the town of Kidal on Sunday."
    (tmp_path / "own.jsonl").write_text(
        "".join(json.dumps({"id": f"o{i}", "text": sent}) + "\n" for i in range(200)), encoding="utf-8"
    )
    rows = [
        {"sid": f"o{i}", "source": "own.jsonl", "record": f"o{i}", "start": 0, "end": len(sent),
         "sha1": _sha1(sent), "split": "train", "stratum": stratum, "events": []}
        for i in range(200)
        for stratum in (["own"] if i < 100 else ["random"])
    ]  # fmt: skip
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    sentences, problems = read_labels(labels, [tmp_path / "own.jsonl"])
    assert not problems and len(sentences) == 200
    written = [s for s in sentences if s.written]
    real = [s for s in sentences if not s.written]
    assert len(written) == 100 and len(real) == 100
    assert not any(_in_tuning(s, 50) for s in written)
    assert 20 < sum(_in_tuning(s, 50) for s in real) < 80  # real articles are still drawn by their hash


def test_codes_follow_type_and_mode() -> None:
    assert plover_of_cameo("190") == "ASSAULT" and plover_of_cameo("083") == "CONCEDE"
    assert plover_of_cameo("084") == "RETREAT" and plover_of_cameo("010") is None
    assert cameo_for("ASSAULT", "aerial") == "195"
    assert cameo_for("ASSAULT", "no-such-mode") == "180"
    assert acled_for("ASSAULT", "aerial") == "AIR_STRIKE"
    # the sentence's cue label wins when it belongs to the type's family, not otherwise
    assert acled_for("ASSAULT", None, sentence_label="SUIC_BOMB") == "SUIC_BOMB"
    assert acled_for("ASSAULT", None, sentence_label="PEACE_PROTEST") == "ATTACK"
    assert acled_for("ASSAULT", None, two_sided=True) == "ARMED_CLASH"
    assert acled_for("CONSULT", None) is None
    assert "arrest" in modes_of("COERCE") and all(cameo_for(t, None) for t in PLOVER_TYPES)


def test_coder_types_are_the_cameo_tables_types() -> None:
    from newswatch.codes import plover_types

    assert set(PLOVER_TYPES) == plover_types() and len(PLOVER_TYPES) == 16


def test_a_dateline_says_where_a_report_was_filed_not_who_acted(nlp) -> None:  # type: ignore[no-untyped-def]
    from newswatch.coder.features import dateline

    def opening(text: str) -> list[str]:
        doc = nlp(text)
        v = doc_view(doc)
        return [v.text[i] for i in dateline(v, 0, len(doc))]

    assert opening("BAGHDAD -- Gunmen ambushed a police patrol near the airport.") == ["BAGHDAD", "--"]
    assert opening("NAIROBI, May 4 (Lakeside Wire) - Police detained six students.")[-1] == "-"
    assert opening("NATO - the alliance - met on Monday.") == []  # a dash that opens an aside
    assert opening("SEOUL -- North Korea fired short-range missiles.") == ["SEOUL", "--"]  # a hyphen is no aside
    assert opening("Gunmen ambushed a police patrol near the airport.") == []
    # the learned coder never takes the dateline's city as the actor
    doc = nlp("BAGHDAD -- Gunmen ambushed a police patrol near the airport on Sunday, officials said.")
    events = list(STAGES.coder.code_doc(doc, article_id="t"))
    assert events and all(a.text != "BAGHDAD" for e in events for a in e.actors + e.recipients)
    # nor a dateline with a date and an agency, where "short-range" has a hyphen further on
    doc = nlp("BAGHDAD, May 2 (Lakeside Wire) -- Iraqi forces shelled militant positions near short-range rocket sites.")
    events = list(STAGES.coder.code_doc(doc, article_id="t"))
    assert events and all(not a.text.startswith("BAGHDAD") for e in events for a in e.actors + e.recipients)


def test_role_fallbacks_are_chosen_only_when_they_beat_leaving_roles_empty() -> None:
    from newswatch.coder.training import TrainConfig, choose_fallbacks

    def tuning(gain: dict[tuple[float | None, float | None], float]):  # type: ignore[no-untyped-def]
        def on_tuning(th: dict) -> dict:  # type: ignore[type-arg]
            return {"full_f1": 0.30 + gain.get((th.get("actor_fallback"), th.get("recipient_fallback")), 0.0)}

        return on_tuning

    said: list[str] = []
    config = TrainConfig(role_fallbacks=(None, 0.1, 0.2))
    base = {"type": 0.3, "actor": 0.3, "recipient": 0.3}
    chosen = choose_fallbacks(tuning({(None, 0.2): 0.02, (0.1, 0.2): 0.03, (0.2, 0.1): -0.05}), base, config, said.append)
    assert chosen == {"actor_fallback": 0.1, "recipient_fallback": 0.2}
    assert choose_fallbacks(tuning({(None, 0.2): 0.04}), base, config, said.append) == {"recipient_fallback": 0.2}
    # nothing better than leaving empty roles empty: no fallback at all
    assert choose_fallbacks(tuning({(0.1, 0.1): -0.01}), base, config, said.append) == {}
    assert "without 0.300" in said[0]

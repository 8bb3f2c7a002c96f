"""The sentence type model on its own (its forward pass, files and refusals), its second opinion over a
sentence's candidates (``select``), and the coder with a sentence model whose opinion is known."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from newswatch.coder.coder import LearnedCoder
from newswatch.coder.model import load_model
from newswatch.coder.sentence import CandidateEvent, SentenceTypeModel, select, words_of
from newswatch.errors import ConfigError
from newswatch.registry import Stages

from ._sentence_model import TYPES, toy_sentence_model

_model = toy_sentence_model


def test_words_are_lower_cased_and_numbers_are_one_token() -> None:
    assert words_of("Troops SHELLED 3,000 homes; it's 2.5 km away.") == [
        "troops", "shelled", "0", "homes", "it's", "0", "km", "away",
    ]  # fmt: skip


def test_forward_pass_reads_known_words_and_skips_unknown_ones(tmp_path: Path) -> None:
    m = _model(["shelled", "talks"], np.array([[1.0, 0.0], [0.0, 1.0]]))
    shelled = m.proba("Troops shelled the town.")
    talks = m.proba("The ministers held talks.")
    nothing = m.proba("Zzz qqq.")
    assert shelled["ASSAULT"] > 0.9 > 0.1 > shelled["CONSULT"]
    assert talks["CONSULT"] > 0.9 > 0.1 > talks["ASSAULT"]
    # no known word: only the biases speak
    assert nothing["ASSAULT"] == pytest.approx(1 / (1 + np.exp(4.0)), rel=1e-4)
    many = m.proba_many(["Troops shelled the town.", "Zzz qqq."])
    assert many.shape == (2, 2) and many[0, 0] == pytest.approx(shelled["ASSAULT"], rel=1e-6)

    m.save(tmp_path)
    again = SentenceTypeModel.load(tmp_path)
    assert again.types == TYPES and again.words == ["shelled", "talks"] and again.meta["note"] == "test"
    assert again.proba("Troops shelled the town.")["ASSAULT"] == pytest.approx(shelled["ASSAULT"], abs=1e-3)


def test_damaged_or_mismatched_files_are_refused_with_a_way_out(tmp_path: Path) -> None:
    m = _model(["shelled", "talks"], np.array([[1.0, 0.0], [0.0, 1.0]]))
    m.save(tmp_path)
    (tmp_path / "sentence.npz").write_bytes(b"not an archive")
    with pytest.raises(ConfigError, match="cannot be read"):
        SentenceTypeModel.load(tmp_path)
    with pytest.raises(ConfigError, match="do not fit"):
        _model(["shelled"], np.array([[1.0, 0.0], [0.0, 1.0]]))  # two vectors for one word


def _c(t: str, p: float, counted: bool = True) -> CandidateEvent:
    return CandidateEvent(t, p, counted)


def test_select_drops_unlikely_types_and_adds_likely_ones() -> None:
    cands = [
        _c("ASSAULT", 0.6),
        _c("CONSULT", 0.5),
        _c("CONSULT", 0.05),
        _c("ACCUSE", 0.08),
        _c("ACCUSE", 0.03),
    ]
    probs = {"ASSAULT": 0.9, "CONSULT": 0.01, "ACCUSE": 0.7}
    picks = select(cands, probs, threshold=0.3, gate=0.1, add=0.5, floor=0.02)
    # ASSAULT kept on its own; CONSULT dropped (sentence model 0.01 < gate); the likelier ACCUSE added
    assert picks == [(0, None), (3, 0.7)]
    # without a second opinion (gate 0, add above 1) the candidates over the threshold are the events
    assert select(cands, probs, threshold=0.3, gate=0.0, add=2.0, floor=0.3) == [(0, None), (1, None)]


def test_select_never_drops_negated_events_nor_adds_an_uncounted_one() -> None:
    cands = [_c("CONSULT", 0.6, counted=False), _c("ASSAULT", 0.2, counted=False)]
    picks = select(cands, {"CONSULT": 0.0, "ASSAULT": 0.95}, threshold=0.3, gate=0.5, add=0.5, floor=0.02)
    assert picks == [(0, None)]


def test_select_adds_nothing_for_a_type_already_found_or_under_the_floor() -> None:
    cands = [_c("ASSAULT", 0.4), _c("ASSAULT", 0.2), _c("COERCE", 0.01)]
    picks = select(cands, {"ASSAULT": 0.9, "COERCE": 0.9}, threshold=0.3, gate=0.1, add=0.5, floor=0.02)
    assert picks == [(0, None)]


@pytest.fixture(scope="module")
def stages() -> Stages:
    return Stages()


def _coder(stages: Stages, second: SentenceTypeModel, **th: float) -> LearnedCoder:
    base = load_model()
    model = replace(base, thresholds={**base.thresholds, **th}, sentence_model=second)
    return LearnedCoder(model=model, resolver=stages.actors, rules=stages.rules_coder)


def _types(coder: LearnedCoder, stages: Stages, text: str) -> list[tuple[str, str]]:
    doc = stages.nlp(text)
    return [(e.plover_type, e.rule) for e in coder.code_doc(doc, article_id="t") if not e.negated]


def test_the_coder_follows_the_sentence_models_opinion(stages: Stages) -> None:
    text = "Russian forces shelled the city of Kharkiv on Tuesday, killing four civilians."
    plain = LearnedCoder(model=replace(load_model(), sentence_model=None), resolver=stages.actors,
                         rules=stages.rules_coder)  # fmt: skip
    assert "ASSAULT" in [t for t, _ in _types(plain, stages, text)]
    # a sentence model that finds no ASSAULT anywhere drops the event (gate 0.5)
    never = _model(["shelled"], np.array([[-1.0, 0.0]]), out_b=(-4.0, -4.0))
    assert "ASSAULT" not in [t for t, _ in _types(_coder(stages, never, sentence_gate=0.5), stages, text)]
    # one that is sure of CONSULT adds the sentence's likeliest CONSULT candidate, and says so
    talks = "The ministers sat down together in Geneva on Monday."
    assert "CONSULT" not in [t for t, _ in _types(plain, stages, talks)]
    sure = _model(["sat"], np.array([[0.0, 1.0]]), out_b=(-4.0, 4.0))
    added = _types(
        _coder(stages, sure, sentence_gate=0.0, sentence_add=0.5, sentence_floor=0.01), stages, talks
    )
    assert any(t == "CONSULT" for t, _ in added)
    assert any("sentence type model" in why for t, why in added if t == "CONSULT")


def _reference(m: SentenceTypeModel, text: str) -> np.ndarray:
    """The network as trained, one sentence, written out plainly: zero-padded width-3 windows, ReLU, max over the
    words; the mean word vector; hidden layer; sigmoid. No known word: both poolings are zero."""
    a = m.arrays
    ids = [m.words.index(w) + 1 for w in words_of(text) if w in m.words]
    dim = a["table"].shape[1]
    if ids:
        e = a["table"][ids]
        padded = np.vstack([np.zeros(dim), e, np.zeros(dim)])
        conv = np.array(
            [
                np.maximum(padded[k : k + 3].reshape(-1) @ a["conv_w"] + a["conv_b"], 0)
                for k in range(len(ids))
            ]
        )
        pooled, mean = conv.max(axis=0), e.mean(axis=0)
    else:
        pooled, mean = np.zeros(a["conv_w"].shape[1]), np.zeros(dim)
    h = np.maximum(np.concatenate([mean, pooled]) @ a["hidden_w"] + a["hidden_b"], 0)
    return 1 / (1 + np.exp(-(h @ a["out_w"] + a["out_b"])))


def test_a_batch_gives_each_sentence_what_the_network_gives_it_alone() -> None:
    rng = np.random.default_rng(3)
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
    dim, filters, hidden = 4, 5, 6
    m = SentenceTypeModel(
        types=TYPES, words=words,
        arrays={
            "table": np.vstack([np.zeros((1, dim)), rng.normal(size=(12, dim))]),
            "conv_w": rng.normal(size=(3 * dim, filters)), "conv_b": rng.normal(size=filters),
            "hidden_w": rng.normal(size=(dim + filters, hidden)), "hidden_b": rng.normal(size=hidden),
            "out_w": rng.normal(size=(hidden, 2)), "out_b": rng.normal(size=2),
        },
    )  # fmt: skip
    texts = [
        "Bravo charlie delta.", "", "echo zzz foxtrot", "golf", "nothing known", "hotel india juliet kilo lima",
        "delta bravo charlie",
    ]  # fmt: skip
    batch = m.proba_many(texts)
    expected = np.vstack([_reference(m, t) for t in texts])
    np.testing.assert_allclose(batch, expected, rtol=1e-5, atol=1e-6)
    # the convolution reads word order: the same words in another order read differently
    assert not np.allclose(batch[0], batch[6])
    # more sentences than one block (64) come back in order
    many = m.proba_many(texts * 20)
    np.testing.assert_allclose(many, np.vstack([expected] * 20), rtol=1e-5, atol=1e-6)

"""Cached sentence bounds agree with spaCy's own sentences and answer offset lookups."""

from __future__ import annotations

import pytest

from newswatch.registry import Stages
from newswatch.sentences import doc_text, sentences

STAGES = Stages()  # the parts a default run uses, built once per process

TEXT = "Troops crossed the river on Monday. Officials said talks would resume.\n\nA second paragraph follows here."


def test_sentences_match_spacy() -> None:
    doc = STAGES.nlp(TEXT)
    bounds = sentences(doc)
    expected = [(s.start, s.end, s.start_char, s.end_char) for s in doc.sents]
    got = list(zip(bounds.token_starts, bounds.token_ends, bounds.char_starts, bounds.char_ends, strict=True))
    assert got == expected
    assert sentences(doc) is bounds  # cached on the doc


@pytest.mark.parametrize(("word", "index"), [("Troops", 0), ("talks", 1), ("paragraph", 2)])
def test_sentences_index_of_char(word: str, index: int) -> None:
    doc = STAGES.nlp(TEXT)
    bounds = sentences(doc)
    k = bounds.index_of_char(TEXT.index(word))
    assert word in bounds.span(doc, k).text
    assert k == [i for i, s in enumerate(doc.sents) if word in s.text][0] == index


def test_sentences_of_an_empty_doc() -> None:
    assert len(sentences(STAGES.nlp(""))) == 0


def test_sentences_doc_text_is_built_once_and_equals_the_doc_text() -> None:
    doc = STAGES.nlp("Seoul said on Monday that the North fired a missile.\n\nTokyo agreed.")
    text = doc_text(doc)
    assert text == doc.text
    assert doc_text(doc) is text  # the same string object: not rebuilt from the tokens

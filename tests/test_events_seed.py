"""The seed story (shared corpus, not shipped): the events the project was built to find, and none from the
bio.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.models import CodedActor, Event
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process

SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed_article.txt"


@pytest.fixture(scope="module")
def events() -> list[Event]:
    if not SEED.exists():
        pytest.skip("shared/corpus/seed_article.txt is not here")
    doc = STAGES.nlp(SEED.read_text(encoding="utf-8"))
    return STAGES.rules_coder.code_doc(doc, article_id="seed")


def _countries(actors: list[CodedActor]) -> set[str | None]:
    return {a.country for a in actors}


def test_seed_weapons_test_by_north_korea(events: list[Event]) -> None:
    assert any(
        e.plover_type == "MOBILIZE" and e.mode == "weapons" and "PRK" in _countries(e.actors) for e in events
    )


def test_seed_shoigu_visit(events: list[Event]) -> None:
    assert any(
        e.plover_type == "CONSULT" and _countries(e.actors) == {"RUS"} and "PRK" in _countries(e.recipients)
        for e in events
    )


def test_seed_joint_exercises(events: list[Event]) -> None:
    assert any(e.plover_type == "COOPERATE" and {"USA", "KOR"} <= _countries(e.actors) for e in events)


def test_seed_denunciation(events: list[Event]) -> None:
    assert any(e.plover_type == "ACCUSE" and "PRK" in _countries(e.actors) for e in events)


def test_seed_missile_supply(events: list[Event]) -> None:
    assert any(
        e.plover_type == "AID" and _countries(e.actors) == {"RUS"} and "PRK" in _countries(e.recipients)
        for e in events
    )


def test_seed_troops_to_russia(events: list[Event]) -> None:
    assert any(
        e.plover_type in ("AID", "MOBILIZE")
        and "PRK" in _countries(e.actors)
        and "RUS" in _countries(e.recipients)
        for e in events
    )


def test_seed_no_event_from_author_bio(events: list[Event]) -> None:
    text = SEED.read_text(encoding="utf-8")
    bio_start = text.index("Original Source")
    assert [e for e in events if e.trigger_start > bio_start] == []

"""The real-news event scorer: hand-computed figures on a small gold file of our own sentences, and the same
figures as the shared reference scorer when ../shared is present."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newswatch.coder.scoring import score_news
from newswatch.evaluation.events import detect_format

from .conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "coder"


def _read(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_news_scorer_hand_computed_figures() -> None:
    figures = score_news(_read("news_gold.jsonl"), _read("news_pred.jsonl"))
    # counted gold: COERCE (g1), CONSULT and AGREE (g2), ACCUSE (g5); the negated ASSAULT of g4 is not counted
    assert figures["gold_events"] == 4
    # counted predictions: g1 1, g2 2 (a future COOPERATE counts), g5 2; the negated and the hypothetical do not
    assert figures["predicted_events"] == 5
    assert figures["type_p"] == pytest.approx(0.6)
    assert figures["type_r"] == pytest.approx(0.75)
    # full matches: the CONSULT of g2 and the first ACCUSE of g5; g1 misses the recipient country
    assert figures["full_f1"] == pytest.approx(round(2 * 0.4 * 0.5 / 0.9, 4))
    assert figures["actor_f1"] == pytest.approx(1.0)
    assert figures["recipient_f1"] == pytest.approx(round(2 / 3, 4))
    assert figures["quiet_rate"] == pytest.approx(1.0)
    assert figures["per_type"]["AGREE"] == {"tp": 0, "pred": 0, "gold": 1}
    assert figures["per_type"]["ACCUSE"] == {"tp": 1, "pred": 2, "gold": 1}


def test_news_gold_format_is_detected() -> None:
    assert detect_format(_read("news_gold.jsonl")[0]) == "news"


@pytest.mark.skipif(
    not (SHARED / "eval" / "events" / "score_news_events.py").exists(), reason="needs ../shared (the reference scorer)"
)
def test_news_scorer_agrees_with_the_reference_scorer() -> None:
    out = subprocess.run(
        [sys.executable, str(SHARED / "eval" / "events" / "score_news_events.py"), str(FIXTURES / "news_gold.jsonl"),
         str(FIXTURES / "news_pred.jsonl"), "--per-type"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    reference = json.loads(out.stdout)
    assert score_news(_read("news_gold.jsonl"), _read("news_pred.jsonl")) == reference

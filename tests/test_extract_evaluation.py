"""The extraction scorer: shingle precision/recall, metadata matching, and a run over a tiny gold directory."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newswatch.config import ExtractSettings
from newswatch.errors import ConfigError
from newswatch.evaluation.extraction import (
    body_scores,
    evaluate_extraction,
    normalise_authors,
    normalise_title,
    same_day,
)

PAGE = Path(__file__).parent / "fixtures" / "pages" / "news_article.html"


@pytest.mark.parametrize(
    ("predicted", "truth", "expected"),
    [
        ("a b c d e", "a b c d e", (1.0, 1.0)),
        # 2 shingles predicted, both right; truth has 3 shingles
        ("a b c d e", "a b c d e f", (1.0, 2 / 3)),
        # 3 shingles predicted (one wrong at the end: "c d e x"), truth 2
        ("a b c d e x", "a b c d e", (2 / 3, 1.0)),
        ("", "a b c d e", (0.0, 0.0)),
        # punctuation and case: tokens are \w+ matches, case kept
        ("a, b; c. d!", "a b c d", (1.0, 1.0)),
        # multisets: a repeated shingle counts as often as it appears in both
        ("a b c d a b c d", "a b c d", (0.2, 1.0)),
    ],
)
def test_extract_eval_body_scores(predicted: str, truth: str, expected: tuple[float, float]) -> None:
    assert body_scores(predicted, truth) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("Port Strike: Day Three!", "port strike day three", True),
        ("Port strike", "Port strike ends", False),
    ],
)
def test_extract_eval_title_normalisation(a: str, b: str, equal: bool) -> None:
    assert (normalise_title(a) == normalise_title(b)) is equal


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("By Jonas Keller", "jonas keller", True),
        ("Jonas Keller and Marta Ilves", "Marta Ilves, Jonas Keller", True),
        ("Jonas Keller", "Marta Ilves", False),
    ],
)
def test_extract_eval_author_normalisation(a: str, b: str, equal: bool) -> None:
    assert (normalise_authors(a) == normalise_authors(b)) is equal


@pytest.mark.parametrize(
    ("predicted", "truth", "equal"),
    [
        (datetime(2024, 3, 14, 23, 30, tzinfo=timezone(timedelta(hours=-5))), "2024-03-14", True),
        ("2024-03-14", "2024-03-14T08:00:00", True),
        ("2024-03-13", "2024-03-14", False),
        (None, "2024-03-14", False),
    ],
)
def test_extract_eval_same_day(predicted: object, truth: object, equal: bool) -> None:
    assert same_day(predicted, truth) is equal


def test_extract_eval_runs_over_a_gold_directory(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "truth").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(PAGE.read_bytes()))
    body = ("The strike by dock workers at the port of Valmora entered its third day on Thursday after talks "
            "between the union and the port authority broke up without agreement late on Wednesday night.")
    truth = {"url": "https://harbourtimes.example.com/x", "articleBody": body,
             "title": "Valmora port strike enters third day as talks stall", "author": "Marta Ilves",
             "publish_date": "2024-03-14"}
    (tmp_path / "truth" / "p1.json").write_text(json.dumps(truth))
    report = evaluate_extraction(tmp_path, settings=ExtractSettings())
    ours = report.as_dict()["systems"]["newswatch"]
    assert report.pages == 1
    assert ours["recall"] == 1.0 and 0 < ours["precision"] < 1
    assert ours["title_accuracy"] == 1.0 and ours["author_accuracy"] == 0.0 and ours["date_accuracy"] == 1.0
    assert set(report.as_dict()["systems"]) == {"newswatch", "trafilatura"}


def test_extract_eval_refuses_a_directory_without_gold(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="html/ and truth/"):
        evaluate_extraction(tmp_path, settings=ExtractSettings())

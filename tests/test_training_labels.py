"""The project's own training labels (training/events/) keep the rules they were made under: every label reads
back against its text, no sentence comes from an article of the dev set or repeats a dev sentence, the test split
is the fixed one, and our own sentences stay under a fifth of the corpus. Needs ../shared for the texts."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from newswatch.coder.labels import read_labels

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "training" / "events"
SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "events"

pytestmark = pytest.mark.skipif(not (DEV / "news_events.dev.jsonl").exists(), reason="../shared is not here")


def _rows(name: str) -> list[dict]:
    with (LABELS / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _grams(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)} or {" ".join(words)}


def _split_of(source: str, record: str) -> str:
    """The fixed rule of scripts/annotation/build_pool.py: 15 in 100 articles are test."""
    h = int(hashlib.sha1((source + "\t" + record).encode("utf-8")).hexdigest(), 16)
    return "test" if h % 100 < 15 else "train"


def test_every_label_reads_back_against_its_text() -> None:
    texts = [SHARED, LABELS / "own_sentences.jsonl", LABELS / "own_sentences_2.jsonl"]
    labelled, problems = read_labels(LABELS / "labels.jsonl", texts)
    assert problems == []
    assert len(labelled) == len(_rows("labels.jsonl"))


def test_no_label_comes_from_the_dev_set() -> None:
    dev_articles = set()
    for line in (DEV / "news_events.dev.sources.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            dev_articles.add(line.split("\t")[1])
    rows = _rows("labels.jsonl") + _rows("labels.second.jsonl")
    assert not [r["sid"] for r in rows if r["record"] in dev_articles]
    assert not [r["sid"] for r in rows if "case2021" in r["source"] or "plover" in r["source"]]
    dev_grams: set[str] = set()
    for line in (DEV / "news_events.dev.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            dev_grams |= _grams(json.loads(line)["text"])
    labelled, _ = read_labels(
        LABELS / "labels.jsonl", [SHARED, LABELS / "own_sentences.jsonl", LABELS / "own_sentences_2.jsonl"]
    )
    assert not [s.sid for s in labelled if _grams(s.text) & dev_grams]


def test_the_test_split_is_the_fixed_one_and_our_sentences_stay_under_a_fifth() -> None:
    rows = _rows("labels.jsonl")
    real = [r for r in rows if r.get("stratum") != "own"]
    assert not [r["sid"] for r in real if r["split"] != _split_of(r["source"], r["record"])]
    pool = {r["sid"]: r for r in _rows("pool.jsonl")}
    assert not [r["sid"] for r in real if pool[r["sid"]]["split"] != r["split"]]
    own = [r for r in rows if r.get("stratum") == "own"]
    assert own and all(r["split"] == "train" for r in own)
    assert len(own) <= len(rows) / 5

"""Training an event model from stand-off labels, end to end: `newswatch train events` on a small corpus written
for this test, the model it writes, that it codes new sentences of the same kinds, that training twice gives
the same weights, and `--event-model` on `code`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from newswatch.cli import register_all
from newswatch.coder.model import load_model

from ._sentence_model import toy_sentence_model

pytestmark = pytest.mark.slow

COUNTRIES = [
    ("Kenyan", "Kenya", "KEN"), ("Ugandan", "Uganda", "UGA"), ("Peruvian", "Peru", "PER"),
    ("Chilean", "Chile", "CHL"), ("Polish", "Poland", "POL"), ("Czech", "Czechia", "CZE"),
    ("Thai", "Thailand", "THA"), ("Malaysian", "Malaysia", "MYS"), ("Nepali", "Nepal", "NPL"),
    ("Bolivian", "Bolivia", "BOL"), ("Finnish", "Finland", "FIN"), ("Latvian", "Latvia", "LVA"),
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _corpus() -> list[dict]:
    """Sentences of three kinds (an attack, a meeting, nothing), labelled inline with offsets."""
    rows = []
    n = len(COUNTRIES)
    for k in range(36):
        adj_a, name_a, code_a = COUNTRIES[k % n]
        adj_b, name_b, code_b = COUNTRIES[(k * 5 + 3) % n]
        if code_a == code_b:
            adj_b, name_b, code_b = COUNTRIES[(k + 1) % n]
        day = DAYS[k % len(DAYS)]
        kind = k % 3
        if kind == 0:
            actor = f"{adj_a} troops"
            text = f"{actor} shelled {adj_b} border posts on {day}, officials said."
            trig, target = "shelled", f"{adj_b} border posts"
            ev = {"type": "ASSAULT", "mode": "heavy-weapons", "status": "asserted", "trigger": trig,
                  "actors": [(actor, code_a, "MIL")], "recipients": [(target, code_b, "MIL")]}  # fmt: skip
        elif kind == 1:
            actor = f"The foreign minister of {name_a}"
            text = f"{actor} met {name_b}'s prime minister in the capital on {day}."
            ev = {"type": "CONSULT", "mode": None, "status": "asserted", "trigger": "met",
                  "actors": [(actor, code_a, "GOV")], "recipients": [(f"{name_b}'s prime minister", code_b, "GOV")]}  # fmt: skip
        else:
            text = f"Markets in {name_a} were quiet on {day} as traders waited for harvest figures."
            ev = None
        events = []
        if ev is not None:
            t0 = text.index(ev["trigger"])
            events.append({
                "type": ev["type"], "mode": ev["mode"], "status": ev["status"], "trigger": [t0, t0 + len(ev["trigger"])],
                "actors": [{"span": [text.index(a), text.index(a) + len(a)], "country": c, "sector": s} for a, c, s in ev["actors"]],
                "recipients": [{"span": [text.index(a), text.index(a) + len(a)], "country": c, "sector": s} for a, c, s in ev["recipients"]],
            })  # fmt: skip
        rows.append(
            {"id": f"t{k:02d}", "text": text, "events": events, "split": "test" if k >= 30 else "train"}
        )
    return rows


def _write(tmp: Path) -> tuple[Path, Path]:
    texts = tmp / "texts"
    texts.mkdir()
    rows = _corpus()
    # the texts live in their own file (as third-party text would); the labels only point into them
    with (texts / "written.jsonl").open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"id": r["id"], "text": "Lead line.\n" + r["text"]}) + "\n")
    labels = tmp / "labels.jsonl"
    with labels.open("w", encoding="utf-8") as f:
        for r in rows:
            start = len("Lead line.\n")
            f.write(json.dumps({
                "sid": r["id"], "source": "written.jsonl", "record": r["id"], "start": start,
                "end": start + len(r["text"]), "sha1": hashlib.sha1(r["text"].encode("utf-8")).hexdigest(),
                "split": r["split"], "events": r["events"],
            }) + "\n")  # fmt: skip
    return texts, labels


def test_train_events_command_writes_a_model_that_codes_new_sentences(tmp_path: Path) -> None:
    texts, labels = _write(tmp_path)
    runner = CliRunner()
    app = register_all()
    out = tmp_path / "model"

    def args(folder: Path) -> list[str]:
        return ["train", "events", "--text", str(texts), "--labels", str(labels), "-o", str(folder),
                "--name", "mini", "--version", "t1", "--no-baseline"]  # fmt: skip

    result = runner.invoke(app, args(out))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["train_sentences"] == 30 and report["test_sentences"] == 6
    assert report["test"]["type_f1"] == pytest.approx(1.0)
    for name in ("meta.json", "MODEL_CARD.md", "type.weights.npz", "role.features.json"):
        assert (out / name).is_file()
    assert "mini-t1" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")

    # the same data and seed give the same model
    again = tmp_path / "again"
    assert runner.invoke(app, args(again)).exit_code == 0
    assert (out / "type.weights.npz").read_bytes() == (again / "type.weights.npz").read_bytes()

    # a sentence of neither split, coded with --event-model
    records = tmp_path / "in.jsonl"
    records.write_text(
        json.dumps({"id": "n1", "text": "Czech troops shelled Thai border posts on Sunday, officials said."}) + "\n"
        + json.dumps({"id": "n2", "text": "Markets in Latvia were quiet on Sunday as traders waited for harvest figures."}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    result = runner.invoke(app, ["code", "--input", str(records), "--event-model", str(out)])
    assert result.exit_code == 0, result.output
    coded = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    first = [e for e in coded[0]["events"] if e["type"] == "ASSAULT"]
    assert first and {a["country"] for a in first[0]["actors"]} == {"CZE"}
    assert coded[1]["events"] == []


def test_train_events_bundles_a_sentence_model_or_goes_without(tmp_path: Path) -> None:
    texts, labels = _write(tmp_path)
    runner, app = CliRunner(), register_all()
    second = tmp_path / "second"
    toy_sentence_model(["shelled", "talks"], np.array([[1.0, 0.0], [0.0, 1.0]])).save(second)
    base = ["train", "events", "--text", str(texts), "--labels", str(labels), "--no-baseline"]
    result = runner.invoke(app, [*base, "-o", str(tmp_path / "with"), "--sentence-model", str(second)])
    assert result.exit_code == 0, result.output
    assert "sentence type model: gate" in result.output
    meta = json.loads((tmp_path / "with" / "meta.json").read_text(encoding="utf-8"))
    assert {"sentence_gate", "sentence_add", "sentence_floor"} <= set(meta["thresholds"])
    assert f"--sentence-model {second}" in meta["command"]
    assert (tmp_path / "with" / "sentence.npz").is_file()
    assert load_model(str(tmp_path / "with")).sentence_model is not None

    result = runner.invoke(app, [*base, "-o", str(tmp_path / "without"), "--no-sentence-model"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "without" / "sentence.npz").exists()
    assert "sentence_gate" not in json.loads((tmp_path / "without" / "meta.json").read_text())["thresholds"]

    # a folder without a sentence model is refused before any parsing, with the way out
    result = runner.invoke(app, [*base, "-o", str(tmp_path / "bad"), "--sentence-model", str(texts)])
    assert result.exit_code != 0 and "--no-sentence-model" in result.output


def test_train_events_reports_missing_text_clearly(tmp_path: Path) -> None:
    _, labels = _write(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(
        register_all(),
        ["train", "events", "--text", str(empty), "--labels", str(labels), "-o", str(tmp_path / "m")],
    )
    assert result.exit_code != 0
    assert "no labelled sentence" in result.output


def test_event_model_option_refuses_a_folder_without_a_model(tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "a", "text": "Nothing happened."}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        register_all(), ["code", "--input", str(records), "--event-model", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "no event model" in result.output


def test_train_events_leaves_out_bad_labels_and_says_when_a_split_is_missing(tmp_path: Path) -> None:
    texts, labels = _write(tmp_path)
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    app = register_all()

    def train(name: str, lines: list[dict]) -> Any:
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
        return CliRunner().invoke(app, ["train", "events", "--text", str(texts), "--labels", str(path),
                                        "-o", str(tmp_path / name), "--no-baseline", "--no-sentence-model"])  # fmt: skip

    # a label with a type the guide does not know is left out with its reason; the others train
    typo = json.loads(json.dumps(rows[0]))
    typo["events"][0]["type"] = "ATTACK"
    result = train("typo", [typo, *rows[1:]])
    assert result.exit_code == 0, result.output
    assert "'ATTACK' is not a PLOVER type" in result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["train_sentences"] == 29 and report["labels_left_out"] == 1
    assert "label lines left out" in (tmp_path / "typo" / "MODEL_CARD.md").read_text(encoding="utf-8")

    # no test split: trained, and the card says the figures are not measured rather than showing an empty table
    result = train("notest", [dict(r, split="train") for r in rows])
    assert result.exit_code == 0, result.output
    assert "no test split" in result.output
    card = (tmp_path / "notest" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "Not measured" in card and "| coder |" not in card

    # nothing to train on: a usage error that says how to mark the split, not a traceback
    result = train("alltest", [dict(r, split="test") for r in rows])
    assert result.exit_code == 2
    assert '"split": "train"' in result.output and "Traceback" not in result.output


def test_train_events_reads_inline_labels_without_text_folders(tmp_path: Path) -> None:
    """An analyst's own annotation in the news gold format (the sentence, quoted trigger and participants) trains
    a model with no --text; it gives the same weights as the same labels written stand-off."""

    def quoted(text: str, span: list[int]) -> str:
        return text[span[0] : span[1]]

    rows = []
    for r in _corpus():
        events = [
            {**e, "trigger": quoted(r["text"], e["trigger"]),
             **{role: [{"text": quoted(r["text"], a["span"]), "country": a["country"], "sector": a["sector"]}
                       for a in e[role]] for role in ("actors", "recipients")}}
            for e in r["events"]
        ]  # fmt: skip
        rows.append({**r, "events": events})
    bad = {"id": "bad", "text": "Rebels shelled the town.", "split": "train",
           "events": [{"type": "ASSAULT", "trigger": "bombed", "actors": [], "recipients": []}]}  # fmt: skip
    typo = {**rows[31], "id": "typo", "split": "tset"}  # never silently moved from test to training
    inline = tmp_path / "inline.jsonl"
    inline.write_text("\n".join(json.dumps(r) for r in [*rows, bad, typo]) + "\n", encoding="utf-8")
    app = register_all()
    result = CliRunner().invoke(app, ["train", "events", "--labels", str(inline), "-o", str(tmp_path / "inline"),
                                      "--no-baseline", "--no-sentence-model"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "'bombed' is not in the sentence" in result.output and "'tset' is neither" in result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["train_sentences"] == 30 and report["test_sentences"] == 6 and report["labels_left_out"] == 2
    assert report["test"]["type_f1"] == pytest.approx(1.0)

    texts, labels = _write(tmp_path)
    result = CliRunner().invoke(app, ["train", "events", "--text", str(texts), "--labels", str(labels),
                                      "-o", str(tmp_path / "standoff"), "--no-baseline", "--no-sentence-model"])  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("type.weights.npz", "role.weights.npz"):
        assert (tmp_path / "inline" / name).read_bytes() == (tmp_path / "standoff" / name).read_bytes()

"""The event scorer on small hand-made gold files in the three supported formats, and its command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newswatch.cli import events_eval
from newswatch.errors import InputError
from newswatch.evaluation.events import confidence_cutoffs, detect_format, evaluate_events, format_report
from newswatch.registry import Stages

FIXTURES = Path(__file__).parent / "fixtures" / "events"
# the scorer is checked against figures worked out by hand for the rule coder's output on these records
RULES = Stages().rules_coder


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("plover_mini.jsonl", "plover"), ("acled_mini.jsonl", "acled"), ("petrarch_mini.jsonl", "petrarch")],
)
def test_evaluation_detects_format(name: str, fmt: str) -> None:
    first = json.loads((FIXTURES / name).read_text(encoding="utf-8").splitlines()[0])
    assert detect_format(first) == fmt


def test_evaluation_plover_figures() -> None:
    scores = evaluate_events(FIXTURES / "plover_mini.jsonl", coder=RULES)
    # mini-1 CONSULT and mini-2 COERCE are right (ITL is read as ITA); mini-3 is coded SUPPORT, gold says
    # ACCUSE;
    # mini-4 has no event: NONE against gold SUPPORT
    assert scores.figures["type_accuracy"] == pytest.approx(2 / 4)
    assert scores.confusion[("ACCUSE", "SUPPORT")] == 1
    assert scores.confusion[("SUPPORT", "NONE")] == 1
    assert scores.per_label["SUPPORT"].fp == 1 and scores.per_label["SUPPORT"].fn == 1
    assert scores.figures["full_match_rate"] == pytest.approx(2 / 4)
    assert scores.figures["actor_country_f1"] == pytest.approx(1.0)
    # one event in each of the three political sentences, none for the weather
    assert scores.figures["events_per_sentence"] == pytest.approx(3 / 4)
    report = format_report(scores)
    assert "type_accuracy" in report and "confusion" in report


def test_evaluation_acled_weighted_f1() -> None:
    scores = evaluate_events(FIXTURES / "acled_mini.jsonl", coder=RULES)
    # two of three right; OTHER (gold) gets no prediction and counts as a miss with support 1
    assert scores.figures["accuracy"] == pytest.approx(2 / 3)
    assert scores.figures["weighted_f1"] == pytest.approx(2 / 3)
    assert scores.confusion[("OTHER", "NONE")] == 1


def test_evaluation_petrarch_counts_without_crash() -> None:
    scores = evaluate_events(FIXTURES / "petrarch_mini.jsonl", coder=RULES)
    assert scores.figures["expected_events"] == 4
    assert scores.figures["crashes"] == 0
    assert scores.figures["records_with_events"] == 2


def test_evaluation_bad_gold_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="JSON Lines"):
        evaluate_events(bad)


def test_evaluation_names_every_gold_record_it_cannot_score(tmp_path: Path) -> None:
    ok = {"id": "ok", "text": "Police arrested protesters in Nairobi.", "events": []}
    rows = [
        ok,
        {"id": "typo", "text": "Rebels attacked the town.", "events": [{"type": "ATTACK", "actors": []}]},
        {"id": "str", "text": "x", "events": "none"},
        {"id": "notext", "events": []},
        {"id": "roles", "text": "x", "events": [{"type": "ASSAULT", "actors": "rebels"}]},
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        evaluate_events(gold, coder=RULES)
    msg = str(err.value)
    assert "4 gold record(s) cannot be scored" in msg and "(and 1 more)" in msg
    assert "'typo'" in msg and "'ATTACK', not a PLOVER type" in msg and "'none', not a list" in msg
    gold.write_text(json.dumps(ok) + "\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"gold.jsonl:2 is a JSON list, not an object"):
        evaluate_events(gold, coder=RULES)
    gold.write_bytes(json.dumps(ok).encode("utf-8") + b"\n\xff\xfe\n")
    with pytest.raises(InputError, match=r"gold.jsonl:2 is not UTF-8 text"):
        evaluate_events(gold, coder=RULES)


def test_evaluation_scores_only_the_split_asked_for(tmp_path: Path) -> None:
    quiet = {"text": "Markets were calm on Monday.", "events": []}
    arrest = {"text": "Police arrested protesters in Nairobi.",
              "events": [{"type": "COERCE", "trigger": "arrested", "status": "asserted",
                          "actors": [{"text": "Police", "country": "KEN", "sector": "COP"}],
                          "recipients": [{"text": "protesters", "country": "KEN", "sector": "CVL"}]}]}  # fmt: skip
    rows = [{**quiet, "id": "a"}, {**arrest, "id": "b", "split": "test"}, {**quiet, "id": "c", "split": "test"}]
    gold = tmp_path / "labels.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert evaluate_events(gold, coder=RULES).n == 3
    test = evaluate_events(gold, coder=RULES, split="test")
    assert test.n == 2 and test.figures["gold_events"] == 1
    assert evaluate_events(gold, coder=RULES, split="train").n == 1  # no "split" field: a training record
    with pytest.raises(InputError, match='no record with "split": "dev"'):
        evaluate_events(gold, coder=RULES, split="dev")


def _app() -> typer.Typer:
    app = typer.Typer()
    eval_app = typer.Typer()
    app.add_typer(eval_app, name="eval")
    events_eval.register(app, eval_app)
    return app


def test_evaluation_command_prints_figures() -> None:
    result = CliRunner().invoke(
        _app(), ["eval", "events", "--gold", str(FIXTURES / "acled_mini.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    # the learned coder and rules-0.2.0 beside it, on the same records
    assert set(figures) == {Stages().coder.version, "rules-0.2.0"}
    assert all(f["format"] == "acled" and f["records"] == 3 for f in figures.values())


def test_evaluation_command_compares_coders_on_news_gold() -> None:
    gold = Path(__file__).parent / "fixtures" / "coder" / "news_gold.jsonl"
    result = CliRunner().invoke(_app(), ["eval", "events", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "format: news   records: 6"
    header = lines[2].split()
    assert header == [Stages().coder.version, "rules-0.2.0"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:] if line.strip() and not line.startswith("label")}
    for key in ("type_f1", "full_f1", "quiet_rate", "actor_f1"):
        assert len(rows[key]) == 2 and all(0.0 <= float(x) <= 1.0 for x in rows[key])
    assert rows["gold_events"] == ["4", "4"]


def test_evaluation_command_missing_file_exits_with_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["eval", "events", "--gold", str(tmp_path / "none.jsonl")])
    assert result.exit_code == InputError.exit_code


@pytest.mark.parametrize(("un_as_igo", "full"), [(False, 0.0), (True, 1.0)])
def test_evaluation_un_as_igo_folds_codes(un_as_igo: bool, full: float) -> None:
    scores = evaluate_events(FIXTURES / "plover_un.jsonl", coder=RULES, un_as_igo=un_as_igo)
    assert scores.figures["type_accuracy"] == 1.0
    assert scores.figures["full_match_rate"] == full


def test_evaluation_of_news_gold_reads_the_publisher_from_a_records_address(tmp_path: Path) -> None:
    """As `newswatch code` does: "we" in a statement published on whitehouse.gov is the United States."""
    text = "We imposed sanctions on Russia."
    event = {"type": "SANCTION", "status": "asserted", "trigger": "imposed sanctions",
             "actors": [{"text": "We", "country": "USA", "sector": "GOV"}],
             "recipients": [{"text": "Russia", "country": "RUS", "sector": "GOV"}]}  # fmt: skip
    figures = {}
    for name, extra in (("with", {"url": "https://www.whitehouse.gov/briefing-room/x"}), ("without", {})):
        gold = tmp_path / f"{name}.jsonl"
        gold.write_text(json.dumps({"id": "s1", "text": text, **extra, "events": [event]}) + "\n", encoding="utf-8")
        for coder_name, coder in (("rules", RULES), ("learned", Stages().coder)):
            figures[name, coder_name] = evaluate_events(gold, coder=coder).figures
    for coder_name in ("rules", "learned"):
        assert figures["with", coder_name]["type_f1"] == 1.0, figures
        assert figures["with", coder_name]["full_f1"] == 1.0, figures
        assert figures["without", coder_name]["full_f1"] == 0.0, figures


def test_confidence_cutoffs_keep_only_the_confident_events() -> None:
    """Worked by hand: two right events (0.95 and 0.6) and a wrong one (0.8); three gold events."""
    gold = [
        {"id": "a", "text": "x", "events": [{"type": "ACCUSE", "actors": [], "recipients": []}]},
        {"id": "b", "text": "y", "events": [{"type": "ASSAULT", "actors": [], "recipients": []},
                                            {"type": "COERCE", "actors": [], "recipients": []}]},
    ]  # fmt: skip
    predicted = [
        {"id": "a", "events": [{"type": "ACCUSE", "confidence": 0.95}]},
        {"id": "b", "events": [{"type": "ASSAULT", "confidence": 0.6}, {"type": "PROTEST", "confidence": 0.8}]},
    ]
    cuts = confidence_cutoffs(gold, predicted, (0.5, 0.7, 0.9))
    assert cuts[0.5]["predicted_events"] == 3 and cuts[0.5]["type_p"] == pytest.approx(2 / 3, abs=1e-3)
    assert cuts[0.5]["type_r"] == pytest.approx(2 / 3, abs=1e-3)
    assert cuts[0.7]["predicted_events"] == 2 and cuts[0.7]["type_p"] == 0.5
    assert cuts[0.7]["type_r"] == pytest.approx(1 / 3, abs=1e-3)
    assert cuts[0.9]["predicted_events"] == 1 and cuts[0.9]["type_p"] == 1.0 and cuts[0.9]["type_f1"] == 0.5


def test_evaluation_command_reports_figures_by_confidence_on_news_gold() -> None:
    gold = Path(__file__).parent / "fixtures" / "coder" / "news_gold.jsonl"
    result = CliRunner().invoke(_app(), ["eval", "events", "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    for figures in json.loads(result.output).values():
        cuts = figures["by_confidence"]
        assert list(cuts) == ["0.5", "0.7", "0.9"]
        kept = [figures["predicted_events"]] + [cuts[c]["predicted_events"] for c in cuts]
        assert kept == sorted(kept, reverse=True)  # a higher cutoff never keeps more events
        assert all(cuts[c]["type_r"] <= figures["type_r"] for c in cuts)
    text = CliRunner().invoke(_app(), ["eval", "events", "--gold", str(gold)]).output
    assert "events kept at a confidence cutoff" in text and ">= 0.9" in text

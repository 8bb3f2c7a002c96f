"""The claims and dev-set scorers on small hand-made files, and the eval commands that print them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newswatch.cli import claims_eval
from newswatch.errors import InputError
from newswatch.evaluation import read_jsonl
from newswatch.evaluation.claims import PolnearScores, detect_format, score_article
from newswatch.models import Claim

FIXTURES = Path(__file__).parent / "fixtures" / "claims"
POLNEAR = FIXTURES / "polnear_mini.jsonl"
DEV = FIXTURES / "dev_mini.jsonl"


def _claim(text: str, speaker: str | None, cue: str, content: str) -> Claim:
    cs = text.index(content)
    qs = text.index(cue)
    ss = text.index(speaker) if speaker else None
    return Claim(id="x", article_id="mini-1", sentence=0, start=0, end=len(text), text=text, speaker=speaker,
                 speaker_start=ss, speaker_end=(ss + len(speaker)) if ss is not None and speaker else None,
                 cue=cue, cue_start=qs, cue_end=qs + len(cue), content_start=cs, content_end=cs + len(content))


def test_score_article_counts_aligned_claims_and_speaker_overlap() -> None:
    rec = read_jsonl(POLNEAR)[0]
    text = rec["text"]
    preds = [
        _claim(text, "The mayor", "said", "the bridge would reopen"),  # exact
        _claim(text, "mayor", "said", "bridge"),  # a duplicate of the same gold claim: not aligned twice
        _claim(text, None, "rose", "fast"),  # overlaps the second claim's content, no speaker
    ]
    acc = PolnearScores()
    score_article(text, rec["attributions"], preds, acc)
    # three predictions, two gold claims, two aligned pairs
    assert (acc.detect.tp_p, acc.detect.n_pred, acc.detect.n_gold) == (2, 3, 2)
    assert acc.detect.f1 == pytest.approx(2 * (2 / 3) * 1.0 / (2 / 3 + 1.0))
    # speakers: {"The mayor"} and {"mayor"} against gold {"The mayor", "residents"}; "The mayor" matches exactly
    assert (acc.speaker_exact.tp_p, acc.speaker_exact.n_pred, acc.speaker_exact.n_gold) == (1, 2, 2)
    assert acc.speaker_soft.tp_p == pytest.approx(1.0)
    assert acc.speaker_soft.tp_r == pytest.approx(1.0)


@pytest.mark.parametrize(("record", "kind"), [({"attributions": []}, "polnear"), ({"claims": [], "events": []}, "dev")])
def test_detect_format(record: dict[str, list[str]], kind: str) -> None:
    assert detect_format(record) == kind


def test_detect_format_rejects_unknown_lines() -> None:
    with pytest.raises(InputError, match="eval-formats"):
        detect_format({"text": "x"})


def _app() -> typer.Typer:
    app = typer.Typer()
    eval_app = typer.Typer()
    app.add_typer(eval_app, name="eval")
    claims_eval.register(app, eval_app)
    return app


def test_eval_claims_command_on_polnear_shape(tmp_path: Path) -> None:
    pred = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(_app(), ["eval", "claims", "--gold", str(POLNEAR), "--json", "--pred-out", str(pred)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["articles"] == 1
    assert figures["claim_detect"]["n_gold"] == 2
    # "The mayor said ..." and "According to residents, ..." are both found
    assert figures["claim_detect"]["r"] == 1.0
    written = [json.loads(line) for line in pred.read_text().splitlines()]
    assert written[0]["id"] == "mini-1" and len(written[0]["claims"]) == 2


def test_eval_timeplace_command_on_dev_shape() -> None:
    result = CliRunner().invoke(_app(), ["eval", "timeplace", "--gold", str(DEV), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["items"] == 2
    assert figures["speaker"]["f1"] == 1.0
    assert figures["certainty"]["accuracy"] == 1.0
    assert figures["date_exact_day"] == {"accuracy": 1.0, "n": 2}
    assert figures["place_country"] == {"accuracy": 1.0, "n": 2}


def test_eval_command_reports_a_missing_file_with_its_exit_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["eval", "claims", "--gold", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == InputError.exit_code
    assert "cannot read gold file" in result.output


def test_eval_gold_text_refs_are_read_from_the_shared_folder(tmp_path: Path) -> None:
    import hashlib

    from newswatch.evaluation import resolve_text_refs

    corpus = tmp_path / "shared" / "corpus"
    corpus.mkdir(parents=True)
    full = "Intro line. The minister said on Monday that talks would resume. Closing line."
    (corpus / "texts.jsonl").write_text(json.dumps({"url": "https://example.org/a", "text": full}) + "\n")
    part = "The minister said on Monday that talks would resume."
    start = full.index(part)
    ref = {"file": "corpus/texts.jsonl", "url": "https://example.org/a", "start": start, "end": start + len(part),
           "sha1": hashlib.sha1(part.encode()).hexdigest()}
    own = {"id": "ours", "text": "Our own sentence."}
    records = [{"id": "ref", "text_ref": ref}, own, {"id": "bad", "text_ref": {**ref, "sha1": "0" * 40}}]
    usable, skipped = resolve_text_refs(records, shared=tmp_path / "shared")
    assert [r["id"] for r in usable] == ["ref", "ours"] and usable[0]["text"] == part
    assert len(skipped) == 1 and skipped[0].startswith("bad:")
    usable, skipped = resolve_text_refs(records, shared=tmp_path / "missing")
    assert [r["id"] for r in usable] == ["ours"] and "not found under" in skipped[0]


def test_eval_dev_set_holds_no_third_party_text() -> None:
    """The dev set keeps our own passages and references (text_ref) to third-party ones, never their text."""
    root = Path(__file__).resolve().parents[1]
    for line in (root / "eval" / "dev" / "claims_timeplace.dev.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("source") != "newswatch fixture (written for this set)":
            assert "text" not in record and "text_ref" in record, record["id"]

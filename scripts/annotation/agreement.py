#!/usr/bin/env python3
"""Agreement between the first and the second, independent annotation of the double-labelled sample.

Usage: python scripts/annotation/agreement.py --labels training/events/labels.jsonl
           --second training/events/labels.second.jsonl --text ../shared [--scorer ../shared/eval/events/score_news_events.py]

Writes the first annotation as gold and the second as predictions (the shape `newswatch code` prints) into a
temporary folder and scores them with the news scorer: the project's own (newswatch.coder.scoring) and,
when --scorer is given, the shared reference scorer too, so the figures compare with the dev set's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from newswatch.coder.labels import read_labels, to_gold_json  # noqa: E402
from newswatch.coder.scoring import score_news  # noqa: E402


def _as_prediction(gold: dict) -> dict:
    events = []
    for e in gold["events"]:
        status = e.get("status", "asserted")
        events.append({
            "type": e["type"], "actors": e["actors"], "recipients": e["recipients"], "negated": status == "negated",
            "tense": {"future": "future", "hypothetical": "hypothetical"}.get(status, "past"),
        })  # fmt: skip
    return {"id": gold["id"], "events": events}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--second", type=Path, required=True)
    ap.add_argument("--text", type=Path, nargs="+", required=True)
    ap.add_argument("--scorer", type=Path)
    args = ap.parse_args()
    second, problems = read_labels(args.second, args.text)
    wanted = {s.sid for s in second}
    first_all, _ = read_labels(args.labels, args.text)  # only the doubly labelled sentences are needed
    if problems:
        print(f"{len(problems)} second-annotation labels skipped, e.g. {problems[0]}", file=sys.stderr)
    first = [s for s in first_all if s.sid in wanted]
    gold = to_gold_json(sorted(first, key=lambda s: s.sid))
    pred = [_as_prediction(g) for g in to_gold_json(sorted(second, key=lambda s: s.sid))]
    figures = score_news(gold, pred)
    print(json.dumps({"sentences": len(gold), "newswatch_scorer": {k: v for k, v in figures.items() if k != "per_type"}}))
    if args.scorer:
        with tempfile.TemporaryDirectory() as tmp:
            g, p = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
            g.write_text("".join(json.dumps(r) + "\n" for r in gold), encoding="utf-8")
            p.write_text("".join(json.dumps(r) + "\n" for r in pred), encoding="utf-8")
            out = subprocess.run([sys.executable, str(args.scorer), str(g), str(p), "--per-type"],
                                 capture_output=True, text=True, check=True)  # fmt: skip
            print(json.dumps({"reference_scorer": json.loads(out.stdout)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

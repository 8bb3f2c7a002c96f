#!/usr/bin/env python3
"""Write one split of the stand-off labels as a gold file in the exhaustive news format, for `newswatch eval
events --gold`. The gold file holds the sentences' text: write it outside the project (e.g. /tmp).

Usage: python scripts/annotation/split_gold.py --labels training/events/labels.jsonl --text ../shared \
           --text training/events/own_sentences.jsonl --split test -o /tmp/test-split.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from newswatch.coder.labels import read_labels, to_gold_json  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--text", type=Path, action="append", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("-o", "--out", type=Path, required=True)
    args = ap.parse_args()
    sentences, problems = read_labels(args.labels, args.text)
    if problems:
        print(f"{len(problems)} labels skipped, e.g. {problems[0]}", file=sys.stderr)
    chosen = [s for s in sentences if s.split == args.split]
    with args.out.open("w", encoding="utf-8") as f:
        for row in to_gold_json(chosen):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(chosen)} sentences of the {args.split} split written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

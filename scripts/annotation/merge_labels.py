#!/usr/bin/env python3
"""Turn annotators' chunk outputs (labels with quoted trigger and actor text) into the project's stand-off labels
(character offsets into the sentence, no text), joined to the pool references.

Usage: python scripts/annotation/merge_labels.py --pool training/events/pool.jsonl --text POOL_TEXT.jsonl
           --out-dir ANNOTATION_OUT --annotators ANNOTATORS.json --labels training/events/labels.jsonl
           --second training/events/labels.second.jsonl [--own training/events/own_sentences.jsonl]

Chunks named c* are first annotations (training and test labels); chunks named d* are the second, independent
annotation of a sample, kept apart to measure agreement. A quoted text that occurs more than once in the
sentence is placed at the occurrence nearest the trigger.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
from newswatch.coder.labels import place_quote  # noqa: E402


def convert(text: str, events: list[dict]) -> tuple[list[dict], list[str]]:
    out, problems = [], []
    for e in events:
        trig = place_quote(text, e.get("trigger") or "")
        if trig is None:
            problems.append(f"trigger {e.get('trigger')!r} not found")
            continue
        row = {
            "type": e["type"],
            "mode": e.get("mode"),
            "status": e.get("status", "asserted"),
            "trigger": list(trig),
        }
        for role in ("actors", "recipients"):
            args = []
            for a in e.get(role) or []:
                span = place_quote(text, a.get("text") or "", trig[0])
                if span is None:
                    problems.append(f"{role} {a.get('text')!r} not found")
                    continue
                args.append({"span": list(span), "country": a.get("country"), "sector": a.get("sector")})
            row[role] = args
        out.append(row)
    return out, problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--annotators", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--second", required=True)
    ap.add_argument(
        "--own", action="append", default=[], help="our own sentences (JSONL {id, text, split, events}), labelled inline"
    )
    args = ap.parse_args()
    refs = {}
    with open(args.pool, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            refs[r["sid"]] = r
    texts = {}
    with open(args.text, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            texts[r["sid"]] = r["text"]
    with open(args.annotators, encoding="utf-8") as f:
        who = json.load(f)
    first, second, problems = [], [], 0
    for path in sorted(glob.glob(os.path.join(args.out_dir, "*.jsonl"))):
        chunk = os.path.basename(path)[: -len(".jsonl")]
        target = second if chunk.startswith("d") else first
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                ref, text = refs[r["sid"]], texts[r["sid"]]
                if hashlib.sha1(text.encode("utf-8")).hexdigest() != ref["sha1"]:
                    raise SystemExit(f"{r['sid']}: pool text and reference disagree")
                events, bad = convert(text, r["events"])
                for b in bad:
                    print(f"{chunk} {r['sid']}: {b}", file=sys.stderr)
                problems += len(bad)
                target.append(
                    {
                        **{
                            k: ref[k]
                            for k in ("sid", "source", "record", "start", "end", "sha1", "split", "stratum")
                        },
                        "annotator": who.get(chunk, "?"),
                        "events": events,
                    }
                )
    for own in args.own:
        with open(own, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                events, bad = convert(r["text"], r["events"])
                for b in bad:
                    print(f"own {r['id']}: {b}", file=sys.stderr)
                problems += len(bad)
                first.append({
                    "sid": r["id"], "source": os.path.basename(own), "record": r["id"], "start": 0,
                    "end": len(r["text"]), "sha1": hashlib.sha1(r["text"].encode("utf-8")).hexdigest(),
                    "split": r.get("split", "train"), "stratum": "own", "annotator": r.get("annotator", "own"),
                    "events": events,
                })  # fmt: skip
    first.sort(key=lambda r: r["sid"])
    second.sort(key=lambda r: r["sid"])
    for path, rows in ((args.labels, first), (args.second, second)):
        with open(path, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(
        f"{len(first)} labelled sentences, {len(second)} second annotations, {problems} problems",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

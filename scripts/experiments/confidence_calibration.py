#!/usr/bin/env python3
"""How well the coder's event confidence matches how often its events are right, on a news gold file: expected
calibration error (ten bins), Brier score, and the share right per confidence bin and above each cutoff.

"Right" means a gold event of the same type in the sentence (asserted or future); where a sentence has more
predicted events of a type than gold ones, its least confident are the wrong ones. Negated and hypothetical
predictions are not counted, as in the shared scorer. This is how the model card's "Confidence" was measured.

Usage: python scripts/experiments/confidence_calibration.py GOLD.jsonl PRED.jsonl   (PRED: newswatch code output)
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from typing import Any

BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def _read(path: str) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    return {str(r["id"]): r for r in records}


def _counted(e: dict[str, Any]) -> bool:
    return not e.get("negated") and str(e.get("tense") or "").lower() != "hypothetical"


def confidence_pairs(gold_path: str, pred_path: str) -> list[tuple[float, int]]:
    """(confidence, 1 if right else 0) for every counted predicted event."""
    gold, pred = _read(gold_path), _read(pred_path)
    out: list[tuple[float, int]] = []
    for rid, g in gold.items():
        wanted = Counter(
            e["type"] for e in g.get("events") or [] if e.get("status", "asserted") in ("asserted", "future")
        )
        by_type: dict[str, list[float]] = defaultdict(list)
        for e in (pred.get(rid) or {}).get("events") or []:
            if _counted(e):
                by_type[e["type"]].append(float(e.get("confidence", 0.5)))
        for t, confidences in by_type.items():
            for n, c in enumerate(sorted(confidences, reverse=True)):
                out.append((c, int(n < wanted.get(t, 0))))
    return out


def report(pairs: list[tuple[float, int]]) -> str:
    n = len(pairs)
    if not n:
        return "no counted events"
    ece, rows = 0.0, []
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        b = [(c, y) for c, y in pairs if lo <= c < hi]
        if not b:
            continue
        mean_c = sum(c for c, _ in b) / len(b)
        right = sum(y for _, y in b) / len(b)
        ece += len(b) / n * abs(mean_c - right)
        rows.append(f"  [{lo:.1f}, {min(hi, 1.0):.1f}) {len(b):4d} events, mean confidence {mean_c:.3f}, right {right:.3f}")
    brier = sum((c - y) ** 2 for c, y in pairs) / n
    lines = [f"events {n}, right {sum(y for _, y in pairs) / n:.3f}, ECE {ece:.4f}, Brier {brier:.4f}", *rows]
    for cut in (0.3, 0.5, 0.7, 0.8, 0.9):
        kept = [y for c, y in pairs if c >= cut]
        if kept:
            lines.append(f"  confidence >= {cut}: {len(kept)} events, right {sum(kept) / len(kept):.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(report(confidence_pairs(sys.argv[1], sys.argv[2])))

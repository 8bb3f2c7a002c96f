"""Two versions of the actor resolver side by side: speed timed interleaved in one process (so a busy machine
slows both alike), and which mentions of a corpus gained, lost or changed their country or entry.

    git archive main | tar -x -C /tmp/main-src      # the other version, e.g. main
    python benchmarks/actors_compare.py --old-src /tmp/main-src/src --corpus DOCS.jsonl [--docs 60] [--rounds 9]

The old package is copied to a temporary directory as ``newswatch_old`` and imported beside this checkout's
``newswatch``. Figures: median and minimum over the rounds of building the resolver, ``code_span`` over every
subject/object subtree of the corpus, ``new_context`` over every document and ``code_text`` per call; then the
mention diff with the most frequent examples of each kind.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newswatch.actors import ActorResolver
from newswatch.nlp import load_pipeline

PHRASES = [
    "Turkish troops",
    "Russia's security chief Sergei Shoigu",
    "the United States and Jordan",
    "Pyongyang",
]
CALLS = PHRASES * 2500


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _speed(old_cls: Any, old: Any, new: ActorResolver, docs: list[Any], rounds: int) -> None:
    spans = [
        tok.doc[tok.left_edge.i : tok.right_edge.i + 1]
        for doc in docs
        for tok in doc
        if tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj")
    ]
    runs: dict[str, list[float]] = {}
    for n in range(rounds):
        order = [("old", old, old_cls), ("new", new, ActorResolver)]
        for name, res, cls in order if n % 2 == 0 else order[::-1]:
            runs.setdefault(f"build {name}", []).append(_timed(cls))
            runs.setdefault(f"code_span {name}", []).append(
                _timed(lambda r=res: [r.code_span(s) for s in spans])
            )
            runs.setdefault(f"new_context {name}", []).append(
                _timed(lambda r=res: [r.new_context(d) for d in docs])
            )
            runs.setdefault(f"code_text {name}", []).append(
                _timed(lambda r=res: [r.code_text(p) for p in CALLS]) / len(CALLS) * 1e6
            )
    print(f"{len(spans)} spans, {len(docs)} docs, {rounds} rounds (seconds; code_text in us per call)")
    for key, values in runs.items():
        print(f"  {key:18s} median {statistics.median(values):8.3f}  min {min(values):8.3f}")


def _diff(old: Any, new: ActorResolver, docs: list[Any], top: int) -> None:
    kinds: dict[str, Counter[tuple[str, str, str | None, str | None, str | None]]] = {
        "gained": Counter(),
        "lost": Counter(),
        "changed": Counter(),
    }
    total = 0
    for doc in docs:
        for a, b in zip(old.new_context(doc).mentions, new.new_context(doc).mentions, strict=False):
            total += 1
            ca, cb = (a.actor.country if a.actor else None), (b.actor.country if b.actor else None)
            ida, idb = (a.actor.actor_id if a.actor else None), (b.actor.actor_id if b.actor else None)
            if (ca, ida) == (cb, idb):
                continue
            kind = "gained" if ca is None else "lost" if cb is None else "changed"
            kinds[kind][(a.label, a.text, ca, cb, idb)] += 1
    print(f"{total} mentions: " + ", ".join(f"{k} {sum(c.values())}" for k, c in kinds.items()))
    for kind, counter in kinds.items():
        for (label, text, ca, cb, idb), n in counter.most_common(top):
            print(f"  {kind:7s} {n:3d}  {label:6s} {text!r}: {ca} -> {cb} {idb or ''}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--old-src", required=True, help="a src/ directory holding the other version's newswatch/"
    )
    ap.add_argument("--corpus", required=True, help="JSONL records with a 'text' field")
    ap.add_argument("--docs", type=int, default=60, help="documents of the corpus to use")
    ap.add_argument("--rounds", type=int, default=9, help="interleaved timing rounds")
    ap.add_argument("--top", type=int, default=15, help="examples of each kind of change")
    args = ap.parse_args()
    package = Path(args.old_src) / "newswatch"
    if not (package / "actors.py").is_file():
        print(f"{package} holds no actors.py; pass the src/ directory of the other checkout", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="actors-compare-"))
    try:
        shutil.copytree(package, tmp / "newswatch_old")
        sys.path.insert(0, str(tmp))
        old_actors = importlib.import_module("newswatch_old.actors")
        old, new = old_actors.ActorResolver(), ActorResolver()
        print(f"actor entries: old {len(old.all_actors())}, new {len(new.all_actors())}")
        with open(args.corpus, encoding="utf-8") as fh:
            texts = [json.loads(line)["text"] for line in fh if line.strip()][: args.docs]
        docs = list(load_pipeline().pipe(texts, batch_size=32))
        _speed(old_actors.ActorResolver, old, new, docs, args.rounds)
        _diff(old, new, docs, args.top)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Draw more sentences to annotate where the model can learn most (active learning), as stand-off references.

The random draws of ``build_pool.py`` give mostly sentences with no event; the model's weak side is recall (events
it does not see at all). This draw lets the shipped sentence type model choose among the training texts'
sentences that nobody has annotated yet:

- "likely": sentences to which it gives some type at least --likely (0.4), spread over the types: each type's
  share is drawn from the sentences whose likeliest type it is, so the rare types get their share;
- "uncertain": sentences whose likeliest type is between --floor (0.1) and --likely, drawn at random: the ones
  the model cannot decide, where a label teaches it most.

Only articles of the training split outside the tuning part are drawn from (the tuning part stays a random
sample of real articles, so thresholds and comparisons chosen on it are not biased by the draw; the test split is
never touched), never an article listed in news_events.dev.sources.tsv, never a sentence sharing eight words in a
row with a dev sentence, and at most --per-article sentences of one article. Sentences are split with the
pipeline newswatch itself uses, as ``build_pool.py`` does. The draw is fixed by --seed. The annotators never see
the model's opinion: they label each sentence exhaustively from the guide, as any other.

Usage: python scripts/annotation/draw_by_model.py --shared ../shared --extend training/events/pool.jsonl \
           --refs REFS --text TEXT [--n 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))

from build_pool import (  # noqa: E402
    _dev_grams,
    _grams,
    _group,
    _records,
    candidate_sentences,
    read_pool,
    split_of,
    write_pool,
)

from newswatch.coder.model import EventModel, shipped_model_dir  # noqa: E402
from newswatch.coder.training import TrainConfig  # noqa: E402
from newswatch.nlp import load_pipeline  # noqa: E402


def in_tuning(source: str, record: str, share: int) -> bool:
    """``newswatch.coder.training._in_tuning`` for a real article: the tuning part of the training split."""
    return int(hashlib.sha1(f"tune\t{source}\t{record}".encode()).hexdigest(), 16) % 100 < share


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--extend", required=True, help="the pool so far: its sentences are not drawn again")
    ap.add_argument("--refs", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--uncertain-share", type=float, default=0.4)
    ap.add_argument("--likely", type=float, default=0.4)
    ap.add_argument("--floor", type=float, default=0.1)
    ap.add_argument("--per-article", type=int, default=6)
    ap.add_argument("--seed", type=int, default=20261205)
    args = ap.parse_args()

    taken, first_sid = read_pool(args.extend)
    share = TrainConfig().tune_share
    items = [
        it for it in _records(args.shared)
        if split_of(it[0], it[1]) == "train" and not in_tuning(it[0], it[1], share)
    ]  # fmt: skip
    nlp = load_pipeline()
    dev = _dev_grams(args.shared)
    rows = [r for r in candidate_sentences(nlp, items, taken) if not _grams(r["text"]) & dev]
    print(f"{len(rows)} unannotated sentences in {len(items)} fitting articles", file=sys.stderr)

    sm = EventModel.load(shipped_model_dir()).sentence_model
    if sm is None:
        raise SystemExit("the shipped model has no sentence type model to draw with")
    probs = sm.proba_many([r["text"] for r in rows])
    best = probs.argmax(axis=1)
    top = probs.max(axis=1)

    rng = random.Random(args.seed)
    per_article: dict[tuple[str, str], int] = defaultdict(int)
    drawn: list[dict] = []

    def take(candidates: list[int], n: int, stratum: str) -> int:
        got = 0
        for k in candidates:
            if got >= n:
                break
            r = rows[k]
            key = (r["source"], r["record"])
            if "stratum" in r or per_article[key] >= args.per_article:
                continue
            per_article[key] += 1
            r["stratum"] = stratum
            drawn.append(r)
            got += 1
        return got

    n_likely = args.n - int(args.n * args.uncertain_share)
    by_type: dict[int, list[int]] = defaultdict(list)
    for k in range(len(rows)):
        if top[k] >= args.likely:
            by_type[int(best[k])].append(k)
    for ks in by_type.values():
        rng.shuffle(ks)
    # equal shares per type, a type with too few sentences leaving its rest to the others
    left = n_likely
    types = sorted(by_type, key=lambda t: len(by_type[t]))
    for i, t in enumerate(types):
        quota = left // (len(types) - i)
        got = take(by_type[t], quota, "model-likely")
        print(f"  likely {sm.types[t]}: {len(by_type[t])} sentences, drew {got}", file=sys.stderr)
        left -= got
    unsure = [k for k in range(len(rows)) if args.floor <= top[k] < args.likely]
    rng.shuffle(unsure)
    got = take(unsure, args.n - len(drawn), "model-uncertain")
    print(f"  uncertain: {len(unsure)} sentences, drew {got}", file=sys.stderr)

    rng.shuffle(drawn)
    for i, r in enumerate(drawn):
        r.update(sid=f"s{first_sid + i:05d}", split="train")
    write_pool(args.refs, args.text, drawn)
    groups = defaultdict(int)
    for r in drawn:
        groups[_group(r["source"])] += 1
    print(f"wrote {len(drawn)} sentences: {dict(groups)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

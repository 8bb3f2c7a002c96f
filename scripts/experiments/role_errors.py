#!/usr/bin/env python3
"""Where the event coder's errors come from, on the tuning part of the training split: which roles it misses and
whether the sentence type model would have seen the events it misses.

The models are fitted on the fitting part (as ``newswatch train events`` does before it chooses thresholds), with
the thresholds of a model folder (default: the shipped model, whose sentence type model is used too); the test
split and the evaluation files are never read. Printed:

- the shared scorer's figures on the tuning part;
- for the type-matched pairs, how the actor and recipient country sets differ from the annotators': predicted
  empty (no phrase chosen, or a phrase without a country), annotated empty, a subset, a superset, different;
- for each annotated (sentence, type) the coder misses, the sentence type model's probability of that type.

``--examples N`` prints N sentences of each kind of role error. This is how the model card's "Where the errors come
from" was measured.

Usage: python scripts/experiments/role_errors.py --labels training/events/labels.jsonl --text ../shared \
           --text training/events/own_sentences.jsonl [--text training/events/own_sentences_2.jsonl] \
           [--model DIR] [--examples 10] [--save DIR]

Takes about 3 minutes (2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from type_model_tuning import parse_parts  # noqa: E402

from newswatch.coder import training as T  # noqa: E402
from newswatch.coder.coder import LearnedCoder  # noqa: E402
from newswatch.coder.codes import all_modes  # noqa: E402
from newswatch.coder.labels import to_gold_json  # noqa: E402
from newswatch.coder.model import EventModel, shipped_model_dir  # noqa: E402
from newswatch.coder.scoring import counted_predictions, countries, gold_events, matched_pairs, score_news  # noqa: E402

_FIRST_PERSON = {"we", "i", "us", "our", "my", "me"}


def role_error(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> str | None:
    """How a predicted role's country set differs from the annotated one (None when equal)."""
    pc, gc = countries(pred), countries(gold)
    if pc == gc:
        return None
    if not pc:
        if any(str(g.get("text") or "").lower() in _FIRST_PERSON for g in gold):
            return "predicted empty (first person)"
        return "predicted empty (no phrase)" if not pred else "predicted empty (phrase without a country)"
    if not gc:
        return "annotated empty"
    return "subset" if pc < gc else "superset" if pc > gc else "different"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--text", type=Path, action="append", required=True)
    ap.add_argument("--model", type=Path, default=None, help="thresholds and sentence type model from here")
    ap.add_argument("--examples", type=int, default=0)
    ap.add_argument("--save", type=Path, default=None, help="write the tuning part's gold and predictions here "
                    "(gold.jsonl, pred.jsonl) for a closer look")
    args = ap.parse_args()
    shipped = EventModel.load(args.model or shipped_model_dir())
    stages, _, fit_part, tune_part = parse_parts(args.labels, args.text)
    lex = T.load_lexicon()
    nouns = T.trigger_nouns(fit_part)
    modes = all_modes()
    ex = T.build_examples(fit_part, lex, nouns, resolver=stages.actors, use_tensor=False)
    bundle = T._bundle(T.fit_models(ex, T.TrainConfig(), modes), nouns, dict(shipped.thresholds), {"rule_hints": True})
    bundle.sentence_model = shipped.sentence_model
    coder = LearnedCoder(model=bundle, resolver=stages.actors, lexicon=lex, rules=stages.rules_coder)
    gold = to_gold_json(p.sentence for p in tune_part)
    pred = T.predict(coder, tune_part)
    figures = score_news(gold, pred)
    if args.save is not None:
        args.save.mkdir(parents=True, exist_ok=True)
        for name, rows in (("gold.jsonl", gold), ("pred.jsonl", pred)):
            with (args.save / name).open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    figures.pop("per_type")
    print(f"{len(fit_part)} sentences fitted, {len(tune_part)} tuning sentences; thresholds {shipped.thresholds}")
    print("tuning part:", figures)

    kinds: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    matched = right = 0
    by_id = {p["id"]: p for p in pred}
    for g in gold:
        for p, t in matched_pairs(counted_predictions(by_id.get(g["id"])), gold_events(g)):
            matched += 1
            errors = [(role, role_error(p[key], t[key])) for role, key in (("actor", "actors"), ("recipient", "recipients"))]
            right += all(e is None for _, e in errors)
            for role, kind in errors:
                if kind is None:
                    continue
                kinds[role, kind] += 1
                said = [(a["text"], a["country"]) for a in t[f"{role}s"]]
                got = [(a["text"], a["country"]) for a in p[f"{role}s"]]
                examples[role, kind].append(f"{t['type']}: annotated {said}, predicted {got} | {g['text'][:160]!r}")
    print(f"\n{matched} type-matched pairs, {right} with both country sets right")
    for (role, kind), n in kinds.most_common():
        print(f"  {role:9s} {kind:45s} {n}")
        for line in examples[role, kind][: args.examples]:
            print("      " + line)

    if shipped.sentence_model is not None:
        sm = shipped.sentence_model
        probs = sm.proba_many([g["text"] for g in gold])
        bins: Counter[str] = Counter()
        for g, row in zip(gold, probs, strict=True):
            p_type = dict(zip(sm.types, (float(x) for x in row), strict=True))
            found = {e["type"] for e in counted_predictions(by_id.get(g["id"]))}
            for typ in {e["type"] for e in gold_events(g)}:
                x = p_type.get(typ, 0.0)
                bins["found" if typ in found else "missed, under 0.1" if x < 0.1 else "missed, 0.1-0.4" if x < 0.4 else "missed, 0.4 or more"] += 1
        print(f"\nannotated (sentence, type) pairs: {sum(bins.values())}; by the sentence type model's probability:")
        for k in ("found", "missed, under 0.1", "missed, 0.1-0.4", "missed, 0.4 or more"):
            print(f"  {k:22s} {bins[k]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

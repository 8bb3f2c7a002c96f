"""What event coding costs after the spaCy parse it needs: the learned coder beside rules-0.2.0, on one core.

Usage: python benchmarks/coder_speed.py TEXTS.jsonl [--limit N] [--repeat N] [--event-model DIR]

TEXTS.jsonl holds one object per line with a "text" field (e.g. ../shared/corpus/whitehouse_briefings.jsonl).
The texts are parsed once (timed); the per-article actor context (entity mentions, which the pipeline builds once
for mentions, events and claims alike) is built once (timed apart); then each coder codes every parsed article
with that context. Each stage runs --repeat times and the fastest run is kept (the CPUs may be shared). Also
prints the model's load time and size on disk. The budget: coding after the parse at least 1,000 sentences/s,
about a fifth of the parse's own time.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", type=Path, help="JSONL file with a 'text' field per line")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N texts")
    parser.add_argument("--repeat", type=int, default=3, help="time each stage this many times, keep the fastest")
    parser.add_argument("--event-model", type=Path, default=None, help="model folder (default: the shipped one)")
    args = parser.parse_args()

    from newswatch.coder import LearnedCoder
    from newswatch.coder.model import EventModel, shipped_model_dir
    from newswatch.events import EventCoder
    from newswatch.registry import Stages

    texts: list[str] = []
    with args.texts.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                texts.append(str(json.loads(line).get("text") or ""))
            if args.limit is not None and len(texts) >= args.limit:
                break
    stages = Stages()
    nlp = stages.nlp
    resolver = stages.actors
    folder = args.event_model or shipped_model_dir()
    t0 = time.perf_counter()
    model = EventModel.load(folder)
    load_s = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    rules = EventCoder(resolver=resolver, gazetteer=stages.gazetteer, acled=stages.acled)
    coders = {
        model.version: LearnedCoder(model=model, resolver=resolver, rules=rules, acled=stages.acled),
        "rules-0.2.0": rules,
    }
    warm = nlp("Russia and Ukraine held talks in Istanbul.")
    for coder in coders.values():
        coder.code_doc(warm, article_id="warm-up")

    parse_s = context_s = float("inf")
    code_s = {name: float("inf") for name in coders}
    events = dict.fromkeys(coders, 0)
    docs: list = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=32))
        parse_s = min(parse_s, time.perf_counter() - t0)
        t0 = time.perf_counter()
        contexts = [resolver.new_context(doc) for doc in docs]
        context_s = min(context_s, time.perf_counter() - t0)
        for name, coder in coders.items():
            for doc in docs:
                doc.user_data.clear()  # no cached view: each coder pays for what it reads off the parse
            t0 = time.perf_counter()
            n = 0
            for i, (doc, ctx) in enumerate(zip(docs, contexts, strict=True)):
                n += len(coder.code_doc(doc, article_id=f"bench-{i}", context=ctx))
            code_s[name] = min(code_s[name], time.perf_counter() - t0)
            events[name] = n
    sentences = sum(1 for doc in docs for _ in doc.sents)
    print(f"texts                 {len(texts)}")
    print(f"sentences             {sentences}")
    print(f"parse                 {parse_s:.3f} s  ({sentences / parse_s:,.0f} sentences/s)")
    print(f"actor context         {context_s:.3f} s  ({sentences / context_s:,.0f} sentences/s; built once per article for all stages)")
    for name in coders:
        s = code_s[name]
        print(f"coding {name:<15}{s:.3f} s  ({sentences / s:,.0f} sentences/s, {s / parse_s:.3f} of the parse, {events[name]} events)")
    print(f"model load            {load_s:.3f} s ({folder})")
    print(f"model size on disk    {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

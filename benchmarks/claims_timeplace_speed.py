"""Measure what claims, dates and places add to the pipeline: parse time against the time of our three stages.

Usage: python benchmarks/claims_timeplace_speed.py TEXTS.jsonl [--limit N]
TEXTS.jsonl holds one object per line with a "text" field and optionally a "date" (e.g. ../shared/corpus/
whitehouse_briefings.jsonl, or the demo's src/newswatch/data/demo/wire/peninsulawire.jsonl). The events come from the event coder (its time is reported but not counted as ours); then
find_claims + link_events + locate_events + resolve_dates run over them. Prints texts, characters, events, claims,
the one-time gazetteer build, parse seconds, coder seconds, our seconds, and our share of parse + coder + ours;
the project's budget is at most 15% of the pipeline time.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", type=Path, help="JSONL file with a 'text' field per line")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N texts")
    args = parser.parse_args()

    from newswatch.claims import find_claims, link_events
    from newswatch.registry import Stages
    from newswatch.timeplace import place_and_date

    records: list[dict[str, str]] = []
    with args.texts.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
            if args.limit is not None and len(records) >= args.limit:
                break
    texts = [str(r.get("text") or "") for r in records]
    dates = [datetime.fromisoformat(r["date"].replace(" ", "T")) if r.get("date") else None for r in records]
    stages = Stages()
    nlp = stages.nlp
    coder = stages.coder
    resolver = stages.actors
    t0 = time.perf_counter()
    gazetteer = stages.gazetteer
    gazetteer_s = time.perf_counter() - t0
    # warm up the lexicons outside the timed part
    warm = nlp("Russia said on Monday that it held talks in Istanbul.")
    find_claims(warm, article_id="warm-up")
    place_and_date(coder.code_doc(warm, article_id="warm-up"), warm, published_at=None, gazetteer=gazetteer)

    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    parse_s = time.perf_counter() - t0

    coder_s = ours_s = 0.0
    n_events = n_claims = 0
    for i, (doc, published) in enumerate(zip(docs, dates, strict=True)):
        t0 = time.perf_counter()
        context = resolver.new_context(doc)
        events = coder.code_doc(doc, article_id=str(i), context=context)
        t1 = time.perf_counter()
        claims = find_claims(doc, article_id=str(i), resolver=resolver, context=context)
        link_events(events, claims)
        place_and_date(events, doc, published_at=published, gazetteer=gazetteer)
        t2 = time.perf_counter()
        coder_s += t1 - t0
        ours_s += t2 - t1
        n_events += len(events)
        n_claims += len(claims)
    total = parse_s + coder_s + ours_s
    print(f"texts {len(texts)}  chars {sum(map(len, texts))}  events {n_events}  claims {n_claims}")
    print(f"gazetteer build (once per process) {gazetteer_s:.2f} s")
    print(f"parse {parse_s:.2f} s  coder {coder_s:.2f} s  claims+dates+places {ours_s:.2f} s")
    print(f"claims+dates+places share of the pipeline: {ours_s / total:.1%}  (of parse alone: {ours_s / parse_s:.1%})")


if __name__ == "__main__":
    main()

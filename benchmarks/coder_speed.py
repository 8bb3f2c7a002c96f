"""Measure what event coding adds to the spaCy parse it needs: parse time and coding time over the same texts.

Usage: python benchmarks/coder_speed.py TEXTS.jsonl [--limit N] [--repeat N]

TEXTS.jsonl holds one object per line with a "text" field (e.g. ../shared/corpus/whitehouse_briefings.jsonl, or
the demo's src/newswatch/data/demo/wire/peninsulawire.jsonl).
Each stage is timed --repeat times and the fastest run is kept, since the CPUs may be shared. Prints texts,
characters, sentences, parse seconds, coding seconds (events + actors), ACLED seconds, events and the ratio
coding / parse; the project's budget is a ratio of at most 0.25.
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
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time each stage this many times and keep the fastest (shared CPUs)",
    )
    args = parser.parse_args()

    from newswatch.events import EventCoder
    from newswatch.nlp import load_pipeline

    texts: list[str] = []
    with args.texts.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                texts.append(str(json.loads(line).get("text") or ""))
            if args.limit is not None and len(texts) >= args.limit:
                break
    nlp = load_pipeline()
    coder = EventCoder()
    # warm up: load the model, the lexicons and the actor data outside the timed part
    coder.code_doc(nlp("Russia and Ukraine held talks in Istanbul."), article_id="warm-up")
    coder.classify_acled("warm up")

    parse_s = code_s = acled_s = float("inf")
    docs: list[object] = []
    n_events = 0
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=32))
        parse_s = min(parse_s, time.perf_counter() - t0)

        t0 = time.perf_counter()
        n_events = 0
        for i, doc in enumerate(docs):
            n_events += len(coder.code_doc(doc, article_id=f"bench-{i}"))
        code_s = min(code_s, time.perf_counter() - t0)

        t0 = time.perf_counter()
        for text in texts:
            coder.classify_acled(text)
        acled_s = min(acled_s, time.perf_counter() - t0)

    sentences = sum(1 for doc in docs for _ in doc.sents)  # type: ignore[attr-defined]
    print(f"texts            {len(texts)}")
    print(f"characters       {sum(len(t) for t in texts)}")
    print(f"sentences        {sentences}")
    print(f"events           {n_events}")
    print(f"parse_seconds    {parse_s:.3f}")
    print(f"coding_seconds   {code_s:.3f}")
    print(f"acled_seconds    {acled_s:.3f}")
    print(f"ratio_coding     {code_s / parse_s:.3f}")
    print(f"ratio_with_acled {(code_s + acled_s) / parse_s:.3f}")


if __name__ == "__main__":
    main()

"""Throughput of ``newswatch run`` beside bare spaCy ``nlp.pipe`` over the same texts, in one run.

    python benchmarks/throughput.py [SOURCE ...] [--workers 1 2] [--repeat 1]

Defaults to the bundled demo corpus's originals (web pages, feed, wire records; its copies are left out, since
the pipeline stores copies without analysing them). The bare parse runs over the same texts as extracted by
newswatch. Prints documents/s and words/s for the bare parse and for the whole
pipeline (ingest, extract, store, dedup, parse, actors, events, claims, dates, places, stories) with each
worker count, and the ratio pipeline/parse, which is the figure that matters. The one-time load of the stages' data is
printed apart (worker processes pay it each, inside their timing).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from newswatch import pipeline
from newswatch.config import Settings
from newswatch.demo import demo_sources
from newswatch.registry import Stages
from newswatch.store import open_store


def _texts(sources: list[str]) -> list[str]:
    settings = Settings()
    return [a["text"] for a in pipeline.extract_paths(sources, settings=settings.extract, fetch=settings.fetch)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sources", nargs="*", help="files, folders, feeds (default: the demo corpus's originals)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--coder", nargs="+", default=["learned", "rules"], help="event coders to run the pipeline with")
    ap.add_argument(
        "--event-model", nargs="+", default=[None], help="model folders for the learned coder (default: the shipped one)"
    )
    args = ap.parse_args()
    sources = args.sources or [s for s in demo_sources() if not s.endswith("copies")]
    texts = _texts(sources)
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(texts)} documents, {words:,} words ({', '.join(Path(s).name for s in sources)})")

    stages = Stages()  # the registry builds each part once per process; the runs below reuse them
    model = stages.nlp  # loaded once, outside the timings
    # the stages' data (actor tables, lexicons, gazetteer) also load once per process: time that apart
    t0 = time.perf_counter()
    _ = stages.actors, stages.coder, stages.rules_coder, stages.gazetteer
    print(f"one-time load of actor data, lexicons and gazetteer: {time.perf_counter() - t0:.2f} s per process")
    t0 = time.perf_counter()
    for _ in model.pipe(texts, batch_size=args.batch_size):
        pass
    parse_s = time.perf_counter() - t0
    rows = [("bare nlp.pipe (1 process)", parse_s)]

    runs = [(c, m) for c in args.coder for m in (args.event_model if c == "learned" else [None])]
    for coder, event_model in runs:
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                store = open_store(f"sqlite:///{tmp}/bench.db")
                settings = Settings(
                    db_url=store.url,
                    nlp={"workers": workers, "batch_size": args.batch_size},
                    coder={"kind": coder, "event_model": event_model},
                )
                t0 = time.perf_counter()
                summary = pipeline.run(sources, store=store, settings=settings)
                elapsed = time.perf_counter() - t0
                store.close()
            if summary.analyzed != len(texts):
                print(
                    f"warning: analysed {summary.analyzed} of {len(texts)} (errors {summary.errors})",
                    file=sys.stderr,
                )
            model = f" --event-model {Path(event_model).name}" if event_model else ""
            rows.append((f"newswatch run --workers {workers} --coder {coder}{model}", elapsed))

    print(f"{'what':62} {'seconds':>8} {'docs/s':>8} {'words/s':>9} {'x parse time':>12} {'x parse speed':>13}")
    for name, seconds in rows:
        print(
            f"{name:62} {seconds:8.2f} {len(texts) / seconds:8.1f} {words / seconds:9,.0f} {seconds / parse_s:12.2f}"
            f" {parse_s / seconds:13.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

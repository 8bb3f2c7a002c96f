"""What storing analyses costs: one transaction per article (``Store.save_analysis``) beside the batches a run
uses (``Store.save_analyses``), on the same analyses, in one run.

Usage: python benchmarks/store_save.py TEXTS.jsonl [--limit N] [--batch 8 32] [--repeat N]

TEXTS.jsonl holds one object per line with a "text" field (e.g. ../shared/corpus/whitehouse_briefings.jsonl). The
texts are parsed and analysed once with the default coder (not timed); then the analyses are saved into a fresh
SQLite database once per way of saving, the articles stored beforehand. Each way runs --repeat times and the
fastest run is kept (the CPUs may be shared).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", type=Path, help="JSONL file with a 'text' field per line")
    parser.add_argument("--limit", type=int, default=200, help="use only the first N texts (default 200)")
    parser.add_argument("--batch", type=int, nargs="+", default=[8, 32], help="batch sizes to time")
    parser.add_argument("--repeat", type=int, default=2, help="time each way this many times, keep the fastest")
    args = parser.parse_args()

    from newswatch import pipeline
    from newswatch.config import Settings
    from newswatch.models import Analysis, Article
    from newswatch.registry import Stages
    from newswatch.store import open_store

    with args.texts.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()][: args.limit]
    items = [Article(id=f"{n:032x}", text=str(r.get("text") or ""), url=r.get("url")) for n, r in enumerate(records)]
    analyses = [a for a in pipeline.analyze_articles(items, stages=Stages(Settings())) if isinstance(a, Analysis)]
    events = sum(len(a.events) for a in analyses)
    print(f"{len(analyses)} analyses, {events:,} events, {sum(len(a.mentions) for a in analyses):,} mentions, "
          f"{sum(len(a.claims) for a in analyses):,} claims")  # fmt: skip

    def once(save, tmp: str, k: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
        store = open_store(f"sqlite:///{tmp}/save{k}.db")
        for a in analyses:
            store.save_article(a.article)
        t0 = time.perf_counter()
        save(store)
        seconds = time.perf_counter() - t0
        cells = store.count("event_rollup")
        store.close()
        return seconds, cells

    ways = [("one transaction per article (save_analysis)", 0)] + [
        (f"batches of {b} (save_analyses)", b) for b in args.batch
    ]
    print(f"{'how':48} {'seconds':>8} {'articles/s':>11} {'rollup cells':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        k = 0
        for name, size in ways:

            def save(store, size=size) -> None:  # type: ignore[no-untyped-def]
                if size == 0:
                    for a in analyses:
                        store.save_analysis(a, coder_version="bench")
                else:
                    for i in range(0, len(analyses), size):
                        store.save_analyses(analyses[i : i + size], coder_version="bench")

            runs = []
            for _ in range(args.repeat):
                k += 1
                runs.append(once(save, tmp, k))
            best, cells = min(runs)
            print(f"{name:48} {best:8.3f} {len(analyses) / best:11.1f} {cells:13,}")


if __name__ == "__main__":
    main()

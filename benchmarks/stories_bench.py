"""Story assignment at growing corpus sizes: time per document at 1,000, 10,000 and 100,000 real documents.

Real statements and articles are read from JSONL files ({"title", "date", "text", ...}, e.g. the White House
corpora under ../shared/corpus/); to reach N documents the records are repeated, each repetition shifted in
time by the span of the whole set plus a week, so the number of documents per day stays that of the real
set at every size (a bigger corpus covers a longer period, as a news archive does). Articles are written
first (not timed), then ``assign_stories(engine, article_ids=...)`` places all of them as the pipeline does
after a run (timed, with peak memory).

    python benchmarks/stories_bench.py ../shared/corpus/whitehouse_training.jsonl ../shared/corpus/whitehouse_briefings.jsonl \\
        --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from newswatch import stories
from newswatch.grouping import assign_stories
from newswatch.store import open_store
from newswatch.store.schema import articles


class _AllTimePlaced:
    """The candidate index before issue 10 (postings over all time), kept here as the baseline."""

    _RARE_WORDS = 30

    def __init__(self, profiles: Any, _window: Any = None) -> None:
        self._profiles = profiles
        self._rows: list[Any] = []
        self._postings: dict[str, list[int]] = {}

    def add(self, row: Any) -> None:
        n = len(self._rows)
        self._rows.append(row)
        for word in self._profiles.get(row["id"], ()):
            self._postings.setdefault(word, []).append(n)

    def candidates(self, row: Any) -> list[Any]:
        words = [w for w in self._profiles.get(row["id"], ()) if w in self._postings]
        words.sort(key=lambda w: (len(self._postings[w]), w))
        found: set[int] = set()
        for word in words[: self._RARE_WORDS]:
            found.update(self._postings[word])
        return [self._rows[i] for i in sorted(found)]


def _records(paths: list[str]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            try:
                when = datetime.fromisoformat(str(r.get("date"))[:19]).replace(tzinfo=UTC)
            except ValueError:
                continue
            if r.get("text"):
                out.append({"title": r.get("title"), "text": r["text"], "when": when, "site": "www.whitehouse.gov"})
    out.sort(key=lambda r: r["when"])
    return out


def run(records: list[dict[str, Any]], n: int) -> dict[str, Any]:
    span = records[-1]["when"] - records[0]["when"] + timedelta(days=7)
    folder = tempfile.mkdtemp(prefix="nw-stories-")
    store = open_store(f"sqlite:///{folder}/stories.db")
    rows = []
    for i in range(n):
        rep, rec = divmod(i, len(records))
        r = records[rec]
        text = r["text"]
        aid = hashlib.sha256(f"{rep}:{rec}".encode()).hexdigest()[:16]
        rows.append({"id": aid, "url": f"https://example.org/{rep}/{rec}", "site": r["site"], "title": r["title"],
                     "published_at": r["when"] + rep * span, "text": text, "text_hash": aid * 4,
                     "ingest_status": "analyzed", "created_at": datetime.now(UTC)})  # fmt: skip
    with store.engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(articles), rows[i : i + 5000])
    ids = [r["id"] for r in rows]
    del rows
    t = time.perf_counter()
    cpu = time.process_time()
    touched = assign_stories(store.engine, article_ids=ids)
    wall = time.perf_counter() - t
    return {"documents": n, "stories": len(touched), "seconds": round(wall, 2), "cpu_s": round(time.process_time() - cpu, 2),
            "ms_per_document": round(1000 * wall / n, 3), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jsonl", nargs="+", help="JSONL files of real documents")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--baseline-sizes", default="1000,10000", help="sizes also run with the all-time candidate index")
    args = ap.parse_args()
    records = _records(args.jsonl)
    print(f"{len(records)} real documents, {records[0]['when']:%Y-%m-%d} to {records[-1]['when']:%Y-%m-%d}", file=sys.stderr)
    current = stories._Placed
    stories._Placed = _AllTimePlaced  # type: ignore[misc,assignment]
    for n in (int(x) for x in args.baseline_sizes.split(",") if x):
        r = run(records, n)
        print(f"baseline {n:>8,} documents: {r['seconds']:8.1f} s ({r['cpu_s']:.1f} s CPU, {1000 * r['cpu_s'] / n:.3f} ms CPU/document)  "
              f"{r['stories']:,} stories", flush=True)  # fmt: skip
    stories._Placed = current  # type: ignore[misc]
    results = []
    for n in (int(x) for x in args.sizes.split(",") if x):
        r = run(records, n)
        results.append(r)
        base = results[0]["ms_per_document"]
        cpu_base = results[0]["cpu_s"] / results[0]["documents"]
        print(f"{n:>8,} documents: {r['seconds']:8.1f} s ({r['cpu_s']:.1f} s CPU, {1000 * r['cpu_s'] / n:.3f} ms CPU/document, "
              f"{r['cpu_s'] / n / cpu_base:.2f}x the first)  wall {r['ms_per_document']:7.3f} ms/document "
              f"({r['ms_per_document'] / base:.2f}x)  {r['stories']:,} stories  peak {r['peak_rss_mb']} MB", flush=True)  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()

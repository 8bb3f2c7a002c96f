"""Benchmark copy detection: check + add throughput of the dedup index on a persisted SQLite index, and peak memory.

Synthetic articles of ~600 words are drawn from a Zipf word distribution over a made-up vocabulary, in
paragraphs; a share of them are copies of an earlier article (page chrome added, trimmed to the first half,
paragraphs reordered, or exact). Article rows are written first (not timed); then every article is checked
and added (timed), committing every 1,000 (signature rows are written in one batch per commit unless
--per-article). Texts are regenerated from per-article seeds, so the texts are
never all in memory. Prints figures; run e.g.:

    .venv/bin/python benchmarks/dedup_bench.py --n 100000
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, event, insert

from newswatch.grouping import StoredDedupIndex
from newswatch.models import Article
from newswatch.store import schema

T0 = datetime(2025, 1, 1, tzinfo=UTC)
CHROME_TOP = "Loading Now\nHome | World | Business | Opinion\nShare this article"
CHROME_BOTTOM = "Post Comment\nRelated Articles\nCookie settings | Privacy policy | Terms of use"


def _vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    syllables = ["ka", "lo", "mi", "ten", "ra", "su", "ve", "dor", "an", "is", "pe", "tru", "gal", "o", "ne", "st"]
    words: set[str] = set()
    while len(words) < size:
        n = int(rng.integers(1, 5))
        words.add("".join(syllables[int(i)] for i in rng.integers(0, len(syllables), n)))
    return sorted(words)


class _Corpus:
    def __init__(self, *, n: int, words: int, copy_share: float, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.vocab = np.array(_vocabulary(30_000, rng))
        ranks = np.arange(1, len(self.vocab) + 1)
        p = 1.0 / ranks**1.05
        self.cdf = np.cumsum(p / p.sum())
        self.words = words
        self.seed = seed
        plan = random.Random(seed)
        # source[i] is the article that i copies (or -1), kind[i] how.
        self.source = [-1] * n
        self.kind = [""] * n
        for i in range(1, n):
            if plan.random() < copy_share:
                self.source[i] = plan.randrange(max(0, i - 20_000), i)
                self.kind[i] = plan.choice(["exact", "chrome", "trim", "reorder"])

    def _original(self, i: int) -> str:
        rng = np.random.default_rng((self.seed, i))
        idx = np.searchsorted(self.cdf, rng.random(self.words))
        toks = self.vocab[np.minimum(idx, len(self.vocab) - 1)].tolist()
        paras, at = [], 0
        while at < len(toks):
            size = int(rng.integers(40, 110))
            paras.append(" ".join(toks[at : at + size]).capitalize() + ".")
            at += size
        return "\n\n".join(paras)

    def text(self, i: int) -> str:
        src = self.source[i]
        if src < 0:
            return self._original(i)
        base = self.text(src)
        kind = self.kind[i]
        paras = base.split("\n\n")
        if kind == "chrome":
            return f"{CHROME_TOP}\n\n{base}\n\n{CHROME_BOTTOM}"
        if kind == "trim":
            return "\n\n".join(paras[: max(1, len(paras) // 2)])
        if kind == "reorder":
            return "\n\n".join([paras[0], *reversed(paras[1:])])
        return base

    def article(self, i: int) -> Article:
        return Article(id=f"a{i:07d}", text=self.text(i), site=f"site{i % 500}.example",
                       published_at=T0 + timedelta(seconds=30 * i))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of articles")
    parser.add_argument("--words", type=int, default=600, help="words per original article")
    parser.add_argument("--copy-share", type=float, default=0.15, help="share of articles that are copies")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--per-article", action="store_true", help="write each signature at once instead of 1,000 per batch"
    )
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "bench.db"
    engine = create_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    schema.metadata.create_all(engine)
    corpus = _Corpus(n=args.n, words=args.words, copy_share=args.copy_share, seed=args.seed)
    t = time.perf_counter()
    gen_seconds = 0.0
    with engine.begin() as conn:
        batch = []
        for i in range(args.n):
            g = time.perf_counter()
            a = corpus.article(i)
            gen_seconds += time.perf_counter() - g
            batch.append({"id": a.id, "text": a.text, "text_hash": a.text_hash, "site": a.site,
                          "published_at": a.published_at})
            if len(batch) == 2000:
                conn.execute(insert(schema.articles), batch)
                batch = []
        if batch:
            conn.execute(insert(schema.articles), batch)
    print(f"setup: {args.n} article rows written in {time.perf_counter() - t:.1f} s "
          f"(text generation {gen_seconds:.1f} s)")

    index = StoredDedupIndex.load(engine)
    timed = cpu = 0.0
    found = correct = copies = 0
    conn = engine.connect()
    tx = conn.begin()
    for i in range(args.n):
        art = corpus.article(i)
        s, c = time.perf_counter(), time.process_time()
        decision = index.check(art)
        index.add(art, decision, conn=conn, defer=not args.per_article)
        if i % 1000 == 999:
            index.flush(conn)
            tx.commit()
            tx = conn.begin()
        timed += time.perf_counter() - s
        cpu += time.process_time() - c
        if corpus.source[i] >= 0:
            copies += 1
        if decision.duplicate_of is not None:
            found += 1
            src = corpus.source[i]
            while src >= 0 and corpus.source[src] >= 0:
                src = corpus.source[src]
            correct += decision.duplicate_of == f"a{src:07d}"
    index.flush(conn)
    tx.commit()
    conn.close()
    print(f"check+add: {args.n} articles in {timed:.1f} s wall = {args.n / timed:,.0f} articles/s; "
          f"{cpu:.1f} s CPU = {args.n / cpu:,.0f} articles/s of one core (SQLite file, commit every 1,000, "
          f"{'one write per article' if args.per_article else 'writes batched per commit'})")
    print(f"load average (other processes share the 2 cores): {os.getloadavg()[0]:.2f}")
    print(f"copies planted {copies}, linked {found}, linked to the right original {correct}")
    print(f"peak RSS after check+add: {_rss_mb():.0f} MB")
    del index  # a new process would start with only the reloaded index
    gc.collect()
    s = time.perf_counter()
    reloaded = StoredDedupIndex.load(engine)
    print(f"reload of {len(reloaded)} persisted signatures: {time.perf_counter() - s:.1f} s; "
          f"peak RSS so far {_rss_mb():.0f} MB")
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()

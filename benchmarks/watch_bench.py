"""Watch checks and spike detection: speed over a synthetic SQLite store, and the spike rule's precision and
recall on synthetic daily counts with injected surges, in one run.

    python benchmarks/watch_bench.py [--articles 3000] [--events 4] [--watches 20] [--series 300] [--seed 7]

Speed: a store of ``--articles`` hand-coded articles (``--events`` events each, random PLOVER types and
countries, dates over 90 days), ``--watches`` event rules (random type + country) and one spike rule; timed are
the first check over everything stored since the watches were made, and an incremental check after 100 more
articles. Quality: ``--series`` daily series of 120 days drawn from a Poisson law with a mean between 0.3 and 6
a day, with surges (mean x 3 + 3) injected on 3 random days after day 30; a flagged day is correct when it is an
injected day. Synthetic data only: nothing here comes from the evaluation sets.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from newswatch import watch
from newswatch.models import Analysis, Article, CodedActor, Event, EventDate, Place, article_id
from newswatch.store import Store, open_store

TYPES = sorted(watch.plover_types())
COUNTRIES = ["UKR", "RUS", "SDN", "ISR", "PSE", "MMR", "COD", "SYR", "YEM", "USA", "CHN", "IRN", "PRK", "KOR"]
START = datetime(2025, 1, 1, tzinfo=UTC)


def _fill(store: Store, rng: random.Random, n: int, per: int, offset: int = 0) -> None:
    for i in range(offset, offset + n):
        url = f"https://bench.example.org/{i}"
        body = f"Synthetic report {i}."
        art = Article(id=article_id(canonical_url=url, text=body), text=body, url=url, canonical_url=url)
        events = []
        for j in range(per):
            a, r = rng.sample(COUNTRIES, 2)
            events.append(
                Event(
                    id=f"{art.id}-{j}", article_id=art.id, sentence=0, text=body, sent_start=0, trigger="x",
                    trigger_start=0, trigger_end=1, plover_type=rng.choice(TYPES),
                    actors=[CodedActor(a, 0, 1, a)], recipients=[CodedActor(r, 0, 1, r)],
                    place=Place("p", rng.choice((a, r))),
                    date=EventDate(START + timedelta(days=rng.randrange(90)), "day"),
                    certainty=rng.choice(("asserted", "reported", "hedged")),
                )
            )  # fmt: skip
        store.save_article(art)
        store.save_analysis(Analysis(art, events=events), coder_version="bench")


def speed(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        for k in range(args.watches):
            rule = watch.WatchRule(types=[rng.choice(TYPES)], countries=[rng.choice(COUNTRIES)])
            watch.add_watch(store, f"w{k}", rule)
        watch.add_watch(store, "spikes", watch.WatchRule(kind="spike", by="country"))
        t0 = time.perf_counter()
        _fill(store, rng, args.articles, args.events)
        fill = time.perf_counter() - t0
        t0 = time.perf_counter()
        first = watch.check(store)
        t_first = time.perf_counter() - t0
        _fill(store, rng, 100, args.events, offset=args.articles)
        t0 = time.perf_counter()
        second = watch.check(store)
        t_second = time.perf_counter() - t0
        n_events = args.articles * args.events
        print(f"store: {args.articles} articles, {n_events} events, filled in {fill:.1f} s")
        print(f"first check ({args.watches} event watches + 1 spike watch over {n_events} new events): "
              f"{t_first:.2f} s, {len(first)} alerts ({sum(a.kind == 'spike' for a in first)} spikes)")  # fmt: skip
        print(f"incremental check after 100 articles ({100 * args.events} events): {t_second:.2f} s, "
              f"{len(second)} alerts")  # fmt: skip


def quality(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    days = 120
    flagged = correct = injected = 0
    for s in range(args.series):
        mean = float(rng.uniform(0.3, 6.0))
        counts = rng.poisson(mean, days)
        surge_days = set(rng.choice(np.arange(30, days), 3, replace=False).tolist())
        for d in surge_days:
            counts[d] = rng.poisson(mean * 3 + 3)
        injected += len(surge_days)
        series = {
            (f"S{s}", "ASSAULT"): {date(2025, 1, 1) + timedelta(days=i): int(c) for i, c in enumerate(counts)}
        }
        found = watch.find_spikes(series, first_day=date(2025, 1, 1))  # the shipped defaults
        hits = {(sp.day - date(2025, 1, 1)).days for sp in found}
        flagged += len(hits)
        correct += len(hits & surge_days)
    precision = correct / flagged if flagged else 0.0
    recall = correct / injected if injected else 0.0
    print(f"spike rule (shipped defaults: window 28, k 3, min_count 3, min_history 7) on {args.series} Poisson series x {days} days: "
          f"{injected} injected surges, {flagged} flagged, precision {precision:.3f}, recall {recall:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--events", type=int, default=4)
    parser.add_argument("--watches", type=int, default=20)
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    quality(args)
    speed(args)


if __name__ == "__main__":
    main()

"""Start-up cost of the command line, measured as whole processes, beside the spaCy load it cannot avoid.

    python benchmarks/startup.py [--texts FILE.jsonl] [--docs 60] [--repeat 3]

Every figure is the median of --repeat fresh processes, as wall time and as CPU time (user + system of the
process, steadier when the CPUs are shared with other work):

- ``spaCy load``: ``python -c "import spacy; spacy.load(...)"``, the floor any command that parses pays;
- ``newswatch code`` on one sentence; the goal is at most 1.5 x the spaCy load;
- ``bare parse``: one process that loads spaCy and runs ``nlp.pipe`` over the first --docs texts;
- ``newswatch run`` of the same texts (as a JSONL file) into a new SQLite database each time; the figure that
  matters is bare parse / run (1.0 would be a pipeline that costs nothing beyond parsing);
- the same two commands once more with an empty cache directory (``NEWSWATCH_CACHE_DIR``), which is what the
  first command after an install or a data change pays while it builds the cached indexes.

Texts default to the first documents of the bundled demo corpus (its originals, as newswatch extracts them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

SENTENCE = {
    "id": "s1",
    "text": "North Korea fired a ballistic missile into the sea off its east coast on Thursday, "
    "South Korea's military said.",
    "date": "2024-09-12",
}


class Timing(NamedTuple):
    wall: float
    cpu: float  # user + system seconds of the child process: steadier than wall time on a shared machine


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wall(cmd: list[str], env: dict[str, str] | None = None) -> Timing:
    t0, c0 = time.perf_counter(), _cpu()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed, cpu = time.perf_counter() - t0, _cpu() - c0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return Timing(elapsed, cpu)


def _med(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings))


def _median(cmd: list[str], repeat: int, env: dict[str, str] | None = None) -> Timing:
    return _med([_wall(cmd, env) for _ in range(repeat)])


def _demo_records(limit: int) -> list[dict[str, object]]:
    """The first ``limit`` originals of the demo corpus, as newswatch extracts them."""
    from newswatch import pipeline
    from newswatch.config import Settings
    from newswatch.demo import demo_sources

    settings = Settings()
    sources = [s for s in demo_sources() if not s.endswith("copies")]
    out: list[dict[str, object]] = []
    for a in pipeline.extract_paths(sources, settings=settings.extract, fetch=settings.fetch):
        out.append({"id": a["id"], "url": a["url"], "title": a["title"], "date": a["date"], "text": a["text"]})
        if len(out) >= limit:
            break
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=Path, help="JSONL records {id, text, ...} (default: the demo corpus)")
    ap.add_argument("--docs", type=int, default=60, help="documents for the run figures")
    ap.add_argument("--repeat", type=int, default=3, help="processes per figure; the median is printed")
    args = ap.parse_args()

    py = sys.executable
    bindir = Path(py).parent
    newswatch = str(bindir / "newswatch")
    from newswatch.nlp import load_pipeline

    model = load_pipeline().meta.get("name", "core_web_sm")
    lang_model = f"en_{model}" if not model.startswith("en_") else model
    records: list[dict[str, object]] = []
    if args.texts:
        with args.texts.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    records.append(json.loads(line))
                if len(records) >= args.docs:
                    break
    else:
        records = _demo_records(args.docs)
    origin = str(args.texts) if args.texts else "the demo corpus (originals, as extracted)"
    words = sum(len(str(r.get("text", "")).split()) for r in records)
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps(SENTENCE) + "\n", encoding="utf-8")
        docs = Path(tmp) / "docs.jsonl"
        with docs.open("w", encoding="utf-8") as fh:
            for n, r in enumerate(records):
                fh.write(json.dumps({"id": r.get("id", n), "url": r.get("url"), "title": r.get("title"),
                                     "date": r.get("date"), "text": r["text"]}) + "\n")
        parse_code = (
            "import json,spacy,sys\n"
            f"nlp=spacy.load({lang_model!r})\n"
            "texts=[json.loads(l)['text'] for l in open(sys.argv[1],encoding='utf-8') if l.strip()]\n"
            "for _ in nlp.pipe(texts,batch_size=32): pass\n"
        )
        counter = iter(range(1_000_000))

        def run_cmd() -> list[str]:
            return [newswatch, "run", str(docs), "--db", f"{tmp}/bench-{next(counter)}.db", "--quiet"]

        def run_median(env: dict[str, str] | None = None, repeat: int = args.repeat) -> Timing:
            return _med([_wall(run_cmd(), env) for _ in range(repeat)])

        print(f"texts: first {len(records)} documents of {origin} ({words:,} words); model {lang_model}")
        print(f"each figure: median of {args.repeat} fresh processes")
        _wall([newswatch, "code", "--input", str(one)])  # fills the caches, if there are any
        spacy_s = _median([py, "-c", f"import spacy; spacy.load({lang_model!r})"], args.repeat)
        code_s = _median([newswatch, "code", "--input", str(one)], args.repeat)
        parse_s = _median([py, "-c", parse_code, str(docs)], args.repeat)
        run_s = run_median()
        cold = {**os.environ, "NEWSWATCH_CACHE_DIR": f"{tmp}/empty-cache"}

        def cold_code() -> Timing:
            env = {**cold, "NEWSWATCH_CACHE_DIR": f"{tmp}/cache-{next(counter)}"}
            return _wall([newswatch, "code", "--input", str(one)], env)

        def cold_run() -> Timing:
            env = {**cold, "NEWSWATCH_CACHE_DIR": f"{tmp}/cache-{next(counter)}"}
            return _wall(run_cmd(), env)

        code_cold = _med([cold_code() for _ in range(args.repeat)])
        run_cold = _med([cold_run() for _ in range(args.repeat)])

    n = len(records)
    print(f"{'what':44} {'wall s':>7} {'ratio':>6} {'cpu s':>7} {'ratio':>6}")
    rows = [
        ("spaCy load (import spacy; spacy.load)", spacy_s, None, ""),
        ("newswatch code, one sentence", code_s, spacy_s, "x spaCy load"),
        ("  the same, empty cache directory", code_cold, spacy_s, "x spaCy load"),
        (f"bare parse of {n} documents (one process)", parse_s, None, ""),
        (f"newswatch run, {n} documents", run_s, parse_s, "x bare parse speed"),
        ("  the same, empty cache directory", run_cold, parse_s, "x bare parse speed"),
    ]
    for name, t, base, unit in rows:
        if base is None:
            print(f"{name:44} {t.wall:7.2f} {'':>6} {t.cpu:7.2f}")
        elif unit.startswith("x bare"):  # speed: parse time over run time
            print(f"{name:44} {t.wall:7.2f} {base.wall / t.wall:6.2f} {t.cpu:7.2f} {base.cpu / t.cpu:6.2f}  {unit}")
        else:
            print(f"{name:44} {t.wall:7.2f} {t.wall / base.wall:6.2f} {t.cpu:7.2f} {t.cpu / base.cpu:6.2f}  {unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

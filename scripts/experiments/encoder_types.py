#!/usr/bin/env python3
"""Measure what a fine-tuned pretrained sentence encoder adds to the event coder: an experiment, not a part of
newswatch (the project does not depend on torch or on any encoder's weights).

The encoder reads a whole sentence and says which PLOVER types it holds (16 independent yes/no outputs over the
mean of its token vectors). The coder's own events are then kept only when the encoder gives their type at least
GATE, and for a type the encoder gives at least ADD that the coder did not report, the coder's most likely
candidate of that type (down to a type probability FLOOR, found with a copy of the model whose type threshold is
0.02) is added with its actors and recipients. GATE, ADD and FLOOR are chosen on the tuning part of the training
split (15 in 100 training articles, as ``newswatch train events`` chooses its thresholds); the test split and the
evaluation files are only predicted, never used to choose.

Steps (the first in an environment with torch and transformers, e.g. ``python -m venv /tmp/enc &&
/tmp/enc/bin/pip install torch transformers``; the others in the project's ``.venv``):

1. ``sentences``: write the training sentences with their split and gold types (project venv):
       python scripts/experiments/encoder_types.py sentences --labels training/events/labels.jsonl \\
           --text ../shared --text training/events/own_sentences.jsonl \\
           --text training/events/own_sentences_2.jsonl -o /tmp/enc/sentences.jsonl
2. ``fit``: fine-tune the encoder (a local folder in the Hugging Face layout, e.g. all-MiniLM-L6-v2) on the
   fitting part, 4 epochs, seed 13, and write type probabilities for the tuning part and for each --predict file
   (JSONL {id, text}):
       /tmp/enc/bin/python scripts/experiments/encoder_types.py fit --encoder DIR \\
           --sentences /tmp/enc/sentences.jsonl -o /tmp/enc/probs --predict dev=GOLD.jsonl
3. ``choose``: fit the coder's models on the fitting part, code the tuning part with a type threshold of 0.02,
   and choose GATE/ADD/FLOOR by type F1 + full F1 (project venv):
       python scripts/experiments/encoder_types.py choose --labels ... --text ... --probs /tmp/enc/probs/tune.json
4. ``unlabelled`` and ``distil``: the encoder as a teacher for a model within the coder's budget. ``unlabelled``
   writes every sentence of the training texts outside the test split, the tuning part and the dev articles (a
   regular-expression split; no sentence sharing eight words with a dev sentence); ``distil`` (torch venv, with
   scikit-learn) labels them with the fine-tuned encoder (a type when its probability is at least 0.5) and fits a
   linear sentence model on word and word-pair features, once on the annotated fitting sentences alone and once
   with the encoder's labels added, writing both models' tuning-part probabilities for ``choose``:
       python scripts/experiments/encoder_types.py unlabelled --shared ../shared --labels ... --text ... \
           -o /tmp/enc/unlabelled.jsonl
       /tmp/enc/bin/python scripts/experiments/encoder_types.py distil --encoder DIR --model /tmp/enc/probs \
           --sentences /tmp/enc/sentences.jsonl --unlabelled /tmp/enc/unlabelled.jsonl -o /tmp/enc/probs
5. ``augment``, then ``static --augmented``: a larger transfer set for the student, each fitting and unlabelled
   sentence rewritten twice (words masked, replaced by words of the same part of speech, cut to a window), labelled
   by the teacher (tried 2026-12-04 and not kept; see the model card):
       python scripts/experiments/encoder_types.py augment --sentences /tmp/enc/sentences.jsonl \
           --unlabelled /tmp/enc/unlabelled.jsonl -o /tmp/enc/augmented.jsonl
       /tmp/enc/bin/python scripts/experiments/encoder_types.py static ... --augmented /tmp/enc/augmented.jsonl
6. ``inside``: the fine-tuned encoder itself as the coder's sentence type model, in ``newswatch train events``
   (gate/add/floor and fallbacks chosen for it) and then ``newswatch code`` with the model so trained (torch venv
   with newswatch installed into it):
       /tmp/enc/bin/python scripts/experiments/encoder_types.py inside --encoder DIR --model /tmp/enc/probs \
           --sentences /tmp/enc/sentences.jsonl -- train events --text ../shared \
           --text training/events/own_sentences.jsonl --labels LABELS -o /tmp/enc/coder
       /tmp/enc/bin/python scripts/experiments/encoder_types.py inside ... -- code -i GOLD \
           --event-model /tmp/enc/coder > PRED.jsonl
7. ``apply``: combine ``newswatch code`` output (with --event-model a copy of the model whose type threshold is
   0.02) with the encoder's probabilities and print the shared scorer's figures:
       python scripts/experiments/encoder_types.py apply --gold GOLD --low LOW.jsonl --base BASE.jsonl \\
           --probs /tmp/enc/probs/dev.json --gate 0.1 --add 0.5 --floor 0.02
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def _counted(e: dict[str, Any]) -> bool:
    return not e.get("negated") and str(e.get("tense") or "").lower() != "hypothetical"


def combine(
    base: list[dict[str, Any]], low: list[dict[str, Any]], probs: dict[str, dict[str, float]], gate: float,
    add: float, floor: float,
) -> list[dict[str, Any]]:  # fmt: skip
    """The coder's records with the encoder's say: events of unlikely types dropped, likely types added."""
    out = []
    for b, lo in zip(base, low, strict=True):
        if str(b["id"]) != str(lo["id"]):
            raise SystemExit(f"records out of step: {b['id']} and {lo['id']}")
        p = probs[str(b["id"])]
        events = [e for e in b["events"] if not _counted(e) or p.get(e["type"], 0.0) >= gate]
        have = {e["type"] for e in events if _counted(e)}
        for t, pt in sorted(p.items()):
            if pt < add or t in have:
                continue
            found = [e for e in lo["events"] if _counted(e) and e["type"] == t and e["confidence"] >= floor]
            if found:
                events.append(max(found, key=lambda e: e["confidence"]))
        out.append({"id": b["id"], "events": events})
    return out


def _read_probs(path: Path) -> dict[str, dict[str, float]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        sid: dict(zip(data["types"], row, strict=True))
        for sid, row in zip(data["ids"], data["probs"], strict=True)
    }


def cmd_sentences(args: argparse.Namespace) -> None:
    from newswatch.coder import training as T
    from newswatch.coder.labels import read_labels

    sentences, _ = read_labels(args.labels, args.text)
    with open(args.output, "w", encoding="utf-8") as f:
        for s in sentences:
            if s.split == "test":
                continue
            types = sorted({e.type for e in s.events if e.status in ("asserted", "future")})
            row = {"id": s.sid, "text": s.text, "tune": T._in_tuning(s, 15), "types": types}
            f.write(json.dumps(row) + "\n")


def _read_sentences(path: str) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """The types, the fitting sentences and the tuning sentences of a ``sentences`` file."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    types = sorted({t for r in rows for t in r["types"]})
    return types, [r for r in rows if not r["tune"]], [r for r in rows if r["tune"]]


def _write_probs(
    out_dir: Path, types: list[str], tune: list[dict[str, Any]], specs: list[str], predict: Any
) -> None:
    """Type probabilities of the tuning part and of each NAME=JSONL file, as NAME.json in ``out_dir``."""
    import numpy as np

    sets = [("tune", [(r["id"], r["text"]) for r in tune])]
    for spec in specs:
        name, _, path = spec.partition("=")
        recs = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
        sets.append((name, [(str(r["id"]), r["text"]) for r in recs]))
    for name, items in sets:
        probs = predict([t for _, t in items])
        data = {"types": types, "ids": [i for i, _ in items], "probs": np.round(probs, 5).tolist()}
        (out_dir / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


def _best_f1(p: Any, gold: Any, thresholds: tuple[float, ...]) -> tuple[float, float]:
    """Sentence-level type F1 (micro) at the best of ``thresholds``, and that threshold."""
    return max((2 * ((p >= th) & gold).sum() / ((p >= th).sum() + gold.sum()), th) for th in thresholds)


def cmd_fit(args: argparse.Namespace) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(13)
    random.seed(13)
    torch.set_num_threads(args.threads)
    types, fit, tune = _read_sentences(args.sentences)
    tok = AutoTokenizer.from_pretrained(args.encoder)
    encoder = AutoModel.from_pretrained(args.encoder)
    dim = encoder.config.hidden_size

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = encoder
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(dim, len(types))

        def forward(self, batch: Any) -> Any:
            h = self.enc(**batch).last_hidden_state
            m = batch["attention_mask"].unsqueeze(-1).float()
            return self.head(self.drop((h * m).sum(1) / m.sum(1)))

    model = Model()
    opt = torch.optim.AdamW(
        [{"params": model.enc.parameters(), "lr": 5e-5}, {"params": model.head.parameters(), "lr": 2e-3}],
        weight_decay=0.01,
    )
    epochs, bs = args.epochs, 32
    steps = epochs * ((len(fit) + bs - 1) // bs)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps)
    )
    y = torch.tensor([[float(t in r["types"]) for t in types] for r in fit])
    pos_weight = torch.full((len(types),), 3.0)

    def batch(texts: list[str]) -> Any:
        return tok(texts, padding=True, truncation=True, max_length=96, return_tensors="pt")

    def predict(texts: list[str]) -> Any:
        model.eval()
        out = []
        with torch.no_grad():
            for i in range(0, len(texts), 64):
                out.append(torch.sigmoid(model(batch(texts[i : i + 64]))))
        model.train()
        return torch.cat(out).numpy()

    for epoch in range(epochs):
        if epoch > 0:
            # from_pretrained leaves the encoder in eval mode: its dropout is off in the first epoch and on from
            # the second, as in the run that made the teacher of events-1.1.0's sentence type model
            model.train()
        order = list(range(len(fit)))
        random.shuffle(order)
        started, total = time.perf_counter(), 0.0
        for k in range(0, len(order), bs):
            idx = order[k : k + bs]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model(batch([fit[i]["text"] for i in idx])), y[idx], pos_weight=pos_weight
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {epoch + 1}: loss {total:.1f}, {time.perf_counter() - started:.0f} s", flush=True)
    out_dir = Path(args.output)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out_dir / "model.pt")
    _write_probs(out_dir, types, tune, args.predict, predict)
    torch.set_num_threads(1)
    model.eval()
    texts = [r["text"] for r in fit[:512]]
    started = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(texts), 32):
            model(batch(texts[i : i + 32]))
    print(f"inference on one thread: {len(texts) / (time.perf_counter() - started):.0f} sentences/s")


def cmd_unlabelled(args: argparse.Namespace) -> None:
    import re
    from types import SimpleNamespace

    from newswatch.coder import training as T
    from newswatch.coder.labels import read_labels

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from type_model_tuning import build_pool

    pool = build_pool()
    dev = pool._dev_grams(args.shared)
    labelled = {s.text for s in read_labels(args.labels, args.text)[0]}
    split = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(]?[A-Z0-9])")
    n = 0
    with open(args.output, "w", encoding="utf-8") as out:
        for rel, ident, text in pool._records(args.shared):
            article = SimpleNamespace(source=rel, record=ident, written=False)
            if pool.split_of(rel, ident) == "test" or T._in_tuning(article, 15):
                continue
            for para in text.split("\n"):
                for sent in (x.strip() for x in split.split(para)):
                    if not 4 <= len(sent.split()) <= 80 or not re.search("[a-z]", sent) or sent in labelled:
                        continue
                    if pool._grams(sent) & dev:
                        continue
                    out.write(
                        json.dumps({"id": f"u{n}", "text": sent, "source": rel, "record": ident}) + "\n"
                    )
                    n += 1
    print(f"{n} sentences")


def cmd_augment(args: argparse.Namespace) -> None:
    """More sentences for the teacher to label (the transfer set of Tang et al. 2019, "Distilling Task-Specific
    Knowledge from BERT into Simple Neural Networks"): each fitting and unlabelled sentence rewritten ``--copies``
    times, each word in turn masked (probability 0.1: dropped for the student, [MASK] for the teacher) or replaced
    by another word of the training text with the same part of speech (0.1, drawn by frequency); and with
    probability 0.25 the copy is then cut to a random window of 6-20 words. Only the teacher labels them."""
    from collections import Counter, defaultdict

    from newswatch.nlp import load_pipeline

    rng = random.Random(13)
    _, fit, _ = _read_sentences(args.sentences)
    unlabelled = [json.loads(line) for line in open(args.unlabelled, encoding="utf-8")]
    texts = [r["text"] for r in fit] + [r["text"] for r in unlabelled]
    nlp = load_pipeline()
    with nlp.select_pipes(enable=["tok2vec", "tagger"]):
        tagged = [[(t.text, t.tag_, t.whitespace_) for t in doc] for doc in nlp.pipe(texts, batch_size=256)]
    by_tag: dict[str, Counter[str]] = defaultdict(Counter)
    for sent in tagged:
        for word, tag, _ in sent:
            if word.isalpha():
                by_tag[tag][word] += 1
    pools = {tag: (list(c), list(itertools.accumulate(c.values()))) for tag, c in by_tag.items()}
    n = 0
    with open(args.output, "w", encoding="utf-8") as out:
        for sent in tagged:
            for _ in range(args.copies):
                words = []
                for word, tag, space in sent:
                    r = rng.random()
                    if r < 0.1 and word.isalpha():
                        word = "[MASK]"
                    elif r < 0.2 and word.isalpha() and tag in pools:
                        vocab, cum = pools[tag]
                        word = rng.choices(vocab, cum_weights=cum)[0]
                    words.append(word + (" " if space else ""))
                if rng.random() < 0.25 and len(words) > 8:
                    size = rng.randint(6, min(20, len(words) - 1))
                    start = rng.randint(0, len(words) - size)
                    words = words[start : start + size]
                text = "".join(words).strip()
                if len(text.split()) >= 4:
                    out.write(json.dumps({"id": f"a{n}", "text": text}) + "\n")
                    n += 1
    print(f"{n} rewritten sentences from {len(texts)}")


def _finetuned(encoder_dir: str, model_dir: str, n_types: int) -> tuple[Any, Any, Any, Any]:
    """The encoder fine-tuned by ``fit``: tokenizer, encoder, head, and a function from texts to type probabilities."""
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(encoder_dir)
    encoder = AutoModel.from_pretrained(encoder_dir)
    head = torch.nn.Linear(encoder.config.hidden_size, n_types)
    state = torch.load(Path(model_dir) / "model.pt")
    encoder.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("enc.")})
    head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
    encoder.eval()

    def teach(texts: list[str]) -> Any:
        probs = []
        with torch.no_grad():
            for i in range(0, len(texts), 64):
                b = tok(texts[i : i + 64], padding=True, truncation=True, max_length=96, return_tensors="pt")
                h = encoder(**b).last_hidden_state
                m = b["attention_mask"].unsqueeze(-1).float()
                probs.append(torch.sigmoid(head((h * m).sum(1) / m.sum(1))).numpy())
        return np.vstack(probs) if probs else np.zeros((0, n_types))

    return tok, encoder, head, teach


def cmd_distil(args: argparse.Namespace) -> None:
    import numpy as np
    import torch
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    torch.set_num_threads(args.threads)
    types, fit, tune = _read_sentences(args.sentences)
    unlabelled = [json.loads(line) for line in open(args.unlabelled, encoding="utf-8")]
    *_, teach = _finetuned(args.encoder, args.model, len(types))
    silver = teach([r["text"] for r in unlabelled]) >= 0.5
    print(f"{len(unlabelled)} unlabelled sentences, {int(silver.any(1).sum())} with a type by the encoder")
    gold = np.array([[t in r["types"] for t in types] for r in fit])
    tune_gold = np.array([[t in r["types"] for t in types] for r in tune])
    out_dir = Path(args.output)
    for name, texts, y in (
        ("student-annotated", [r["text"] for r in fit], gold),
        (
            "student-distilled",
            [r["text"] for r in fit] + [r["text"] for r in unlabelled],
            np.vstack([gold, silver]),
        ),
    ):
        vec = CountVectorizer(ngram_range=(1, 2), min_df=2, binary=True)
        x = vec.fit_transform(texts)
        xt = vec.transform([r["text"] for r in tune])
        p = np.zeros((len(tune), len(types)))
        for j in range(len(types)):
            if y[:, j].any():
                clf = LogisticRegression(C=1.0, max_iter=3000, solver="liblinear").fit(x, y[:, j])
                p[:, j] = clf.predict_proba(xt)[:, 1]
        best = _best_f1(p, tune_gold, (0.2, 0.3, 0.4, 0.5))
        print(f"{name}: {x.shape[0]} sentences, {x.shape[1]} features, tuning-part sentence type F1 "
              f"{best[0]:.3f} at {best[1]}")  # fmt: skip
        data = {"types": types, "ids": [r["id"] for r in tune], "probs": np.round(p, 5).tolist()}
        (out_dir / f"tune.{name}.json").write_text(json.dumps(data), encoding="utf-8")


WORD = None


def words_of(text: str) -> list[str]:
    """The student's tokens: lower-cased words, every number as 0 (punctuation dropped)."""
    import re

    global WORD
    if WORD is None:
        WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+(?:[.,]\d+)*")
    return ["0" if w[0].isdigit() else w for w in WORD.findall(text.lower())]


def cmd_static(args: argparse.Namespace) -> None:
    """A student at the coder's speed that keeps the encoder's word meaning (Model2Vec-style): each word of the
    training text is given the fine-tuned encoder's vector for that word alone, reduced by PCA; a small network
    over these vectors (their weighted mean, or a width-3 convolution max-pooled, with the mean; ``--arch attn`` and
    ``cnnattn`` try self-attention layers instead of or beside it, not exportable) is fitted to the gold types of
    the annotated fitting sentences and to the encoder's type probabilities on the unlabelled ones."""
    from collections import Counter

    import numpy as np
    import torch

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    types, fit, tune = _read_sentences(args.sentences)
    words_of_fit = fit  # the vocabulary comes from every fitting sentence (words only, no labels)
    held: list[dict[str, Any]] = []
    if args.fold:  # cross-fitting: one fold of the fitting sentences is left out of the targets and predicted
        k, n = (int(x) for x in args.fold.split("/"))
        in_fold = [int(hashlib.sha1(r["id"].encode("utf-8")).hexdigest(), 16) % n == k for r in fit]
        held = [r for r, f in zip(fit, in_fold, strict=True) if f]
        fit = [r for r, f in zip(fit, in_fold, strict=True) if not f]
    unlabelled = [json.loads(line) for line in open(args.unlabelled, encoding="utf-8")]
    out_dir = Path(args.output)
    out_dir.mkdir(parents=True, exist_ok=True)
    tok, encoder, _, teach = _finetuned(args.encoder, args.model, len(types))
    cache = out_dir / "teacher.unlabelled.npy"
    if cache.exists():
        soft = np.load(cache)
    else:
        started = time.perf_counter()
        soft = teach([r["text"] for r in unlabelled]).astype(np.float32)
        np.save(cache, soft)
        print(f"teacher on {len(unlabelled)} sentences: {time.perf_counter() - started:.0f} s", flush=True)
    counts = Counter(w for r in words_of_fit + unlabelled for w in words_of(r["text"]))
    vocab = [w for w, n in counts.most_common(args.vocab) if n >= 2]
    index = {w: i + 1 for i, w in enumerate(vocab)}  # 0 pads
    vec_cache = out_dir / f"words.{len(vocab)}.npy"
    if vec_cache.exists():
        raw = np.load(vec_cache)
    else:
        started = time.perf_counter()
        chunks = []
        with torch.no_grad():
            for i in range(0, len(vocab), 512):
                b = tok(
                    vocab[i : i + 512], padding=True, return_tensors="pt", return_special_tokens_mask=True
                )
                keep = (b.pop("special_tokens_mask") == 0).unsqueeze(-1).float()
                h = encoder(**b).last_hidden_state
                chunks.append(((h * keep).sum(1) / keep.sum(1).clamp(min=1)).numpy())
        raw = np.vstack(chunks).astype(np.float32)
        np.save(vec_cache, raw)
        print(f"word vectors of {len(vocab)} words: {time.perf_counter() - started:.0f} s", flush=True)
    if args.word_vectors != "alone":
        ctx_cache = out_dir / f"ctxwords.{len(vocab)}.npy"
        if ctx_cache.exists():
            ctx = np.load(ctx_cache)
        else:
            started = time.perf_counter()
            ctx = _context_vectors(tok, encoder, [r["text"] for r in fit + unlabelled], index, raw)
            np.save(ctx_cache, ctx)
            print(f"context word vectors of {len(vocab)} words: {time.perf_counter() - started:.0f} s", flush=True)
        raw = ctx if args.word_vectors == "context" else np.hstack([raw, ctx])
    centred = raw - raw.mean(0)
    _, _, vt = np.linalg.svd(centred[: min(len(centred), 20000)], full_matrices=False)
    reduced = centred @ vt[: args.dim].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True).mean()
    total = sum(counts[w] for w in vocab)
    sif = np.array([1e-3 / (1e-3 + counts[w] / total) for w in vocab], dtype=np.float32)
    table = np.vstack([np.zeros((1, args.dim)), reduced * sif[:, None]]).astype(np.float32)

    def ids(texts: list[str], limit: int = 80) -> Any:
        seqs = [[index[w] for w in words_of(t) if w in index][:limit] for t in texts]
        width = max(1, max((len(q) for q in seqs), default=1))
        return torch.tensor([q + [0] * (width - len(q)) for q in seqs])

    class Student(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = torch.nn.Embedding.from_pretrained(torch.from_numpy(table), freeze=args.freeze,
                                                          padding_idx=0)  # fmt: skip
            width = args.dim
            if args.arch in ("cnn", "cnn2"):
                self.conv = torch.nn.Conv1d(args.dim, args.filters, 3, padding=1)
                width += args.filters
            if args.arch == "cnn2":  # a second convolution over the first: five words in view
                self.conv2 = torch.nn.Conv1d(args.filters, args.filters, 3, padding=1)
                width += args.filters
            if args.arch in ("attn", "cnnattn"):  # self-attention: every word read beside the whole sentence
                self.pos = torch.nn.Embedding(80, args.dim)
                torch.nn.init.normal_(self.pos.weight, std=0.02)
                layer = torch.nn.TransformerEncoderLayer(
                    args.dim, args.heads, args.ff, args.dropout, activation="relu", batch_first=True,
                    norm_first=True,
                )
                self.attn = torch.nn.TransformerEncoder(layer, args.layers, enable_nested_tensor=False)
                self.attn_norm = torch.nn.LayerNorm(args.dim)
                width += args.dim
            self.hidden = torch.nn.Linear(width, args.hidden)
            self.out = torch.nn.Linear(args.hidden, len(types))
            self.drop = torch.nn.Dropout(args.dropout)

        def forward(self, x: Any) -> Any:
            mask = (x > 0).float().unsqueeze(-1)
            e = self.emb(x)
            parts = [(e * mask).sum(1) / mask.sum(1).clamp(min=1)]
            if args.arch in ("cnn", "cnn2"):
                c = torch.relu(self.conv(self.drop(e).transpose(1, 2))).transpose(1, 2)
                parts.append((c * mask - (1 - mask) * 1e4).max(1).values.clamp(min=0))
            if args.arch == "cnn2":
                c2 = torch.relu(self.conv2(self.drop(c * mask).transpose(1, 2))).transpose(1, 2)
                parts.append((c2 * mask - (1 - mask) * 1e4).max(1).values.clamp(min=0))
            if args.arch in ("attn", "cnnattn"):
                pad = x == 0
                pad[:, 0] = False  # words are left-aligned: a row without words reads its first pad
                h = self.attn(e + self.pos(torch.arange(x.shape[1]).unsqueeze(0)), src_key_padding_mask=pad)
                h = self.attn_norm(h)
                if args.arch == "attn":  # the mean of the attention's output, not of the bare word vectors
                    parts = [(h * mask).sum(1) / mask.sum(1).clamp(min=1)]
                parts.append((h * mask - (1 - mask) * 1e4).max(1).values * (mask.sum(1) > 0).float())
            return self.out(self.drop(torch.relu(self.hidden(torch.cat(parts, 1)))))

    model = Student()
    texts = [r["text"] for r in fit] + [r["text"] for r in unlabelled]
    targets = torch.from_numpy(np.vstack([
        np.array([[float(t in r["types"]) for t in types] for r in fit], dtype=np.float32), soft,
    ]))  # fmt: skip
    weights = torch.tensor([args.gold_weight] * len(fit) + [1.0] * len(unlabelled))
    if args.augmented:
        rewritten = [json.loads(line)["text"] for line in open(args.augmented, encoding="utf-8")]
        aug_cache = out_dir / f"teacher.{Path(args.augmented).stem}.npy"
        if aug_cache.exists():
            aug_soft = np.load(aug_cache)
        else:
            started = time.perf_counter()
            aug_soft = teach(rewritten).astype(np.float32)
            np.save(aug_cache, aug_soft)
            print(f"teacher on {len(rewritten)} rewritten sentences: {time.perf_counter() - started:.0f} s",
                  flush=True)  # fmt: skip
        # a masked word is one the student does not see
        texts += [t.replace("[MASK]", " ") for t in rewritten]
        targets = torch.cat([targets, torch.from_numpy(aug_soft)])
        weights = torch.cat([weights, torch.full((len(rewritten),), args.aug_weight)])
    encoded = [ids([t])[0] for t in texts]
    tune_gold = np.array([[t in r["types"] for t in types] for r in tune])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    def predict(items: list[str]) -> Any:
        model.eval()
        with torch.no_grad():
            out = [torch.sigmoid(model(ids(items[i : i + 256]))).numpy() for i in range(0, len(items), 256)]
        model.train()
        return np.vstack(out)

    for epoch in range(args.epochs):
        order = list(range(len(texts)))
        random.shuffle(order)
        started, total = time.perf_counter(), 0.0
        for k in range(0, len(order), 64):
            idx = order[k : k + 64]
            width = max(1, max(len(encoded[i]) for i in idx))
            x = torch.stack([torch.nn.functional.pad(encoded[i], (0, width - len(encoded[i]))) for i in idx])
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(model(x), targets[idx], reduction="none")
                    .mean(1) * weights[idx]).mean()  # fmt: skip
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        p = predict([r["text"] for r in tune])
        best = _best_f1(p, tune_gold, (0.2, 0.3, 0.4, 0.5, 0.6, 0.7))
        print(f"epoch {epoch + 1}: loss {total:.1f}, {time.perf_counter() - started:.0f} s, tuning-part sentence "
              f"type F1 {best[0]:.3f} at {best[1]}", flush=True)  # fmt: skip
    _write_probs(out_dir, types, tune, args.predict, predict)
    if held:
        probs = predict([r["text"] for r in held])
        data = {"types": types, "ids": [r["id"] for r in held], "probs": np.round(probs, 5).tolist()}
        (out_dir / "held.json").write_text(json.dumps(data), encoding="utf-8")
    if args.export:
        _export(model, vocab, types, Path(args.export), args)


def _context_vectors(tok: Any, encoder: Any, texts: list[str], index: dict[str, int], alone: Any) -> Any:
    """Each word's vector as the fine-tuned encoder reads it in context: its word pieces' last-layer vectors
    averaged within each occurrence, then over all its occurrences in ``texts`` (in the manner of static
    embeddings distilled from contextual ones, Bommasani et al. 2020); a word never seen whole keeps its vector
    read alone."""
    import re

    import numpy as np
    import torch

    word = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+(?:[.,]\d+)*")
    total = np.zeros_like(alone, dtype=np.float64)
    count = np.zeros(len(alone), dtype=np.int64)
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            chunk = texts[i : i + 64]
            b = tok(chunk, padding=True, truncation=True, max_length=96, return_tensors="pt",
                    return_offsets_mapping=True)  # fmt: skip
            offsets = b.pop("offset_mapping").numpy()
            h = encoder(**b).last_hidden_state.numpy()
            for r, text in enumerate(chunk):
                low = text.lower()
                if len(low) != len(text):
                    continue
                starts, ends = offsets[r, :, 0], offsets[r, :, 1]
                for m in word.finditer(low):
                    w = "0" if m.group()[0].isdigit() else m.group()
                    j = index.get(w)
                    if j is None:
                        continue
                    pieces = np.nonzero((ends > m.start()) & (starts < m.end()) & (ends > starts))[0]
                    if len(pieces):
                        total[j - 1] += h[r, pieces].mean(0)
                        count[j - 1] += 1
    seen = count > 0
    out = alone.astype(np.float64).copy()
    out[seen] = total[seen] / count[seen, None]
    print(f"{int(seen.sum())} of {len(alone)} words read in context ({int(count.sum())} occurrences)", flush=True)
    return out.astype(np.float32)


def _export(model: Any, vocab: list[str], types: list[str], folder: Path, args: argparse.Namespace) -> None:
    """The student in the layout of newswatch.coder.sentence (sentence.json + sentence.npz, 16-bit arrays)."""
    import numpy as np

    if args.arch != "cnn":
        raise SystemExit("only the cnn student can be exported")
    w = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    conv = w["conv.weight"]  # filters x dim x 3: the previous word, the word, the next word
    arrays = {
        "table": w["emb.weight"], "conv_w": np.concatenate([conv[:, :, k] for k in range(3)], axis=1).T,
        "conv_b": w["conv.bias"], "hidden_w": w["hidden.weight"].T, "hidden_b": w["hidden.bias"],
        "out_w": w["out.weight"].T, "out_b": w["out.bias"],
    }  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / "sentence.npz", **{k: v.astype(np.float16) for k, v in arrays.items()})
    settings = {k: getattr(args, k) for k in ("vocab", "dim", "filters", "hidden", "dropout", "lr", "epochs",
                                              "gold_weight", "freeze")}  # fmt: skip
    head = {
        "_meta": {
            "written_by": "the newswatch project",
            "source": "made from the gold types of our annotated training sentences and from the type "
            "probabilities that a sentence encoder fine-tuned by us (all-MiniLM-L6-v2, Apache-2.0) gives "
            "unannotated training sentences, by scripts/experiments/encoder_types.py static: the encoder's vectors "
            "for each word alone, reduced by PCA, then a small network fitted to those targets; it holds weights "
            "and single words of the training text, never a sentence",
        },
        "settings": settings,
        "types": types,
        "words": vocab,
    }
    (folder / "sentence.json").write_text(json.dumps(head, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"sentence type model written to {folder}")


def cmd_choose(args: argparse.Namespace) -> None:
    from newswatch.coder import training as T
    from newswatch.coder.coder import LearnedCoder
    from newswatch.coder.codes import all_modes
    from newswatch.coder.labels import to_gold_json
    from newswatch.coder.scoring import score_news

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from type_model_tuning import parse_parts

    stages, _, fit_part, tune_part = parse_parts(args.labels, args.text)
    lex = T.load_lexicon()
    nouns = T.trigger_nouns(fit_part)
    modes = all_modes()
    models = T.fit_models(T.build_examples(fit_part, lex, nouns, resolver=stages.actors, use_tensor=False),
                          T.TrainConfig(), modes)  # fmt: skip
    bundle = T._bundle(models, nouns, {"type": 0.02, "actor": 0.3, "recipient": 0.3}, {"rule_hints": True})
    coder = LearnedCoder(model=bundle, resolver=stages.actors, lexicon=lex, rules=stages.rules_coder)
    low = []
    for p in tune_part:
        events = coder.code_doc(p.view.doc, article_id=p.sentence.sid, context=p.context)
        low.append({"id": p.sentence.sid, "events": [
            {"type": e.plover_type, "negated": e.negated, "tense": e.tense, "confidence": e.confidence,
             "actors": [a.as_json() for a in e.actors], "recipients": [a.as_json() for a in e.recipients]}
            for e in events
        ]})  # fmt: skip
    base = [
        {"id": r["id"], "events": [e for e in r["events"] if e["confidence"] >= args.threshold]} for r in low
    ]
    gold = to_gold_json(p.sentence for p in tune_part)
    probs = _read_probs(args.probs)
    f = score_news(gold, base)
    print(f"coder alone: type P {f['type_p']} R {f['type_r']} F1 {f['type_f1']} full F1 {f['full_f1']} "
          f"quiet {f['quiet_rate']}")  # fmt: skip
    grid = itertools.product(
        (0.0, 0.02, 0.05, 0.1, 0.2), (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.1), (0.02, 0.05, 0.1)
    )
    results = []
    for gate, add, floor in grid:
        f = score_news(gold, combine(base, low, probs, gate, add, floor))
        results.append((f["type_f1"] + f["full_f1"], (gate, add, floor), f))
    for _, (gate, add, floor), f in sorted(results, key=lambda r: -r[0])[:5]:
        print(f"gate {gate} add {add} floor {floor}: type P {f['type_p']} R {f['type_r']} F1 {f['type_f1']} "
              f"full F1 {f['full_f1']} quiet {f['quiet_rate']}")  # fmt: skip


def cmd_inside(args: argparse.Namespace) -> None:
    """Run a newswatch command (``train events`` or ``code``) with the fine-tuned encoder standing in for the
    sentence type model wherever the coder would load one: the encoder is asked for each sentence's type
    probabilities at run time (torch venv, with newswatch installed into it: ``pip install -e .``)."""
    import numpy as np

    from newswatch.cli import main as newswatch
    from newswatch.coder import sentence as S
    from newswatch.coder.model import shipped_model_dir

    types, _, _ = _read_sentences(args.sentences)
    *_, teach = _finetuned(args.encoder, args.model, len(types))
    seen: dict[str, Any] = {}
    # --cascade T: the encoder reads only the sentences to which the shipped student gives some type >= T; the
    # student's probabilities stand for the others (how much of the encoder's time a run would need)
    student = S.SentenceTypeModel.load(shipped_model_dir()) if args.cascade is not None else None
    asked = [0, 0]  # sentences, of which read by the encoder

    class Encoder:
        def __init__(self) -> None:
            self.types, self.words, self.meta = types, [], {}

        def proba_many(self, texts: list[str]) -> Any:
            missing = [t for t in dict.fromkeys(texts) if t not in seen]
            if student is not None and missing:
                sp = student.proba_many(missing)
                order = [student.types.index(t) for t in types]
                hard = [t for t, row in zip(missing, sp, strict=True) if float(row.max()) >= args.cascade]
                asked[0] += len(missing)
                asked[1] += len(hard)
                for t, row in zip(missing, sp, strict=True):
                    seen[t] = row[order]
                missing = hard
            for t, row in zip(missing, teach(missing), strict=True):
                seen[t] = row
            return np.array([seen[t] for t in texts], dtype=np.float32).reshape(len(texts), len(types))

        def save(self, folder: Path) -> None:  # the encoder is not written into a trained model's folder
            pass

    S.SentenceTypeModel.present = staticmethod(lambda folder: True)  # type: ignore[method-assign]
    S.SentenceTypeModel.load = classmethod(lambda cls, folder: Encoder())  # type: ignore[method-assign,assignment]
    sys.argv = ["newswatch", *(args.command[1:] if args.command[:1] == ["--"] else args.command)]
    try:
        newswatch()
    finally:
        if student is not None:
            print(f"cascade {args.cascade}: the encoder read {asked[1]} of {asked[0]} sentences", file=sys.stderr)


def cmd_apply(args: argparse.Namespace) -> None:
    from newswatch.coder.scoring import score_news

    def read(path: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]

    gold, base, low = read(args.gold), read(args.base), read(args.low)
    for name, records in (("coder", base), ("coder + encoder", combine(base, low, _read_probs(args.probs),
                                                                       args.gate, args.add, args.floor))):  # fmt: skip
        f = score_news(gold, records)
        print(f"{name}: type P {f['type_p']} R {f['type_r']} F1 {f['type_f1']} full F1 {f['full_f1']} "
              f"actor F1 {f['actor_f1']} recipient F1 {f['recipient_f1']} quiet {f['quiet_rate']}")  # fmt: skip
        if args.per_type:
            print(
                "  " + ", ".join(f"{t} {v['tp']}/{v['pred']}/{v['gold']}" for t, v in f["per_type"].items())
            )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sentences")
    s.add_argument("--labels", type=Path, required=True)
    s.add_argument("--text", type=Path, action="append", required=True)
    s.add_argument("-o", "--output", required=True)
    f = sub.add_parser("fit")
    f.add_argument("--encoder", required=True)
    f.add_argument("--sentences", required=True)
    f.add_argument("-o", "--output", required=True)
    f.add_argument(
        "--predict", action="append", default=[], help="NAME=JSONL of {id, text} records to predict"
    )
    f.add_argument("--epochs", type=int, default=4)
    f.add_argument("--threads", type=int, default=2)
    u = sub.add_parser("unlabelled")
    u.add_argument("--shared", default=str(ROOT.parent / "shared"))
    u.add_argument("--labels", type=Path, required=True)
    u.add_argument("--text", type=Path, action="append", required=True)
    u.add_argument("-o", "--output", required=True)
    g = sub.add_parser("augment")
    g.add_argument("--sentences", required=True)
    g.add_argument("--unlabelled", required=True)
    g.add_argument("--copies", type=int, default=2)
    g.add_argument("-o", "--output", required=True)
    d = sub.add_parser("distil")
    st = sub.add_parser("static")
    for q in (d, st):  # both learn from the fine-tuned encoder
        q.add_argument("--encoder", required=True)
        q.add_argument("--model", required=True, help="the output folder of fit (its model.pt)")
        q.add_argument("--sentences", required=True)
        q.add_argument("--unlabelled", required=True)
        q.add_argument("-o", "--output", required=True)
        q.add_argument("--threads", type=int, default=2)
    st.add_argument(
        "--predict", action="append", default=[], help="NAME=JSONL of {id, text} records to predict"
    )
    st.add_argument("--arch", choices=("mean", "cnn", "cnn2", "attn", "cnnattn"), default="cnn")
    st.add_argument(
        "--word-vectors", choices=("alone", "context", "both"), default="alone",
        help="each word as the encoder reads it alone (shipped), averaged over its occurrences in context, or both",
    )  # fmt: skip
    st.add_argument(
        "--fold", help="K/N: leave the fitting sentences of fold K of N out of the targets and predict them "
        "(held.json), for cross-fitted sentence probabilities",
    )  # fmt: skip
    st.add_argument("--layers", type=int, default=1, help="attention layers (attn, cnnattn)")
    st.add_argument("--heads", type=int, default=4)
    st.add_argument("--ff", type=int, default=256, help="feed-forward width of an attention layer")
    st.add_argument("--vocab", type=int, default=30000)
    st.add_argument("--dim", type=int, default=128)
    st.add_argument("--filters", type=int, default=256)
    st.add_argument("--hidden", type=int, default=256)
    st.add_argument("--dropout", type=float, default=0.2)
    st.add_argument("--lr", type=float, default=2e-3)
    st.add_argument("--epochs", type=int, default=3)
    st.add_argument("--gold-weight", type=float, default=2.0)
    st.add_argument("--freeze", action="store_true", help="keep the word vectors as the encoder gave them")
    st.add_argument(
        "--augmented", help="rewritten sentences (augment) for the teacher to label and the student to learn"
    )
    st.add_argument("--aug-weight", type=float, default=1.0)
    st.add_argument("--seed", type=int, default=13)
    st.add_argument("--export", help="write the student as a newswatch sentence type model to this folder")
    c = sub.add_parser("choose")
    c.add_argument("--labels", type=Path, required=True)
    c.add_argument("--text", type=Path, action="append", required=True)
    c.add_argument("--probs", type=Path, required=True)
    c.add_argument("--threshold", type=float, default=0.3, help="the coder's own type threshold")
    n = sub.add_parser("inside")
    n.add_argument("--encoder", required=True)
    n.add_argument("--model", required=True, help="the output folder of fit (its model.pt)")
    n.add_argument("--sentences", required=True)
    n.add_argument("--cascade", type=float, default=None,
                   help="the encoder reads only sentences the shipped student gives some type at least this")
    n.add_argument("command", nargs=argparse.REMAINDER, help="newswatch's arguments, after --")
    a = sub.add_parser("apply")
    a.add_argument("--gold", type=Path, required=True)
    a.add_argument("--base", type=Path, required=True, help="newswatch code output with the shipped model")
    a.add_argument("--low", type=Path, required=True, help="the same with the model's type threshold at 0.02")
    a.add_argument("--probs", type=Path, required=True)
    a.add_argument("--gate", type=float, required=True)
    a.add_argument("--add", type=float, required=True)
    a.add_argument("--floor", type=float, required=True)
    a.add_argument("--per-type", action="store_true")
    args = ap.parse_args()
    commands = {
        "sentences": cmd_sentences, "fit": cmd_fit, "unlabelled": cmd_unlabelled, "augment": cmd_augment,
        "distil": cmd_distil, "static": cmd_static, "choose": cmd_choose, "inside": cmd_inside, "apply": cmd_apply,
    }  # fmt: skip
    commands[args.cmd](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A multinomial logistic regression over sparse string features plus an optional dense vector, in numpy.

Why this learner: with a few thousand annotated sentences, a linear model over parse features (lemmas,
dependency paths, the rule lexicon's opinion) and the parser's own 96-dimension token vectors learns as well as
anything we can afford, trains in seconds, codes a sentence in microseconds, is deterministic, and ships as two
small arrays and a feature list. Inference needs only numpy; training uses full-batch L-BFGS written here so
that ``newswatch train`` needs no extra package.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from ..errors import ConfigError


@dataclass
class LinearModel:
    """Weights of one classifier: ``scores = sum(W[features]) + dense @ D + b``."""

    name: str
    classes: list[str]
    vocab: dict[str, int]
    weights: np.ndarray  # (n_features, n_classes)
    dense: np.ndarray | None  # (dense_dim, n_classes)
    bias: np.ndarray  # (n_classes,)

    def feature_name(self, j: int) -> str:
        names = self.__dict__.get("_names")
        if names is None:
            names = self.__dict__["_names"] = [f for f, _ in sorted(self.vocab.items(), key=lambda kv: kv[1])]
        name: str = names[j]
        return name

    def index(self, feats: Sequence[str]) -> list[int]:
        get = self.vocab.get
        return [j for j in (get(f) for f in feats) if j is not None]

    def scores(self, feats: Sequence[str], vec: np.ndarray | None = None) -> np.ndarray:
        idx = self.index(feats)
        out = self.bias.copy()
        if idx:
            out += self.weights[idx].sum(axis=0)
        if self.dense is not None and vec is not None:
            out += vec @ self.dense
        return out

    def proba(self, feats: Sequence[str], vec: np.ndarray | None = None) -> np.ndarray:
        return _softmax(self.scores(feats, vec)[None, :])[0]

    def proba_many(self, rows: Sequence[Sequence[str]], vecs: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities of many examples in one pass."""
        if not rows:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        # Unknown features (and one per row, so that no row is empty) point at an all-zero row after the
        # weights: adding zeros changes no sum, and every row's sum is then one slice of a single reduceat.
        padded = self.__dict__.get("_padded")
        if padded is None:
            padded = self.__dict__["_padded"] = np.vstack([self.weights, np.zeros_like(self.weights[:1])])
        zero = len(self.weights)
        get = self.vocab.get
        idx: list[int] = []
        starts: list[int] = []
        for feats in rows:
            starts.append(len(idx))
            idx.append(zero)
            idx.extend(map(get, feats, repeat(zero)))
        sums = np.add.reduceat(padded[np.asarray(idx, dtype=np.int64)], np.asarray(starts, dtype=np.int64), axis=0)
        logits = sums + self.bias
        if self.dense is not None and vecs is not None:
            logits += vecs @ self.dense
        return _softmax(logits)

    # ------------------------------------------------------------------ files

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        features = [f for f, _ in sorted(self.vocab.items(), key=lambda kv: kv[1])]
        meta = {
            "written_by": "the newswatch project",
            "source": f"the {self.name} classifier of an event model trained by 'newswatch train events' from "
            "stand-off labels (see meta.json and MODEL_CARD.md beside it); features are names of parse features "
            "and single words, never sentences",
        }
        (folder / f"{self.name}.features.json").write_text(
            json.dumps({"_meta": meta, "classes": self.classes, "features": features}, ensure_ascii=False),
            encoding="utf-8",
        )
        arrays = {"weights": self.weights.astype(np.float16), "bias": self.bias.astype(np.float32)}
        if self.dense is not None:
            arrays["dense"] = self.dense.astype(np.float32)
        np.savez_compressed(folder / f"{self.name}.weights.npz", **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, folder: Path, name: str) -> LinearModel:
        try:
            meta = json.loads((folder / f"{name}.features.json").read_text(encoding="utf-8"))
            with np.load(folder / f"{name}.weights.npz") as arrays:
                weights = arrays["weights"].astype(np.float32)
                bias = arrays["bias"].astype(np.float32)
                dense = arrays["dense"].astype(np.float32) if "dense" in arrays else None
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(
                f"cannot read the {name} model in {folder} ({exc}); retrain it with "
                "'newswatch train events' or reinstall newswatch"
            ) from exc
        vocab = {f: i for i, f in enumerate(meta["features"])}
        if weights.shape != (len(vocab), len(meta["classes"])):
            raise ConfigError(
                f"the {name} model in {folder} is damaged (weights do not match its feature list)"
            )
        return cls(
            name=name, classes=list(meta["classes"]), vocab=vocab, weights=weights, dense=dense, bias=bias
        )


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


# ---------------------------------------------------------------------- training


def fit(
    name: str,
    rows: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    classes: Sequence[str] | None = None,
    vecs: np.ndarray | None = None,
    l2: float = 1.0,
    min_count: int = 2,
    max_iter: int = 200,
    class_weight: dict[str, float] | None = None,
) -> LinearModel:
    """Train a classifier on feature lists and labels by L-BFGS on the L2-regularised log loss.

    ``l2`` is the penalty per example-weight unit (the loss is a mean). Features seen fewer than ``min_count``
    times are dropped. Deterministic: same data, same weights.
    """
    if len(rows) != len(labels):
        raise ValueError("rows and labels differ in length")
    classes = list(classes) if classes is not None else sorted(set(labels))
    cls_index = {c: k for k, c in enumerate(classes)}
    y = np.asarray([cls_index[lab] for lab in labels], dtype=np.int64)
    counts = Counter(f for feats in rows for f in set(feats))
    features = sorted(f for f, n in counts.items() if n >= min_count)
    vocab = {f: i for i, f in enumerate(features)}
    indptr = [0]
    indices: list[int] = []
    for feats in rows:
        indices.extend(sorted({vocab[f] for f in feats if f in vocab}))
        indptr.append(len(indices))
    ind = np.asarray(indices, dtype=np.int64)
    ptr = np.asarray(indptr, dtype=np.int64)
    row_of = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(ptr))
    order = np.argsort(ind, kind="stable")
    ind_sorted = ind[order]
    rows_sorted = row_of[order]
    feat_starts = np.searchsorted(ind_sorted, np.arange(len(features)))
    present = np.diff(np.append(feat_starts, len(ind_sorted))) > 0
    n, k, m = len(rows), len(classes), len(features)
    d = vecs.shape[1] if vecs is not None else 0
    sw = np.ones(n, dtype=np.float64)
    if class_weight:
        sw = np.asarray([class_weight.get(labels[i], 1.0) for i in range(n)], dtype=np.float64)
    sw = sw / sw.sum()
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    V = vecs.astype(np.float64) if vecs is not None else None
    nonempty = ptr[1:] > ptr[:-1]
    row_starts = ptr[:-1][nonempty]

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        W = theta[: m * k].reshape(m, k)
        D = theta[m * k : m * k + d * k].reshape(d, k)
        b = theta[m * k + d * k :]
        return W, D, b

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W, D, b = unpack(theta)
        logits = np.tile(b, (n, 1))
        if len(ind):
            sums = np.add.reduceat(W[ind], row_starts, axis=0)
            logits[nonempty] += sums
        if V is not None:
            logits += V @ D
        logits -= logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = -float((sw * logp[np.arange(n), y]).sum())
        G = (np.exp(logp) - onehot) * sw[:, None]
        gW = np.zeros((m, k))
        if len(ind_sorted):
            starts = feat_starts[present]
            gW[present] = np.add.reduceat(G[rows_sorted], starts, axis=0)
        gD = V.T @ G if V is not None else np.zeros((0, k))
        gb = G.sum(axis=0)
        reg = l2 / n
        loss += 0.5 * reg * (float((W * W).sum()) + float((D * D).sum()))
        gW += reg * W
        gD = gD + reg * D
        return loss, np.concatenate([gW.ravel(), gD.ravel(), gb])

    theta0 = np.zeros(m * k + d * k + k)
    theta = _lbfgs(loss_grad, theta0, max_iter=max_iter)
    W, D, b = unpack(theta)
    return LinearModel(
        name=name,
        classes=classes,
        vocab=vocab,
        weights=W.astype(np.float32),
        dense=D.astype(np.float32) if d else None,
        bias=b.astype(np.float32),
    )


def _lbfgs(fun, x: np.ndarray, *, max_iter: int, history: int = 10, tol: float = 1e-7) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Minimise ``fun`` (returning loss and gradient) by L-BFGS with a backtracking Armijo line search."""
    f, g = fun(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    for _ in range(max_iter):
        q = g.copy()
        alphas = []
        for s, yv in reversed(list(zip(s_hist, y_hist, strict=True))):
            rho = 1.0 / float(yv @ s)
            a = rho * float(s @ q)
            alphas.append((rho, a, s, yv))
            q -= a * yv
        if y_hist:
            gamma = float(s_hist[-1] @ y_hist[-1]) / float(y_hist[-1] @ y_hist[-1])
            q *= gamma
        else:
            q *= 1.0 / max(1.0, float(np.abs(g).sum()))
        for rho, a, s, yv in reversed(alphas):
            beta = rho * float(yv @ q)
            q += (a - beta) * s
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            s_hist.clear()
            y_hist.clear()
            direction = -g
            slope = -float(g @ g)
        step = 1.0
        while True:
            x_new = x + step * direction
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_vec = x_new - x
        y_vec = g_new - g
        if float(s_vec @ y_vec) > 1e-12:
            s_hist.append(s_vec)
            y_hist.append(y_vec)
            if len(s_hist) > history:
                s_hist.pop(0)
                y_hist.pop(0)
        done = abs(f - f_new) <= tol * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if done:
            break
    return x

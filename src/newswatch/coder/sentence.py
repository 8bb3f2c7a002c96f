"""The sentence type model: which PLOVER types a whole sentence holds, read from its words at once.

The candidate type model judges one predicate at a time from parse features, so it misses events whose trigger
it has rarely seen and reports events a reader of the whole sentence would not. This model reads the sentence's
words as vectors (one 8-bit vector per word of the training text; unknown words are skipped), a width-3
convolution over them max-pooled, with their mean, then one hidden layer and one yes/no output per type. It
runs in numpy (about 17,000 sentences a second on one core, the shipped model, sentences in blocks of 64).

The coder uses it as a second opinion (``select``): an event of a type the sentence model gives less than
``gate`` is dropped; for a type it gives at least ``add`` that no kept event has, the sentence's most likely
candidate of that type (down to a candidate probability of ``floor``) is added. The three values are chosen
on the tuning part of the training split by ``newswatch train events``.

How the shipped one was made (see the event model card): the word vectors are a fine-tuned sentence encoder's
vectors for each word alone, reduced by PCA; the network was fitted to the gold types of the annotated training
sentences and to that encoder's type probabilities on unannotated training sentences. Neither the encoder nor
its weights are part of newswatch; ``scripts/experiments/encoder_types.py static`` rebuilds this model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError

FILES = ("sentence.json", "sentence.npz")
_ARRAYS = ("table", "conv_w", "conv_b", "hidden_w", "hidden_b", "out_w", "out_b")
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+(?:[.,]\d+)*")
MAX_WORDS = 80


def words_of(text: str) -> list[str]:
    """The model's tokens: lower-cased words, every number as "0"; punctuation is dropped."""
    return ["0" if w[0].isdigit() else w for w in _WORD.findall(text.lower())]


@dataclass
class SentenceTypeModel:
    """Weights (stored in 16 bits, the table in 8 bits with a scale per word): ``table`` (words + 1, dim; row 0
    is zero), ``conv_w`` (3 * dim, filters) over each word with its neighbours, ``hidden_w`` (dim + filters,
    hidden), ``out_w`` (hidden, types), and their biases."""

    types: list[str]
    words: list[str]
    arrays: dict[str, np.ndarray]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [k for k in _ARRAYS if k not in self.arrays]
        if missing:
            raise ConfigError(f"sentence type model lacks {', '.join(missing)}; rebuild it")
        a = self.arrays = {k: np.asarray(v, dtype=np.float32) for k, v in self.arrays.items()}
        dim = a["table"].shape[1]
        shapes_ok = (
            a["table"].shape[0] == len(self.words) + 1
            and a["conv_w"].shape[0] == 3 * dim
            and a["hidden_w"].shape[0] == dim + a["conv_w"].shape[1]
            and a["out_w"].shape == (a["hidden_w"].shape[1], len(self.types))
        )
        if not shapes_ok:
            raise ConfigError(
                "sentence type model: its arrays do not fit its word and type lists; rebuild it"
            )
        self._index = {w: i + 1 for i, w in enumerate(self.words)}

    def proba(self, text: str) -> dict[str, float]:
        """Each type's probability for one sentence."""
        return dict(zip(self.types, (float(x) for x in self.proba_many([text])[0]), strict=True))

    def proba_many(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), len(types)) probabilities, in the order of ``types``. All sentences go through each layer
        at once (numpy pays per call): their words in one row with a padding word after each sentence, so that
        a window never reaches into the next sentence's words without its centre being a padding word, whose
        output is then zeroed (harmless to a max over outputs >= 0)."""
        if not texts:
            return np.zeros((0, len(self.types)), dtype=np.float32)
        if len(texts) > 64:  # small blocks stay in cache
            return np.vstack([self.proba_many(texts[i : i + 64]) for i in range(0, len(texts), 64)])
        a = self.arrays
        get = self._index.get
        seq, starts, lengths = [0], [], []
        for text in texts:
            ids = [j for j in (get(w) for w in words_of(text)) if j is not None][:MAX_WORDS]
            starts.append(len(seq) - 1)  # the row of its first word's window
            lengths.append(len(ids))
            seq.extend(ids)
            seq.append(0)
        seq.append(0)  # so that the last sentence's padding word is a window centre too
        e = a["table"][seq]
        centres = e[1:-1]  # row r: the word at position r + 1
        windows = np.hstack([e[:-2], centres, e[2:]])
        conv = np.maximum(windows @ a["conv_w"] + a["conv_b"], 0.0)
        conv[[s + n for s, n in zip(starts, lengths, strict=True)]] = 0.0  # the padding words' windows
        pooled = np.maximum.reduceat(conv, starts, axis=0)
        n = np.maximum(np.array(lengths, dtype=np.float32), 1.0)[:, None]
        mean = np.add.reduceat(centres, starts, axis=0) / n  # padding rows are zero vectors
        h = np.maximum(np.hstack([mean, pooled]) @ a["hidden_w"] + a["hidden_b"], 0.0)
        out: np.ndarray = 1.0 / (1.0 + np.exp(-(h @ a["out_w"] + a["out_b"])))
        return out

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # the word table (nearly all of the weights) in 8 bits with one scale per word, the rest in 16 bits
        table = self.arrays["table"]
        scale = np.abs(table).max(axis=1) / 127.0
        scale[scale == 0] = 1.0
        stored: dict[str, Any] = {k: self.arrays[k].astype(np.float16) for k in _ARRAYS if k != "table"}
        stored["table_q"] = np.round(table / scale[:, None]).astype(np.int8)
        stored["table_scale"] = scale.astype(np.float32)
        np.savez_compressed(folder / "sentence.npz", **stored)
        head = {
            "_meta": self.meta.get("_meta")
            or {"written_by": "the newswatch project", "source": "a sentence type model (see MODEL_CARD.md)"},
            **{k: v for k, v in self.meta.items() if k != "_meta"},
            "types": self.types,
            "words": self.words,
        }
        (folder / "sentence.json").write_text(json.dumps(head, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SentenceTypeModel:
        try:
            head = json.loads((folder / "sentence.json").read_text(encoding="utf-8"))
            with np.load(folder / "sentence.npz") as npz:
                arrays = {k: npz[k] for k in npz.files}
            if "table_q" in arrays:
                arrays["table"] = (
                    arrays.pop("table_q").astype(np.float32) * arrays.pop("table_scale")[:, None]
                )
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(
                f"{folder}: the sentence type model (sentence.json, sentence.npz) cannot be read ({exc}); "
                "copy both files again or retrain with --no-sentence-model"
            ) from exc
        types, words = head.pop("types", None), head.pop("words", None)
        if not isinstance(types, list) or not isinstance(words, list):
            raise ConfigError(
                f"{folder / 'sentence.json'} has no type or word list; rebuild the sentence model"
            )
        return cls(types=types, words=words, arrays=arrays, meta=head)

    @staticmethod
    def present(folder: Path) -> bool:
        return all((folder / f).is_file() for f in FILES)


@dataclass(frozen=True)
class CandidateEvent:
    """What ``select`` needs of one candidate event of a sentence."""

    plover_type: str
    p_type: float
    counted: bool  # neither negated nor hypothetical: the events a reader counts


def select(
    cands: Sequence[CandidateEvent], probs: Mapping[str, float], *, threshold: float, gate: float, add: float,
    floor: float,
) -> list[tuple[int, float | None]]:  # fmt: skip
    """Which of a sentence's candidates become events, in their order, then the added ones: (index, None) for a
    candidate kept on its own probability (>= ``threshold``) whose type the sentence model gives >= ``gate``
    (negated and hypothetical ones are never dropped), (index, p) for the likeliest counted candidate (>=
    ``floor``) of a type the sentence model gives p >= ``add`` and no kept event has."""
    kept = [
        i
        for i, c in enumerate(cands)
        if c.p_type >= threshold and (not c.counted or probs.get(c.plover_type, 0.0) >= gate)
    ]
    have = {cands[i].plover_type for i in kept if cands[i].counted}
    out: list[tuple[int, float | None]] = [(i, None) for i in kept]
    for t, p in sorted(probs.items()):
        if p < add or t in have:
            continue
        pool = [i for i, c in enumerate(cands) if c.counted and c.plover_type == t and c.p_type >= floor]
        if pool:
            out.append((max(pool, key=lambda i: cands[i].p_type), p))
    return out

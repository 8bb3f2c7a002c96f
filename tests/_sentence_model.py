"""A hand-made sentence type model whose opinion a test can predict (independent of any training)."""

from __future__ import annotations

import numpy as np

from newswatch.coder.sentence import SentenceTypeModel

TYPES = ["ASSAULT", "CONSULT"]


def toy_sentence_model(
    words: list[str], table: np.ndarray, out_b: tuple[float, float] = (-4.0, -4.0)
) -> SentenceTypeModel:
    """The hidden layer copies the mean word vector (2 dims) and the outputs read it: dim 0 says ASSAULT, dim 1
    says CONSULT (each output is sigmoid(8 * dim + bias)); the convolution's one filter never fires."""
    dim = table.shape[1]
    arrays = {
        "table": np.vstack([np.zeros((1, dim)), table]),
        "conv_w": np.zeros((3 * dim, 1)),
        "conv_b": np.full(1, -1.0),
        "hidden_w": np.vstack([np.eye(dim), np.zeros((1, dim))]),
        "hidden_b": np.zeros(dim),
        "out_w": np.eye(dim) * 8.0,
        "out_b": np.array(out_b),
    }
    return SentenceTypeModel(types=TYPES, words=words, arrays=arrays, meta={"note": "test"})

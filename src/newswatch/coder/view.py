"""A flat, list-based view of a parsed spaCy Doc: the coder reads tokens by index, not as Token objects.

Building a spaCy Token object costs about a microsecond, and a coder that walks the parse creates hundreds per
sentence; reading the attributes once into Python lists with ``Doc.to_array`` makes every later look-up a list
index. The view also keeps the tok2vec tensor, whose rows are the dense features of the trained models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..sentences import sentences

_KEY = "newswatch:coder-view"


@dataclass
class DocView:
    """Per-token attributes of one doc, as lists indexed by token position."""

    doc: Any
    text: list[str]
    lower: list[str]
    lemma: list[str]
    pos: list[str]
    tag: list[str]
    dep: list[str]
    head: list[int]
    ent: list[str]
    idx: list[int]
    children: list[list[int]]
    sent_starts: tuple[int, ...]
    sent_ends: tuple[int, ...]
    tensor: np.ndarray | None = None
    mention_at: dict[int, Any] = field(default_factory=dict)  # token index -> coded actor of its mention
    hints: dict[int, str] | None = None  # token index -> the rule coder's type for an event triggered there

    def __len__(self) -> int:
        return len(self.text)

    @property
    def doc_text(self) -> str:
        """The doc's text, read once (``Doc.text`` rebuilds it from every token on each access)."""
        cached = self.__dict__.get("_doc_text")
        if cached is None:
            cached = self.__dict__["_doc_text"] = self.doc.text
        return str(cached)

    def end_char(self, i: int) -> int:
        return self.idx[i] + len(self.text[i])

    def sentence_of(self, i: int) -> int:
        lo, hi = 0, len(self.sent_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.sent_starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def child(self, i: int, *deps: str) -> int | None:
        """The first child of ``i`` with one of ``deps``."""
        for c in self.children[i]:
            if self.dep[c] in deps:
                return c
        return None

    def pobj(self, prep: int) -> int | None:
        return self.child(prep, "pobj", "pcomp")

    def subtree_bounds(self, i: int) -> tuple[int, int]:
        """First and last token index of ``i``'s subtree."""
        lo = hi = i
        stack = [i]
        while stack:
            j = stack.pop()
            lo = min(lo, j)
            hi = max(hi, j)
            stack.extend(self.children[j])
        return lo, hi

    def ancestors(self, i: int, limit: int = 30) -> list[int]:
        out: list[int] = []
        while self.head[i] != i and len(out) < limit:
            i = self.head[i]
            out.append(i)
        return out


def doc_view(doc: Any) -> DocView:
    """The view of ``doc``, built once and cached in ``doc.user_data``."""
    cached = doc.user_data.get(_KEY)
    if isinstance(cached, DocView):
        return cached
    from spacy.attrs import DEP, ENT_TYPE, HEAD, IDX, LEMMA, LOWER, ORTH, POS, TAG

    n = len(doc)
    strings = doc.vocab.strings
    # Each distinct string hash of the doc is looked up once; every column is then a list index per token.
    cols: list[list[str]] = [[] for _ in range(7)]
    lemma: list[str] = []
    idx: list[int] = []
    heads: list[int] = []
    if n:
        arr = doc.to_array([ORTH, LOWER, LEMMA, POS, TAG, DEP, ENT_TYPE, IDX, HEAD])
        uniq, inv = np.unique(arr[:, :7], return_inverse=True)
        inv = inv.reshape(n, 7)
        names = [strings[h] if h else "" for h in uniq.tolist()]
        cols = [list(map(names.__getitem__, inv[:, c].tolist())) for c in range(7)]
        lowered = [x.lower() for x in names]
        lemma = list(map(lowered.__getitem__, inv[:, 2].tolist()))
        idx = arr[:, 7].astype(np.int64).tolist()
        heads = (np.arange(n, dtype=np.int64) + arr[:, 8].astype(np.int64)).tolist()
    text = cols[0]
    children: list[list[int]] = [[] for _ in range(n)]
    for i, h in enumerate(heads):
        if h != i:
            children[h].append(i)
    bounds = sentences(doc)
    tensor = doc.tensor if getattr(doc, "tensor", None) is not None and doc.tensor.shape[0] == n else None
    view = DocView(
        doc=doc,
        text=text,
        lower=cols[1],
        lemma=lemma,
        pos=cols[3],
        tag=cols[4],
        dep=cols[5],
        head=heads,
        ent=cols[6],
        idx=idx,
        children=children,
        sent_starts=bounds.token_starts,
        sent_ends=bounds.token_ends,
        tensor=tensor,
    )
    doc.user_data[_KEY] = view
    return view

"""Sentence boundaries of a parsed document, computed once from spaCy's arrays and cached on the doc.

Iterating ``doc.sents`` builds a Python object for every token each time; the claims, dates and places stages each
need the boundaries several times per article, so they share this one cached, array-based computation.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

_KEY = "newswatch:sentences"
_TEXT_KEY = "newswatch:text"


@dataclass(frozen=True)
class Sentences:
    """Token and character bounds of every sentence, in order."""

    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]
    char_starts: tuple[int, ...]
    char_ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.token_starts)

    def index_of_char(self, pos: int) -> int:
        """The sentence holding character ``pos`` (the last one starting at or before it)."""
        return max(0, bisect.bisect_right(self.char_starts, pos) - 1)

    def span(self, doc: Any, index: int) -> Any:
        return doc[self.token_starts[index] : self.token_ends[index]]


def sentences(doc: Any) -> Sentences:
    """The doc's sentence bounds, cached in ``doc.user_data``."""
    cached = doc.user_data.get(_KEY)
    if isinstance(cached, Sentences):
        return cached
    n = len(doc)
    if n == 0:
        result = Sentences((), (), (), ())
    else:
        if doc.has_annotation("SENT_START"):
            flags = doc.to_array("SENT_START").tolist()
            starts = [i for i, flag in enumerate(flags) if flag == 1 or i == 0]
        else:
            starts = [0]  # a doc nobody split into sentences is one sentence
        ends = starts[1:] + [n]
        idx = doc.to_array("IDX").tolist()
        char_starts = [idx[s] for s in starts]
        char_ends = [idx[e - 1] + len(doc[e - 1].text) for e in ends]
        result = Sentences(tuple(starts), tuple(ends), tuple(char_starts), tuple(char_ends))
    doc.user_data[_KEY] = result
    return result


def doc_text(doc: Any) -> str:
    """``doc.text``, built once per doc: spaCy joins every token's text on each access (a millisecond or more
    on a long article), and the stages read it for every quote check and context."""
    cached: str | None = doc.user_data.get(_TEXT_KEY)
    if cached is None:
        cached = doc.text
        doc.user_data[_TEXT_KEY] = cached
    return cached

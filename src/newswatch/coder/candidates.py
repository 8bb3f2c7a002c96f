"""Candidate predicates: the tokens of a sentence that might name an event, proposed from the parse.

Every full verb is a candidate, and every noun that names events: the event nouns of the lexicon, the nouns
light verbs take ("held talks", "imposed sanctions"), and the trigger nouns seen in the training annotation.
The type model decides which candidates are events; proposing generously costs little because most candidates
are cheap to reject.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .view import DocView

_AUX_DEPS = frozenset({"aux", "auxpass"})
_NOUN_POS = frozenset({"NOUN", "PROPN"})


@dataclass(frozen=True)
class Candidate:
    i: int  # the trigger token
    kind: str  # "V" (verb) or "N" (event noun)


def candidates(v: DocView, lo: int, hi: int, event_nouns: frozenset[str]) -> Iterator[Candidate]:
    """Candidate predicates of the sentence spanning tokens [lo, hi)."""
    pos, dep, lemma = v.pos, v.dep, v.lemma
    for i in range(lo, hi):
        p = pos[i]
        if p == "VERB":
            if dep[i] not in _AUX_DEPS:
                yield Candidate(i, "V")
        elif p in _NOUN_POS:
            if lemma[i] in event_nouns:
                yield Candidate(i, "N")
        elif p == "ADJ" and lemma[i] in event_nouns and dep[i] in ("ROOT", "conj", "acomp"):
            # a verb the tagger read as an adjective in a headline ("Troops deployed to border")
            yield Candidate(i, "N")

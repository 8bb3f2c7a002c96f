"""The learned event coder, in parts that each stand alone:

- ``view``: a flat list view of a parsed doc;
- ``candidates``: predicates the parse proposes (verbs, event nouns);
- ``features``: what the models read about a predicate and a candidate argument;
- ``lexicon``: the rule lexicon's opinion, read as features;
- ``linear``: the classifier (multinomial logistic regression in numpy) and its trainer;
- ``roles``: actor and recipient choice among candidate phrases;
- ``linking``: role phrases resolved to countries and sectors by the actor dictionary;
- ``codes``: CAMEO and ACLED-style codes derived from type and mode;
- ``model``: a trained model on disk; ``labels``: stand-off training labels; ``training``: fitting and scoring;
- ``coder``: the one place the parts are composed into events.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .coder import LearnedCoder
from .model import EventModel, load_model

__all__ = ["EventModel", "LearnedCoder", "get_event_coder", "load_model"]


def get_event_coder(event_model: str | None = None, *, kind: str = "learned") -> Any:
    """The event coder a run uses, built once per process: the learned coder with the model in ``event_model``
    (default: the one shipped in the package), or the rule coder rules-0.2.0 when ``kind`` is "rules"."""
    return _coder(event_model, kind)


@lru_cache(maxsize=4)
def _coder(event_model: str | None, kind: str) -> Any:
    if kind == "rules":
        from ..events import get_coder

        return get_coder()
    return LearnedCoder(model=load_model(event_model))

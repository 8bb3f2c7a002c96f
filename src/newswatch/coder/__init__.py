"""The learned event coder, in parts that each stand alone:

- ``view``: a flat list view of a parsed doc;
- ``candidates``: predicates the parse proposes (verbs, event nouns);
- ``features``: what the models read about a predicate and a candidate argument;
- ``lexicon``: the rule lexicon's opinion, read as features;
- ``linear``: the classifier (multinomial logistic regression in numpy) and its trainer;
- ``roles``: actor and recipient choice among candidate phrases;
- ``sentence``: the sentence type model, a second opinion on which types a whole sentence holds;
- ``linking``: role phrases resolved to countries and sectors by the actor dictionary;
- ``codes``: CAMEO and ACLED-style codes derived from type and mode;
- ``model``: a trained model on disk; ``labels``: stand-off training labels; ``training``: fitting;
  ``scoring``: the news gold scorer that training and ``newswatch eval events`` share;
- ``coder``: the one place the parts are composed into events.

The coder a run uses is built by ``newswatch.registry`` (the "learned" coder), with the actor resolver, the rule
coder and the ACLED classifier it works with.
"""

from __future__ import annotations

from .coder import LearnedCoder
from .model import EventModel, load_model

__all__ = ["EventModel", "LearnedCoder", "load_model"]

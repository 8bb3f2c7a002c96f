"""Who acts and who is acted on: the role model scores every candidate phrase of a predicate as actor, recipient
or neither; the choices are then tidied (a phrase inside another chosen phrase goes, conjuncts of a chosen
phrase join it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import argument_candidates, role_features
from .view import DocView

ROLE_CLASSES = ("NONE", "ACTOR", "RECIPIENT")
_PASS_SUBJ = frozenset({"nsubjpass", "csubjpass"})


@dataclass
class Roles:
    actors: list[int]
    recipients: list[int]


def is_passive(v: DocView, t: int) -> bool:
    return any(v.dep[c] in _PASS_SUBJ for c in v.children[t])


def role_rows(
    v: DocView, t: int, kind: str, ptype: str, lo: int, hi: int, skip: frozenset[int] = frozenset()
) -> tuple[list[int], list[list[str]]]:
    """Candidate argument tokens of predicate ``t`` and their feature lists."""
    passive = is_passive(v, t)
    cands = argument_candidates(v, t, lo, hi, skip)
    rows = [role_features(v, t, kind, ptype, c, path, passive, v.mention_at.get(c)) for c, path in cands]
    return [c for c, _ in cands], rows


def choose_roles(
    v: DocView,
    tokens: list[int],
    probs: np.ndarray,
    *,
    actor_threshold: float = 0.5,
    recipient_threshold: float = 0.5,
    actor_fallback: float | None = None,
    recipient_fallback: float | None = None,
) -> Roles:
    """Turn role probabilities into actor and recipient tokens. A role left empty takes its likeliest candidate
    when that clears the role's lower ``*_fallback`` threshold: most events have one actor and one recipient,
    and the likeliest is often right where no candidate is sure ("stand with the people of Ukraine")."""
    actors: list[int] = []
    recipients: list[int] = []
    for c, p in zip(tokens, probs, strict=True):
        # the likelier of the two roles, when it clears its threshold (a threshold under a half lets a role win
        # over "neither")
        if p[1] >= p[2]:
            if p[1] >= actor_threshold:
                actors.append(c)
        elif p[2] >= recipient_threshold:
            recipients.append(c)
    for chosen, k, other, floor in ((actors, 1, 2, actor_fallback), (recipients, 2, 1, recipient_fallback)):
        if chosen or floor is None:
            continue
        taken = set(actors) | set(recipients)
        best = max(
            ((float(p[k]), c) for c, p in zip(tokens, probs, strict=True) if c not in taken and p[k] > p[other]),
            default=None,
        )
        if best is not None and best[0] >= floor:
            chosen.append(best[1])
    actors = _tidy(v, actors, set(recipients))
    recipients = _tidy(v, recipients, set(actors))
    return Roles(actors=actors, recipients=recipients)


def _tidy(v: DocView, chosen: list[int], other: set[int]) -> list[int]:
    """Drop a token that sits inside another chosen token's phrase ("U.S." in "U.S. officials") and add the
    conjuncts of a chosen head ("the US and Japan") unless the other role took them."""
    chosen_set = set(chosen)
    out: list[int] = []
    for c in chosen:
        inside = False
        x = c
        for _ in range(4):
            if v.head[x] == x or v.dep[x] in ("conj", "appos"):
                break
            x = v.head[x]
            if x in chosen_set and v.dep[c] in ("compound", "amod", "poss", "nmod", "det", "nummod"):
                inside = True
                break
            if v.pos[x] not in ("NOUN", "PROPN", "PRON"):
                break
        if not inside:
            out.append(c)
    extra: list[int] = []
    for c in out:
        stack = [c]
        while stack:
            x = stack.pop()
            for ch in v.children[x]:
                if v.dep[ch] == "conj" and v.pos[ch] in ("NOUN", "PROPN", "PRON") and ch not in other:
                    if ch not in chosen_set and ch not in extra:
                        extra.append(ch)
                    stack.append(ch)
    return sorted(set(out) | set(extra))

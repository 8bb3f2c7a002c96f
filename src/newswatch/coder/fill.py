"""Country inference for participants the actor dictionary could not place: a small trained model decides
whether an argument takes the country of the other side of the event ("Trump attacked Cruz"), of a co-member
("Kenyan police and soldiers"), of the only country the sentence names ("police arrested protesters in Nairobi")
or of the country the article is mostly about. Cheap context often beats any encoder at this (notes/event-coding).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from ..models import CodedActor
from .features import fill_features
from .linear import LinearModel
from .view import DocView

SOURCES = ("other", "same", "sentence", "article")


def sentence_countries(v: DocView, lo: int, hi: int) -> dict[str, int]:
    """Countries of the actor mentions in tokens [lo, hi), with how many tokens name each."""
    counts: Counter[str] = Counter()
    for i in range(lo, hi):
        actor = v.mention_at.get(i)
        country = getattr(actor, "country", None)
        if country:
            counts[country] += 1
    return dict(counts)


def candidates_for(
    index: int,
    role: str,
    actors: list[tuple[int, CodedActor]],
    recipients: list[tuple[int, CodedActor]],
    in_sentence: dict[str, int],
    context: Any,
) -> list[tuple[str, str]]:
    """(source, country) pairs an argument without a country could take, first source first."""
    mine, other = (actors, recipients) if role == "A" else (recipients, actors)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(source: str, country: str | None) -> None:
        if country and country not in seen:
            seen.add(country)
            found.append((source, country))

    for _, a in other:
        add("other", a.country)
    for k, (_, a) in enumerate(mine):
        if k != index:
            add("same", a.country)
    for country in sorted(in_sentence, key=lambda c: -in_sentence[c]):
        add("sentence", country)
    counts = getattr(context, "country_counts", None)
    if counts:
        add("article", counts.most_common(1)[0][0])
    return found


def fill_countries(
    model: LinearModel | None,
    v: DocView,
    ptype: str,
    actors: list[tuple[int, CodedActor]],
    recipients: list[tuple[int, CodedActor]],
    in_sentence: dict[str, int],
    context: Any,
    *,
    threshold: float = 0.5,
) -> None:
    """Give each argument without a country the best candidate country the model accepts (in place)."""
    if model is None:
        return
    yes = model.classes.index("yes")
    for role, items in (("A", actors), ("R", recipients)):
        for k, (tok, actor) in enumerate(items):
            if actor.country:
                continue
            cands = candidates_for(k, role, actors, recipients, in_sentence, context)
            if not cands:
                continue
            rows = [
                fill_features(v, tok, role=role, ptype=ptype, sector=actor.sector, source=src, country=cc,
                              sentence_countries=in_sentence)
                for src, cc in cands
            ]  # fmt: skip
            probs = model.proba_many(rows)[:, yes]
            best = int(probs.argmax())
            if probs[best] >= threshold:
                src, cc = cands[best]
                items[k] = (tok, replace(actor, country=cc, rule=f"{actor.rule}+fill:{src}"))

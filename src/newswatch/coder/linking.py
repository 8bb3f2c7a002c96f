"""Actor linking: the phrase a role token heads, resolved by the actor dictionary (``newswatch.actors``) to a
country and sector. A relative pronoun stands for the noun it modifies; a personal pronoun is resolved by the
resolver from what the article said before."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from ..models import CodedActor
from .features import dateline
from .view import DocView

log = logging.getLogger(__name__)

_ARG_DEPS = frozenset(
    {"det", "amod", "compound", "poss", "nmod", "nummod", "quantmod", "appos", "case", "flat", "punct", "prep",
     "npadvmod", "advmod"}
)  # fmt: skip
_RELATIVE = frozenset({"which", "that", "who", "whom", "whose"})
_FIRST_PERSON = frozenset({"we", "us", "our", "i", "me", "my"})


class ActorResolver(Protocol):
    """What linking needs from ``newswatch.actors``."""

    def new_context(self, doc: Any) -> Any: ...

    def code_span_all(self, span: Any, *, context: Any = None) -> list[CodedActor]: ...


def antecedent(v: DocView, c: int) -> int:
    """The noun a relative pronoun stands for ("forces, which attacked")."""
    if v.lower[c] not in _RELATIVE:
        return c
    x = v.head[c]
    for _ in range(3):
        if v.dep[x] == "relcl":
            return v.head[x]
        if v.head[x] == x:
            break
        x = v.head[x]
    return c


def arg_bounds(v: DocView, c: int) -> tuple[int, int]:
    """Token range [lo, hi] of the noun phrase ``c`` heads: modifiers, possessives, appositives, "of" and
    "from" phrases; not its conjuncts (they are roles of their own) nor relative clauses."""
    lo = hi = c
    for ch in v.children[c]:
        d = v.dep[ch]
        if d not in _ARG_DEPS:
            continue
        if d == "prep" and v.lower[ch] not in ("of", "from"):
            continue
        if d == "punct" and ch > c:
            continue
        a, b = v.subtree_bounds(ch)
        lo, hi = min(lo, a), max(hi, b)
    while hi > lo and v.pos[hi] in ("PUNCT", "CCONJ"):
        hi -= 1
    while lo < c and (v.pos[lo] == "NUM" or v.dep[lo] in ("nummod", "quantmod")):
        lo += 1
    return lo, hi


def dedupe(pairs: list[tuple[int, CodedActor]]) -> list[CodedActor]:
    """One actor per distinct (country, sector); actors without either are kept once each."""
    out: list[CodedActor] = []
    seen: set[tuple[str | None, str | None]] = set()
    for _, actor in pairs:
        key = (actor.country, actor.sector)
        if actor.country is None and actor.sector is None and key in seen:
            continue
        if key in seen and actor.country is not None:
            continue
        seen.add(key)
        out.append(actor)
    return out


def link_tokens(
    v: DocView, tokens: list[int], resolver: ActorResolver | None, context: Any
) -> list[tuple[int, CodedActor]]:
    """(role token, coded actor) pairs: a token naming several actors ("both Koreas") gives several pairs."""
    out: list[tuple[int, CodedActor]] = []
    for c in tokens:
        head = antecedent(v, c)
        lo, hi = arg_bounds(v, head)
        opening = _dateline_of(v, head)
        if opening and lo < opening.stop <= head:  # "KYIV -- Ukraine fired ...": the phrase starts after it
            lo = opening.stop
        span = v.doc[lo : hi + 1]
        coded: list[CodedActor] = []
        if resolver is not None:
            try:
                coded = resolver.code_span_all(span, context=context)
            except Exception:  # a failed look-up must not lose the event
                log.exception("actor resolver failed on %r", span.text)
        if not any(a.country for a in coded):
            coded = publisher_voice(v, head, context) or coded
        if not coded:
            coded = [CodedActor(text=span.text, start=span.start_char, end=span.end_char, rule="unresolved")]
        out.extend((c, actor) for actor in coded)
    return out


def _dateline_of(v: DocView, i: int) -> range:
    s = v.sentence_of(i)
    return dateline(v, v.sent_starts[s], v.sent_ends[s])


def publisher_voice(v: DocView, c: int, context: Any) -> list[CodedActor]:
    """First person outside quotation marks is the publisher speaking (a government statement: "We are imposing
    sanctions"): it takes the publisher's country when the caller knows it; inside quotes it is someone quoted."""
    home = getattr(context, "home_country", None)
    if not home or v.lower[c] not in _FIRST_PERSON or in_quote(v, c):
        return []
    start = v.idx[c]
    return [CodedActor(text=v.text[c], start=start, end=start + len(v.text[c]), country=home, sector="GOV",
                       kind="state", rule="first-person:publisher")]  # fmt: skip


def in_quote(v: DocView, c: int) -> bool:
    """Whether token ``c`` sits between quotation marks within its paragraph."""
    text = v.doc_text
    pos = v.idx[c]
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    before = text[start:pos]
    after = text[pos : end if end >= 0 else len(text)]
    if before.count("\u201c") > before.count("\u201d") or before.count('"') % 2 == 1:
        return True
    close = after.find("\u201d")
    return close >= 0 and "\u201c" not in after[:close]

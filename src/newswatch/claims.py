"""Find who asserts what in an article and how surely: attributed claims from the spaCy parse.

For every reporting or belief construction ("X said that ...", '"...," said X', "according to X", "X believes",
"it is alleged that", "reports indicate", "... reportedly ...") ``find_claims`` makes a ``models.Claim`` with the
speaker span (resolved to an actor through the actor resolver when one is given), a source type, the cue, the
content span and a certainty level; a claim whose cue sits inside another claim's content keeps that claim as its
parent, so nested attribution is a chain. ``link_events`` then gives every event inside a claim's content that
claim's id and certainty; events in the article's own voice are "asserted". The words that drive all of this live
in ``data/claims/cues.json`` and ``data/claims/sources.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from .errors import ConfigError
from .models import Claim, CodedActor, Event
from .sentences import doc_text, sentences

log = logging.getLogger(__name__)


# dependency labels that carry the content of a reporting verb
_CLAUSE_DEPS = frozenset({"ccomp", "xcomp"})
_SUBJ_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_PRONOUNS = frozenset({"he", "she", "they", "it"})
# "we" outside quotes is the issuer of a statement ("We urge all countries ..."), and "I" the author of an
# opinion piece ("I think the ceasefire will not hold": hedged), so both stay speakers; "you" is the reader
_FIRST_SECOND_PERSON = frozenset({"you"})
_OPEN_QUOTES = "\u201c\u00ab"
_CLOSE_QUOTES = "\u201d\u00bb"
_TRIM = " \t\n,;:\"'\u201c\u201d\u2018\u2019-\u2014\u2013"
# a quote and its cue are "adjacent" when only this much text separates them (", said X, " / "X said: ")
_QUOTE_GAP = 3
_QUOTE_MIN_WORDS = 3


class ActorResolver(Protocol):
    """What ``find_claims`` needs from ``newswatch.actors``' resolver."""

    def code_span(self, span: Any, *, context: Any = None) -> CodedActor | None: ...

    def new_context(self, doc: Any) -> Any: ...


@dataclass(frozen=True)
class _Lexicon:
    verbs: dict[str, dict[str, Any]]
    passive: dict[str, str]
    adverbs: dict[str, str]
    hedges: frozenset[str]
    speculative: tuple[str, ...]
    names: tuple[tuple[str, str], ...]  # (lower-case name, source type), longest first
    heads: dict[str, str]
    evidence: frozenset[str]
    lemma_fixes: dict[str, str]
    nouns: dict[str, str]
    adjectives: dict[str, str]
    state_speaker_type: str
    generic_certainty: str
    anonymous_markers: tuple[str, ...]
    sector_to_type: dict[str, str]


def _load_json(name: str) -> dict[str, Any]:
    try:
        text = resources.files("newswatch").joinpath("data", "claims", name).read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"the claims data file {name} could not be read ({exc}); reinstall newswatch (pip install -e .)"
        ) from exc
    return data


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    cues = _load_json("cues.json")
    src = _load_json("sources.json")
    names = sorted(
        ((name.lower(), stype) for stype, lst in src["names"].items() for name in lst),
        key=lambda pair: -len(pair[0]),
    )
    heads: dict[str, str] = {}
    for stype, lst in src["heads"].items():
        for word in lst:
            heads.setdefault(word.lower(), stype)
    return _Lexicon(
        verbs=cues["verbs"],
        passive={k: v for k, v in cues["passive_unattributed"].items() if not k.startswith("_")},
        adverbs={k: v for k, v in cues["adverbs"].items() if not k.startswith("_")},
        hedges=frozenset(cues["hedges"]["words"]),
        speculative=tuple(cues["speculative_phrases"]["phrases"]),
        names=tuple(names),
        heads=heads,
        evidence=frozenset(src["evidence_heads"]),
        state_speaker_type=src["state_speaker_type"],
        nouns={k: v for k, v in cues["nouns"].items() if not k.startswith("_")},
        adjectives={k: v for k, v in cues["adjectives"].items() if not k.startswith("_")},
        lemma_fixes={k: v for k, v in cues["lemma_fixes"].items() if not k.startswith("_")},
        generic_certainty=cues["generic_clause_verbs"]["certainty"],
        anonymous_markers=tuple(src["anonymous_markers"]),
        sector_to_type=src["sector_to_type"],
    )


# ---------------------------------------------------------------- quotes


def _quote_regions(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks (without the marks); an unclosed quote ends at its paragraph end."""
    regions: list[tuple[int, int]] = []
    start: int | None = None
    # two apostrophes stand for a double quote in some wire and archive texts (''No,'' she said); the
    # replacement keeps every offset
    text = text.replace("\'\'", '"\x00')
    for i, ch in enumerate(text):
        if start is None:
            if ch in _OPEN_QUOTES or (ch == '"'):
                start = i + 1
        elif ch == '"' or ch in _CLOSE_QUOTES:
            # typed quotes are often mixed (an opening curly one closed by a straight one): any closing mark ends it
            if text[start : start + 1] == "\x00":
                start += 1
            regions.append((start, i))
            start = None
        elif ch == "\n":
            # news style: a quote running over paragraphs re-opens at each paragraph and closes only at its end
            regions.append((start, i))
            start = None
    if start is not None:
        regions.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for s, e in regions:
        if e - s < 2:
            continue
        # consecutive paragraphs of one quote: an open-quote paragraph followed by another quote paragraph
        if merged and text[merged[-1][1] : s].strip(_TRIM + "\n") == "" and text[merged[-1][1]] == "\n":
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _adjacent_quote(regions: list[tuple[int, int]], text: str, start: int, end: int) -> tuple[int, int] | None:
    """The quote right before or right after the speaker+cue stretch [start, end), if any."""
    for s, e in regions:
        quoted = text[s:e].rstrip(" '\u2019")
        if len(quoted.split()) < _QUOTE_MIN_WORDS and not quoted.endswith((",", ".", "?", "!")):
            # a scare-quoted word ("rejected as 'absurd' claims") is not what was said; a short quote that ends
            # its own sentence ('"No," she said') is
            continue
        if e <= start and len(text[e:start].strip(_TRIM)) <= _QUOTE_GAP:
            return (s, e)
        if s >= end and len(text[end:s].strip(_TRIM)) <= _QUOTE_GAP:
            return (s, e)
    return None


def _inside(regions: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    for s, e in regions:
        if s <= pos < e:
            return (s, e)
    return None


# ---------------------------------------------------------------- spans


def _span_bounds(tokens: list[Any]) -> tuple[int, int] | None:
    """Char bounds of a token list with quotes and punctuation trimmed at the edges."""
    toks = [t for t in tokens if not t.is_space]
    while toks and (toks[0].is_punct or toks[0].dep_ in {"cc", "mark"}):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].dep_ == "cc") and not (
        toks[-1].text == ")" and any(t.text == "(" for t in toks)
    ):
        toks = toks[:-1]
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _subtree(tok: Any, *, exclude: Any = None, stop_at: set[str] | None = None) -> list[Any]:
    """Tokens of ``tok``'s subtree, in order, leaving out the subtree of ``exclude`` and children with a stop dep."""
    banned: set[int] = set()
    if exclude is not None:
        banned.update(t.i for t in exclude.subtree)
    if stop_at:
        for child in tok.children:
            if child.dep_ in stop_at:
                banned.update(t.i for t in child.subtree)
    return [t for t in tok.subtree if t.i not in banned]


def _contiguous(tokens: list[Any], anchor: Any) -> list[Any]:
    """The run of ``tokens`` (sorted by index) that contains ``anchor``, so a speaker never jumps over the cue."""
    idx = {t.i for t in tokens}
    lo = hi = anchor.i
    while lo - 1 in idx:
        lo -= 1
    while hi + 1 in idx:
        hi += 1
    return [t for t in tokens if lo <= t.i <= hi]


def _speaker_tokens(subj: Any) -> list[Any]:
    """The speaker noun phrase: the subject's subtree without relative clauses that speak for themselves."""
    toks = _subtree(subj, stop_at={"relcl", "acl"} if subj.head.lemma_ in {"say", "tell"} else None)
    return _contiguous(toks, subj)


# ---------------------------------------------------------------- source type


def _source_type(span_text: str, head: Any, lex: _Lexicon, actor: CodedActor | None, sentence: str = "") -> str:
    low = " " + re.sub(r"[^\w'\- ]", " ", span_text.lower()) + " "
    named = head is not None and any(t.ent_type_ == "PERSON" for t in head.subtree)
    # "a senior official, speaking on condition of anonymity, said": the marker may sit outside the speaker phrase
    where = low if named else low + " " + sentence.lower()
    if any(marker in where for marker in lex.anonymous_markers):
        return "intelligence" if " intelligence " in low else "anonymous"
    for name, stype in lex.names:
        if stype == "expert":
            continue  # an institute only makes its people experts when the head is a person (below)
        if f" {name} " in low:
            return stype
    head_word = head.lemma_.lower() if head is not None else ""
    head_text = head.text.lower() if head is not None else ""
    for word in (head_text, head_word):
        if word in lex.heads:
            return lex.heads[word]
    if head is not None:
        # a title before a name: "Foreign Minister Kuleba", "Analyst Lee"
        for t in head.children:
            if t.dep_ in {"compound", "amod", "appos"} and t.lemma_.lower() in lex.heads:
                return lex.heads[t.lemma_.lower()]
    if actor is not None and actor.sector and actor.sector in lex.sector_to_type:
        return lex.sector_to_type[actor.sector]
    if head is not None and head.ent_type_ == "GPE":
        return lex.state_speaker_type  # "The United States condemns": a state speaks through its government
    for name, stype in lex.names:
        if stype == "expert" and f" {name} " in low:
            return "expert"
    if actor is not None and actor.kind == "state":
        return "official"
    return "unattributed"


def _affiliation(tokens: list[Any], lex: _Lexicon) -> str | None:
    """An organisation named inside the speaker phrase ("... from the Korea Institute for Defense Analyses")."""
    for tok in tokens:
        if tok.dep_ == "prep" and tok.lower_ in {"from", "at", "of", "with"}:
            for pobj in tok.children:
                if pobj.dep_ == "pobj" and (pobj.ent_type_ in {"ORG", "FAC"} or pobj.pos_ == "PROPN"):
                    toks = [t for t in pobj.subtree if not (t.dep_ == "det" and t.head == pobj)]
                    toks = [t for t in toks if not t.is_space]
                    while toks and toks[0].is_punct:
                        toks = toks[1:]
                    while toks and toks[-1].is_punct:
                        toks = toks[:-1]
                    if toks:
                        return "".join(t.text_with_ws for t in toks).strip()
    return None


# ---------------------------------------------------------------- certainty


def _adjust_certainty(base: str, cue: Any, content: str, content_tokens: list[Any], lex: _Lexicon) -> str:
    negated = any(c.dep_ == "neg" for c in cue.children) if cue is not None else False
    if negated:
        return "reported" if base == "denied" else "hedged"
    if base == "denied":
        return base
    low = content.lower()
    if any(p in low for p in lex.speculative):
        return "speculative"
    if base == "speculative":
        return base
    if cue is not None and any(c.lower_ in lex.adverbs for c in cue.children):
        return "hedged"
    if any(t.lower_ in lex.hedges for t in content_tokens):
        return "hedged"
    return base


# ---------------------------------------------------------------- candidate finders


@dataclass
class _Found:
    cue_tok: Any  # the token to read negation and adverbs from; None for "according to"
    cue: tuple[int, int]
    cue_text: str
    speaker: list[Any] | None
    speaker_head: Any
    content: tuple[int, int] | None
    content_tokens: list[Any]
    base: str
    needs_animate: bool = False
    antecedent: list[Any] | None = None  # the noun phrase a relative-pronoun speaker stands for


def _verb_candidate(tok: Any, lex: _Lexicon, regions: list[tuple[int, int]], text: str) -> _Found | None:
    """A reporting or belief verb with its speaker and content, or None when ``tok`` is not one."""
    if tok.pos_ not in {"VERB", "AUX"} or tok.dep_ in {"amod", "compound"}:
        return None
    lemma = lex.lemma_fixes.get(tok.lower_, tok.lemma_.lower())
    entry = lex.verbs.get(lemma)
    passive_base = lex.passive.get(lemma)
    children = list(tok.children)
    if entry is None and passive_base is None:
        if not _generic_clause_verb(tok, children, lex):
            return None
        entry = {"certainty": lex.generic_certainty, "kind": "speech", "needs_clause": True}
    subjects = [c for c in children if c.dep_ in _SUBJ_DEPS]
    # "Voters, Clinton suggested, don't ...": of two subjects the one next to the verb is the speaker
    before = [c for c in subjects if c.i < tok.i]
    subj = before[-1] if before else (subjects[0] if subjects else None)
    is_passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in children)
    agent = next((c for c in children if c.dep_ == "agent"), None)
    clause = next((c for c in children if c.dep_ in _CLAUSE_DEPS), None)
    if clause is None:
        # "said after the convention he would not accept": the parser sometimes hangs the reported clause as an
        # adverbial; a following clause with its own subject and no subordinating word is still the content
        clause = next(
            (c for c in children if c.dep_ == "advcl" and c.i > tok.i
             and any(g.dep_ in {"nsubj", "nsubjpass"} for g in c.children)
             and not any(g.dep_ == "mark" and g.lower_ != "that" for g in c.children)
             and not any(g.dep_ == "advmod" and g.tag_ == "WRB" for g in c.children)),
            None,
        )
    if clause is None:
        # "said in a statement that ...": the parser hangs the reported clause on the statement
        clause = next(
            (g for c in children if c.dep_ == "prep" and c.i > tok.i for p in c.children
             if p.dep_ == "pobj" and p.lemma_.lower() in _SOURCE_NOUNS for g in p.children
             if g.dep_ in {"acl", "ccomp", "relcl"} and any(m.dep_ == "mark" and m.lower_ == "that" for m in g.children)),
            None,
        )
    cue_span = (tok.idx, tok.idx + len(tok.text))

    # impersonal and raising constructions: "it is alleged that", "X is believed to", "X appears to"
    if passive_base is not None and (is_passive or tok.lemma_ in {"seem", "appear"}) and agent is None:
        if clause is None:
            return None
        if entry is None or is_passive:
            if subj is not None and subj.lower_ == "it":
                impersonal = _subtree(clause)
            else:
                # "X is believed to have fled": the content is the subject plus the infinitive clause
                impersonal = [
                    t for t in tok.subtree if t.i != tok.i and not (t.head == tok and t.dep_ in {"auxpass", "aux"})
                ]
            return _Found(tok, cue_span, tok.text, None, None, _span_bounds(impersonal), impersonal, passive_base)
    if entry is None:
        return None
    if tok.dep_ == "acl" and tok.tag_ == "VBN" and agent is None:
        return None  # "inflation estimated near 20%": a participle describing a noun, nobody speaks

    # the speaker: the subject, or the "by" agent of a passive
    antecedent: list[Any] | None = None
    speaker: list[Any] | None = None
    speaker_head = None
    if is_passive:
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                speaker, speaker_head = _contiguous(list(pobj.subtree), pobj), pobj
    elif (
        subj is not None and subj.tag_ in {"WP", "WDT"} and tok.dep_ == "relcl"
        and tok.head.pos_ in {"NOUN", "PROPN"}
    ):
        # "a group that calls itself ...", "Smith, who said ...": the relative pronoun is the speaker span (as
        # attribution annotation marks it), but its noun decides who that is
        speaker, speaker_head = [subj], subj
        antecedent = _contiguous(_subtree(tok.head, exclude=tok, stop_at={"relcl", "acl"}), tok.head)
    elif subj is not None and subj.dep_ != "csubj":
        speaker, speaker_head = _speaker_tokens(subj), subj
        # a name the tokenizer split at a hyphen ("Lee Min - ji") parses as several subjects: join them
        extra = [t for c in children if c.dep_ == "nsubj" and c.i != subj.i for t in c.subtree]
        if extra:
            speaker = _contiguous(sorted(set(speaker) | set(extra), key=lambda t: t.i), subj)
    elif tok.dep_ == "xcomp" and any(c.dep_ == "dobj" for c in tok.head.children):
        return None  # "urged all countries to condemn": a requested act, not a statement
    elif tok.dep_ in {"advcl", "conj", "xcomp", "relcl", "acl"} or (
        tok.dep_ == "pcomp" and tok.head.lower_ == "as" and tok.head.head.pos_ == "VERB"
    ):
        # "..., adding that ...", "and warned that", "was quoted as saying": the speaker is the subject of the
        # verb it hangs on
        head = tok.head if tok.dep_ != "pcomp" else tok.head.head
        if tok.dep_ == "relcl":
            speaker, speaker_head = _speaker_tokens(head) if head.pos_ in {"NOUN", "PROPN", "PRON"} else None, head
        else:
            # climb a chain of conjoined or adverbial verbs ("said ... and then, adding ...") to a subject
            hsubj = None
            for _ in range(3):
                hsubj = next((c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if hsubj is not None or head.dep_ not in {"advcl", "conj", "xcomp"}:
                    break
                if head.dep_ == "xcomp" and any(c.dep_ == "dobj" for c in head.head.children):
                    return None  # "urge all countries to condemn ... and call on ...": requested acts
                head = head.head
            if hsubj is not None and hsubj.lower_ not in {"who", "which", "that"}:
                speaker, speaker_head = _speaker_tokens(hsubj), hsubj
        if speaker is None:
            speaker_head = None

    # the content: a clause, an adjacent quotation, or the clause the cue interrupts, or an object
    content_toks: list[Any] = []
    bounds: tuple[int, int] | None = None
    sp_lo = min([tok.idx] + [t.idx for t in speaker or []])
    sp_hi = max([cue_span[1]] + [t.idx + len(t.text) for t in speaker or []])
    quote = None if _inside(regions, tok.idx) else _adjacent_quote(regions, text, sp_lo, sp_hi)
    if quote is not None:
        bounds = quote
        quoted = tok.doc.char_span(quote[0], quote[1], alignment_mode="expand")
        content_toks = list(quoted) if quoted is not None and len(quoted) < 600 else []
    elif clause is not None and (clause.dep_ == "ccomp" or entry["kind"] in {"belief", "stance", "speech"}):
        content_toks = _subtree(clause)
        bounds = _span_bounds(content_toks)
    elif tok.dep_ == "parataxis" or (
        tok.dep_ == "advcl" and any(c.lower_ == "as" for c in children) and tok.head.pos_ in {"VERB", "AUX"}
    ):
        # "Russia will respond, the ministry said" / "As the president said, Russia is ...": the cue hangs off
        # the clause it reports
        content_toks = _subtree(tok.head, exclude=tok)
        # "As X said and as Y agreed, ...": the other attribution clauses are not part of the content
        others = {
            t.i for c in tok.head.children
            if c.i != tok.i and c.dep_ == "advcl" and any(m.lower_ == "as" for m in c.children)
            for t in c.subtree
        }
        content_toks = [t for t in content_toks if t.i not in others]
        bounds = _span_bounds(content_toks)
    elif (dep := next((c for c in children if c.dep_ == "dep" and c.i < tok.i), None)) is not None:
        # "Language unclear on ..., experts say": a fragment the parser could not attach is what is said
        content_toks = _subtree(dep)
        bounds = _span_bounds(content_toks)
    elif is_passive and agent is not None and subj is not None and subj.dep_ == "nsubjpass" and (
        entry["kind"] == "speech"
    ):
        # "The attack was confirmed by the governor": what is confirmed is the subject
        content_toks = _subtree(subj)
        bounds = _span_bounds(content_toks)
    elif any(c.dep_ == "oprd" for c in children) or (
        lemma in {"call", "brand", "dub", "label", "term", "name"} and sum(c.dep_ == "dobj" for c in children) == 2
    ):
        # ("branded the strike an act of terror": the parser may read the predicate as a second object)
        # "called the test a provocation": the object and its predicate are what the speaker holds
        content_toks = [t for c in children if c.dep_ in {"dobj", "oprd"} for t in c.subtree]
        content_toks.sort(key=lambda t: t.i)
        bounds = _span_bounds(content_toks)
    elif (not entry.get("needs_clause") and not entry.get("needs_content") and not entry.get("needs_quote")) or (
        "preps" in entry
    ):
        takes_object = not (entry.get("needs_clause") or entry.get("needs_content") or entry.get("needs_quote"))
        obj = next((c for c in children if c.dep_ in {"dobj", "attr"}), None) if takes_object else None
        if obj is not None and obj.pos_ == "PRON" and "preps" in entry:
            obj = None  # "accused him of preventing ...": the content is in the preposition, not the pronoun
        if obj is None:
            # "called for a moratorium", "agreed on the need": the object of the verb's own preposition
            preps = entry.get("preps", ("about", "of", "on"))
            prep = next((c for c in children if c.dep_ == "prep" and c.lower_ in preps), None)
            obj = next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None) if prep is not None else None
        if obj is not None and obj.pos_ not in {"PRON"}:
            content_toks = _subtree(obj)
            # "showed footage of the missile lifting off": a participle the parser hung on the verb
            for c in children:
                if c.dep_ == "advcl" and c.tag_ == "VBG" and c.i > obj.i:
                    content_toks.extend(c.subtree)
            content_toks.sort(key=lambda t: t.i)
            bounds = _span_bounds(content_toks)
    if bounds is None:
        return None
    if entry.get("needs_quote") and quote is None:
        return None
    if speaker is None and not is_passive and quote is not None:
        # '"...," said Robin Maynard, a welder': an inverted subject the parser labelled as an object
        after = next(
            (c for c in children if c.i == tok.i + 1 or (c.i > tok.i and c.left_edge.i == tok.i + 1)), None
        )
        if after is not None and after.dep_ in {"dobj", "attr", "npadvmod", "dep", "appos", "oprd"} and (
            after.pos_ == "PROPN" or after.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}
            or after.lemma_.lower() in lex.heads
        ):
            speaker, speaker_head = _contiguous(list(after.subtree), after), after
    found = _Found(tok, cue_span, tok.text, speaker, speaker_head, bounds, content_toks, entry["certainty"])
    found.needs_animate = bool(entry.get("needs_animate"))
    found.antecedent = antecedent
    return found


_PERSONLIKE_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def _generic_clause_verb(tok: Any, children: list[Any], lex: _Lexicon) -> bool:
    """A verb not in the lexicon that takes a finite 'that'-clause and has a person-like subject."""
    clause = next((c for c in children if c.dep_ == "ccomp"), None)
    subj = next((c for c in children if c.dep_ == "nsubj"), None)
    if clause is None or subj is None or tok.lemma_ in {"be", "have", "do", "make", "mean"}:
        return False
    if subj.lower_ == "it":
        return False  # "it remains unclear whether ...": an expletive subject speaks for nobody
    if clause.i < tok.i:
        return False  # a clause before the verb is not what it reports ("Whatever happens, X decided")
    marked = any(c.dep_ == "mark" and c.lower_ in {"that", "whether", "if"} for c in clause.children)
    finite = any(c.dep_ in {"nsubj", "nsubjpass"} for c in clause.children) and not any(
        c.dep_ == "aux" and c.lower_ == "to" for c in clause.children
    )
    if not (marked or finite):
        return False  # "allowed them to strengthen": an infinitive is not a reported statement
    if any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children) and subj.pos_ in {"NOUN", "PROPN"}:
        return True  # "the report concludes that ...", "protesters complained that ...": 'that' marks what is held
    return (
        subj.ent_type_ in _PERSONLIKE_ENTS
        or subj.lower_ in _PRONOUNS
        or subj.lemma_.lower() in lex.heads
    )


def _according_candidate(tok: Any) -> _Found | None:
    """'according to X' attaches to the clause they attribute."""
    if tok.lower_ != "according":
        return None
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    if to is None:
        return None
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    cue_end = to.idx + len(to.text)
    cue_text = f"{tok.text}{tok.whitespace_}{to.text}"
    head = tok.head
    while head.pos_ not in {"VERB", "AUX"} and head.dep_ not in {"ROOT"} and head.head.i != head.i:
        head = head.head
    content_toks = _subtree(head, exclude=tok)
    bounds = _span_bounds(content_toks)
    if bounds is None:
        return None
    speaker = _contiguous(list(pobj.subtree), pobj)
    return _Found(None, (tok.idx, cue_end), cue_text, speaker, pobj, bounds, content_toks, "reported")


# "In a statement, the ministry ...", "In the latest poll, ...", "in Forbes' words": a document or a view as the
# source of the clause it introduces
_SOURCE_NOUNS = frozenset(
    {"statement", "interview", "poll", "survey", "report", "letter", "tweet", "post", "speech", "remark", "memo",
     "editorial", "column", "op", "study", "analysis", "filing", "testimony", "release", "briefing", "view",
     "word", "opinion", "estimate", "assessment", "judgment", "judgement", "eye", "message", "email",
     "transcript", "document", "complaint", "lawsuit", "indictment", "affidavit", "video", "broadcast"}
)


def _prep_source_candidate(tok: Any, lex: _Lexicon) -> _Found | None:
    """'In a statement, X ...' / 'in the polls' / "in Smith's view": a preposition naming the document or view a
    clause comes from.

    "For X, ..." stays out: measured on the PolNeAR dev set, half of the sentence-opening ones found were topics
    ("For networks that own their shows, ..."), not viewpoints.
    """
    if tok.dep_ != "prep" or tok.lower_ != "in" or tok.head.pos_ not in {"VERB", "AUX"}:
        return None
    pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
    if pobj is None or pobj.lemma_.lower() not in _SOURCE_NOUNS:
        return None
    if pobj.lemma_.lower() == "view" and not any(
        c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ == "of") for c in pobj.children
    ):
        return None  # "in view of the risks" names no one
    head = tok.head
    if lex.verbs.get(lex.lemma_fixes.get(head.lower_, head.lemma_.lower())) is not None:
        return None  # "said in a statement": the verb's own claim
    content_toks = _subtree(head, exclude=tok)
    bounds = _span_bounds(content_toks)
    if bounds is None:
        return None
    speaker = _contiguous(list(pobj.subtree), pobj)
    base = "hedged" if pobj.lemma_.lower() in {"view", "opinion", "eye"} else "reported"
    return _Found(None, (tok.idx, tok.idx + len(tok.text)), tok.text, speaker, pobj, bounds, content_toks, base)


def _noun_candidate(tok: Any, lex: _Lexicon) -> _Found | None:
    """'his claim that ...', 'reports that ...': a reporting noun with a that-clause."""
    base = lex.nouns.get(tok.lemma_.lower())
    if base is None or tok.pos_ != "NOUN":
        return None
    if tok.dep_ == "pobj" and tok.head.dep_ == "prep" and lex.verbs.get(
        lex.lemma_fixes.get(tok.head.head.lower_, tok.head.head.lemma_.lower())
    ) is not None:
        return None  # "said in a statement that ...": the verb's claim, with the verb's subject as speaker
    clause = next(
        (c for c in tok.children if c.dep_ in {"acl", "ccomp", "relcl"}
         and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)),
        None,
    )
    if clause is None:
        return None
    content_toks = _subtree(clause)
    bounds = _span_bounds(content_toks)
    if bounds is None:
        return None
    speaker: list[Any] | None = None
    speaker_head = None
    owner = next((c for c in tok.children if c.dep_ == "poss"), None)
    if owner is None:
        prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in {"by", "from"}), None)
        owner = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
    if owner is not None and owner.pos_ != "DET":
        speaker, speaker_head = _contiguous(list(owner.subtree), owner), owner
    cue = (tok.idx, tok.idx + len(tok.text))
    return _Found(None, cue, tok.lemma_.lower(), speaker, speaker_head, bounds, content_toks, base)


def _adjective_candidate(tok: Any, lex: _Lexicon) -> _Found | None:
    """'Officials are confident that ...': be + a belief adjective + a clause."""
    base = lex.adjectives.get(tok.lower_)
    if base is None:
        return None
    if tok.tag_ == "VBN" and any(c.dep_ == "auxpass" and c.lemma_ == "be" for c in tok.children):
        # "Protesters were frustrated that ...": the parser reads the participle as a passive verb
        clause = next((c for c in tok.children if c.dep_ == "ccomp" and c.i > tok.i), None)
        subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
        if clause is None or subj is None or any(c.dep_ == "agent" for c in tok.children):
            return None
        content_toks = _subtree(clause)
        bounds = _span_bounds(content_toks)
        if bounds is None:
            return None
        cue = (tok.idx, tok.idx + len(tok.text))
        return _Found(None, cue, tok.lower_, _speaker_tokens(subj), subj, bounds, content_toks, base)
    if tok.dep_ != "acomp" or tok.head.lemma_ != "be":
        return None
    verb = tok.head
    clause = next((c for c in tok.children if c.dep_ in {"ccomp", "xcomp"}), None) or next(
        (c for c in verb.children if c.dep_ == "ccomp" and c.i > tok.i), None
    )
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if clause is None or subj is None:
        return None
    content_toks = _subtree(clause)
    bounds = _span_bounds(content_toks)
    if bounds is None:
        return None
    cue = (verb.idx, tok.idx + len(tok.text)) if verb.i < tok.i else (tok.idx, tok.idx + len(tok.text))
    return _Found(None, cue, tok.lower_, _speaker_tokens(subj), subj, bounds, content_toks, base)


def _colon_candidate(tok: Any, sent: Any) -> _Found | None:
    """'Pat Caddell: Democrat voters worried ...': a name, a colon, then what the named one says."""
    if tok.text != ":" or tok.i - sent.start < 1 or tok.i - sent.start > 5 or tok.i + 1 >= len(tok.doc):
        return None
    name = [t for t in sent if t.i < tok.i and not t.is_space and not (t.is_punct and t.is_quote)]
    if not name or not all(t.pos_ == "PROPN" or t.ent_type_ in {"PERSON", "ORG"} or t.is_title for t in name):
        return None
    # a transcript names its speakers in capitals ("SMITH: Well, ...")
    upper = all(t.text.isupper() and t.is_alpha and len(t.text) > 1 for t in name)
    if not upper and not any(t.ent_type_ in {"PERSON", "ORG"} for t in name):
        return None
    content_toks = [t for t in sent if t.i > tok.i]
    if not content_toks and upper and "\n" not in tok.whitespace_:
        # the parser ended the sentence at a transcript speaker's colon: what follows up to the paragraph end
        for t in tok.doc[tok.i + 1 : tok.i + 300]:
            if t.is_space and "\n" in t.text:
                break
            content_toks.append(t)
            if "\n" in t.whitespace_:
                break
    bounds = _span_bounds(content_toks)
    if bounds is None:
        return None
    return _Found(None, (tok.idx, tok.idx + 1), ":", name, name[-1], bounds, content_toks, "reported")


_TITLE_ENDINGS = ("s", "es", "ed", "d", "")
_TITLE_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "tells": "tell", "thinks": "think", "thought": "think",
                    "sees": "see", "saw": "see", "wrote": "write", "writes": "write", "knew": "know"}


def _title_candidate(sent: Any, lex: _Lexicon) -> _Found | None:
    """'Minister Says Talks Have Failed': a headline in title case, which the parser reads badly, names its speaker
    before the first reporting verb and its content after it."""
    words = [t for t in sent if t.is_alpha]
    if len(words) < 4 or len(sent) > 40:
        return None
    if sum(t.text[:1].isupper() for t in words) < 0.7 * len(words):
        return None  # not a title-case headline
    for tok in sent:
        if tok.i - sent.start < 1 or not tok.is_alpha or not tok.text[:1].isupper():
            continue
        low = tok.lower_
        lemma = _TITLE_IRREGULAR.get(low)
        if lemma is None:
            lemma = next((low[: len(low) - len(e)] for e in _TITLE_ENDINGS
                          if low.endswith(e) and low[: len(low) - len(e)] in lex.verbs), None)
        entry = lex.verbs.get(lemma or "")
        if entry is None or entry.get("kind") not in {"speech", "belief", "stance"} or low == lemma and low != "say":
            continue  # a bare form ("Report", "Call") in a headline is more often a noun
        speaker = [t for t in sent if t.i < tok.i and not t.is_space]
        content = [t for t in sent if t.i > tok.i and not t.is_space]
        if not speaker or not content or len(speaker) > 8 or speaker[0].is_punct:
            return None
        bounds = _span_bounds(content)
        if bounds is None:
            return None
        return _Found(None, (tok.idx, tok.idx + len(tok.text)), lemma or low, speaker, speaker[-1], bounds, content,
                      entry["certainty"])
    return None


_FINAL_CUES = {"show": "show", "shows": "show", "showed": "show", "found": "find", "finds": "find",
               "indicate": "indicate", "indicates": "indicate", "suggest": "suggest", "suggests": "suggest",
               "say": "say", "says": "say", "said": "say"}


def _final_cue_candidate(tok: Any, sent: Any, lex: _Lexicon) -> _Found | None:
    """'..., records show.' / '..., a survey found.': a sentence-final cue after a comma, which the parser often
    mistakes for a noun ("records show" as a compound); the source is the noun phrase between comma and cue."""
    lemma = _FINAL_CUES.get(tok.lower_)
    if lemma is None:
        return None
    rest = [t for t in sent if t.i > tok.i and not t.is_space]
    if any(not t.is_punct for t in rest):
        return None
    comma = next((t for t in reversed(list(sent)) if t.i < tok.i and t.text == ","), None)
    if comma is None or not 1 <= tok.i - comma.i - 1 <= 10:
        return None
    source = [t for t in sent if comma.i < t.i < tok.i]
    if any(t.pos_ in {"VERB", "AUX", "PRON"} and t.tag_ not in {"VBN", "VBG"} for t in source):
        return None
    if not any(t.pos_ in {"NOUN", "PROPN"} for t in source):
        return None
    content = [t for t in sent if t.i < comma.i]
    bounds = _span_bounds(content)
    if bounds is None:
        return None
    base = lex.verbs[lemma]["certainty"] if lemma in lex.verbs else "reported"
    return _Found(None, (tok.idx, tok.idx + len(tok.text)), lemma, source, source[-1], bounds, content, base)


def _adverb_candidate(tok: Any, lex: _Lexicon) -> _Found | None:
    """'... reportedly seized ...': an unattributed, hedged claim over the clause the adverb modifies."""
    base = lex.adverbs.get(tok.lower_)
    if base is None or tok.dep_ != "advmod":
        return None
    head = tok.head
    content_toks = _subtree(head, exclude=tok)
    bounds = _span_bounds(content_toks)
    if bounds is None:
        return None
    return _Found(None, (tok.idx, tok.idx + len(tok.text)), tok.text, None, None, bounds, content_toks, base)


def _starts_paragraph(tok: Any) -> bool:
    """Whether only an opening quotation mark stands between ``tok`` and the start of its paragraph."""
    i = tok.i - 1
    while i >= 0 and tok.doc[i].is_quote:
        i -= 1
    return i < 0 or "\n" in tok.doc[i].text or "\n" in tok.doc[i].whitespace_


def _keep(found: _Found, regions: list[tuple[int, int]], lex: _Lexicon) -> bool:
    """Leave out attributions that are not claims a reader weighs.

    A cue inside a quotation is the quoted speaker's own framing ("I think ..."), already covered by the
    quotation's claim; a second-person speaker outside quotes is the reader; an
    inanimate subject ("the exchange indicates a deepening alliance") is the article's own inference.
    """
    if _inside(regions, found.cue[0]) is not None and not (
        found.cue_text == ":" and found.speaker and _starts_paragraph(found.speaker[0])
    ):
        return False  # (a transcript line "NAME: ..." inside a quoted transcript still names its speaker)
    head = found.speaker_head
    if head is None:
        return True
    if head.lower_ in _FIRST_SECOND_PERSON:
        return False
    if found.needs_animate and head.pos_ == "NOUN" and not head.ent_type_ and head.lemma_.lower() not in lex.heads:
        if head.lemma_.lower() in lex.evidence or head.lower_ in lex.evidence:
            return True
        phrase = " " + " ".join(t.lower_ for t in found.speaker or ()) + " "
        return any(f" {name} " in phrase for name, _ in lex.names)
    return True


# ---------------------------------------------------------------- public API


def claim_id(article_id: str, cue_start: int, cue_end: int, content_start: int | None) -> str:
    """Stable id of a claim: the same article text always gives the same ids."""
    basis = f"{article_id}:{cue_start}:{cue_end}:{content_start}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def find_claims(
    doc: Any, *, article_id: str, resolver: ActorResolver | None = None, context: Any = None
) -> list[Claim]:
    """Every attributed claim in a parsed article, in text order, with nested attribution as parent links."""
    lex = _lexicon()
    text: str = doc_text(doc)
    regions = _quote_regions(text)
    if resolver is not None and context is None and hasattr(resolver, "new_context"):
        context = resolver.new_context(doc)
    claims: list[Claim] = []
    last_named: Claim | None = None
    bounds = sentences(doc)
    title_end = text.find("\n")
    title = _title_candidate(doc[: next((t.i for t in doc if t.idx >= title_end), len(doc))], lex) if (
        title_end > 0) else None
    for sent_index in range(len(bounds)):
        sent = bounds.span(doc, sent_index)
        for tok in sent:
            if title is not None and tok.idx < title_end:
                # a headline the parser cut into pieces holds its one claim, made at its first token
                found = title if tok.i == 0 else None
            else:
                found = (
                    _according_candidate(tok)
                    or _adverb_candidate(tok, lex)
                    or _noun_candidate(tok, lex)
                    or _adjective_candidate(tok, lex)
                    or _colon_candidate(tok, sent)
                    or _prep_source_candidate(tok, lex)
                    or _verb_candidate(tok, lex, regions, text)
                    or _final_cue_candidate(tok, sent, lex)
                )
            if found is None or found.content is None or not _keep(found, regions, lex):
                continue
            claim = _make_claim(found, doc, text, sent, sent_index, article_id, lex, resolver, context)
            if claim.speaker and claim.speaker.lower() in _PRONOUNS and last_named is not None:
                # a pronoun speaker carries the type and actor of the last named speaker it most likely refers to
                claim.source_type = last_named.source_type
                claim.affiliation = last_named.affiliation
                claim.speaker_actor = claim.speaker_actor or last_named.speaker_actor
            elif claim.speaker:
                last_named = claim
            claims.append(claim)
    _link_parents(claims)
    return _fold_own_beliefs(claims, lex)


_SAME_SPEAKER_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it"})


def _fold_own_beliefs(claims: list[Claim], lex: _Lexicon) -> list[Claim]:
    """'Fowler said he expects ...': a belief the speaker reports of themself is one claim, not two.

    The inner belief cue only colours how sure the speaker is, so it is folded into the outer claim, which takes
    the weaker certainty of the two; a claim nested in a folded one moves up to the outer claim.
    """
    by_id = {c.id: c for c in claims}
    folded: dict[str, str] = {}
    for claim in claims:
        parent = by_id.get(claim.parent_id or "")
        if parent is None or parent.speaker is None or claim.speaker is None:
            continue
        if lex.verbs.get(claim.cue or "", {}).get("kind") not in {"belief", "stance"}:
            continue
        own = claim.speaker.lower()
        if own not in _SAME_SPEAKER_PRONOUNS and own.split()[-1] != parent.speaker.lower().split()[-1]:
            continue  # "Smith said analysts believe ...": someone else's belief is a claim of its own
        if _STRENGTH.get(claim.certainty, 3) < _STRENGTH.get(parent.certainty, 3):
            parent.certainty = claim.certainty
        folded[claim.id] = parent.id
    for claim in claims:
        while claim.parent_id in folded:
            claim.parent_id = folded[claim.parent_id]
    return [c for c in claims if c.id not in folded]


_DASHES = frozenset({"-", "--", "\u2013", "\u2014"})


def _after_dateline(tokens: list[Any]) -> list[Any]:
    """'WASHINGTON -- President Obama': a dateline the parser joined to the speaker is no part of it."""
    cut = None
    for k, tok in enumerate(tokens[:-1]):
        spaced = bool(tok.whitespace_) and (tok.i == 0 or bool(tok.doc[tok.i - 1].whitespace_))
        if tok.text in _DASHES and spaced and k > 0:
            cut = k
    return tokens[cut + 1 :] if cut is not None else tokens


def _make_claim(
    found: _Found,
    doc: Any,
    text: str,
    sent: Any,
    sent_index: int,
    article_id: str,
    lex: _Lexicon,
    resolver: ActorResolver | None,
    context: Any,
) -> Claim:
    """The ``models.Claim`` for one found attribution: spans, speaker actor and type, certainty, stable id."""
    assert found.content is not None
    content_text = text[found.content[0] : found.content[1]]
    certainty = _adjust_certainty(found.base, found.cue_tok, content_text, found.content_tokens, lex)
    speaker = speaker_start = speaker_end = None
    actor: CodedActor | None = None
    source_type = "unattributed"
    affiliation = None
    if found.speaker:
        found.speaker = _after_dateline(found.speaker)
        bounds = _span_bounds(found.speaker)
        if bounds is not None:
            speaker_start, speaker_end = bounds
            speaker = text[speaker_start:speaker_end]
            who, who_head, who_text = found.speaker, found.speaker_head, speaker
            ante = _span_bounds(found.antecedent) if found.antecedent else None
            if found.antecedent and ante is not None:
                who, who_head, who_text = found.antecedent, found.antecedent[0].head, text[ante[0] : ante[1]]
                who_head = next((t for t in found.antecedent if t.head.i not in {a.i for a in who}), who_head)
            if resolver is not None:
                lo_hi = ante if found.antecedent and ante is not None else (speaker_start, speaker_end)
                span = doc.char_span(lo_hi[0], lo_hi[1], alignment_mode="expand")
                if span is not None:
                    actor = resolver.code_span(span, context=context)
            source_type = _source_type(who_text, who_head, lex, actor, sent.text)
            affiliation = _affiliation(who, lex)
            if affiliation and source_type == "unattributed":
                source_type = "expert"
    lo = min(x for x in (found.cue[0], found.content[0], speaker_start) if x is not None)
    hi = max(x for x in (found.cue[1], found.content[1], speaker_end) if x is not None)
    cue_word = (
        found.cue_text if found.cue_tok is None
        else lex.lemma_fixes.get(found.cue_tok.lower_, found.cue_tok.lemma_.lower())
    )
    return Claim(
        id=claim_id(article_id, found.cue[0], found.cue[1], found.content[0]),
        article_id=article_id,
        sentence=sent_index,
        start=lo,
        end=hi,
        text=sent.text,
        speaker=speaker,
        speaker_start=speaker_start,
        speaker_end=speaker_end,
        speaker_actor=actor,
        source_type=source_type,
        affiliation=affiliation,
        cue=cue_word,
        cue_start=found.cue[0],
        cue_end=found.cue[1],
        content_start=found.content[0],
        content_end=found.content[1],
        certainty=certainty,
    )


def _link_parents(claims: list[Claim]) -> None:
    """A claim whose cue lies inside another claim's content is reported inside it: keep the innermost one."""
    for claim in claims:
        best: Claim | None = None
        for other in claims:
            if other is claim or other.content_start is None or other.content_end is None:
                continue
            assert claim.cue_start is not None
            if other.content_start <= claim.cue_start < other.content_end:
                if best is None or (other.content_end - other.content_start) < (
                    (best.content_end or 0) - (best.content_start or 0)
                ):
                    best = other
        if best is not None:
            claim.parent_id = best.id


def _innermost(claims: list[Claim], pos: int) -> Claim | None:
    best: Claim | None = None
    for claim in claims:
        if claim.content_start is None or claim.content_end is None:
            continue
        if claim.content_start <= pos < claim.content_end:
            if best is None or (claim.content_end - claim.content_start) < (
                (best.content_end or 0) - (best.content_start or 0)
            ):
                best = claim
    return best


_HEDGE_IN_EVENT = re.compile(r"\b(may|might|could|likely|possibly|perhaps|probably|reportedly|allegedly)\b", re.I)
# how much weight a certainty leaves a statement; a chain of attributions is as weak as its weakest link
_STRENGTH = {"asserted": 4, "reported": 3, "hedged": 2, "speculative": 1, "denied": 0}


def chain_certainty(claim: Claim, by_id: dict[str, Claim]) -> str:
    """The weakest certainty along a claim and its parents ("reports suggest that, according to X, ..." is hedged)."""
    certainty = claim.certainty
    seen = {claim.id}
    parent = by_id.get(claim.parent_id or "")
    while parent is not None and parent.id not in seen:
        seen.add(parent.id)
        if _STRENGTH.get(parent.certainty, 3) < _STRENGTH.get(certainty, 3):
            certainty = parent.certainty
        parent = by_id.get(parent.parent_id or "")
    return certainty


def link_events(events: list[Event], claims: list[Claim]) -> None:
    """Give each event the innermost claim whose content holds its trigger, and that chain's certainty.

    A hedge between the content start and the trigger ("... tests might be for export") makes a reported event
    hedged; an event outside every claim is in the article's own voice: "asserted".
    """
    lex = _lexicon()
    by_id = {c.id: c for c in claims}
    for event in events:
        claim = _innermost([c for c in claims if c.article_id == event.article_id], event.trigger_start)
        if claim is None:
            event.claim_id = None
            event.certainty = "asserted"
            continue
        event.claim_id = claim.id
        certainty = chain_certainty(claim, by_id)
        if certainty in {"reported", "asserted"}:
            # a hedge in the event's own clause, just before its trigger, e.g. "may serve", "might be"
            window_start = max(event.sent_start, event.trigger_start - 40, claim.content_start or 0)
            window = event.text[window_start - event.sent_start : event.trigger_start - event.sent_start]
            words = set(re.findall(r"[a-z]+", window.lower()))
            if words & lex.hedges or _HEDGE_IN_EVENT.search(window):
                certainty = "hedged"
        event.certainty = certainty

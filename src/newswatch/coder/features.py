"""Features the trained models read: strings describing a candidate predicate (its word, its place in the parse,
its auxiliaries and governors, what the rule lexicon says of it) and a candidate argument (the dependency path
from the predicate, what kind of phrase it is, whether it names a known actor)."""

from __future__ import annotations

from .candidates import Candidate
from .lexicon import Lexicon
from .view import DocView

_SUBJ = frozenset({"nsubj", "csubj"})
_PASS_SUBJ = frozenset({"nsubjpass", "csubjpass"})
_CLAUSE_UP = frozenset({"xcomp", "ccomp", "conj", "advcl", "acl", "relcl", "pcomp", "acomp"})
_LEXICAL_DEPS = frozenset({"prep", "agent", "dative", "prt", "mark"})
_ARG_POS = frozenset({"NOUN", "PROPN", "PRON"})
_ARG_ENTS = frozenset({"NORP", "GPE", "ORG", "PERSON", "LOC", "FAC"})
_MAX_PATH = 5
_WH = frozenset({"who", "which", "that", "whom", "whose"})


def _ent(v: DocView, i: int) -> str:
    return v.ent[i] or "-"


def is_negated(v: DocView, i: int) -> bool:
    """Whether the parse negates predicate ``i``: a "neg" child (the "neg" feature below: "did not attack") or
    "never" ("never met")."""
    return any(v.dep[c] == "neg" or v.lower[c] == "never" for c in v.children[i])


_NEGATION_CUES = frozenset({"neg", "adv=never", "gaux0=not", "gaux0=n't", "gaux0=never"})


def status_features(feats: list[str], ptype: str) -> list[str]:
    """Features of an event's status: its predicate's features, its type, and each negation cue joined with the
    type, since a negation means different things by type ("did not attack" is a negated ASSAULT, "would not
    support" an asserted REJECT)."""
    return feats + ["T=" + ptype] + [f + "|T=" + ptype for f in feats if f in _NEGATION_CUES]


def predicate_features(v: DocView, cand: Candidate, lex: Lexicon, sent_end: int) -> list[str]:
    """Features of one candidate predicate."""
    hint = v.hints.get(cand.i) if v.hints else None
    i = cand.i
    k = cand.kind
    lem = v.lemma[i]
    dep = v.dep[i]
    f = [
        "b",
        "k=" + k,
        "l=" + lem,
        "lk=" + lem + "|" + k,
        "w=" + v.lower[i],
        "t=" + v.tag[i],
        "d=" + dep,
        "ld=" + lem + "|" + dep,
    ]
    h = v.head[i]
    if h != i:
        f += ["hl=" + v.lemma[h], "hd=" + dep + "|" + v.lemma[h], "hp=" + dep + "|" + v.pos[h]]
    else:
        f.append("root")
    lt = lex.verb_type(lem) if k == "V" else lex.noun_type(lem)
    if lt:
        f.append("lex=" + lt)
    elif k == "N" and lex.verb_type(lem):
        f.append("lexv=" + (lex.verb_type(lem) or ""))
    obj = None
    for c in v.children[i]:
        d = v.dep[c]
        if d in ("aux", "auxpass"):
            f.append("aux=" + v.lower[c])
        elif d == "neg":
            f.append("neg")
        elif d == "prt":
            f.append("prt=" + lem + "_" + v.lower[c])
            pt = lex.phrasal.get(lem + " " + v.lower[c])
            if pt:
                f.append("lexp=" + pt)
        elif d in ("dobj", "attr", "oprd"):
            obj = c
            f += ["o=" + v.lemma[c], "lo=" + lem + "|" + v.lemma[c], "oe=" + _ent(v, c)]
            ot = lex.object_type(lem, v.lemma[c])
            if ot is not None:
                f.append("lexo=" + (ot or "none"))
            nt = lex.noun_type(v.lemma[c])
            if nt:
                f.append("lexn=" + nt)
        elif d in _SUBJ:
            f += ["s=" + _ent(v, c), "sp=" + v.pos[c], "sl=" + v.lemma[c]]
        elif d in _PASS_SUBJ:
            f += ["pass", "ps=" + _ent(v, c), "psl=" + v.lemma[c]]
        elif d == "agent":
            f.append("agent")
        elif d in ("prep", "dative"):
            p = v.lower[c]
            f += ["pr=" + p, "lpr=" + lem + "|" + p]
            po = v.pobj(c)
            if po is not None:
                f += ["pre=" + p + "|" + _ent(v, po), "prl=" + p + "|" + v.lemma[po]]
                pt = lex.phrasal.get(lem + " " + p)
                if pt:
                    f.append("lexp=" + pt)
        elif d in ("xcomp", "ccomp"):
            f.append(d + "=" + v.lemma[c])
        elif d == "mark":
            f.append("mark=" + v.lower[c])
        elif d == "poss":
            f += ["poss", "posse=" + _ent(v, c)]
        elif d in ("compound", "amod", "nmod"):
            f += ["mod=" + v.lemma[c], "mode=" + _ent(v, c)]
        elif d == "advmod":
            f.append("adv=" + v.lemma[c])
        elif d == "det" and v.lower[c] in ("no", "any"):
            f.append("det=" + v.lower[c])
    if k == "N" and h != i:
        # the verb a noun hangs from: "held talks", "imposed sanctions", "called for a ceasefire"
        hv = h
        if v.dep[i] == "pobj" and v.head[h] != h:
            f.append("gp=" + v.lower[h] + "|" + v.lemma[v.head[h]])
            hv = v.head[h]
        f.append("gv=" + v.lemma[hv] + "|" + dep)
        if v.lemma[hv] in lex.light_verbs:
            f.append("light")
        ot = lex.object_type(v.lemma[hv], lem)
        if ot is not None:
            f.append("lexo=" + (ot or "none"))
    # the chain of governing clauses: "refused to meet", "said it would attack", "plans to visit"
    cur = i
    for depth in range(3):
        if v.dep[cur] not in _CLAUSE_UP or v.head[cur] == cur:
            break
        g = v.head[cur]
        f.append(f"g{depth}=" + v.dep[cur] + "|" + v.lemma[g])
        kind = lex.governors.get(v.lemma[g])
        if kind:
            f.append(f"gov{depth}=" + kind)
        for c in v.children[g]:
            if v.dep[c] in ("aux", "neg") and v.lower[c] in (
                "will",
                "would",
                "could",
                "might",
                "may",
                "should",
                "not",
                "n't",
                "never",
            ):
                f.append(f"gaux{depth}=" + v.lower[c])
        cur = g
    if i > 0:
        f.append("w-1=" + v.lower[i - 1])
    if i + 1 < len(v):
        f.append("w+1=" + v.lower[i + 1])
    if sent_end > 0 and v.text[sent_end - 1] == "?":
        f.append("question")
    if obj is None and k == "V":
        f.append("noobj|" + lem)
    if hint is not None:
        f += ["rule=" + hint, "rulel=" + hint + "|" + lem]
    elif v.hints is not None:
        f.append("rule=none")
    return f


def dep_path(v: DocView, a: int, b: int) -> tuple[str, ...] | None:
    """The dependency path from token ``a`` up to the lowest common ancestor and down to ``b``; prepositions and
    other function words on the way are named. None when longer than the limit."""
    up = [a]
    x = a
    while v.head[x] != x and len(up) <= 12:
        x = v.head[x]
        up.append(x)
    pos_in_up = {n: k for k, n in enumerate(up)}
    down: list[int] = []
    y = b
    while y not in pos_in_up:
        down.append(y)
        if v.head[y] == y or len(down) > 12:
            return None
        y = v.head[y]
    lca_k = pos_in_up[y]
    if lca_k + len(down) > _MAX_PATH:
        return None
    steps: list[str] = []
    for n in up[:lca_k]:
        d = v.dep[n]
        steps.append("^" + (d + "_" + v.lower[n] if d in _LEXICAL_DEPS else d))
    for n in reversed(down):
        d = v.dep[n]
        steps.append("v" + (d + "_" + v.lower[n] if d in _LEXICAL_DEPS else d))
    return tuple(steps)


_DASHES = frozenset({"-", "--", "\u2013", "\u2014", "\u2015"})


def dateline(v: DocView, lo: int, hi: int) -> range:
    """The tokens of a dateline opening the sentence ("KYIV --", "SEOUL, Oct 9 (Wire) --", "WASHINGTON (AP) -"):
    a place in capitals, then at most a date and an agency in brackets, then a dash. Empty when there is none.
    A dateline says where the report was filed, never who acted."""
    first = v.text[lo] if lo < hi else ""
    if not (len(first) >= 3 and first.isalpha() and first.isupper()):
        return range(lo, lo)
    for i in range(lo + 1, min(hi, lo + 12)):
        if v.text[i] in _DASHES:
            # "NATO - the alliance - met": a dash that opens an aside is closed by another soon after (a dash
            # standing apart, not the hyphen of "short-range")
            if any(v.text[j] in _DASHES and v.idx[j] > v.end_char(j - 1) for j in range(i + 1, min(hi, i + 10))):
                break
            return range(lo, i + 1)
        if v.pos[i] in ("VERB", "AUX"):
            break
    return range(lo, lo)


def inside_name(v: DocView, c: int) -> bool:
    """Whether token ``c`` is a word inside a longer name rather than its head: "Korea" in "the Democratic People's
    Republic of Korea", whose head "Republic" names the participant (every word from it up to the name's head carries
    the same entity label, and none is a conjunct or an apposition)."""
    label = v.ent[c]
    if not label:
        return False
    x = c
    for _ in range(3):
        h = v.head[x]
        if h == x or v.dep[x] in ("conj", "appos") or any(v.ent[k] != label for k in range(min(x, h), max(x, h) + 1)):
            return False  # not one name: "Canada, France" are two
        if v.pos[h] in ("PROPN", "NOUN"):
            return True
        x = h
    return False


def argument_candidates(
    v: DocView, t: int, lo: int, hi: int, skip: frozenset[int] = frozenset()
) -> list[tuple[int, tuple[str, ...]]]:
    """Tokens of the sentence that may name the predicate's actor or recipient, with their path from it."""
    out: list[tuple[int, tuple[str, ...]]] = []
    for c in range(lo, hi):
        if c == t or c in skip:
            continue
        p = v.pos[c]
        if p not in _ARG_POS and not (v.ent[c] in _ARG_ENTS and p in ("ADJ", "PROPN", "NOUN")):
            continue
        if inside_name(v, c):
            continue
        path = dep_path(v, t, c)
        if path is None:
            continue
        out.append((c, path))
    return out


def role_features(
    v: DocView, t: int, kind: str, ptype: str, c: int, path: tuple[str, ...], passive: bool, mention: object
) -> list[str]:
    """Features of candidate argument ``c`` of the predicate ``t`` (of type ``ptype``)."""
    ps = "/".join(path)
    first = path[0] if path else "-"
    last = path[-1] if path else "-"
    side = "L" if c < t else "R"
    f = [
        "b",
        "P=" + ps,
        "PT=" + ps + "|" + ptype,
        "Pk=" + ps + "|" + kind,
        "F=" + first,
        "L=" + last,
        "FT=" + first + "|" + ptype,
        "LT=" + last + "|" + ptype,
        "FL=" + first + "|" + last,
        "n=" + str(len(path)),
        "cp=" + v.pos[c],
        "ce=" + _ent(v, c),
        "cd=" + v.dep[c],
        "cdT=" + v.dep[c] + "|" + ptype,
        "side=" + side + "|" + ptype,
        "T=" + ptype,
    ]
    if len(path) <= 3:
        f.append("Pl=" + ps + "|" + v.lemma[t])
    if v.pos[c] != "PROPN":
        f.append("cl=" + v.lemma[c])
    if passive:
        f += ["pass|" + ps, "pass|" + first]
    if v.lower[c] in _WH:
        f.append("rel")
    if mention is not None:
        country = getattr(mention, "country", None)
        sector = getattr(mention, "sector", None)
        f += ["m=" + ("c" if country else "s" if sector else "-"), "ms=" + (sector or "-")]
        if country:
            f.append("mc|" + ps)
    else:
        f.append("m=none")
    return f


def mode_features(v: DocView, cand: Candidate, ptype: str) -> list[str]:
    """Features of an event's mode: its type joined with the words that say how (the trigger, its object,
    modifiers and prepositional objects: "air strike", "fired artillery", "phone call")."""
    i = cand.i
    f = ["T=" + ptype, "Tl=" + ptype + "|" + v.lemma[i]]
    for c in v.children[i]:
        d = v.dep[c]
        if d in ("dobj", "compound", "amod", "nmod", "nsubj", "nsubjpass", "attr"):
            f.append("Tc=" + ptype + "|" + d + "|" + v.lemma[c])
        elif d in ("prep", "agent"):
            po = v.pobj(c)
            if po is not None:
                f.append("Tp=" + ptype + "|" + v.lower[c] + "|" + v.lemma[po])
                for cc in v.children[po]:
                    if v.dep[cc] in ("compound", "amod"):
                        f.append("Tpm=" + ptype + "|" + v.lemma[cc])
    h = v.head[i]
    if h != i:
        f.append("Th=" + ptype + "|" + v.lemma[h])
    return f


def fill_features(
    v: DocView,
    c: int,
    *,
    role: str,
    ptype: str,
    sector: str | None,
    source: str,
    country: str,
    sentence_countries: dict[str, int],
) -> list[str]:
    """Features for giving an argument that the actor dictionary left without a country the country of
    ``source`` (the other side of the event, a co-member, the sentence, the article): "Trump attacked Cruz",
    "police arrested protesters in Nairobi", "we" in a statement."""
    n = len(sentence_countries)
    f = [
        "b",
        "src=" + source,
        "src|r=" + source + "|" + role,
        "src|T=" + source + "|" + ptype,
        "src|r|T=" + source + "|" + role + "|" + ptype,
        "cp=" + v.pos[c] + "|" + source,
        "ce=" + _ent(v, c) + "|" + source,
        "sec=" + (sector or "-") + "|" + source,
        "nc=" + (str(n) if n < 3 else "3+") + "|" + source,
    ]
    if v.pos[c] in ("NOUN", "PRON"):
        f.append("cl=" + v.lemma[c] + "|" + source)
    if sentence_countries.get(country):
        f.append("insent|" + source)
        if n == 1:
            f.append("onlysent|" + source)
    if len(country) == 3 and country in ("IGO", "UNO", "EUR", "NGO", "MNC", "IMG", "ISM"):
        f.append("nonstate|" + source)
    return f

"""The event coder: turn each parsed sentence into PLOVER events (type, mode, CAMEO code, ACLED-style type)
with actors, recipients, negation and tense, reading predicates and their arguments off spaCy's dependency
parse.

Every decision is driven by the lexicon in ``data/events/lexicon.json`` (verbs, light verbs with their object
nouns, event nouns, governing verbs such as "agree to" or "refuse to") and the CAMEO -> PLOVER table; each
event records the lexicon entry that produced it in ``rule`` so an analyst can see why it was coded. Actor
text is resolved by the actor resolver it is given (``newswatch.actors``); which phrase is actor and which
recipient is decided here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from .acled import NON_POLITICAL_LABELS, AcledClassifier
from .codes import TABLE_FILE, CameoCode, cameo_table, lookup
from .errors import ConfigError
from .models import CodedActor, Event
from .sentences import doc_text

log = logging.getLogger(__name__)

CODER_VERSION = "rules-0.2.0"

# PLOVER types that a future or promised form turns into AGREE / CONCEDE (PLOVER manual, auxiliary modes)
_COOPERATIVE = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID", "AGREE"})
_MATERIAL_CONFLICT = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE"})
# governors that report someone else's expectation, not the actor's stated intention (no threat)
_EXPECTATION_WORDS = frozenset({"expect", "consider", "likely", "due", "scheduled", "predict", "fear"})
_VERBAL_TYPES = frozenset({"REQUEST", "SUPPORT", "ACCUSE", "REJECT", "AGREE", "THREATEN"})
_SUBJ_DEPS = frozenset({"nsubj", "csubj"})
_PASS_SUBJ_DEPS = frozenset({"nsubjpass", "csubjpass"})
_RECIPIENT_PREPS = frozenset(
    {"to", "with", "against", "on", "toward", "towards", "at", "into", "upon", "over"}
)
_NOUN_RECIPIENT_PREPS = frozenset(
    {"to", "with", "against", "on", "toward", "towards", "at", "into", "upon", "for", "of", "between"}
)
_RELATIVE_PRONOUNS = frozenset({"which", "that", "who", "whom"})
_HYPOTHETICAL_AUX = frozenset({"could", "might", "may", "should", "would"})
_FUTURE_AUX = frozenset({"will", "shall", "'ll"})
_REJECT_MODE = {
    "CONSULT": "meet",
    "AGREE": "meet",
    "AID": "assist",
    "COOPERATE": "assist",
    "RETREAT": "yield",
    "CONCEDE": "yield",
}
_OBJECT_TARGET_PREPS = frozenset({"against", "on", "toward", "towards", "to", "between", "with"})
_DOMESTIC_TYPES = frozenset({"COERCE", "PROTEST", "CONCEDE"})
_TRANSFER_TYPES = frozenset({"MOBILIZE", "RETREAT", "AID", "CONCEDE", "AGREE", "COOPERATE"})
_ON_TARGET_TYPES = frozenset(
    {"ASSAULT", "SANCTION", "COERCE", "THREATEN", "ACCUSE", "MOBILIZE", "REQUEST", "PROTEST"}
)
_FROM_TYPES = frozenset({"RETREAT", "CONCEDE", "SANCTION", "REQUEST"})
_PLACE_TYPES = frozenset({"MOBILIZE", "COERCE", "PROTEST", "CONCEDE", "AID", "REQUEST"})
_PLACE_ACTOR_TYPES = frozenset({"COERCE", "ACCUSE", "SANCTION"})
_DEMAND_MODALS = frozenset({"must", "should", "ought"})
_THREAT_MODE = {
    "ASSAULT": "violence",
    "MOBILIZE": "violence",
    "COERCE": "restrict",
    "SANCTION": "relations",
    "REJECT": "relations",
}


class ActorResolver(Protocol):
    """What the coder needs from ``newswatch.actors``."""

    def new_context(self, doc: Any) -> Any: ...

    def code_span_all(self, span: Any, *, context: Any = None) -> list[CodedActor]: ...


class Gazetteer(Protocol):
    """What the coder needs from ``newswatch.places``: a place name's entry (with its ``country``), or None."""

    def resolve(self, name: str) -> Any: ...


@dataclass(frozen=True)
class _Spec:
    """One lexicon entry resolved against the CAMEO -> PLOVER table."""

    cameo: str
    plover_type: str
    mode: str | None
    context: tuple[str, ...]
    rule: str


@dataclass
class _Candidate:
    """An event found in a sentence before roles are attached."""

    trigger: Any  # spaCy Token
    spec: _Spec
    obj: Any = None  # the object token that named the event (light verbs), excluded from recipients
    nominal: bool = False
    negated: bool = False
    tense: str = "past"
    suppressed: bool = False
    role_verb: Any = None  # the verb whose subject is the actor (a governor for "agreed to meet")
    extra_recipients: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    base_type: str = ""  # the type before future / refusal / threat transforms

    def __post_init__(self) -> None:
        self.base_type = self.spec.plover_type


class EventCoder:
    """Rule coder over spaCy parses; configuration is keyword-only and nothing is read from globals.

    ``resolver`` codes actor phrases (without it events have no actors); ``gazetteer`` tells which country a place
    in the sentence lies in (without it an article's default country is never moved by a place name);
    ``acled`` classifies whole records (default: the shipped cue file); ``data_dir`` holds another lexicon.
    """

    def __init__(
        self,
        *,
        resolver: ActorResolver | None = None,
        gazetteer: Gazetteer | None = None,
        acled: AcledClassifier | None = None,
        data_dir: str | Path | None = None,
    ) -> None:
        self._resolver = resolver
        self._gazetteer = gazetteer
        lex, table = _load_data(str(data_dir) if data_dir is not None else None)
        self._table: dict[str, CameoCode] = table
        self._verbs = {k: self._spec(v, f"verb:{k}") for k, v in lex["verbs"].items()}
        self._phrasal = {k: self._spec(v, f"phrasal:{k}") for k, v in lex["phrasal"].items() if v}
        self._nouns = {k: self._spec(v, f"noun:{k}") for k, v in lex["nouns"].items()}
        self._noun_overrides = {
            k: self._spec(v, f"light:{k}") if v else None for k, v in lex["noun_overrides"].items()
        }
        self._classes: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in lex["classes"].items()}
        self._verb_objects: dict[str, dict[str, _Spec | None]] = {
            verb: {
                obj: self._spec(spec, f"object:{verb} {obj}") if spec else None for obj, spec in objs.items()
            }
            for verb, objs in lex["verb_objects"].items()
        }
        self._object_only = frozenset(lex["object_only"])
        self._light = frozenset(lex["light_verbs"])
        self._governors: dict[str, str] = dict(lex["governors"])
        self._crowd = frozenset(lex["crowd_heads"])
        self._joint = frozenset(lex["joint_modifiers"])
        self._strike_military = frozenset(lex["strike_military_cues"])
        self._nominal = frozenset(lex["nominal_events"])
        self._lemma_fixes: dict[str, str] = dict(lex.get("lemma_fixes", {}))
        self._w: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in lex["word_lists"].items()}
        self._acled_by_cameo: dict[str, str] = dict(lex["acled_by_cameo"])
        self._acled_families: dict[str, frozenset[str]] = {
            k: frozenset(v) for k, v in lex["acled_families"].items()
        }
        self._acled: AcledClassifier | None = acled

    # ------------------------------------------------------------------ public API

    @property
    def version(self) -> str:
        """What every event's ``coder_version`` says."""
        return CODER_VERSION

    def acled_label(self, text: str, events: Sequence[Event]) -> str | None:
        """The record's main ACLED-style label given its coded events (see ``classify_acled``)."""
        label: str | None = self._acled_classifier().classify(text)
        if label is None:
            for event in events:
                if event.acled_type not in (None, "ATTACK", "ARMED_CLASH") and not event.negated and event.tense == "past":
                    return event.acled_type
        return label

    @property
    def resolver(self) -> ActorResolver | None:
        return self._resolver

    def _acled_classifier(self) -> AcledClassifier:
        if self._acled is None:
            self._acled = AcledClassifier()
        return self._acled

    def code_doc(self, doc: Any, *, article_id: str, context: Any = None) -> list[Event]:
        """Events of every sentence of ``doc`` (a spaCy Doc of the whole article), in text order."""
        resolver = self.resolver
        if context is None and resolver is not None:
            context = resolver.new_context(doc)
        events: list[Event] = []
        for index, sent in enumerate(doc.sents):
            try:
                events.extend(self._code_sentence(sent, index, article_id=article_id, context=context))
            except Exception:  # a parse the rules did not foresee must not stop the article
                log.exception(
                    "event coder failed on sentence %d of article %s; sentence skipped", index, article_id
                )
        return events

    def code_snippet(
        self, doc: Any, *, article_id: str, context: Any = None
    ) -> tuple[str | None, list[Event]]:
        """The record's ACLED-style label and its events.

        Snippets about disasters and crime get their label and no PLOVER event (CASE 2021 task 2 convention).
        """
        label = self.classify_acled(doc_text(doc), doc=doc)
        if label in NON_POLITICAL_LABELS:
            return label, []
        return label, self.code_doc(doc, article_id=article_id, context=context)

    def classify_acled(self, text: str, doc: Any = None) -> str | None:
        """The record's main ACLED-style label (CASE 2021 label set), or None when nothing applies.

        The cue patterns decide; when none fires and the parsed ``doc`` is given, a specific ACLED-style
        type of a coded event (from its CAMEO code: an arrest, an air strike, a kidnapping) is the answer.
        """
        label: str | None = self._acled_classifier().classify(text)
        if label is None and doc is not None:
            for event in self.code_doc(doc, article_id="acled"):
                # the generic ATTACK / ARMED_CLASH of a bare "attack" says too little to overrule "none"
                if (
                    event.acled_type not in (None, "ATTACK", "ARMED_CLASH")
                    and not event.negated
                    and event.tense == "past"
                ):
                    return event.acled_type
        return label

    def hints(self, doc: Any) -> dict[int, str]:
        """What the rules say without resolving actors: trigger token index -> PLOVER type, with ":neg" or ":hyp"
        when negated or hypothetical. The learned coder reads these as features."""
        out: dict[int, str] = {}
        for sent in doc.sents:
            try:
                candidates = self._find_candidates(sent)
                by_token = {c.trigger.i: c for c in candidates}
                for cand in candidates:
                    self._apply_modality(cand, by_token)
                question = sent.text.rstrip().endswith("?")
                for cand in candidates:
                    if cand.suppressed:
                        continue
                    mark = ":neg" if cand.negated else ":hyp" if question or cand.tense == "hypothetical" else ""
                    out.setdefault(cand.trigger.i, cand.spec.plover_type + mark)
            except Exception:  # the hints are features: a sentence the rules cannot read simply has none
                log.debug("rule hints failed on a sentence", exc_info=True)
        return out

    # ------------------------------------------------------------------ lexicon helpers

    def _spec(self, raw: str, rule: str) -> _Spec:
        parts = raw.split(":")
        cameo = parts[0]
        row = lookup(cameo, self._table)
        if row is None:
            raise ConfigError(
                f"event lexicon entry {rule!r} names unknown CAMEO code {cameo!r}; "
                "fix data/events/lexicon.json"
            )
        plover = parts[1] if len(parts) > 1 and parts[1] else row.plover_type
        mode = parts[2] if len(parts) > 2 and parts[2] else row.mode
        return _Spec(cameo=cameo, plover_type=plover, mode=mode, context=row.context, rule=rule)

    def _object_spec(self, verb: str, obj: Any) -> tuple[_Spec | None, bool]:
        """Spec for verb + object noun; the bool says whether the verb has an entry for this object at all."""
        table = self._verb_objects.get(verb)
        if not table:
            return None, False
        # a modifier names no class: "weapons inspectors" are inspectors, not weapons
        modifiers = {c.lemma_.lower() for c in obj.children if c.dep_ in ("compound", "amod") and c.i < obj.i}
        for key in _object_keys(obj):
            if key in table:
                return table[key], True
            if key in modifiers:
                continue
            for name, members in self._classes.items():
                if key in members and f"@{name}" in table:
                    return table[f"@{name}"], True
        return None, False

    def _noun_spec(self, verb: str, noun: Any) -> _Spec | None:
        for key in _object_keys(noun):
            combo = f"{verb} {key}"
            if combo in self._noun_overrides:
                return self._noun_overrides[combo]
            if key in self._nouns:
                return self._nouns[key]
        return None

    # ------------------------------------------------------------------ sentence coding

    def _code_sentence(self, sent: Any, index: int, *, article_id: str, context: Any) -> list[Event]:
        candidates = self._find_candidates(sent)
        if not candidates:
            return []
        by_token = {c.trigger.i: c for c in candidates}
        for cand in candidates:
            self._apply_modality(cand, by_token)
        hypothetical_sentence = sent.text.rstrip().endswith("?")
        labels: dict[str, str | None] = {}  # the sentence's ACLED cue label, computed once if needed
        events: list[Event] = []
        for cand in candidates:
            if cand.suppressed:
                continue
            if hypothetical_sentence:
                cand.tense = "hypothetical"
            event = self._build_event(
                cand, sent, index, article_id=article_id, context=context, labels=labels
            )
            if event is not None:
                events.append(event)
        if any(e.plover_type == "ASSAULT" and not e.negated for e in events):
            # PLOVER: a deployment reported inside an assault is part of the assault
            events = [e for e in events if e.plover_type != "MOBILIZE"]
        return events

    def _find_candidates(self, sent: Any) -> list[_Candidate]:
        found: list[_Candidate] = []
        used_objects: set[int] = set()
        for tok in sent:
            if (
                tok.pos_ in ("VERB", "AUX")
                and tok.dep_ != "amod"
                or (
                    tok.pos_ == "NOUN"
                    and tok.dep_ == "ROOT"
                    and tok.lemma_.lower() in self._verbs
                    # "Russia attacks Kyiv" tagged as a noun has its doer on the left; "5. Support for
                    # recovery" (a heading) has none
                    and any(c.i < tok.i and c.dep_ in ("nsubj", "compound", "nmod") for c in tok.children)
                )
            ):
                if self._is_heading(tok) or self._non_agent_subject(tok):
                    continue
                cand = self._verb_candidate(tok)
                if cand is not None:
                    cand = self._weapons_test(cand)
                    found.append(cand)
                    if cand.obj is not None:
                        used_objects.add(cand.obj.i)
        for tok in sent:
            if tok.pos_ in ("NOUN", "PROPN") and tok.i not in used_objects:
                cand = self._noun_candidate(tok, found)
                if cand is not None:
                    found.append(cand)
        return found

    def _is_heading(self, tok: Any) -> bool:
        """A subjectless gerund opening a line and ending at a colon or dash is a heading ("- Providing
        Funding for Growth: ..."), not a report of an event."""
        if tok.tag_ != "VBG" or any(c.dep_ in _SUBJ_DEPS for c in tok.children):
            return False
        first = next((t for t in tok.sent if not t.is_punct and t.tag_ != "LS"), None)
        if first is None or first.i != tok.i:
            return False
        if tok.dep_ == "ROOT" or (tok.dep_ == "amod" and tok.head.dep_ == "ROOT"):
            return True  # "- Cutting off Imports of Russian Oil": a line with no finite verb is a heading
        after = tok.right_edge.i + 1
        return after < len(tok.doc) and tok.doc[after].text in self._w["heading_punct"]

    def _non_agent_subject(self, tok: Any) -> bool:
        """Laws, sanctions, loans and moments as subjects act on nobody ("sanctions which restrict foreign
        capital", "this moment demands resolve"): the people who made them are the actors, and the sentence
        describes the instrument, not an event. A subject naming its owner ("Russia's campaign") still codes."""
        for role in (_subject(tok), _direct_object(tok), _passive_subject(tok)):
            if role is not None and _antecedent(role).lemma_.lower() in self._w["sports_heads"]:
                return True  # "the batsman vowed to hit the bowler": sport, not politics
        subj = _subject(tok)
        if subj is None:
            return False
        head = _antecedent(subj)
        lemma = head.lemma_.lower()
        if (
            tok.dep_ == "relcl"
            and head is not subj
            and lemma in self._w["generic_antecedents"]
            and not any(c.dep_ in ("amod", "compound", "poss") for c in head.children)
        ):
            return True  # "sanctions on those who support the war": a description of a class, not an act
        if lemma in self._w["disaster_nouns"]:
            return True  # "the storms destroyed homes": nobody acted
        if lemma not in self._w["non_agent_subjects"]:
            return False
        return not any(
            c.dep_ == "poss" or (c.dep_ in ("compound", "amod") and c.ent_type_ in ("GPE", "NORP", "ORG"))
            for c in head.children
        )

    def _weapons_test(self, cand: _Candidate) -> _Candidate:
        """A weapon fired or launched in a test, or into the sea, with no target: a show of force (MOBILIZE
        weapons), not an assault ("test-fired a missile into the sea", "launched a rocket in a drill")."""
        tok = cand.trigger
        lemma = tok.lemma_.lower()
        if cand.spec.plover_type != "ASSAULT" or lemma not in self._w["weapon_test_verbs"]:
            return cand
        doc = tok.doc
        # "test-fired": the tokenizer splits the prefix off ("test", "-", "fired")
        prefixed = tok.i >= 2 and doc[tok.i - 1].text == "-" and doc[tok.i - 2].lower_ == "test"
        in_test = sink = targeted = False
        for child in tok.children:
            if child.dep_ != "prep":
                continue
            pobj = _prep_pobj(child)
            if pobj is None:
                continue
            head = pobj.lemma_.lower()
            if child.lower_ in ("in", "during", "as", "for") and head in self._w["weapon_test_nouns"]:
                in_test = True
            elif child.lower_ in ("into", "toward", "towards") and head in self._w["weapon_test_sinks"]:
                sink = True
            elif child.lower_ in _TARGET_PREPS and pobj.ent_type_ not in ("DATE", "TIME"):
                targeted = True  # "on Thursday" is a time, "on the city" a target
        if not (prefixed or in_test or sink) or targeted:
            return cand
        return _Candidate(
            trigger=tok, spec=self._spec("150:MOBILIZE:weapons", f"weapons-test:{lemma}"), obj=cand.obj
        )

    def _verb_candidate(self, tok: Any) -> _Candidate | None:
        lemma = tok.lemma_.lower()
        lemma = self._lemma_fixes.get(lemma, lemma)
        if self._governors.get(lemma) == "refuse" and any(
            c.dep_ == "xcomp" and c.lemma_.lower() in self._w["no_comment_verbs"] for c in tok.children
        ):
            return None  # "refused to comment" is no political rejection
        if lemma == "deny" and any(c.dep_ == "ccomp" for c in tok.children):
            return None  # "denied that troops crossed": a denied claim (the claims stage), not a rejection
        obj = _direct_object(tok)
        if obj is None and lemma in self._verb_objects:
            # "soldiers were sent": the object of the event is the passive subject
            obj = _passive_subject(tok)
        # phrasal verbs and fixed verb+object phrases ("call for", "open fire")
        for child in tok.children:
            if child.dep_ in ("prt", "prep", "dobj") and child.i > tok.i:
                key = f"{lemma} {child.lower_ if child.dep_ != 'dobj' else child.lemma_.lower()}"
                if key in self._phrasal:
                    if lemma == "meet" and _passive_subject(tok) is not None:
                        return None  # "were met with cooperation": a response, not a meeting
                    if (
                        key in self._w["phrasal_needs_object"]
                        and _direct_object(tok) is None
                        and _agent(tok) is None
                    ):
                        return None  # "the site shut down", "the area was cut off": nobody did it to anyone
                    return _Candidate(
                        trigger=tok, spec=self._phrasal[key], obj=child if child.dep_ == "dobj" else None
                    )
        # "resort to throwing stones", "go on strike": the event noun sits under a preposition
        if obj is None and lemma in ("resort", "go", "take", "engage", "join"):
            obj = _prep_object(tok, ("to", "on", "in", "part"))
        if lemma in self._verb_objects:
            # "provided North Korea with missiles": the thing given hangs from "with"; the object receives it
            theme = _prep_object(tok, ("with",))
            if theme is not None:
                spec, _known = self._object_spec(lemma, theme)
                if spec is not None:
                    return _Candidate(trigger=tok, spec=spec, obj=theme)
        if obj is not None:
            spec, known = self._object_spec(lemma, obj)
            if spec is not None:
                return _Candidate(trigger=tok, spec=spec, obj=obj)
            if known:
                return None  # the entry says this object makes no event ("hold elections")
            if lemma in self._light:
                head = obj
                # "launched a wave of attacks": the event noun is the object of "of"
                if head.lemma_.lower() not in self._nouns or head.lemma_.lower() in self._w["quantity_nouns"]:
                    # "launched a wave of attacks", "ten days of war games": the event noun follows "of"
                    inner = _prep_object(head, ("of",))
                    head = inner if inner is not None else head
                spec = self._noun_spec(lemma, head)
                if spec is not None:
                    if head.lemma_.lower() in self._w["exercise_nouns"] and any(
                        c.lower_ in self._joint for c in head.children
                    ):
                        spec = self._spec("062", f"light:{lemma} joint {head.lemma_.lower()}")
                    return _Candidate(trigger=tok, spec=spec, obj=head)
        spec = self._verbs.get(lemma)
        if (
            spec is None
            and tok.dep_ == "ccomp"
            and aux_of(tok) & _DEMAND_MODALS
            and self._governors.get(tok.head.lemma_.lower()) == "report"
        ):
            # "said that China must drop barriers": a demand, whatever the verb
            return _Candidate(trigger=tok, spec=self._spec("100", "must:ccomp"))
        if lemma in self._object_only or spec is None:
            return None
        return self._adjust_verb(tok, lemma, spec, obj)

    def _adjust_verb(self, tok: Any, lemma: str, spec: _Spec, obj: Any) -> _Candidate | None:
        if lemma == "protest":
            # a crowd in the street protests (PROTEST); a government or group "protests" in words (ACCUSE)
            subj = _subject(tok)
            crowd = subj is not None and (
                subj.lemma_.lower() in self._crowd
                or any(c.lemma_.lower() in self._crowd for c in subj.subtree)
            )
            return _Candidate(
                trigger=tok,
                spec=self._spec(
                    "141" if crowd else "111", f"verb:protest ({'crowd' if crowd else 'verbal'})"
                ),
            )
        if lemma == "expel" and obj is not None and not set(_object_keys(obj)) & self._classes["DIPLOMAT"]:
            spec = self._spec("174", "verb:expel (persons)")
        if lemma == "charge" and tok.dep_ != "ROOT":
            return None
        if lemma in ("release", "free") and any(
            t.lemma_.lower() in self._w["release_things"]
            for head in (obj, _passive_subject(tok))
            if head is not None
            # "released FBI and DOJ records": the thing released may be the last conjunct
            for t in [head, *head.conjuncts]
        ):
            return None  # "released a report", "Firefox 1.0 has been released": no one was set free
        if lemma == "talk" and any(
            c.dep_ == "prt" and c.lower_ in self._w["talk_particles"] for c in tok.children
        ):
            return None  # "talked up their chances": praise or boast, no talks
        if lemma == "seek" and obj is None:
            return None  # "will seek to ensure": an aim, not a request made to anyone
        if (
            lemma == "ask"
            and obj is None
            and any(c.dep_ == "prep" and c.lower_ == "about" for c in tok.children)
            and not any(c.dep_ in ("xcomp", "ccomp") for c in tok.children)
        ):
            return None  # "asking about the plans": a question, not a request
        if (
            lemma == "commit"
            and not any(c.dep_ in ("xcomp", "ccomp") for c in tok.children)
            and any(
                c.dep_ == "prep" and c.lower_ == "to" and (p := _prep_pobj(c)) is not None and p.tag_ != "VBG"
                for c in tok.children
            )
        ):
            return None  # "committed to shared prosperity": a stance, no promise of an act
        if lemma == "fight" and obj is None:
            fors = [c for c in tok.children if c.dep_ == "prep" and c.lower_ == "for"]
            others = [c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("against", "with", "over")]
            if fors and not others:
                pobj = _prep_pobj(fors[0])
                if pobj is None or pobj.lemma_.lower() in self._w["cause_nouns"]:
                    return None  # "worth fighting for", "fight for their liberty": a cause, not a battle
        if lemma in ("concede", "admit", "acknowledge", "recognize", "recognise") and any(
            c.dep_ == "ccomp" for c in tok.children
        ):
            return None  # "concedes that ...", "recognize that ...": an admission, not a concession
        if (
            lemma in ("help", "assist")
            and obj is None
            and any(c.dep_ in ("xcomp", "ccomp") for c in tok.children)
        ):
            return None  # "it helped ensure that ...": no one is helped
        doer = _subject(tok) or _agent(tok)
        holder = tok
        if doer is None and tok.dep_ in ("advcl", "conj", "xcomp") and tok.head.i != tok.i:
            holder = tok.head  # "an earthquake struck, killing 12"
        doers = [c for c in holder.children if c.dep_ in _SUBJ_DEPS] + [a for a in [_agent(holder)] if a]
        if spec.plover_type in ("ASSAULT", "COERCE") and any(
            t.lemma_.lower() in self._w["disaster_nouns"] for d in doers for t in _arg_span(_antecedent(d))
        ):
            return None  # "the earthquake killed 40 people", "countries hit by the tsunami": no attacker
        if (
            lemma in ("thank", "congratulate", "welcome")
            and _subject(tok) is None
            and tok.tag_ in ("VB", "VBP")
        ):
            return None  # "Thank you", "Welcome to the briefing": courtesy, not an event
        if (
            lemma == "raid"
            and doer is not None
            and any(t.lemma_.lower() in self._w["police_heads"] for t in _arg_span(doer))
        ):
            return _Candidate(trigger=tok, spec=self._spec("171:COERCE:seize", "verb:raid (police)"))
        if lemma in ("demonstrate", "march", "rally") and _passive_subject(tok) is not None:
            return None  # "a method was demonstrated by researchers"
        if lemma in self._w["travel_verbs"] and not self._official_subject(_subject(tok)):
            subj_tok = _subject(tok)
            if subj_tok is None or not any(
                t.lemma_.lower() in self._classes["TROOP"] for t in subj_tok.subtree
            ):
                return None  # only officials travelling make a visit; tourists do not
        if (
            lemma == "warn"
            and obj is None
            and any(c.dep_ == "ccomp" for c in tok.children)
            and not any(c.dep_ == "prep" and c.lower_ in ("against", "of") for c in tok.children)
        ):
            return None  # "officials warn that aid may not arrive": a caution; a threat inside is coded there
        if lemma in ("demonstrate", "march", "rally") and (
            obj is not None or any(c.dep_ in ("ccomp", "xcomp") for c in tok.children)
        ):
            if lemma == "rally":
                return _Candidate(trigger=tok, spec=self._spec("053", "verb:rally (support)"))
            return None  # "the test demonstrated its reliability": only the intransitive verb is a protest
        subj = _subject(tok)
        troops = subj is not None and any(t.lemma_.lower() in self._classes["TROOP"] for t in subj.subtree)
        if lemma == "strike" and obj is None and subj is not None and subj.lemma_.lower() in self._crowd:
            return _Candidate(trigger=tok, spec=self._spec("143", "verb:strike (labour)"))
        if (
            lemma in ("clash", "fight", "battle")
            and subj is not None
            and subj.lemma_.lower() in self._w["street_crowds"]
        ):
            return _Candidate(trigger=tok, spec=self._spec("145", f"verb:{lemma} (protesters)"))
        if lemma in self._w["departure_verbs"] and not troops:
            return None  # only forces leaving a place is a withdrawal; a minister leaving Paris is not
        if (
            lemma in self._w["travel_verbs"]
            and subj is not None
            and any(t.lemma_.lower() in self._classes["TROOP"] for t in subj.subtree)
        ):
            # troops arriving abroad: peacekeepers are protection given (AID), others a deployment
            peace = any(t.lower_.startswith("peacekeep") for t in subj.subtree)
            return _Candidate(
                trigger=tok, spec=self._spec("074" if peace else "154", f"verb:{lemma} (troops)")
            )
        return _Candidate(trigger=tok, spec=spec, obj=None)

    def _official_subject(self, subj: Any) -> bool:
        """Whether a subject names an official, a delegation or a named person (who can make a visit)."""
        if subj is None:
            return False
        if subj.pos_ == "PROPN" or subj.pos_ == "PRON":
            return True
        return any(t.lemma_.lower() in self._w["visitor_heads"] for t in subj.subtree)

    def _noun_candidate(self, tok: Any, verbs: Sequence[_Candidate]) -> _Candidate | None:
        lemma = tok.lemma_.lower()
        if lemma not in self._nominal and tok.lower_ not in ("protests", "talks"):
            return None
        spec = self._nouns.get(lemma)
        if spec is None:
            if lemma == "protest" or tok.lower_ in ("protests", "protest"):
                spec = self._spec("141", "noun:protest (street)")
            else:
                return None
        if lemma == "strike":
            military = any(c.lemma_.lower() in self._strike_military for c in tok.children)
            spec = self._spec(
                "195" if military else "143", "noun:strike (air)" if military else "noun:strike (labour)"
            )
        if lemma == "protest":
            spec = self._spec("141", "noun:protest (street)")
        if lemma == "call" and any(
            c.dep_ == "prep"
            and c.lower_ in self._w["call_request_preps"]
            # "his call for Congress to act": the "for" clause parses as a subordinate clause
            or c.dep_ in ("advcl", "acl", "relcl")
            and any(g.dep_ == "mark" and g.lower_ == "for" for g in c.children)
            for c in tok.children
        ):
            spec = self._spec("100", "noun:call on/for (request)")  # "our call on Minsk to free ..."
        # a nominal event needs arguments of its own ("Russia's visit to", "joint US-Korean exercises")
        has_poss = any(c.dep_ == "poss" for c in tok.children)
        has_by = any(c.dep_ == "prep" and c.lower_ == "by" for c in tok.children)
        modifiers = [
            c
            for c in tok.children
            if c.dep_ in ("amod", "compound", "nmod") and c.pos_ in ("ADJ", "PROPN") and c.text[:1].isupper()
        ]
        modifiers += [c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("between", "among")]
        joint = any(c.lower_ in self._joint for c in tok.children)
        # "the deployment of North Korean troops to Kursk": the forces moved are an argument too
        forces = self._classes["TROOP"] | self._classes["WEAPON"]
        has_theme = any(
            c.dep_ == "prep"
            and c.lower_ == "of"
            and (p := _prep_pobj(c)) is not None
            and p.lemma_.lower() in forces
            for c in tok.children
        )
        if not (has_poss or has_by or modifiers or joint or has_theme):
            return None
        # the content of another event ("blamed Israel for the bombing") is not a separate event
        for anc in tok.ancestors:
            if any(c.trigger.i == anc.i for c in verbs):
                return None
            if anc.pos_ in ("VERB", "AUX"):
                break
        if tok.dep_ in ("compound",):
            return None
        if lemma in self._w["exercise_nouns"] and joint:
            spec = self._spec("062", f"noun:joint {lemma}")
        return _Candidate(trigger=tok, spec=spec, nominal=True)

    # ------------------------------------------------------------------ modality

    def _apply_modality(self, cand: _Candidate, by_token: dict[int, _Candidate]) -> None:
        tok = cand.trigger
        if _is_negated(tok) or (cand.obj is not None and _has_neg_det(cand.obj)):
            cand.negated = True
        aux = {c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")}
        if aux & _FUTURE_AUX or _going_to(tok):
            cand.tense = "future"
        elif aux & _HYPOTHETICAL_AUX:
            cand.tense = "future" if "would" in aux and not _has_if(tok) else "hypothetical"
        elif not cand.nominal and (
            tok.tag_ in ("VBZ", "VBP") or (tok.tag_ == "VBG" and aux & {"is", "are", "am", "'s", "'re"})
        ):
            cand.tense = "present"  # "Russia is shelling Kharkiv", a headline's "Iran seizes tanker"
        if _has_if(tok):
            cand.tense = "hypothetical"
        # walk up through complements to the verb that governs this event
        head = _governing_verb(tok)
        if head is not None:
            kind = self._governors.get(head.lemma_.lower())
            if kind is None and head.lemma_.lower() in self._w["intent_adjectives"]:
                kind = "expect" if head.lemma_.lower() in ("likely", "due") else "intent"
            if (
                kind is None
                and head.lemma_.lower() == "be"
                and any(c.lower_ in self._w["intent_adjectives"] for c in head.children)
            ):
                kind = "intent"
            outer = by_token.get(head.i)
            if kind:
                self._govern(cand, head, kind, outer)
            if _is_negated(head) and kind not in ("refuse", "report") and head.lemma_.lower() != "hesitate":
                cand.negated = True  # "will not hesitate to defend" is no negation
            head_aux = {c.lower_ for c in head.children if c.dep_ == "aux"}
            if head_aux & _FUTURE_AUX:
                cand.tense = "future"
            elif head_aux & {"could", "might", "may"}:
                cand.tense = "hypothetical"
        self._negation_transform(cand)
        self._against_transform(cand)
        if cand.tense == "future" and not cand.suppressed:
            self._future_transform(cand)
        # "staged rallies to demand reforms": the purpose of another event is not an event of its own
        if _in_purpose_clause(tok):
            cand.suppressed = True  # "sent troops to assist", "aid to help Ukraine defend": a purpose
        if (
            tok.dep_ == "acl"
            and tok.tag_ == "VBG"
            and cand.spec.plover_type in _VERBAL_TYPES
            and tok.head.lemma_.lower() not in self._w["document_nouns"]
        ):
            # "a parade supporting X", "crowds demanding reform": a description; "a letter demanding" is not
            cand.suppressed = True

    def _govern(self, cand: _Candidate, head: Any, kind: str, outer: _Candidate | None) -> None:
        t = cand.spec.plover_type
        if kind in ("intent", "expect"):
            cand.tense = "future"
            cand.role_verb = head
            cand.notes.append(f"governed:{head.lemma_.lower()}")
            if outer is not None and outer.spec.plover_type == "AGREE":
                outer.suppressed = True  # "agreed to meet": one AGREE event, carried by the inner verb
            if head.lemma_.lower() in ("offer", "promise", "pledge") and outer is not None:
                outer.suppressed = True
        elif kind == "refuse":
            reject_mode = _REJECT_MODE.get(t, "change")
            cand.spec = _Spec(
                cameo="120",
                plover_type="REJECT",
                mode=reject_mode,
                context=cand.spec.context,
                rule=f"refuse:{head.lemma_.lower()}+{cand.spec.rule}",
            )
            cand.role_verb = head
            if outer is not None:
                outer.suppressed = True
            if _is_negated(head):
                cand.negated = True
        elif kind == "threaten":
            if t in _MATERIAL_CONFLICT or t in ("REJECT", "SANCTION", "THREATEN"):
                cand.spec = _threat_spec(cand.spec, f"threaten:{head.lemma_.lower()}")
                cand.role_verb = head
                if outer is not None:
                    outer.suppressed = True
            else:
                cand.tense = "future"
                cand.role_verb = head
        elif kind in ("request", "accuse", "content"):
            # "demanded that Hamas renounce": the demand is the event; its content is not a completed event
            cand.suppressed = True
            if outer is not None:
                subj = _subject(cand.trigger)
                if subj is not None and kind == "request":
                    outer.extra_recipients.append(subj)
        elif kind == "fail":
            cand.role_verb = head
            if t in ("AGREE", "CONSULT") and head.lemma_.lower() == "fail":
                # failing to agree or to meet is a rejection (CAMEO 12), not a negated agreement
                cand.spec = _Spec(
                    cameo="125",
                    plover_type="REJECT",
                    mode="meet",
                    context=cand.spec.context,
                    rule=f"fail+{cand.spec.rule}",
                )
            else:
                cand.negated = True
        elif (
            kind == "report"
            and (aux_of(cand.trigger) & _DEMAND_MODALS)
            and (
                _subject(head) is not None or _inherited_subject(head, self._w["document_nouns"]) is not None
            )
        ):
            # "X said that Y must withdraw": X demands it of Y
            cand.spec = _request_spec(cand.spec)
            cand.role_verb = head
            target = _subject(cand.trigger) or _passive_subject(cand.trigger)
            if target is not None:
                cand.extra_recipients.append(target)

    def _against_transform(self, cand: _Candidate) -> None:
        """Calling for sanctions against X, or on others to act against X, rallies opposition (CAMEO 113)."""
        if cand.spec.plover_type != "REQUEST":
            return
        for tok in cand.trigger.subtree:
            if (
                tok.dep_ == "prep"
                and tok.lower_ == "against"
                and _prep_pobj(tok) is not None
                and (
                    tok.head.lemma_.lower() in self._w["opposition_words"]
                    or tok.head.lemma_.lower() in self._classes["SANCTION"]
                )
            ):
                cand.spec = _Spec(
                    cameo="113",
                    plover_type="ACCUSE",
                    mode="disapprove",
                    context=cand.spec.context,
                    rule=f"against+{cand.spec.rule}",
                )
                cand.extra_recipients.append(_prep_pobj(tok))
                return

    def _negation_transform(self, cand: _Candidate) -> None:
        own_negation = any(c.dep_ == "neg" or c.lower_ == "never" for c in cand.trigger.children)
        if cand.negated and own_negation and cand.trigger.lemma_.lower() in self._w["acceptance_verbs"]:
            # "will not accept", "did not agree": a refusal, coded as REJECT (CAMEO 12)
            cand.spec = _Spec(
                cameo="120",
                plover_type="REJECT",
                mode=None,
                context=cand.spec.context,
                rule=f"not+{cand.spec.rule}",
            )
            cand.negated = False

    def _future_transform(self, cand: _Candidate) -> None:
        t = cand.spec.plover_type
        spec = cand.spec
        governor = cand.role_verb.lemma_.lower() if cand.role_verb is not None else ""
        promised = governor in self._w["promise_governors"]
        if (
            t == "MOBILIZE"
            and governor in self._w["help_promise_governors"]
            and cand.trigger.lemma_.lower() in self._w["contribution_verbs"]
            and any(c.dep_ == "prep" and c.lower_ == "to" for c in cand.trigger.children)
        ):
            # "pledged to send 1,000 police officers to Haiti": offered military help (CAMEO 033), no threat
            cand.spec = _Spec(
                cameo="033", plover_type="AGREE", mode=None, context=spec.context, rule=f"promise+{spec.rule}"
            )
        elif t in _MATERIAL_CONFLICT and governor not in _EXPECTATION_WORDS and not cand.negated:
            # a stated intention to use force or restrictions is a threat
            cand.spec = _threat_spec(spec, "future")
        elif t in ("RETREAT", "CONCEDE") and promised:
            cand.spec = _Spec(
                cameo="035", plover_type="AGREE", mode=None, context=spec.context, rule=f"promise+{spec.rule}"
            )
        elif t in _COOPERATIVE and t != "AGREE":
            cameo = {"CONSULT": "036", "SUPPORT": "030", "COOPERATE": "031", "AID": "033"}[t]
            cand.spec = _Spec(
                cameo=cameo, plover_type="AGREE", mode=None, context=spec.context, rule=f"future+{spec.rule}"
            )
        elif t == "RETREAT":
            cand.spec = _Spec(
                cameo="080",
                plover_type="CONCEDE",
                mode=None,
                context=spec.context,
                rule=f"future+{spec.rule}",
            )

    # ------------------------------------------------------------------ roles and assembly

    def _build_event(
        self,
        cand: _Candidate,
        sent: Any,
        index: int,
        *,
        article_id: str,
        context: Any,
        labels: dict[str, str | None] | None = None,
    ) -> Event | None:
        tok = cand.trigger
        actor_toks, recipient_toks = self._roles(cand)
        actors = self._resolve(actor_toks, context)
        if not any(a.country for a in actors):
            # "Switzerland said it had expelled", "officials agreed that their countries should": the
            # subject did not resolve, so the speaker or the governing verb's subject acts
            for fallback in _fallback_actor_tokens(cand):
                found = self._resolve([fallback], context)
                if any(a.country for a in found):
                    actors = found
                    cand.notes.append("actor:" + fallback.dep_)
                    break
            if (
                not actors
                and cand.spec.plover_type in _PLACE_ACTOR_TYPES
                and _passive_subject(tok) is not None
                and _agent(tok) is None
            ):
                # "was arrested in Lebanon": the authorities of the place act
                # "was put under investigation in Italy": the place may hang from the phrase's noun
                nested = [_prep_pobj(c) for c in tok.children if c.dep_ == "prep" and c.lower_ != "in"]
                places = _in_places(tok, None) + [
                    p for n in nested if n is not None for p in _in_places(n, None)
                ]
                authorities = self._resolve(places, context, strict=True)
                if authorities and authorities[0].country:
                    actors = authorities[:1]
                    cand.notes.append("actor:place")
        recipients = self._resolve(recipient_toks, context, strict=True)
        spec = cand.spec
        plover = spec.plover_type
        mode = spec.mode
        cameo = spec.cameo
        if not actors and not recipients and cand.nominal:
            return None
        if (
            plover == "MOBILIZE"
            and cand.obj is not None
            and cand.obj.lemma_.lower() in self._w["exercise_nouns"]
            or (cand.nominal and tok.lemma_.lower() in self._w["exercise_nouns"] and plover == "MOBILIZE")
        ):
            if len({a.country for a in actors + recipients if a.country}) >= 2:
                plover, mode, cameo = "COOPERATE", None, "062"  # exercises with another country are joint
        # a threat to impose a curfew is about the same place and people as the curfew would be
        kinds = {plover, cand.base_type} if plover in ("THREATEN", "REJECT") else {plover}
        if not recipients and actors and kinds & _PLACE_TYPES:
            # "strengthened its forces in Lebanon", "imposed a curfew in a town in Turkey": where it happened
            holders = [cand.obj] + [c for c in tok.children if c.dep_ in ("xcomp", "ccomp")]
            if cand.obj is None and _direct_object(tok) is not None:
                holders.append(_direct_object(tok))  # "demanded a ceasefire in Sudan"
            place: list[CodedActor] = []
            for holder in holders:
                place += self._resolve(
                    _in_places(tok if holder is cand.obj else holder, holder if holder is cand.obj else None),
                    context,
                    strict=True,
                )
            recipients = [a for a in place if a.country][:1]
        if not recipients and plover == "ASSAULT" and _direct_object(tok) is not None:
            # "hit a military base near Damascus": the target's place names the side attacked
            target = _direct_object(tok)
            # "struck targets in southern Lebanon": the place may hang from the verb too
            near = [
                q
                for holder in (target, tok)
                for c in holder.children
                if c.dep_ == "prep" and c.lower_ in ("near", "in", "outside", "at")
                for p in [_prep_pobj(c)]
                if p is not None and p.ent_type_ not in ("DATE", "TIME")
                for q in _owner_first(p)
            ]
            recipients = [a for a in self._resolve(near, context, strict=True) if a.country][:1]
        if not recipients and actors and kinds & _DOMESTIC_TYPES:
            # domestic events: without a named target, PLOVER codes the actor's own country as recipient
            recipients = [
                CodedActor(
                    text=actors[0].text,
                    start=actors[0].start,
                    end=actors[0].end,
                    country=actors[0].country,
                    rule="domestic-recipient",
                )
            ]
        if (
            plover == "MOBILIZE"
            and mode == "weapons"
            and _has_target_prep(tok, cand.obj, self._w["place_nouns"])
        ):
            plover, mode, cameo = "ASSAULT", "heavy-weapons", "194"
        if (
            plover == "PROTEST"
            and actors
            and all(a.sector in ("GOV", "MIL", "LEG") for a in actors)
            and tok.lemma_.lower() in ("rally", "march", "demonstrate")
            and not cand.nominal
        ):
            return None  # officials "rallying" or "marching" troops are not a street protest
        tense = cand.tense
        confidence = 0.75
        if cand.nominal:
            confidence -= 0.15
        if not actors:
            confidence -= 0.2
        if tense in ("hypothetical",):
            confidence -= 0.1
        if cand.negated:
            confidence -= 0.1
        start, end = tok.idx, tok.idx + len(tok.text)
        if cand.obj is not None and cand.obj.i > tok.i:
            end = cand.obj.idx + len(cand.obj.text)
        sent_text = sent.text  # Doc.text rebuilds the whole article: slice the sentence instead
        rule = spec.rule + ("" if not cand.notes else " [" + ", ".join(cand.notes) + "]")
        event_id = _event_id(article_id, index, start, end, plover)
        acled: str | None = (
            self._acled_by_cameo.get(cameo) if plover in ("ASSAULT", "PROTEST", "COERCE") else None
        )
        if plover == "ASSAULT" and acled is None:
            acled = "ARMED_CLASH" if len(actors) > 1 or _is_two_sided(tok) else "ATTACK"
        if plover in ("AGREE",) or cameo == "057":
            acled = "AGREEMENT" if tense == "past" or plover == "SUPPORT" else None
        family = self._acled_families.get(plover)
        if family and not cand.negated and tense in ("past", "present"):
            # the sentence says how: "a roadside bomb killed" is REM_EXPLOS, "jets bombed" AIR_STRIKE
            labels = {} if labels is None else labels
            if "sentence" not in labels:
                labels["sentence"] = self.classify_acled(sent.text)
            label = labels["sentence"]
            if label in family:
                acled = label
        return Event(
            id=event_id,
            article_id=article_id,
            sentence=index,
            text=sent.text,
            sent_start=sent.start_char,
            trigger=sent_text[start - sent.start_char : end - sent.start_char],
            trigger_start=start,
            trigger_end=end,
            plover_type=plover,
            mode=mode,
            context=list(spec.context),
            cameo_code=cameo,
            acled_type=acled,
            actors=actors,
            recipients=recipients,
            negated=cand.negated,
            tense=tense,
            confidence=round(max(confidence, 0.05), 2),
            rule=rule,
            coder_version=CODER_VERSION,
        )

    def _roles(self, cand: _Candidate) -> tuple[list[Any], list[Any]]:
        tok = cand.trigger
        if cand.nominal:
            return self._nominal_roles(cand)
        actors: list[Any] = []
        recipients: list[Any] = []
        verb = tok
        subj = _subject(verb)
        passive = _passive_subject(verb)
        agent = _agent(verb)
        if passive is not None:
            if agent is not None:
                actors.append(agent)
            # "soldiers have been sent to Russia": the troops' own country is the actor
            if cand.spec.plover_type == "MOBILIZE" and passive.lemma_.lower() in self._classes["TROOP"]:
                actors.append(passive)
            else:
                recipients.append(passive)
        elif subj is not None:
            actors.append(subj)
        if cand.spec.rule.startswith("must") and cand.role_verb is not None:
            speaker = _subject(cand.role_verb) or _inherited_subject(
                cand.role_verb, self._w["document_nouns"]
            )
            if speaker is not None:
                actors = [speaker]
        if passive is not None and tok.lemma_.lower() in self._w["stance_verbs"] and passive in recipients:
            recipients.remove(passive)  # "Vietnam is committed to": a stance, the subject holds it
            actors.append(passive)
        if not actors and cand.role_verb is not None:
            gsubj = _subject(cand.role_verb)
            if gsubj is None and cand.role_verb.dep_ == "acomp":
                gsubj = _subject(cand.role_verb.head)  # "Syria is willing to withdraw"
            if gsubj is None and cand.role_verb.lemma_.lower() in self._w["stance_verbs"]:
                gsubj = _passive_subject(cand.role_verb)
            if gsubj is not None:
                actors.append(gsubj)
        if not actors and passive is None:
            docs = self._w["document_nouns"]
            inherited = _inherited_subject(cand.role_verb or tok, docs) or _inherited_subject(tok, docs)
            if inherited is not None:
                actors.append(inherited)
        obj = _direct_object(tok)
        theme = (
            obj is not None
            and obj.lemma_.lower() in (self._classes["TROOP"] | self._classes["WEAPON"])
            and cand.spec.plover_type in _TRANSFER_TYPES
        )
        if obj is not None and (cand.obj is None or obj.i != cand.obj.i) and not theme:
            recipients.append(obj)  # troops or weapons moved are the theme, not the recipient
        elif obj is not None and cand.spec.plover_type == "CONSULT" and cand.spec.rule.startswith("object:"):
            recipients.append(obj)  # "received the Iraqi prime minister": the visitor is the other party
        # prepositional recipients of the verb, then of the event noun ("held talks with X", "aid to X")
        # "threatened further action against Russia": the target hangs from the object
        obj_holder = (
            obj
            if obj is not None and obj.pos_ == "NOUN" and (cand.obj is None or obj.i != cand.obj.i)
            else None
        )
        holders: list[Any] = [h for h in (tok, cand.obj, obj_holder) if h is not None]
        for holder in holders:
            preps = _RECIPIENT_PREPS if holder is tok else _NOUN_RECIPIENT_PREPS
            if holder is tok and cand.spec.plover_type != "ASSAULT":
                preps = preps | {"between"}  # "offered to mediate between Venezuela and Guyana"
            if holder is tok and tok.lemma_.lower() in self._w["travel_verbs"]:
                preps = preps | {"in"}  # "arrived in Pyongyang": the host of a visit
            if holder is obj_holder:
                preps = _OBJECT_TARGET_PREPS | (
                    {"by"} if cand.spec.plover_type in ("ACCUSE", "REQUEST") else set()
                )
            if cand.spec.plover_type in _FROM_TYPES or cand.base_type in _FROM_TYPES:
                preps = preps | {"from"}  # "withdrew its troops from Lebanon"
            for child in holder.children:
                if child.dep_ == "prep" and child.lower_ == "out" and "from" in preps:
                    # "pulled out of positions in southern Somalia": "out of" is "from"
                    source = _prep_object(child, ("of",))
                    if source is not None:
                        recipients.append(source)
                        recipients.extend(q for p in _in_places(source, None) for q in _owner_first(p))
                    continue
                if child.dep_ == "prep" and child.lower_ in preps:
                    pobj = _prep_pobj(child)
                    ptype = cand.spec.plover_type
                    if child.lower_ == "at" and ptype not in ("ASSAULT", "THREATEN", "MOBILIZE"):
                        continue
                    if child.lower_ in ("on", "upon") and ptype not in _ON_TARGET_TYPES and holder is not tok:
                        continue  # "talks on trade", "agreement on the border": a topic
                    if cand.obj is not None and pobj is not None and pobj.i == cand.obj.i:
                        continue
                    if pobj is not None and pobj.ent_type_ in ("DATE", "TIME"):
                        continue
                    if (
                        pobj is not None
                        and child.lower_ == "with"
                        and pobj.lemma_.lower() in self._w["help_nouns"]
                    ):
                        continue  # "with Albania's help": a helper, not the target
                    if (
                        pobj is not None
                        and pobj not in recipients
                        and pobj.lemma_.lower() not in self._w["place_nouns"]
                    ):
                        recipients.append(pobj)
                    if pobj is not None and child.lower_ == "from":
                        # "withdrew from positions in eastern Congo": the place inside the place noun
                        recipients.extend(q for p in _in_places(pobj, None) for q in _owner_first(p))
                elif child.dep_ == "dative":
                    target = _prep_pobj(child) if child.pos_ == "ADP" else child
                    if target is not None:
                        recipients.append(target)
        if cand.role_verb is not None and cand.role_verb.i != tok.i:
            gobj = _direct_object(cand.role_verb)
            if gobj is not None and not recipients:
                recipients.append(gobj)
        recipients.extend(cand.extra_recipients)
        if not recipients:
            # "donated and delivered goods to X": a conjoined verb names the recipient;
            # "threatened to resume attacks in Israel": the complement the verb governs does
            for child in tok.children:
                if (
                    child.dep_ == "conj"
                    and child.pos_ == "VERB"
                    or child.dep_ in ("xcomp", "ccomp")
                    and cand.spec.plover_type in ("THREATEN", "REJECT", "AGREE")
                ):
                    # "to cut all lines with South Korea": the target may hang from the complement's object
                    inner = _direct_object(child)
                    holders = [child] + ([inner] if inner is not None else [])
                    for grand in (g for h in holders for g in h.children):
                        if grand.dep_ == "prep" and grand.lower_ in (
                            "to",
                            "against",
                            "on",
                            "toward",
                            "towards",
                            "with",
                        ):
                            pobj = _prep_pobj(grand)
                            if pobj is not None and pobj.ent_type_ not in ("DATE", "TIME"):
                                recipients.append(pobj)
        # a ccomp subject of a request verb is its recipient ("demanded that the US cancel")
        if cand.spec.plover_type == "REQUEST":
            for child in tok.children:
                if child.dep_ in ("ccomp", "xcomp"):
                    s = _subject(child)
                    if s is not None:
                        recipients.append(s)
        return actors, recipients

    def _nominal_roles(self, cand: _Candidate) -> tuple[list[Any], list[Any]]:
        tok = cand.trigger
        actors: list[Any] = []
        recipients: list[Any] = []
        for child in tok.children:
            if child.dep_ == "poss":
                actors.append(child)
            elif child.dep_ == "prep" and child.lower_ in ("by", "between", "among"):
                p = _prep_pobj(child)
                if p is not None:
                    actors.append(p)
            elif child.dep_ == "prep" and child.lower_ == "of":
                p = _prep_pobj(child)
                if p is not None and p.lemma_.lower() in self._classes["TROOP"]:
                    actors.append(p)  # "the withdrawal of Russian troops": the troops' side acts
                elif p is not None and cand.spec.plover_type in ("ASSAULT", "COERCE"):
                    recipients.append(
                        p
                    )  # "Russia's invasion of Ukraine", "the shelling of Odesa": the target
            elif child.dep_ == "prep" and child.lower_ in (
                "to",
                "with",
                "against",
                "on",
                "in",
                "into",
                "toward",
            ):
                p = _prep_pobj(child)
                if p is not None:
                    recipients.append(p)
            elif (
                child.dep_ in ("amod", "compound", "nmod")
                and child.pos_ in ("ADJ", "PROPN")
                and child.text[:1].isupper()
            ):
                actors.append(child)  # "Russian support", "U.S.-South Korea exercises"; not "military"
        return actors, recipients

    def _foreign_story_default(self, actor: CodedActor, tok: Any, context: Any) -> CodedActor:
        """Civilians, workers or gunmen given the article's default country lose it when the sentence names
        other states but not that one and no dateline says where the story is: a White House statement about
        "civilians killed" by Russian strikes is not about American civilians. Officials keep the default."""
        if actor.sector not in _CIVILIAN_SECTORS or getattr(context, "dateline_country", None):
            return actor
        resolver = self.resolver
        if resolver is None:
            return actor
        named: set[str] = set()
        for ent in tok.sent.ents:
            if ent.label_ in ("GPE", "NORP"):
                try:
                    named.update(a.country for a in resolver.code_span_all(ent, context=None) if a.country)
                except Exception:  # a failed lookup leaves the default as it was
                    log.debug("resolver failed on %r", ent.text, exc_info=True)
        if not named or actor.country in named:
            return actor
        return replace(
            actor, country=None, rule=f"{actor.rule}+dropped:sentence-names-{'-'.join(sorted(named))}"
        )

    def _resolve(self, toks: list[Any], context: Any, *, strict: bool = False) -> list[CodedActor]:
        resolver = self.resolver
        if resolver is None:
            return []
        out: list[CodedActor] = []
        seen: set[tuple[str | None, str | None, int]] = set()
        for tok in toks:
            tok = _antecedent(tok)
            span = _arg_span(tok)
            try:
                coded = resolver.code_span_all(span, context=context)
                if len(coded) <= 1 and "-" in span.text and hasattr(resolver, "code_text_all"):
                    coded = _hyphen_pair(resolver, span, context) or coded
            except Exception:  # actor resolution trouble must not lose the event
                log.exception("actor resolver failed on %r", span.text)
                coded = []
            if not any(a.country for a in coded):
                coded = _publisher_voice(tok, context) or _the_two(span, context) or coded
            for actor in coded:
                key = (actor.country, actor.sector, actor.start)
                if strict and _guessed_from_modifier(actor, span):
                    continue
                if (
                    strict
                    and "default-country" in (actor.rule or "")
                    and tok.dep_ == "pobj"
                    and tok.head.lower_ in ("from", "in", "at", "into", "across")
                ):
                    continue  # a place phrase names a country only when it says which
                if "default-country" in (actor.rule or ""):
                    actor = _place_country(actor, tok, span, self._gazetteer)
                    if "default-country" in actor.rule and "+place:" not in actor.rule:
                        actor = self._foreign_story_default(actor, tok, context)
                    key = (actor.country, actor.sector, actor.start)
                if key not in seen and (actor.country or actor.sector):
                    seen.add(key)
                    out.append(actor)
        return out


# ---------------------------------------------------------------------- parse helpers


_CIVILIAN_SECTORS = frozenset(
    {None, "CVL", "MED", "REF", "EDU", "REL", "BUS", "JRN", "AGR", "LAB", "SOC", "UAF", "CRM", "REB"}
)


def _object_keys(tok: Any) -> list[str]:
    """Lemma keys to look an object noun up by: the two-word name, the head, its modifiers, its "of" noun."""
    lemma = tok.lemma_.lower()
    keys = [lemma]
    for child in tok.children:
        if child.dep_ in ("compound", "amod") and child.i < tok.i:
            # "hunger strike", "war games": the two-word name first, then the head, then the modifier
            keys.insert(0, f"{child.lemma_.lower()} {lemma}")
            keys.append(child.lemma_.lower())
    if tok.lower_ in ("talks", "arms", "relations", "ties", "remains"):
        keys.append(tok.lower_.rstrip("s"))
    # "tents and medical supplies": a conjoined object names the class as well
    for child in tok.children:
        if child.dep_ == "conj" and child.pos_ == "NOUN":
            keys.append(child.lemma_.lower())
    # "a state of emergency", "tons of food aid", "$5 million in aid": the noun after the preposition
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ in ("of", "in"):
            pobj = _prep_pobj(child)
            if pobj is not None:
                keys.append(pobj.lemma_.lower())
                keys.extend(c.lemma_.lower() for c in pobj.children if c.dep_ == "compound")
    return keys


def _direct_object(tok: Any) -> Any:
    for child in tok.children:
        if child.dep_ in ("dobj", "obj"):
            return child
    return None


def _prep_object(tok: Any, preps: tuple[str, ...]) -> Any:
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            p = _prep_pobj(child)
            if p is not None:
                return p
        if child.dep_ == "dobj" and child.lower_ in preps:
            return child
    return None


def _prep_pobj(prep: Any) -> Any:
    for child in prep.children:
        if child.dep_ in ("pobj", "pcomp"):
            return child
    return None


def _subject(tok: Any) -> Any:
    for child in tok.children:
        if child.dep_ in _SUBJ_DEPS:
            return child
    return None


def _passive_subject(tok: Any) -> Any:
    for child in tok.children:
        if child.dep_ in _PASS_SUBJ_DEPS:
            return child
    return None


def _agent(tok: Any) -> Any:
    for child in tok.children:
        if child.dep_ == "agent":
            return _prep_pobj(child)
    return None


def _inherited_subject(tok: Any, documents: frozenset[str] = frozenset()) -> Any:
    """Subject of the verb an xcomp / conj / advcl hangs from ("agreed to meet", "attacked and killed")."""
    cur = tok
    for _ in range(4):
        if (
            cur.dep_ not in ("xcomp", "conj", "advcl", "pcomp", "relcl", "acl", "acomp")
            or cur.head.i == cur.i
        ):
            return None
        head = cur.head
        if cur.dep_ == "relcl":
            return head if head.pos_ in ("NOUN", "PROPN") else None
        if cur.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN"):
            if head.lemma_.lower() not in documents:
                return head
            cur = head  # "issued a declaration demanding": the issuer demands
            head = head.head
            if cur.dep_ in ("dobj", "pobj") and head.pos_ in ("VERB", "ADP"):
                verb = head.head if head.pos_ == "ADP" else head
                return _subject(verb)
            return None
        if cur.dep_ == "pcomp":
            head = head.head
        s = _subject(head) or _passive_subject(head) if cur.dep_ != "conj" else _subject(head)
        if s is not None:
            return s
        cur = head
    return None


def _governing_verb(tok: Any) -> Any:
    if tok.dep_ in ("xcomp", "ccomp") and tok.head.i != tok.i:
        return tok.head
    if tok.dep_ == "pcomp" and tok.head.dep_ == "prep" and tok.head.head.i != tok.head.i:
        return tok.head.head
    if (
        tok.dep_ == "pobj"
        and tok.head.dep_ == "prep"
        and tok.head.lower_ in ("of", "for")
        and tok.head.head.pos_ in ("VERB",)
    ):
        return tok.head.head
    return None


def _is_negated(tok: Any) -> bool:
    if any(c.dep_ == "neg" or c.lower_ in ("never",) for c in tok.children):
        return True
    # "Neither X nor Y attacked", "No country recognised", "Nobody attacked"
    for child in tok.children:
        if child.dep_ in _SUBJ_DEPS or child.dep_ in _PASS_SUBJ_DEPS:
            if child.lower_ in ("nobody", "none", "noone", "nothing"):
                return True
            if any(c.lower_ in ("neither", "no") and c.dep_ in ("preconj", "det") for c in child.children):
                return True
    return False


def _has_neg_det(tok: Any) -> bool:
    return any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children)


def _has_if(tok: Any) -> bool:
    cur = tok
    for _ in range(3):
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in cur.children):
            return True
        if cur.dep_ not in ("xcomp", "conj") or cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def _going_to(tok: Any) -> bool:
    head = tok.head
    return tok.dep_ == "xcomp" and head.lower_ == "going" and any(c.dep_ == "aux" for c in head.children)


def _guessed_from_modifier(actor: CodedActor, span: Any) -> bool:
    """An actor the resolver guessed from a sector word that only modifies another head ("military equipment",
    "reports of soldiers") with the article's default country: not an actor of this event."""
    rule = actor.rule or ""
    if "default-country" not in rule or "sector-head:" not in rule:
        return False
    term = rule.split("sector-head:", 1)[1].split("+", 1)[0].lower()
    root = span.root
    return term.split()[-1] not in (root.lower_, root.lemma_.lower())


def _hyphen_pair(resolver: Any, span: Any, context: Any) -> list[CodedActor]:
    """Both sides of a hyphenated pair ("U.S.-South Korea exercises", "Russia-Ukraine talks")."""
    text = span.text
    out: list[CodedActor] = []
    offset = 0
    for part in text.split("-"):
        if part[:1].isupper():
            for actor in resolver.code_text_all(part, context=context):
                if actor.country:
                    actor.start += span.start_char + offset
                    actor.end += span.start_char + offset
                    out.append(actor)
        offset += len(part) + 1
    return out if len({a.country for a in out}) >= 2 else []


def _fallback_actor_tokens(cand: _Candidate) -> list[Any]:
    out: list[Any] = []
    if cand.role_verb is not None:
        s = _subject(cand.role_verb)
        if s is not None:
            out.append(s)
    # a pronoun subject of a reported clause refers to the speaker most often ("X said it would")
    tok = cand.trigger
    own = _subject(tok) or _passive_subject(tok)
    if own is not None and own.pos_ != "PRON":
        return out
    # "King X was quoted as saying he would be ready to host": climb complements and "as saying" phrases
    cur = tok
    for _ in range(7):
        if cur.dep_ in ("ccomp", "xcomp", "conj", "acomp", "pcomp", "prep", "advcl") and cur.head.i != cur.i:
            cur = cur.head
            s = _subject(cur) or _passive_subject(cur)
            if s is not None and s.pos_ != "PRON":
                out.append(s)
                break
        else:
            break
    return out


_FIRST_PERSON = frozenset({"we", "i", "our", "us", "my", "me"})


def _publisher_voice(tok: Any, context: Any) -> list[CodedActor]:
    """First person ("we", "I") outside quotation marks is the publisher speaking (a government statement: "We are imposing
    sanctions"), so it takes the publisher's country; inside quotes it is someone quoted, left unresolved."""
    home = getattr(context, "home_country", None)
    if not home or tok.lower_ not in _FIRST_PERSON or _in_quote(tok):
        return []
    return [
        CodedActor(
            text=tok.text,
            start=tok.idx,
            end=tok.idx + len(tok.text),
            country=home,
            kind="state",
            rule="first-person:publisher",
        )
    ]


_PAIR_HEADS = frozenset(
    {"two", "president", "leader", "side", "minister", "official", "government", "country", "nation"}
    | {"delegation", "counterpart", "head", "premier", "chancellor", "king", "ally", "partner"}
)


def _the_two(span: Any, context: Any) -> list[CodedActor]:
    """ "The two Presidents agreed", "the two condemned": the two parties of a bilateral story (the last pair
    the article coordinated, else its two most named states)."""
    words = [t.lower_ for t in span.root.subtree]  # the span may leave out the determiner
    if len(words) > 3 or not (words[:2] == ["the", "two"] or words[:1] == ["both"]):
        return []
    if span.root.lemma_.lower() not in _PAIR_HEADS:
        return []
    pair_before = getattr(context, "pair_before", None)
    pair = pair_before(span.start_char) if pair_before is not None else None
    if not pair:
        return []
    return [
        CodedActor(
            text=span.text,
            start=span.start_char,
            end=span.end_char,
            country=c,
            kind="state",
            rule="pair:the-two",
        )
        for c in pair
    ]


def _in_quote(tok: Any) -> bool:
    """Whether the token sits between quotation marks, judged within its paragraph: an unclosed opening quote
    before it, or a closing curly quote after it before any opening one (a quote running over sentences)."""
    text = doc_text(tok.doc)
    start = text.rfind("\n", 0, tok.idx) + 1
    end = text.find("\n", tok.idx)
    before = text[start : tok.idx]
    after = text[tok.idx : end if end >= 0 else len(text)]
    if before.count("\u201c") > before.count("\u201d") or before.count('"') % 2 == 1:
        return True
    close = after.find("\u201d")
    return close >= 0 and "\u201c" not in after[:close]


_TARGET_PREPS = frozenset({"at", "on", "against", "toward", "towards", "into"})
_LOCATIVE_PREPS = frozenset({"in", "near", "at", "outside", "inside", "around", "across", "throughout"})


def _place_country(actor: CodedActor, tok: Any, span: Any, gazetteer: Gazetteer | None) -> CodedActor:
    """A generic noun ("a hospital", "civilians") given the article's default country keeps it only when the
    sentence's places agree: "a hospital in Kharkiv" is in Ukraine whatever country the article names most.
    The place inside the actor's own phrase wins, then the first place of the sentence."""
    places: list[tuple[bool, str, str]] = []
    for ent in tok.sent.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC"):
            continue
        head = ent.root.head
        if ent.root.dep_ != "pobj" or head.lower_ not in _LOCATIVE_PREPS:
            continue
        country = _gazetteer_country(ent.text, gazetteer)
        if country:
            places.append((not (span.start <= ent.start < span.end), ent.text, country))
    if not places or any(country == actor.country for _, _, country in places):
        return actor
    _, name, country = min(places, key=lambda p: p[0])
    return replace(actor, country=country, rule=f"{actor.rule}+place:{name}")


def _gazetteer_country(name: str, gazetteer: Gazetteer | None) -> str | None:
    if gazetteer is None:
        return None
    try:
        entry = gazetteer.resolve(name)
    except Exception:  # the place index is optional here; without it the default country stands
        log.debug("gazetteer lookup failed for %r", name, exc_info=True)
        return None
    return entry.country if entry is not None else None


def _owner_first(place: Any) -> list[Any]:
    """A place token preceded by the country that owns it ("Russia's Bryansk region" -> Russia, region)."""
    return [c for c in place.children if c.dep_ == "poss"] + [place]


def _in_places(tok: Any, obj: Any) -> list[Any]:
    places: list[Any] = []
    for holder in (tok, obj):
        if holder is None:
            continue
        for child in holder.children:
            if child.dep_ == "prep" and child.lower_ in (
                "in",
                "across",
                "throughout",
                "outside",
                "at",
                "into",
            ):
                p = _prep_pobj(child)
                if p is None:
                    continue
                places.append(p)
                # "at this jail in northern Israel": the place inside the place
                for inner in p.children:
                    if inner.dep_ == "prep" and inner.lower_ == "in":
                        q = _prep_pobj(inner)
                        if q is not None:
                            places.insert(len(places) - 1, q)
    return places


def _in_purpose_clause(tok: Any) -> bool:
    """Whether the token sits in an infinitival purpose clause ("to help") of another predicate."""
    cur = tok
    for _ in range(6):
        if cur.dep_ in ("advcl", "acl", "relcl") and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in cur.children
        ):
            return True
        if cur.dep_ not in ("xcomp", "conj", "ccomp", "advcl", "acl", "relcl") or cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def _has_target_prep(tok: Any, obj: Any, place_nouns: frozenset[str]) -> bool:
    """Whether a weapon was fired at someone ("fired rockets at / into / on X") rather than tested."""
    holders = [tok] + ([] if obj is None else [t for t in obj.subtree if t.pos_ in ("NOUN", "PROPN")])
    for holder in holders:
        for child in holder.children:
            if child.dep_ == "prep" and child.lower_ in ("at", "against", "on", "into", "toward", "towards"):
                pobj = _prep_pobj(child)
                if (
                    pobj is not None
                    and pobj.lemma_.lower() not in ("sea", "water", "ocean", "target", "area")
                    and pobj.ent_type_ not in ("DATE", "TIME")
                    and pobj.lemma_.lower() not in place_nouns
                ):
                    return True
    return False


def _is_two_sided(tok: Any) -> bool:
    return tok.lemma_.lower() in ("clash", "fight", "battle", "fighting", "clashes")


def _antecedent(tok: Any) -> Any:
    """The noun a relative pronoun stands for ("exercises, which North Korea denounced")."""
    if tok.lower_ in _RELATIVE_PRONOUNS:
        cur = tok.head
        for _ in range(3):
            if cur.dep_ == "relcl":
                return cur.head
            if cur.head.i == cur.i:
                break
            cur = cur.head
    return tok


_ARG_DEPS = frozenset(
    {
        "det",
        "amod",
        "compound",
        "poss",
        "nmod",
        "nummod",
        "quantmod",
        "appos",
        "conj",
        "cc",
        "case",
        "flat",
        "punct",
        "prep",
        "npadvmod",
        "advmod",
    }
)


def _arg_span(tok: Any) -> Any:
    """The noun phrase of an argument: modifiers, possessives, appositives, conjuncts and "of" phrases."""
    doc = tok.doc
    left = tok.i
    right = tok.i
    for child in tok.children:
        if child.dep_ not in _ARG_DEPS:
            continue
        if child.dep_ == "prep" and child.lower_ not in ("of", "from"):
            continue
        if child.dep_ == "punct" and child.i > tok.i:
            continue
        left = min(left, child.left_edge.i)
        right = max(right, child.right_edge.i)
    while right > left and doc[right].dep_ in ("punct", "cc"):
        right -= 1
    # leading quantities ("up to 100 ethnic Albanians", "at least three soldiers") say nothing of who
    while left < tok.i and _is_quantity(doc[left]):
        left += 1
    return doc[left : right + 1]


def _is_quantity(tok: Any) -> bool:
    if tok.like_num or tok.dep_ in ("nummod", "quantmod"):
        return True
    return tok.head.i != tok.i and (tok.head.like_num or tok.head.dep_ in ("nummod", "quantmod"))


def aux_of(tok: Any) -> set[str]:
    return {c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")}


def _request_spec(spec: _Spec) -> _Spec:
    t = spec.plover_type
    cameo, mode = {
        "CONSULT": ("106", "meet"),
        "AGREE": ("107", "meet"),
        "AID": ("103", "assist"),
        "COOPERATE": ("101", "assist"),
        "SUPPORT": ("102", "assist"),
        "RETREAT": ("105", "yield"),
        "CONCEDE": ("105", "yield"),
    }.get(t, ("104", "change"))
    return _Spec(
        cameo=cameo, plover_type="REQUEST", mode=mode, context=spec.context, rule=f"must+{spec.rule}"
    )


def _threat_spec(spec: _Spec, why: str) -> _Spec:
    t = spec.plover_type
    cameo = {"ASSAULT": "138", "MOBILIZE": "138", "SANCTION": "131", "COERCE": "132"}.get(t, "130")
    return _Spec(
        cameo=cameo,
        plover_type="THREATEN",
        mode=_THREAT_MODE.get(t),
        context=spec.context,
        rule=f"{why}+{spec.rule}",
    )


def _event_id(article_id: str, sentence: int, start: int, end: int, plover_type: str) -> str:
    basis = f"{article_id}|{sentence}|{start}|{end}|{plover_type}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------- data and defaults


@lru_cache(maxsize=4)
def _load_data(data_dir: str | None) -> tuple[dict[str, Any], dict[str, CameoCode]]:
    """The lexicon (shipped, or ``data_dir``/lexicon.json) and the CAMEO -> PLOVER table (``data_dir``'s own
    cameo_plover.tsv when it holds one, else the shipped table)."""
    try:
        if data_dir is None:
            base = resources.files("newswatch") / "data" / "events"
            lex_text = (base / "lexicon.json").read_text(encoding="utf-8")
        else:
            lex_text = (Path(data_dir) / "lexicon.json").read_text(encoding="utf-8")
        lex = json.loads(lex_text)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the event lexicon ({exc}); reinstall newswatch or point data_dir at a "
            "folder holding lexicon.json"
        ) from exc
    own_table = data_dir is not None and (Path(data_dir) / TABLE_FILE).is_file()
    return lex, cameo_table(data_dir if own_table else None)


def main_event(events: Sequence[Event], doc: Any = None) -> Event | None:
    """The sentence's main event: asserted before negated, closest to the parse root, most confident."""
    if not events:
        return None

    def depth(event: Event) -> int:
        if doc is None:
            return 0
        span = doc.char_span(event.trigger_start, event.trigger_end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return 0
        tok = span[0]
        d = 0
        while tok.head.i != tok.i and d < 50:
            tok = tok.head
            d += 1
        return d

    return min(
        events,
        key=lambda e: (
            e.negated,
            e.tense == "hypothetical",
            depth(e),
            not (e.actors or e.recipients),
            -e.confidence,
            e.trigger_start,
        ),
    )

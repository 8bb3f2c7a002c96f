"""The learned event coder: the one place where candidates, the type, status and mode models, the role model,
actor linking and the code tables are put together into events."""

from __future__ import annotations

import bisect
import hashlib
import logging
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..acled import NON_POLITICAL_LABELS, AcledClassifier
from ..models import CodedActor, Event
from .candidates import Candidate, candidates
from .codes import acled_for, cameo_for, modes_of
from .features import dateline, is_negated, mode_features, predicate_features, status_features
from .fill import fill_countries, sentence_countries
from .lexicon import Lexicon, load_lexicon
from .linking import ActorResolver, arg_bounds, dedupe, link_tokens
from .model import EventModel
from .roles import choose_roles, role_rows
from .sentence import CandidateEvent, SentenceTypeModel, select
from .view import DocView, doc_view

log = logging.getLogger(__name__)

NONE = "NONE"
_TWO_SIDED = frozenset({"clash", "fight", "battle", "fighting", "skirmish", "firefight", "exchange"})
_UNCOUNTED = frozenset({"negated", "hypothetical"})
_MERGE_DEPS = frozenset({"dobj", "attr", "oprd", "pobj", "xcomp", "compound"})


@dataclass
class Prediction:
    """One event the models found in a sentence, before actor linking."""

    cand: Candidate
    plover_type: str
    p_type: float
    status: str
    mode: str | None
    actors: list[int] = field(default_factory=list)
    recipients: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)  # tokens merged into this event (a light verb's noun)
    why: str = ""


class LearnedCoder:
    """Event coder driven by trained models; configuration is keyword-only and nothing is read from globals.

    ``resolver`` links role phrases to actors (without it events have no actors); ``rules`` is the rule coder
    rules-0.2.0 whose actors stand in when the model's have no country and whose opinion the model reads as
    features (default: one over the same resolver); ``acled`` classifies whole records (default: the shipped
    cue file); ``lexicon`` is the rule lexicon read as features (default: the shipped one).
    """

    def __init__(
        self,
        *,
        model: EventModel,
        resolver: ActorResolver | None = None,
        lexicon: Lexicon | None = None,
        rules: Any = None,
        acled: AcledClassifier | None = None,
    ) -> None:
        self.model = model
        self._resolver = resolver
        self.lexicon = lexicon or load_lexicon()
        self._nouns = self.lexicon.event_nouns | model.trigger_nouns
        self._acled: AcledClassifier | None = acled
        th = model.thresholds
        self._type_threshold = float(th.get("type", 0.5))
        self._actor_threshold = float(th.get("actor", 0.5))
        self._recipient_threshold = float(th.get("recipient", 0.5))
        # a role left empty takes its likeliest candidate above these (absent: left empty; see roles.choose_roles)
        self._actor_fallback = _optional(th.get("actor_fallback"))
        self._recipient_fallback = _optional(th.get("recipient_fallback"))
        # the sentence type model's second opinion (see sentence.select); without it nothing is gated or added
        self._gate = float(th.get("sentence_gate", 0.0))
        self._add = float(th.get("sentence_add", 2.0))
        self._floor = float(th.get("sentence_floor", self._type_threshold))
        self._modes = {t: modes_of(t) for t in model.type_model.classes if t != NONE}
        self._rules: Any = rules
        self.uses_rule_hints = bool(model.meta.get("rule_hints", False))

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def resolver(self) -> ActorResolver | None:
        return self._resolver

    # ------------------------------------------------------------------ public API (as the rule coder's)

    def code_doc(self, doc: Any, *, article_id: str, context: Any = None) -> list[Event]:
        """Events of every sentence of ``doc`` (a parsed article), in text order."""
        resolver = self.resolver
        if context is None and resolver is not None:
            context = resolver.new_context(doc)
        v = doc_view(doc)
        attach_mentions(v, context)
        if self.uses_rule_hints and v.hints is None:
            v.hints = self.rule_hints(doc)
        ranges = list(zip(v.sent_starts, v.sent_ends, strict=True))
        try:
            per_sentence = self.predict_ranges(v, ranges)
        except Exception:  # an odd parse: code sentence by sentence so that only the odd one is lost
            per_sentence = [
                self._predict_one(v, index, lo, hi, article_id) for index, (lo, hi) in enumerate(ranges)
            ]
        events: list[Event] = []
        for index, ((lo, hi), preds) in enumerate(zip(ranges, per_sentence, strict=True)):
            for p in preds:
                try:
                    events.append(self._event(v, p, index, lo, hi, article_id, context))
                except Exception:  # one odd parse must not lose the article
                    log.exception(
                        "event coder failed on sentence %d of article %s; event skipped", index, article_id
                    )
        return events

    def _predict_one(self, v: DocView, index: int, lo: int, hi: int, article_id: str) -> list[Prediction]:
        try:
            return self.predict_sentence(v, lo, hi)
        except Exception:
            log.exception(
                "event coder failed on sentence %d of article %s; sentence skipped", index, article_id
            )
            return []

    def code_snippet(
        self, doc: Any, *, article_id: str, context: Any = None
    ) -> tuple[str | None, list[Event]]:
        """The record's ACLED-style label and its events (no PLOVER event for disasters and crime)."""
        events = self.code_doc(doc, article_id=article_id, context=context)
        label = self._acled_label(doc.text, events)
        return label, [] if label in NON_POLITICAL_LABELS else events

    def classify_acled(self, text: str, doc: Any = None) -> str | None:
        """The record's main ACLED-style label: the cue patterns, else the most specific type of its events."""
        events = self.code_doc(doc, article_id="acled") if doc is not None else []
        return self._acled_label(text, events)

    # ------------------------------------------------------------------ decisions

    def predict_sentence(self, v: DocView, lo: int, hi: int) -> list[Prediction]:
        """The events of the sentence of tokens [lo, hi), with role tokens chosen."""
        return self.predict_ranges(v, [(lo, hi)])[0]

    def predict_ranges(self, v: DocView, ranges: list[tuple[int, int]]) -> list[list[Prediction]]:
        """The events of each sentence [lo, hi) in ``ranges``; every model is asked once for all of them (numpy
        pays per call, not per row)."""
        m = self.model
        out: list[list[Prediction]] = [[] for _ in ranges]
        cands: list[tuple[int, Candidate]] = []
        rows: list[list[str]] = []
        for s, (lo, hi) in enumerate(ranges):
            for c in candidates(v, lo, hi, self._nouns):
                cands.append((s, c))
                rows.append(predicate_features(v, c, self.lexicon, hi))
        if not cands:
            return out
        vecs = (
            v.tensor[[c.i for _, c in cands]]
            if v.tensor is not None and m.type_model.dense is not None
            else None
        )
        probs = m.type_model.proba_many(rows, vecs)
        classes = m.type_model.classes
        none_k = classes.index(NONE)
        q = probs.copy()
        q[:, none_k] = -1.0
        best = q.argmax(axis=1)
        sentence = m.sentence_model
        floor = min(self._type_threshold, self._floor) if sentence is not None else self._type_threshold
        chosen = [(r, int(k), float(probs[r, k])) for r, k in enumerate(best) if probs[r, k] >= floor]
        if not chosen:
            return out
        srows = [status_features(rows[r], classes[k]) for r, k, _ in chosen]
        svecs = (
            vecs[[r for r, _, _ in chosen]] if vecs is not None and m.status_model.dense is not None else None
        )
        sprobs = m.status_model.proba_many(srows, svecs)
        statuses = [
            negation_status(v, cands[r][1].i, classes[k], m.status_model.classes[int(np.argmax(sp))])
            for (r, k, _), sp in zip(chosen, sprobs, strict=True)
        ]
        picked: list[tuple[int, float | None]] = [(j, None) for j in range(len(chosen))]
        if sentence is not None:
            picked = self._second_opinion(v, ranges, cands, chosen, statuses, classes, sentence)
        for j, p_sentence in picked:
            r, k, pk = chosen[j]
            s, cand = cands[r]
            ptype = classes[k]
            why = _why(m.type_model, rows[r], k)
            if p_sentence is not None:
                why += f"; added by the sentence type model (p={p_sentence:.2f}, candidate p={pk:.2f})"
            out[s].append(
                Prediction(
                    cand=cand,
                    plover_type=ptype,
                    p_type=pk if p_sentence is None else p_sentence,
                    status=statuses[j],
                    mode=self._mode(v, cand, ptype),
                    why=why,
                )
            )
        jobs: list[tuple[Prediction, list[int], int, int]] = []  # prediction, its role tokens, row span
        role_feats: list[list[str]] = []
        for s, (lo, hi) in enumerate(ranges):
            out[s] = _merge(v, out[s])
            for pred in out[s]:
                skip = frozenset([pred.cand.i, *pred.extra, *dateline(v, lo, hi)])
                tokens, rrows = role_rows(v, pred.cand.i, pred.cand.kind, pred.plover_type, lo, hi, skip)
                if tokens:
                    jobs.append((pred, tokens, len(role_feats), len(role_feats) + len(rrows)))
                    role_feats.extend(rrows)
        if jobs:
            rp = m.role_model.proba_many(role_feats)
            for pred, tokens, a, b in jobs:
                roles = choose_roles(
                    v, tokens, rp[a:b], actor_threshold=self._actor_threshold,
                    recipient_threshold=self._recipient_threshold, actor_fallback=self._actor_fallback,
                    recipient_fallback=self._recipient_fallback,
                )  # fmt: skip
                pred.actors, pred.recipients = roles.actors, roles.recipients
        for preds in out:
            for pred in preds:
                self._own_actor(v, pred)
        return out

    def _own_actor(self, v: DocView, pred: Prediction) -> None:
        """A trigger that names the people doing the event ("the protesters" of a PROTEST) is its own actor: the
        role model never sees the trigger as a candidate, and would take the subject of the verb it hangs from
        ("Police did not arrest the protesters")."""
        i = pred.cand.i
        if pred.cand.kind != "N" or v.lemma[i] not in self.lexicon.participant_nouns:
            return
        lo, hi = arg_bounds(v, i)
        pred.actors = [i]
        pred.recipients = [c for c in pred.recipients if not lo <= c <= hi]

    def _second_opinion(
        self, v: DocView, ranges: list[tuple[int, int]], cands: list[tuple[int, Candidate]],
        chosen: list[tuple[int, int, float]], statuses: list[str], classes: list[str], sentence: SentenceTypeModel,
    ) -> list[tuple[int, float | None]]:  # fmt: skip
        """The sentence type model's say over ``chosen`` (row, type, probability): see ``sentence.select``."""
        by_sentence: list[list[int]] = [[] for _ in ranges]
        for j, (r, _, _) in enumerate(chosen):
            by_sentence[cands[r][0]].append(j)
        texts = [v.doc_text[v.idx[lo] : v.end_char(hi - 1)] for lo, hi in ranges]
        probs = sentence.proba_many([t for t, js in zip(texts, by_sentence, strict=True) if js])
        picked: list[tuple[int, float | None]] = []
        row = 0
        for js in by_sentence:
            if not js:
                continue
            p = dict(zip(sentence.types, (float(x) for x in probs[row]), strict=True))
            row += 1
            items = [
                CandidateEvent(classes[chosen[j][1]], chosen[j][2], statuses[j] not in _UNCOUNTED) for j in js
            ]
            for i, p_added in select(
                items, p, threshold=self._type_threshold, gate=self._gate, add=self._add, floor=self._floor
            ):
                picked.append((js[i], p_added))
        return picked

    def _mode(self, v: DocView, cand: Candidate, ptype: str) -> str | None:
        allowed = self._modes.get(ptype) or frozenset()
        if not allowed:
            return None
        mm = self.model.mode_model
        p = mm.proba(mode_features(v, cand, ptype))
        best, best_p = None, 0.0
        for k, name in enumerate(mm.classes):
            if (name in allowed or name == NONE) and p[k] > best_p:
                best, best_p = name, float(p[k])
        return None if best in (None, NONE) else best

    # ------------------------------------------------------------------ assembly

    def _event(
        self, v: DocView, p: Prediction, index: int, lo: int, hi: int, article_id: str, context: Any
    ) -> Event:
        resolver = self.resolver
        actor_pairs = link_tokens(v, p.actors, resolver, context)
        recipient_pairs = link_tokens(v, p.recipients, resolver, context)
        fill_countries(
            self.model.fill_model, v, p.plover_type, actor_pairs, recipient_pairs, sentence_countries(v, lo, hi),
            context, threshold=float(self.model.thresholds.get("fill", 0.5)),
        )  # fmt: skip
        actors, recipients = _drop_shared(dedupe(actor_pairs), dedupe(recipient_pairs))
        if not any(a.country for a in actors):
            # rules as a fallback: the rule coder's actors for an event of the same type in this sentence
            fallback = self._rule_event(v, index, lo, hi, p.plover_type, article_id, context)
            # never the dateline's city ("SEOUL, Nov 5 (Wire) --"): it says where the report was filed
            opening = dateline(v, lo, hi)
            filed = v.end_char(opening[-1]) if opening else -1
            kept = [a for a in fallback.actors if a.start >= filed] if fallback is not None else []
            if any(a.country for a in kept):
                actors = [replace(a, rule=f"{a.rule}+rules-fallback") for a in kept]
        i = p.cand.i
        toks = [i, *p.extra]
        first = min(toks) if max(toks) - min(toks) <= 3 else i
        last = max(toks) if max(toks) - min(toks) <= 3 else i
        start, end = v.idx[first], v.end_char(last)
        sent_start, sent_end = v.idx[lo], v.end_char(hi - 1)
        doc_text = v.doc_text
        sent_text = doc_text[sent_start:sent_end]
        negated = p.status == "negated"
        tense = {"future": "future", "hypothetical": "hypothetical"}.get(p.status) or (
            "present" if v.tag[i] in ("VBZ", "VBP") else "past"
        )
        label = None
        if (
            p.plover_type in ("ASSAULT", "PROTEST", "COERCE", "SANCTION", "MOBILIZE", "RETREAT")
            and not negated
        ):
            labels = v.__dict__.setdefault("_acled_labels", {})  # one cue reading per sentence
            if index not in labels:
                labels[index] = self._sentence_acled(sent_text)
            label = labels[index]
        two_sided = (
            v.lemma[i] in _TWO_SIDED or len({a.country for a in actors if a.country}) > 1 and not recipients
        )
        return Event(
            id=_event_id(article_id, index, start, end, p.plover_type),
            article_id=article_id,
            sentence=index,
            text=sent_text,
            sent_start=sent_start,
            trigger=doc_text[start:end],
            trigger_start=start,
            trigger_end=end,
            plover_type=p.plover_type,
            mode=p.mode,
            context=[],
            cameo_code=cameo_for(p.plover_type, p.mode),
            acled_type=acled_for(p.plover_type, p.mode, sentence_label=label, two_sided=two_sided)
            if not negated and p.status != "hypothetical"
            else None,
            actors=actors,
            recipients=recipients,
            negated=negated,
            tense=tense,
            confidence=round(p.p_type, 3),
            rule=p.why,
            coder_version=self.version,
        )

    def _rules_coder(self) -> Any:
        if self._rules is None:
            from ..events import EventCoder

            self._rules = EventCoder(resolver=self._resolver, acled=self._acled)
        return self._rules

    def _rule_event(
        self, v: DocView, index: int, lo: int, hi: int, plover_type: str, article_id: str, context: Any
    ) -> Event | None:
        """The rule coder's first event of ``plover_type`` in the sentence (coded once per sentence)."""
        cache = v.__dict__.setdefault("_rule_events", {})
        if index not in cache:
            try:
                cache[index] = self._rules_coder()._code_sentence(v.doc[lo:hi], index, article_id=article_id,
                                                                  context=context)  # fmt: skip
            except Exception:  # the fallback is a courtesy: a sentence the rules cannot read has none
                log.debug("rule fallback failed on sentence %d", index, exc_info=True)
                cache[index] = []
        return next((e for e in cache[index] if e.plover_type == plover_type and not e.negated), None)

    def rule_hints(self, doc: Any) -> dict[int, str]:
        """What rules-0.2.0's lexicon and modality rules say of each predicate (features, not decisions)."""
        hints: dict[int, str] = self._rules_coder().hints(doc)
        return hints

    def _acled_classifier(self) -> AcledClassifier:
        if self._acled is None:
            self._acled = AcledClassifier()
        return self._acled

    def _sentence_acled(self, text: str) -> str | None:
        label: str | None = self._acled_classifier().classify(text)
        return label

    def acled_label(self, text: str, events: list[Event]) -> str | None:
        """The record's main ACLED-style label given its coded events."""
        return self._acled_label(text, events)

    def _acled_label(self, text: str, events: list[Event]) -> str | None:
        label: str | None = self._acled_classifier().classify(text)
        if label is not None:
            return label
        for e in events:
            if (
                e.acled_type not in (None, "ATTACK", "ARMED_CLASH")
                and not e.negated
                and e.tense in ("past", "present")
            ):
                return e.acled_type
        return None


# Types whose negated trigger is itself the event: "would not support the bill" is a REJECT, "did not show good
# judgment" an ACCUSE, both asserted (NEWS_GUIDE.md: "refused to" is REJECT and asserted).
_NEGATION_IS_THE_EVENT = frozenset({"REJECT", "ACCUSE"})


def negation_status(v: DocView, i: int, plover_type: str, status: str) -> str:
    """The status model's status, except that a trigger the parse negates ("did not arrest", "never met") is
    negated when its type is not one whose negation is the event. The status model learns this too weakly: in the
    training labels a negated trigger is mostly a REJECT or ACCUSE and asserted (33 of 63), but of the other types'
    negated triggers 16 of 21 are annotated negated."""
    if status != "asserted" or plover_type in _NEGATION_IS_THE_EVENT:
        return status
    return "negated" if is_negated(v, i) else status


def attach_mentions(v: DocView, context: Any) -> None:
    """Mark each token that lies in an actor mention the resolver found (a feature of the role model)."""
    if v.mention_at or context is None:
        return
    for m in getattr(context, "mentions", None) or []:
        actor = getattr(m, "actor", None)
        if actor is None:
            continue
        k = bisect.bisect_left(v.idx, m.start)
        while k < len(v.idx) and v.idx[k] < m.end:
            v.mention_at[k] = actor
            k += 1


def _optional(x: Any) -> float | None:
    return None if x is None else float(x)


def _merge(v: DocView, preds: list[Prediction]) -> list[Prediction]:
    """One event for a predicate the parse splits in two: a light verb and its noun ("held talks"), a verb and
    its complement of the same type ("agreed to meet"), a compound ("air strikes")."""
    by_tok = {p.cand.i: p for p in preds}
    dropped: set[int] = set()
    for p in sorted(preds, key=lambda x: x.cand.i):
        j = p.cand.i
        h = v.head[j]
        if v.dep[j] == "pobj" and h != j and v.head[h] != h:
            h = v.head[h]
        q = by_tok.get(h)
        if q is None or q is p or h in dropped or v.dep[j] not in _MERGE_DEPS:
            continue
        if q.plover_type != p.plover_type:
            continue
        q.extra.append(j)
        q.p_type = max(q.p_type, p.p_type)
        if q.mode is None:
            q.mode = p.mode
        dropped.add(j)
    return [p for p in preds if p.cand.i not in dropped]


def _drop_shared(
    actors: list[CodedActor], recipients: list[CodedActor]
) -> tuple[list[CodedActor], list[CodedActor]]:
    """The same phrase is never both actor and recipient."""
    spans = {(a.start, a.end) for a in actors}
    return actors, [r for r in recipients if (r.start, r.end) not in spans]


def _why(model: Any, feats: list[str], k: int) -> str:
    """The three features that pushed hardest for the chosen type, for an analyst reading the event."""
    idx = model.index(feats)
    if not idx:
        return "model"
    contrib = model.weights[idx, k]
    top = np.argsort(-contrib)[:3]
    return "model: " + ", ".join(model.feature_name(idx[t]) for t in top if contrib[t] > 0)


def _event_id(article_id: str, sentence: int, start: int, end: int, plover_type: str) -> str:
    raw = f"{article_id}:{sentence}:{start}:{end}:{plover_type}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

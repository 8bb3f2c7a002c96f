"""Training the event models from stand-off labels: parse each labelled sentence with the project pipeline, line
the annotated triggers and argument phrases up with the candidates the parse proposes, fit the four classifiers,
pick the decision threshold on a tuning part of the training split, refit on the whole training split, and score
the held-out test split (fixed in the labels before any training) with the news scorer, beside the rule coder.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..codes import EVENT_STATUSES
from ..errors import ConfigError
from .candidates import Candidate, candidates
from .coder import NONE, LearnedCoder, attach_mentions
from .codes import PLOVER_TYPES, all_modes
from .features import (
    argument_candidates,
    fill_features,
    mode_features,
    predicate_features,
    role_features,
    status_features,
)
from .fill import candidates_for, sentence_countries
from .labels import GoldEvent, LabelledSentence, to_gold_json
from .lexicon import Lexicon, load_lexicon
from .linear import LinearModel, fit
from .linking import link_tokens
from .model import EventModel
from .roles import ROLE_CLASSES, is_passive
from .scoring import score_news
from .sentence import CandidateEvent, SentenceTypeModel, select
from .view import DocView, doc_view

log = logging.getLogger(__name__)

_MERGE_DEPS = frozenset({"dobj", "attr", "oprd", "pobj", "xcomp", "compound"})


@dataclass
class TrainConfig:
    seed: int = 13
    l2_type: float = 2.0
    l2_status: float = 2.0
    l2_mode: float = 1.0
    l2_role: float = 1.0
    min_count: int = 2
    max_iter: int = 300
    tune_share: int = 15  # percent of training articles held out to choose the type threshold
    rule_hints: bool = True  # read rules-0.2.0's opinion of each predicate as features
    # the parser's token vectors as dense features: measured no better on the tuning part (type F1 0.464 with,
    # 0.474 without, 2026-12-03), and they tie a model to one parser's weights, so they are off by default
    use_tensor: bool = False
    thresholds: tuple[float, ...] = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
    # the sentence type model's second opinion (when there is one): the grid gate x add x floor
    sentence_gates: tuple[float, ...] = (0.0, 0.02, 0.05, 0.1, 0.2)
    sentence_adds: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    sentence_floors: tuple[float, ...] = (0.02, 0.05, 0.1)
    role_thresholds: tuple[float, ...] = (0.3, 0.4, 0.5)
    # an empty role takes its likeliest candidate above this (None: stays empty); chosen last, on the whole coder
    role_fallbacks: tuple[float | None, ...] = (None, 0.1, 0.15, 0.2)


@dataclass
class Parsed:
    sentence: LabelledSentence
    view: DocView
    context: Any


@dataclass
class Examples:
    type_rows: list[list[str]] = field(default_factory=list)
    type_labels: list[str] = field(default_factory=list)
    type_vecs: list[np.ndarray] = field(default_factory=list)
    status_rows: list[list[str]] = field(default_factory=list)
    status_labels: list[str] = field(default_factory=list)
    status_vecs: list[np.ndarray] = field(default_factory=list)
    mode_rows: list[list[str]] = field(default_factory=list)
    mode_labels: list[str] = field(default_factory=list)
    role_rows: list[list[str]] = field(default_factory=list)
    role_labels: list[str] = field(default_factory=list)
    fill_rows: list[list[str]] = field(default_factory=list)
    fill_labels: list[str] = field(default_factory=list)
    missed_triggers: int = 0
    gold_triggers: int = 0


def article_key(s: LabelledSentence) -> str:
    return f"{s.source}\t{s.record}"


def _in_tuning(s: LabelledSentence, share: int) -> bool:
    """A fixed share of the real articles of the training split; sentences written for training always fit, since
    thresholds chosen on them would be chosen for text the coder never meets."""
    if s.written:
        return False
    return int(hashlib.sha1(("tune\t" + article_key(s)).encode("utf-8")).hexdigest(), 16) % 100 < share


def parse_all(
    sentences: Sequence[LabelledSentence],
    *,
    nlp: Any,
    resolver: Any,
    progress: Callable[[str], None] | None = None,
    hints: Callable[[Any], dict[int, str]] | None = None,
) -> list[Parsed]:
    out: list[Parsed] = []
    started = time.perf_counter()
    for n, (doc, s) in enumerate(nlp.pipe(((s.text, s) for s in sentences), as_tuples=True, batch_size=64)):
        v = doc_view(doc)
        # the publisher's country when the record gives a web address, as a run reads an article
        context = resolver.context_for(doc, site=s.url or None) if resolver is not None else None
        attach_mentions(v, context)
        if hints is not None:
            v.hints = hints(doc)
        out.append(Parsed(s, v, context))
        if progress and (n + 1) % 1000 == 0:
            progress(f"parsed {n + 1} of {len(sentences)} sentences ({time.perf_counter() - started:.0f} s)")
    return out


def _tokens_in(v: DocView, start: int, end: int) -> list[int]:
    return [t for t in range(len(v)) if start <= v.idx[t] < end]


def _span_head(v: DocView, toks: list[int]) -> int | None:
    inside = set(toks)
    for t in toks:
        if v.head[t] not in inside or v.head[t] == t:
            return t
    return toks[0] if toks else None


def trigger_nouns(parsed: Sequence[Parsed]) -> frozenset[str]:
    """Lemmas of the nouns annotators marked as triggers: they become candidates."""
    out: set[str] = set()
    for p in parsed:
        v = p.view
        for e in p.sentence.events:
            for t in _tokens_in(v, *e.trigger):
                if v.pos[t] in ("NOUN", "PROPN"):
                    out.add(v.lemma[t])
    return frozenset(out)


def build_examples(
    parsed: Sequence[Parsed],
    lex: Lexicon,
    nouns: frozenset[str],
    *,
    use_tensor: bool = True,
    resolver: Any = None,
) -> Examples:
    ex = Examples()
    for p in parsed:
        v = p.view
        n = len(v)
        cands = list(candidates(v, 0, n, nouns))
        by_i = {c.i: c for c in cands}
        label: dict[int, GoldEvent] = {}
        primaries: list[tuple[GoldEvent, Candidate, set[int]]] = []
        for e in p.sentence.events:
            ex.gold_triggers += 1
            toks = _tokens_in(v, *e.trigger)
            pos = [t for t in toks if t in by_i]
            if not pos:
                ex.missed_triggers += 1
                continue
            for t in pos:
                label.setdefault(t, e)
            head = _span_head(v, pos)
            if head is not None:
                primaries.append((e, by_i[head], set(pos)))
        ignore: set[int] = set()
        for t in label:
            h = v.head[t]
            if v.dep[t] == "pobj" and h != t and v.head[h] != h:
                h = v.head[h]
            if v.dep[t] in _MERGE_DEPS and h in by_i and h not in label:
                ignore.add(h)  # "held" of "held talks" when only "talks" was marked
            for ch in v.children[t]:
                if v.dep[ch] in _MERGE_DEPS and ch in by_i and ch not in label:
                    ignore.add(ch)
        sent_end = n
        for c in cands:
            if c.i in ignore:
                continue
            feats = predicate_features(v, c, lex, sent_end)
            vec = v.tensor[c.i] if (use_tensor and v.tensor is not None) else None
            gold = label.get(c.i)
            ex.type_rows.append(feats)
            ex.type_labels.append(gold.type if gold else NONE)
            if vec is not None:
                ex.type_vecs.append(vec)
            if gold is not None:
                ex.status_rows.append(status_features(feats, gold.type))
                ex.status_labels.append(gold.status if gold.status in EVENT_STATUSES else "asserted")
                if vec is not None:
                    ex.status_vecs.append(vec)
                ex.mode_rows.append(mode_features(v, c, gold.type))
                ex.mode_labels.append(gold.mode or NONE)
        for e, cand, marked in primaries:
            roles: dict[int, str] = {}
            inside: set[int] = set()
            gold_country: dict[int, str | None] = {}
            for role, args in (("ACTOR", e.actors), ("RECIPIENT", e.recipients)):
                for a in args:
                    toks = _tokens_in(v, a.start, a.end)
                    head = _span_head(v, toks)
                    if head is None:
                        continue
                    roles.setdefault(head, role)
                    gold_country.setdefault(head, a.country)
                    inside.update(toks)
            if resolver is not None:
                _fill_examples(ex, p, e.type, roles, gold_country, resolver)
            passive = is_passive(v, cand.i)
            for a_tok, path in argument_candidates(v, cand.i, 0, n, frozenset(marked)):
                if a_tok in inside and a_tok not in roles:
                    continue
                ex.role_rows.append(
                    role_features(v, cand.i, cand.kind, e.type, a_tok, path, passive, v.mention_at.get(a_tok))
                )
                ex.role_labels.append(roles.get(a_tok, "NONE"))
    return ex


def _fill_examples(
    ex: Examples,
    p: Parsed,
    ptype: str,
    roles: dict[int, str],
    gold_country: dict[int, str | None],
    resolver: Any,
) -> None:
    """Country-fill examples: for each gold argument the dictionary leaves without a country, every candidate
    country, labelled by whether it is the annotated one."""
    v = p.view
    actors = link_tokens(v, [t for t, r in roles.items() if r == "ACTOR"], resolver, p.context)
    recipients = link_tokens(v, [t for t, r in roles.items() if r == "RECIPIENT"], resolver, p.context)
    in_sentence = sentence_countries(v, 0, len(v))
    for role, items in (("A", actors), ("R", recipients)):
        for k, (tok, actor) in enumerate(items):
            if actor.country:
                continue
            gold = gold_country.get(tok)
            for src, cc in candidates_for(k, role, actors, recipients, in_sentence, p.context):
                ex.fill_rows.append(
                    fill_features(v, tok, role=role, ptype=ptype, sector=actor.sector, source=src, country=cc,
                                  sentence_countries=in_sentence)
                )  # fmt: skip
                ex.fill_labels.append("yes" if gold == cc else "no")


def fit_models(ex: Examples, config: TrainConfig, modes: Sequence[str]) -> dict[str, LinearModel]:
    tv = np.vstack(ex.type_vecs) if ex.type_vecs and len(ex.type_vecs) == len(ex.type_rows) else None
    sv = np.vstack(ex.status_vecs) if ex.status_vecs and len(ex.status_vecs) == len(ex.status_rows) else None
    type_classes = [NONE, *PLOVER_TYPES]
    return {
        "type": fit("type", ex.type_rows, ex.type_labels, classes=type_classes, vecs=tv, l2=config.l2_type,
                    min_count=config.min_count, max_iter=config.max_iter),
        "status": fit("status", ex.status_rows, ex.status_labels, classes=list(EVENT_STATUSES), vecs=sv,
                      l2=config.l2_status, min_count=config.min_count, max_iter=config.max_iter),
        "mode": fit("mode", ex.mode_rows, ex.mode_labels, classes=[NONE, *modes], l2=config.l2_mode,
                    min_count=1, max_iter=config.max_iter),
        "role": fit("role", ex.role_rows, ex.role_labels, classes=list(ROLE_CLASSES), l2=config.l2_role,
                    min_count=config.min_count, max_iter=config.max_iter),
        **({"fill": fit("fill", ex.fill_rows, ex.fill_labels, classes=["no", "yes"], l2=config.l2_role,
                        min_count=config.min_count, max_iter=config.max_iter)}
           if {"yes", "no"} <= set(ex.fill_labels) else {}),
    }  # fmt: skip


def _bundle(
    models: dict[str, LinearModel], nouns: frozenset[str], thresholds: dict[str, float], meta: dict[str, Any]
) -> EventModel:
    return EventModel(
        type_model=models["type"], status_model=models["status"], mode_model=models["mode"],
        role_model=models["role"], trigger_nouns=nouns, thresholds=thresholds, meta=meta,
        fill_model=models.get("fill"),
    )  # fmt: skip


def predict(coder: Any, parsed: Sequence[Parsed]) -> list[dict[str, Any]]:
    """``newswatch code``-shaped predictions of a coder (learned or rules) for parsed sentences."""
    out = []
    for p in parsed:
        events = coder.code_doc(p.view.doc, article_id=p.sentence.sid, context=p.context)
        out.append({
            "id": p.sentence.sid,
            "events": [
                {"type": e.plover_type, "negated": e.negated, "tense": e.tense, "confidence": e.confidence,
                 "actors": [a.as_json() for a in e.actors], "recipients": [a.as_json() for a in e.recipients]}
                for e in events
            ],
        })  # fmt: skip
    return out


def choose_second_opinion(
    gold: list[dict[str, Any]], low: list[dict[str, Any]], probs: list[dict[str, float]], *, threshold: float,
    config: TrainConfig,
) -> dict[str, Any]:  # fmt: skip
    """The sentence type model's gate/add/floor with the best type F1 + full F1 on ``gold``, given the coder's
    predictions ``low`` coded down to the smallest floor (with confidences) and each sentence's type
    probabilities; also the figures with and without it."""

    def apply(gate: float, add: float, floor: float) -> list[dict[str, Any]]:
        out = []
        for rec, p in zip(low, probs, strict=True):
            events = rec["events"]
            cands = [
                CandidateEvent(e["type"], e["confidence"], not e["negated"] and e["tense"] != "hypothetical")
                for e in events
            ]
            picks = select(cands, p, threshold=threshold, gate=gate, add=add, floor=floor)
            out.append({**rec, "events": [events[i] for i, _ in picks]})
        return out

    without = score_news(gold, apply(0.0, 2.0, threshold))
    best: tuple[float, tuple[float, float, float], dict[str, Any]] = (-1.0, (0.0, 2.0, threshold), without)
    for gate in config.sentence_gates:
        for add in config.sentence_adds:
            for floor in config.sentence_floors:
                f = score_news(gold, apply(gate, add, floor))
                if f["type_f1"] + f["full_f1"] > best[0] + 1e-9:
                    best = (f["type_f1"] + f["full_f1"], (gate, add, floor), f)
    (gate, add, floor), f = best[1], best[2]
    return {
        "sentence_gate": gate, "sentence_add": add, "sentence_floor": floor, "type_f1": f["type_f1"],
        "full_f1": f["full_f1"], "without_type_f1": without["type_f1"], "without_full_f1": without["full_f1"],
    }  # fmt: skip


def choose_fallbacks(
    on_tuning: Callable[[dict[str, Any]], dict[str, Any]], thresholds: dict[str, Any], config: TrainConfig,
    say: Callable[[str], None],
) -> dict[str, float]:  # fmt: skip
    """The roles' fallback thresholds (see ``roles.choose_roles``) with the best full F1 on the tuning part, the
    other thresholds as chosen; none (an empty dict) unless one beats leaving empty roles empty."""
    base = on_tuning(thresholds)["full_f1"]
    best: tuple[float, float | None, float | None] = (base, None, None)
    for fa in config.role_fallbacks:
        for fr in config.role_fallbacks:
            if fa is None and fr is None:
                continue
            full = on_tuning({**thresholds, "actor_fallback": fa, "recipient_fallback": fr})["full_f1"]
            if full > best[0] + 1e-9:
                best = (full, fa, fr)
    say(f"role fallbacks: actor {best[1]}, recipient {best[2]} (full F1 {best[0]:.3f} on tuning; without {base:.3f})")
    chosen = {"actor_fallback": best[1], "recipient_fallback": best[2]}
    return {k: v for k, v in chosen.items() if v is not None}


def train_events(
    sentences: Sequence[LabelledSentence],
    *,
    nlp: Any,
    resolver: Any,
    config: TrainConfig | None = None,
    lexicon: Lexicon | None = None,
    meta: dict[str, Any] | None = None,
    baseline: Any = None,
    rules: Any = None,
    progress: Callable[[str], None] | None = None,
    sentence_model: SentenceTypeModel | None = None,
) -> tuple[EventModel, dict[str, Any]]:
    """Train on the sentences whose split is "train"; score those whose split is "test".

    ``sentence_model`` (already trained; see ``sentence``) is bundled with the model as a second opinion, its
    gate/add/floor chosen on the tuning part.

    ``rules`` is the rule coder rules-0.2.0 whose opinion the models read and whose actors stand in when the
    model's have no country, as in a run (default: one over ``resolver``); ``baseline`` is scored beside.
    """
    config = config or TrainConfig()
    lex = lexicon or load_lexicon()
    say = progress or (lambda msg: log.info("%s", msg))
    modes = all_modes()
    train = [s for s in sentences if s.split != "test"]
    test = [s for s in sentences if s.split == "test"]
    if not train:
        raise ConfigError(
            f'every one of the {len(test)} labelled sentences is in the test split ("split": "test"); mark the '
            'articles to train on with "split": "train" (a label without "split" is a training one)'
        )
    say(f"{len(train)} training and {len(test)} test sentences; parsing")
    if not test:
        say('no test split in the labels ("split": "test"): the model\'s figures cannot be measured; mark about '
            "15 in 100 articles as test before training to know how it does on text it has not seen")  # fmt: skip
    meta = dict(meta or {})
    meta["rule_hints"] = config.rule_hints
    if rules is None:
        from ..events import EventCoder

        rules = EventCoder(resolver=resolver)
    hint_fn = rules.hints if config.rule_hints else None
    parsed_train = parse_all(train, nlp=nlp, resolver=resolver, progress=say, hints=hint_fn)
    parsed_test = parse_all(test, nlp=nlp, resolver=resolver, progress=say, hints=hint_fn)
    fit_part = [p for p in parsed_train if not _in_tuning(p.sentence, config.tune_share)]
    tune_part = [p for p in parsed_train if _in_tuning(p.sentence, config.tune_share)]
    # 1. fit without the tuning articles and choose the type threshold on them
    nouns = trigger_nouns(fit_part)
    t0 = time.perf_counter()
    ex = build_examples(fit_part, lex, nouns, resolver=resolver, use_tensor=config.use_tensor)
    say(f"tuning fit: {len(ex.type_rows)} predicate candidates, {len(ex.role_rows)} role candidates")
    models = fit_models(ex, config, modes)
    tune_gold = to_gold_json(p.sentence for p in tune_part)

    def on_tuning(th: dict[str, Any], second: SentenceTypeModel | None = None) -> dict[str, Any]:
        bundle = _bundle(models, nouns, th, meta)
        bundle.sentence_model = second
        coder = LearnedCoder(model=bundle, resolver=resolver, lexicon=lex, rules=rules)
        return score_news(tune_gold, predict(coder, tune_part))

    best = (0.5, -1.0)
    for th in config.thresholds:
        figures = on_tuning({"type": th})
        score = figures["type_f1"] + figures["full_f1"]
        say(
            f"threshold {th:.2f}: type F1 {figures['type_f1']:.3f}, full F1 {figures['full_f1']:.3f} on {len(tune_part)} tuning sentences"
        )
        if score > best[1]:
            best = (th, score)
    # then the role thresholds, at that type threshold: recipients are often left out when unsure
    roles_best = (0.5, 0.5, -1.0)
    for ta in config.role_thresholds:
        for tr in config.role_thresholds:
            figures = on_tuning({"type": best[0], "actor": ta, "recipient": tr})
            if figures["full_f1"] > roles_best[2]:
                roles_best = (ta, tr, figures["full_f1"])
    say(
        f"role thresholds: actor {roles_best[0]}, recipient {roles_best[1]} (full F1 {roles_best[2]:.3f} on tuning)"
    )
    thresholds = {"type": best[0], "actor": roles_best[0], "recipient": roles_best[1]}
    if sentence_model is not None:
        low = predict(
            LearnedCoder(
                model=_bundle(models, nouns, {**thresholds, "type": min(config.sentence_floors)}, meta),
                resolver=resolver, lexicon=lex, rules=rules,
            ),
            tune_part,
        )  # fmt: skip
        probs = sentence_model.proba_many([p.sentence.text for p in tune_part])
        chosen = choose_second_opinion(
            tune_gold, low, [dict(zip(sentence_model.types, map(float, row), strict=True)) for row in probs],
            threshold=thresholds["type"], config=config,
        )  # fmt: skip
        say(
            f"sentence type model: gate {chosen['sentence_gate']}, add {chosen['sentence_add']}, floor "
            f"{chosen['sentence_floor']} (type F1 {chosen['type_f1']:.3f}, full F1 {chosen['full_f1']:.3f} on "
            f"tuning; without it {chosen['without_type_f1']:.3f} / {chosen['without_full_f1']:.3f})"
        )
        thresholds.update({k: chosen[k] for k in ("sentence_gate", "sentence_add", "sentence_floor")})
    thresholds.update(choose_fallbacks(lambda th: on_tuning(th, sentence_model), thresholds, config, say))
    # 2. refit on the whole training split
    nouns = trigger_nouns(parsed_train)
    ex = build_examples(parsed_train, lex, nouns, resolver=resolver, use_tensor=config.use_tensor)
    models = fit_models(ex, config, modes)
    train_seconds = time.perf_counter() - t0
    counts = Counter(e.type for s in train for e in s.events)
    report: dict[str, Any] = {
        "train_sentences": len(train),
        "test_sentences": len(test),
        "train_events": sum(counts.values()),
        "train_events_per_type": dict(sorted(counts.items())),
        "predicate_candidates": len(ex.type_rows),
        "role_candidates": len(ex.role_rows),
        "fill_candidates": len(ex.fill_rows),
        "triggers_missed_by_candidates": f"{ex.missed_triggers} of {ex.gold_triggers}",
        "thresholds": thresholds,
        "seed": config.seed,
        "fit_seconds": round(train_seconds, 1),
    }
    model = _bundle(models, nouns, thresholds, meta)
    model.sentence_model = sentence_model
    if test:
        test_gold = to_gold_json(p.sentence for p in parsed_test)
        coder = LearnedCoder(model=model, resolver=resolver, lexicon=lex, rules=rules)
        report["test"] = score_news(test_gold, predict(coder, parsed_test))
        if baseline is not None:
            report["test_baseline"] = score_news(test_gold, predict(baseline, parsed_test))
    model.meta.setdefault("figures", {})["test"] = report.get("test")
    model.meta["training"] = {k: v for k, v in report.items() if k not in ("test", "test_baseline")}
    return model, report


_FIGURES = (
    "type_p",
    "type_r",
    "type_f1",
    "full_p",
    "full_r",
    "full_f1",
    "actor_f1",
    "recipient_f1",
    "quiet_rate",
)


def model_card(model: EventModel, report: dict[str, Any], *, notes: str = "") -> str:
    """A model card: what the model is, what it was trained on, how it scores on held-out data."""
    meta = model.meta
    lines = [
        f"# Event model {model.version}",
        "",
        "A newswatch event coder model: four multinomial logistic regressions over parse features and the",
        "parser's token vectors (event type or none per candidate predicate; status asserted/future/negated/",
        "hypothetical; PLOVER mode; actor/recipient/none per candidate phrase). Actor countries come from the",
        "actor dictionary, not from the model.",
        "",
        "## Training",
        f"- command: `{meta.get('command', 'newswatch train events')}`",
        f"- labels: {meta.get('labels', '?')}; sentences: {report.get('train_sentences')} training, "
        f"{report.get('test_sentences')} test (split by article, fixed in the labels before training)",
        *(
            [f"- label lines left out (a missing or changed text, or a label the guide does not allow): "
             f"{report['labels_left_out']}"]
            if report.get("labels_left_out")
            else []
        ),  # fmt: skip
        f"- events in training: {report.get('train_events')}; per type: "
        + ", ".join(f"{k} {v}" for k, v in (report.get("train_events_per_type") or {}).items()),
        f"- candidates: {report.get('predicate_candidates')} predicates, {report.get('role_candidates')} role "
        f"phrases; gold triggers no candidate covered: {report.get('triggers_missed_by_candidates')}",
        f"- decision thresholds (chosen on a tuning part of the training split): {report.get('thresholds')}",
        f"- seed {report.get('seed')}; fit time {report.get('fit_seconds')} s",
        "",
        "## Figures on the held-out test split",
        "",
    ]
    if report.get("test"):
        lines += ["| coder | " + " | ".join(_FIGURES) + " |", "|---|" + "---|" * len(_FIGURES)]
    else:
        lines.append('Not measured: the labels had no test split ("split": "test").')
    for key, label in (("test", model.version), ("test_baseline", "rules-0.2.0")):
        figs = report.get(key)
        if figs:
            lines.append(f"| {label} | " + " | ".join(f"{figs.get(f, 0):.3f}" for f in _FIGURES) + " |")
    test = report.get("test") or {}
    if test.get("per_type"):
        lines += ["", "Per type on the test split (true positives / predicted / gold):", ""]
        lines.append(
            ", ".join(f"{t} {v['tp']}/{v['pred']}/{v['gold']}" for t, v in sorted(test["per_type"].items()))
        )
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"

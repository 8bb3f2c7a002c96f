"""Score the event coder against gold files whose path the user gives: PLOVER-style sentence gold (type
accuracy, per-type P/R/F1, actor and recipient country F1, full-match rate, confusion), ACLED-style snippet
labels (CASE 2021 task 2: weighted F1, per-label table, confusion) and the PETRARCH-2 unit-test records
(robustness and over-generation: events produced against the expected count). The format is detected from
the first record.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..acled import NON_POLITICAL_LABELS
from ..coder.scoring import is_news_gold, news_gold_problem, score_news
from ..errors import InputError
from ..events import EventCoder, main_event
from ..models import Event
from ..registry import Stages
from . import read_jsonl

log = logging.getLogger(__name__)

# CAMEO-era country codes the PLOVER gold still uses, read as their ISO-3 codes
_OLD_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
_IGO_FOLD = {"UNO": "IGO", "EUR": "IGO"}
NONE = "NONE"


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class EventScores:
    """Figures of one evaluation run; ``format`` says which gold kind was scored."""

    format: str
    n: int = 0
    figures: dict[str, float] = field(default_factory=dict)
    per_label: dict[str, PRF] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    # news gold: the figures of only the events at or above each confidence cutoff (what a user who filters
    # events by confidence gets); keys are the cutoffs
    by_confidence: dict[float, dict[str, float]] = field(default_factory=dict)


def detect_format(record: dict[str, Any]) -> str:
    """'news', 'plover', 'acled' or 'petrarch' from the shape of one gold record."""
    if "expected" not in record and is_news_gold(record):
        return "news"
    expected = record.get("expected")
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        if "event" in expected[0]:
            return "plover"
        if "cameo_code" in expected[0]:
            return "petrarch"
    if isinstance(expected, list) and "text" in record:
        return "petrarch"
    if "label" in record and "text" in record:
        return "acled"
    raise InputError(
        "unknown gold format: expected exhaustive news records (text, events[].type), PLOVER records "
        "(expected[].event), ACLED-style records (text, label) or PETRARCH-2 unit tests (expected[].cameo_code)"
    )


def _codes(actors: list[dict[str, Any]] | None) -> set[str]:
    """Gold country codes of an actor list, with CAMEO-era codes read as ISO-3."""
    return {_OLD_CODES.get(str(a["code"]), str(a["code"])) for a in actors or [] if a.get("code")}


def evaluate_events(
    path: str | Path,
    *,
    limit: int | None = None,
    coder: Any = None,
    nlp: Any = None,
    show_errors: bool = False,
    un_as_igo: bool = False,
    split: str | None = None,
) -> EventScores:
    """Score the coder on the gold file at ``path``; the format is detected from its first record.

    ``un_as_igo`` reads UNO (United Nations) and EUR (European Union) as IGO on both sides: the 2016 PLOVER
    gold
    records code them as IGO, the current PLOVER manual gives them their own codes.
    """
    records = _records(path, limit=limit, split=split)
    coder = coder if coder is not None else Stages().coder
    docs = _parse(records, nlp)
    return _score(records, docs, coder, show_errors=show_errors, un_as_igo=un_as_igo)


def compare_coders(
    path: str | Path,
    *,
    coders: dict[str, Any],
    limit: int | None = None,
    nlp: Any = None,
    show_errors: bool = False,
    un_as_igo: bool = False,
    split: str | None = None,
) -> dict[str, EventScores]:
    """Scores of several coders on the same gold file and the same parses, keyed by name (e.g. the learned coder
    beside rules-0.2.0); only the records of ``split`` when one is named."""
    records = _records(path, limit=limit, split=split)
    docs = _parse(records, nlp)
    return {
        name: _score(records, docs, coder, show_errors=show_errors, un_as_igo=un_as_igo)
        for name, coder in coders.items()
    }


def _records(path: str | Path, *, limit: int | None, split: str | None) -> list[dict[str, Any]]:
    """The gold records to score: those of ``split`` when one is named (a record without "split" is a training
    one, as in ``newswatch train events``), at most ``limit``."""
    records = read_jsonl(path, limit=None if split else limit)
    if split:
        records = [r for r in records if r.get("split", "train") == split][:limit]
        if not records:
            raise InputError(
                f'{path} has no record with "split": "{split}"; give the split your labels name (train or test), '
                "or leave --split out to score every record",
                source=str(path),
            )
    _check_news(records, path)
    return records


def _check_news(records: Sequence[dict[str, Any]], path: str | Path) -> None:
    """A news gold file (detected from its first record) must be usable to its last record: a broken record
    would silently count as an event never found, or stop the scorer halfway."""
    if detect_format(records[0]) != "news":
        return
    bad = [
        f"record {n} (id {rec.get('id')!r}) {why}"
        for n, rec in enumerate(records, 1)
        if (why := news_gold_problem(rec)) is not None
    ]
    if bad:
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise InputError(
            f"{path}: {len(bad)} gold record(s) cannot be scored: {'; '.join(bad[:3])}{more}; fix them against "
            "the guide (eval/events/NEWS_GUIDE.md) or remove them",
            source=str(path),
        )


def _parse(records: Sequence[dict[str, Any]], nlp: Any) -> list[Any]:
    nlp = nlp if nlp is not None else Stages().nlp
    texts = [str(r.get("text") or "") for r in records]
    return list(nlp.pipe(texts, batch_size=32))


def _score(
    records: Sequence[dict[str, Any]], docs: Sequence[Any], coder: Any, *, show_errors: bool, un_as_igo: bool
) -> EventScores:
    fmt = detect_format(records[0])
    if fmt == "news":
        return _score_news(records, docs, coder, show_errors=show_errors)
    if fmt == "plover":
        return _score_plover(records, docs, coder, show_errors=show_errors, un_as_igo=un_as_igo)
    if fmt == "acled":
        return _score_acled(records, docs, coder, show_errors=show_errors)
    return _score_petrarch(records, docs, coder)


def _score_plover(
    records: Sequence[dict[str, Any]],
    docs: Sequence[Any],
    coder: EventCoder,
    *,
    show_errors: bool,
    un_as_igo: bool = False,
) -> EventScores:
    scores = EventScores(format="plover", n=len(records))
    fold = _IGO_FOLD if un_as_igo else {}

    def codes(actors: Iterable[Any]) -> set[str]:
        # an actor without a country is left out, as gold actors without a code are (``_codes``)
        return {fold.get(a.country, a.country) for a in actors if a.country}

    actor_prf, recip_prf = PRF(), PRF()
    correct_type = 0
    full = 0
    produced = 0
    per = scores.per_label
    for rec, doc in zip(records, docs, strict=True):
        gold = rec["expected"][0]
        gold_type = str(gold["event"])
        gold_actors = {fold.get(c, c) for c in _codes(gold.get("actors"))}
        gold_recips = {fold.get(c, c) for c in _codes(gold.get("recipients"))}
        events = coder.code_doc(doc, article_id=str(rec.get("id", "")))
        top = main_event(events, doc)
        pred_type = top.plover_type if top is not None else NONE
        pred_actors = codes(top.actors) if top else set()
        pred_recips = codes(top.recipients) if top else set()
        scores.confusion[(gold_type, pred_type)] += 1
        per.setdefault(gold_type, PRF())
        if pred_type != NONE:
            per.setdefault(pred_type, PRF())
        if pred_type == gold_type:
            correct_type += 1
            per[gold_type].tp += 1
        else:
            per[gold_type].fn += 1
            if pred_type != NONE:
                per[pred_type].fp += 1
        _add_sets(actor_prf, pred_actors, gold_actors)
        _add_sets(recip_prf, pred_recips, gold_recips)
        matched = any(
            e.plover_type == gold_type
            and codes(e.actors) == gold_actors
            and codes(e.recipients) == gold_recips
            for e in events
        )
        full += matched
        produced += len(events)
        if show_errors and not matched:
            scores.errors.append(
                f"{rec.get('id')}: gold {gold_type} {sorted(gold_actors)}->{sorted(gold_recips)} | pred "
                + (
                    f"{pred_type} {sorted(map(str, pred_actors))}->{sorted(map(str, pred_recips))} "
                    f"[{top.trigger!r} {top.rule}]"
                    if top
                    else NONE
                )
                + f" | {rec.get('text')}"
            )
    n = max(len(records), 1)
    scores.figures = {
        "type_accuracy": correct_type / n,
        "actor_country_f1": actor_prf.f1,
        "recipient_country_f1": recip_prf.f1,
        "full_match_rate": full / n,
        "macro_f1": sum(p.f1 for p in per.values()) / max(len(per), 1),
        "events_per_sentence": produced / n,
    }
    return scores


def _score_news(
    records: Sequence[dict[str, Any]], docs: Sequence[Any], coder: Any, *, show_errors: bool
) -> EventScores:
    """Exhaustive news gold: every event of every sentence, scored as ``newswatch code`` output would be."""
    predicted: list[dict[str, Any]] = []
    for rec, doc in zip(records, docs, strict=True):
        rid = str(rec.get("id", ""))
        # the article context from the coder's own resolver, with the publisher's country when the record gives
        # its address (as `newswatch code` reads it)
        site = rec.get("url") or rec.get("site")
        resolver = coder.resolver
        context = (
            resolver.context_for(doc, site=site if isinstance(site, str) else None) if resolver is not None else None
        )
        events = coder.code_doc(doc, article_id=rid, context=context)
        if coder.acled_label(str(rec.get("text") or ""), events) in NON_POLITICAL_LABELS:
            events = []
        predicted.append({"id": rid, "events": events_to_json(events)})
    figures = score_news(records, predicted)
    scores = EventScores(format="news", n=len(records))
    for name, row in figures.pop("per_type").items():
        scores.per_label[name] = PRF(tp=row["tp"], fp=row["pred"] - row["tp"], fn=row["gold"] - row["tp"])
    scores.figures = {k: float(v) for k, v in figures.items()}
    scores.by_confidence = confidence_cutoffs(records, predicted)
    if show_errors:
        by_id = {p["id"]: p for p in predicted}
        for rec in records:
            gold = sorted(
                e["type"]
                for e in rec.get("events") or []
                if e.get("status", "asserted") in ("asserted", "future")
            )
            pred = sorted(
                e["type"]
                for e in by_id[str(rec.get("id", ""))]["events"]
                if not e["negated"] and e["tense"] != "hypothetical"
            )
            if gold != pred:
                scores.errors.append(
                    f"{rec.get('id')}: gold {gold} pred {pred} | {str(rec.get('text'))[:200]}"
                )
    return scores


CONFIDENCE_CUTOFFS = (0.5, 0.7, 0.9)
_CUTOFF_FIGURES = ("predicted_events", "type_p", "type_r", "type_f1", "full_f1")


def confidence_cutoffs(
    records: Sequence[dict[str, Any]], predicted: Sequence[dict[str, Any]], cutoffs: Sequence[float] = CONFIDENCE_CUTOFFS
) -> dict[float, dict[str, float]]:
    """Type and full figures when only the predicted events whose confidence is at least each cutoff are kept."""
    out: dict[float, dict[str, float]] = {}
    for cut in cutoffs:
        kept = [
            {**p, "events": [e for e in p["events"] if float(e.get("confidence") or 0.0) >= cut]} for p in predicted
        ]
        figures = score_news(records, kept)
        out[cut] = {k: float(figures[k]) for k in _CUTOFF_FIGURES}
    return out


def _add_sets(prf: PRF, pred: set[Any], gold: set[Any]) -> None:
    prf.tp += len(pred & gold)
    prf.fp += len(pred - gold)
    prf.fn += len(gold - pred)


def _score_acled(
    records: Sequence[dict[str, Any]], docs: Sequence[Any], coder: EventCoder, *, show_errors: bool
) -> EventScores:
    scores = EventScores(format="acled", n=len(records))
    per = scores.per_label
    support: Counter[str] = Counter()
    correct = 0
    for rec, doc in zip(records, docs, strict=True):
        gold = str(rec["label"])
        pred = coder.classify_acled(str(rec["text"]), doc=doc) or NONE
        support[gold] += 1
        scores.confusion[(gold, pred)] += 1
        per.setdefault(gold, PRF())
        if pred != NONE:
            per.setdefault(pred, PRF())
        if pred == gold:
            per[gold].tp += 1
            correct += 1
        else:
            per[gold].fn += 1
            if pred != NONE:
                per[pred].fp += 1
            if show_errors:
                scores.errors.append(f"{rec.get('id')}: gold {gold} pred {pred} | {str(rec['text'])[:200]}")
    total = sum(support.values()) or 1
    scores.figures = {
        "weighted_f1": sum(per[label].f1 * count for label, count in support.items()) / total,
        "accuracy": correct / total,
        "macro_f1": sum(per[label].f1 for label in support) / max(len(support), 1),
    }
    return scores


def _score_petrarch(records: Sequence[dict[str, Any]], docs: Sequence[Any], coder: EventCoder) -> EventScores:
    scores = EventScores(format="petrarch", n=len(records))
    expected = 0
    produced = 0
    crashed = 0
    sentences_with_events = 0
    for rec, doc in zip(records, docs, strict=True):
        expected += len(rec.get("expected") or [])
        try:
            events = coder.code_doc(doc, article_id=str(rec.get("id", "")))
        except Exception as exc:  # counted: the point of this check is that nothing crashes
            crashed += 1
            scores.errors.append(f"{rec.get('id')}: {type(exc).__name__}: {exc}")
            continue
        produced += len(events)
        sentences_with_events += bool(events)
    scores.figures = {
        "records": float(len(records)),
        "expected_events": float(expected),
        "produced_events": float(produced),
        "produced_per_expected": produced / expected if expected else 0.0,
        "records_with_events": float(sentences_with_events),
        "crashes": float(crashed),
    }
    return scores


def format_report(scores: EventScores, *, show_errors: bool = False) -> str:
    """A plain-text report: headline figures, the per-label table and the confusion table."""
    lines = [f"format: {scores.format}   records: {scores.n}"]
    for key, value in scores.figures.items():
        lines.append(f"{key:>24}: {value:.3f}" if value < 10 else f"{key:>24}: {value:.0f}")
    if scores.per_label:
        lines.append("")
        lines.append(f"{'label':<30} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5}")
        for label in sorted(scores.per_label):
            prf = scores.per_label[label]
            lines.append(
                f"{label:<30} {prf.precision:6.3f} {prf.recall:6.3f} {prf.f1:6.3f} {prf.tp + prf.fn:5d}"
            )
    if scores.confusion:
        lines.append("")
        lines.extend(_confusion_lines(scores.confusion))
    if show_errors and scores.errors:
        lines.append("")
        lines.append("errors:")
        lines.extend(scores.errors)
    return "\n".join(lines)


def _confusion_lines(confusion: Counter[tuple[str, str]]) -> list[str]:
    gold_labels = sorted({g for g, _ in confusion})
    pred_labels = sorted({p for _, p in confusion})
    short: Callable[[str], str] = lambda s: s[:6]  # noqa: E731 - column headers only
    header = "gold \\ pred".ljust(30) + " ".join(f"{short(p):>6}" for p in pred_labels)
    out = ["confusion (rows gold, columns predicted):", header]
    for g in gold_labels:
        out.append(g[:29].ljust(30) + " ".join(f"{confusion[(g, p)] or '.':>6}" for p in pred_labels))
    return out


def events_to_json(events: Iterable[Event]) -> list[dict[str, Any]]:
    """Compact JSON of events, for error listings and debugging."""
    return [
        {
            "type": e.plover_type,
            "mode": e.mode,
            "cameo": e.cameo_code,
            "trigger": e.trigger,
            "actors": [a.as_json() for a in e.actors],
            "recipients": [a.as_json() for a in e.recipients],
            "negated": e.negated,
            "tense": e.tense,
            "confidence": e.confidence,
            "rule": e.rule,
        }
        for e in events
    ]


_COUNT_FIGURES = frozenset(
    {"sentences", "gold_events", "predicted_events", "records", "expected_events", "produced_events",
     "records_with_events", "crashes"}
)  # fmt: skip


def format_comparison(results: dict[str, EventScores]) -> str:
    """Several coders' figures on one gold file, side by side: headline figures, then per-label P/R/F1."""
    names = list(results)
    first = results[names[0]]
    width = max(14, *(len(n) + 2 for n in names))
    lines = [
        f"format: {first.format}   records: {first.n}",
        "",
        " " * 24 + "".join(f"{n:>{width}}" for n in names),
    ]
    keys = list(first.figures)
    for key in keys:
        cells = []
        for n in names:
            value = results[n].figures.get(key)
            if value is None:
                cells.append(f"{'-':>{width}}")
            elif key in _COUNT_FIGURES or value >= 10:
                cells.append(f"{value:>{width}.0f}")
            else:
                cells.append(f"{value:>{width}.3f}")
        lines.append(f"{key:>24}" + "".join(cells))
    labels = sorted({label for s in results.values() for label in s.per_label})
    if labels:
        lines.append("")
        lines.append(
            f"{'label':<24}{'gold':>6}"
            + "".join(f"{n[: width - 2] + ' P/R/F1':>{width + 10}}" for n in names)
        )
        for label in labels:
            gold = max(
                results[n].per_label.get(label, PRF()).tp + results[n].per_label.get(label, PRF()).fn
                for n in names
            )
            cells = []
            for n in names:
                prf = results[n].per_label.get(label, PRF())
                cells.append(f"{prf.precision:>{width - 2}.2f}/{prf.recall:.2f}/{prf.f1:.2f}")
            lines.append(f"{label:<24}{gold:>6}" + "".join(f"{c:>{width + 10}}" for c in cells))
    cutoffs = sorted({c for s in results.values() for c in s.by_confidence})
    if cutoffs:
        lines.append("")
        lines.append(
            "events kept at a confidence cutoff (each coder's own confidence): events, type P/R/F1, full F1"
        )
        lines.append(f"{'confidence':<24}" + "".join(f"{n:>{width + 16}}" for n in names))
        rows: list[tuple[str, list[dict[str, float] | None]]] = [
            ("all", [results[n].figures for n in names]),
            *((f">= {c:g}", [results[n].by_confidence.get(c) for n in names]) for c in cutoffs),
        ]
        for label, figs in rows:
            cells = [
                "-"
                if f is None
                else f"{f['predicted_events']:.0f}  {f['type_p']:.2f}/{f['type_r']:.2f}/{f['type_f1']:.2f}  "
                f"{f['full_f1']:.2f}"
                for f in figs
            ]
            lines.append(f"{label:<24}" + "".join(f"{c:>{width + 16}}" for c in cells))
    return "\n".join(lines)

"""Scoring coded events against exhaustively annotated sentences (the real-news gold format
``{id, text, events: [{type, actors, recipients, status}]}``), with the conventions of the project's shared scorer:

- counted: gold events whose status is asserted or future; predicted events not negated and not hypothetical;
- within a sentence, predicted and gold events pair one to one, same type only, preferring pairs whose actor and
  recipient country sets agree (then the larger overlap);
- type P/R/F1 over pairs; full P/R/F1 over pairs whose actor and recipient country sets both equal the gold
  sets (null countries dropped; an empty gold set must be predicted empty); actor and recipient F1 over the
  country codes of type-matched pairs; quiet rate: sentences without a gold event where nothing is predicted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .codes import PLOVER_TYPES

_OLD_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}


def is_news_gold(record: dict[str, Any]) -> bool:
    """Whether a gold record is in the exhaustive news format (a list of events per sentence with statuses)."""
    events = record.get("events")
    return (
        isinstance(events, list)
        and "text" in record
        and all(isinstance(e, dict) and "type" in e for e in events)
    )


def news_gold_problem(record: dict[str, Any]) -> str | None:
    """What makes a record of a news gold file unusable (None when it can be scored): its text a string, its
    events a list of objects with a PLOVER type, their actors and recipients lists of objects."""
    if not isinstance(record.get("text"), str):
        return "has no text string"
    events = record.get("events")
    if not isinstance(events, list):
        return f"has events {events!r}, not a list"
    for k, e in enumerate(events, 1):
        if not isinstance(e, dict):
            return f"has event {k} {e!r}, not an object"
        if e.get("type") not in PLOVER_TYPES:
            return f"has event {k} of type {e.get('type')!r}, not a PLOVER type ({', '.join(PLOVER_TYPES)})"
        for role in ("actors", "recipients"):
            items = e.get(role) or []
            if not isinstance(items, list) or not all(isinstance(a, dict) for a in items):
                return f"has event {k} whose {role} are {items!r}, not a list of objects"
    return None


def countries(items: Iterable[Any] | None) -> frozenset[str]:
    """The country codes of a list of actors (dicts with "country", or codes), as the scorer compares them."""
    out = set()
    for x in items or []:
        c = x.get("country") if isinstance(x, dict) else x
        if c:
            c = str(c).upper()
            out.add(_OLD_CODES.get(c, c))
    return frozenset(out)


def gold_events(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in record.get("events") or [] if e.get("status", "asserted") in ("asserted", "future")]


def counted_predictions(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not record:
        return []
    return [
        e for e in record.get("events") or []
        if not e.get("negated") and str(e.get("tense") or "").lower() != "hypothetical"
    ]  # fmt: skip


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4) if p + r else 0.0


def _f1(tp: int, fp: int, fn: int) -> float:
    return round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 1.0


def matched_pairs(
    predicted: list[dict[str, Any]], gold: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (predicted, gold) event pairs of one sentence, one to one and of the same type, pairs whose actor and
    recipient country sets agree first, then those with the larger overlap (the shared scorer's pairing)."""
    pairs = []
    for i, p in enumerate(predicted):
        pa, pr = countries(p.get("actors")), countries(p.get("recipients"))
        for j, t in enumerate(gold):
            if p.get("type") != t["type"]:
                continue
            ga, gr = countries(t.get("actors")), countries(t.get("recipients"))
            pairs.append((-((pa == ga) + (pr == gr)), -(len(pa & ga) + len(pr & gr)), i, j))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, _, i, j in sorted(pairs):
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((predicted[i], gold[j]))
    return out


def score_news(gold: Iterable[dict[str, Any]], predicted: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The figures of predicted records (``newswatch code`` output) against gold records."""
    preds = {str(r.get("id")): r for r in predicted}
    tp = n_pred = n_gold = full = 0
    a_tp = a_fp = a_fn = r_tp = r_fp = r_fn = 0
    quiet_n = quiet_ok = n = 0
    per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, predicted, gold
    for g in gold:
        n += 1
        ge = gold_events(g)
        pe = counted_predictions(preds.get(str(g.get("id"))))
        n_gold += len(ge)
        n_pred += len(pe)
        for e in ge:
            per_type[e["type"]][2] += 1
        for e in pe:
            per_type[str(e.get("type"))][1] += 1
        if not ge:
            quiet_n += 1
            quiet_ok += not pe
        for p, t in matched_pairs(pe, ge):
            tp += 1
            per_type[t["type"]][0] += 1
            pa, pr = countries(p.get("actors")), countries(p.get("recipients"))
            ga, gr = countries(t.get("actors")), countries(t.get("recipients"))
            a_tp += len(pa & ga)
            a_fp += len(pa - ga)
            a_fn += len(ga - pa)
            r_tp += len(pr & gr)
            r_fp += len(pr - gr)
            r_fn += len(gr - pr)
            full += pa == ga and pr == gr
    type_p, type_r, type_f1 = _prf(tp, n_pred, n_gold)
    full_p, full_r, full_f1 = _prf(full, n_pred, n_gold)
    return {
        "sentences": n,
        "gold_events": n_gold,
        "predicted_events": n_pred,
        "type_p": type_p,
        "type_r": type_r,
        "type_f1": type_f1,
        "full_p": full_p,
        "full_r": full_r,
        "full_f1": full_f1,
        "actor_f1": _f1(a_tp, a_fp, a_fn),
        "recipient_f1": _f1(r_tp, r_fp, r_fn),
        "quiet_rate": round(quiet_ok / quiet_n, 4) if quiet_n else 1.0,
        "per_type": {t: {"tp": v[0], "pred": v[1], "gold": v[2]} for t, v in sorted(per_type.items())},
    }

"""Score claims, certainty, dates and places against the hand-annotated dev set (docs/eval-formats.md).

Each gold line is a short passage with its publication time, its attributed claims (speaker, source type, cue,
certainty) and one or more events named by their trigger word, each with its certainty, date (value + precision)
and place (name + country). The events are built from the triggers so that this scores our stages alone, not the
event coder: claims are found, events linked to them, located, then dated, exactly as the pipeline does.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..claims import find_claims, link_events
from ..config import NlpSettings, Settings
from ..errors import InputError, NewswatchError
from ..models import Claim, Event
from ..nlp import parse
from ..registry import Stages
from ..timeplace import place_and_date
from .claims import PRF

log = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")


@dataclass
class DevScores:
    items: int = 0
    speaker: PRF = field(default_factory=PRF)
    source_type: Counter[str] = field(default_factory=Counter)  # "ok" / "n" over matched speakers
    cue: Counter[str] = field(default_factory=Counter)
    certainty: Counter[str] = field(default_factory=Counter)
    date_day: Counter[str] = field(default_factory=Counter)
    date_precision: Counter[str] = field(default_factory=Counter)
    place_country: Counter[str] = field(default_factory=Counter)
    place_name: Counter[str] = field(default_factory=Counter)
    place_spurious: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def acc(c: Counter[str]) -> dict[str, Any]:
            return {"accuracy": round(c["ok"] / c["n"], 4) if c["n"] else None, "n": c["n"]}

        return {
            "items": self.items,
            "speaker": self.speaker.as_dict(),
            "source_type": acc(self.source_type),
            "cue": acc(self.cue),
            "certainty": acc(self.certainty),
            "date_exact_day": acc(self.date_day),
            "date_precision": acc(self.date_precision),
            "place_country": acc(self.place_country),
            "place_name": acc(self.place_name),
            "place_spurious": {"rate": round(self.place_spurious["bad"] / self.place_spurious["n"], 4)
                               if self.place_spurious["n"] else None, "n": self.place_spurious["n"]},
        }


def _words(text: str | None) -> set[str]:
    """Lower-case words without accents: "Reykjavík" and "Reykjavik" are the same place name."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(ch))
    return {w.lower() for w in _WORD.findall(plain)}


def _trigger_span(text: str, trigger: str, occurrence: int) -> tuple[int, int]:
    hits = [m.span() for m in re.finditer(rf"\b{re.escape(trigger)}\b", text)]
    if len(hits) < occurrence:
        raise InputError(f"trigger {trigger!r} (occurrence {occurrence}) is not in its gold text; fix the gold line")
    return hits[occurrence - 1]


def _events_for(item: dict[str, Any], doc: Any) -> list[Event]:
    events = []
    for k, gold in enumerate(item["events"]):
        start, end = _trigger_span(doc.text, gold["trigger"], int(gold.get("occurrence", 1)))
        sent_i, sent = next((i, s) for i, s in enumerate(doc.sents) if s.start_char <= start < s.end_char)
        events.append(Event(
            id=f"{item['id']}-{k}", article_id=str(item["id"]), sentence=sent_i, text=sent.text,
            sent_start=sent.start_char, trigger=gold["trigger"], trigger_start=start, trigger_end=end,
            plover_type="UNKNOWN",
        ))
    return events


def _score_claims(gold: list[dict[str, Any]], pred: list[Claim], acc: DevScores, item_id: str) -> None:
    g_sp = [g for g in gold if g.get("speaker")]
    p_sp = [p for p in pred if p.speaker]
    pairs = []
    for i, p in enumerate(p_sp):
        for j, g in enumerate(g_sp):
            ov = len(_words(p.speaker) & _words(g["speaker"]))
            if ov:
                pairs.append((ov, i, j))
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _ov, i, j in sorted(pairs, key=lambda x: (-x[0], x[1], x[2])):
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        p, g = p_sp[i], g_sp[j]
        if g.get("source_type"):
            acc.source_type["n"] += 1
            ok = p.source_type == g["source_type"]
            acc.source_type["ok"] += ok
            if not ok:
                acc.errors.append(f"{item_id} source_type {p.speaker!r}: {p.source_type} != {g['source_type']}")
        acc.cue["n"] += 1
        acc.cue["ok"] += (p.cue or "").lower() == (g.get("cue") or "").lower()
    acc.speaker.tp_p += len(used_p)
    acc.speaker.tp_r += len(used_g)
    acc.speaker.n_pred += len(p_sp)
    acc.speaker.n_gold += len(g_sp)
    for j, g in enumerate(g_sp):
        if j not in used_g:
            acc.errors.append(f"{item_id} missed speaker {g['speaker']!r}")
    for i, p in enumerate(p_sp):
        if i not in used_p:
            acc.errors.append(f"{item_id} extra speaker {p.speaker!r} ({p.cue})")


def _score_event(gold: dict[str, Any], event: Event, acc: DevScores, item_id: str) -> None:
    tag = f"{item_id} {gold['trigger']}"
    acc.certainty["n"] += 1
    acc.certainty["ok"] += event.certainty == gold["certainty"]
    if event.certainty != gold["certainty"]:
        acc.errors.append(f"{tag} certainty {event.certainty} != {gold['certainty']}")
    gdate = gold.get("date")
    if gdate and gdate.get("value"):
        acc.date_day["n"] += 1
        acc.date_precision["n"] += 1
        got = event.date.value.date().isoformat() if event.date and event.date.value else None
        prec = event.date.precision if event.date else None
        acc.date_day["ok"] += got == gdate["value"]
        acc.date_precision["ok"] += prec == gdate["precision"]
        if got != gdate["value"] or prec != gdate["precision"]:
            acc.errors.append(f"{tag} date {got}/{prec} != {gdate['value']}/{gdate['precision']}")
    gplace = gold.get("place")
    if gplace:
        acc.place_country["n"] += 1
        acc.place_name["n"] += 1
        country = event.place.country if event.place else None
        name = event.place.name if event.place else None
        acc.place_country["ok"] += country == gplace.get("country") and event.place is not None
        name_ok = bool(name) and bool(_words(name) & _words(gplace["name"]))
        acc.place_name["ok"] += name_ok
        if country != gplace.get("country") or not name_ok:
            acc.errors.append(f"{tag} place {name}/{country} != {gplace['name']}/{gplace.get('country')}")
    else:
        acc.place_spurious["n"] += 1
        if event.place is not None:
            acc.place_spurious["bad"] += 1
            acc.errors.append(f"{tag} place {event.place.name} where the text gives none")


def _resolver(stages: Stages) -> Any:
    """The actor resolver the pipeline gives ``find_claims``; without it (its data failed to load) speakers are
    typed from their words alone, and the log says so."""
    try:
        return stages.actors
    except NewswatchError as exc:
        log.warning("scoring without the actor resolver (%s): source types come from the speaker's words only", exc)
        return None


def evaluate_dev(records: Sequence[dict[str, Any]], *, model: str | None = None) -> DevScores:
    """Score claims, certainty, dates and places over dev-set records."""
    stages = Stages(Settings(nlp=NlpSettings(model=model)))
    acc = DevScores()
    resolver = _resolver(stages)
    for item, doc in zip(records, parse((r["text"] for r in records), nlp=stages.nlp), strict=True):
        published = datetime.fromisoformat(item["published_at"]) if item.get("published_at") else None
        claims = find_claims(doc, article_id=str(item["id"]), resolver=resolver)
        events = _events_for(item, doc)
        link_events(events, claims)
        place_and_date(events, doc, published_at=published, gazetteer=stages.gazetteer, dateline=item.get("dateline"))
        _score_claims(item.get("claims") or [], claims, acc, str(item["id"]))
        for gold, event in zip(item["events"], events, strict=True):
            _score_event(gold, event, acc, str(item["id"]))
        acc.items += 1
    return acc


def format_dev(scores: DevScores, *, show_errors: bool = False) -> str:
    d = scores.as_dict()
    sp = d["speaker"]
    lines = [
        f"items: {d['items']}",
        f"speaker          P {sp['p']:.3f}  R {sp['r']:.3f}  F1 {sp['f1']:.3f}  (pred {sp['n_pred']}, gold {sp['n_gold']})",
    ]
    for key in ("source_type", "cue", "certainty", "date_exact_day", "date_precision", "place_country", "place_name"):
        m = d[key]
        value = "n/a" if m["accuracy"] is None else f"{m['accuracy']:.3f}"
        lines.append(f"{key:16s} accuracy {value}  (n {m['n']})")
    spur = d["place_spurious"]
    rate = "n/a" if spur["rate"] is None else f"{spur['rate']:.3f}"
    lines.append(f"place_spurious   rate {rate}  (events whose text gives no place: {spur['n']})")
    if show_errors:
        lines.extend("  " + e for e in scores.errors)
    return "\n".join(lines)

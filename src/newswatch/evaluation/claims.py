"""Score claim finding against PolNeAR-style attribution gold: claim detection F1 and speaker overlap F1.

The gold file holds one article per line, ``{"id", "text", "attributions": [{"source": [s, e] | null,
"source_spans", "cue", "cue_spans", "content", "content_spans"}]}`` (character offsets). Spans are compared on the
word tokens (``\\w+``) they cover, so quotation marks and whitespace never decide a match. A predicted claim is
aligned one-to-one with a gold attribution (greedily, by content, cue and speaker Dice) when their contents share
a word (not counting the gold speaker's or cue's own words) or their cues are identical; detection P/R/F1 count the
aligned pairs. Speaker overlap F1 matches distinct speaker spans one-to-one by shared words and credits each match
with its overlap share. These are the definitions of the project's reference scorer, implemented here again.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..claims import find_claims
from ..config import NlpSettings, Settings
from ..errors import InputError
from ..models import Claim
from ..nlp import parse
from ..registry import Stages

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
Tokens = frozenset[int]


def detect_format(record: dict[str, Any]) -> str:
    """'polnear' for attribution gold, 'dev' for the claims/time/place dev set."""
    if "attributions" in record:
        return "polnear"
    if "events" in record and "claims" in record:
        return "dev"
    raise InputError(
        "unknown gold format: expected PolNeAR lines with 'attributions' or dev-set lines with 'claims' and "
        "'events' (see docs/eval-formats.md)"
    )


class _Words:
    """Word-token index of one text, to turn character spans into token sets."""

    def __init__(self, text: str) -> None:
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def tokens(self, spans: Iterable[Sequence[int] | None]) -> Tokens:
        out: set[int] = set()
        for span in spans:
            if not span or span[1] <= span[0]:
                continue
            lo = bisect.bisect_right(self.ends, span[0])
            hi = bisect.bisect_left(self.starts, span[1])
            out.update(range(lo, hi))
        return frozenset(out)


def _dice(a: Tokens, b: Tokens) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _greedy(pairs: list[tuple[float, int, int]]) -> list[tuple[int, int, float]]:
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for score, i, j in sorted(pairs, key=lambda x: (-x[0], x[1], x[2])):
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j, score))
    return out


@dataclass
class PRF:
    tp_p: float = 0.0  # credit on the precision side
    n_pred: int = 0
    tp_r: float = 0.0  # credit on the recall side
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_p / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_r / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"p": round(self.precision, 4), "r": round(self.recall, 4), "f1": round(self.f1, 4),
                "n_pred": self.n_pred, "n_gold": self.n_gold}


@dataclass
class PolnearScores:
    detect: PRF = field(default_factory=PRF)
    speaker_soft: PRF = field(default_factory=PRF)
    speaker_exact: PRF = field(default_factory=PRF)
    articles: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "claim_detect": self.detect.as_dict(),
            "speaker_overlap": self.speaker_soft.as_dict(),
            "speaker_exact": self.speaker_exact.as_dict(),
        }


def claim_prediction(claim: Claim) -> dict[str, Any]:
    """One claim in the reference scorer's prediction shape."""
    speaker = [claim.speaker_start, claim.speaker_end] if claim.speaker_start is not None else None
    return {"speaker_span": speaker, "cue_span": [claim.cue_start, claim.cue_end],
            "content_span": [claim.content_start, claim.content_end]}


def score_article(text: str, attributions: list[dict[str, Any]], claims: list[Claim], acc: PolnearScores) -> None:
    """Add one article's alignment counts to ``acc``."""
    words = _Words(text)
    gold = []
    for a in attributions:
        source = words.tokens(a.get("source_spans") or ([a["source"]] if a.get("source") else []))
        gold.append({
            "source": source,
            "source_hull": words.tokens([a["source"]]) if a.get("source") else frozenset(),
            "cue": words.tokens(a.get("cue_spans") or [a["cue"]]),
            "content": words.tokens(a.get("content_spans") or [a["content"]]),
        })
    pred: list[dict[str, Tokens]] = []
    for c in claims:
        source = (
            words.tokens([(c.speaker_start, c.speaker_end or c.speaker_start)])
            if c.speaker_start is not None else frozenset()
        )
        pred.append({
            "source": source,
            "cue": words.tokens([(c.cue_start or 0, c.cue_end or 0)]),
            "content": words.tokens([(c.content_start or 0, c.content_end or 0)]),
        })
    # claim detection
    pairs: list[tuple[float, int, int]] = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            own = g["source"] | g["cue"]
            content = p["content"] - own
            same_cue = bool(p["cue"]) and p["cue"] == g["cue"]
            if content & g["content"] or same_cue:
                src = _dice(p["source"], g["source"]) if p["source"] and g["source"] else 0.0
                pairs.append((_dice(content, g["content"]) + _dice(p["cue"], g["cue"]) + src, i, j))
    matched = len(_greedy(pairs))
    acc.detect.tp_p += matched
    acc.detect.tp_r += matched
    acc.detect.n_pred += len(pred)
    acc.detect.n_gold += len(gold)
    # speakers: distinct spans on each side
    p_src = list(dict.fromkeys(p["source"] for p in pred if p["source"]))
    g_src: list[tuple[Tokens, Tokens]] = []
    seen: set[Tokens] = set()
    for g in gold:
        if g["source"] and g["source"] not in seen:
            seen.add(g["source"])
            g_src.append((g["source"], g["source_hull"]))
    overlaps = [(float(len(ps & gs)), i, j) for i, ps in enumerate(p_src) for j, (gs, _) in enumerate(g_src) if ps & gs]
    for i, j, ov in _greedy(overlaps):
        acc.speaker_soft.tp_p += ov / len(p_src[i])
        acc.speaker_soft.tp_r += ov / len(g_src[j][0])
        if p_src[i] in (g_src[j][0], g_src[j][1]):
            acc.speaker_exact.tp_p += 1
            acc.speaker_exact.tp_r += 1
    for prf in (acc.speaker_soft, acc.speaker_exact):
        prf.n_pred += len(p_src)
        prf.n_gold += len(g_src)


def evaluate_polnear(
    records: Sequence[dict[str, Any]], *, model: str | None = None, predictions_out: str | Path | None = None
) -> PolnearScores:
    """Run ``find_claims`` over every gold article and score it; optionally write the predictions as JSONL."""
    acc = PolnearScores()
    language = Stages(Settings(nlp=NlpSettings(model=model))).nlp
    out = open(predictions_out, "w", encoding="utf-8") if predictions_out else None  # noqa: SIM115
    try:
        for rec, doc in zip(records, parse((r["text"] for r in records), nlp=language), strict=True):
            claims = find_claims(doc, article_id=str(rec["id"]))
            score_article(rec["text"], rec.get("attributions") or [], claims, acc)
            acc.articles += 1
            if out is not None:
                out.write(json.dumps({"id": rec["id"], "claims": [claim_prediction(c) for c in claims]}) + "\n")
    finally:
        if out is not None:
            out.close()
    return acc


def format_polnear(scores: PolnearScores) -> str:
    d = scores.as_dict()
    lines = [f"articles: {d['articles']}"]
    for key in ("claim_detect", "speaker_overlap", "speaker_exact"):
        m = d[key]
        lines.append(f"{key:16s} P {m['p']:.3f}  R {m['r']:.3f}  F1 {m['f1']:.3f}  (pred {m['n_pred']}, gold {m['n_gold']})")
    return "\n".join(lines)

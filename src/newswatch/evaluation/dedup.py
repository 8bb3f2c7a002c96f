"""Score copy detection on a set made by ``dedup_gen``: precision and recall per transformation, and false
merges between hard negatives (different articles of one site or topic) measured on their own.

Records are fed to a fresh in-memory ``DedupIndex`` in publication order, exactly as the pipeline would
(check, then add). A record counts as detected when it is linked to a record of its own group; a link to
another group is a false merge. The hard negatives are then indexed alone, without their originals, so
that a link between two different articles cannot hide behind a better link to the true original.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..dedup import DedupIndex
from ..errors import InputError
from ..models import Article


@dataclass
class _Counts:
    total: int = 0
    linked: int = 0
    correct: int = 0

    def as_dict(self) -> dict[str, Any]:
        precision = self.correct / self.linked if self.linked else 1.0
        recall = self.correct / self.total if self.total else 0.0
        return {"n": self.total, "linked": self.linked, "correct": self.correct,
                "precision": round(precision, 4), "recall": round(recall, 4)}


@dataclass
class DedupReport:
    per_transform: dict[str, dict[str, Any]] = field(default_factory=dict)
    overall: dict[str, Any] = field(default_factory=dict)
    originals_falsely_linked: int = 0
    negatives: dict[str, dict[str, int]] = field(default_factory=dict)
    false_merges: list[dict[str, str]] = field(default_factory=list)
    missed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    records: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "overall": self.overall,
            "per_transform": self.per_transform,
            "originals_falsely_linked": self.originals_falsely_linked,
            "hard_negatives": self.negatives,
            "false_merges": self.false_merges[:50],
            "missed": self.missed[:50],
            "seconds": round(self.seconds, 2),
        }


def read_set(path: Path) -> list[dict[str, Any]]:
    try:
        # split on "\n" only: texts may hold U+2028, which str.splitlines would break on
        lines = path.read_text(encoding="utf-8").split("\n")
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot read the dedup evaluation set {path}: {exc}; make one with `newswatch eval dedup-gen`",
            source=str(path),
        ) from exc


def _article(rec: dict[str, Any]) -> Article:
    return Article(
        id=rec["id"],
        text=rec["text"],
        title=rec.get("title"),
        site=rec.get("site"),
        original_source=rec.get("original_source"),
        published_at=datetime.fromisoformat(rec["published_at"]) if rec.get("published_at") else None,
    )


def _run(records: Iterable[dict[str, Any]], index: DedupIndex) -> dict[str, str | None]:
    """Feed records in order; return each record's predicted root id (None when it is an original)."""
    roots: dict[str, str | None] = {}
    for rec in records:
        art = _article(rec)
        decision = index.check(art)
        index.add(art, decision)
        roots[rec["id"]] = decision.duplicate_of
    return roots


def evaluate(path: Path, **settings: Any) -> DedupReport:
    """Score ``DedupIndex`` (with ``settings`` as its keyword configuration) on the set at ``path``."""
    records = read_set(path)
    records.sort(key=lambda r: r.get("published_at") or "")
    group = {r["id"]: r["group"] for r in records}
    first_of_group: dict[str, str] = {}
    for r in records:
        first_of_group.setdefault(r["group"], r["id"])
    report = DedupReport(records=len(records))
    started = time.perf_counter()
    index = DedupIndex(**settings)
    _run(records, index)
    counts: dict[str, _Counts] = {}
    overall = _Counts()
    for rec in records:
        root = index.root_of(rec["id"])
        linked = root is not None and root != rec["id"]
        if rec["kind"] == "original":
            if linked and group.get(root or "") != rec["group"]:
                report.originals_falsely_linked += 1
                report.false_merges.append({"id": rec["id"], "group": rec["group"], "linked_to": root or ""})
            continue
        key = rec["transform"] if rec["kind"] == "copy" else f"negative:{rec['transform']}"
        c = counts.setdefault(key, _Counts())
        if first_of_group[rec["group"]] == rec["id"]:
            continue  # the first copy of an unseen original has nothing to be linked to
        c.total += 1
        overall.total += 1
        if linked:
            c.linked += 1
            overall.linked += 1
            if group.get(root or "") == rec["group"]:
                c.correct += 1
                overall.correct += 1
            else:
                report.false_merges.append({"id": rec["id"], "group": rec["group"], "linked_to": root or ""})
        else:
            report.missed.append({"id": rec["id"], "transform": key, "group": rec["group"]})
    report.per_transform = {k: v.as_dict() for k, v in sorted(counts.items())}
    report.overall = overall.as_dict()

    # Hard negatives alone: every link between two of them joins different articles.
    negatives = [r for r in records if r["kind"] == "negative"]
    neg_index = DedupIndex(**settings)
    neg_roots = _run(negatives, neg_index)
    by_kind: dict[str, dict[str, int]] = {}
    for rec in negatives:
        entry = by_kind.setdefault(rec["transform"], {"articles": 0, "false_merges": 0})
        entry["articles"] += 1
        root = neg_roots.get(rec["id"])
        if root is not None and group.get(root) != rec["group"]:
            entry["false_merges"] += 1
            report.false_merges.append({"id": rec["id"], "group": rec["group"], "linked_to": root})
    report.negatives = by_kind
    report.seconds = time.perf_counter() - started
    return report

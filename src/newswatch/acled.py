"""ACLED-style classification of a whole snippet or record: one sub-event label (the CASE 2021 task 2 set,
which adds ORG_CRIME, NATURAL_DISASTER, MAN_MADE_DISASTER, ATTRIB and DIPLO to ACLED's types) chosen by
weighted cue patterns written from the ACLED codebook definitions (``data/events/acled.json``). Every
decision can be explained: ``explain`` lists the cues that fired and their weights.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError

log = logging.getLogger(__name__)

# labels that describe no political event: a snippet about them gets no PLOVER event (CASE 2021 task 2)
NON_POLITICAL_LABELS = frozenset({"NATURAL_DISASTER", "MAN_MADE_DISASTER", "ORG_CRIME"})


@dataclass(frozen=True)
class _Combo:
    label: str
    weight: float
    all: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...]


class AcledClassifier:
    """Weighted cue patterns over the snippet text; the highest-scoring label wins."""

    def __init__(self, *, data_file: str | Path | None = None) -> None:
        data = _load(str(data_file) if data_file is not None else None)
        try:
            self._cues: dict[str, list[tuple[re.Pattern[str], float]]] = {
                label: [(re.compile(rx), float(w)) for rx, w in cues]
                for label, cues in data["labels"].items()
            }
            # a cheaper pattern each that matches wherever its cue does (see _loose): the cue is tried only
            # where it matches, which is about one sentence in ten
            self._loose = {
                p.pattern: re.compile(_loose(p.pattern))
                for p in [
                    *(p for cues in self._cues.values() for p, _ in cues),
                    *(p for c in data.get("combos", []) for p in map(re.compile, c["all"])),
                ]
            }
            self._combos = [
                _Combo(
                    label=c["label"],
                    weight=float(c["weight"]),
                    all=tuple(re.compile(rx) for rx in c["all"]),
                    none=tuple(re.compile(rx) for rx in c.get("none", [])),
                )
                for c in data.get("combos", [])
            ]
            self._priority = {label: i for i, label in enumerate(data["priority"])}
            self._min_score = float(data.get("min_score", 1.0))
            bad = [
                p.pattern
                for cues in self._cues.values()
                for p, _ in cues
                if re.search(r"(?<!\\)[A-Z]", p.pattern)
            ]
            if bad:
                raise ConfigError(
                    f"ACLED cue pattern {bad[0]!r} has capitals but snippets are matched in lower case; "
                    "write it in lower case in data/events/acled.json"
                )
        except (KeyError, TypeError, re.error) as exc:
            raise ConfigError(f"the ACLED cue file is malformed ({exc}); fix data/events/acled.json") from exc

    @property
    def labels(self) -> list[str]:
        return sorted(self._cues)

    def scores(self, text: str) -> dict[str, float]:
        """Total cue weight per label (labels with no cue are left out)."""
        return {label: score for label, (score, _) in self._explain(text).items()}

    def explain(self, text: str) -> dict[str, list[str]]:
        """The cues that fired per label, as 'pattern-text (weight)'."""
        return {label: hits for label, (_, hits) in self._explain(text).items()}

    def classify(self, text: str) -> str | None:
        """The best label, or None when no label reaches the minimum score."""
        scores = self.scores(text)
        if not scores:
            return None
        best = max(scores.items(), key=lambda kv: (kv[1], -self._priority.get(kv[0], 99)))
        return best[0] if best[1] >= self._min_score else None

    def _explain(self, text: str) -> dict[str, tuple[float, list[str]]]:
        # patterns are written in lower case; matching lower-cased text is faster than re.IGNORECASE
        text = text.lower()
        out: dict[str, tuple[float, list[str]]] = {}
        for label, cues in self._cues.items():
            total = 0.0
            hits: list[str] = []
            for rx, weight in cues:
                m = rx.search(text) if self._loose[rx.pattern].search(text) else None
                if m:
                    total += weight
                    hits.append(f"{m.group(0)!r} ({weight:g})")
            if total:
                out[label] = (total, hits)
        for combo in self._combos:
            if all(self._loose[rx.pattern].search(text) and rx.search(text) for rx in combo.all) and not any(rx.search(text) for rx in combo.none):
                score, hits = out.get(combo.label, (0.0, []))
                out[combo.label] = (score + combo.weight, [*hits, f"combo ({combo.weight:g})"])
        return out


def _loose(pattern: str) -> str:
    """``pattern`` without the word boundaries that open it or any of its top-level alternatives.

    Python's ``re`` scans for a leading literal very fast but tries a pattern that opens with ``\\b`` at every
    position, ten times slower. Taking a zero-width assertion out of a pattern (outside a negative
    look-around, which the top level is not) only lets it match more, so where the loose pattern finds
    nothing the cue cannot match either.
    """
    out: list[str] = []
    depth = 0
    in_class = False
    i = 0
    at_branch = True
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            piece = pattern[i : i + 2]
            if not (piece == "\\b" and depth == 0 and at_branch and not in_class):
                out.append(piece)
                at_branch = False
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        out.append(ch)
        at_branch = ch == "|" and depth == 0 and not in_class
        i += 1
    return "".join(out)


@lru_cache(maxsize=4)
def _load(data_file: str | None) -> dict[str, Any]:
    try:
        if data_file is None:
            text = (resources.files("newswatch") / "data" / "events" / "acled.json").read_text(
                encoding="utf-8"
            )
        else:
            text = Path(data_file).read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the ACLED cue file ({exc}); reinstall newswatch or pass data_file"
        ) from exc
    return data


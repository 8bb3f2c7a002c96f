"""Stand-off event labels: annotations that point into text kept elsewhere (by source file, record id and
character offsets, with a checksum of the sentence), and the reader that joins them to the text the user gives.

A label line:
``{"sid", "source", "record", "start", "end", "sha1", "split": "train"|"test", "events": [{"type", "mode",
"status", "trigger": [s, e], "actors": [{"span": [s, e], "country", "sector"}], "recipients": [...]}]}``
with event offsets relative to the sentence. ``source`` is a path relative to one of the text roots
(``corpus/whitehouse_training.jsonl``) or a file name; ``record`` is the record's ``id`` (or ``url``) in a JSONL
file, or the file's own name for a one-record JSON file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

log = logging.getLogger(__name__)

_TEXT_KEYS = ("text", "articleBody", "main_content", "body")


@dataclass(frozen=True)
class Arg:
    start: int
    end: int
    country: str | None
    sector: str | None


@dataclass(frozen=True)
class GoldEvent:
    type: str
    status: str
    trigger: tuple[int, int]
    actors: tuple[Arg, ...] = ()
    recipients: tuple[Arg, ...] = ()
    mode: str | None = None


@dataclass
class LabelledSentence:
    sid: str
    text: str
    split: str
    events: list[GoldEvent] = field(default_factory=list)
    source: str = ""
    record: str = ""
    # the record's web address, when the text file gives one: it tells the publisher's country, as a run knows it
    url: str = ""
    # written for training ("stratum": "own"), not drawn from real text: fitted on, never used to choose thresholds
    written: bool = False


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class TextStore:
    """Finds a record's text under the roots and files the user named."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._roots = [p for p in paths if p.is_dir()]
        self._files = [p for p in paths if p.is_file()]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise InputError(
                f"text path not found: {', '.join(missing)}; give the folder or files the labels point into"
            )
        self._records: dict[Path, dict[str, tuple[str, str]]] = {}

    def _locate(self, source: str) -> Path | None:
        for root in self._roots:
            p = root / source
            if p.is_file():
                return p
        name = Path(source).name
        for f in self._files:
            if str(f).endswith(source) or f.name == name:
                return f
        for root in self._roots:  # a file named like the source anywhere below a root
            hits = sorted(root.rglob(name))
            if len(hits) == 1:
                return hits[0]
        return None

    def record(self, source: str, record: str) -> tuple[str, str] | None:
        """The record's text and its web address ("" when the file gives none)."""
        path = self._locate(source)
        if path is None:
            return None
        table = self._records.get(path)
        if table is None:
            table = self._records[path] = _read_records(path)
        return table.get(record)


def _url(obj: dict[str, Any]) -> str:
    url = obj.get("url")
    return url if isinstance(url, str) else ""


def _read_records(path: Path) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        obj = json.loads(raw)
        text = next((obj.get(k) for k in _TEXT_KEYS if isinstance(obj.get(k), str)), None)
        if text is not None:
            out[path.name[: -len(".json")]] = (text, _url(obj))
            if obj.get("id") is not None:
                out[str(obj["id"])] = (text, _url(obj))
        return out
    for n, line in enumerate(raw.splitlines()):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            log.warning("%s line %d is not JSON; skipped", path, n + 1)
            continue
        text = next((obj.get(k) for k in _TEXT_KEYS if isinstance(obj.get(k), str)), None)
        if text is None:
            continue
        for key in ("id", "url"):
            if obj.get(key) is not None:
                out.setdefault(str(obj[key]), (text, _url(obj)))
    return out


def _arg(raw: dict[str, Any]) -> Arg:
    s, e = raw["span"]
    return Arg(int(s), int(e), raw.get("country"), raw.get("sector"))


def read_labels(labels: Path, texts: Sequence[Path]) -> tuple[list[LabelledSentence], list[str]]:
    """The labelled sentences with their text, and a list of problems (missing text, changed text)."""
    store = TextStore(texts)
    out: list[LabelledSentence] = []
    problems: list[str] = []
    try:
        lines = labels.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read labels {labels} ({exc})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            row = json.loads(line)
            found = store.record(row["source"], str(row["record"]))
            if found is None:
                problems.append(f"line {n}: no text for {row['source']} record {row['record']}")
                continue
            record_text, url = found
            sent = record_text[int(row["start"]) : int(row["end"])]
            if row.get("sha1") and sha1(sent) != row["sha1"]:
                problems.append(
                    f"line {n}: the text of {row['source']} record {row['record']} has changed (checksum)"
                )
                continue
            events = [
                GoldEvent(
                    type=e["type"],
                    status=e.get("status", "asserted"),
                    trigger=(int(e["trigger"][0]), int(e["trigger"][1])),
                    actors=tuple(_arg(a) for a in e.get("actors", [])),
                    recipients=tuple(_arg(a) for a in e.get("recipients", [])),
                    mode=e.get("mode"),
                )
                for e in row.get("events", [])
            ]
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"line {n}: malformed label ({exc})")
            continue
        out.append(
            LabelledSentence(
                sid=str(row.get("sid", n)),
                text=sent,
                split=row.get("split", "train"),
                events=events,
                source=row["source"],
                record=str(row["record"]),
                url=url,
                written=row.get("stratum") == "own",
            )
        )
    return out, problems


def to_gold_json(sentences: Iterable[LabelledSentence]) -> list[dict[str, Any]]:
    """The sentences in the exhaustive news gold format (``{id, text, events}``) the scorer reads."""
    out = []
    for s in sentences:
        evs = []
        for e in s.events:
            evs.append({
                "type": e.type, "status": e.status, "trigger": s.text[e.trigger[0] : e.trigger[1]],
                "actors": [{"text": s.text[a.start : a.end], "country": a.country, "sector": a.sector} for a in e.actors],
                "recipients": [{"text": s.text[a.start : a.end], "country": a.country, "sector": a.sector} for a in e.recipients],
            })  # fmt: skip
        out.append({"id": s.sid, "text": s.text, **({"url": s.url} if s.url else {}), "events": evs})
    return out

"""Event labels: stand-off annotations that point into text kept elsewhere (by source file, record id and
character offsets, with a checksum of the sentence), and the reader that joins them to the text the user gives;
or inline ones that carry their sentence and quote their trigger and participants (the news gold format).

A label line:
``{"sid", "source", "record", "start", "end", "sha1", "split": "train"|"test", "events": [{"type", "mode",
"status", "trigger": [s, e], "actors": [{"span": [s, e], "country", "sector"}], "recipients": [...]}]}``
with event offsets relative to the sentence. ``source`` is a path relative to one of the text roots
(``corpus/whitehouse_training.jsonl``) or a file name; ``record`` is the record's ``id`` (or ``url``) in a JSONL
file, or the file's own name for a one-record JSON file.

An inline label line: ``{"id", "text", "split", "article", "url", "events": [{"type", "mode", "status", "trigger": "detained",
"actors": [{"text": "Taliban authorities", "country", "sector"}], "recipients": [...]}]}``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..codes import EVENT_STATUSES, PLOVER_SECTORS
from ..errors import InputError
from .codes import PLOVER_TYPES, all_modes, modes_of

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


class BadLabel(ValueError):
    """A label that says something the guide does not allow; its message says what and where."""


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
        self._located: dict[str, Path | None] = {}  # a source not found directly is searched for once
        self._unreadable: dict[Path, BadLabel] = {}

    def _locate(self, source: str) -> Path | None:
        if source not in self._located:
            self._located[source] = self._find(source)
        return self._located[source]

    def _find(self, source: str) -> Path | None:
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
            try:
                table = _read_records(path)
            except (OSError, ValueError) as exc:  # read once: every label pointing into it is told why
                self._unreadable[path] = (
                    exc
                    if isinstance(exc, BadLabel)
                    else BadLabel(f"the text file {path} cannot be read ({exc.__class__.__name__}: {exc})")
                )
                table = {}
            self._records[path] = table
        if path in self._unreadable:
            raise self._unreadable[path]
        return table.get(record)


def _url(obj: dict[str, Any]) -> str:
    url = obj.get("url")
    return url if isinstance(url, str) else ""


def _read_records(path: Path) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    data = path.read_bytes()
    if path.suffix == ".json":
        try:
            obj = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BadLabel(
                f"the text file {path} is not UTF-8 (byte {exc.start}); re-encode it as UTF-8"
            ) from exc
        text = next((obj.get(k) for k in _TEXT_KEYS if isinstance(obj.get(k), str)), None)
        if text is not None:
            out[path.name[: -len(".json")]] = (text, _url(obj))
            if obj.get("id") is not None:
                out[str(obj["id"])] = (text, _url(obj))
        return out
    for n, raw_line in enumerate(data.splitlines()):
        if not raw_line.strip():
            continue
        try:
            obj = json.loads(raw_line.decode("utf-8"))
        except UnicodeDecodeError:
            log.warning("%s line %d is not UTF-8; skipped (re-encode the file as UTF-8)", path, n + 1)
            continue
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


def _span(raw: Any, length: int, what: str, within: str = "sentence") -> tuple[int, int]:
    if not isinstance(raw, (list, tuple)) or len(raw) != 2 or not all(isinstance(x, int) for x in raw):
        raise BadLabel(f"{what} is {raw!r}, not a pair of character offsets [start, end]")
    s, e = raw
    if not 0 <= s < e <= length:
        raise BadLabel(f"{what} [{s}, {e}] is not a span of the {length}-character {within}")
    return s, e


def _arg(raw: Any, length: int, what: str) -> Arg:
    if not isinstance(raw, dict):
        raise BadLabel(f"{what} is {raw!r}, not an object with a span")
    s, e = _span(raw.get("span"), length, f"{what}'s span")
    country, sector = raw.get("country"), raw.get("sector")
    if country is not None and not (isinstance(country, str) and len(country) == 3 and country.isalpha()
                                    and country.isupper()):  # fmt: skip
        raise BadLabel(
            f"{what}'s country {country!r} is not a three-letter code (ISO alpha-3, IGO, ...) or null"
        )
    if sector is not None and sector not in PLOVER_SECTORS:
        raise BadLabel(
            f"{what}'s sector {sector!r} is not a PLOVER sector code ({' '.join(sorted(PLOVER_SECTORS))})"
        )
    return Arg(s, e, country, sector)


def _gold_event(raw: Any, length: int, k: int) -> GoldEvent:
    """One annotated event of a ``length``-character sentence, checked against the guide: its type, status and
    mode are known values, its trigger and its actors' and recipients' spans lie inside the sentence."""
    what = f"event {k + 1}"
    if not isinstance(raw, dict):
        raise BadLabel(f"{what} is {raw!r}, not an object")
    etype = raw.get("type")
    if etype not in PLOVER_TYPES:
        raise BadLabel(f"{what}'s type {etype!r} is not a PLOVER type ({', '.join(PLOVER_TYPES)})")
    status = raw.get("status", "asserted")
    if status not in EVENT_STATUSES:
        raise BadLabel(f"{what}'s status {status!r} is not one of {', '.join(EVENT_STATUSES)}")
    mode = raw.get("mode")
    if mode is not None and mode not in all_modes():
        raise BadLabel(f"{what}'s mode {mode!r} is not a mode of any type (for {etype}: "
                       f"{', '.join(sorted(modes_of(etype))) or 'none'}; or null)")  # fmt: skip
    roles = {}
    for role in ("actors", "recipients"):
        items = raw.get(role, [])
        if not isinstance(items, list):
            raise BadLabel(f"{what}'s {role} is {items!r}, not a list")
        roles[role] = tuple(_arg(a, length, f"{what}'s {role[:-1]} {j + 1}") for j, a in enumerate(items))
    return GoldEvent(
        type=etype, status=status, trigger=_span(raw.get("trigger"), length, f"{what}'s trigger"),
        actors=roles["actors"], recipients=roles["recipients"], mode=mode,
    )  # fmt: skip


def read_labels(labels: Path, texts: Sequence[Path]) -> tuple[list[LabelledSentence], list[str]]:
    """The labelled sentences with their text, and a list of problems (missing text, changed text, a label the
    guide does not allow). A line is a stand-off label (``source``, ``record``, offsets: the text is read from
    ``texts``) or an inline one (``text`` and events that quote their trigger and participants, the format of the
    news gold files: see ``inline_events``). A sentence with a problem is left out whole: its other events alone
    would teach the models that the faulty one is not an event."""
    store = TextStore(texts)
    out: list[LabelledSentence] = []
    problems: list[str] = []
    try:
        # split on "\n" only: an inline label's text may hold U+2028, which str.splitlines would break on
        lines = labels.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise InputError(f"cannot read labels {labels} ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"labels {labels} are not UTF-8 text (byte {exc.start}); give the JSON Lines file of labels, "
            "encoded as UTF-8"
        ) from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise BadLabel(f"the line is {type(row).__name__}, not an object")
            sentence = _inline(row, n) if "source" not in row else _standoff(row, n, store, texts)
        except BadLabel as exc:
            problems.append(f"line {n}: {exc}; the sentence is left out until this is corrected")
            continue
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                f"line {n}: malformed label ({exc.__class__.__name__}: {exc}); the sentence is left out"
            )
            continue
        out.append(sentence)
    return out, problems


def _split(row: dict[str, Any]) -> str:
    split = row.get("split", "train")
    if split not in ("train", "test"):  # a typo must not move a test sentence into training
        raise BadLabel(f'split {split!r} is neither "train" nor "test"')
    return str(split)


def _events(raw_events: Any, sent: str) -> list[GoldEvent]:
    if not isinstance(raw_events, list):
        raise BadLabel(f"events is {raw_events!r}, not a list")
    return [_gold_event(e, len(sent), k) for k, e in enumerate(raw_events)]


def _standoff(row: dict[str, Any], n: int, store: TextStore, texts: Sequence[Path]) -> LabelledSentence:
    found = store.record(row["source"], str(row["record"]))
    if found is None:
        hint = "" if texts else " (a stand-off label needs the text it points into: give --text)"
        raise BadLabel(f"no text for {row['source']} record {row['record']}{hint}")
    record_text, url = found
    start, end = _span(
        [row["start"], row["end"]], len(record_text), "the sentence (start, end)", "text of the record"
    )
    sent = record_text[start:end]
    if row.get("sha1") and sha1(sent) != row["sha1"]:
        raise BadLabel(f"the text of {row['source']} record {row['record']} has changed (checksum)")
    return LabelledSentence(
        sid=str(row.get("sid", n)), text=sent, split=_split(row), events=_events(row.get("events", []), sent),
        source=row["source"], record=str(row["record"]), url=url, written=row.get("stratum") == "own",
    )  # fmt: skip


def _inline(row: dict[str, Any], n: int) -> LabelledSentence:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadLabel(
            'an inline label needs its sentence as a "text" string (or a stand-off label a "source")'
        )
    sid = str(row.get("id", row.get("sid", n)))
    address = row.get("url")
    url = address if isinstance(address, str) else ""
    # the article the sentence comes from ("article", else its address): training keeps an article's sentences
    # together when it sets a tuning part apart; a sentence without either is its own article
    article = str(row.get("article") or url or sid)
    events = _events(inline_events(text, row.get("events", [])), text)
    return LabelledSentence(
        sid=sid, text=text, split=_split(row), events=events, source="inline", record=article, url=url,
        written=row.get("stratum") == "own",
    )  # fmt: skip


def place_quote(text: str, quote: str, near: int | None = None) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text``: its first occurrence, or the one nearest character ``near``."""
    if not quote:
        return None
    hits = []
    k = text.find(quote)
    while k >= 0:
        hits.append(k)
        k = text.find(quote, k + 1)
    if not hits:
        return None
    k = hits[0] if near is None else min(hits, key=lambda h: abs(h - near))
    return k, k + len(quote)


def inline_events(text: str, events: Any) -> Any:
    """Events that quote their trigger and participants (``{"trigger": "detained", "actors": [{"text":
    "Taliban authorities", ...}]}``, as the news gold files do) with offsets instead (``"trigger": [s, e]``,
    ``"span": [s, e]``): the trigger at its first occurrence, each participant at the occurrence nearest the
    trigger. A quote the sentence does not hold is a BadLabel."""
    if not isinstance(events, list):
        return events  # _events says what is wrong
    out = []
    for k, e in enumerate(events, 1):
        if not isinstance(e, dict):
            raise BadLabel(f"event {k} is {e!r}, not an object")
        quoted = e.get("trigger")
        trig = place_quote(text, quoted if isinstance(quoted, str) else "")
        if trig is None:
            raise BadLabel(f"event {k}'s trigger {e.get('trigger')!r} is not in the sentence")
        row = {**e, "trigger": list(trig)}
        for role in ("actors", "recipients"):
            items = e.get(role) or []
            if not isinstance(items, list):
                raise BadLabel(f"event {k}'s {role} is {items!r}, not a list")
            args = []
            for j, a in enumerate(items, 1):
                quote = a.get("text") if isinstance(a, dict) else None
                span = place_quote(text, quote if isinstance(quote, str) else "", trig[0])
                if span is None:
                    raise BadLabel(f"event {k}'s {role[:-1]} {j} {quote!r} is not in the sentence")
                args.append({**a, "span": list(span)})
            row[role] = args
        out.append(row)
    return out


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

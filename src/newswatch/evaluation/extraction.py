"""Score article extraction against a gold directory laid out as ``html/<id>.html[.gz]`` and
``truth/<id>.json``, for newswatch's extractor and plain trafilatura on the same pages in the same run. Body
text is scored the way the article-extraction benchmark does (``\\w+`` tokens, multisets of 4-token shingles per
page, precision and recall averaged over pages, F1 the harmonic mean of the two averages); when the truth
holds ``title``, ``author`` or ``publish_date``, their accuracy is scored too (normalised exact match for title
and author, same calendar day for the date). The directory is always an argument: nothing here knows where
gold data lives.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..config import ExtractSettings
from ..errors import ConfigError, InputError
from ..extract import extract_article
from ..models import RawDocument

log = logging.getLogger(__name__)

SHINGLE = 4
_TOKEN = re.compile(r"\w+")
BODY_KEYS = ("articleBody", "main_content", "body", "text")
META_FIELDS = ("title", "author", "date")
_TRUTH_META = {"title": "title", "author": "author", "date": "publish_date"}


@dataclass
class SystemScore:
    """One system's figures over the pages scored."""

    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0
    meta_hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(META_FIELDS, 0))
    meta_gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(META_FIELDS, 0))
    meta_hits_all: dict[str, int] = field(default_factory=lambda: dict.fromkeys(META_FIELDS, 0))
    meta_pages: int = 0

    def summary(self) -> dict[str, Any]:
        pages = len(self.precision)
        p = sum(self.precision) / pages if pages else 0.0
        r = sum(self.recall) / pages if pages else 0.0
        out: dict[str, Any] = {
            "pages": pages,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "seconds_per_page": round(self.seconds / pages, 4) if pages else 0.0,
            "failures": self.failures,
        }
        if self.meta_pages:
            for name in META_FIELDS:
                gold = self.meta_gold[name]
                out[f"{name}_accuracy"] = round(self.meta_hits[name] / gold, 4) if gold else None
                out[f"{name}_gold_pages"] = gold
                out[f"{name}_accuracy_all_pages"] = round(self.meta_hits_all[name] / self.meta_pages, 4)
        return out


@dataclass
class ExtractionReport:
    directory: str
    pages: int
    systems: dict[str, SystemScore]
    details: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"directory": self.directory, "pages": self.pages,
                "systems": {name: s.summary() for name, s in self.systems.items()}}


# ---------------------------------------------------------------- scoring


def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    toks = tokens(text)
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def body_scores(predicted: str | None, truth: str | None) -> tuple[float, float]:
    """(precision, recall) of predicted 4-token shingles against the truth's, as multisets.

    An empty prediction scores precision 0 unless the truth is empty too, so failures cost.
    """
    pred, gold = shingles(predicted), shingles(truth)
    common = sum((pred & gold).values())
    n_pred, n_gold = sum(pred.values()), sum(gold.values())
    precision = common / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    recall = common / n_gold if n_gold else 1.0
    return precision, recall


def normalise_title(value: str | None) -> str:
    text = unicodedata.normalize("NFKC", value or "").casefold()
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def normalise_authors(value: str | None) -> frozenset[str]:
    """A set of normalised names: split on commas, semicolons, 'and', '&'; 'By' dropped."""
    text = unicodedata.normalize("NFKC", value or "").casefold()
    text = re.sub(r"^\s*by\s+", "", text)
    parts = re.split(r"\s*(?:,|;|\||&|\band\b)\s*", text)
    names = (" ".join(re.sub(r"[^\w\s'-]+", " ", p).split()) for p in parts)
    return frozenset(n for n in names if n)


def same_day(predicted: Any, truth: Any) -> bool:
    pred, gold = _as_day(predicted), _as_day(truth)
    return pred is not None and pred == gold


def _as_day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _meta_equal(name: str, predicted: Any, truth: Any) -> bool:
    if name == "title":
        return bool(normalise_title(truth)) and normalise_title(predicted) == normalise_title(truth)
    if name == "author":
        gold = normalise_authors(truth)
        return bool(gold) and normalise_authors(predicted) == gold
    return same_day(predicted, truth)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------- running


def gold_pages(directory: Path) -> Iterator[tuple[str, Path, Path]]:
    """(page id, html path, truth path) for every page of a gold directory that has a truth file."""
    html_dir, truth_dir = directory / "html", directory / "truth"
    if not html_dir.is_dir() or not truth_dir.is_dir():
        raise ConfigError(f"{directory} does not hold html/ and truth/ folders; give a directory laid out as "
                          "html/<id>.html.gz + truth/<id>.json")
    for path in sorted(html_dir.iterdir()):
        page_id = path.name.split(".", 1)[0]
        truth = truth_dir / f"{page_id}.json"
        if truth.is_file():
            yield page_id, path, truth


def read_html(path: Path) -> bytes:
    """The page's bytes, gunzipped when stored as .gz."""
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _ours(html: bytes, url: str | None, settings: ExtractSettings) -> dict[str, Any]:
    try:
        article = extract_article(RawDocument(source=url or "page", content=html, kind="html", url=url),
                                  settings=settings)
    except InputError as exc:
        log.info("newswatch failed on %s: %s", url, exc)
        return {"text": None, "title": None, "author": None, "date": None, "failed": True}
    return {"text": article.text, "title": article.title, "author": article.author,
            "date": article.published_at, "failed": False}


def _trafilatura_body(html: bytes, url: str | None) -> dict[str, Any]:
    import trafilatura

    text = trafilatura.extract(html)
    return {"text": text, "failed": not text}


def _trafilatura_meta(html: bytes, url: str | None) -> dict[str, Any]:
    import trafilatura

    doc: Any = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {"title": None, "author": None, "date": None}
    return {"title": doc.title, "author": doc.author, "date": doc.date}


def evaluate_extraction(
    directory: str | Path,
    *,
    settings: ExtractSettings,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExtractionReport:
    """Score newswatch's extractor and plain trafilatura on every page of ``directory`` with a truth file."""
    root = Path(directory)
    ours, base = SystemScore("newswatch"), SystemScore("trafilatura")
    details: list[dict[str, Any]] = []
    count = 0
    pages = list(gold_pages(root))
    if pages:
        # one untimed page first: imports and the date parser's one-off set-up are not per-page costs
        warm = read_html(pages[0][1])
        _ours(warm, None, settings)
        _trafilatura_body(warm, None)
    for page_id, html_path, truth_path in pages:
        if limit is not None and count >= limit:
            break
        try:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            html = read_html(html_path)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the gold page {page_id} ({exc}); check the directory") from exc
        url = truth.get("url") if isinstance(truth.get("url"), str) else None
        gold_body = next((truth[k] for k in BODY_KEYS if isinstance(truth.get(k), str)), None)

        t0 = time.perf_counter()
        mine = _ours(html, url, settings)
        ours.seconds += time.perf_counter() - t0
        t0 = time.perf_counter()
        theirs = _trafilatura_body(html, url)
        base.seconds += time.perf_counter() - t0

        row: dict[str, Any] = {"id": page_id}
        for system, result in ((ours, mine), (base, theirs)):
            system.failures += int(result["failed"])
            if gold_body is not None:
                p, r = body_scores(result["text"], gold_body)
                system.precision.append(p)
                system.recall.append(r)
                row[system.name] = {"precision": round(p, 4), "recall": round(r, 4)}
        if any(key in truth for key in _TRUTH_META.values()):
            theirs.update(_trafilatura_meta(html, url))
            for system, result in ((ours, mine), (base, theirs)):
                system.meta_pages += 1
                for name in META_FIELDS:
                    gold = truth.get(_TRUTH_META[name])
                    hit = _meta_equal(name, result.get(name), gold)
                    if not _empty(gold):
                        system.meta_gold[name] += 1
                        system.meta_hits[name] += int(hit)
                    # over all pages, an empty truth is matched by an empty prediction
                    system.meta_hits_all[name] += int(hit or (_empty(gold) and _empty(result.get(name))))
                    row.setdefault(system.name, {})[name] = _jsonable(result.get(name))
        details.append(row)
        count += 1
        if progress is not None:
            progress(count)
    if count == 0:
        raise ConfigError(f"{root} holds no page with a truth file; check the directory")
    return ExtractionReport(directory=str(root), pages=count, systems={"newswatch": ours, "trafilatura": base},
                            details=details)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def format_report(report: ExtractionReport) -> str:
    """A plain-text table of the report."""
    rows = [f"extraction on {report.directory} ({report.pages} pages)"]
    summaries = {name: s.summary() for name, s in report.systems.items()}
    keys = ["f1", "precision", "recall", "seconds_per_page", "failures"]
    first = next(iter(summaries.values()))
    keys += [k for k in first if k.endswith("_accuracy") or k.endswith("_accuracy_all_pages")
             or k.endswith("_gold_pages")]
    rows.append(f"{'':32}" + "".join(f"{name:>14}" for name in summaries))
    for key in keys:
        rows.append(f"{key:32}" + "".join(f"{_fmt(s.get(key)):>14}" for s in summaries.values()))
    return "\n".join(rows)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)

"""Compare body-text extraction settings on a gold directory: newswatch's extractor beside trafilatura with
its default options, without comments, in precision mode and in recall mode, scored the same way as
`newswatch eval extraction` (4-token shingles, precision and recall averaged over pages, F1 of the averages).
It shows where newswatch's figure comes from (trafilatura options, the balanced-mode fallback, our clean-up).

Usage: python benchmarks/extraction.py GOLD_DIR [GOLD_DIR ...] [--limit N]
GOLD_DIR holds html/<id>.html.gz and truth/<id>.json (key articleBody or main_content).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _variants() -> dict[str, Callable[[bytes, str | None], str]]:
    import trafilatura

    from newswatch.config import ExtractSettings
    from newswatch.errors import InputError
    from newswatch.extract import extract_article
    from newswatch.models import RawDocument

    settings = ExtractSettings()

    def ours(html: bytes, url: str | None) -> str:
        try:
            return extract_article(RawDocument(source=url or "page", content=html, url=url), settings=settings).text
        except InputError:
            return ""

    def traf(**options: Any) -> Callable[[bytes, str | None], str]:
        return lambda html, url: trafilatura.extract(html, **options) or ""

    return {
        "newswatch": ours,
        "trafilatura (default)": traf(),
        "trafilatura no comments": traf(include_comments=False),
        "trafilatura precision": traf(include_comments=False, favor_precision=True),
        "trafilatura recall": traf(include_comments=False, favor_recall=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, nargs="+", help="gold directories (html/ + truth/)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pages of each directory")
    args = parser.parse_args()

    from newswatch.evaluation.extraction import BODY_KEYS, body_scores, gold_pages, read_html

    variants = _variants()
    print(f"{'directory':28} {'system':26} {'pages':>5} {'P':>7} {'R':>7} {'F1':>7} {'s/page':>7}")
    for directory in args.gold:
        pages = []
        for page_id, html_path, truth_path in gold_pages(directory):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            body = next((truth[k] for k in BODY_KEYS if isinstance(truth.get(k), str)), None)
            if body is not None:
                pages.append((page_id, read_html(html_path), body, truth.get("url")))
            if args.limit and len(pages) >= args.limit:
                break
        for name, run in variants.items():
            if pages:
                run(pages[0][1], None)  # untimed: imports and one-off set-up are not per-page costs
            precision = recall = seconds = 0.0
            for _page_id, html, body, url in pages:
                start = time.perf_counter()
                text = run(html, url)
                seconds += time.perf_counter() - start
                p, r = body_scores(text, body)
                precision += p
                recall += r
            n = len(pages) or 1
            p, r = precision / n, recall / n
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(f"{directory.name[:28]:28} {name:26} {len(pages):>5} {p:7.4f} {r:7.4f} {f1:7.4f} "
                  f"{seconds / n:7.3f}")


if __name__ == "__main__":
    main()

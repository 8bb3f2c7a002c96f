"""Build a copy-detection evaluation set from real article bodies: originals, transformed copies of them
(page chrome, new titles, trimming, paragraph reorder, dropped or reworded sentences, an added paragraph,
a provenance line, combinations) and hard negatives (different articles of one site under one template,
a different article quoting one background paragraph, short articles dominated by shared chrome).

The source directory holds benchmark folders with ``truth/*.json`` files (``articleBody`` as in
scrapinghub's article-extraction-benchmark, or ``main_content`` as in WCXB). Output is JSON lines, one
article per line with its expected group (the source article it derives from); docs/dedup-eval.md
describes the set. Generation is deterministic for a given seed.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import InputError

log = logging.getLogger(__name__)

TRANSFORMS = (
    "exact",
    "chrome",
    "retitle",
    "trim_half",
    "trim_lead",
    "reorder",
    "drop_sentences",
    "reword",
    "added_paragraph",
    "provenance",
    "combo",
)
NEGATIVES = ("same_site_template", "quoted_paragraph", "short_shared_chrome")

# Page chrome written for this generator: navigation, share bars, subscription prompts and author bios
# of the kind news templates wrap around a syndicated text.
_HEADERS = (
    "Loading Now\nHome | World | Politics | Business | Tech | Opinion",
    "Skip to content\nMenu\nSearch\nSubscribe for unlimited access\nTrending now",
    "Breaking News\nLatest Headlines\nShare on Facebook Share on X Copy link",
    "You are reading a free article\nSign in\nNewsletter\nAdvertisement",
    "Top Stories | Local | National | International | Weather | Sports",
    "Listen to this article\n5 min read\nFollow us on social media for the latest updates",
)
_FOOTERS = (
    "Post Comment\nRelated Articles\nMore from this section\nCookie settings | Privacy policy | Terms of use",
    "Share this story\nWhat do you think? Leave a comment below.\nCopyright 2025 all rights reserved",
    "Advertisement\nRecommended for you\nMost read\nContact us | About us | Careers | Advertise with us",
    "Sign up for our daily newsletter to get the top stories delivered to your inbox every morning.",
    "Report an error\nRepublish this article\nFollow the author\nRead more stories like this",
)
_BIO = (
    "{name} is a {role} whose work has appeared in several regional and national publications. "
    "{first} writes about {beat} and previously worked as an editor for a business magazine. "
    "Readers can reach {first} through the contact page of this site."
)
_NAMES = ("Mara Quill", "Tomas Renner", "Ada Okafor", "Lena Vossberg", "Ravi Menon", "Jonah Pell")
_ROLES = ("staff writer", "senior correspondent", "contributing reporter", "news editor")
_BEATS = ("public policy and the economy", "science and health", "technology and culture", "world affairs")
_COPY_SITES = tuple(f"{w}.example" for w in (
    "dailybrief", "newswire-today", "worldreport24", "themorningpost", "globalhub", "citydesk",
    "infostream", "headlinepress", "frontpage-now", "readerdigest-online",
))
_TITLE_PREFIXES = ("Breaking:", "Explainer:", "Update:", "Report:", "Analysis:", "Watch:")
_TITLE_SUFFIXES = ("- what we know", "| Full story", "(updated)", ": here is why it matters")
# Word substitutions a copy editor makes; written for this generator.
_SYNONYMS = {
    "said": "stated", "says": "states", "also": "additionally", "but": "however", "big": "large",
    "many": "numerous", "show": "indicate", "shows": "indicates", "help": "assist", "buy": "purchase",
    "start": "begin", "started": "began", "people": "individuals", "about": "around", "important": "significant",
    "new": "recent", "get": "obtain", "like": "such as", "very": "highly", "because": "since", "often": "frequently",
    "need": "require", "used": "employed", "make": "create", "made": "created", "think": "believe",
    "told": "informed", "asked": "requested", "find": "discover", "found": "discovered", "week": "seven days",
}
_ADDED = (
    "Editor's note: this article has been updated with additional reporting and a correction to an earlier "
    "version that misstated a figure. Our newsroom follows a published corrections policy and welcomes "
    "feedback from readers who notice errors in our coverage."
)

_MIN_WORDS = 80
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“])")
_BASE = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)


def _read_sources(source_dir: Path) -> list[dict[str, Any]]:
    files = sorted(source_dir.glob("*/truth/*.json")) or sorted(source_dir.glob("truth/*.json"))
    if not files:
        raise InputError(
            f"no truth/*.json files under {source_dir}; pass a folder such as ../shared/eval/extraction "
            "that holds benchmark folders with truth/<id>.json files",
            source=str(source_dir),
        )
    docs: list[dict[str, Any]] = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("skipping %s: %s", path, exc)
            continue
        body = data.get("articleBody") or data.get("main_content") or ""
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
        words = len(body.split())
        if words < _MIN_WORDS or len(paragraphs) < 2:
            continue
        url = data.get("url") or ""
        site = (urlparse(url).netloc or "unknown.example").lower().removeprefix("www.")
        title = data.get("title") or data.get("headline") or _first_sentence(paragraphs[0])
        docs.append({
            "src": f"{path.parent.parent.name}/{path.stem}",
            "site": site,
            "title": str(title).strip(),
            "paragraphs": paragraphs,
            "words": words,
        })
    return docs


def _first_sentence(text: str) -> str:
    return _SENT.split(text, maxsplit=1)[0][:120]


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENT.split(paragraph) if s.strip()]


def _chrome(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(_NAMES)
    bio = _BIO.format(name=name, first=name.split()[0], role=rng.choice(_ROLES), beat=rng.choice(_BEATS))
    return rng.choice(_HEADERS), rng.choice(_FOOTERS) + "\n\n" + bio


def _wrap(paragraphs: list[str], header: str, footer: str) -> list[str]:
    return [header, *paragraphs, footer]


def _reword_sentence(sentence: str, rng: random.Random) -> str:
    words = sentence.split(" ")
    changed = 0
    for i, w in enumerate(words):
        core = w.strip(".,;:!?\"'").lower()
        if core in _SYNONYMS and rng.random() < 0.8:
            words[i] = w.replace(w.strip(".,;:!?\"'"), _SYNONYMS[core])
            changed += 1
    if changed == 0 and len(words) > 6:
        del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


def _transform(kind: str, doc: dict[str, Any], rng: random.Random, pool: list[dict[str, Any]]) -> dict[str, Any]:
    paras = list(doc["paragraphs"])
    title = doc["title"]
    original_source = None
    if kind == "exact":
        pass
    elif kind == "chrome":
        paras = _wrap(paras, *_chrome(rng))
    elif kind == "retitle":
        title = f"{rng.choice(_TITLE_PREFIXES)} {title} {rng.choice(_TITLE_SUFFIXES)}"
        paras = [title, *paras]
    elif kind == "trim_half":
        # Cut at the middle word, keeping the paragraphs before the cut as they were.
        budget = max(sum(len(p.split()) for p in paras) // 2, 40)
        kept: list[str] = []
        for p in paras:
            words = p.split()
            if len(words) >= budget:
                kept.append(" ".join(words[:budget]))
                break
            kept.append(p)
            budget -= len(words)
        paras = kept
    elif kind == "trim_lead":
        keep = max(1, (len(paras) * 2 + 2) // 5)
        paras = paras[:keep]
        if len(" ".join(paras).split()) < 40:
            paras = [" ".join(" ".join(doc["paragraphs"]).split()[:60])]
    elif kind == "reorder":
        if len(paras) > 2:
            rest = paras[1:]
            rng.shuffle(rest)
            paras = [paras[0], *rest]
        else:
            paras = paras[::-1]
    elif kind == "drop_sentences":
        paras = _drop_sentences(paras, rng, share=0.15)
    elif kind == "reword":
        paras = _reword(paras, rng, share=0.3)
    elif kind == "added_paragraph":
        at = rng.randrange(1, len(paras) + 1)
        paras = [*paras[:at], _ADDED, *paras[at:]]
    elif kind == "provenance":
        header, footer = _chrome(rng)
        paras = [header, *paras, f"Original Source: www.{doc['site']}", footer]
        original_source = doc["site"]
    elif kind == "combo":
        title = f"{rng.choice(_TITLE_PREFIXES)} {title}"
        words_total = len(" ".join(paras).split())
        if words_total > 300:
            paras = paras[: max(2, (len(paras) * 3) // 5)]
        paras = _reword(_drop_sentences(paras, rng, share=0.1), rng, share=0.15)
        paras = _wrap([title, *paras], *_chrome(rng))
    else:
        raise ValueError(f"unknown transform {kind!r}")
    return {"title": title, "text": "\n\n".join(paras), "original_source": original_source}


def _drop_sentences(paras: list[str], rng: random.Random, *, share: float) -> list[str]:
    out = []
    for p in paras:
        sents = _sentences(p)
        kept = [s for s in sents if rng.random() >= share] or sents[:1]
        out.append(" ".join(kept))
    return out


def _reword(paras: list[str], rng: random.Random, *, share: float) -> list[str]:
    return [
        " ".join(_reword_sentence(s, rng) if rng.random() < share else s for s in _sentences(p)) for p in paras
    ]


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> float:
    wa = {w for w in re.findall(r"[a-z]{5,}", " ".join(a["paragraphs"]).lower())}
    wb = {w for w in re.findall(r"[a-z]{5,}", " ".join(b["paragraphs"]).lower())}
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def generate(source_dir: Path, *, seed: int = 13, unseen_share: float = 0.1) -> Iterator[dict[str, Any]]:
    """Yield the evaluation records, in publication order."""
    rng = random.Random(seed)
    docs = _read_sources(source_dir)
    rng.shuffle(docs)
    n_unseen = int(len(docs) * unseen_share)
    records: list[dict[str, Any]] = []
    minute = 0

    def rec(doc: dict[str, Any], *, kind: str, transform: str | None, site: str, title: str, text: str,
            day: int, original_source: str | None = None, expected: str | None = None) -> None:
        nonlocal minute
        minute += 1
        records.append({
            "id": f"{kind}:{len(records):05d}",
            "group": expected or doc["src"],
            "kind": kind,
            "transform": transform,
            "site": site,
            "title": title,
            "text": text,
            "original_source": original_source,
            "published_at": (_BASE + timedelta(days=day, minutes=minute)).isoformat(),
        })

    for i, doc in enumerate(docs):
        unseen = i < n_unseen
        if not unseen:
            rec(doc, kind="original", transform=None, site=doc["site"], title=doc["title"],
                text="\n\n".join(doc["paragraphs"]), day=0)
        kinds = rng.sample(TRANSFORMS, 3)
        if unseen:
            kinds = ["provenance", *[k for k in kinds if k != "provenance"][:2]]
        for kind in kinds:
            out = _transform(kind, doc, rng, docs)
            rec(doc, kind="copy", transform=kind, site=rng.choice(_COPY_SITES), title=out["title"],
                text=out["text"], original_source=out["original_source"], day=1 + rng.randrange(3))

    # Hard negatives 1: two different articles of one site, both under the same heavy site template.
    by_site: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_site.setdefault(doc["site"], []).append(doc)
    for site_docs in by_site.values():
        if len(site_docs) < 2:
            continue
        header, footer = _chrome(rng)
        for doc in site_docs[:2]:
            rec(doc, kind="negative", transform="same_site_template", site="template-" + doc["site"],
                title=doc["title"], text="\n\n".join(_wrap(doc["paragraphs"], header, footer)), day=4)
    # Hard negatives 2: an article that quotes one background paragraph of the most similar other article.
    for doc in docs[: len(docs) // 3]:
        # The quoted paragraph stays a small part of both articles: quoting most of a short article
        # would make a real copy of it.
        limit = 0.25 * min(doc["words"], max(d["words"] for d in docs))
        others = sorted((d for d in docs if d is not doc), key=lambda d: -_overlap(doc, d))
        found = [
            (d, p) for d in others[:5] for p in d["paragraphs"]
            if 12 <= len(p.split()) <= min(limit, 0.25 * d["words"])
        ]
        if not found:
            continue
        other, para = found[0]
        paras = list(doc["paragraphs"])
        paras.insert(len(paras) // 2, para)
        rec(doc, kind="negative", transform="quoted_paragraph", site=rng.choice(_COPY_SITES),
            title=doc["title"], text="\n\n".join(paras), day=5)
    # Hard negatives 3: short articles of one site whose shared chrome is a large part of the text.
    short = sorted(docs, key=lambda d: d["words"])[:20]
    header, footer = _chrome(rng)
    for doc in short:
        rec(doc, kind="negative", transform="short_shared_chrome", site="shortnews.example",
            title=doc["title"], text="\n\n".join(_wrap(doc["paragraphs"], header, footer)), day=6)
    records.sort(key=lambda r: r["published_at"])
    yield from records


def write(source_dir: Path, out: Path, *, seed: int = 13) -> dict[str, int]:
    """Write the set to ``out`` (JSON lines); returns the number of records per kind and transform."""
    counts: dict[str, int] = {}
    try:
        with out.open("w", encoding="utf-8") as fh:
            for record in generate(source_dir, seed=seed):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                key = f"{record['kind']}:{record['transform'] or '-'}"
                counts[key] = counts.get(key, 0) + 1
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc}; choose a writable output path", source=str(out)) from exc
    return counts

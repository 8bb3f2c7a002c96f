#!/usr/bin/env python3
"""Build the demo corpus in src/newswatch/data/demo/ from the reports written for it (scripts/demo/reports.txt).

The report texts are the project's own prose; this script only dresses them as the inputs newswatch reads:
web pages with page chrome and bylines for the outlets that publish on the web, one RSS feed (full text in
content:encoded), one JSONL file of wire records, and the syndicated copies each report lists (verbatim,
re-titled or trimmed, on a sister site of the same owner or on aggregators of other owners, each with the
line that names the original). Every outlet is fictional and lives under the reserved .example domain.
The output is deterministic: running the script again rewrites the same bytes (tests check this).

Usage: python scripts/demo/build_demo.py [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORTS = Path(__file__).resolve().parent / "reports.txt"
OUT = ROOT / "src" / "newswatch" / "data" / "demo"


@dataclass(frozen=True)
class Outlet:
    key: str
    name: str
    domain: str
    owner: str
    form: str  # html | rss | jsonl
    section: str
    tagline: str


OUTLETS = {
    o.key: o
    for o in (
        Outlet("harbourpost", "The Harbour Post", "harbourpost.example", "Meridian Media Group", "html", "world",
               "Independent news since 1921"),
        Outlet("meridiandaily", "Meridian Daily", "meridiandaily.example", "Meridian Media Group", "html", "news",
               "Your world, every morning"),
        Outlet("coastline", "Coastline Times", "coastlinetimes.example", "Meridian Media Group", "html", "news",
               "News for the coast and beyond"),
        Outlet("courier", "The Northern Courier", "northcourier.example", "Courier Press", "html", "international",
               "Reporting that travels"),
        Outlet("ledger", "Eastern Ledger", "easternledger.example", "Ledger Publishing", "rss", "asia",
               "Asia and Europe, explained"),
        Outlet("wire", "Peninsula Wire", "peninsulawire.example", "Peninsula Wire Service", "jsonl", "wire",
               "Wire service"),
        Outlet("steppe", "Steppe & Sea Review", "steppeandsea.example", "Steppe Media", "html", "europe",
               "Eastern Europe and the Black Sea"),
        Outlet("briefs", "WorldBriefs", "worldbriefs.example", "Briefs Network", "html", "top-stories",
               "The day's news in brief"),
        Outlet("digest", "NewsDigest Hub", "newsdigesthub.example", "Digest Hub", "html", "headlines",
               "Everything, in one place"),
    )
}


@dataclass
class Report:
    rid: str
    date: datetime
    outlet: Outlet
    author: str
    title: str
    paragraphs: list[str]
    copies: list[tuple[str, Outlet, str | None]] = field(default_factory=list)  # (kind, outlet, new title)

    @property
    def slug(self) -> str:
        words = re.findall(r"[a-z0-9]+", self.title.lower())
        return "-".join(words[:9])

    def url(self, outlet: Outlet | None = None, when: datetime | None = None) -> str:
        o = outlet or self.outlet
        return f"https://www.{o.domain}/{o.section}/{when or self.date:%Y/%m/%d}/{self.slug}"


def parse_reports(text: str) -> list[Report]:
    reports: list[Report] = []
    for block in re.split(r"^=== ", text, flags=re.M)[1:]:
        head, _, body = block.partition("\n---\n")
        lines = head.strip().splitlines()
        rid = lines[0].strip()
        meta: dict[str, str] = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
        copies: list[tuple[str, Outlet, str | None]] = []
        for item in filter(None, (c.strip() for c in meta.get("copies", "").split(";"))):
            spec, _, new_title = item.partition(" ")
            kind, _, where = spec.partition("@")
            if kind not in ("verbatim", "retitled", "trimmed") or where not in OUTLETS:
                raise SystemExit(f"{rid}: bad copy {item!r}")
            copies.append((kind, OUTLETS[where], new_title.strip().strip('"') or None))
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
        reports.append(
            Report(
                rid=rid,
                date=datetime.fromisoformat(meta["date"]),
                outlet=OUTLETS[meta["outlet"]],
                author=meta["by"],
                title=meta["title"],
                paragraphs=paragraphs,
                copies=copies,
            )
        )
    ids = [r.rid for r in reports]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate report ids")
    return reports


def _pick(options: list[str], key: str) -> str:
    digest = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16)
    return options[digest % len(options)]


_RELATED = [
    "Opinion: What the treaty changes, and what it does not",
    "Explainer: How missile launches are detected",
    "Markets steady as regional tensions rise",
    "Five charts on the war's third year",
    "Weather: Heavy rain expected across the peninsula",
    "Sport: Seoul marathon draws record field",
]


def page(report: Report, outlet: Outlet, *, title: str, paragraphs: list[str], when: datetime,
         note: str | None = None, byline: str | None = None) -> str:
    """A full web page around the article: header, navigation, share bar, related links, comments, footer."""
    url = report.url(outlet, when)
    esc = html.escape
    author = byline or report.author
    author_slug = "-".join(re.findall(r"[a-z]+", author.lower()))
    related = [_pick(_RELATED, f"{report.rid}{outlet.key}{n}") for n in range(3)]
    body: list[str] = []
    for n, para in enumerate(paragraphs):
        body.append(f"      <p>{esc(para)}</p>")
        if n == 1 and len(paragraphs) > 3:
            body.append('      <aside class="inline-related"><h4>Read more</h4><ul>'
                        + "".join(f'<li><a href="/{outlet.section}/related-{i}">{esc(t)}</a></li>'
                                  for i, t in enumerate(related[:2]))
                        + "</ul></aside>")
    if note:
        body.append(f'      <p class="source-note">{esc(note)}</p>')
    lede = paragraphs[0][:180]
    bio = ""
    if outlet.form == "html" and outlet.key not in ("briefs", "digest"):
        bio = (f'      <div class="author-bio"><p>{esc(author)} is a correspondent for {esc(outlet.name)} '
               f'and has covered security and diplomacy in the region for many years.</p></div>\n')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{esc(title)} | {esc(outlet.name)}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="canonical" href="{url}">
  <meta property="og:url" content="{url}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{esc(title)}">
  <meta name="description" content="{esc(lede)}">
  <meta name="author" content="{esc(author)}">
  <meta property="article:published_time" content="{when.isoformat()}">
  <link rel="stylesheet" href="/static/site.css">
  <script async src="/static/ads.js"></script>
</head>
<body>
  <header class="masthead">
    <a class="logo" href="/">{esc(outlet.name)}</a> <span class="tagline">{esc(outlet.tagline)}</span>
    <nav><ul><li><a href="/world">World</a></li><li><a href="/asia">Asia</a></li><li><a href="/europe">Europe</a></li><li><a href="/politics">Politics</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
    <div class="ticker">Latest: <a href="/live">Live updates</a></div>
  </header>
  <main>
    <article>
      <h1>{esc(title)}</h1>
      <div class="byline">By <a rel="author" href="/author/{author_slug}">{esc(author)}</a> &middot; <time datetime="{when.isoformat()}">{when:%d %B %Y, %H:%M}</time></div>
      <div class="share"><a href="#">Share</a> <a href="#">Post</a> <a href="#">Email</a> <a href="#">Print</a></div>
{chr(10).join(body)}
{bio}    </article>
    <section class="newsletter"><h3>Get the morning briefing</h3><p>Sign up for our newsletter.</p><form><input type="email" placeholder="Email address"><button>Sign up</button></form></section>
    <section class="comments"><h3>Comments</h3><p>Loading Now</p><button>Post Comment</button></section>
  </main>
  <footer><p>&copy; {when.year} {esc(outlet.owner)}. All rights reserved.</p><a href="/privacy">Privacy</a> <a href="/terms">Terms of use</a> <a href="/contact">Contact us</a></footer>
</body>
</html>
"""


def _trim(paragraphs: list[str]) -> list[str]:
    keep = max(2, (len(paragraphs) * 3 + 4) // 5)
    return paragraphs[:keep] if keep < len(paragraphs) else paragraphs[:-1] or paragraphs


def build(reports: list[Report]) -> dict[str, str]:
    """Relative path -> file text for the whole demo corpus."""
    files: dict[str, str] = {}
    items: list[str] = []
    wire: list[str] = []
    for r in sorted(reports, key=lambda r: (r.date, r.rid)):
        if r.outlet.form == "html":
            files[f"pages/{r.outlet.key}/{r.date:%Y-%m-%d}-{r.rid}.html"] = page(
                r, r.outlet, title=r.title, paragraphs=r.paragraphs, when=r.date
            )
        elif r.outlet.form == "rss":
            content = "".join(f"<p>{html.escape(p)}</p>" for p in r.paragraphs)
            items.append(
                "    <item>\n"
                f"      <title>{html.escape(r.title)}</title>\n"
                f"      <link>{r.url()}</link>\n"
                f'      <guid isPermaLink="true">{r.url()}</guid>\n'
                f"      <pubDate>{format_datetime(r.date)}</pubDate>\n"
                f"      <dc:creator>{html.escape(r.author)}</dc:creator>\n"
                f"      <description>{html.escape(r.paragraphs[0])}</description>\n"
                f"      <content:encoded><![CDATA[{content}]]></content:encoded>\n"
                "    </item>\n"
            )
        else:
            wire.append(json.dumps({
                "id": r.rid, "url": r.url(), "title": r.title, "date": r.date.isoformat(), "author": r.author,
                "site": r.outlet.domain, "text": "\n\n".join(r.paragraphs),
            }, ensure_ascii=False))
        for n, (kind, outlet, new_title) in enumerate(r.copies):
            when = r.date + timedelta(hours=2 + 3 * n, minutes=17 * (n + 1))
            same_owner = outlet.owner == r.outlet.owner
            note = (f"This article originally appeared on {r.outlet.domain}." if same_owner
                    else f"Original Source: www.{r.outlet.domain}")
            paras = _trim(r.paragraphs) if kind == "trimmed" else r.paragraphs
            title = new_title if kind == "retitled" and new_title else r.title
            byline = r.author if same_owner else f"{r.author}, {r.outlet.name}"
            files[f"copies/{outlet.key}/{when:%Y-%m-%d}-{r.rid}-{kind}.html"] = page(
                r, outlet, title=title, paragraphs=paras, when=when, note=note, byline=byline
            )
    ledger = OUTLETS["ledger"]
    files["feeds/easternledger.rss"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n  <channel>\n'
        f"    <title>{ledger.name}</title>\n    <link>https://www.{ledger.domain}/</link>\n"
        f"    <description>{ledger.tagline} (demo feed written for newswatch; not a source of record)</description>\n"
        "    <language>en</language>\n" + "".join(items) + "  </channel>\n</rss>\n"
    )
    files["wire/peninsulawire.jsonl"] = "\n".join(wire) + "\n"
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = ap.parse_args()
    reports = parse_reports(REPORTS.read_text(encoding="utf-8"))
    files = build(reports)
    stale = [p for p, text in files.items() if not (OUT / p).is_file() or (OUT / p).read_text("utf-8") != text]
    extra = [str(p.relative_to(OUT)) for d in ("pages", "copies", "feeds", "wire") for p in (OUT / d).rglob("*")
             if p.is_file() and str(p.relative_to(OUT)) not in files] if OUT.is_dir() else []
    if args.check:
        for p in stale + extra:
            print(f"out of date: {p}")
        return 1 if stale or extra else 0
    for p in extra:
        (OUT / p).unlink()
    for p, text in files.items():
        (OUT / p).parent.mkdir(parents=True, exist_ok=True)
        (OUT / p).write_text(text, encoding="utf-8")
    copies = sum(len(r.copies) for r in reports)
    print(f"{len(reports)} reports, {copies} copies -> {len(files)} files in {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Turn a ``RawDocument`` into a clean ``Article``: decode the bytes safely, take the main text and metadata
(title, author, date, site, language, canonical URL) from HTML with trafilatura, then apply our own clean-up of
page chrome that survives extraction (loading placeholders, share and comment prompts, a trailing author bio)
and detect provenance cues ("Original Source: ...", "This article originally appeared on ...") into
``Article.original_source``. Plain text and already-extracted records go through the same clean-up. The
patterns live in ``data/extract/*.json`` with their provenance; inputs that hold no article raise InputError.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import ExtractSettings
from .errors import ExtractionError, InputError
from .instants import publication_problem
from .models import Article, RawDocument, article_id

log = logging.getLogger(__name__)

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"OggS", b"ID3", b"RIFF",
                 b"\x00\x00\x01\x00", b"wOFF", b"wOF2")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})(?:[-_][\w-]+)?""", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_WESTERN_PUNCT = frozenset("’‘“”–—…•«»°€£©®™·¡¿§¶")
_PRECISION_KEEP_SHARE = 0.5
_SECOND_PASS_BELOW = 3000  # characters
_HAS_TAG = re.compile(r"<(?:[a-zA-Z][\w:-]*|!--|!doctype)[\s>/]", re.IGNORECASE)
_AND_AGENCIES = re.compile(r"\s+(?:and|&)\s+(?:other\s+)?(?:news\s+)?(?:agencies|wires|wire services)$",
                           re.IGNORECASE)
_DATE_WORDS = re.compile(r"\b(?:1[89]|20)\d\d\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d|"
                         r"^(?:on|in|at)\b|\b(?:january|february|march|april|june|july|august|september|october|"
                         r"november|december)\b", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:By|BY|by)\s+[A-Z][\w'’.-]*(?:(?:\s*,\s*|\s+(?:and|&)\s+|\s+)[A-Z][\w'’.-]*)*\s*$")
_DATA_DIR = Path(__file__).parent / "data" / "extract"


# ---------------------------------------------------------------- the patterns (data files)


@dataclass(frozen=True)
class _Rules:
    chrome_anywhere: re.Pattern[str]
    chrome_edges: re.Pattern[str]
    chrome_max: int
    cue_strong: tuple[re.Pattern[str], ...]
    cue_weak: tuple[re.Pattern[str], ...]
    cue_max: int
    cue_generic: frozenset[str]
    dateline: re.Pattern[str]
    bio_opening: re.Pattern[str]
    bio_roles: re.Pattern[str]
    bio_max: int
    bio_paragraphs: int
    languages: dict[str, frozenset[str]]
    language_share: float
    byline_prefix: re.Pattern[str]
    byline_roles: frozenset[str]
    byline_junk: re.Pattern[str]
    author_paths: frozenset[str]


def _load_json(name: str) -> dict[str, Any]:
    with (_DATA_DIR / name).open("r", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _alternation(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    chrome = _load_json("chrome.json")
    cues = _load_json("provenance.json")
    bio = _load_json("author_bio.json")
    agencies = "|".join(re.escape(a) for a in sorted(cues["wire_agencies"], key=len, reverse=True))
    lang = _load_json("language.json")
    byline = _load_json("byline.json")
    prefixes = "|".join(re.escape(p) for p in sorted(byline["prefixes"], key=len, reverse=True))
    junk = "|".join(re.escape(j) for j in byline["junk"])
    months = "|".join(re.escape(m) for m in byline["months"])
    # A personal name is one to four capitalised words; the bio's verb follows it directly.
    name = r"(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*"
    openings = "|".join(re.escape(o) for o in sorted(bio["opening"], key=len, reverse=True))
    roles = "|".join(re.escape(r) for r in bio["roles"])
    return _Rules(
        chrome_anywhere=_alternation(chrome["anywhere"]),
        chrome_edges=_alternation(chrome["edges"]),
        chrome_max=int(chrome["max_chars"]),
        cue_strong=tuple(re.compile(p, re.IGNORECASE) for p in cues["strong"]),
        cue_weak=tuple(re.compile(p, re.IGNORECASE) for p in cues["weak"]),
        cue_max=int(cues["max_chars"]),
        cue_generic=frozenset(g.casefold() for g in cues["generic"]),
        # "LONDON (Reuters) -", "KYIV, Ukraine, March 3 (AP) —": a place, an optional date, the agency
        dateline=re.compile(r"^[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*){0,4},?(?: [A-Z][a-z]{2,8}\.? \d{1,2},?)?"
                            rf"\s*\((?P<src>{agencies})\)\s*[-–—]"),
        bio_opening=re.compile(rf"^(?P<name>{name})\s+(?:{openings})\b"),
        bio_roles=re.compile(rf"\b(?:{roles})\b", re.IGNORECASE),
        bio_max=int(bio["max_chars"]),
        bio_paragraphs=int(bio["trailing_paragraphs"]),
        languages={code: frozenset(words) for code, words in lang["languages"].items()},
        language_share=float(lang["min_share"]),
        byline_prefix=re.compile(rf"^(?:(?:{prefixes})\b\s*:?\s*)+", re.IGNORECASE),
        byline_roles=frozenset(byline["roles"]),
        byline_junk=re.compile(rf"(?:^|\W)(?:{junk})(?:\W|$)|^(?:{months})\.?(?:\s+\d[\d, ]*)?$", re.IGNORECASE),
        author_paths=frozenset(byline["author_paths"]),
    )


# ---------------------------------------------------------------- public API


def extract_article(raw: RawDocument, *, settings: ExtractSettings) -> Article:
    """The clean article in ``raw``; raises InputError (unreadable bytes) or ExtractionError (no article text).

    A URL that is not http(s) (``javascript:``, ``data:``, ``file:``) is never stored as a link and a
    publication date outside the believable range is not used: each is set aside in ``Article.notes``.
    """
    return _checked(_extract(raw, settings=settings))


def _checked(article: Article) -> Article:
    for field_name in ("url", "canonical_url"):
        value = getattr(article, field_name)
        if value is not None and not is_http_url(value):
            setattr(article, field_name, None)
            note = f"the URL {value[:300]!r} is not an http(s) URL; it is kept here as text, not as a link"
            if note not in article.notes:
                article.notes.append(note)
            if field_name == "canonical_url":
                article.id = article_id(canonical_url=None, text=article.text)
    problem = publication_problem(article.published_at)
    if problem:
        article.notes.append(f"{problem}; it was set aside and the article is treated as undated")
        article.published_at = None
    return article


def is_http_url(value: str) -> bool:
    """Is ``value`` an absolute http(s) URL with a host (the only kind stored or shown as a link)?"""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and not any(
        ch in value for ch in "\x00\t\n\r"
    )


def _extract(raw: RawDocument, *, settings: ExtractSettings) -> Article:
    if raw.kind == "record":
        return _from_record(raw, settings=settings)
    size = len(raw.content)
    if size > settings.max_html_bytes:
        raise InputError(f"the document is {size} bytes, over the {settings.max_html_bytes}-byte limit, and was not "
                         "parsed; raise extract.max_html_bytes if it really is one article", source=raw.source,
                         kind="size")
    text = decode_bytes(raw.content, declared=raw.meta.get("charset"), source=raw.source)
    if not text.strip():
        raise InputError("the document is empty; leave it out", source=raw.source, kind="empty")
    # a page without a single tag (a .html file that holds plain text, a text/html response) is text
    if raw.kind == "text" or not _HAS_TAG.search(text[:20000]):
        return _from_text(raw, text, settings=settings)
    return _from_html(raw, text, settings=settings)


def article_json(article: Article, *, name: str | None = None) -> dict[str, Any]:
    """The ``newswatch extract`` record of an article (DESIGN.md contract)."""
    return {
        "id": name or article.name or article.id,
        "url": article.canonical_url or article.url,
        "title": article.title,
        "author": article.author,
        "date": format_date(article.published_at),
        "site": article.site,
        "language": article.language,
        "text": article.text,
        "original_source": article.original_source,
    }


def format_date(value: datetime | None) -> str | None:
    """ISO 8601; a date known only to the day (naive midnight) is written as the day alone."""
    if value is None:
        return None
    if value.tzinfo is None and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()
    return value.isoformat()


# ---------------------------------------------------------------- decoding


def decode_bytes(content: bytes, *, declared: str | None = None, source: str = "") -> str:
    """Text from bytes: BOM, then UTF-8, then the declared or ``<meta charset>``, then charset detection.

    Raises InputError for binary content or bytes that no encoding reads sensibly.
    """
    head = content[:8192]
    if head.startswith(_BINARY_MAGIC) or _looks_binary(head):
        raise InputError("the document is binary (an image, archive, PDF or program), not HTML or text; "
                         "leave it out or convert it to text first", source=source, kind="binary")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if content.startswith(bom):
            try:
                return content.decode(codec)
            except UnicodeDecodeError:
                break
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    candidates = [declared] if declared else []
    match = _META_CHARSET.search(head)
    if match:
        candidates.append(match.group(1).decode("ascii", "replace"))
    for codec in candidates:
        if not codec or codec.lower().replace("-", "").replace("_", "") in ("utf8", "utf8mb4"):
            continue
        try:
            return content.decode(_codec_alias(codec))
        except (LookupError, UnicodeDecodeError):
            continue
    # Mostly-valid UTF-8 with a few damaged bytes (a cut multi-byte character, one stray byte) is UTF-8:
    # a legacy code page would turn every accented letter into mojibake instead of losing one character.
    lenient = content.decode("utf-8", "replace")
    damaged = lenient.count("\ufffd")
    valid = sum(1 for ch in lenient if ord(ch) > 127 and ch != "\ufffd")
    if valid and damaged <= max(2, valid // 10):
        return lenient
    # Undeclared legacy pages are mostly windows-1252; accept it when the bytes read as accented letters
    # sprinkled in ASCII words (a Cyrillic or Greek code page read as 1252 gives nearly all-high letters).
    try:
        western = content.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    high = [ch for ch in western if ord(ch) > 127]
    letters = sum(1 for ch in western if ch.isalpha())
    if high and sum(1 for ch in high if ch.isalpha() or ch in _WESTERN_PUNCT) >= 0.95 * len(high) \
            and len(high) <= 0.2 * letters:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(content[:2_000_000]).best()
    if best is not None and best.encoding and best.chaos < 0.3:
        try:
            return content.decode(best.encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    bad = content[utf8_error.start:utf8_error.start + 1]
    raise InputError(f"the document is not valid UTF-8 (byte {utf8_error.start} is {bad!r}) and no other "
                     "encoding reads it sensibly; re-encode it as UTF-8", source=source, kind="encoding")


def _codec_alias(codec: str) -> str:
    # Browsers read latin-1 labels as windows-1252 (WHATWG encoding standard); so do we.
    lower = codec.lower()
    return "cp1252" if lower in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else codec


def _looks_binary(head: bytes) -> bool:
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return b"\x00" in head or controls > len(head) * 0.05


# ---------------------------------------------------------------- kinds


def _from_record(raw: RawDocument, *, settings: ExtractSettings) -> Article:
    meta = raw.meta
    value = meta.get("text")
    text = value if isinstance(value, str) else raw.content.decode("utf-8", "replace")
    cleaned = clean_text(_without_controls(text))
    if len(cleaned.text) < settings.min_text_chars:
        raise ExtractionError(f"the record holds only {len(cleaned.text)} characters of text (minimum "
                              f"{settings.min_text_chars}); check its \"text\" field", source=raw.source,
                              kind="no-text")
    url = raw.url or _str_or_none(meta.get("url"))
    published = _parse_datetime(meta.get("date") or meta.get("published_at") or meta.get("published"))
    site = _str_or_none(meta.get("site")) or (_domain(url) if url else None)
    return Article(
        id=article_id(canonical_url=url, text=cleaned.text),
        text=cleaned.text,
        url=url,
        canonical_url=url,
        site=site,
        title=_str_or_none(meta.get("title")),
        author=_str_or_none(meta.get("author")),
        published_at=published,
        fetched_at=raw.fetched_at,
        language=_str_or_none(meta.get("language")) or guess_language(cleaned.text),
        original_source=_str_or_none(meta.get("original_source")) or cleaned.original_source,
        source=raw.source,
        name=raw.name,
    )


def _from_text(raw: RawDocument, text: str, *, settings: ExtractSettings) -> Article:
    cleaned = clean_text(_without_controls(text))
    if len(cleaned.text) < settings.min_text_chars:
        raise ExtractionError(f"the text holds only {len(cleaned.text)} characters once page chrome is removed "
                              f"(minimum {settings.min_text_chars}); nothing to analyse", source=raw.source,
                              kind="no-text")
    first = cleaned.text.split("\n", 1)[0].strip()
    title = first if _looks_like_headline(first, rest=cleaned.text[len(first):]) and not _BYLINE.match(first) \
        else None
    # a "By <Name>" line near the top is the byline; it stays in the text, and names the author
    byline = next((line for line in cleaned.text.split("\n")[:6] if _BYLINE.match(line.strip())), None)
    return Article(
        id=article_id(canonical_url=raw.url, text=cleaned.text),
        text=cleaned.text,
        url=raw.url,
        canonical_url=raw.url,
        site=_domain(raw.url) if raw.url else None,
        title=title or _str_or_none(raw.meta.get("title")),
        author=_str_or_none(raw.meta.get("author")) or clean_author(byline),
        published_at=_parse_datetime(raw.meta.get("date")),
        fetched_at=raw.fetched_at,
        language=guess_language(cleaned.text),
        original_source=cleaned.original_source,
        source=raw.source,
        name=raw.name,
    )


def _trafilatura(page: Any, *, url: str | None, mode: str, metadata: bool = True) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(page, url=url, favor_precision=mode == "precision",
                                       favor_recall=mode == "recall", include_comments=False,
                                       with_metadata=metadata)


@dataclass
class _PageHints:
    tree: Any  # the parsed page, handed to trafilatura (which prunes it)
    headings: list[str]
    author_link: str | None  # text of the first link to an author page


def _page_hints(html: str) -> _PageHints:
    """What we read from the page before trafilatura prunes it: <h1> texts and an author-page link."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return _PageHints(None, [], None)
    texts = (" ".join(el.text_content().split()) for el in tree.iter("h1"))
    return _PageHints(tree, [t for t in texts if t][:3], _author_link(tree))


def _author_link(tree: Any) -> str | None:
    # Sites link a byline to the writer's page (/author/<slug>, /people/<slug>); its text is the name.
    paths = _rules().author_paths
    for link in tree.iter("a"):
        href = link.get("href") or ""
        segments = [seg.lower() for seg in urlsplit(href).path.split("/") if seg]
        if len(segments) < 2 or not any(seg in paths for seg in segments[:-1]):
            continue
        text = " ".join(link.text_content().split())
        name = clean_author(text)
        if name and 1 <= len(name.split()) <= 5 and not any(ch.isdigit() for ch in name):
            return name
    return None


def clean_author(value: str | None) -> str | None:
    """The author field without byline wording: prefixes ("Written by"), trailing roles ("Senior Reporter"),
    dates and page furniture; several authors stay separated by "; "."""
    if not value:
        return None
    rules = _rules()
    names: list[str] = []
    for index, part in enumerate(re.split(r"\s*;\s*", value)):
        part = rules.byline_prefix.sub("", " ".join(part.split())).strip(" ,:|-–—")
        if not part or rules.byline_junk.search(part) or not any(ch.isalpha() for ch in part):
            continue
        words = part.split()
        cut = next((i for i, w in enumerate(words) if w.strip(",.()").lower() in rules.byline_roles), None)
        if cut is not None:
            if index > 0 or cut == 0:
                continue  # a later part that holds a role is a job title split off the name, not a name
            part = " ".join(words[:cut]).strip(" ,:|-–—")
        if part and part.casefold() not in (n.casefold() for n in names):
            names.append(part)
    return "; ".join(names) or None


def _from_html(raw: RawDocument, html: str, *, settings: ExtractSettings) -> Article:
    # favor_precision drops more boilerplate (share bars, teasers, comment threads) than the other modes;
    # on pages that are not plain news stories (lists, guides, long-form) it sometimes drops real sections
    # too, so when it keeps less than half of what recall mode keeps, the recall-mode text is used.
    # Measured with benchmarks/extraction.py on two gold sets: stable for any share between 0.3 and 0.6,
    # and recall mode as the second pass scores like the balanced mode but runs faster.
    try:
        hints = _page_hints(html)
        doc = _trafilatura(hints.tree if hints.tree is not None else html, url=raw.url, mode="precision")
        body = (doc.text or "") if doc is not None else ""
        # On the gold sets precision mode only fell short when it kept under 900 characters, so the second
        # pass (a third of the time) runs only below _SECOND_PASS_BELOW; metadata does not depend on the
        # mode, so the second pass skips it (the date search is the slow part).
        if len(body) < _SECOND_PASS_BELOW:
            loose = _trafilatura(html, url=raw.url, mode="recall", metadata=doc is None)
            loose_body = (loose.text or "") if loose is not None else ""
            if len(body) < _PRECISION_KEEP_SHARE * len(loose_body):
                body = loose_body
                doc = doc if doc is not None else loose
    except Exception as exc:  # lxml/trafilatura/htmldate on pathological markup (even AssertionError: <iframe><html>)
        raise ExtractionError(f"the HTML could not be parsed ({type(exc).__name__}: {exc}); check the file is a "
                              "web page", source=raw.source, kind="malformed") from exc
    if doc is None or not body.strip():
        raise ExtractionError("no article text found in the page (it may be a front page, a list or a script-only "
                              "page); give the article's own URL or saved page", source=raw.source, kind="no-text")
    cleaned = clean_text(_without_controls(body))
    if len(cleaned.text) < settings.min_text_chars:
        raise ExtractionError(f"the page holds only {len(cleaned.text)} characters of article text (minimum "
                              f"{settings.min_text_chars}); it is probably not an article", source=raw.source,
                              kind="no-text")
    canonical = _str_or_none(doc.url) or raw.url
    if canonical and not canonical.lower().startswith(("http://", "https://")):
        canonical = raw.url
    site = _str_or_none(doc.sitename) or _str_or_none(doc.hostname) or (_domain(canonical) if canonical else None)
    return Article(
        id=article_id(canonical_url=canonical, text=cleaned.text),
        text=cleaned.text,
        url=raw.url or canonical,
        canonical_url=canonical,
        site=site,
        title=choose_title(_str_or_none(doc.title), hints.headings,
                           site=" ".join(filter(None, (_str_or_none(doc.sitename), _str_or_none(doc.hostname)))))
        or _str_or_none(raw.meta.get("title")),
        author=clean_author(_str_or_none(doc.author)) or hints.author_link or _str_or_none(raw.meta.get("author")),
        published_at=_page_date(html, _str_or_none(doc.date)) or _parse_datetime(raw.meta.get("date")),
        fetched_at=raw.fetched_at,
        language=_normalise_lang(_str_or_none(doc.language)) or _html_language(html)
        or guess_language(cleaned.text),
        original_source=_not_self(cleaned.original_source, site, canonical or raw.url),
        source=raw.source,
        name=raw.name,
    )


# ---------------------------------------------------------------- clean-up


@dataclass
class CleanText:
    """Text with page chrome removed and the provenance cue it named, if any."""

    text: str
    original_source: str | None
    removed: list[str]


def _without_controls(text: str) -> str:
    """NUL and other control characters are no text (PostgreSQL refuses NUL in a text column); vertical tab
    and form feed separate lines."""
    return _CONTROL_CHARS.sub("", text).replace("\x0b", "\n").replace("\x0c", "\n")


def clean_text(text: str) -> CleanText:
    """Remove page chrome lines, provenance cue lines and a trailing author bio; keep the named original."""
    rules = _rules()
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    removed: list[str] = []
    original: str | None = None
    content_idx = [i for i, line in enumerate(lines) if line]
    edge = set(content_idx[:3] + content_idx[-6:])
    keep: list[str] = []
    for i, line in enumerate(lines):
        if not line:
            keep.append("")
            continue
        src = _cue_source(line, rules, at_edge=i in edge)
        if src is not None:
            original = original or src or None
            removed.append(line)
            continue
        if _is_chrome(line, rules, at_edge=i in edge):
            removed.append(line)
            continue
        keep.append(line)
    paragraphs = _strip_trailing_bio(keep, rules, removed)
    if original is None:
        # a wire dateline names the agency the story came from; it is part of the story, so it stays
        for line in [p for p in paragraphs if p][:3]:
            match = rules.dateline.match(line)
            if match:
                original = match.group("src")
                break
    out = _BLANK_RUNS.sub("\n\n", "\n".join(paragraphs)).strip()
    return CleanText(text=out, original_source=original, removed=removed)


def _is_chrome(line: str, rules: _Rules, *, at_edge: bool) -> bool:
    if len(line) > rules.chrome_max:
        return False
    if rules.chrome_anywhere.fullmatch(line):
        return True
    return at_edge and bool(rules.chrome_edges.fullmatch(line))


def _cue_source(line: str, rules: _Rules, *, at_edge: bool) -> str | None:
    if len(line) > rules.cue_max:
        return None
    patterns = rules.cue_strong + (rules.cue_weak if at_edge else ())
    for pattern in patterns:
        match = pattern.fullmatch(line)
        if not match:
            continue
        # "... published by Futurism. Read the original article." names Futurism, not the second sentence
        src = normalise_source(re.split(r"(?<=[\w)])\.\s+(?=[A-Z])", match.group("src"))[0])
        if not src or _DATE_WORDS.search(src):
            continue  # "Originally published in April 2020" dates the story; it names no outlet
        src = _AND_AGENCIES.sub("", src)  # "Al Jazeera and news agencies": Al Jazeera is the one named
        # "SOURCE: News agencies": a cue line without one outlet; removed, but no source recorded
        return "" if src.casefold().removeprefix("the ") in rules.cue_generic else src
    return None


def _strip_trailing_bio(lines: list[str], rules: _Rules, removed: list[str]) -> list[str]:
    # Walk back over the last paragraphs: a bio is only page furniture when nothing but chrome follows it.
    lines = list(lines)
    checked = 0
    while checked < rules.bio_paragraphs:
        idx = [i for i, line in enumerate(lines) if line]
        if len(idx) < 2:
            break
        last = idx[-1]
        para = lines[last]
        match = rules.bio_opening.match(para)
        if match and len(para) <= rules.bio_max and rules.bio_roles.search(para) \
                and not _named_before(match.group("name"), lines[:last]):
            removed.append(para)
            lines = lines[:last]
            checked += 1
            continue
        break
    return lines


def _named_before(name: str, lines: list[str]) -> bool:
    # An author's bio names someone the story never mentions; a closing paragraph about a journalist who
    # is the story's subject ("X is a reporter who was detained ...") names someone already in it.
    surname = name.split()[-1]
    return len(surname) > 2 and re.search(rf"\b{re.escape(surname)}\b", "\n".join(lines)) is not None


def normalise_source(value: str) -> str | None:
    """A bare domain (``https://www.aljazeera.com/x`` -> ``aljazeera.com``) or a cleaned outlet name."""
    value = value.strip().strip(".,;:()[]<>\"'“”‘’ ").strip()
    if not value or len(value) > 100:
        return None
    candidate = value
    if re.match(r"^[a-z][a-z0-9+.-]*://", candidate, re.IGNORECASE):
        candidate = urlsplit(candidate).netloc
    else:
        token = candidate.split()[0] if len(candidate.split()) == 1 else ""
        if token and re.fullmatch(r"(?:[\w-]+\.)+[a-z]{2,}(?:[/:?#].*)?", token, re.IGNORECASE):
            candidate = urlsplit("//" + token).netloc
        else:
            return re.sub(r"\s+", " ", value)
    host = candidate.lower().split("@")[-1].split(":")[0]
    if host.startswith("www."):
        host = host[4:]
    elif re.match(r"^www\d\.", host):
        host = host.split(".", 1)[1]
    return host or None


def _not_self(source: str | None, site: str | None, url: str | None) -> str | None:
    """None when the 'original source' is the page's own outlet ("SOURCE: Al Jazeera" on aljazeera.com)."""
    if not source:
        return None
    own = {_squash(site or "")}
    if url:
        host = _domain(url) or ""
        own |= {_squash(host), _squash(host.rsplit(".", 1)[0])}
    candidate = _squash(source)
    return None if candidate in own or _squash(candidate.rsplit(".", 1)[0]) in own else source


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _looks_like_headline(line: str, *, rest: str) -> bool:
    words = line.split()
    if not rest.strip() or not 2 <= len(words) <= 30 or len(line) > 200:
        return False
    if line.endswith((".", ",", ";", ":")) and not line.endswith("..."):
        return False
    capitals = sum(1 for w in words if w[:1].isupper())
    if capitals >= max(1, len(words) // 3) or line.isupper():
        return True  # Title Case or CAPS
    # a sentence-case headline stands as a paragraph of its own, and is short
    return line[:1].isupper() and rest.startswith("\n\n") and len(words) <= 20


_TITLE_SEPARATOR = re.compile(r"\s+[|–—•·-]\s+|\s*\|\s*")


def choose_title(meta_title: str | None, headings: Sequence[str], *, site: str | None = None) -> str | None:
    """The headline: a page heading that agrees with the metadata title, else the title without the site name.

    Metadata titles (<title>, og:title) often carry the site name ("Headline | Site", "Site - Headline") or
    an SEO variant; the visible <h1> is the headline readers see, but on some pages it is a logo, so it is
    trusted only when most of its words are in the metadata title.
    """
    # some sites escape twice, so "&amp;" or "&#x26;" survives the HTML parser into the metadata
    title = " ".join(html_lib.unescape(meta_title).split()) if meta_title else None
    if not title:
        return next((h for h in headings if len(h.split()) >= 3 and len(h) <= 300), None)
    title_words = set(_title_words(title))
    for heading in headings:
        words = set(_title_words(heading))
        common = len(words & title_words)
        # most of the heading is in the title, and it is more than the site name at the title's end
        if len(heading.split()) >= 2 and words and common / len(words) >= 0.6 and common / len(title_words) >= 0.4:
            return heading
    parts = [p.strip() for p in _TITLE_SEPARATOR.split(title) if p.strip()]
    if len(parts) > 1:
        site_words = set(_title_words(site or ""))
        # a part made only of the site's name (or its domain's words) is not the headline
        named = [p for p in parts if not (site_words and set(_title_words(p)) <= site_words)]
        if named and len(named) < len(parts):
            return named[0]
        if len(parts[0].split()) >= 3:
            return parts[0]
    return title


def _title_words(text: str) -> list[str]:
    return re.sub(r"[\W_]+", " ", text.casefold()).split()


# ---------------------------------------------------------------- metadata helpers


def guess_language(text: str) -> str | None:
    """A language code for untagged text from its commonest function words, or None when unsure."""
    rules = _rules()
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    if len(words) < 20:
        return None
    best, share = None, 0.0
    for code, vocab in rules.languages.items():
        s = sum(1 for w in words if w in vocab) / len(words)
        if s > share:
            best, share = code, s
    return best if share >= rules.language_share else None


def _html_language(html: str) -> str | None:
    match = _HTML_LANG.search(html[:20000])
    return match.group(1).lower() if match else None


def _normalise_lang(value: str | None) -> str | None:
    if not value:
        return None
    return re.split(r"[-_]", value.strip())[0].lower() or None


def _str_or_none(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _domain(url: str) -> str | None:
    host = urlsplit(url).hostname
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _parse_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


# Meta tags and JSON-LD keys that carry a full publication timestamp; used to add time and zone to the day
# trafilatura/htmldate chose (htmldate keeps the day only).
_TIMESTAMP_PATTERNS = (
    re.compile(r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|og:published_time|"""
               r"""datePublished|pubdate|publishdate|publish-date|date|dc\.date\.issued|dcterms\.created|"""
               r"""sailthru\.date|parsely-pub-date)["'][^>]*>""", re.IGNORECASE),
    re.compile(r'"datePublished"\s*:\s*"([^"]+)"'),
    re.compile(r"""<time[^>]+datetime\s*=\s*["']([^"']+)["']""", re.IGNORECASE),
)
_CONTENT_ATTR = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def _page_date(html: str, day: str | None) -> datetime | None:
    if not day:
        return None
    parsed_day = _parse_datetime(day)
    if parsed_day is None:
        return None
    for stamp in _timestamps(html):
        if stamp.tzinfo is not None and stamp.date() == parsed_day.date():
            return stamp
    return datetime(parsed_day.year, parsed_day.month, parsed_day.day)


def _timestamps(html: str) -> Iterator[datetime]:
    head = html[:300_000]
    for pattern in _TIMESTAMP_PATTERNS:
        for match in pattern.finditer(head):
            raw = match.group(1) if pattern.groups else None
            if raw is None:
                content = _CONTENT_ATTR.search(match.group(0))
                raw = content.group(1) if content else None
            if raw and "T" in raw:
                stamp = _parse_datetime(raw)
                if stamp is not None:
                    yield stamp

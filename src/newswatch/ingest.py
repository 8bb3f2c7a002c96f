"""Turn sources (files, directories, globs, URLs, RSS/Atom feeds, WARC archives, JSON/JSONL records) into
``RawDocument`` objects, one per document, without ever stopping a batch: an input that cannot be read is
yielded as an ``IngestFailure`` with a reason saying what happened and what the user can do. File kinds are
registered in one table (``FILE_KINDS``) so a new kind is one entry; URL fetching refuses private addresses,
caps sizes, limits redirects hop by hop and sends the configured User-Agent.
"""

from __future__ import annotations

import glob
import gzip
import io
import ipaddress
import json
import logging
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin

import httpcore
import httpx

from .config import FetchSettings, IngestSettings
from .errors import FetchError, InputError
from .models import IngestFailure, RawDocument

log = logging.getLogger(__name__)

# A file (after decompression) larger than this is refused: it protects memory against huge files and gzip bombs.
MAX_DECOMPRESSED_BYTES = 256_000_000
_GZIP_MAGIC = b"\x1f\x8b"
_HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECT_CODES = (301, 302, 303, 307, 308)

Item = RawDocument | IngestFailure


@dataclass
class _Context:
    fetch: FetchSettings
    transport: httpx.BaseTransport | None
    limits: IngestSettings
    feed_items: int = 0  # feed items read so far in this run, over all feeds


# ---------------------------------------------------------------- public entry point


def iter_documents(
    sources: Sequence[str],
    *,
    fetch: FetchSettings,
    transport: httpx.BaseTransport | None = None,
    limits: IngestSettings | None = None,
) -> Iterator[RawDocument | IngestFailure]:
    """Yield one RawDocument per document found in ``sources``, or an IngestFailure for each input that fails.

    ``transport`` replaces httpx's network transport (tests use ``httpx.MockTransport``); ``limits`` caps the
    feed items read per feed and per run (the items past a cap are recorded as one failure, not read).
    """
    ctx = _Context(fetch=fetch, transport=transport, limits=limits or IngestSettings())
    for source in sources:
        try:
            yield from _iter_source(str(source), ctx)
        except Exception as exc:  # a bug or an unexpected library error must not stop the batch
            log.exception("unexpected error while reading %s", source)
            yield _failure(source, "ingest", f"unexpected error while reading this source ({exc!r}); "
                                             "please report it with the input attached")


def _iter_source(source: str, ctx: _Context) -> Iterator[Item]:
    scheme = source.split(":", 1)[0].lower() if ":" in source else ""
    if scheme in ("http", "https"):
        yield from _iter_url(source, ctx)
        return
    if len(scheme) > 1 and "://" in source:
        yield _failure(source, "ingest", f"the URL scheme {scheme!r} is not supported; "
                                         "give an http(s) URL or a local path")
        return
    path = Path(source).expanduser()
    if path.is_dir():
        yield from _iter_directory(path, ctx)
    elif path.is_file():
        yield from _iter_file(path, ctx)
    elif glob.has_magic(source):
        matches = sorted(glob.glob(str(path), recursive=True))
        if not matches:
            yield _failure(source, "ingest", "the pattern matched no files; check the pattern and quote it "
                                             "so the shell does not expand it")
        for match in matches:
            p = Path(match)
            if p.is_dir():
                yield from _iter_directory(p, ctx)
            elif p.is_file():
                yield from _iter_file(p, ctx)
    elif path.exists():
        yield _failure(source, "ingest", "not a regular file or directory; give a file, a directory or a URL")
    else:
        yield _failure(source, "ingest", "no such file or directory; check the path, or give an http(s) URL")


def _iter_directory(path: Path, ctx: _Context) -> Iterator[Item]:
    # Sorted walk so that runs are repeatable; hidden files (editor backups, .DS_Store) are not documents.
    files = sorted(p for p in path.rglob("*") if p.is_file() and not _is_hidden(p, path))
    if not files:
        yield _failure(str(path), "ingest", "the directory holds no files; check the path")
    for p in files:
        yield from _iter_file(p, ctx)


def _is_hidden(p: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in p.relative_to(root).parts)


# ---------------------------------------------------------------- files


def _iter_file(path: Path, ctx: _Context) -> Iterator[Item]:
    try:
        yield from _iter_file_kind(path, ctx)
    except Exception as exc:  # one odd file must not end the directory or glob it is part of
        log.exception("unexpected error while reading %s", path)
        yield _failure(str(path), "ingest", f"unexpected error while reading this file ({exc!r}); please report "
                                            "it with the file attached")


def _iter_file_kind(path: Path, ctx: _Context) -> Iterator[Item]:
    source = str(path)
    kind = file_kind(path.name)
    if kind == "warc":
        yield from _iter_warc(path)
        return
    try:
        data = _read_file(path)
    except InputError as exc:
        yield _failure(source, "ingest", str(exc))
        return
    if kind is None:
        kind = _sniff_kind(data)
        if kind is None:
            yield _failure(source, "ingest", "unsupported file type (not HTML, text, JSON/JSONL, a feed or WARC); "
                                             "rename it with the right extension or leave it out")
            return
    handler = FILE_KINDS[kind]
    yield from handler(data, source, path, ctx)


def file_kind(name: str) -> str | None:
    """The registered kind for a file name (``.gz`` ignored), or None when the extension is unknown."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    suffix = PurePosixPath(lower).suffix
    return _EXTENSIONS.get(suffix)


def _stem(name: str) -> str:
    """File name without any of its extensions: ``a.html.gz`` -> ``a``."""
    base = name.split("/")[-1]
    return base.split(".", 1)[0] or base


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == _GZIP_MAGIC:
                return _gunzip_stream(fh)
            data = fh.read(MAX_DECOMPRESSED_BYTES + 1)
            if len(data) > MAX_DECOMPRESSED_BYTES:
                raise InputError(f"the file is larger than {MAX_DECOMPRESSED_BYTES} bytes and was not read; "
                                 "split it (JSONL) or leave it out", source=str(path))
            return data
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc}); check it exists and is readable",
                         source=str(path)) from exc


def _gunzip_stream(fh: Any) -> bytes:
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=fh) as gz:
            while chunk := gz.read(1 << 20):
                out += chunk
                if len(out) > MAX_DECOMPRESSED_BYTES:
                    raise InputError(f"the gzip file decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes; "
                                     "split it or leave it out")
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise InputError(f"the gzip file is truncated or corrupt ({exc}); download or copy it again") from exc
    return bytes(out)


def _gunzip_bytes(data: bytes) -> bytes:
    return _gunzip_stream(io.BytesIO(data))


def _sniff_kind(data: bytes) -> str | None:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if _looks_like_feed(data):
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<body" in head:
        return "html"
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"warc/"):
        return "warc"
    return None


def _looks_like_feed(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml"):
        head = head.split(b"?>", 1)[-1].lstrip()
    # skip comments and stylesheet instructions before the root element
    while head.startswith((b"<!--", b"<?")):
        end = b"-->" if head.startswith(b"<!--") else b"?>"
        head = head.split(end, 1)[-1].lstrip()
    return head.startswith((b"<rss", b"<feed", b"<rdf:rdf", b"<rdf"))


def _html_file(data: bytes, source: str, path: Path, ctx: _Context) -> Iterator[Item]:
    yield RawDocument(source=source, content=data, kind="html", name=_stem(path.name), fetched_at=_mtime(path))


def _text_file(data: bytes, source: str, path: Path, ctx: _Context) -> Iterator[Item]:
    yield RawDocument(source=source, content=data, kind="text", name=_stem(path.name), fetched_at=_mtime(path))


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return None


def _json_file(data: bytes, source: str, path: Path, ctx: _Context) -> Iterator[Item]:
    stem = _stem(path.name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield _failure(source, "ingest", f"JSON must be UTF-8 but byte {exc.start} is not; re-encode the file as UTF-8")
        return
    stripped = text.lstrip()
    is_jsonl = path.name.lower().removesuffix(".gz").endswith(".jsonl")
    if not stripped:
        yield _failure(source, "ingest", "the file is empty; leave it out or fill it with records")
        return
    if not is_jsonl:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            is_jsonl = True  # a .json file holding one object per line is common; read it as JSONL
        except RecursionError:
            yield _failure(source, "ingest", "the JSON nests arrays or objects too deeply to read; "
                                             "a news record is one flat object: fix the file")
            return
        else:
            records = value if isinstance(value, list) else [value]
            for i, rec in enumerate(records):
                yield _isolated(rec, f"{source}:{i}", stem if len(records) == 1 else f"{stem}-{i}")
            return
    # split on "\n" only: str.splitlines() would also cut at U+2028 and other separators that JSON strings
    # may hold raw, breaking a valid record in two
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        yield _jsonl_line(line, lineno, source, stem)


def _jsonl_line(line: str, lineno: int, source: str, stem: str) -> Item:
    """One JSONL line as a document or a failure of its own: a bad line never ends the file."""
    where = f"{source}:{lineno}"
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        return _failure(where, "ingest", f"line {lineno} is not valid JSON ({exc.msg} at column {exc.colno}); "
                                         "fix or remove that line")
    except RecursionError:
        return _failure(where, "ingest", f"line {lineno} nests arrays or objects too deeply to read; a record is "
                                         "one flat JSON object: fix or remove that line")
    return _isolated(rec, where, f"{stem}-{lineno}")


def _isolated(rec: Any, source: str, default_name: str) -> Item:
    try:
        return _record(rec, source, default_name)
    except Exception as exc:  # a record no rule foresaw is recorded on its own; the file goes on
        log.exception("unexpected error in record %s", source)
        return _failure(source, "ingest", f"the record could not be read ({exc.__class__.__name__}: {exc}); "
                                          "fix or remove it, and please report it")


def _record(rec: Any, source: str, default_name: str) -> Item:
    if not isinstance(rec, dict):
        return _failure(source, "ingest", "a record must be a JSON object {url, title, date, text}; "
                                          "fix the record")
    bad = _surrogate_field(rec)
    if bad is not None:
        return _failure(source, "ingest", f"the field {bad!r} holds an unpaired surrogate escape (such as "
                                          "\\ud800), which is no character; fix the escape or remove the field")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        return _failure(source, "ingest", "the record has no \"text\" field with article text; "
                                          "add it or leave the record out")
    rid = rec.get("id")
    name = str(rid) if isinstance(rid, str | int) and str(rid) else default_name
    url = rec.get("url") if isinstance(rec.get("url"), str) else None
    return RawDocument(source=source, content=text.encode("utf-8"), kind="record", url=url, name=name,
                       meta=dict(rec))


def _surrogate_field(rec: dict[str, Any]) -> str | None:
    """The first top-level field whose string value (or key) holds a lone UTF-16 surrogate."""
    for key, value in rec.items():
        for item in (key, value):
            if isinstance(item, str) and not _encodable(item):
                return str(key) if _encodable(str(key)) else key.encode("utf-8", "backslashreplace").decode()
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _feed_file(data: bytes, source: str, path: Path, ctx: _Context) -> Iterator[Item]:
    # a saved feed whose entries carry their full text is read offline; only summary-only entries are fetched
    yield from _iter_feed(data, source, ctx, prefer_content=True)


def _iter_warc(path: Path) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator

    source = str(path)
    count = 0
    # warcio writes its complaints about non-WARC bytes straight to stderr; check the magic first
    head = _warc_head(path)
    if not head.startswith((b"WARC/", b"filedesc://")):
        yield _failure(source, "ingest", "the file is not a WARC archive (it does not start with a WARC/1.x record, "
                                         "or its gzip data is corrupt); check the file or rename it")
        return
    try:
        with path.open("rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                if record.rec_type not in ("response", "resource"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                ctype = ""
                if record.http_headers is not None:
                    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                    status = record.http_headers.get_statuscode()
                    if status and not status.startswith("2"):
                        continue
                else:
                    ctype = (record.rec_headers.get_header("Content-Type") or "").lower()
                if ctype and not any(t in ctype for t in _HTML_CONTENT_TYPES):
                    continue
                content = record.content_stream().read()
                # warcio yields a cut-off last record without complaint; bytes still owed mean truncation
                if getattr(record.raw_stream, "limit", 0) > 0:
                    raise EOFError("the last record is cut off")
                offset = iterator.get_record_offset()  # only after reading: it consumes the record
                count += 1
                yield RawDocument(
                    source=f"{source}@{offset}",
                    content=content,
                    kind="html",
                    url=url,
                    fetched_at=_parse_warc_date(record.rec_headers.get_header("WARC-Date")),
                    name=url_name(url) if url else f"{_stem(path.name)}-{offset}",
                    meta={"charset": _charset_of(ctype)} if _charset_of(ctype) else {},
                )
    except Exception as exc:  # warcio raises several unrelated types for damaged archives
        yield _failure(source, "ingest", f"the WARC file is malformed or truncated after {count} HTML records "
                                         f"({type(exc).__name__}: {exc}); the records before the damage were read; "
                                         "download the archive again for the rest")
        return
    if count == 0:
        yield _failure(source, "ingest", "the WARC file holds no HTML response records; check it is a web crawl "
                                         "archive (WARC/1.0 or 1.1 with response records)")


def _warc_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(65536)
    except OSError:
        return b""
    if data[:2] != _GZIP_MAGIC:
        return data[:16]
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, 16)
    except zlib.error:
        return b""


def _parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, val = part.strip().partition("=")
        if key.strip().lower() == "charset" and val.strip():
            return val.strip().strip("\"'")
    return None


def _warc_file(data: bytes, source: str, path: Path, ctx: _Context) -> Iterator[Item]:
    # reached only when a file without a WARC extension sniffs as WARC; records stream from the file
    yield from _iter_warc(path)


FileHandler = Callable[[bytes, str, Path, "_Context"], Iterator[Item]]

# The one place where file kinds are registered: kind -> handler, and extension -> kind.
FILE_KINDS: dict[str, FileHandler] = {
    "html": _html_file,
    "text": _text_file,
    "json": _json_file,
    "feed": _feed_file,
    "warc": _warc_file,
}
_EXTENSIONS: dict[str, str] = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text", ".text": "text",
    ".json": "json", ".jsonl": "json", ".ndjson": "json",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".warc": "warc", ".arc": "warc",
}


# ---------------------------------------------------------------- URLs and feeds


def url_name(url: str) -> str:
    """A short, file-name-like id for a URL: the last path segment without extension, else the host."""
    parsed = httpx.URL(url)
    segments = [s for s in unquote(parsed.path).split("/") if s]
    if segments:
        name = _stem(segments[-1]) or segments[-1]
        if name.lower() not in ("index", "default", "article", "story"):
            return name
        if len(segments) > 1:
            return _stem(segments[-2])
    return parsed.host or "document"


def _iter_url(url: str, ctx: _Context) -> Iterator[Item]:
    try:
        page = fetch_url(url, fetch=ctx.fetch, transport=ctx.transport)
    except FetchError as exc:
        yield _failure(url, "fetch", str(exc))
        return
    if page.is_feed:
        yield from _iter_feed(page.content, url, ctx)
        return
    kind = "text" if page.content_type.startswith("text/plain") else "html"
    yield RawDocument(source=url, content=page.content, kind=kind, url=page.url, fetched_at=page.fetched_at,
                      name=url_name(page.url), meta={"charset": page.charset} if page.charset else {})


def _iter_feed(data: bytes, source: str, ctx: _Context, *, prefer_content: bool = False) -> Iterator[Item]:
    """Documents of a feed: each entry's linked page, or the entry's own content when the page cannot be
    fetched; with ``prefer_content`` an entry holding its full text (``content:encoded``, Atom ``content``)
    is used as it is, keeping its link as the URL, and nothing is fetched for it."""
    import feedparser

    per_feed = ctx.limits.max_feed_items
    data, declared_items = _cap_feed(data, per_feed)
    try:
        parsed = feedparser.parse(io.BytesIO(_CHARREF.sub(_valid_charref, data)))
    except Exception as exc:  # the feed parser's own failures on hostile markup are this feed's failure
        log.debug("feedparser failed on %s", source, exc_info=True)
        yield _failure(source, "ingest", f"the feed could not be parsed ({exc.__class__.__name__}: {exc}); check it "
                                         "is well-formed RSS or Atom")
        return
    # a broken feed parses into empty entries; only entries with a link or content are documents
    entries = [e for e in parsed.get("entries") or [] if e.get("link") or _entry_content(e)]
    if not entries:
        why = f" ({parsed.get('bozo_exception')})" if parsed.get("bozo") else ""
        yield _failure(source, "ingest", f"the feed is malformed or has no entries{why}; check it is RSS or Atom")
        return
    total = max(len(entries), declared_items)
    if total > per_feed:
        yield _failure(source, "ingest", f"the feed has {total:,} items, more than the {per_feed:,} read from one "
                                         f"feed; the first {per_feed:,} are read and the rest are not (raise the cap "
                                         "with --max-feed-items)")
        entries = entries[:per_feed]
    # a feed's own addresses are the ones the user allowed for its items' links (see fetch_url)
    allowed = _allowed_kinds(source) if source.lower().startswith(("http://", "https://")) else None
    for i, entry in enumerate(entries):
        if ctx.feed_items >= ctx.limits.max_run_feed_items:
            yield _failure(source, "ingest", f"this run reached its cap of {ctx.limits.max_run_feed_items:,} feed items; "
                                             f"{len(entries) - i:,} items of this feed were not read (run again to read "
                                             "them, or raise the cap with --max-run-feed-items)")
            return
        ctx.feed_items += 1
        link = entry.get("link")
        entry_source = f"{source}#{link or i}"
        hints = _entry_hints(entry)
        body = _entry_content(entry)
        full_text = prefer_content and bool(entry.get("content")) and body
        if link and link.lower().startswith(("http://", "https://")) and not full_text:
            try:
                page = fetch_url(link, fetch=ctx.fetch, transport=ctx.transport, allowed=allowed)
            except FetchError as exc:
                if body:
                    log.info("using the feed's own content for %s: %s", link, exc)
                    hints["fetch_error"] = str(exc)
                else:
                    yield _failure(entry_source, "fetch", f"{exc}; the feed entry has no content to fall back on")
                    continue
            else:
                yield RawDocument(source=entry_source, content=page.content, kind="html", url=page.url,
                                  fetched_at=page.fetched_at, name=url_name(page.url),
                                  meta={**hints, **({"charset": page.charset} if page.charset else {})})
                continue
        if not body:
            yield _failure(entry_source, "ingest", "the feed entry has neither a fetchable link nor content; "
                                                   "nothing to read")
            continue
        title = hints.get("title") or ""
        html = f"<html><head><title>{_escape(title)}</title></head><body><article>{body}</article></body></html>"
        yield RawDocument(source=entry_source, content=html.encode("utf-8"), kind="html", url=link,
                          fetched_at=datetime.now(UTC), name=url_name(link) if link else f"entry-{i}",
                          meta=hints)


_ITEM_END = re.compile(rb"</(?:item|entry)\s*>", re.IGNORECASE)


def _cap_feed(data: bytes, limit: int) -> tuple[bytes, int]:
    """(the feed cut after its ``limit``-th item, how many items it has): parsing 100,000 items only to keep
    the first thousand took a minute; the parser reads the cut feed's items as they are."""
    ends = [m.end() for m in _ITEM_END.finditer(data)]
    if len(ends) <= limit:
        return data, len(ends)
    return data[: ends[limit - 1]], len(ends)


_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _valid_charref(match: re.Match[bytes]) -> bytes:
    """A numeric character reference to no character (&#xD800;, &#0;, beyond U+10FFFF) becomes U+FFFD: the
    feed parser raises on them, which would lose every other item of the feed."""
    hexa, dec = match.group(1), match.group(2)
    code = int(hexa, 16) if hexa else int(dec)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _entry_hints(entry: Any) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    for key in ("title", "author"):
        if entry.get(key):
            hints[key] = entry.get(key)
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            hints["date"] = datetime(value[0], value[1], value[2], value[3], value[4], value[5], tzinfo=UTC).isoformat()
            break
    return hints


def _entry_content(entry: Any) -> str:
    contents = entry.get("content") or []
    best = max((c.get("value", "") for c in contents), key=len, default="")
    summary = entry.get("summary") or ""
    return best if len(best) >= len(summary) else summary


@dataclass
class FetchedPage:
    """A fetched response body with what the extractor needs to know about it."""

    url: str
    content: bytes
    content_type: str
    charset: str | None
    fetched_at: datetime
    is_feed: bool


def fetch_url(
    url: str,
    *,
    fetch: FetchSettings,
    transport: httpx.BaseTransport | None = None,
    allowed: frozenset[str] | None = None,
) -> FetchedPage:
    """GET ``url`` safely: every redirect hop is checked, the body is streamed up to ``fetch.max_bytes``, and
    the whole request (connecting, headers, body, every redirect) must finish within ``fetch.timeout`` seconds.

    Addresses that are not public are refused unless ``fetch.allow_private``; even then a redirect may only
    lead to the kinds of address the user asked for (a loopback server may redirect to loopback, never to
    10.0.0.1 or 169.254.169.254). ``allowed`` names those kinds when the URL was not given by the user
    itself (a feed's item links take the feed's). Raises FetchError with the reason.
    """
    timeout = httpx.Timeout(fetch.timeout)
    headers = {"User-Agent": fetch.user_agent, "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                                                         "text/plain;q=0.8,*/*;q=0.5"}
    current = url
    # one deadline for everything: a server that drips its headers a byte a second never trips a read timeout
    deadline = time.monotonic() + fetch.timeout
    kinds: frozenset[str] | None = frozenset() if not fetch.allow_private else allowed
    own_transport = transport is None
    transport = transport if transport is not None else _DeadlineTransport(deadline)
    with httpx.Client(transport=transport, timeout=timeout, headers=headers, follow_redirects=False,
                      trust_env=False) as client:
        for hop in range(fetch.max_redirects + 1):
            if kinds is None and hop > 0:
                # a redirect from the URL the user gave (with private addresses allowed): only the kinds of
                # address that URL has are allowed from now on
                kinds = _allowed_kinds(url)
            if kinds is None:  # the user's own URL with every address allowed: nothing to resolve or refuse
                _parse_checked(current)
                address = None
            else:
                address, _found = _check(current, kinds, redirected=hop > 0)
            request_url, request_headers, extensions = _pinned_request(current, address)
            try:
                with client.stream("GET", request_url, headers=request_headers, extensions=extensions) as response:
                    if response.status_code in _REDIRECT_CODES:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(f"{current} answered a redirect without a Location header; "
                                             "try the final URL directly", source=url, kind="fetch")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"{current} answered HTTP {response.status_code}; check the URL or "
                                         "try again later", source=url, kind="fetch")
                    body = _read_capped(response, current, fetch, deadline, url)
                    ctype = (response.headers.get("content-type") or "").lower()
                    if response.headers.get("content-encoding", "").lower() in ("", "identity") and \
                            body[:2] == _GZIP_MAGIC:
                        body = _gunzip_bytes(body)
                    return FetchedPage(
                        url=current, content=body, content_type=ctype, charset=_charset_of(ctype),
                        fetched_at=datetime.now(UTC),
                        # servers label feeds inconsistently (text/html, text/xml...): trust the bytes
                        is_feed=_looks_like_feed(body),
                    )
            except httpx.TimeoutException as exc:
                if own_transport and time.monotonic() >= deadline - 0.05:
                    raise FetchError(f"{current} timed out: it did not finish within the {fetch.timeout:g}s allowed for one request "
                                     "(connecting, headers and body); try again later or raise the fetch timeout",
                                     source=url, kind="fetch") from exc
                raise FetchError(f"{current} timed out after {fetch.timeout:g}s ({type(exc).__name__}); try again "
                                 "later or raise the fetch timeout", source=url, kind="fetch") from exc
            except httpx.InvalidURL as exc:
                raise FetchError(f"{current} is not a valid URL ({exc}); fix the URL", source=url,
                                 kind="fetch") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{current} could not be fetched ({type(exc).__name__}: {exc}); check the URL "
                                 "and the network", source=url, kind="fetch") from exc
            except InputError as exc:
                if isinstance(exc, FetchError):
                    raise
                raise FetchError(str(exc), source=url, kind="fetch") from exc
        raise FetchError(f"{url} redirected more than {fetch.max_redirects} times; give the final URL or raise "
                         "the redirect limit", source=url, kind="fetch")


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _left(self, timeout: float | None, error: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise error("the request's total deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(ssl_context, server_hostname, self._left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: float) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("the request's total deadline passed")
        stream = self._inner.connect_tcp(host, port, left if timeout is None else min(timeout, left),
                                         local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:  # pragma: no cover
        raise httpcore.ConnectError("newswatch does not fetch over unix sockets")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - retries are off
        time.sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport over a connection pool whose connections keep one total deadline."""

    def __init__(self, deadline: float) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                             network_backend=_DeadlineBackend(deadline))


def _allowed_kinds(url: str) -> frozenset[str]:
    """The kinds of non-public address ``url``'s host resolves to (empty for a public host or on failure)."""
    try:
        host = httpx.URL(url).host
        addresses = _resolve(host, httpx.URL(url).port, url) if host else []
    except (FetchError, httpx.InvalidURL, ValueError):
        return frozenset()
    return frozenset(kind for kind, _why in filter(None, (_non_public(a) for a in addresses)))


def _check(url: str, kinds: frozenset[str] | None, *, redirected: bool) -> tuple[str | None, frozenset[str]]:
    """(address to connect to, kinds of non-public address it has) for one hop; raises FetchError when refused.

    ``kinds`` None lets every kind through (the user allowed private addresses for the URL they gave).
    """
    parsed = _parse_checked(url)
    host = parsed.host
    addresses = _resolve(host, parsed.port, url)
    found: set[str] = set()
    for address in addresses:
        reason = _non_public(address)
        if reason is None:
            continue
        kind, why = reason
        if kinds is not None and kind not in kinds:
            if kinds:
                raise FetchError(f"{url} resolves to {address}, {why}; a redirect from an allowed "
                                 f"{'/'.join(sorted(kinds))} address may not lead there (only to public addresses "
                                 "or the same kind)", source=url, kind="fetch")
            hint = "unless private addresses are allowed (fetch.allow_private, --allow-private)" if not redirected \
                else "(a redirect never leads to an address the user did not give)"
            raise FetchError(f"{url} resolves to {address}, {why}; newswatch refuses those {hint}", source=url,
                             kind="fetch")
        found.add(kind)
    pinned = None if not addresses or _is_ip_literal(host) else addresses[0]
    return pinned, frozenset(found)


def check_url(url: str, *, allow_private: bool) -> str | None:
    """Refuse URLs that are not plain http(s) to a public address; raise FetchError saying why.

    The host name is resolved and every address it resolves to must be public, unless ``allow_private``.
    Returns the checked address to connect to when the host is a name, else None.
    """
    address, _kinds = _check(url, None if allow_private else frozenset(), redirected=False)
    return address


def _parse_checked(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(f"{url!r} is not a valid URL ({exc}); fix the URL", source=url, kind="fetch") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"{url} uses the scheme {parsed.scheme!r}; only http and https are fetched", source=url,
                         kind="fetch")
    if parsed.userinfo:
        raise FetchError(f"{url} carries a user name or password before the host; remove it (it is a common way "
                         "to disguise the real host)", source=url, kind="fetch")
    if not parsed.host:
        raise FetchError(f"{url} has no host name; fix the URL", source=url, kind="fetch")
    return parsed


def _pinned_request(url: str, address: str | None) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """Connect to the address that was checked, not to whatever the name resolves to a moment later.

    Without this a host name could resolve to a public address for the check and to a private one for the
    connection (DNS rebinding). The Host header and TLS server name keep the original name.
    """
    parsed = httpx.URL(url)
    if address is None:
        return parsed, {}, {}
    extensions: dict[str, Any] = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    return parsed.copy_with(host=address), {"Host": parsed.netloc.decode("ascii")}, extensions


def _read_capped(response: httpx.Response, current: str, fetch: FetchSettings, deadline: float, url: str) -> bytes:
    max_bytes = fetch.max_bytes
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{current} is {int(declared)} bytes, over the {max_bytes}-byte limit; raise the fetch "
                         "size cap to read it", source=url, kind="fetch")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(f"{current} is larger than the {max_bytes}-byte limit; raise the fetch size cap to "
                             "read it", source=url, kind="fetch")
        if time.monotonic() > deadline:
            raise FetchError(f"{current} timed out: it did not finish sending its body within the {fetch.timeout:g}s allowed for "
                             "one request; try again later or raise the fetch timeout", source=url, kind="fetch")
    return bytes(body)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int | None, url: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"the host {host!r} of {url} could not be resolved ({exc}); check the URL and the network",
                         source=url, kind="fetch") from exc
    return sorted({str(info[4][0]).split("%", 1)[0] for info in infos})


_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765 (SIIT)
_ISATAP_IDS = (b"\x00\x00\x5e\xfe", b"\x02\x00\x5e\xfe")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """Every IPv4 address an IPv6 address carries: IPv4-mapped, IPv4-compatible, IPv4-translated, 6to4,
    Teredo (server and client), NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48) and ISATAP."""
    packed = ip.packed
    low = ipaddress.IPv4Address(packed[12:])
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if ip.ipv4_mapped is not None:
        found.append(("IPv4-mapped", ip.ipv4_mapped))
    elif packed[:12] == bytes(12) and int(ip) > 1:
        found.append(("IPv4-compatible", low))
    if ip in _IPV4_TRANSLATED:
        found.append(("IPv4-translated", low))
    if ip.sixtofour is not None:
        found.append(("6to4", ip.sixtofour))
    if ip.teredo is not None:
        server, client = ip.teredo
        found += [("Teredo", client), ("Teredo", server)]
    if any(ip in net for net in _NAT64):
        found.append(("NAT64", low))
    if packed[8:12] in _ISATAP_IDS:
        found.append(("ISATAP", low))
    return found


def _ip_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    # most specific first: link-local and unspecified addresses are also "private" to the ipaddress module
    checks = (("loopback", ip.is_loopback), ("link-local", ip.is_link_local), ("unspecified", ip.is_unspecified),
              ("multicast", ip.is_multicast), ("private", ip.is_private), ("reserved", ip.is_reserved))
    for name, flag in checks:
        if flag:
            return name
    if not ip.is_global:
        return "non-public"
    return None


def _non_public(address: str) -> tuple[str, str] | None:
    """(kind, description) of a non-public address, None for a public one. An IPv6 address that carries an
    IPv4 address is judged by that IPv4 address too: 2002:a00:1:: is 10.0.0.1 behind a 6to4 prefix."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        for form, v4 in _embedded_ipv4(ip):
            kind = _ip_kind(v4)
            if kind is not None:
                return kind, f"a {form} address carrying {v4}, a {kind} address"
    kind = _ip_kind(ip)
    return (kind, f"a {kind} address") if kind is not None else None


def _non_public_reason(address: str) -> str | None:
    """The kind of a non-public address (kept for callers of the earlier API)."""
    found = _non_public(address)
    return found[0] if found else None


def _failure(source: str, stage: str, reason: str) -> IngestFailure:
    log.info("%s: %s", source, reason)  # the caller reports failures; info avoids saying it twice
    return IngestFailure(source=source, stage=stage, reason=reason, at=datetime.now(UTC))


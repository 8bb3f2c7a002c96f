"""Ingestion of local sources: files by kind, directories, globs, gzip, JSON/JSONL records, feeds, WARC."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import httpx
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newswatch import ingest
from newswatch.config import FetchSettings
from newswatch.ingest import file_kind, iter_documents, url_name
from newswatch.models import IngestFailure, RawDocument

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = FIXTURES / "pages" / "news_article.html"
COPY = FIXTURES / "pages" / "syndicated_copy.txt"
FETCH = FetchSettings()


def _docs(sources: list[str], **kwargs: object) -> list[RawDocument | IngestFailure]:
    return list(iter_documents(sources, fetch=kwargs.pop("fetch", FETCH), **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.html", "html"),
        ("a.HTM", "html"),
        ("a.html.gz", "html"),
        ("a.txt", "text"),
        ("a.txt.gz", "text"),
        ("a.jsonl", "json"),
        ("a.json.gz", "json"),
        ("a.rss", "feed"),
        ("a.warc.gz", "warc"),
        ("a.pdf", None),
    ],
)
def test_ingest_file_kind_by_extension(name: str, kind: str | None) -> None:
    assert file_kind(name) == kind


@pytest.mark.parametrize(
    ("fixture", "kind", "name"),
    [(PAGE, "html", "news_article"), (COPY, "text", "syndicated_copy")],
)
def test_ingest_file_gives_kind_and_name_without_extensions(fixture: Path, kind: str, name: str) -> None:
    [doc] = _docs([str(fixture)])
    assert isinstance(doc, RawDocument)
    assert (doc.kind, doc.name) == (kind, name)
    assert doc.content == fixture.read_bytes()


def test_ingest_gzipped_file_is_decompressed(tmp_path: Path) -> None:
    target = tmp_path / "story.html.gz"
    target.write_bytes(gzip.compress(PAGE.read_bytes()))
    [doc] = _docs([str(target)])
    assert isinstance(doc, RawDocument)
    assert doc.name == "story"
    assert doc.content == PAGE.read_bytes()


def test_ingest_directory_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(PAGE, tmp_path / "sub" / "b.html")
    shutil.copy(COPY, tmp_path / "a.txt")
    (tmp_path / ".hidden.html").write_text("<html>not me</html>")
    docs = _docs([str(tmp_path)])
    assert [d.name for d in docs if isinstance(d, RawDocument)] == ["a", "b"]
    assert not [d for d in docs if isinstance(d, IngestFailure)]


def test_ingest_glob_matches_only_the_pattern(tmp_path: Path) -> None:
    shutil.copy(PAGE, tmp_path / "one.html")
    shutil.copy(PAGE, tmp_path / "two.html")
    shutil.copy(COPY, tmp_path / "three.txt")
    docs = _docs([str(tmp_path / "*.html")])
    assert sorted(d.name for d in docs if isinstance(d, RawDocument)) == ["one", "two"]


def test_ingest_jsonl_records_keep_fields_and_report_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "r1", "url": "https://example.org/a", "title": "First", "date": "2024-01-02",
                    "text": "Ships waited outside the port for a third day."}),
        "{not json",
        json.dumps({"url": "https://example.org/b", "title": "No text"}),
        "",
        json.dumps({"title": "Second", "text": "The ferry resumed service on Monday."}),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    docs = _docs([str(path)])
    records = [d for d in docs if isinstance(d, RawDocument)]
    failures = [d for d in docs if isinstance(d, IngestFailure)]
    assert [r.name for r in records] == ["r1", "records-5"]
    assert all(r.kind == "record" for r in records)
    assert records[0].meta["title"] == "First" and records[0].url == "https://example.org/a"
    assert [f.source for f in failures] == [f"{path}:2", f"{path}:3"]
    assert "not valid JSON" in failures[0].reason and "text" in failures[1].reason


def test_ingest_json_array_of_records(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps([{"text": "One story about the port."}, {"text": "Another about the ferry."}]))
    docs = _docs([str(path)])
    assert [d.name for d in docs if isinstance(d, RawDocument)] == ["dump-0", "dump-1"]


def _rss(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description><![CDATA[{d}]]></description>"
        f"<pubDate>Mon, 04 Mar 2024 08:00:00 +0000</pubDate></item>"
        for t, link, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


def test_ingest_feed_fetches_entry_pages_and_falls_back_to_entry_content(tmp_path: Path) -> None:
    entry_html = (FIXTURES / "pages" / "feed_entry_only.html").read_text()
    feed = tmp_path / "news.rss"
    feed.write_bytes(_rss([
        ("Strike", "https://news.example.org/strike.html", "short summary"),
        ("Ferry", "https://news.example.org/gone.html", entry_html),
    ]))
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/strike.html":
            return httpx.Response(200, content=PAGE.read_bytes(), headers={"content-type": "text/html"})
        return httpx.Response(404)

    docs = _docs([str(feed)], fetch=FetchSettings(allow_private=True), transport=httpx.MockTransport(handler))
    assert seen == ["https://news.example.org/strike.html", "https://news.example.org/gone.html"]
    fetched, fallback = docs
    assert isinstance(fetched, RawDocument) and isinstance(fallback, RawDocument)
    assert fetched.content == PAGE.read_bytes() and fetched.meta["title"] == "Strike"
    assert fetched.meta["date"] == "2024-03-04T08:00:00+00:00"
    assert b"ferry service between Valmora" in fallback.content
    assert "404" in fallback.meta["fetch_error"]


def _warc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, ctype, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def test_ingest_warc_yields_html_responses_only(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    _warc(path, [
        ("https://news.example.org/2024/strike-talks.html", "text/html; charset=utf-8", PAGE.read_bytes()),
        ("https://news.example.org/logo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
    ])
    docs = _docs([str(path)])
    [doc] = docs
    assert isinstance(doc, RawDocument)
    assert doc.url == "https://news.example.org/2024/strike-talks.html"
    assert doc.name == "strike-talks" and doc.kind == "html" and doc.meta["charset"] == "utf-8"
    assert doc.content == PAGE.read_bytes()
    assert doc.source.startswith(f"{path}@")


def test_ingest_truncated_warc_keeps_earlier_records_and_reports_damage(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    _warc(path, [(f"https://news.example.org/{i}.html", "text/html", PAGE.read_bytes()) for i in range(3)])
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.8)])
    docs = _docs([str(path)])
    assert [d.url for d in docs if isinstance(d, RawDocument)] == [
        "https://news.example.org/0.html", "https://news.example.org/1.html"]
    [failure] = [d for d in docs if isinstance(d, IngestFailure)]
    assert "truncated" in failure.reason


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://news.example.org/world/2024/port-strike.html", "port-strike"),
        ("https://news.example.org/world/port-strike/index.html", "port-strike"),
        ("https://news.example.org/", "news.example.org"),
    ],
)
def test_ingest_url_name(url: str, name: str) -> None:
    assert url_name(url) == name


@pytest.mark.parametrize(
    "content",
    [b"this is not a web archive\n" * 20, b"\x1f\x8b\x08\x00 broken gzip data", b""],
)
def test_ingest_malformed_warc_is_a_clear_failure(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(content)
    [failure] = _docs([str(path)])
    assert isinstance(failure, IngestFailure)
    assert "not a WARC archive" in failure.reason
    assert capsys.readouterr().err == ""  # nothing printed behind the caller's back


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bomb.html.gz", gzip.compress(b"<p>" + b"0" * 3_000_000), "decompresses to more than 1000000 bytes"),
        ("big.html", b"<p>" + b"0" * 1_500_000, "larger than 1000000 bytes"),
    ],
)
def test_ingest_refuses_files_over_the_memory_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: bytes, reason: str
) -> None:
    monkeypatch.setattr(ingest, "MAX_DECOMPRESSED_BYTES", 1_000_000)
    path = tmp_path / name
    path.write_bytes(content)
    [failure] = _docs([str(path)])
    assert isinstance(failure, IngestFailure)
    assert reason in failure.reason


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("saved-page", b"<!DOCTYPE html><html><body><p>Port news</p></body></html>", "html"),
        ("export.dat", b'{"text": "Ships waited outside the port."}', "record"),
        ("notes.md", b"# Notes\n\nNot a supported kind.", None),
    ],
)
def test_ingest_unknown_extension_is_sniffed(tmp_path: Path, name: str, content: bytes, kind: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [item] = _docs([str(path)])
    if kind is None:
        assert isinstance(item, IngestFailure) and "unsupported file type" in item.reason
    else:
        assert isinstance(item, RawDocument) and item.kind == kind


def test_ingest_saved_feed_with_full_text_is_read_without_fetching(tmp_path: Path) -> None:
    feed = tmp_path / "ledger.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>T</title>"
        "<item><title>Full</title><link>https://news.example.org/full.html</link>"
        "<description>short</description>"
        "<content:encoded><![CDATA[<p>The ferry between Valmora and the islands resumed on Monday.</p>]]>"
        "</content:encoded></item>"
        "<item><title>Summary only</title><link>https://news.example.org/summary.html</link>"
        "<description>only a teaser</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, content=PAGE.read_bytes(), headers={"content-type": "text/html"})

    docs = _docs([str(feed)], fetch=FetchSettings(allow_private=True), transport=httpx.MockTransport(handler))
    assert seen == ["/summary.html"]  # the entry with its full text was not fetched
    full, fetched = docs
    assert isinstance(full, RawDocument) and full.url == "https://news.example.org/full.html"
    assert b"ferry between Valmora" in full.content and full.meta["title"] == "Full"
    assert isinstance(fetched, RawDocument) and fetched.content == PAGE.read_bytes()

"""Extraction: metadata and clean text from HTML, plain text and records; chrome, provenance cues, bios."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newswatch.config import ExtractSettings
from newswatch.errors import ExtractionError, InputError
from newswatch.extract import (
    choose_title,
    clean_author,
    clean_text,
    decode_bytes,
    extract_article,
    format_date,
    guess_language,
    normalise_source,
)
from newswatch.models import RawDocument, article_id

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed_article.txt"
SETTINGS = ExtractSettings()


def _raw(path: Path, kind: str, **kwargs: object) -> RawDocument:
    return RawDocument(source=str(path), content=path.read_bytes(), kind=kind, name=path.stem, **kwargs)  # type: ignore[arg-type]


def test_extract_html_metadata() -> None:
    article = extract_article(_raw(PAGES / "news_article.html", "html"), settings=SETTINGS)
    assert article.title == "Valmora port strike enters third day as talks stall"  # site suffix dropped
    assert article.author == "Jonas Keller"
    assert article.site == "The Harbour Times"
    assert article.language == "en"
    assert article.canonical_url == "https://harbourtimes.example.com/news/valmora-port-strike-third-day"
    assert article.published_at == datetime(2024, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert article.original_source == "The Coastal Ledger"
    assert article.id == article_id(canonical_url=article.canonical_url, text=article.text)


def test_extract_html_text_keeps_story_drops_chrome() -> None:
    text = extract_article(_raw(PAGES / "news_article.html", "html"), settings=SETTINGS).text
    assert "entered its third day on Thursday" in text
    assert text.rstrip().endswith("appointed by the labour ministry.")
    for chrome in (
        "Advertisement",
        "Share this article",
        "Facebook | Twitter",
        "originally appeared",
        "Most read",
        "All rights reserved",
        "Sign in",
    ):
        assert chrome not in text


def test_extract_plain_text_in_the_seed_shape() -> None:
    article = extract_article(_raw(PAGES / "syndicated_copy.txt", "text"), settings=SETTINGS)
    headline = "Dock Workers in Valmora Halt Grain Shipments Over Unpaid Wages"
    assert article.title == headline
    assert article.text.startswith(headline + "\n")
    assert article.text.endswith("if no agreement was reached.")
    assert article.original_source == "northsea-herald.com"
    assert "Loading Now" not in article.text and "Post Comment" not in article.text
    assert "correspondent" not in article.text  # the trailing bio is gone
    assert article.language == "en"


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/corpus is not present on this machine")
def test_extract_seed_article_from_shared_corpus() -> None:
    raw = RawDocument(source=str(SEED), content=SEED.read_bytes(), kind="text", name="seed_article")
    article = extract_article(raw, settings=SETTINGS)
    first_line = next(
        line for line in SEED.read_text().splitlines() if line.strip() and line.strip() != "Loading Now"
    )
    assert article.text.startswith(first_line.strip())
    assert article.title == first_line.strip()
    assert article.original_source == "aljazeera.com"
    assert article.text.endswith("regional security and geopolitical stability.")
    assert "Post Comment" not in article.text and "Original Source" not in article.text


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Original Source: www.aljazeera.com", "aljazeera.com"),
        ("Original source - https://www.example-news.org/world/story-123", "example-news.org"),
        ("This article originally appeared on The Coastal Ledger.", "The Coastal Ledger"),
        ("This story was first published by harbourtimes.example.com", "harbourtimes.example.com"),
        ("Republished with permission from The Northern Courier.", "The Northern Courier"),
        ("Source: Reuters", "Reuters"),
        ("Originally published at www2.valmora-post.net/x", "valmora-post.net"),
        ("SOURCE: The Harbour Times and news agencies", "The Harbour Times"),
    ],
)
def test_extract_provenance_cue_becomes_original_source(line: str, source: str) -> None:
    body = "\n\n".join(["The port reopened on Monday after a week of strikes by dock workers."] * 3)
    result = clean_text(f"{body}\n\n{line}")
    assert result.original_source == source
    assert line not in result.text and result.text == body


def test_extract_weak_cue_inside_the_body_is_left_alone() -> None:
    paragraphs = [
        f"Paragraph {i} about grain prices in the region and their effect on bread." for i in range(12)
    ]
    paragraphs.insert(5, "Source: regional statistics office")
    result = clean_text("\n\n".join(paragraphs))
    assert result.original_source is None
    assert "Source: regional statistics office" in result.text


@pytest.mark.parametrize(
    "chrome",
    [
        "Loading Now",
        "Advertisement",
        "Post Comment",
        "Share this article",
        "Facebook | Twitter | Email",
        "Subscribe now",
        "Sign up for our daily newsletter",
        "Read more:",
        "Story continues below advertisement",
        "12 Comments",
        "Leave a reply",
    ],
)
def test_extract_chrome_lines_are_removed(chrome: str) -> None:
    story = "Ships waited outside the harbour for a third day.\n\nTraders said flour prices had risen."
    result = clean_text(f"{story}\n\n{chrome}\n\nThe governor called both sides to talks.")
    assert chrome not in result.text
    assert result.text.startswith("Ships waited") and result.text.endswith("called both sides to talks.")


def test_extract_chrome_words_inside_sentences_stay() -> None:
    text = "The union will share its demands with the press.\n\nAdvertisement revenue fell sharply last year."
    assert clean_text(text).text == text


def test_extract_closing_paragraph_about_the_story_subject_is_not_a_bio() -> None:
    story = ("A court in Valmora sentenced the journalist Ana Petrov to six years on Tuesday.\n\n"
             "Petrov denied the charges, her lawyer said.")
    ending = "Ana Petrov is a correspondent for the Northern Courier who was arrested in May."
    assert clean_text(f"{story}\n\n{ending}").text.endswith(ending)


def test_extract_bio_is_only_removed_at_the_end() -> None:
    bio = "Marta Ilves is a correspondent who has covered shipping for fifteen years."
    story = "The strike continued on Friday.\n\nNo talks were scheduled."
    assert clean_text(f"{story}\n\n{bio}").text == story
    assert clean_text(f"{bio}\n\n{story}").text.startswith(bio)


def test_extract_record_takes_its_fields() -> None:
    raw = RawDocument(
        source="r.jsonl:1",
        content=b"",
        kind="record",
        url="https://example.org/a",
        name="r1",
        meta={
            "title": "Talks resume",
            "date": "2024-03-15T10:00:00-05:00",
            "author": "Desk",
            "text": "Talks between the union and the port authority resumed on Friday morning.",
        },
    )
    article = extract_article(raw, settings=SETTINGS)
    assert (article.title, article.author, article.url) == ("Talks resume", "Desk", "https://example.org/a")
    assert article.published_at == datetime(2024, 3, 15, 10, tzinfo=timezone(timedelta(hours=-5)))
    assert article.site == "example.org"
    assert article.id == article_id(canonical_url="https://example.org/a", text=article.text)


@pytest.mark.parametrize(
    ("content", "kind", "error", "message"),
    [
        (b"", "html", InputError, "empty"),
        (b"   \n\t  ", "text", InputError, "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "html", InputError, "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "html", InputError, "binary"),
        (bytes(range(0x80, 0x100)) * 20, "text", InputError, "not valid UTF-8"),
        (
            b"<html><head><script>var a = 1;</script></head><body><nav>Home</nav></body></html>",
            "html",
            ExtractionError,
            "no article text|characters of article text",
        ),
        (b"Loading Now\n\nPost Comment\n", "text", ExtractionError, "characters once page chrome is removed"),
    ],
)
def test_extract_bad_documents_raise_clear_errors(
    content: bytes, kind: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        extract_article(RawDocument(source="bad", content=content, kind=kind), settings=SETTINGS)


def test_extract_refuses_oversized_page_before_parsing() -> None:
    page = b"<html><body>" + b"<p>word word word</p>" * 1000 + b"</body></html>"
    with pytest.raises(InputError, match="over the 5000-byte limit"):
        extract_article(
            RawDocument(source="big", content=page, kind="html"),
            settings=ExtractSettings(max_html_bytes=5000),
        )


@pytest.mark.parametrize(
    ("content", "declared", "expected"),
    [
        ("Le café après la grève".encode("cp1252"), None, "Le café après la grève"),
        ("Straße am Hafen".encode() * 5 + b"\xc3", None, "Straße am Hafen"),
        ("Корабли ждали у входа в порт".encode("koi8-r"), "koi8-r", "Корабли ждали у входа в порт"),
        ("\ufeffWith a byte order mark".encode(), None, "With a byte order mark"),
        ('<meta charset="iso-8859-1"><p>Zürich Straße</p>'.encode("latin-1"), None, "Zürich Straße"),
    ],
)
def test_extract_decodes_legacy_and_damaged_encodings(
    content: bytes, declared: str | None, expected: str
) -> None:
    assert expected in decode_bytes(content, declared=declared)


@pytest.mark.parametrize(
    ("meta", "headings", "expected"),
    [
        (
            "Port strike enters third day | The Harbour Times",
            ["Port strike enters third day"],
            "Port strike enters third day",
        ),
        (
            "Port strike enters third day - The Harbour Times",
            ["The Harbour Times"],
            "Port strike enters third day",
        ),
        ("Port strike: day three", ["Menu"], "Port strike: day three"),
        (None, ["Port strike enters third day"], "Port strike enters third day"),
        ("Ships &amp; ports: what the strike means", [], "Ships & ports: what the strike means"),
    ],
)
def test_extract_choose_title(meta: str | None, headings: list[str], expected: str) -> None:
    assert choose_title(meta, headings) == expected


@pytest.mark.parametrize(
    ("meta", "site", "expected"),
    [
        ("The Harbour Times - Port strike ends", "The Harbour Times", "Port strike ends"),
        ("Strike ends | Harbour Times", "harbourtimes.example.com Harbour Times", "Strike ends"),
        ("Strike ends | Harbour Times", None, "Strike ends | Harbour Times"),
    ],
)
def test_extract_choose_title_drops_the_site_name(meta: str, site: str | None, expected: str) -> None:
    assert choose_title(meta, [], site=site) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.aljazeera.com/news/2024/1/1/story", "aljazeera.com"),
        ("WWW.Example.ORG", "example.org"),
        ("The Coastal Ledger.", "The Coastal Ledger"),
        ("  ", None),
    ],
)
def test_extract_normalise_source(value: str, expected: str | None) -> None:
    assert normalise_source(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 3, 14), "2024-03-14"),
        (datetime(2024, 3, 14, 9, 30, tzinfo=UTC), "2024-03-14T09:30:00+00:00"),
        (None, None),
    ],
)
def test_extract_format_date(value: datetime | None, expected: str | None) -> None:
    assert format_date(value) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "The ships waited outside the port for a third day and the union said it would not return to work.",
            "en",
        ),
        (
            "Die Schiffe warten seit drei Tagen vor dem Hafen und die Gewerkschaft sagt, dass sie nicht zur Arbeit "
            "zurückkehren wird, bis die Löhne gezahlt sind.",
            "de",
        ),
        ("Ships port harbour union wages strike talks governor grain flour prices traders.", None),
    ],
)
def test_extract_guess_language(text: str, language: str | None) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jonas Keller", "Jonas Keller"),
        ("Written by Jonas Keller", "Jonas Keller"),
        ("View all posts by Marta Ilves", "Marta Ilves"),
        ("Jonas Keller Senior Shipping Reporter", "Jonas Keller"),
        ("Jonas Keller; Staff Writer", "Jonas Keller"),
        ("Jonas Keller; Marta Ilves", "Jonas Keller; Marta Ilves"),
        ("Jonas Keller; jonas keller", "Jonas Keller"),
        ("May Lindqvist", "May Lindqvist"),
        ("Updated March 3", None),
        ("© The Harbour Times; Privacy Policy", None),
        ("Written By", None),
        (None, None),
    ],
)
def test_extract_clean_author(value: str | None, expected: str | None) -> None:
    assert clean_author(value) == expected


def test_extract_author_from_author_page_link_when_metadata_has_none() -> None:
    page = (PAGES / "news_article.html").read_text()
    page = page.replace('<meta name="author" content="Jonas Keller">\n', "")
    page = page.replace(
        '<p class="byline">By Jonas Keller</p>',
        '<div class="meta"><span>Words:</span> <a href="/people/marta-ilves">Marta Ilves</a></div>',
    )
    raw = RawDocument(source="page", content=page.encode(), kind="html")
    assert extract_article(raw, settings=SETTINGS).author == "Marta Ilves"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Port strike spreads\n\nVALMORA (Reuters) - Dock workers at a second port walked out on Monday.", "Reuters"),
        ("SARNEN, Valmora, March 4 (AP) — The ferry service resumed after a week of storms.", "AP"),
        ("The union (AP) - said it would strike again.", None),
        ("Workers walked out on Monday, Reuters reported.", None),
    ],
)
def test_extract_wire_dateline_names_the_agency_and_stays(text: str, source: str | None) -> None:
    result = clean_text(text)
    assert result.original_source == source
    assert result.text == text


@pytest.mark.parametrize(
    ("text", "title", "author"),
    [
        ("Port strike ends after nine days\n\nBy Jonas Keller\n\nDock workers returned to the quays on Monday "
         "after the port authority paid the wages it owed.", "Port strike ends after nine days", "Jonas Keller"),
        ("By Marta Ilves and Jonas Keller\n\nDock workers returned to the quays on Monday after the port "
         "authority paid the wages it owed.", None, "Marta Ilves and Jonas Keller"),
        ("Dock workers returned to the quays on Monday after the port authority paid the wages it owed. "
         "The governor thanked both sides.", None, None),
    ],
)
def test_extract_plain_text_title_and_byline(text: str, title: str | None, author: str | None) -> None:
    article = extract_article(RawDocument(source="t", content=text.encode(), kind="text"), settings=SETTINGS)
    assert (article.title, article.author) == (title, author)
    assert article.text == text  # the byline stays in the text


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Originally published in March 2021 and updated in May 2024.", True),  # a date, not an outlet
        ("Originally posted February 2019", True),
        ("SOURCE: News agencies", False),  # a cue line, but it names no single outlet
    ],
)
def test_extract_cue_lines_that_name_no_outlet(line: str, kept: bool) -> None:
    body = "\n\n".join(["The port reopened on Monday after a week of strikes by dock workers."] * 3)
    result = clean_text(f"{body}\n\n{line}")
    assert result.original_source is None
    assert (line in result.text) is kept


def test_extract_cue_naming_the_page_own_outlet_is_not_an_original_source() -> None:
    page = (PAGES / "news_article.html").read_text()
    page = page.replace("This article originally appeared on The Coastal Ledger.", "Source: The Harbour Times")
    article = extract_article(RawDocument(source="page", content=page.encode(), kind="html"), settings=SETTINGS)
    assert article.original_source is None
    assert "Source: The Harbour Times" not in article.text


def test_extract_html_file_holding_plain_text_is_read_as_text() -> None:
    raw = RawDocument(source="x.html", content=(PAGES / "syndicated_copy.txt").read_bytes(), kind="html")
    article = extract_article(raw, settings=SETTINGS)
    assert article.title == "Dock Workers in Valmora Halt Grain Shipments Over Unpaid Wages"
    assert article.original_source == "northsea-herald.com"

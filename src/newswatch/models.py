"""Plain dataclasses that flow through the pipeline; the ground floor every stage imports.

Spans are character offsets into ``Article.text`` (``start`` inclusive, ``end`` exclusive) so that an
analyst can always see the evidence; ``sentence`` is the 0-based sentence index in that text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

# ---------------------------------------------------------------- ingest / extract


@dataclass
class RawDocument:
    """Bytes as they came from a source, before extraction."""

    source: str  # where it came from: a path, URL, "feed-url#entry", "file.warc.gz@offset", "file.jsonl:line"
    content: bytes
    kind: str = "html"  # "html" | "text" | "record" (already extracted, fields in ``meta``)
    url: str | None = None
    fetched_at: datetime | None = None
    name: str | None = None  # file name without extensions, the ``id`` of ``newswatch extract``
    meta: dict[str, Any] = field(default_factory=dict)  # title/date/text/author hints from a feed or record


@dataclass
class Article:
    """Clean article text and its metadata."""

    id: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    language: str | None = None
    original_source: str | None = None
    source: str = ""
    name: str | None = None
    text_hash: str = ""
    # what was set aside or cut, in words a user reads: a non-http URL, an unbelievable date, a long text
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.text_hash:
            self.text_hash = text_hash(self.text)


_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lower-case, whitespace-collapsed text: two articles with equal normal text are exact duplicates."""
    return _WS.sub(" ", text).strip().lower()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def article_id(*, canonical_url: str | None, text: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the normalised text."""
    basis = canonical_url or ("text:" + text_hash(text))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- actors


@dataclass
class CodedActor:
    """A piece of text resolved to an actor code (country + sector)."""

    text: str
    start: int
    end: int
    country: str | None = None  # ISO-3 or IGO/UNO/EUR/NGO/...
    sector: str | None = None  # PLOVER sector code: GOV, MIL, COP, ...
    actor_id: str | None = None  # id in the shipped actor data, e.g. "person:sergei-shoigu"
    name: str | None = None  # canonical name
    kind: str = "unknown"  # person | org | state | group | unknown
    rule: str = ""  # which rule or data entry resolved it, for explanations

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "country": self.country, "sector": self.sector}


@dataclass
class Mention:
    """An entity mention in an article, resolved to an actor when possible."""

    article_id: str
    sentence: int
    start: int
    end: int
    text: str
    label: str  # spaCy entity label or "NP" for role phrases
    actor: CodedActor | None = None


@dataclass
class Actor:
    """An entry of the actor table."""

    id: str
    name: str
    country: str | None
    sectors: list[str] = field(default_factory=list)
    kind: str = "unknown"
    aliases: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- events, claims, time, place


@dataclass
class Claim:
    """Who asserts something, how, and how surely."""

    id: str
    article_id: str
    sentence: int
    start: int  # span of the whole attribution (speaker + cue + content)
    end: int
    text: str  # the sentence
    speaker: str | None  # speaker text, None for the article's own voice / unattributed
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_actor: CodedActor | None = None
    source_type: str = (
        "unattributed"  # state_media|official|military|expert|intelligence|anonymous|outlet|unattributed
    )
    affiliation: str | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    content_start: int | None = None
    content_end: int | None = None
    certainty: str = "reported"  # asserted|reported|hedged|speculative|denied
    parent_id: str | None = None  # nested attribution: the claim this one is reported inside


@dataclass
class EventDate:
    value: datetime | None
    precision: str = "unknown"  # hour|day|week|month|year|reported-on|unknown
    text: str | None = None  # the time expression, when there was one


@dataclass
class Place:
    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str = "unknown"  # point|city|admin|region|country|unknown
    geonameid: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class Event:
    """Who did what to whom, with the evidence."""

    id: str
    article_id: str
    sentence: int
    text: str  # the sentence: the evidence
    sent_start: int  # char offset of the sentence in the article
    trigger: str
    trigger_start: int
    trigger_end: int
    plover_type: str
    mode: str | None = None
    context: list[str] = field(default_factory=list)
    cameo_code: str | None = None
    acled_type: str | None = None
    actors: list[CodedActor] = field(default_factory=list)
    recipients: list[CodedActor] = field(default_factory=list)
    negated: bool = False
    tense: str = "past"  # past|present|future|hypothetical
    certainty: str = "asserted"
    claim_id: str | None = None
    date: EventDate | None = None
    place: Place | None = None
    confidence: float = 0.5
    rule: str = ""  # which rule / lexicon entry produced it
    coder_version: str = ""


@dataclass
class Analysis:
    """Everything the stages found in one article."""

    article: Article
    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. only the first part of a very long text was analysed


@dataclass
class StoredSignature:
    """An article's persisted MinHash signature with the article fields the dedup index needs to load it."""

    article_id: str
    signature: Any  # numpy uint32 array of the MinHash values
    num_shingles: int
    text_hash: str | None
    site: str | None
    original_source: str | None
    published_at: datetime | None
    duplicate_of: str | None


@dataclass
class IngestFailure:
    """An input that could not be turned into an article, with the reason."""

    source: str
    stage: str  # ingest | fetch | extract | nlp | store
    reason: str
    at: datetime | None = None


def to_dict(obj: Any) -> dict[str, Any]:
    return asdict(obj)

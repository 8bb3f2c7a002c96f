"""The bundled demo corpus: public-domain White House briefings and CC BY Wikinews articles."""

from __future__ import annotations

from importlib.resources import files

DEMO_FILES = ("whitehouse_briefings.jsonl", "wikinews_2004.jsonl")


def demo_sources() -> list[str]:
    """Paths of the bundled demo JSONL files, as ``newswatch run`` sources."""
    base = files("newswatch") / "data" / "demo"
    return [str(base / name) for name in DEMO_FILES]

"""Persistence: the schema (``schema``), article/analysis storage (``core``), stories and signatures (``stories``)."""

from __future__ import annotations

from .core import SaveResult, Store, open_store

__all__ = ["SaveResult", "Store", "open_store"]

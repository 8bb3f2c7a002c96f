"""Persistence: the schema (``schema``), article/analysis storage (``core``), stories and signatures (``stories``)."""

from __future__ import annotations

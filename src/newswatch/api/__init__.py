"""The JSON API and dashboard, one FastAPI app."""

from __future__ import annotations

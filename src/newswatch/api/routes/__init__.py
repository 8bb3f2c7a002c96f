"""One APIRouter per resource."""

from __future__ import annotations

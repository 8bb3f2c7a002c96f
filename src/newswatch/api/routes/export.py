"""Downloads: the filtered events in any export format, streamed page by page (constant memory)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from ... import registry
from ...store import query as q
from ..deps import StoreDep
from ..params import FilterDep

router = APIRouter(prefix="/api", tags=["export"])


@router.get("/export", response_class=StreamingResponse)
def export(
    store: StoreDep,
    f: FilterDep,
    format: Annotated[str, Query(description="one of: " + ", ".join(registry.names("exporter")))] = "csv",
    unrealised: Annotated[bool, Query(description="also negated, future and hypothetical events")] = False,
) -> StreamingResponse:
    """Download the events matching the filters as CSV (flat columns), JSON lines, Parquet, GeoJSON, PLOVER
    JSON, ACLED-style CSV, GDELT 2.0 event TSV (61 columns) or the compact CAMEO TSV; headers even when empty."""
    spec = registry.exporter(format)
    rows = q.iter_events(store.engine, f)

    def body() -> Iterator[bytes]:
        for chunk in spec.stream(rows, include_unrealised=unrealised):
            yield chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"newswatch-events-{stamp}.{spec.extension}"
    return StreamingResponse(
        body(), media_type=spec.media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )

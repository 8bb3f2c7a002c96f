"""Evaluation commands' library side: scorers that read gold files given as paths and print figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError


def read_jsonl(path: str | Path, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Records of a JSONL gold file; an unreadable or empty file, or a bad line, is an InputError naming it."""
    records: list[dict[str, Any]] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                except ValueError as exc:
                    raise InputError(
                        f"{path}:{n} is not valid JSON ({exc}); the gold file must be JSON Lines: fix or remove that line",
                        source=str(path),
                    ) from exc
                if limit is not None and len(records) >= limit:
                    break
    except OSError as exc:
        raise InputError(
            f"cannot read gold file {path} ({exc.strerror}); check the path", source=str(path)
        ) from exc
    if not records:
        raise InputError(f"gold file {path} holds no records; give a JSON Lines file", source=str(path))
    return records

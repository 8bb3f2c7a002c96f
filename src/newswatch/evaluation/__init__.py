"""Evaluation commands' library side: scorers that read gold files given as paths and print figures."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import InputError


def read_jsonl(path: str | Path, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Records of a JSONL gold file; an unreadable or empty file, or a bad line, is an InputError naming it."""
    records: list[dict[str, Any]] = []
    try:
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"{path}:{n} is not UTF-8 text (byte {exc.start}); give a JSON Lines file encoded as UTF-8",
                        source=str(path),
                    ) from exc
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise InputError(
                        f"{path}:{n} is not valid JSON ({exc}); the gold file must be JSON Lines: fix or remove that line",
                        source=str(path),
                    ) from exc
                if not isinstance(record, dict):
                    raise InputError(
                        f"{path}:{n} is a JSON {type(record).__name__}, not an object; each line of a gold file is "
                        "one record ({...}): fix or remove that line",
                        source=str(path),
                    )
                records.append(record)
                if limit is not None and len(records) >= limit:
                    break
    except OSError as exc:
        raise InputError(
            f"cannot read gold file {path} ({exc.strerror}); check the path", source=str(path)
        ) from exc
    if not records:
        raise InputError(f"gold file {path} holds no records; give a JSON Lines file", source=str(path))
    return records


def resolve_text_refs(
    records: list[dict[str, Any]], *, shared: str | Path | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Fill in the text of gold records that point into third-party files instead of holding it.

    A record with ``"text_ref": {"file", "url", "start", "end", "sha1"}`` (the project keeps no copy of
    other people's text) takes ``text`` from the record with that ``url`` in ``shared``/``file``, checked
    against the SHA-1. Returns the usable records and, for each one left out, why."""
    base = Path(shared) if shared is not None else None
    texts: dict[str, dict[str, str]] = {}
    usable: list[dict[str, Any]] = []
    skipped: list[str] = []
    for record in records:
        ref = record.get("text_ref")
        if not isinstance(ref, dict) or "text" in record:
            usable.append(record)
            continue
        name = str(ref.get("file", ""))
        if base is None or not (base / name).is_file():
            skipped.append(f"{record.get('id')}: its text is in {name}, not found under {base}")
            continue
        if name not in texts:
            texts[name] = {}
            for rec in read_jsonl(base / name):
                if isinstance(rec.get("url"), str) and isinstance(rec.get("text"), str):
                    texts[name][rec["url"]] = rec["text"]
        full = texts[name].get(str(ref.get("url")))
        text = full[int(ref["start"]) : int(ref["end"])] if full is not None else None
        if text is None or hashlib.sha1(text.encode("utf-8")).hexdigest() != ref.get("sha1"):
            skipped.append(f"{record.get('id')}: {name} has no matching text for {ref.get('url')} (changed file?)")
            continue
        usable.append({**record, "text": text})
    return usable, skipped

"""Exports of stored events: PLOVER JSON, CAMEO TSV, ACLED CSV, GeoJSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from newswatch.errors import ConfigError
from newswatch.registry import exporter
from newswatch.store import open_store

from ._data import fill


@pytest.fixture
def rows(sqlite_url: str) -> list[dict]:
    store = open_store(sqlite_url)
    fill(store)
    return list(store.iter_events())


def _export(rows: list[dict], fmt: str, **kw: bool) -> str:
    out = io.StringIO()
    exporter(fmt).write(iter(rows), out=out, **kw)
    return out.getvalue()


def test_export_plover_json_keeps_evidence_and_compound_recipients(rows: list[dict]) -> None:
    data = json.loads(_export(rows, "plover-json"))
    accuse = next(e for e in data if e["event_type"] == "ACCUSE")
    assert [r["country"] for r in accuse["recipient"]] == ["USA", "KOR"]
    assert accuse["certainty"] == "reported" and accuse["source_type"] == "state_media"
    assert accuse["evidence"]["text"].startswith("North Korea denounced")


def test_export_cameo_tsv_columns(rows: list[dict]) -> None:
    lines = list(csv.DictReader(io.StringIO(_export(rows, "cameo-tsv")), delimiter="\t"))
    visit = next(r for r in lines if r["PloverType"] == "CONSULT")
    assert (visit["EventCode"], visit["EventRootCode"], visit["QuadClass"]) == ("042", "04", "1")
    assert (visit["Actor1CountryCode"], visit["Actor2CountryCode"], visit["SQLDATE"]) == (
        "RUS",
        "PRK",
        "20240913",
    )


def test_export_geojson_only_events_with_a_place(rows: list[dict]) -> None:
    data = json.loads(_export(rows, "geojson"))
    assert [f["properties"]["event_type"] for f in data["features"]] == ["CONSULT"]
    assert data["features"][0]["geometry"]["coordinates"] == [125.75, 39.03]


def test_export_acled_skips_events_without_acled_type(rows: list[dict]) -> None:
    rows[0]["acled_type"] = "AGREEMENT"
    lines = list(csv.DictReader(io.StringIO(_export(rows, "acled-csv"))))
    assert [(r["event_type"], r["sub_event_type"]) for r in lines] == [
        ("Strategic developments", "Agreement")
    ]


def test_export_leaves_out_negated_and_future_unless_asked(rows: list[dict]) -> None:
    rows[0]["negated"] = True
    rows[1]["tense"] = "future"
    assert json.loads(_export(rows, "plover-json")) == []
    assert len(json.loads(_export(rows, "plover-json", include_unrealised=True))) == 2


def test_export_unknown_format_is_a_config_error(rows: list[dict]) -> None:
    with pytest.raises(ConfigError, match="plover-json"):
        _export(rows, "xml")

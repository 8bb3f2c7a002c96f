"""Write stored events in the formats the field uses: PLOVER JSON, GDELT-style CAMEO TSV, ACLED-style CSV,
GeoJSON and JSON lines. Exporters are registered in ``EXPORTERS``; a new one is one entry there.

By default only realised events are exported (not negated, not future or hypothetical), as event datasets
expect; ``include_unrealised`` keeps them with their flags.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TextIO

from .errors import ConfigError

Row = dict[str, Any]

# PLOVER type -> GDELT QuadClass (1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict)
QUAD = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3,
    "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}  # fmt: skip

# ACLED-style sub-event code (as in the CASE 2021 label set) -> (ACLED event type, ACLED sub-event name)
ACLED_NAMES = {
    "ARMED_CLASH": ("Battles", "Armed clash"),
    "GOV_REGAINS_TERIT": ("Battles", "Government regains territory"),
    "NON_STATE_ACTOR_OVERTAKES_TER": ("Battles", "Non-state actor overtakes territory"),
    "AIR_STRIKE": ("Explosions/Remote violence", "Air/drone strike"),
    "ART_MISS_ATTACK": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "CHEM_WEAP": ("Explosions/Remote violence", "Chemical weapon"),
    "GRENADE": ("Explosions/Remote violence", "Grenade"),
    "REM_EXPLOS": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "SUIC_BOMB": ("Explosions/Remote violence", "Suicide bomb"),
    "ATTACK": ("Violence against civilians", "Attack"),
    "ABDUCT_DISSAP": ("Violence against civilians", "Abduction/forced disappearance"),
    "SEX_VIOL": ("Violence against civilians", "Sexual violence"),
    "PEACE_PROTEST": ("Protests", "Peaceful protest"),
    "PROTEST_WITH_INTER": ("Protests", "Protest with intervention"),
    "FORCE_AGAINST_PROTEST": ("Protests", "Excessive force against protesters"),
    "VIOL_DEMONSTR": ("Riots", "Violent demonstration"),
    "MOB_VIOL": ("Riots", "Mob violence"),
    "AGREEMENT": ("Strategic developments", "Agreement"),
    "ARREST": ("Strategic developments", "Arrests"),
    "CHANGE_TO_GROUP_ACT": ("Strategic developments", "Change to group/activity"),
    "DISR_WEAP": ("Strategic developments", "Disrupted weapons use"),
    "HQ_ESTABLISHED": ("Strategic developments", "Headquarters or base established"),
    "NON_VIOL_TERRIT_TRANSFER": ("Strategic developments", "Non-violent transfer of territory"),
    "PROPERTY_DISTRUCT": ("Strategic developments", "Looting/property destruction"),
    "OTHER": ("Strategic developments", "Other"),
}


def _realised(row: Row) -> bool:
    return not row.get("negated") and row.get("tense") not in ("future", "hypothetical")


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _plover(row: Row) -> dict[str, Any]:
    def party(a: dict[str, Any]) -> dict[str, Any]:
        return {
            "text": a.get("text"),
            "country": a.get("country"),
            "sector": a.get("sector"),
            "id": a.get("actor_id"),
        }

    return {
        "event_id": row["id"],
        "event_type": row["plover_type"],
        "mode": row.get("mode"),
        "context": row.get("context") or [],
        "event_date": _iso(row.get("event_date")),
        "date_precision": row.get("date_precision"),
        "actor": [party(a) for a in row.get("actors") or []],
        "recipient": [party(a) for a in row.get("recipients") or []],
        "location": {
            "name": row.get("place_name"),
            "country": row.get("country"),
            "lat": row.get("lat"),
            "lon": row.get("lon"),
            "precision": row.get("geo_precision"),
        },
        "cameo_code": row.get("cameo_code"),
        "negated": bool(row.get("negated")),
        "tense": row.get("tense"),
        "certainty": row.get("certainty"),
        "claim_id": row.get("claim_id"),
        "source_type": row.get("source_type"),
        "evidence": {
            "article_id": row["article_id"],
            "sentence": row.get("sentence"),
            "text": row.get("text"),
        },
        "story_id": row.get("story_id"),
        "num_articles": row.get("story_articles"),
        "num_independent_sources": row.get("independent_sources"),
        "coder_version": row.get("coder_version"),
    }


def _write_plover(rows: Iterable[Row], out: TextIO) -> int:
    out.write("[")
    n = 0
    for row in rows:
        out.write(("," if n else "") + "\n" + json.dumps(_plover(row), ensure_ascii=False))
        n += 1
    out.write("\n]\n")
    return n


def _write_jsonl(rows: Iterable[Row], out: TextIO) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(_plover(row), ensure_ascii=False) + "\n")
        n += 1
    return n


CAMEO_COLUMNS = (
    "EventID", "SQLDATE", "DatePrecision", "Actor1Name", "Actor1CountryCode", "Actor1Type1Code",
    "Actor2Name", "Actor2CountryCode", "Actor2Type1Code", "EventCode", "EventBaseCode", "EventRootCode",
    "QuadClass", "PloverType", "Certainty", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_Precision",
    "ActionGeo_Lat", "ActionGeo_Long", "NumArticles", "NumSources", "ArticleID", "Evidence",
)  # fmt: skip


def _write_cameo(rows: Iterable[Row], out: TextIO) -> int:
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(CAMEO_COLUMNS)
    n = 0
    for row in rows:
        code = row.get("cameo_code") or ""
        when = row.get("event_date")
        a1 = (row.get("actors") or [{}])[0]
        a2 = (row.get("recipients") or [{}])[0]
        writer.writerow(
            [
                row["id"],
                when.strftime("%Y%m%d") if isinstance(when, datetime) else "",
                row.get("date_precision") or "",
                " + ".join(a.get("text") or "" for a in row.get("actors") or []),
                a1.get("country") or "",
                a1.get("sector") or "",
                " + ".join(a.get("text") or "" for a in row.get("recipients") or []),
                a2.get("country") or "",
                a2.get("sector") or "",
                code,
                code[:3],
                code[:2],
                QUAD.get(row.get("plover_type") or "", ""),
                row.get("plover_type") or "",
                row.get("certainty") or "",
                row.get("place_name") or "",
                row.get("country") or "",
                row.get("geo_precision") or "",
                row.get("lat") if row.get("lat") is not None else "",
                row.get("lon") if row.get("lon") is not None else "",
                row.get("story_articles") or "",
                row.get("independent_sources") or "",
                row["article_id"],
                " ".join((row.get("text") or "").split()),
            ]
        )
        n += 1
    return n


ACLED_COLUMNS = (
    "event_id", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor1_country",
    "actor2", "actor2_country", "country", "location", "latitude", "longitude", "geo_precision", "source_type",
    "certainty", "notes",
)  # fmt: skip


def _write_acled(rows: Iterable[Row], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    n = 0
    for row in rows:
        label = row.get("acled_type")
        if not label or label not in ACLED_NAMES:
            continue  # ACLED covers political violence, protests and strategic developments only
        event_type, sub = ACLED_NAMES[label]
        when = row.get("event_date")
        actors = row.get("actors") or [{}]
        recipients = row.get("recipients") or [{}]
        writer.writerow(
            [
                row["id"],
                when.date().isoformat() if isinstance(when, datetime) else "",
                when.year if isinstance(when, datetime) else "",
                row.get("date_precision") or "",
                event_type,
                sub,
                actors[0].get("text") or "",
                actors[0].get("country") or "",
                recipients[0].get("text") or "",
                recipients[0].get("country") or "",
                row.get("country") or "",
                row.get("place_name") or "",
                row.get("lat") if row.get("lat") is not None else "",
                row.get("lon") if row.get("lon") is not None else "",
                row.get("geo_precision") or "",
                row.get("source_type") or "",
                row.get("certainty") or "",
                " ".join((row.get("text") or "").split()),
            ]
        )
        n += 1
    return n


def _write_geojson(rows: Iterable[Row], out: TextIO) -> int:
    out.write('{"type": "FeatureCollection", "features": [')
    n = 0
    for row in rows:
        if row.get("lat") is None or row.get("lon") is None:
            continue  # no place: no point (never a made-up centroid)
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: v for k, v in _plover(row).items() if k != "location"}
            | {"place": row.get("place_name"), "geo_precision": row.get("geo_precision")},
        }
        out.write(("," if n else "") + "\n" + json.dumps(feature, ensure_ascii=False))
        n += 1
    out.write("\n]}\n")
    return n


EXPORTERS: dict[str, Callable[[Iterable[Row], TextIO], int]] = {
    "plover-json": _write_plover,
    "jsonl": _write_jsonl,
    "cameo-tsv": _write_cameo,
    "acled-csv": _write_acled,
    "geojson": _write_geojson,
}


def export_events(rows: Iterable[Row], *, fmt: str, out: TextIO, include_unrealised: bool = False) -> int:
    """Write ``rows`` (from ``Store.iter_events``) to ``out`` in ``fmt``; returns how many were written."""
    writer = EXPORTERS.get(fmt)
    if writer is None:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORTERS)}")
    selected = rows if include_unrealised else (r for r in rows if _realised(r))
    return writer(selected, out)

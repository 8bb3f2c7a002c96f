"""Write stored events in the formats the field uses: a flat CSV, JSON lines, Parquet, GeoJSON, PLOVER JSON,
ACLED-style CSV, the GDELT 2.0 event table layout (61 columns) and a compact CAMEO TSV. Each format is an
``Exporter``; ``newswatch.registry`` lists them by name, and a new one is registered there the same way.

Each exporter turns an iterator of event rows into an iterator of chunks (text, or bytes for Parquet), so
the CLI writes and the API streams any number of events in constant memory. Tabular formats write their
header even when no event matches. By default only realised events are exported (not negated, not future or
hypothetical), as event datasets expect; ``include_unrealised`` keeps them with their flags.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from .query import QUAD, QUAD_NAMES, actor_code

Row = dict[str, Any]
Chunk = str | bytes
BATCH = 5000  # rows per written chunk (and per Parquet row group)

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


def _plover_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    yield "["
    n = 0
    buf: list[str] = []
    for row in rows:
        buf.append(("," if n else "") + "\n" + json.dumps(_plover(row), ensure_ascii=False))
        n += 1
        if len(buf) >= BATCH:
            yield "".join(buf)
            buf = []
    yield "".join(buf) + "\n]\n"


def _jsonl_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    buf: list[str] = []
    for row in rows:
        buf.append(json.dumps(_plover(row), ensure_ascii=False) + "\n")
        if len(buf) >= BATCH:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def _table_chunks(rows: Iterable[Row], columns: tuple[str, ...], values: Callable[[Row], list[Any] | None],
                  *, delimiter: str = ",") -> Iterator[Chunk]:  # fmt: skip
    """CSV/TSV with a header row (also when nothing matches), flushed every ``BATCH`` rows."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    for row in rows:
        cells = values(row)
        if cells is None:
            continue
        writer.writerow(cells)
        n += 1
        if n % BATCH == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# ------------------------------------------------------------------------------------------- flat table

FLAT_COLUMNS = (
    "event_id", "event_date", "date_precision", "plover_type", "quad_class", "quad_name", "mode", "cameo_code",
    "acled_type", "actor1", "actor1_country", "actor1_sector", "actor1_id", "actors", "recipient1",
    "recipient1_country", "recipient1_sector", "recipient1_id", "recipients", "place", "place_country", "latitude",
    "longitude", "geo_precision", "negated", "tense", "certainty", "source_type", "confidence", "story_id",
    "num_articles", "num_sources", "article_id", "article_url", "site", "published_at", "sentence", "trigger",
    "evidence", "coder_version",
)  # fmt: skip


def _flat(row: Row) -> dict[str, Any]:
    """One event as flat, typed columns (a party list becomes "RUS GOV; PRK" codes)."""
    actors = row.get("actors") or []
    recipients = row.get("recipients") or []
    a1 = actors[0] if actors else {}
    r1 = recipients[0] if recipients else {}
    quad = QUAD.get(row.get("plover_type") or "")
    return {
        "event_id": row["id"],
        "event_date": row.get("event_date"),
        "date_precision": row.get("date_precision"),
        "plover_type": row.get("plover_type"),
        "quad_class": quad,
        "quad_name": QUAD_NAMES.get(quad or 0),
        "mode": row.get("mode"),
        "cameo_code": row.get("cameo_code"),
        "acled_type": row.get("acled_type"),
        "actor1": a1.get("text"),
        "actor1_country": a1.get("country"),
        "actor1_sector": a1.get("sector"),
        "actor1_id": a1.get("actor_id"),
        "actors": "; ".join(actor_code(a.get("country"), a.get("sector")) or "---" for a in actors),
        "recipient1": r1.get("text"),
        "recipient1_country": r1.get("country"),
        "recipient1_sector": r1.get("sector"),
        "recipient1_id": r1.get("actor_id"),
        "recipients": "; ".join(actor_code(a.get("country"), a.get("sector")) or "---" for a in recipients),
        "place": row.get("place_name"),
        "place_country": row.get("country"),
        "latitude": row.get("lat"),
        "longitude": row.get("lon"),
        "geo_precision": row.get("geo_precision"),
        "negated": bool(row.get("negated")),
        "tense": row.get("tense"),
        "certainty": row.get("certainty"),
        "source_type": row.get("source_type"),
        "confidence": row.get("confidence"),
        "story_id": row.get("story_id"),
        "num_articles": row.get("story_articles"),
        "num_sources": row.get("independent_sources"),
        "article_id": row.get("article_id"),
        "article_url": row.get("article_url"),
        "site": row.get("article_site"),
        "published_at": row.get("article_published_at"),
        "sentence": row.get("sentence"),
        "trigger": row.get("trigger"),
        "evidence": _text(row.get("text")),
        "coder_version": row.get("coder_version"),
    }


def _csv_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    return _table_chunks(rows, FLAT_COLUMNS, lambda r: [_cell(v) for v in _flat(r).values()])


class _Sink:
    """A write-only file for pyarrow that hands what was written to a generator in pieces."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.pos = 0
        self.closed = False

    def write(self, data: Any) -> int:
        b = bytes(data)
        self.parts.append(b)
        self.pos += len(b)
        return len(b)

    def tell(self) -> int:
        return self.pos

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


def _parquet_schema() -> Any:
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    types = {
        "event_date": ts, "published_at": ts, "quad_class": pa.int8(), "latitude": pa.float64(),
        "longitude": pa.float64(), "negated": pa.bool_(), "confidence": pa.float64(), "num_articles": pa.int32(),
        "num_sources": pa.int32(), "sentence": pa.int32(),
    }  # fmt: skip
    return pa.schema([(c, types.get(c, pa.string())) for c in FLAT_COLUMNS])


def _parquet_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    """The flat columns as Parquet (zstd), one row group per ``BATCH`` events."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")

    def table(batch: list[dict[str, Any]]) -> Any:
        cols = {c: [_aware(r[c]) for r in batch] for c in FLAT_COLUMNS}
        return pa.Table.from_pydict(cols, schema=schema)

    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(_flat(row))
        if len(batch) >= BATCH:
            writer.write_table(table(batch))
            batch = []
            yield sink.take()
    if batch:
        writer.write_table(table(batch))
    writer.close()
    yield sink.take()


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


CAMEO_COLUMNS = (
    "EventID", "SQLDATE", "DatePrecision", "Actor1Name", "Actor1CountryCode", "Actor1Type1Code",
    "Actor2Name", "Actor2CountryCode", "Actor2Type1Code", "EventCode", "EventBaseCode", "EventRootCode",
    "QuadClass", "PloverType", "Certainty", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_Precision",
    "ActionGeo_Lat", "ActionGeo_Long", "NumArticles", "NumSources", "ArticleID", "Evidence",
)  # fmt: skip


def _cameo_values(row: Row) -> list[Any]:
    code = row.get("cameo_code") or ""
    when = row.get("event_date")
    a1 = (row.get("actors") or [{}])[0]
    a2 = (row.get("recipients") or [{}])[0]
    return [
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
        _text(row.get("text")),
    ]


def _cameo_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    return _table_chunks(rows, CAMEO_COLUMNS, _cameo_values, delimiter="\t")


# The GDELT 2.0 event table, in the order of the GDELT 2.0 Event Codebook (61 fields). Fields we have no value
# for stay empty: Known group, ethnic and religion codes, Goldstein scale, tone, ADM codes, feature ids, and
# the actors' own locations (we geolocate the action only). GDELT writes FIPS 10-4 codes in *Geo_CountryCode;
# we have ISO 3166-1 alpha-3 codes and write those there (the layout's consumers read the column as text).
GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip


def _geo_type(precision: str | None, country: str | None) -> Any:
    """GDELT geo types: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (ADM1)."""
    if precision == "country":
        return 1
    if precision in ("city", "point"):
        return 3 if country == "USA" else 4
    if precision in ("admin", "region"):
        return 2 if country == "USA" else 5
    return ""


def _gdelt_values(row: Row) -> list[Any]:
    when = row.get("event_date")
    code = row.get("cameo_code") or ""
    a1 = (row.get("actors") or [{}])[0]
    a2 = (row.get("recipients") or [{}])[0]
    added = row.get("article_added_at") or row.get("article_published_at")

    def actor(a: dict[str, Any]) -> list[Any]:
        gcode = "".join(x for x in (a.get("country"), a.get("sector")) if x)
        return [gcode, _text(a.get("name") or a.get("text")), a.get("country") or "", "", "", "", "",
                a.get("sector") or "", "", ""]  # fmt: skip

    if isinstance(when, datetime):
        day = when.strftime("%Y%m%d")
        month, year = when.strftime("%Y%m"), when.year
        fraction = round(when.year + (when.timetuple().tm_yday - 1) / 365.0, 4)
    else:
        day = month = year = fraction = ""  # type: ignore[assignment]
    has_place = bool(row.get("place_name"))
    lat, lon = row.get("lat"), row.get("lon")
    return [
        row["id"], day, month, year, fraction,
        *actor(a1),
        *actor(a2),
        1 if row.get("sentence") == 0 else 0, code, code[:3], code[:2], QUAD.get(row.get("plover_type") or "", ""), "",
        row.get("story_articles") or 1, row.get("independent_sources") or 1, row.get("story_articles") or 1, "",
        "", "", "", "", "", "", "", "",
        "", "", "", "", "", "", "", "",
        _geo_type(row.get("geo_precision"), row.get("country")) if has_place else "",
        row.get("place_name") or "", row.get("country") or "" if has_place else "", "", "",
        "" if lat is None else lat, "" if lon is None else lon, "",
        added.strftime("%Y%m%d%H%M%S") if isinstance(added, datetime) else "",
        row.get("article_url") or "",
    ]  # fmt: skip


def _gdelt_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    return _table_chunks(rows, GDELT_COLUMNS, _gdelt_values, delimiter="\t")


ACLED_COLUMNS = (
    "event_id", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor1_country",
    "actor2", "actor2_country", "country", "location", "latitude", "longitude", "geo_precision", "source_type",
    "certainty", "source", "notes",
)  # fmt: skip


def _acled_values(row: Row) -> list[Any] | None:
    label = row.get("acled_type")
    if not label or label not in ACLED_NAMES:
        return None  # ACLED covers political violence, protests and strategic developments only
    event_type, sub = ACLED_NAMES[label]
    when = row.get("event_date")
    actors = row.get("actors") or [{}]
    recipients = row.get("recipients") or [{}]
    return [
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
        row.get("article_site") or "",
        _text(row.get("text")),
    ]


def _acled_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    return _table_chunks(rows, ACLED_COLUMNS, _acled_values)


def _geojson_chunks(rows: Iterable[Row]) -> Iterator[Chunk]:
    """Events with a point; countries and regions without coordinates are left out (no made-up centroid)."""
    yield '{"type": "FeatureCollection", "features": ['
    n = 0
    buf: list[str] = []
    for row in rows:
        if row.get("lat") is None or row.get("lon") is None:
            continue
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: v for k, v in _plover(row).items() if k != "location"}
            | {"place": row.get("place_name"), "country": row.get("country"), "geo_precision": row.get("geo_precision")},
        }
        buf.append(("," if n else "") + "\n" + json.dumps(feature, ensure_ascii=False))
        n += 1
        if len(buf) >= BATCH:
            yield "".join(buf)
            buf = []
    yield "".join(buf) + "\n]}\n"


@dataclass(frozen=True)
class Exporter:
    """A format: how to write it, and what a download of it is called. ``newswatch.registry`` lists the formats by
    name; the built-in ones are the constants below."""

    chunks: Callable[[Iterable[Row]], Iterator[Chunk]]
    media_type: str
    extension: str
    binary: bool = False

    def stream(self, rows: Iterable[Row], *, include_unrealised: bool = False) -> Iterator[Chunk]:
        """``rows`` (event rows of ``store.query``) in this format, as chunks of text (bytes when binary)."""
        return self.chunks(rows if include_unrealised else (r for r in rows if _realised(r)))

    def write(self, rows: Iterable[Row], *, out: IO[Any], include_unrealised: bool = False) -> int:
        """Write ``rows`` to ``out`` (a binary file when binary); returns how many rows were read."""
        counted = _Counted(rows if include_unrealised else (r for r in rows if _realised(r)))
        for chunk in self.chunks(counted):
            out.write(chunk)
        return counted.n


CSV = Exporter(_csv_chunks, "text/csv; charset=utf-8", "csv")
JSONL = Exporter(_jsonl_chunks, "application/x-ndjson", "jsonl")
PARQUET = Exporter(_parquet_chunks, "application/vnd.apache.parquet", "parquet", binary=True)
GEOJSON = Exporter(_geojson_chunks, "application/geo+json", "geojson")
PLOVER_JSON = Exporter(_plover_chunks, "application/json", "json")
ACLED_CSV = Exporter(_acled_chunks, "text/csv; charset=utf-8", "acled.csv")
GDELT_TSV = Exporter(_gdelt_chunks, "text/tab-separated-values; charset=utf-8", "gdelt.tsv")
CAMEO_TSV = Exporter(_cameo_chunks, "text/tab-separated-values; charset=utf-8", "cameo.tsv")


class _Counted:
    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows = rows
        self.n = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.n += 1
            yield row

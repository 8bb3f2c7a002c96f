"""Our CAMEO -> PLOVER table: its rows, the parent fallback, the PLOVER type list, bad files, provenance."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from newswatch.codes import cameo_table, lookup, plover_types, read_cameo_table
from newswatch.errors import ConfigError

# the 16 event types of the PLOVER manual (draft 2.0), written out here rather than read from our table
PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
    "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip
DATA = resources.files("newswatch") / "data"


def test_codes_table_maps_onto_the_sixteen_plover_types() -> None:
    assert plover_types() == PLOVER_TYPES


@pytest.mark.parametrize(
    ("cameo", "plover_type", "mode"),
    [
        ("042", "CONSULT", "visit"),  # make a visit
        ("0841", "RETREAT", "release"),  # release persons
        ("0871", "RETREAT", "ceasefire"),
        ("081", "CONCEDE", None),  # easing restrictions, said not done
        ("1122", "ACCUSE", "allege"),
        ("163", "SANCTION", None),  # embargo, boycott or sanctions
        ("173", "COERCE", "arrest"),
        ("195", "ASSAULT", "aerial"),
        ("1952", "ASSAULT", "drone"),
        ("2042", "ASSAULT", "unconventional"),
    ],
)
def test_codes_rows_follow_the_codebook_definitions(cameo: str, plover_type: str, mode: str | None) -> None:
    row = lookup(cameo)
    assert row is not None and (row.plover_type, row.mode) == (plover_type, mode)


def test_codes_unknown_code_takes_its_parent_and_outside_codes_have_none() -> None:
    row = lookup("0849")  # not a CAMEO code of its own
    assert row is not None and row.cameo == "084"
    assert lookup("01") is None and lookup("021") is None  # public statements and appeals: no PLOVER type
    assert lookup("99") is None


def test_codes_every_root_from_03_to_20_is_mapped() -> None:
    table = cameo_table()
    assert all(f"{root:02d}" in table for root in range(3, 21))


def test_codes_contexts_are_split_into_a_tuple() -> None:
    row = lookup("091")
    assert row is not None and row.context == ("crime", "corruption")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cameo\ttype\n042\tCONSULT\tvisit\t\tvisits\n", "header"),
        ("cameo\ttype\tmode\tcontext\tcovers\n042\tCONSULT\tvisit\n", ":2:"),
        ("cameo\ttype\tmode\tcontext\tcovers\nabc\tCONSULT\t\t\tx\n", ":2:"),
        ("# only a comment\n", "no rows"),
    ],
)
def test_codes_bad_table_is_a_config_error_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_cameo_table(text)


def test_codes_table_in_a_data_dir_is_used(tmp_path: Path) -> None:
    (tmp_path / "cameo_plover.tsv").write_text("cameo\ttype\tmode\tcontext\tcovers\n042\tAGREE\t\t\tours\n")
    table = cameo_table(str(tmp_path))
    assert set(table) == {"042"} and table["042"].plover_type == "AGREE"


def _provenance(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        meta = json.loads(text).get("_meta", {})
        return " ".join(str(meta.get(k, "")) for k in ("source", "written_by", "author"))
    return "\n".join(line for line in text.splitlines() if line.startswith("#"))


@pytest.mark.parametrize(
    "path",
    sorted(p for p in Path(str(DATA)).rglob("*") if p.suffix in (".tsv", ".json") and "demo" not in p.parts),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_codes_every_data_file_says_who_wrote_it_and_from_what(path: Path) -> None:
    said = _provenance(path).lower()
    assert "newswatch" in said, f"{path.name}: no line naming its author (the newswatch project)"
    assert any(w in said for w in ("from", "source")), f"{path.name}: no line saying what it was made from"
    assert "copied from" not in said.replace("not copied from", "").replace("no other", "")

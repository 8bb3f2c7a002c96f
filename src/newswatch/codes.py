"""The field's event codes: our CAMEO -> PLOVER table (``data/codes/cameo_plover.tsv``) and the PLOVER types,
the PLOVER sector and non-state actor codes, the event statuses, and the claim certainty and source-type values.

One small reader for every part that needs the codes (the event coder, watch rules, filters, exports), so the
file format and the value lists live in one place. A code not in the table takes the row of its nearest listed parent ("0843" ->
"084" -> "08").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConfigError

TABLE_FILE = "cameo_plover.tsv"
_COLUMNS = ("cameo", "type", "mode", "context", "covers")

# PLOVER sector codes (eval/events/PLOVER.md): the frequent ones, then the less frequent ones.
PLOVER_SECTORS = frozenset(
    "COP GOV JUD LEG MIL PRM PTY REB SPY UAF UNK AGR BUS CRM CVL EDU ELI JRN LAB MED REF OPP PRE REL SOC".split()
)
# An event's status in the annotation guide (eval/events/NEWS_GUIDE.md): what the event coder says of it.
EVENT_STATUSES = ("asserted", "future", "negated", "hypothetical")
# Non-state codes of PLOVER: a country set made of them is not a "state" for the bilateral-story logic.
NON_STATE_CODES = frozenset({"IGO", "UNO", "EUR", "NGO", "ISM", "IMG", "MNC"})
# How surely a claim asserts its content, surest first, and who makes it: the values of claims.certainty and
# claims.source_type (the claims stage decides them; watch rules, filters and the dashboard offer them).
CERTAINTIES = ("asserted", "reported", "hedged", "speculative", "denied")
SOURCE_TYPES = ("state_media", "official", "military", "expert", "intelligence", "anonymous", "outlet", "unattributed")


@dataclass(frozen=True)
class CameoCode:
    """One CAMEO code with the PLOVER type, mode and contexts it maps to."""

    cameo: str
    plover_type: str
    mode: str | None
    context: tuple[str, ...]
    covers: str


def read_cameo_table(text: str, *, name: str = TABLE_FILE) -> dict[str, CameoCode]:
    """Parse the table's text: ``#`` comment lines, one header line, then tab-separated rows."""
    table: dict[str, CameoCode] = {}
    header_seen = False
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if tuple(c.strip() for c in cells) != _COLUMNS:
                raise ConfigError(f"{name}:{n}: the header must be {' <TAB> '.join(_COLUMNS)}")
            header_seen = True
            continue
        if len(cells) != len(_COLUMNS) or not cells[0].isdigit() or not cells[1].isupper():
            raise ConfigError(
                f"{name}:{n}: expected {len(_COLUMNS)} tab-separated cells (a CAMEO code, a PLOVER type, "
                "mode, contexts, gloss); fix the line"
            )
        code, plover_type, mode, context, covers = (c.strip() for c in cells)
        table[code] = CameoCode(
            cameo=code,
            plover_type=plover_type,
            mode=mode or None,
            context=tuple(c.strip() for c in context.split(",") if c.strip()),
            covers=covers,
        )
    if not table:
        raise ConfigError(f"{name}: no rows; reinstall newswatch")
    return table


@lru_cache(maxsize=4)
def cameo_table(data_dir: str | None = None) -> dict[str, CameoCode]:
    """CAMEO code -> ``CameoCode``: the shipped table, or ``data_dir``/cameo_plover.tsv when given."""
    try:
        if data_dir is None:
            text = (resources.files("newswatch") / "data" / "codes" / TABLE_FILE).read_text(encoding="utf-8")
        else:
            text = (Path(data_dir) / TABLE_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the CAMEO -> PLOVER table {TABLE_FILE} ({exc.strerror or exc}); reinstall newswatch "
            f"(pip install -e .) or point data_dir at a folder holding {TABLE_FILE}"
        ) from exc
    return read_cameo_table(text)


def lookup(cameo: str, table: dict[str, CameoCode] | None = None) -> CameoCode | None:
    """The row of ``cameo`` or of its nearest listed parent code; None for codes outside the table."""
    rows = cameo_table() if table is None else table
    for size in range(len(cameo), 1, -1):
        row = rows.get(cameo[:size])
        if row is not None:
            return row
    return None


@lru_cache(maxsize=1)
def plover_types() -> frozenset[str]:
    """The PLOVER event types the table maps to (the 16 of the current manual)."""
    return frozenset(row.plover_type for row in cameo_table().values())

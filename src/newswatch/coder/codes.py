"""The codes an event carries besides its PLOVER type: CAMEO code and ACLED-style sub-event type, derived from the
type and mode (``data/events/plover_cameo.tsv``), and the facts the other parts share (the 16 types, their modes,
the CAMEO root of each type)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..codes import lookup
from ..errors import ConfigError

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip

# the sentence-level ACLED cue label refines an event's sub-event type when it belongs to the type's family
_ACLED_FAMILIES: dict[str, frozenset[str]] = {
    "ASSAULT": frozenset({
        "ARMED_CLASH", "GOV_REGAINS_TERIT", "NON_STATE_ACTOR_OVERTAKES_TER", "AIR_STRIKE", "ART_MISS_ATTACK",
        "CHEM_WEAP", "GRENADE", "REM_EXPLOS", "SUIC_BOMB", "ATTACK", "ABDUCT_DISSAP", "SEX_VIOL", "MOB_VIOL",
        "PROPERTY_DISTRUCT", "FORCE_AGAINST_PROTEST", "PROTEST_WITH_INTER",
    }),
    "PROTEST": frozenset({"PEACE_PROTEST", "PROTEST_WITH_INTER", "FORCE_AGAINST_PROTEST", "VIOL_DEMONSTR", "MOB_VIOL"}),
    "COERCE": frozenset({"ARREST", "PROPERTY_DISTRUCT", "DISR_WEAP", "PROTEST_WITH_INTER", "ABDUCT_DISSAP"}),
    "MOBILIZE": frozenset({"CHANGE_TO_GROUP_ACT", "HQ_ESTABLISHED"}),
    "SANCTION": frozenset({"DIPLO"}),
    "RETREAT": frozenset({"AGREEMENT", "NON_VIOL_TERRIT_TRANSFER", "CHANGE_TO_GROUP_ACT"}),
}  # fmt: skip


def plover_of_cameo(code: str) -> str | None:
    """The PLOVER type of a CAMEO code, from the project's CAMEO table (None for codes PLOVER drops)."""
    row = lookup(code)
    return row.plover_type if row is not None else None


@dataclass(frozen=True)
class CodeRow:
    cameo: str
    acled: str | None


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], CodeRow]:
    path = resources.files("newswatch") / "data" / "events" / "plover_cameo.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc}); reinstall newswatch") from exc
    table: dict[tuple[str, str], CodeRow] = {}
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    for cells in rows[1:]:
        if len(cells) != 4 or cells[0] not in PLOVER_TYPES:
            raise ConfigError(f"bad row {cells!r} in {path}; each row is type, mode, cameo, acled")
        table[(cells[0], cells[1])] = CodeRow(cameo=cells[2], acled=None if cells[3] == "-" else cells[3])
    missing = [t for t in PLOVER_TYPES if (t, "-") not in table]
    if missing:
        raise ConfigError(f"{path} has no default row for {', '.join(missing)}")
    return table


def modes_of(plover_type: str) -> frozenset[str]:
    """The modes newswatch knows for a type."""
    return frozenset(m for t, m in _table() if t == plover_type and m != "-")


def all_modes() -> list[str]:
    """Every mode newswatch knows, of any type, sorted (the mode model's classes besides none)."""
    return sorted({m for t, m in _table() if m != "-"})


def cameo_for(plover_type: str, mode: str | None) -> str:
    table = _table()
    row = table.get((plover_type, mode or "-")) or table[(plover_type, "-")]
    return row.cameo


def acled_for(
    plover_type: str, mode: str | None, *, sentence_label: str | None = None, two_sided: bool = False
) -> str | None:
    """The event's ACLED-style sub-event type: the sentence's cue label when it fits the type, else the table's."""
    family = _ACLED_FAMILIES.get(plover_type)
    if family and sentence_label in family:
        return sentence_label
    table = _table()
    row = table.get((plover_type, mode or "-")) or table[(plover_type, "-")]
    if plover_type == "ASSAULT" and row.acled == "ATTACK" and two_sided:
        return "ARMED_CLASH"
    return row.acled

"""The shape of the package: every import of ``src/newswatch`` points down the layer table, no stage imports
another stage, the store or a face, nobody imports another part's private names, and docs/architecture.md shows
the same table (and every registered part)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from newswatch import registry

SRC = Path(__file__).resolve().parents[1] / "src" / "newswatch"
DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

GROUND, STORE, STAGE, PIPELINE, FACE = "ground floor", "store", "stages", "pipeline", "faces"

# unit -> (layer, its modules; "name/" is a package). A stage's unit is the stage; other layers' units are their
# modules and packages.
UNITS: dict[str, tuple[str, tuple[str, ...]]] = {
    # the faces: parse input, call the pipeline layer or the store, translate errors
    "cli": (FACE, ("cli/",)),
    "api": (FACE, ("api/",)),
    "watch": (FACE, ("watch",)),
    "demo": (FACE, ("demo",)),
    # the pipeline layer: builds the stages' parts (registry) and composes the stages
    "pipeline": (PIPELINE, ("pipeline",)),
    "registry": (PIPELINE, ("registry",)),
    "grouping": (PIPELINE, ("grouping",)),
    "train": (PIPELINE, ("train",)),
    "scale": (PIPELINE, ("scale",)),
    "workers": (PIPELINE, ("workers",)),
    "evaluation": (PIPELINE, ("evaluation/",)),
    # the stages: plain data in, plain data out, their configured parts as keyword arguments
    "ingest": (STAGE, ("ingest",)),
    "extract": (STAGE, ("extract",)),
    "nlp": (STAGE, ("nlp",)),
    "actors": (STAGE, ("actors",)),
    "events": (STAGE, ("events", "acled", "coder/")),
    "claims": (STAGE, ("claims",)),
    "timeplace": (STAGE, ("timeplace", "dates", "places")),
    "dedup": (STAGE, ("dedup",)),
    "stories": (STAGE, ("stories",)),
    "export": (STAGE, ("export",)),
    # the store: persistence only
    "store": (STORE, ("store/",)),
    # the ground floor: what every layer may use
    "newswatch": (GROUND, ("__init__",)),
    "models": (GROUND, ("models",)),
    "errors": (GROUND, ("errors",)),
    "config": (GROUND, ("config",)),
    "codes": (GROUND, ("codes",)),
    "sites": (GROUND, ("sites",)),
    "instants": (GROUND, ("instants",)),
    "sentences": (GROUND, ("sentences",)),
    "query": (GROUND, ("query",)),
    "cache": (GROUND, ("cache",)),
}

# which layers a layer may import (besides its own unit)
MAY_IMPORT = {
    FACE: {FACE, PIPELINE, STORE, GROUND},
    PIPELINE: {PIPELINE, STAGE, STORE, GROUND},
    STAGE: {GROUND},  # a stage imports no other stage: what it needs from one is handed to it
    STORE: {GROUND},
    GROUND: {GROUND},
}


def _unit_of(module: str) -> str:
    """``newswatch.coder.features`` -> "events"; ``newswatch`` -> "newswatch"."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for unit, (_layer, members) in UNITS.items():
        if top in members or f"{top}/" in members:
            return unit
    raise KeyError(module)


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import of a newswatch module, lazy ones and
    those under ``TYPE_CHECKING`` included: a type is an arrow too."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names if a.name.split(".")[0] == "newswatch"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "newswatch":
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in MODULES:  # "from . import nlp" imports the module newswatch.nlp
                    found.append((submodule, None, node.lineno))
                else:
                    found.append((target, alias.name, node.lineno))
    return found


MODULES = _modules()
EDGES = [(m, target, name, line) for m, path in MODULES.items() for target, name, line in _imports(m, path)]


def test_architecture_every_module_has_a_place_in_the_layer_table() -> None:
    unplaced = []
    for module in MODULES:
        try:
            _unit_of(module)
        except KeyError:
            unplaced.append(module)
    assert unplaced == [], f"add these modules to UNITS (and to docs/architecture.md): {unplaced}"


def _wrong_arrows(edges: list[tuple[str, str, str | None, int]]) -> list[str]:
    """The imports among ``edges`` that the layer table forbids, or that take a private name across units."""
    wrong = []
    for module, target, name, line in edges:
        unit, other = _unit_of(module), _unit_of(target)
        if unit == other:
            continue
        layer, other_layer = UNITS[unit][0], UNITS[other][0]
        if other_layer not in MAY_IMPORT[layer]:
            wrong.append(f"{module}:{line} ({layer}) imports {target} ({other_layer})")
        elif name and name.startswith("_") and not name.startswith("__"):
            wrong.append(f"{module}:{line} imports the private {target}.{name}")
    return wrong


def test_architecture_imports_point_down_the_layers() -> None:
    wrong = _wrong_arrows(EDGES)
    assert wrong == [], "imports against the layer table (see docs/architecture.md):\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("importer", "imported", "name"),
    [
        ("newswatch.dedup", "newswatch.store", "stories"),  # a stage into the store
        ("newswatch.dedup", "newswatch.stories", "assign_stories"),  # a stage into another stage
        ("newswatch.stories", "newswatch.dedup", "normalise_site"),
        ("newswatch.events", "newswatch.places", "get_gazetteer"),
        ("newswatch.cli.train", "newswatch.coder.training", "train_events"),  # a face past the pipeline
        ("newswatch.query", "newswatch.actors", "NON_STATE_CODES"),  # the ground floor into a stage
        ("newswatch.store.core", "newswatch.pipeline", "run"),  # the store into the pipeline
        ("newswatch.api.routes.events", "newswatch.query", "_split"),  # a private name of another part
    ],
)
def test_architecture_check_finds_a_wrong_arrow(importer: str, imported: str, name: str) -> None:
    """Arrows this package once had: the check must refuse each of them."""
    assert len(_wrong_arrows([(importer, imported, name, 1)])) == 1


def test_architecture_check_allows_arrows_down_and_within_a_stage() -> None:
    allowed: list[tuple[str, str, str | None, int]] = [
        ("newswatch.coder.coder", "newswatch.events", "EventCoder", 1),  # the coder and its rule fallback: one stage
        ("newswatch.timeplace", "newswatch.places", "locate_events", 1),
        ("newswatch.pipeline", "newswatch.claims", "find_claims", 1),
        ("newswatch.cli.core", "newswatch.registry", "exporter", 1),
        ("newswatch.store.derived", "newswatch.query", "QUAD", 1),
    ]
    assert _wrong_arrows(allowed) == []


def test_architecture_units_import_each_other_without_cycles() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, target, _name, _line in EDGES:
        if _unit_of(module) != _unit_of(target):
            graph[_unit_of(module)].add(_unit_of(target))
    cycles = []
    state: dict[str, int] = {}

    def visit(unit: str, trail: list[str]) -> None:
        state[unit] = 1
        for nxt in sorted(graph[unit]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[unit] = 2

    for unit in sorted(UNITS):
        if unit not in state:
            visit(unit, [unit])
    assert cycles == [], f"units that import each other: {cycles}"


def _doc_rows(title: str) -> dict[str, str]:
    """First cell -> the rest of each row of the markdown table under the heading ``title``."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) > 1 and not set(cells[0]) <= {"-", ":"}:
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


def test_architecture_doc_shows_the_layer_table() -> None:
    rows = _doc_rows("Which way imports point")
    for layer in (FACE, PIPELINE, STAGE, STORE, GROUND):
        named = set(re.findall(r"`([\w/]+)`", rows[layer]))
        expected = {m.removesuffix("/") + ("/" if m.endswith("/") else "")
                    for unit, (lay, members) in UNITS.items() if lay == layer for m in members}
        expected = {"newswatch" if m == "__init__" else m for m in expected}
        assert named == expected, f"docs/architecture.md, row {layer!r}: {named ^ expected}"


def test_architecture_doc_lists_every_registered_part() -> None:
    rows = _doc_rows("The registry")
    for kind in registry.KINDS:
        assert kind in rows, f"docs/architecture.md lacks the registry kind {kind!r}"
        listed = set(re.findall(r"`([\w-]+)`", rows[kind]))
        missing = [name for name in registry.names(kind) if name not in listed]
        assert missing == [], f"docs/architecture.md, kind {kind!r}, lacks {missing}"

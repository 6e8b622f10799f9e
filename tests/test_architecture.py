"""The layering of docs/architecture.md, and the size limits of the code, checked on the source.

A package may import from its own layer and the layers below it, never from above: the lower
packages stay usable (and testable) without the higher ones, and a change high up cannot ripple
down. Source files stay under 600 lines and functions under 80 (the interior-point kernel,
one tight loop kept whole for speed, is the exception).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "boostback"

# Lowest first; a package may import from its own layer and any layer below.
LAYERS: list[set[str]] = [
    {
        "constants",
        "jit",
        "aot",
        "numerics",
        "timing",
        "config",
        "telemetry",
        "vehicles",
        "scenarios",
    },
    {"environment"},
    {"dynamics"},
    {"gnc"},
    {"plant"},
    {"guidance"},
    {"control"},
    {"mission"},
    {"flight"},
    {"payload"},
    {"campaign"},
    {"economics"},
    {"report"},
    {"bench", "aot_build", "cli"},
]
LEVEL = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}
LONG_FUNCTIONS_ALLOWED = {("guidance/ipm.py", "_ipm")}
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_every_package_has_a_layer() -> None:
    packages = {_package(p) for p in _sources()} - {"__init__"}
    assert packages <= set(LEVEL), (
        f"add to LAYERS and docs/architecture.md: {packages - set(LEVEL)}"
    )


def test_no_package_imports_from_a_higher_layer() -> None:
    bad = []
    for path in _sources():
        pkg = _package(path)
        if pkg == "__init__":
            continue
        for m in re.finditer(r"^\s*(?:from|import)\s+boostback\.(\w+)", path.read_text(), re.M):
            target = m.group(1)
            if target != pkg and LEVEL[target] > LEVEL[pkg]:
                bad.append(f"{path.relative_to(SRC)} ({pkg}) imports {target}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_source_files_and_functions_stay_small(path: Path) -> None:
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_FILE_LINES
    rel = str(path.relative_to(SRC))
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            if (rel, node.name) not in LONG_FUNCTIONS_ALLOWED:
                assert length <= MAX_FUNCTION_LINES, f"{node.name} is {length} lines"

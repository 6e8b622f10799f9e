"""The example notebooks (examples/*.ipynb) run from top to bottom, as a reader would run them.

Each runs on a fresh kernel of this interpreter (nbclient + ipykernel, the dev extras) in a
temporary copy of ``examples/``: a notebook opened in Jupyter runs in its own folder, so paths
in it are relative to ``examples/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
# what each notebook's printed tables must show (the same as the CLI's)
EXPECTED = {
    "landing.ipynb": ("landing burn", "touchdown vertical speed", "landed"),
    "flight.ipynb": ("event timeline", "propellant budget", "outcome and limits"),
    "campaign.ipynb": ("Landing probability", "Clopper-Pearson", "Outcomes"),
}


def _text(nb: object) -> str:
    out = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for o in cell.get("outputs", []):
            out.append(o.get("text", "") or "".join(o.get("data", {}).get("text/plain", "")))
    return "\n".join(out)


def test_there_is_a_notebook_for_a_landing_a_flight_and_a_campaign() -> None:
    assert {p.name for p in NOTEBOOKS} >= set(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("out", ".ipynb_checkpoints"))
    nb = nbformat.read(folder / path.name, as_version=4)
    assert not any(cell.get("outputs") for cell in nb.cells), "commit notebooks without outputs"
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on an error
    text = _text(nb)
    for words in EXPECTED.get(path.name, ()):
        assert words in text, f"{path.name}: '{words}' not in its output"

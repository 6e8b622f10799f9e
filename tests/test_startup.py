"""Start-up stays light: a landing or a whole flight from the command line loads neither CVXPY
(the reference solver), scipy.stats (campaign statistics) nor pandas (tables and reports).
The timings themselves are in ``benchmarks/startup.py`` (``make bench``), never asserted here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "startup.py"
_spec = importlib.util.spec_from_file_location("benchmarks_startup", _PATH)
assert _spec is not None and _spec.loader is not None
startup = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = startup
_spec.loader.exec_module(startup)


@pytest.mark.parametrize(
    "command", [("land", "falcon9", "--json"), ("fly", "falcon9", "--json")], ids=" ".join
)
def test_a_landing_or_a_flight_loads_no_heavy_library(command: tuple[str, ...], tmp_path) -> None:
    assert startup.heavy_modules(command, str(tmp_path)) == ()


def test_the_probe_sees_what_a_command_loads(tmp_path: Path) -> None:
    """The probe reports a module the command does load (else the test above could not fail)."""
    seen = startup.heavy_modules(
        ("vehicles",), str(tmp_path), heavy=("boostback.config", "cvxpy", "typer")
    )
    assert seen == ("boostback.config", "typer")

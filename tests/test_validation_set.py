"""The held-out real flights (validation/): each poses from public mission data alone, and the
runner flies one of them end to end and compares it with its telemetry."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from boostback.config.loader import load_flight
from boostback.payload.design import needs_design
from boostback.telemetry import load_telemetry

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "validation" / "run.py"


def _runner(path: Path = RUNNER, name: str = "validation_run") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


RUN = _runner()
PITCH = _runner(ROOT / "validation" / "boostback_pitch.py", "validation_boostback_pitch")


@pytest.mark.parametrize("flight", sorted(RUN.FLIGHTS))
def test_each_held_out_flight_is_mission_data_and_telemetry(flight: str) -> None:
    scenario_file, folder = RUN.FLIGHTS[flight]
    scenario, _vehicle = load_flight(RUN.SCENARIOS / scenario_file)
    # no fitted key: the ascent is designed for the orbit, the boostback pitch is free
    assert needs_design(scenario), f"{scenario_file} carries an ascent override"
    assert RUN.strip_fitted(scenario) == scenario, f"{scenario_file} carries a fitted key"
    telemetry = load_telemetry(RUN.TELEMETRY / folder)
    assert "meco" in telemetry.events


def test_the_runner_flies_a_held_out_flight_within_every_tolerance(tmp_path: Path) -> None:
    out = tmp_path / "crs12.json"
    run = subprocess.run(
        [sys.executable, str(RUNNER), "CRS-12", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    assert "CRS-12" in run.stdout
    (result,) = json.loads(out.read_text())
    assert result["held_out"] and result["refused"] is None
    assert result["outcome"] == "landed"
    assert result["compared"] == 16
    assert result["misses"] == [], result["misses"]


def test_every_held_out_flight_is_posed_and_lands(tmp_path: Path) -> None:
    # issue #18: flights predicted from mission data alone; none refused (GTO included), all land
    out = tmp_path / "all.json"
    run = subprocess.run(
        [sys.executable, str(RUNNER), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert {r["flight"] for r in results} == set(RUN.FLIGHTS)
    refused = {r["flight"]: r["refused"] for r in results if r["refused"] is not None}
    assert not refused, refused
    crashed = {r["flight"]: r["outcome"] for r in results if r["outcome"] != "landed"}
    assert not crashed, crashed


def test_the_webcast_boostback_pitches_that_docs_read() -> None:
    """docs/flights.md point 12: SAOCOM 1A's boostback burned far below the horizon (near its
    fitted -29 to -27 deg pitch range), CRS-11's near it, and NROL-76's, from a MECO at the same
    loft, slightly above it."""
    shared = RUN.SHARED_TELEMETRY
    pitch = {
        name: PITCH.boostback_dv(folder, returns=True)[3]
        for name, folder in (
            ("SAOCOM_1A", shared / "SAOCOM_1A"),
            ("CRS-11", shared / "SpaceX_CRS-11"),
            ("NROL-76", RUN.TELEMETRY / "NROL-76"),
        )
    }
    assert -30.0 < pitch["SAOCOM_1A"] < -20.0
    assert -10.0 < pitch["CRS-11"] < 0.0
    assert 0.0 < pitch["NROL-76"] < 5.0

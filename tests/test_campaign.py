"""Campaigns: determinism across executors, resume after SIGKILL, and failures that do not stop
the campaign. A real Dask LocalCluster and real worker processes are used."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from boostback.campaign.campaign import run_campaign
from boostback.campaign.manifest import SHARD_ROWS_ENV
from boostback.campaign.sampling import run_rng
from boostback.campaign.spec import load_campaign
from boostback.campaign.store import completed_runs, load_results

SCENARIO = """
name = "fast landing for campaign tests"
vehicle = "falcon9"
[initial]
altitude_m = 3000.0
position_en_m = [400.0, 0.0]
velocity_enu_mps = [-15.0, 0.0, -250.0]
propellant_kg = 9000.0
[guidance]
nodes = 20
replan_hz = 1.0
[sim]
dt_s = 0.05
"""

CAMPAIGN = """
scenario = "fast.toml"
runs = {runs}
seed = 7
[execution]
batch_size = 3
[[dispersions]]
path = "initial.altitude_m"
dist = "normal"
sigma = 100.0
[[dispersions]]
path = "environment.wind_enu_mps[0]"
dist = "uniform"
low = -5.0
high = 5.0
[[dispersions]]
path = "vehicle.booster.dry_mass_kg"
dist = "truncnormal"
sigma = 300.0
low = 25000.0
high = 26200.0
[[faults]]
kind = "thrust_shortfall"
probability = 0.3
fraction = {{ dist = "uniform", low = 0.0, high = 0.15 }}
onset = {{ phase = "landing_burn" }}
[[faults]]
kind = "nav_noise"
position_sigma_m = 0.5
velocity_sigma_mps = 0.1
{extra}
"""

RUNS = 40


def write_campaign(folder: Path, runs: int = RUNS, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fast.toml").write_text(SCENARIO)
    path = folder / "campaign.toml"
    path.write_text(CAMPAIGN.format(runs=runs, extra=extra))
    return path


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.select_dtypes(include=[np.number]).reset_index(drop=True)


def assert_identical(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Same rows, same outcomes, and numeric columns equal to the bit (NaN where NaN)."""
    assert list(a["run"]) == list(b["run"])
    assert list(a["outcome"]) == list(b["outcome"])
    na, nb = numeric(a), numeric(b)
    assert sorted(na.columns) == sorted(nb.columns)
    for col in na.columns:
        x, y = na[col].to_numpy(), nb[col].to_numpy()
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        assert same.all(), (col, x[~same], y[~same])


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("serial")
    spec, base = load_campaign(write_campaign(folder))
    return run_campaign(spec, folder / "out", base_dir=base, workers=1)


def test_serial_campaign_is_complete_and_varied(serial: pd.DataFrame) -> None:
    assert list(serial["run"]) == list(range(RUNS))
    assert (serial["outcome"] != "error").all(), serial["error"].unique()
    assert serial["outcome"].nunique() >= 2  # dispersions and faults make a difference
    assert serial["input:initial.altitude_m"].std() > 30.0
    shortfall = serial["fault0_thrust_shortfall"] == 1.0
    assert 0 < shortfall.sum() < RUNS
    assert serial.loc[~shortfall, "fault0_fraction"].isna().all()  # absent faults report NaN


def test_two_processes_give_identical_table(serial: pd.DataFrame, tmp_path: Path) -> None:
    spec, base = load_campaign(write_campaign(tmp_path))
    frame = run_campaign(spec, tmp_path / "out", base_dir=base, workers=2)
    assert_identical(serial, frame)


def test_dask_local_cluster_gives_identical_table(serial: pd.DataFrame, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    spec, base = load_campaign(write_campaign(tmp_path))
    frame = run_campaign(spec, tmp_path / "out", base_dir=base, dask_local=2)
    assert_identical(serial, frame)


def test_sigkill_midway_then_resume(serial: pd.DataFrame, tmp_path: Path) -> None:
    """Shards of 3 runs (10,000 by default), so that some are stored before the kill."""
    path = write_campaign(tmp_path)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "boostback.cli", "mc", "run", str(path), "--out", str(out)]
    env = {**os.environ, SHARD_ROWS_ENV: "3"}
    proc = subprocess.Popen([*cmd, "--workers", "1", "--quiet"], stdout=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 300
    while len(list((out / "runs").glob("part-*.parquet"))) < 3:
        assert proc.poll() is None, "campaign finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = load_results(out)
    assert 0 < len(partial) < RUNS
    subprocess.run([*cmd, "--workers", "2", "--quiet"], check=True, stdout=subprocess.DEVNULL)
    frame = load_results(out)
    assert len(frame) == RUNS
    assert frame["run"].is_unique
    assert_identical(serial, frame)


def test_ctrl_c_stores_every_finished_run_and_resume_is_exact(
    serial: pd.DataFrame, tmp_path: Path
) -> None:
    """Rows wait in memory for a 10,000-run shard; an interrupt stores those of every batch
    reported done (so none is flown twice), and the resumed table is the uninterrupted one."""
    spec, base = load_campaign(write_campaign(tmp_path))
    out = tmp_path / "out"
    reported: list[int] = []

    def stop_after_two_batches(p: Any) -> None:
        reported.append(p.done)
        if p.session_done >= 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_campaign(spec, out, base_dir=base, workers=1, progress=stop_after_two_batches)
    assert reported[-1] == 6
    assert completed_runs(out) == set(range(6))
    assert len(list((out / "runs").glob("part-*.parquet"))) == 1  # both batches in one shard
    flown: list[int] = []
    frame = run_campaign(
        spec, out, base_dir=base, workers=2, progress=lambda p: flown.append(p.session_done)
    )
    assert flown[-1] == RUNS - 6  # only the missing runs were flown
    assert_identical(serial, frame)


def test_raising_run_and_dying_worker_are_recorded(serial: pd.DataFrame, tmp_path: Path) -> None:
    runs = 12
    extra = "[debug]\nraise_runs = [2]\nkill_worker_runs = [7]\n"
    spec, base = load_campaign(write_campaign(tmp_path, runs=runs, extra=extra))
    frame = run_campaign(spec, tmp_path / "out", base_dir=base, workers=2)
    assert list(frame["run"]) == list(range(runs))
    errors = frame.set_index("run")["error"]
    assert "raised on purpose" in errors[2]
    assert "worker failed" in errors[7]
    ok = frame[~frame["run"].isin([2, 7])]
    assert (ok["outcome"] != "error").all()
    assert_identical(serial[serial["run"].isin(ok["run"])], ok)


def test_run_streams_match_seedsequence_spawn() -> None:
    children = np.random.SeedSequence(123).spawn(5)
    for i, child in enumerate(children):
        expected = np.random.default_rng(child).random(4)
        assert np.array_equal(run_rng(123, i).random(4), expected)


def test_failure_boundary_and_summary_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from boostback.campaign.boundary import find_boundary
    from boostback.cli import app

    path = write_campaign(tmp_path, runs=8)
    spec, base = load_campaign(path)
    res = find_boundary(
        spec,
        tmp_path / "b",
        fault=0,
        parameter="fraction",
        lo=0.0,
        hi=0.4,
        threshold=0.75,
        iterations=2,
        base_dir=base,
        workers=2,
    )
    table = res.table
    assert len(table) == 4  # lo, hi and two bisection steps
    assert table["landing_probability"].iloc[0] >= 0.75  # no shortfall: lands
    assert table["landing_probability"].iloc[-1] < 0.75  # 40 % shortfall: does not
    assert res.boundary is not None and 0.0 <= res.boundary < 0.4
    passing = table[table["meets_threshold"]]["fraction"]
    assert res.boundary == passing.max()
    # the sweep's findings beside its campaigns, for the boundary report
    from boostback.report.boundary_html import read_sweep

    saved = json.loads((tmp_path / "b" / "boundary.json").read_text())
    assert saved["threshold"] == 0.75 and saved["boundary"] == res.boundary
    assert saved["fault"] == "thrust_shortfall" and saved["parameter"] == "fraction"
    sweep = read_sweep(tmp_path / "b")
    assert sweep.threshold == 0.75 and sweep.boundary == res.boundary
    # each magnitude is a campaign folder the summary command can read
    folder = next(p for p in (tmp_path / "b").iterdir() if p.is_dir())
    result = CliRunner().invoke(app, ["mc", "summary", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["runs"] == 8
    assert 0.0 <= data["interval_95"][0] <= data["landing_probability"] <= data["interval_95"][1]


def test_whole_flights_are_campaignable(tmp_path: Path) -> None:
    """A full-flight scenario runs as a campaign: the landing faults reach the landing burn and
    a stuck grid fin the aerodynamic descent; rows carry the mission's own figures."""
    path = tmp_path / "flight.toml"
    path.write_text(
        'scenario = "falcon9_rtls"\nruns = 2\nseed = 3\n'
        '[[dispersions]]\npath = "mission.payload_mass_kg"\ndist = "normal"\nsigma = 300.0\n'
        '[[faults]]\nkind = "grid_fin_stuck"\nfraction = 0.3\n'
    )
    spec, base = load_campaign(path)
    frame = run_campaign(spec, tmp_path / "out", base_dir=base, workers=1)
    assert list(frame["run"]) == [0, 1]
    assert (frame["error"] == "").all(), frame["error"].tolist()
    assert {"meco_t_s", "meco_speed_mps", "input:mission.payload_mass_kg"} <= set(frame.columns)
    assert (frame["fault0_grid_fin_stuck"] == 1.0).all()
    assert frame["outcome"].isin(["landed", "hard_landing", "missed_pad", "crashed"]).all()
    assert frame["meco_t_s"].between(100.0, 200.0).all()


def test_per_run_trajectories_are_optional(serial: pd.DataFrame, tmp_path: Path) -> None:
    from boostback.campaign.store import load_trajectory

    extra = "[execution]\nsave_trajectories = true\ntrajectory_every = 10\n"
    text = CAMPAIGN.format(runs=3, extra="").replace("[execution]\nbatch_size = 3\n", extra)
    (tmp_path / "fast.toml").write_text(SCENARIO)
    (tmp_path / "campaign.toml").write_text(text)
    spec, base = load_campaign(tmp_path / "campaign.toml")
    frame = run_campaign(spec, tmp_path / "out", base_dir=base, workers=2)
    assert not any(c.startswith("_") for c in frame.columns)
    assert_identical(serial[serial["run"] < 3], frame)
    for run in range(3):
        traj = load_trajectory(tmp_path / "out", run)
        assert {"t_s", "up_m", "throttle", "phase"} <= set(traj.columns)
        assert traj["up_m"].iloc[0] > 2000.0
        assert traj["t_s"].is_monotonic_increasing

"""The command line keeps its word (#15, a new user's first hour): the vehicle asked for is the
vehicle flown, the files the help promises are written, and a campaign says where it stands."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from boostback.campaign.campaign import Progress, run_campaign
from boostback.campaign.spec import load_campaign
from boostback.campaign.store import completed_runs
from boostback.cli import app
from test_campaign import write_campaign

runner = CliRunner()

STATE = """
vehicle = "{vehicle}"
[initial]
altitude_m = 3000.0
velocity_enu_mps = [-15.0, 0.0, -250.0]
position_en_m = [400.0, 0.0]
propellant_kg = 9000.0
"""
BUILTIN_VEHICLES = Path(__file__).parents[1] / "src" / "boostback" / "vehicles"


def _state(tmp_path: Path, vehicle: str | None, name: str = "state.toml") -> Path:
    text = STATE.format(vehicle=vehicle)
    if vehicle is None:
        text = text.replace('vehicle = "None"\n', "")
    path = tmp_path / name
    path.write_text(text)
    return path


# 1. the VEHICLE argument and the --from file's vehicle must agree


def test_land_refuses_a_vehicle_the_from_file_contradicts(tmp_path: Path) -> None:
    state = _state(tmp_path, "falcon9")
    result = runner.invoke(app, ["land", "zhuque3", "--from", str(state)])
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "\n" not in message and message.startswith("error:"), message
    for word in (str(state), "vehicle", "'zhuque3'", "'falcon9'"):
        assert word in message, (word, message)


@pytest.mark.parametrize("vehicle_arg", [[], ["falcon9"]])
def test_land_from_file_flies_the_files_vehicle(tmp_path: Path, vehicle_arg: list[str]) -> None:
    state = _state(tmp_path, "falcon9")
    result = runner.invoke(app, ["land", *vehicle_arg, "--from", str(state), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["vehicle"] == "falcon9"


def test_land_from_file_without_a_vehicle_takes_the_argument(tmp_path: Path) -> None:
    (tmp_path / "rockets").mkdir()
    rocket = tmp_path / "rockets" / "rocket.toml"
    shutil.copyfile(BUILTIN_VEHICLES / "falcon9.toml", rocket)
    state = _state(tmp_path / "rockets", None)  # the argument is relative to the cwd, not here
    result = runner.invoke(app, ["land", str(rocket), "--from", str(state), "--json"])
    assert result.exit_code == 0, result.output
    # the same file named two ways is the same vehicle
    named = _state(tmp_path / "rockets", "rocket.toml", name="named.toml")
    result = runner.invoke(app, ["land", str(rocket), "--from", str(named), "--json"])
    assert result.exit_code == 0, result.output


# 2. report -o elsewhere.html writes the PNGs beside the HTML


@pytest.fixture(scope="module")
def flights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("flights")
    for name, args in (("landing", ["land", "falcon9"]), ("rtls", ["fly", "falcon9"])):
        result = runner.invoke(app, [*args, "--out", str(root / name)])
        assert result.exit_code == 0, result.output
    return {"landing": root / "landing", "rtls": root / "rtls"}


@pytest.mark.parametrize(
    ("kind", "pngs"),
    [("landing", ["time_histories.png", "trajectory.png"]), ("rtls", ["flight.png"])],
)
def test_report_elsewhere_writes_the_pngs_beside_the_html(
    flights: dict[str, Path], tmp_path: Path, kind: str, pngs: list[str]
) -> None:
    html = tmp_path / "elsewhere" / "mine.html"
    result = runner.invoke(app, ["report", str(flights[kind]), "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert html.is_file()
    for name in pngs:
        assert (html.parent / name).stat().st_size > 10_000, name
        assert name in html.read_text()  # the report lists them


def test_report_draws_a_whole_flights_png_the_folder_lacks(
    flights: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "rtls"
    shutil.copytree(flights["rtls"], folder)
    (folder / "flight.png").unlink()
    html = tmp_path / "other" / "r.html"
    result = runner.invoke(app, ["report", str(folder), "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert (html.parent / "flight.png").stat().st_size > 10_000
    assert not (folder / "flight.png").exists()  # the results folder is left alone


# 3. compare writes its overlaid curves without --out


def test_compare_writes_the_plot_to_a_default_folder(
    flights: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    telemetry = tmp_path / "CRS 11: webcast?"
    telemetry.mkdir()
    t = [float(s) for s in range(0, 470, 5)]
    (telemetry / "analysed.json").write_text(
        json.dumps({"time": t, "altitude": [s / 10 for s in t], "velocity": [2 * s for s in t]})
    )
    (telemetry / "events.json").write_text(json.dumps({"meco": 145, "landing_end": 462}))
    monkeypatch.chdir(tmp_path)
    parquet = flights["rtls"] / "trajectory.parquet"
    result = runner.invoke(app, ["compare", str(parquet), str(telemetry)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "compare" / "CRS_11_webcast"
    plot = folder / "compare_CRS_11_webcast.png"
    assert plot.stat().st_size > 10_000
    assert f"plot written to {Path('out/compare/CRS_11_webcast/compare_CRS_11_webcast.png')}" in (
        result.output
    )
    assert [p.name for p in (tmp_path / "out" / "compare").iterdir()] == ["CRS_11_webcast"]


# 4. trajectory.csv at a sensible precision


def test_trajectory_csv_has_sensible_precision(flights: dict[str, Path]) -> None:
    lines = (flights["landing"] / "trajectory.csv").read_text().splitlines()
    names = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) > 100
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for name in ("t_s", "east_m", "north_m", "up_m"):
            assert re.fullmatch(r"-?\d+\.\d{3}", values[name]), (name, values[name])
            assert values[name] not in ("-0.000",)
        for name, text in values.items():
            digits = re.sub(r"e[-+]\d+$", "", text).replace("-", "").replace(".", "")
            assert len(digits.lstrip("0")) <= 7, (name, text)
    summary = json.loads((flights["landing"] / "summary.json").read_text())
    last = dict(zip(names, rows[-1], strict=True))
    assert float(last["t_s"]) == pytest.approx(summary["touchdown_t_s"], abs=1e-3)


# 5. a resumed campaign's progress starts at the runs already done


def test_resumed_campaign_reports_its_runs_on_disk_first(tmp_path: Path) -> None:
    spec, base = load_campaign(write_campaign(tmp_path, runs=6))
    run_campaign(spec, tmp_path / "out", base_dir=base, workers=1)
    seen: list[Progress] = []
    run_campaign(spec, tmp_path / "out", base_dir=base, runs=9, workers=1, progress=seen.append)
    assert (seen[0].done, seen[0].total, seen[0].session_done) == (6, 9, 0)
    assert (seen[-1].done, seen[-1].session_done) == (9, 3)


# 6. an interrupted campaign says what it saved and how to resume


def test_interrupted_mc_run_says_what_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar starts at the runs resumed (6/9), then Ctrl-C comes before any new run lands."""
    campaign = write_campaign(tmp_path, runs=6)
    spec, base = load_campaign(campaign)
    run_campaign(spec, tmp_path / "out", base_dir=base, workers=1)
    import boostback.campaign.campaign as module

    real = module.run_campaign

    def interrupted(*args: Any, progress: Any, **kwargs: Any) -> Any:
        def then_ctrl_c(p: Progress) -> None:
            progress(p)
            raise KeyboardInterrupt

        return real(*args, progress=then_ctrl_c, **kwargs)

    monkeypatch.setattr(module, "run_campaign", interrupted)
    out = tmp_path / "out"
    args = ["mc", "run", str(campaign), "--out", str(out), "--runs", "9", "--workers", "1"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 130, result.output
    assert "6/9" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    resume = f"boostback mc run {campaign} --out {out} --runs 9"
    assert last == f"interrupted: 6 of 9 runs saved in {out}; resume with: {resume}"


def test_ctrl_c_in_a_real_mc_run_exits_130_and_names_the_runs_saved(tmp_path: Path) -> None:
    campaign = write_campaign(tmp_path, runs=1000)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "boostback.cli", "mc", "run", str(campaign), "--out"]
    proc = subprocess.Popen(
        [*command, str(out), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, signalled as a terminal's Ctrl-C is
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        while proc.poll() is None and not any((out / "runs").glob("part-*.parquet")):
            try:
                proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        assert proc.poll() is None, "the campaign ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    saved = len(completed_runs(out))
    assert 0 < saved < 1000
    last = stderr.strip().splitlines()[-1]
    resume = f"boostback mc run {campaign} --out {out}"
    assert last == f"interrupted: {saved} of 1000 runs saved in {out}; resume with: {resume}"
    assert "Traceback" not in stderr


# 7. JSON rounded to meaningful digits (#15); full precision on request and in Parquet


def test_json_numbers_keep_what_they_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    from boostback.cli.json_out import jsonable, meaningful

    monkeypatch.delenv("BOOSTBACK_JSON_PRECISION", raising=False)
    assert meaningful(2588.8206229568636, "ignition_altitude_m") == 2588.821  # to the mm
    assert meaningful(6378137.1234567, "x_ecef_m") == 6378137.123  # six digits would be 3 m
    assert meaningful(1.6600000000000001, "ignition_t_s") == 1.66
    assert meaningful(0.0016523456, "solve_s") == 0.00165235  # small: six significant digits
    assert meaningful(0.9234567891, "landing_probability") == 0.923457
    assert meaningful(-12.3456789, "v_up_mps") == -12.3457
    data = jsonable({"a_m": [1.23456789, float("nan")], "n": 3, "ok": True})
    assert data == {"a_m": [1.23457, None], "n": 3, "ok": True}
    monkeypatch.setenv("BOOSTBACK_JSON_PRECISION", "full")
    assert meaningful(2588.8206229568636, "ignition_altitude_m") == 2588.8206229568636


def test_land_json_prints_meaningful_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOOSTBACK_JSON_PRECISION", raising=False)
    result = runner.invoke(app, ["land", "falcon9", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key, value in data.items():
        if isinstance(value, float) and value:
            digits = len(repr(abs(value)).replace(".", "").lstrip("0").split("e")[0])
            assert digits <= 7, (key, value)  # six significant (seven for a big one in mm)

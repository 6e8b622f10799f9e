"""The command line: the landing summary, JSON for scripts, and one-line errors with status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from boostback.cli import app
from boostback.cli.common import guarded

runner = CliRunner()

SCENARIO_OK = """
vehicle = "falcon9"
[initial]
altitude_m = 3000.0
velocity_enu_mps = [-15.0, 0.0, -250.0]
position_en_m = [400.0, 0.0]
propellant_kg = 9000.0
"""

GOOD_VEHICLE = Path(__file__).parents[1] / "src" / "boostback" / "vehicles" / "falcon9.toml"


def _vehicle_with(tmp_path: Path, old: str, new: str) -> Path:
    text = GOOD_VEHICLE.read_text()
    assert old in text, old
    path = tmp_path / "myrocket.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _bad_cases(tmp_path: Path) -> list[tuple[list[str], list[str]]]:
    """(arguments, words the one-line message must contain)."""
    bad_toml = _write(tmp_path, "broken.toml", "vehicle = 'falcon9'\n[initial\naltitude_m = 3\n")
    unknown_key = _write(tmp_path, "s1.toml", SCENARIO_OK + "colour = 'red'\n")
    wrong_type = _write(tmp_path, "s2.toml", SCENARIO_OK.replace("3000.0", '"high"'))
    negative_prop = _write(tmp_path, "s3.toml", SCENARIO_OK.replace("9000.0", "-5.0"))
    no_stop = _write(tmp_path, "s4.toml", SCENARIO_OK.replace("9000.0", "150.0"))
    layers = _write(
        tmp_path,
        "s5.toml",
        SCENARIO_OK
        + "[environment]\nwind_layers = [{altitude_m = 500.0, wind_enu_mps = [1.0, 0.0, 0.0]},"
        " {altitude_m = 100.0, wind_enu_mps = [2.0, 0.0, 0.0]}]\n",
    )
    throttle = _vehicle_with(
        tmp_path,
        "throttle_min = 0.40\nthrottle_max = 1.0",
        "throttle_min = 0.9\nthrottle_max = 0.8",
    )
    return [
        (["land", "nosuchrocket"], ["unknown vehicle", "falcon9"]),
        (["land", "--from", str(tmp_path / "missing.toml")], ["missing.toml", "not found"]),
        (["land", "--from", str(bad_toml)], ["broken.toml", "line"]),
        (["land", "--from", str(unknown_key)], ["s1.toml", "colour", "unknown key"]),
        (["land", "--from", str(wrong_type)], ["s2.toml", "initial.altitude_m"]),
        (["land", "--from", str(negative_prop)], ["s3.toml", "initial.propellant_kg"]),
        (["land", "--from", str(no_stop)], ["s4.toml", "propellant_kg"]),
        (["land", "--from", str(layers)], ["s5.toml", "wind_layers", "ascending"]),
        (["land", str(throttle)], ["myrocket.toml", "throttle_min"]),
        (["land", "falcon9", "--altitude", "-100"], ["altitude_m"]),
        (["land", "falcon9", "--propellant", "900000"], ["propellant_kg"]),
        (["land", "falcon9", "--wind", "nan"], ["--wind", "finite"]),
        (["land", "falcon9", "--speed", "inf"], ["--speed", "finite"]),
    ]


def test_bad_inputs_give_one_line_and_status_2(tmp_path: Path) -> None:
    cases = _bad_cases(tmp_path)
    assert len(cases) >= 10
    for args, words in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        message = result.output.strip()
        assert "\n" not in message, (args, message)
        assert "Traceback" not in message
        assert message.startswith("error:"), message
        for word in words:
            assert word in message, (args, word, message)


def test_real_process_exits_2_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "boostback.cli", "land", "nosuchrocket"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "Traceback" not in proc.stderr


def _one_command(command: object) -> typer.Typer:
    one = typer.Typer()
    one.command()(guarded(command))  # type: ignore[arg-type]
    return one


def test_internal_errors_exit_3_with_one_line_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setenv("BOOSTBACK_LOG_DIR", str(tmp_path / "logs"))
    result = runner.invoke(_one_command(broken), [])
    assert result.exit_code == 3, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, line
    assert line.startswith("internal error: RuntimeError: a bug (traceback in "), line
    (log,) = (tmp_path / "logs").glob("boostback-*.log")
    assert str(log) in line
    text = log.read_text()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: a bug" in text
    assert 'raise RuntimeError("a bug")' in text


def test_internal_error_logs_keep_the_newest_fifty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boostback.cli.common import KEEP_LOGS

    def broken() -> None:
        raise RuntimeError("a bug")

    logs = tmp_path / "logs"
    logs.mkdir()
    old = [logs / f"boostback-20260101-0000{i:02d}-1.log" for i in range(KEEP_LOGS + 5)]
    for path in old:
        path.write_text("old")
    monkeypatch.setenv("BOOSTBACK_LOG_DIR", str(logs))
    assert runner.invoke(_one_command(broken), []).exit_code == 3
    kept = sorted(logs.glob("boostback-*.log"))
    assert len(kept) == KEEP_LOGS
    assert kept[-1].read_text() != "old"  # the new one is kept, the oldest six are gone
    assert not any(p.exists() for p in old[:6])


def test_internal_error_log_falls_back_to_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise ValueError("another bug")

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    monkeypatch.setenv("BOOSTBACK_LOG_DIR", str(blocker / "logs"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    result = runner.invoke(_one_command(broken), [])
    assert result.exit_code == 3
    (log,) = (tmp_path / "tmp" / "boostback-logs").glob("*.log")
    assert str(log) in result.stderr
    assert "ValueError: another bug" in log.read_text()


def test_the_log_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    from boostback.cli.common import log_dir

    monkeypatch.delenv("BOOSTBACK_LOG_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", "/var/state")
    assert log_dir() == Path("/var/state/boostback/logs")
    monkeypatch.delenv("XDG_STATE_HOME")
    assert log_dir() == Path.home() / ".local" / "state" / "boostback" / "logs"


def test_interruptions_exit_130_and_wall_limits_2() -> None:
    from boostback.gnc.loop import RunTimeout

    def interrupted() -> None:
        raise KeyboardInterrupt

    def too_slow() -> None:
        raise RunTimeout("flight exceeded its wall-clock limit at t=3.0s")

    assert runner.invoke(_one_command(interrupted), []).exit_code == 130
    result = runner.invoke(_one_command(too_slow), [])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: --wall-limit: flight exceeded")
    assert "\n" not in result.stderr.strip()


def test_the_help_documents_the_exit_statuses_and_the_log_folder() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for words in ("3 internal error", "log file", "BOOSTBACK_LOG_DIR", "boostback/logs", "130"):
        assert words in text, words


def test_usage_errors_are_one_line_with_status_2() -> None:
    for args, words in (
        (["land", "--altitude", "abc"], ["boostback land", "--altitude"]),
        (["mc", "run"], ["boostback mc run", "Missing argument"]),
        (["nosuchcommand"], ["No such command"]),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        line = result.stderr.strip()
        assert "\n" not in line, line
        assert line.startswith("error:"), line
        for word in words:
            assert word in line, (word, line)


def test_a_bad_out_is_refused_before_anything_flies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boostback.flight.executive
    import boostback.mission.landing

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("flew before checking --out")

    monkeypatch.setattr(boostback.mission.landing, "fly_landing", never)
    monkeypatch.setattr(boostback.flight.executive, "fly_mission", never)
    blocker = tmp_path / "results"
    blocker.write_text("a file, not a folder")
    for args in (
        ["land", "falcon9", "--out", str(blocker)],
        ["land", "falcon9", "--out", str(blocker / "deeper")],
        ["fly", "falcon9", "--out", str(blocker)],
        ["fly", "falcon9", "--report", "--out", str(blocker / "x")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith(f"error: --out: {blocker}"), result.stderr


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write to: a read-only one of our own, or (as root, which
    writes anywhere on a writable file system) the read-only /proc/sys; else skip."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o500)
    if not os.access(folder, os.W_OK):
        return folder
    if Path("/proc/sys").is_dir() and not os.access("/proc/sys", os.W_OK):
        return Path("/proc/sys")
    pytest.skip("no unwritable folder here")


def test_an_unwritable_out_is_refused_at_once(tmp_path: Path) -> None:
    folder = _unwritable_folder(tmp_path)
    for args in (
        ["land", "falcon9", "--out", str(folder)],
        ["land", "falcon9", "--out", str(folder / "new" / "deeper")],
        ["fly", "falcon9", "--out", str(folder / "x")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        line = result.stderr.strip()
        assert "\n" not in line and line.startswith("error: --out:"), line
        assert "not writable" in line, line


def test_output_folders_from_names_stay_one_path_component() -> None:
    from boostback.cli.common import out_folder, safe_name

    for key in ("../../x", "/etc/passwd", "..", ".", "a/b\\c", "~root", "", "\x00"):
        name = safe_name(key, default="flight")
        assert name and "/" not in name and "\\" not in name and name not in (".", "..")
        folder = out_folder(None, report=True, default=f"{key}_landing")
        assert folder is not None and folder.parent == Path("out")
    assert safe_name("falcon9_rtls", default="x") == "falcon9_rtls"  # valid names unchanged


def test_a_report_named_from_a_hostile_vehicle_key_stays_under_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _vehicle_with(tmp_path, 'key = "falcon9"', 'key = "../../escaped"')
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["land", str(path), "--report", "--json"])
    assert result.exit_code in (0, 1), result.output
    assert (work / "out" / "escaped_landing" / "report.html").is_file()
    assert not (tmp_path / "escaped_landing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["myrocket.toml", "work"]


def test_vehicles_lists_the_builtins() -> None:
    result = runner.invoke(app, ["vehicles"])
    assert result.exit_code == 0
    for key in ("falcon9", "zhuque3", "mars_lander"):
        assert key in result.output


def test_scenarios_lists_flights_and_landings_and_commands_take_their_names() -> None:
    result = runner.invoke(app, ["scenarios"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    for name, kind in (("falcon9_iridium3", "flight (droneship)"), ("falcon9_landing", "landing")):
        line = next(x for x in result.output.splitlines() if f" {name} " in x)
        assert kind in line
    landed = runner.invoke(app, ["land", "mars_lander_case1", "--json"])
    assert landed.exit_code == 0, landed.output
    assert json.loads(landed.stdout)["vehicle"] == "mars_lander"
    flown = runner.invoke(app, ["fly", "falcon9_iridium3", "--json"])
    assert flown.exit_code == 0, flown.output
    assert "Iridium NEXT 3" in json.loads(flown.stdout)["summary"]["scenario"]
    wrong = runner.invoke(app, ["land", "falcon9_rtls"])
    assert wrong.exit_code == 2
    assert "boostback fly falcon9_rtls" in wrong.output


@pytest.mark.parametrize("args", [["land", "falcon9", "--json"]])
def test_land_json_summary(args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["outcome"] == "landed"
    assert summary["vehicle"] == "falcon9"
    assert summary["miss_distance_m"] < 10.0
    assert summary["touchdown_vertical_speed_mps"] <= 2.0
    out = tmp_path / "out"
    assert (out / "summary.json").exists()
    header = (out / "trajectory.csv").read_text().splitlines()[0]
    assert header.startswith("t_s,east_m")
    assert (out / "time_histories.png").stat().st_size > 10_000
    assert (out / "trajectory.png").stat().st_size > 10_000


def test_land_table_for_people() -> None:
    result = runner.invoke(app, ["land", "falcon9", "--offset", "200"])
    assert result.exit_code == 0, result.output
    for word in ("outcome", "landed", "miss distance", "propellant left", "burn time"):
        assert word in result.output


@pytest.mark.slow
def test_bench_prints_the_table() -> None:
    result = runner.invoke(
        app, ["bench", "falcon9_landing", "--repeats", "3"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    for word in ("fixed t_f", "free-final-time", "closed-loop", "CVXPY", "iterations"):
        assert word in result.output


def test_bench_tells_flights_from_landings(tmp_path: Path) -> None:
    from boostback.config.loader import names_flight

    assert names_flight("falcon9_rtls")
    assert not names_flight("falcon9_landing")
    flight = tmp_path / "my_flight.toml"
    flight.write_text('vehicle = "falcon9"\n[mission]\npayload_mass_kg = 2000.0\n')
    landing = tmp_path / "my_landing.toml"
    landing.write_text('vehicle = "falcon9"\n[initial]\naltitude_m = 3000.0\n')
    assert names_flight(str(flight))
    assert not names_flight(str(landing))


@pytest.mark.slow
def test_bench_times_a_whole_flight() -> None:
    result = runner.invoke(
        app, ["bench", "falcon9_rtls", "--throughput", "4"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    for word in ("full recovery flight", "BOOSTBACK_JIT=0", "runs/s on 2 workers"):
        assert word in result.output


def test_an_out_folder_on_a_read_only_mount_is_refused_before_flying(tmp_path: Path) -> None:
    """Root may write anywhere os.access says, but not on a read-only file system: the probe
    file finds it, in one line and status 2, before the landing is flown."""
    from conftest import small_tmpfs

    with small_tmpfs(tmp_path / "ro", "ro,size=64k") as mount:
        result = runner.invoke(app, ["land", "falcon9", "--out", str(mount / "f9")])
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "is not writable" in line and "Read-only" in line, line


def test_land_report_with_a_site_draws_the_landing_on_the_map(tmp_path: Path) -> None:
    out = tmp_path / "f9"
    result = runner.invoke(app, ["land", "falcon9", "--out", str(out), "--report", "--site", "lz1"])
    assert result.exit_code == 0, result.output
    kml = (out / "trajectory.kml").read_text()
    assert "<coordinates>" in kml and "-80.5" in kml  # LZ-1 is at 80.54 W
    places = json.loads((out / "map_places.json").read_text())
    assert places, "the pad is placed on the map"
    bad = runner.invoke(app, ["land", "falcon9", "--report", "--site", "nowhere"])
    assert bad.exit_code == 2 and "--site: unknown site 'nowhere'" in bad.stderr

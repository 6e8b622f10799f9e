"""Bad input found by the first-hour review, each one ``error:`` line and status 2 before any
work: Dask asked for without the 'dask' extra or twice over, an HTML report under a file, a
negative descent speed, ``--site`` without ``--report``; ``mc boundary``'s errors without an
empty line before them; one run said in the singular."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from boostback.cli import app
from boostback.mission.tables import campaign_header
from test_campaign import write_campaign

runner = CliRunner()


def one_error_line(args: list[str]) -> str:
    """The command's only line of output, after checking it exits 2 with it."""
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = res.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    return lines[0]


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    return write_campaign(tmp_path / "files", runs=4)


@pytest.fixture
def no_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("boostback.cli.mc.dask_installed", lambda: False)


@pytest.mark.parametrize("command", ["run", "boundary"])
@pytest.mark.parametrize(
    ("option", "value"), [("--dask-local", "2"), ("--scheduler", "tcp://127.0.0.1:8786")]
)
def test_dask_without_its_extra_says_how_to_install_it(
    no_dask: None, campaign: Path, tmp_path: Path, command: str, option: str, value: str
) -> None:
    line = one_error_line(
        ["mc", command, str(campaign), "--out", str(tmp_path / "o"), option, value]
    )
    assert line.startswith(f"error: {option}: Dask is not installed")
    assert "make dask" in line and ".venv/bin/pip install -e '.[dask]'" in line
    assert not (tmp_path / "o").exists()  # refused before anything was flown


def test_mc_rare_says_how_to_install_its_extras(
    no_dask: None, campaign: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = str(tmp_path / "o")
    line = one_error_line(["mc", "rare", str(campaign), "--out", out, "--dask-local", "2"])
    assert "Dask is not installed" in line and "make dask" in line
    monkeypatch.setitem(sys.modules, "openturns", None)  # its import fails
    line = one_error_line(["mc", "rare", str(campaign), "--out", out])
    assert "OpenTURNS" in line and ".venv/bin/pip install -e '.[rare]'" in line


@pytest.mark.parametrize("command", ["run", "boundary", "rare"])
def test_a_local_cluster_and_a_scheduler_conflict(
    campaign: Path, tmp_path: Path, command: str
) -> None:
    args = ["--dask-local", "2", "--scheduler", "tcp://127.0.0.1:8786"]
    line = one_error_line(["mc", command, str(campaign), "--out", str(tmp_path / "o"), *args])
    assert line.startswith("error: --dask-local and --scheduler conflict")


def test_boundary_errors_have_no_empty_line_before_them(campaign: Path, tmp_path: Path) -> None:
    """A bad fault number is found once the sweep has set up its progress bar."""
    out = str(tmp_path / "o")
    args = ["mc", "boundary", str(campaign), "--out", out, "--fault", "9", "--workers", "1"]
    line = one_error_line(args)
    assert "--fault" in line


def test_report_html_file_under_a_file_or_a_folder_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "x.log").write_text("a file")
    line = one_error_line(["report", str(tmp_path), "-o", str(tmp_path / "x.log" / "x.html")])
    assert line.startswith("error: --out: ") and "x.log is not a folder" in line
    line = one_error_line(["report", str(tmp_path), "-o", str(tmp_path)])
    assert line == f"error: --out: {tmp_path}: is a folder; give the HTML file to write"


def test_land_refuses_a_negative_speed_and_a_site_without_report() -> None:
    line = one_error_line(["land", "falcon9", "--speed", "-250"])
    assert line.startswith("error: --speed: the descent speed is a magnitude")
    line = one_error_line(["land", "falcon9", "--site", "lz1"])
    assert line == "error: --site places the landing on the report's map: add --report"


@pytest.mark.parametrize(
    ("runs", "errors", "said"), [(1, 1, "1 run, 1 error."), (2, 0, "2 runs, 0 errors.")]
)
def test_campaign_header_counts_in_the_singular_and_plural(
    runs: int, errors: int, said: str
) -> None:
    summary = SimpleNamespace(
        runs=runs, errors=errors, landing_probability=1.0, interval_95=(0.2, 1.0)
    )
    assert f"[bold]out[/]: {said} Landing probability" in campaign_header(summary, "out")


def test_land_applies_the_state_options_to_a_scenario_file_too(tmp_path: Path) -> None:
    """``land FILE --altitude ...`` flies the file's burn from the overridden state, as ``land
    --from FILE --altitude ...`` does (the options were silently dropped)."""
    import json

    scenario = tmp_path / "burn.toml"
    scenario.write_text(
        (
            Path(__file__).resolve().parents[1] / "src/boostback/scenarios/falcon9_landing.toml"
        ).read_text()
    )
    as_is = json.loads(runner.invoke(app, ["land", str(scenario), "--json"]).output)
    higher = runner.invoke(app, ["land", str(scenario), "--altitude", "4000", "--json"])
    same = runner.invoke(app, ["land", "--from", str(scenario), "--altitude", "4000", "--json"])
    assert higher.exit_code == 0, higher.output
    flown, expected = json.loads(higher.output), json.loads(same.output)
    for timing in ("guidance_time_s",):  # wall-clock figures
        flown.pop(timing), expected.pop(timing)
    assert flown == expected
    assert flown["ignition_t_s"] > as_is["ignition_t_s"]


def test_a_flight_in_another_recovery_mode_says_so_in_its_title() -> None:
    """``fly falcon9 --recovery expendable`` flies the RTLS scenario's vehicle and mission
    expendable: its title said "Falcon 9 RTLS (CRS-11-like)"."""
    import json

    res = runner.invoke(app, ["fly", "falcon9", "--recovery", "expendable", "--json"])
    assert res.exit_code == 0, res.output
    title = json.loads(res.output)["summary"]["scenario"]
    assert title.endswith(", flown expendable"), title

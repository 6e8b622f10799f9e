"""Accepted nonsense, refused at the edge (#14): NaN and infinities anywhere, fault distributions
that draw outside a parameter's bounds, a failure-boundary sweep outside them, winds no atmosphere
blows, throttles no ascent flies and time steps that never finish. Each is one line naming the
file (where there is one), the key and the problem, and exit status 2 on the command line."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boostback.campaign.spec import load_campaign
from boostback.cli import app
from boostback.config.errors import ConfigError
from boostback.config.loader import (
    is_flight_scenario,
    list_scenarios,
    load_flight,
    load_landing,
    load_vehicle,
)

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "boostback"

CAMPAIGN = """
scenario = "falcon9_landing"
runs = 4
seed = 1
"""

LANDING = """
vehicle = "falcon9"
[initial]
altitude_m = 3000.0
velocity_enu_mps = [-15.0, 0.0, -250.0]
position_en_m = [400.0, 0.0]
propellant_kg = 9000.0
"""

FLIGHT = (PACKAGE / "scenarios" / "falcon9_rtls.toml").read_text()
VEHICLE = (PACKAGE / "vehicles" / "falcon9.toml").read_text()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _flight_with(old: str, new: str) -> str:
    assert FLIGHT.count(old) == 1, old
    return FLIGHT.replace(old, new)


def _assert_cli_refuses(args: list[str], words: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (args, result.output)
    message = result.output.strip()
    assert "\n" not in message, message
    assert message.startswith("error:"), message
    assert "Traceback" not in message
    for word in words:
        assert word in message, (word, message)


def _assert_one_line(err: ConfigError, file: str, key: str, problem: str) -> None:
    text = str(err)
    assert "\n" not in text
    assert file in text, text
    assert err.key == key, text
    assert problem in text, text


# --- 1. Campaign files: finite distributions, and fault distributions inside the bounds ------


def _dispersion(body: str) -> str:
    return f'[[dispersions]]\npath = "initial.altitude_m"\n{body}\n'


CAMPAIGN_CASES = [  # (id, TOML body, key, part of the problem)
    (
        "nan-sigma",
        _dispersion('dist = "normal"\nsigma = nan'),
        "dispersions[0].sigma",
        "must be a finite number, got nan",
    ),
    (
        "inf-mean",
        _dispersion('dist = "normal"\nsigma = 1.0\nmean = inf'),
        "dispersions[0].mean",
        "finite",
    ),
    (
        "inf-low",
        _dispersion('dist = "uniform"\nlow = -inf\nhigh = 1.0'),
        "dispersions[0].low",
        "finite",
    ),
    (
        "nan-high",
        _dispersion('dist = "truncnormal"\nsigma = 1.0\nlow = 0.0\nhigh = nan'),
        "dispersions[0].high",
        "finite",
    ),
    (
        "nan-value",
        _dispersion('dist = "choice"\nvalues = [1.0, nan]'),
        "dispersions[0].values[1]",
        "finite",
    ),
    (
        "negative-sigma",
        _dispersion('dist = "normal"\nsigma = -2.0'),
        "dispersions[0].sigma",
        "positive",
    ),
    (
        "fraction-uniform-beyond-1",
        '[[faults]]\nkind = "thrust_shortfall"\nfraction = { dist = "uniform", low = 0.0, '
        "high = 2.0 }\n",
        "faults[0].fraction.high",
        "'fraction' must lie in [0, 1], but this uniform distribution draws up to 2",
    ),
    (
        "nan-in-fault-distribution",
        '[[faults]]\nkind = "thrust_shortfall"\nfraction = { dist = "uniform", low = 0.0, '
        "high = nan }\n",
        "faults[0].fraction.high",
        "finite",
    ),
    (
        "nan-fault-constant",
        '[[faults]]\nkind = "tilt_authority"\nfraction = nan\n',
        "faults[0].fraction",
        "finite",
    ),
    (
        "delay-truncnormal-below-0",
        '[[faults]]\nkind = "ignition_delay"\ndelay_s = { dist = "truncnormal", mean = 0.5, '
        "sigma = 0.5, low = -1.0, high = 2.0 }\n",
        "faults[0].delay_s.low",
        "'delay_s' must lie in [0, 60], but this truncnormal distribution draws down to -1",
    ),
    (
        "negative-delay",
        '[[faults]]\nkind = "ignition_delay"\ndelay_s = -0.5\n',
        "faults[0].delay_s",
        "must lie in [0, 60], got -0.5",
    ),
    (
        "negative-propellant-shortfall",
        '[[faults]]\nkind = "propellant_shortfall"\nfraction = -0.1\n',
        "faults[0].fraction",
        "must lie in [0, 1], got -0.1",
    ),
    (
        "propellant-shortfall-choice-below-0",
        '[[faults]]\nkind = "propellant_shortfall"\nfraction = { dist = "choice", '
        "values = [0.1, -0.2] }\n",
        "faults[0].fraction.values[1]",
        "can draw -0.2",
    ),
    (
        "negative-noise-sigma",
        '[[faults]]\nkind = "nav_noise"\nposition_sigma_m = -1.0\n',
        "faults[0].position_sigma_m",
        "must lie in [0, 10000]",
    ),
    (
        "noise-sigma-normal-centred-below-0",
        '[[faults]]\nkind = "nav_noise"\nvelocity_sigma_mps = { dist = "normal", mean = -1.0, '
        "sigma = 0.1 }\n",
        "faults[0].velocity_sigma_mps.mean",
        "is centred on -1",
    ),
    (
        "nan-probability",
        '[[faults]]\nkind = "thrust_shortfall"\nfraction = 0.1\nprobability = nan\n',
        "faults[0].probability",
        "must be a finite number in [0, 1], got nan",
    ),
    (
        "negative-onset-time",
        '[[faults]]\nkind = "thrust_shortfall"\nfraction = 0.1\nonset = { t_s = -1.0 }\n',
        "faults[0].onset.t_s",
        "must be >= 0",
    ),
    (
        "inf-wall-limit",
        "[execution]\nwall_limit_s = inf\n",
        "execution.wall_limit_s",
        "finite",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "key", "problem"), CAMPAIGN_CASES, ids=[c[0] for c in CAMPAIGN_CASES]
)
def test_bad_campaign_values_are_refused(
    tmp_path: Path, case: str, body: str, key: str, problem: str
) -> None:
    path = _write(tmp_path, f"{case}.toml", CAMPAIGN + body)
    with pytest.raises(ConfigError) as info:
        load_campaign(path)
    _assert_one_line(info.value, f"{case}.toml", key, problem)


def test_mc_run_refuses_a_nan_sigma_before_flying(tmp_path: Path) -> None:
    """A NaN sigma used to make every run an error row ("Landing probability nan%")."""
    path = _write(tmp_path, "c.toml", CAMPAIGN + _dispersion('dist = "normal"\nsigma = nan'))
    out = tmp_path / "out"
    _assert_cli_refuses(
        ["mc", "run", str(path), "--out", str(out), "--quiet"],
        ["c.toml", "dispersions[0].sigma", "finite", "nan"],
    )
    assert not out.exists()


def test_mc_run_refuses_a_fault_distribution_outside_the_bounds(tmp_path: Path) -> None:
    body = '[[faults]]\nkind = "tilt_authority"\nfraction = { dist = "uniform", low = 0.5, '
    body += "high = 1.5 }\n"
    path = _write(tmp_path, "c.toml", CAMPAIGN + body)
    _assert_cli_refuses(
        ["mc", "run", str(path), "--out", str(tmp_path / "out"), "--quiet"],
        ["c.toml", "faults[0].fraction.high", "[0, 1]", "1.5"],
    )


@pytest.mark.parametrize(
    "value",
    [
        '{ dist = "normal", sigma = 0.3 }',  # a normal's tails are its nature: allowed
        '{ dist = "normal", mean = 0.5, sigma = 0.3 }',
        '{ dist = "truncnormal", mean = 0.5, sigma = 0.3, low = 0.0, high = 2.0 }',
        '{ dist = "uniform", low = 0.0, high = 1.0 }',
        '{ dist = "choice", values = [0.0, 0.5] }',
    ],
)
def test_fault_distributions_inside_the_bounds_load(tmp_path: Path, value: str) -> None:
    path = _write(
        tmp_path, "c.toml", CAMPAIGN + f'[[faults]]\nkind = "ignition_delay"\ndelay_s = {value}\n'
    )
    spec, _ = load_campaign(path)
    assert spec.faults[0].kind == "ignition_delay"


def test_the_examples_still_load() -> None:
    examples = sorted((ROOT / "examples").glob("*.toml"))
    assert examples
    for path in examples:
        load_campaign(path)


# --- 2. mc boundary: magnitudes inside the parameter's bounds, a probability threshold -----

BOUNDARY = CAMPAIGN + '[[faults]]\nkind = "thrust_shortfall"\nfraction = 0.1\n'


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--hi", "5"], ["hi:", "'fraction' of a thrust_shortfall fault must lie in [0, 1]", "5"]),
        (["--lo", "-0.1"], ["lo:", "must lie in [0, 1]", "-0.1"]),
        (["--threshold", "2"], ["threshold:", "probability", "[0, 1]", "2"]),
        (["--threshold", "-0.5"], ["threshold:", "[0, 1]"]),
        (["--hi", "nan"], ["hi:", "finite", "nan"]),
        (["--lo", "-inf"], ["lo:", "finite"]),
        (["--threshold", "nan"], ["threshold:", "finite"]),
        (["--lo", "0.4", "--hi", "0.2"], ["hi:", "lo < hi"]),
        (["--lo", "0.3", "--hi", "0.3"], ["hi:", "lo < hi"]),
        (["--iterations", "1000"], ["iterations:", "[0, 30]"]),
        (["--param", "delay_s"], ["'delay_s' is not a scalar parameter"]),
        (["--fault", "3"], ["no fault number 3"]),
    ],
)
def test_mc_boundary_refuses_nonsense_before_flying(
    tmp_path: Path, options: list[str], words: list[str]
) -> None:
    path = _write(tmp_path, "b.toml", BOUNDARY)
    out = tmp_path / "out"
    _assert_cli_refuses(["mc", "boundary", str(path), "--out", str(out), *options], words)
    assert not out.exists()  # refused before any campaign flew


def test_mc_boundary_bounds_come_from_the_registry(tmp_path: Path) -> None:
    """The sweep's ends are held to the registry's bounds (delay_s: [0, 60])."""
    from boostback.campaign.boundary import _check_sweep

    path = _write(
        tmp_path, "b.toml", CAMPAIGN + '[[faults]]\nkind = "ignition_delay"\ndelay_s = 0.1\n'
    )
    spec, _ = load_campaign(path)
    _check_sweep(spec, 0, "delay_s", 0.0, 50.0, 0.9)
    with pytest.raises(ConfigError, match=r"lo: 'delay_s' .* must lie in \[0, 60\]"):
        _check_sweep(spec, 0, "delay_s", -1.0, 50.0, 0.9)
    with pytest.raises(ConfigError, match=r"hi: 'delay_s' .* must lie in \[0, 60\]"):
        _check_sweep(spec, 0, "delay_s", 0.0, 500.0, 0.9)


# --- 3. Scenarios: finite numbers, physical winds, sane throttles and time steps -----------

LANDING_CASES = [  # (id, TOML text, key, part of the problem)
    (
        "wind-1e9",
        LANDING + "[environment]\nwind_enu_mps = [1e9, 0.0, 0.0]\n",
        "environment.wind_enu_mps[0]",
        "must be <= 150, got 1000000000.0 (allowed: [-150, 150])",
    ),
    (
        "wind-layer-1e9",
        LANDING
        + "[environment]\nwind_layers = [{ altitude_m = 0.0, wind_enu_mps = [0.0, -1e9, 0.0] }]\n",
        "environment.wind_layers[0].wind_enu_mps[1]",
        "must be >= -150",
    ),
    (
        "wind-nan",
        LANDING + "[environment]\nwind_enu_mps = [nan, 0.0, 0.0]\n",
        "environment.wind_enu_mps[0]",
        "must be a finite number in [-150, 150], got nan",
    ),
    (
        "dt-1e-6",
        LANDING + "[sim]\ndt_s = 1e-6\n",
        "sim.dt_s",
        "must be >= 0.001, got 1e-06 (allowed: [0.001, 1])",
    ),
    ("max-time-huge", LANDING + "[sim]\nmax_time_s = 1e9\n", "sim.max_time_s", "<= 3600"),
    (
        "altitude-inf",
        LANDING.replace("altitude_m = 3000.0", "altitude_m = inf"),
        "initial.altitude_m",
        "must be a finite number in (0, 200000], got inf",
    ),
    (
        "velocity-nan",
        LANDING.replace("[-15.0, 0.0, -250.0]", "[-15.0, nan, -250.0]"),
        "initial.velocity_enu_mps[1]",
        "must be a finite number in [-8000, 8000], got nan",
    ),
    (
        "replan-nan",
        LANDING + "[guidance]\nreplan_hz = nan\n",
        "guidance.replan_hz",
        "must be a finite number in (0, 50], got nan",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "key", "problem"), LANDING_CASES, ids=[c[0] for c in LANDING_CASES]
)
def test_bad_landing_scenarios_are_refused(
    tmp_path: Path, case: str, text: str, key: str, problem: str
) -> None:
    path = _write(tmp_path, f"{case}.toml", text)
    with pytest.raises(ConfigError) as info:
        load_landing(path)
    _assert_one_line(info.value, f"{case}.toml", key, problem)
    _assert_cli_refuses(["land", "--from", str(path)], [f"{case}.toml", key])


FLIGHT_CASES = [  # (id, TOML text, key, part of the problem)
    (
        "ascent-throttle-1pc",
        _flight_with("throttle = 0.9\n", "throttle = 0.01\n"),
        "ascent.throttle",
        "must be >= 0.5, got 0.01 (allowed: [0.5, 1])",
    ),
    (
        "boostback-throttle-1pc",
        _flight_with("throttle = 0.85\n", "throttle = 0.01\n"),
        "boostback.throttle",
        "must be >= 0.1",
    ),
    (
        "entry-throttle-nan",
        _flight_with("throttle = 0.7\n", "throttle = nan\n"),
        "entry.throttle",
        "must be a finite number in [0.1, 1], got nan",
    ),
    (
        "flight-wind-1e9",
        FLIGHT + "\n[environment]\nwind_enu_mps = [0.0, 0.0, 1e9]\n",
        "environment.wind_enu_mps[2]",
        "must be <= 150",
    ),
    (
        "dt-powered-1e-6",
        FLIGHT + "\n[sim]\ndt_powered_s = 1e-6\n",
        "sim.dt_powered_s",
        "must be >= 0.001",
    ),
    ("dt-coast-0", FLIGHT + "\n[sim]\ndt_coast_s = 0.0\n", "sim.dt_coast_s", "must be >= 0.001"),
    (
        "landing-dt-1e-6",
        FLIGHT + "\n[landing_sim]\ndt_s = 1e-6\n",
        "landing_sim.dt_s",
        "must be >= 0.001",
    ),
    (
        "payload-inf",
        _flight_with("payload_mass_kg = 8_700.0", "payload_mass_kg = inf"),
        "mission.payload_mass_kg",
        "finite",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "key", "problem"), FLIGHT_CASES, ids=[c[0] for c in FLIGHT_CASES]
)
def test_bad_flight_scenarios_are_refused(
    tmp_path: Path, case: str, text: str, key: str, problem: str
) -> None:
    path = _write(tmp_path, f"{case}.toml", text)
    with pytest.raises(ConfigError) as info:
        load_flight(path)
    _assert_one_line(info.value, f"{case}.toml", key, problem)
    _assert_cli_refuses(["fly", str(path), "--json"], [f"{case}.toml", key])


def test_burn_throttle_below_the_engine_floor_is_refused(tmp_path: Path) -> None:
    """The model takes a boostback throttle of 0.3 (an engine may throttle that deep); the
    flight's set-up refuses it for the Merlin's 0.4 floor. (``fly`` does not pass the file's
    name to the set-up yet, so the line names the key only.)"""
    path = _write(tmp_path, "f.toml", _flight_with("throttle = 0.85\n", "throttle = 0.3\n"))
    _assert_cli_refuses(["fly", str(path), "--json"], ["boostback.throttle", "floor 0.4"])


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("thrust_vac_n = 914_000.0", "thrust_vac_n = nan", "booster.engine.thrust_vac_n", "> 0"),
        ("    [0.0, 0.75],", "    [0.0, inf],", "booster.cd_mach[0][1]", "> 0, got inf"),
        ("throttle_min = 0.40", "throttle_min = nan", "booster.engine.throttle_min", "(0, 1]"),
    ],
)
def test_nan_and_inf_in_a_vehicle_are_refused(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    assert old in VEHICLE
    path = _write(tmp_path, "myrocket.toml", VEHICLE.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_vehicle(path)
    _assert_one_line(info.value, "myrocket.toml", key, "must be a finite number")
    assert problem in str(info.value)
    _assert_cli_refuses(["land", str(path)], ["myrocket.toml", key, "finite"])


def test_real_process_refuses_a_wind_with_status_2(tmp_path: Path) -> None:
    path = _write(tmp_path, "w.toml", LANDING + "[environment]\nwind_enu_mps = [1e9, 0.0, 0.0]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "boostback.cli", "land", "--from", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "w.toml: environment.wind_enu_mps[0]: must be <= 150" in proc.stderr


def test_builtin_scenarios_are_inside_the_new_bounds() -> None:
    names = list_scenarios()
    assert len(names) >= 5
    for name in names:
        data = tomllib.loads((PACKAGE / "scenarios" / f"{name}.toml").read_text())
        (load_flight if is_flight_scenario(data) else load_landing)(name)

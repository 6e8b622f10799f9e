"""Accepted nonsense, refused at the edge (#14): NaN and infinities anywhere, fault distributions
that draw outside a parameter's bounds, a failure-boundary sweep outside them, winds no atmosphere
blows, throttles no ascent flies and time steps that never finish. Each is one line naming the
file (where there is one), the key and the problem, and exit status 2 on the command line."""

from __future__ import annotations

import os
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
from toml_edit import DELETE, dumps, edited, load

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
    from boostback.economics.models import load_deploy, load_study

    for path in examples:  # campaigns, scenario files for land --from and fly, studies
        data = tomllib.loads(path.read_text())
        if "initial" in data:
            load_landing(path)
        elif is_flight_scenario(data):
            load_flight(path)
        elif "constellation" in data:
            load_deploy(path)
        elif "cost" in data:
            load_study(path)
        else:
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
        _flight_with("throttle = 0.81\n", "throttle = 0.01\n"),
        "boostback.throttle",
        "must be >= 0.1",
    ),
    (
        "entry-throttle-nan",
        _flight_with("throttle = 0.60\n", "throttle = nan\n"),
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
    path = _write(tmp_path, "f.toml", _flight_with("throttle = 0.81\n", "throttle = 0.3\n"))
    _assert_cli_refuses(["fly", str(path), "--json"], ["boostback.throttle", "floor 0.4"])


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (
            "thrust_vac_n = 914_000.0",
            "thrust_vac_n = nan",
            "booster.engine.thrust_vac_n",
            "in (0, 1e+08], got nan",
        ),
        ("    [0.0, 0.75],", "    [0.0, inf],", "booster.cd_mach[0][1]", "in (0, 10], got inf"),
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


# --- 4. Every command: bad files, bad keys, bad options, bad paths --------------------------
#
# Each case is a command line; every one must exit 2 with one line on stderr, nothing on stdout
# and no traceback. "{d}" in an argument is the folder the fixture writes the inputs to. Files
# named in a case are written from the built-in files with one key changed (toml_edit).

LANDING_DATA = load(PACKAGE / "scenarios" / "falcon9_landing.toml")
VEHICLE_DATA = load(PACKAGE / "vehicles" / "falcon9.toml")
FLIGHT_DATA = load(PACKAGE / "scenarios" / "falcon9_rtls.toml")
CAMPAIGN_DATA = {
    "scenario": "falcon9_landing",
    "runs": 2,
    "seed": 1,
    "dispersions": [{"path": "initial.altitude_m", "dist": "normal", "sigma": 100.0}],
    "faults": [{"kind": "thrust_shortfall", "fraction": 0.05, "onset": {"phase": "landing_burn"}}],
    "execution": {"batch_size": 1},
}
BASES = {  # kind -> (data, command line with {f} for the file)
    "landing": (LANDING_DATA, ["land", "--from", "{f}"]),
    "vehicle": (VEHICLE_DATA, ["land", "{f}"]),
    "flight": (FLIGHT_DATA, ["fly", "{f}", "--json"]),
    "campaign": (CAMPAIGN_DATA, ["mc", "run", "{f}", "--out", "{d}/mc_out", "--quiet"]),
}
NAN, INF = float("nan"), float("inf")
GUST = {"kind": "wind_gust", "wind_enu_mps": [500.0, 0.0, 0.0], "duration_s": 5.0}

EDITS = {  # kind -> [(case id, {key: value}, words of the message besides file and key)]
    "landing": [
        ("alt-string", {"initial.altitude_m": "high"}, ["expected a number"]),
        ("alt-bool", {"initial.altitude_m": True}, ["expected a number"]),
        ("alt-zero", {"initial.altitude_m": 0.0}, ["must be > 0"]),
        ("alt-huge", {"initial.altitude_m": 1e9}, ["<= 200000"]),
        ("vel-two", {"initial.velocity_enu_mps": [0.0, -250.0]}, ["too few values"]),
        ("vel-four", {"initial.velocity_enu_mps": [0.0, 0.0, -250.0, 1.0]}, ["at most 3"]),
        ("vel-huge", {"initial.velocity_enu_mps[2]": -1e5}, [">= -8000"]),
        ("offset-huge", {"initial.position_en_m[0]": 1e7}, ["<= 1e+06"]),
        ("prop-negative", {"initial.propellant_kg": -5.0}, [">= 0"]),
        ("prop-too-much", {"initial.propellant_kg": 1e7}, ["more than"]),
        ("no-initial", {"initial": DELETE}, ["missing required key"]),
        ("initial-string", {"initial": "x"}, ["expected a table"]),
        ("unknown-key", {"colour": "red"}, ["unknown key"]),
        ("gravity", {"environment.gravity": "moon"}, ["expected one of"]),
        ("atmosphere", {"environment.atmosphere": "thick"}, ["expected one of"]),
        ("pad-high", {"environment.pad_altitude_m": 1e5}, ["<= 8000"]),
        ("pad-low", {"environment.pad_altitude_m": -1e4}, [">= -500"]),
        ("wind-200", {"environment.wind_enu_mps": [0.0, 200.0, 0.0]}, ["<= 150"]),
        (
            "layer-below-0",
            {"environment.wind_layers": [{"altitude_m": -5.0, "wind_enu_mps": [0.0, 0.0, 0.0]}]},
            [">= 0"],
        ),
        (
            "layers-descending",
            {
                "environment.wind_layers": [
                    {"altitude_m": 500.0, "wind_enu_mps": [1.0, 0.0, 0.0]},
                    {"altitude_m": 100.0, "wind_enu_mps": [2.0, 0.0, 0.0]},
                ]
            },
            ["ascending"],
        ),
        ("nodes-5", {"guidance.nodes": 5}, [">= 10"]),
        ("nodes-1000", {"guidance.nodes": 1000}, ["<= 200"]),
        ("nodes-float", {"guidance.nodes": 30.5}, ["whole number"]),
        ("replan-0", {"guidance.replan_hz": 0.0}, ["> 0"]),
        ("replan-1000", {"guidance.replan_hz": 1e3}, ["<= 50"]),
        ("touchdown-10", {"guidance.touchdown_speed_mps": 10.0}, ["<= 5"]),
        ("planning-1.5", {"guidance.planning_throttle_max": 1.5}, ["<= 1"]),
        ("ignition-above", {"guidance.ignition_throttle_max": 0.95}, ["planning_throttle_max"]),
        ("backend", {"guidance.backend": "fortran"}, ["expected one of"]),
        ("tf-order", {"guidance.tf_max_s": 0.5}, ["tf_min_s"]),
        ("decel-negative", {"guidance.terminal_max_decel_mps2": -1.0}, ["> 0"]),
        ("dt-0", {"sim.dt_s": 0.0}, [">= 0.001"]),
        ("dt-1e-7", {"sim.dt_s": 1e-7}, [">= 0.001"]),
        ("dt-5", {"sim.dt_s": 5.0}, ["<= 1"]),
        ("max-time-negative", {"sim.max_time_s": -1.0}, ["> 0"]),
        ("max-time-inf", {"sim.max_time_s": INF}, ["finite"]),
        ("sim-unknown", {"sim.steps": 10}, ["unknown key"]),
        ("vehicle-number", {"vehicle": 5}, ["expected a string"]),
        ("vehicle-unknown", {"vehicle": "nosuchrocket"}, ["unknown vehicle"]),
        ("vehicle-missing-file", {"vehicle": "missing.toml"}, ["not found"]),
        ("name-number", {"name": 5}, ["expected a string"]),
    ],
    "vehicle": [
        ("thrust-negative", {"booster.engine.thrust_vac_n": -1.0}, ["> 0"]),
        ("isp-zero", {"booster.engine.isp_vac_s": 0.0}, ["> 0"]),
        ("throttle-min-0", {"booster.engine.throttle_min": 0.0}, ["> 0"]),
        ("throttle-order", {"booster.engine.throttle_max": 0.3}, ["above throttle_max"]),
        ("restarts-negative", {"booster.engine.restarts": -1}, [">= 0"]),
        ("restarts-float", {"booster.engine.restarts": 1.5}, ["whole number"]),
        ("gimbal-45", {"booster.engine.gimbal_deg": 45.0}, ["<= 30"]),
        ("cant-60", {"booster.engine.cant_deg": 60.0}, ["< 60"]),
        ("sl-above-vac", {"booster.engine.thrust_sl_n": 1e7}, ["above vacuum thrust"]),
        ("dry-negative", {"booster.dry_mass_kg": -1.0}, ["> 0", "(0, 1e+07]"]),
        ("diameter-huge", {"booster.diameter_m": 1e300}, ["<= 100"]),
        ("isp-huge", {"booster.engine.isp_vac_s": 1e300}, ["(0, 1000]"]),
        ("thrust-huge", {"booster.engine.thrust_vac_n": 1e300}, ["<= 1e+08"]),
        ("turn-rate-tiny", {"booster.landing.max_turn_rate_deg_s": 1e-300}, [">= 0.1"]),
        ("propellant-nan", {"booster.propellant_mass_kg": NAN}, ["finite"]),
        ("cd-not-at-0", {"booster.cd_mach[0][0]": 0.5}, ["Mach 0"]),
        ("cd-descending", {"booster.cd_mach[1][0]": 0.0}, ["ascending"]),
        ("cd-row-3", {"booster.cd_mach[0]": [0.0, 0.5, 1.0]}, ["at most 2"]),
        ("engine-count-0", {"booster.engine_count": 0}, [">= 1"]),
        ("landing-engines-20", {"booster.landing.engines": 20}, ["the stage has 9"]),
        ("body-venus", {"body": "venus"}, ["expected one of"]),
        ("source-unknown", {"sources": {"booster.nosuch": "x"}}, ["names no key"]),
        ("crash-below-hard", {"booster.limits.crash_speed_mps": 1.0}, ["must be above"]),
        ("no-key", {"key": DELETE}, ["missing required key"]),
        ("tilt-90", {"booster.landing.max_tilt_deg": 90.0}, ["< 90"]),
        ("glide-negative", {"booster.landing.glide_slope_deg": -1.0}, [">= 0"]),
        ("no-engine", {"booster.engine": DELETE}, ["missing required key"]),
        ("legs-2", {"booster.legs.count": 2}, [">= 3"]),
        ("fin-area-negative", {"booster.grid_fins.area_m2": -1.0}, ["> 0"]),
        ("plume-start", {"booster.plume_drag[0]": [0.0, 0.5]}, ["(0, 1)"]),
        (
            "cannot-hover",
            {"booster.engine.thrust_vac_n": 1e5, "booster.engine.thrust_sl_n": DELETE},
            ["cannot hover"],
        ),
        ("accel-negative", {"ascent.max_acceleration_g": -3.0}, ["> 0"]),
        ("upper-isp-string", {"upper_stage.engine.isp_vac_s": "fast"}, ["expected a number"]),
        ("unknown-top", {"color": "white"}, ["unknown key"]),
    ],
    "flight": [
        ("site-unknown", {"mission.launch_site": "nowhere"}, ["unknown site"]),
        ("inclination-200", {"mission.inclination_deg": 200.0}, ["<= 180"]),
        ("both-directions", {"mission.launch_azimuth_deg": 90.0}, ["exactly one"]),
        ("no-direction", {"mission.inclination_deg": DELETE}, ["exactly one"]),
        ("payload-negative", {"mission.payload_mass_kg": -1.0}, [">= 0"]),
        ("payload-huge", {"mission.payload_mass_kg": 1e7}, ["cannot lift off"]),
        (  # with a target orbit the upper stage turns the plane (flight.setup.plane_turn)
            "inclination-10",
            {"mission.inclination_deg": 10.0, "mission.target_orbit": DELETE},
            ["mission.inclination_deg"],
        ),
        ("mode-parachute", {"recovery.mode": "parachute"}, ["expected one of"]),
        ("rtls-no-site", {"recovery.site": DELETE}, ["needs a landing site"]),
        ("ship-negative", {"recovery.ship_downrange_km": -5.0}, ["> 0"]),
        ("margin-2", {"recovery.reserve_margin": 2.0}, ["<= 1"]),
        ("kick-50", {"ascent.pitch_kick_deg": 50.0}, ["< 45"]),
        ("meco-path-90", {"ascent.meco_flight_path_deg": 90.0}, ["< 85"]),
        ("rise-0", {"ascent.vertical_rise_s": 0.0}, ["> 0"]),
        ("pitch-min-90", {"boostback.pitch_min_deg": -90.0}, [">= -60"]),
        ("entry-alt-0", {"entry.start_altitude_m": 0.0}, ["> 0"]),
        ("limit-margin-1", {"entry.limit_margin": 1.0}, ["< 1"]),
        ("handover-0", {"descent.handover_altitude_m": 0.0}, ["> 0"]),
        ("earth-flat", {"sim.earth": "flat"}, ["expected one of"]),
        ("flight-time-huge", {"sim.max_time_s": 1e9}, ["<= 7200"]),
        ("landing-nodes-5", {"landing.nodes": 5}, [">= 10"]),
        ("landing-time-0", {"landing_sim.max_time_s": 0.0}, ["> 0"]),
        (
            "layer-nan",
            {"environment.wind_layers": [{"altitude_m": 0.0, "wind_enu_mps": [NAN, 0.0, 0.0]}]},
            ["finite"],
        ),
        ("mars-mission", {"vehicle": "mars_lander"}, ["cannot fly a full mission"]),
        ("site-lat-100", {"mission.launch_site.lat_deg": 100.0}, ["<= 90"]),
        ("boostback-below-floor", {"boostback.throttle": 0.3}, ["floor 0.4"]),
        ("fairing-string", {"mission.fairing": "yes"}, ["expected true or false"]),
    ],
    "campaign": [
        ("runs-0", {"runs": 0}, [">= 1"]),
        ("runs-negative", {"runs": -5}, [">= 1"]),
        ("runs-float", {"runs": 1.5}, ["whole number"]),
        ("runs-string", {"runs": "many"}, ["whole number"]),
        ("seed-negative", {"seed": -1}, [">= 0"]),
        ("no-scenario", {"scenario": DELETE}, ["missing required key"]),
        ("scenario-unknown", {"scenario": "nosuch_scenario"}, ["nosuch_scenario"]),
        ("scenario-missing", {"scenario": "missing.toml"}, ["not found"]),
        ("dist-gamma", {"dispersions[0].dist": "gamma"}, ["expected one of"]),
        (
            "uniform-order",
            {
                "dispersions[0]": {
                    "path": "initial.altitude_m",
                    "dist": "uniform",
                    "low": 5.0,
                    "high": 1.0,
                }
            },
            ["low < high"],
        ),
        (
            "choice-empty",
            {"dispersions[0]": {"path": "initial.altitude_m", "dist": "choice", "values": []}},
            ["at least one"],
        ),
        (
            "trunc-mean-outside",
            {
                "dispersions[0]": {
                    "path": "initial.altitude_m",
                    "dist": "truncnormal",
                    "mean": 10.0,
                    "sigma": 1.0,
                    "low": 0.0,
                    "high": 5.0,
                }
            },
            ["[low, high]"],
        ),
        ("sigma-0", {"dispersions[0].sigma": 0.0}, ["positive"]),
        ("dispersions-string", {"dispersions": "x"}, ["expected a list"]),
        ("fault-meteor", {"faults[0].kind": "meteor"}, ["unknown fault"]),
        ("fault-unknown-param", {"faults[0].colour": 1.0}, ["does not apply"]),
        ("fault-no-param", {"faults[0].fraction": DELETE}, ["needs 'fraction'"]),
        (
            "bias-two-values",
            {"faults[0]": {"kind": "nav_bias", "position_enu_m": [1.0, 2.0]}},
            ["3 values"],
        ),
        ("onset-unknown", {"faults[0].onset.phase": "lunch"}, ["expected one of"]),
        ("onset-late", {"faults[0].onset.t_s": 1e9}, ["<= 7200"]),
        ("onset-below-0", {"faults[0].onset.altitude_m": -5.0}, [">= 0"]),
        ("probability-2", {"faults[0].probability": 2.0}, ["<= 1"]),
        ("batch-0", {"execution.batch_size": 0}, [">= 1"]),
        ("wall-limit-tiny", {"execution.wall_limit_s": 0.5}, [">= 1"]),
        ("wall-limit-huge", {"execution.wall_limit_s": 1e9}, ["<= 86400"]),
        ("gust-500", {"faults[0]": GUST}, ["[-150, 150]"]),
        (
            "gust-long",
            {"faults[0]": {**GUST, "wind_enu_mps": [5.0, 0.0, 0.0], "duration_s": 1e5}},
            ["[0, 3600]"],
        ),
        (
            "bias-velocity-huge",
            {"faults[0]": {"kind": "nav_bias", "velocity_enu_mps": [0.0, 0.0, 1e4]}},
            ["[-500, 500]"],
        ),
        ("engines-out-100", {"faults[0]": {"kind": "engine_out", "engines": 100.0}}, ["[0, 50]"]),
        ("delay-100", {"faults[0]": {"kind": "ignition_delay", "delay_s": 100.0}}, ["[0, 60]"]),
        (
            "lag-negative",
            {"faults[0]": {"kind": "throttle_lag", "time_constant_s": -1.0}},
            ["[0, 60]"],
        ),
        (
            "noise-nan",
            {"faults[0]": {"kind": "nav_noise", "position_sigma_m": NAN}},
            ["finite"],
        ),
        (
            "fraction-sigma-nan",
            {"faults[0].fraction": {"dist": "normal", "sigma": NAN}},
            ["finite"],
        ),
        ("raise-runs-string", {"debug.raise_runs": "all"}, ["expected a list"]),
        ("unknown-top", {"workers": 4}, ["unknown key"]),
    ],
}

LAND = ["land", "falcon9"]
OPTION_CASES = [  # (case id, command line, words of the message)
    ("land-altitude-negative", [*LAND, "--altitude", "-5"], ["--altitude", "initial.altitude_m"]),
    ("land-altitude-0", [*LAND, "--altitude", "0"], ["--altitude", "> 0"]),
    ("land-altitude-huge", [*LAND, "--altitude", "1e7"], ["--altitude", "<= 200000"]),
    ("land-altitude-nan", [*LAND, "--altitude", "nan"], ["--altitude", "finite"]),
    ("land-altitude-inf", [*LAND, "--altitude", "inf"], ["--altitude", "finite"]),
    ("land-altitude-word", [*LAND, "--altitude", "abc"], ["--altitude", "valid number"]),
    ("land-speed-huge", [*LAND, "--speed", "1e5"], ["--speed", "velocity_enu_mps[2]", "-8000"]),
    ("land-speed-nan", [*LAND, "--speed", "nan"], ["--speed", "finite"]),
    ("land-speed-word", [*LAND, "--speed", "fast"], ["--speed"]),
    ("land-offset-huge", [*LAND, "--offset", "2e6"], ["--offset", "position_en_m[0]"]),
    ("land-offset-nan", [*LAND, "--offset", "nan"], ["--offset", "finite"]),
    ("land-propellant-negative", [*LAND, "--propellant", "-1"], ["--propellant", ">= 0"]),
    ("land-propellant-huge", [*LAND, "--propellant", "1e9"], ["--propellant", "more than"]),
    ("land-wind-500", [*LAND, "--wind", "500"], ["--wind", "[-150, 150]"]),
    ("land-wind-minus-151", [*LAND, "--wind", "-151"], ["--wind", ">= -150"]),
    ("land-wind-nan", [*LAND, "--wind", "nan"], ["--wind", "finite"]),
    ("land-wall-limit-0", [*LAND, "--wall-limit", "0"], ["--wall-limit", "[1, 86400]"]),
    ("land-wall-limit-negative", [*LAND, "--wall-limit", "-1"], ["--wall-limit", ">= 1"]),
    ("land-wall-limit-huge", [*LAND, "--wall-limit", "1e9"], ["--wall-limit", "<= 86400"]),
    ("land-wall-limit-nan", [*LAND, "--wall-limit", "nan"], ["--wall-limit", "finite"]),
    ("land-out-file", [*LAND, "--out", "{d}/afile"], ["--out", "afile", "is a file"]),
    ("land-out-under-file", [*LAND, "--out", "{d}/afile/x"], ["--out", "afile is a file"]),
    ("land-out-broken-link", [*LAND, "--out", "{d}/broken"], ["--out", "broken symbolic link"]),
    ("land-report-out-file", [*LAND, "--report", "--out", "{d}/afile"], ["--out", "is a file"]),
    ("land-from-missing", ["land", "--from", "{d}/missing.toml"], ["missing.toml", "not found"]),
    ("land-from-directory", ["land", "--from", "{d}/dir.toml"], ["dir.toml", "directory"]),
    ("land-from-fifo", ["land", "--from", "{d}/fifo.toml"], ["fifo.toml", "FIFO"]),
    ("land-from-device", ["land", "--from", "/dev/null"], ["/dev/null", "device"]),
    ("land-from-empty", ["land", "--from", "{d}/empty.toml"], ["empty.toml", "initial"]),
    ("land-from-binary", ["land", "--from", "{d}/garbage.toml"], ["garbage.toml", "cannot read"]),
    ("land-from-invalid", ["land", "--from", "{d}/invalid.toml"], ["invalid.toml", "invalid TOML"]),
    ("land-unknown-vehicle", ["land", "nosuchrocket"], ["unknown vehicle", "falcon9"]),
    ("land-a-flight", ["land", "falcon9_rtls"], ["boostback fly falcon9_rtls"]),
    (
        "land-vehicle-mismatch",
        ["land", "falcon9", "--from", "{d}/zq_landing.toml"],
        ["zq_landing.toml", "vehicle", "zhuque3"],
    ),
    ("land-unknown-option", ["land", "--bogus"], ["No such option", "--bogus"]),
    ("land-extra-argument", ["land", "falcon9", "extra"], ["unexpected extra argument"]),
    ("fly-unknown-vehicle", ["fly", "nosuchrocket"], ["nosuchrocket"]),
    ("fly-no-mission", ["fly", "mars_lander"], ["mars_lander"]),
    ("fly-recovery-parachute", ["fly", "--recovery", "parachute"], ["--recovery", "rtls"]),
    ("fly-out-file", ["fly", "--out", "{d}/afile"], ["--out", "is a file"]),
    ("fly-out-under-file", ["fly", "--out", "{d}/afile/x"], ["--out", "afile is a file"]),
    ("fly-report-out-file", ["fly", "--report", "--out", "{d}/afile"], ["--out", "is a file"]),
    ("fly-fifo", ["fly", "{d}/fifo.toml"], ["fifo.toml", "FIFO"]),
    ("fly-directory", ["fly", "{d}/dir.toml"], ["dir.toml", "directory"]),
    ("fly-invalid", ["fly", "{d}/invalid.toml"], ["invalid.toml", "invalid TOML"]),
    ("fly-unknown-option", ["fly", "--bogus"], ["No such option"]),
    ("compare-missing", ["compare", "{d}/missing.parquet", "{d}/tel"], ["not found"]),
    ("compare-directory", ["compare", "{d}/dir.toml", "{d}/tel"], ["not a regular file"]),
    ("compare-not-parquet", ["compare", "{d}/afile", "{d}/tel"], ["cannot read"]),
    ("compare-no-telemetry", ["compare", "{d}/traj.parquet", "{d}/nothere"], ["telemetry"]),
    (
        "compare-telemetry-json",
        ["compare", "{d}/traj.parquet", "{d}/tel_badjson"],
        ["tel_badjson", "JSON"],
    ),
    (
        "compare-telemetry-key",
        ["compare", "{d}/traj.parquet", "{d}/tel_nokey"],
        ["analysed.json", "altitude"],
    ),
    (
        "compare-out-file",
        ["compare", "{d}/traj.parquet", "{d}/tel", "--out", "{d}/afile"],
        ["--out", "is a file"],
    ),
    ("compare-missing-argument", ["compare", "{d}/traj.parquet"], ["Missing argument"]),
    ("mc-run-missing", ["mc", "run", "{d}/missing.toml", "--out", "{d}/o"], ["not found"]),
    ("mc-run-directory", ["mc", "run", "{d}/dir.toml", "--out", "{d}/o"], ["directory"]),
    ("mc-run-fifo", ["mc", "run", "{d}/fifo.toml", "--out", "{d}/o"], ["FIFO"]),
    ("mc-run-invalid", ["mc", "run", "{d}/invalid.toml", "--out", "{d}/o"], ["invalid TOML"]),
    ("mc-run-no-out", ["mc", "run", "{d}/camp.toml"], ["Missing option", "--out"]),
    (
        "mc-run-workers-word",
        ["mc", "run", "{d}/camp.toml", "--out", "{d}/o", "--workers", "x"],
        ["--workers"],
    ),
    ("mc-run-out-file", ["mc", "run", "{d}/camp.toml", "--out", "{d}/afile"], ["afile"]),
    ("mc-run-runs-0", ["mc", "run", "{d}/camp.toml", "--out", "{d}/o", "--runs", "0"], ["runs"]),
    (
        "mc-run-workers-0",
        ["mc", "run", "{d}/camp.toml", "--out", "{d}/o", "--workers", "0"],
        ["workers"],
    ),
    ("mc-summary-missing", ["mc", "summary", "{d}/nothere"], ["nothere"]),
    ("mc-summary-empty", ["mc", "summary", "{d}/empty_dir"], ["empty_dir"]),
    ("mc-summary-file", ["mc", "summary", "{d}/afile"], ["afile"]),
    ("mc-summary-extra", ["mc", "summary", "{d}/empty_dir", "extra"], ["unexpected extra"]),
    (
        "mc-boundary-fault-negative",
        ["mc", "boundary", "{d}/boundary.toml", "--out", "{d}/o", "--fault", "-1"],
        ["fault"],
    ),
    (
        "mc-boundary-iterations-negative",
        ["mc", "boundary", "{d}/boundary.toml", "--out", "{d}/o", "--iterations", "-1"],
        ["iterations"],
    ),
    (
        "mc-boundary-param-unknown",
        ["mc", "boundary", "{d}/boundary.toml", "--out", "{d}/o", "--param", "nosuch"],
        ["nosuch"],
    ),
    (
        "mc-boundary-runs-0",
        ["mc", "boundary", "{d}/boundary.toml", "--out", "{d}/o", "--runs", "0"],
        ["runs"],
    ),
    (
        "mc-boundary-out-file",
        ["mc", "boundary", "{d}/boundary.toml", "--out", "{d}/afile"],
        ["afile"],
    ),
    ("report-missing", ["report", "{d}/nothere"], ["nothere"]),
    ("report-file", ["report", "{d}/afile"], ["afile"]),
    ("report-empty", ["report", "{d}/empty_dir"], ["empty_dir"]),
    ("report-bad-summary", ["report", "{d}/badjson"], ["summary.json"]),
    ("report-unknown-option", ["report", "{d}/empty_dir", "--bogus"], ["No such option"]),
    ("bench-repeats-0", ["bench", "--repeats", "0"], ["--repeats"]),
    ("bench-repeats-huge", ["bench", "--repeats", "99999"], ["--repeats", "10000"]),
    ("bench-repeats-word", ["bench", "--repeats", "many"], ["--repeats"]),
    ("bench-throughput-negative", ["bench", "--throughput", "-1"], ["--throughput"]),
    ("bench-throughput-huge", ["bench", "--throughput", "99999999"], ["--throughput"]),
    ("bench-unknown-scenario", ["bench", "nosuch"], ["unknown scenario", "nosuch"]),
    ("bench-directory", ["bench", "{d}/dir.toml"], ["directory"]),
    ("bench-fifo", ["bench", "{d}/fifo.toml"], ["FIFO"]),
    ("bench-bad-scenario", ["bench", "{d}/wind.toml"], ["wind.toml", "wind_enu_mps[0]"]),
    ("bench-unknown-option", ["bench", "--bogus"], ["No such option"]),
    ("vehicles-extra", ["vehicles", "extra"], ["unexpected extra argument"]),
    ("vehicles-option", ["vehicles", "--json"], ["No such option"]),
    ("scenarios-extra", ["scenarios", "extra"], ["unexpected extra argument"]),
    ("scenarios-option", ["scenarios", "--bogus"], ["No such option"]),
    ("unknown-command", ["launch"], ["No such command"]),
    ("unknown-top-option", ["--bogus"], ["No such option"]),
]
# Refused, but not yet in one line with status 2, because of code outside this test's reach
# (id -> reason naming the file); empty now: mc and report cases that were here pass.
KNOWN: dict[str, str] = {}


def _file_cases() -> list[tuple[str, list[str], list[str]]]:
    cases = []
    for kind, edits in EDITS.items():
        command = BASES[kind][1]
        for case, _, words in edits:
            args = [a.replace("{f}", f"{{d}}/{kind}/{case}.toml") for a in command]
            cases.append((f"{kind}-{case}", args, [f"{case}.toml", *words]))
    return cases


ALL_CASES = _file_cases() + OPTION_CASES
# Run in a real process with a timeout: a FIFO read by mistake would block forever.
SUBPROCESS_ONLY = {c[0] for c in ALL_CASES if any("fifo" in a for a in c[1])}
# A real process for a representative few of each command too (the rest run in-process).
REPRESENTATIVE = {
    "landing-dt-1e-7",
    "flight-site-unknown",
    "campaign-gust-500",
    "land-out-under-file",
    "compare-telemetry-json",
    "mc-boundary-param-unknown",
    "bench-repeats-huge",
    "vehicles-extra",
}


def _marks(case: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(reason=KNOWN[case], strict=False)] if case in KNOWN else []


def _params(ids: set[str] | None = None, *, exclude: set[str] = frozenset()) -> list:
    return [
        pytest.param(args, words, id=case, marks=_marks(case))
        for case, args, words in ALL_CASES
        if (ids is None or case in ids) and case not in exclude
    ]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every case's files are written to."""
    d = tmp_path_factory.mktemp("bad")
    for kind, edits in EDITS.items():
        (d / kind).mkdir()
        for case, changes, _ in edits:
            data = BASES[kind][0]
            for key, value in changes.items():
                data = edited(data, key, value)
            (d / kind / f"{case}.toml").write_text(dumps(data))
    (d / "afile").write_text("not a folder\n")
    (d / "dir.toml").mkdir()
    (d / "empty_dir").mkdir()
    os.mkfifo(d / "fifo.toml")
    (d / "broken").symlink_to(d / "nowhere")
    (d / "empty.toml").write_text("")
    (d / "garbage.toml").write_bytes(b"\xff\xfe\x00\x81 not text")
    (d / "invalid.toml").write_text("a = [\n")
    (d / "zq_landing.toml").write_text(LANDING.replace('"falcon9"', '"zhuque3"'))
    (d / "wind.toml").write_text(LANDING + "[environment]\nwind_enu_mps = [1e9, 0.0, 0.0]\n")
    (d / "camp.toml").write_text(dumps(CAMPAIGN_DATA))
    (d / "boundary.toml").write_text(BOUNDARY)
    _telemetry(d)
    (d / "badjson").mkdir()
    (d / "badjson" / "summary.json").write_text("{")
    (d / "badjson" / "trajectory.csv").write_text("t_s\n0.0\n")
    return d


def _telemetry(d: Path) -> None:
    """A trajectory.parquet as 'fly --out' writes it, and telemetry folders good and bad."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    events = [{"name": "meco", "t_s": 1.0, "altitude_m": 10.0, "speed_mps": 5.0}]
    table = pa.table({"t_s": [0.0, 1.0], "altitude_m": [0.0, 10.0], "speed_mps": [0.0, 5.0]})
    table = table.replace_schema_metadata({"boostback.events": json.dumps(events)})
    pq.write_table(table, d / "traj.parquet")
    good = {"time": [0.0, 1.0], "altitude": [0.0, 0.01], "velocity": [0.0, 5.0]}
    for name, analysed in (
        ("tel", json.dumps(good)),
        ("tel_badjson", "{"),
        ("tel_nokey", json.dumps({"time": [0.0, 1.0]})),
    ):
        (d / name).mkdir()
        (d / name / "analysed.json").write_text(analysed)
        (d / name / "events.json").write_text(json.dumps({"meco": 1.0}))


def _args(args: list[str], d: Path) -> list[str]:
    return [a.replace("{d}", str(d)) for a in args]


def _assert_refused(code: int, stdout: str, stderr: str, words: list[str], d: Path) -> None:
    message = stderr.strip()
    assert code == 2, (code, stdout[-500:], message[-2000:])
    assert stdout == "", stdout[-500:]
    assert "\n" not in message, message
    assert message.startswith("error:"), message
    assert "Traceback" not in message
    for word in words:
        assert word.replace("{d}", str(d)) in message, (word, message)


@pytest.mark.parametrize(("args", "words"), _params(exclude=SUBPROCESS_ONLY))
def test_every_command_refuses_bad_input_in_one_line(
    inputs: Path, args: list[str], words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(inputs)  # anything written by mistake lands in the test's folder
    monkeypatch.setenv("BOOSTBACK_LOG_DIR", str(inputs / "logs"))
    result = runner.invoke(app, _args(args, inputs))
    _assert_refused(result.exit_code, result.stdout, result.stderr, words, inputs)


def _run(args: list[str], d: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOOSTBACK_LOG_DIR": str(d / "logs"), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "boostback.cli", *_args(args, d)],
        capture_output=True,
        text=True,
        timeout=10,  # each refusal comes at once: nothing is flown
        cwd=d,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(("args", "words"), _params(SUBPROCESS_ONLY | REPRESENTATIVE))
def test_real_processes_refuse_bad_input_within_seconds(
    inputs: Path, args: list[str], words: list[str]
) -> None:
    proc = _run(args, inputs)
    _assert_refused(proc.returncode, proc.stdout, proc.stderr, words, inputs)


@pytest.mark.slow
@pytest.mark.parametrize(("args", "words"), _params())
def test_every_case_in_a_real_process(inputs: Path, args: list[str], words: list[str]) -> None:
    proc = _run(args, inputs)
    _assert_refused(proc.returncode, proc.stdout, proc.stderr, words, inputs)


def test_the_bad_input_suite_is_broad() -> None:
    commands = {tuple(a[:2]) if a[0] == "mc" else (a[0],) for _, a, _ in ALL_CASES}
    assert len(ALL_CASES) >= 150
    for command in ("land", "fly", "compare", "report", "bench", "vehicles", "scenarios"):
        assert (command,) in commands, command
    for sub in ("run", "summary", "boundary"):
        assert ("mc", sub) in commands, sub

"""Configuration layer: built-in vehicles, derived properties, sources, and errors for people."""

from __future__ import annotations

import math
import pickle
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boostback.config import (
    ConfigError,
    LandingScenario,
    Vehicle,
    check_scenario,
    list_scenarios,
    list_vehicles,
    load_landing,
    load_scenario,
    load_vehicle,
    scenario_from_dict,
    vehicle_from_dict,
)

BUILTINS = ["falcon9", "mars_lander", "zhuque3"]

# A small valid vehicle; bad-input cases change one thing in it.
VEHICLE = """\
key = "test"
name = "Test booster"

[booster]
name = "test stage"
dry_mass_kg = 20000.0
propellant_mass_kg = 300000.0
length_m = 40.0
diameter_m = 3.7
engine_count = 9
cd_mach = [[0.0, 0.8], [1.0, 1.1], [2.0, 1.0]]

[booster.engine]
name = "test engine"
thrust_vac_n = 900000.0
thrust_sl_n = 800000.0
isp_vac_s = 310.0
isp_sl_s = 280.0
throttle_min = 0.4
throttle_max = 1.0
restarts = 3
gimbal_deg = 5.0

[booster.landing]
engines = 1
max_tilt_deg = 20.0
glide_slope_deg = 5.0
"""

SCENARIO = """\
vehicle = "falcon9"

[initial]
altitude_m = 3000.0
velocity_enu_mps = [0.0, 0.0, -250.0]
propellant_kg = 9000.0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def builtin_dict(key: str) -> dict[str, Any]:
    text = resources.files("boostback.vehicles").joinpath(f"{key}.toml").read_text("utf-8")
    return tomllib.loads(text)


# --- built-in vehicles and scenarios -------------------------------------------------------------


def test_list_vehicles() -> None:
    assert list_vehicles() == BUILTINS
    assert {"falcon9_landing", "mars_lander_case1"} <= set(list_scenarios())


@pytest.mark.parametrize("key", BUILTINS)
def test_builtin_vehicle_loads(key: str) -> None:
    vehicle = load_vehicle(key)
    assert isinstance(vehicle, Vehicle)
    assert vehicle.key == key
    booster = vehicle.booster
    assert booster.wet_mass_kg == booster.dry_mass_kg + booster.propellant_mass_kg
    assert booster.landing is not None
    assert booster.landing_thrust_max_n(vehicle.surface_pressure_pa) > (
        booster.dry_mass_kg * vehicle.gravity_mps2
    )


@pytest.mark.parametrize("key", BUILTINS)
def test_every_number_has_a_source(key: str) -> None:
    data = builtin_dict(key)
    sources = data.pop("sources")
    assert sources, "a built-in vehicle must cite its sources"

    def leaves(node: Any, path: str) -> list[str]:
        if isinstance(node, dict):
            return [p for k, v in node.items() for p in leaves(v, f"{path}.{k}" if path else k)]
        if isinstance(node, list):
            return [p for i, v in enumerate(node) for p in leaves(v, f"{path}[{i}]")]
        if isinstance(node, int | float) and not isinstance(node, bool):
            return [path]
        return []

    def covered(path: str) -> bool:
        return any(path == k or path.startswith((k + ".", k + "[")) for k in sources)

    numbers = leaves(data, "")
    assert numbers
    missing = [p for p in numbers if not covered(p)]
    assert not missing, f"{key}: numbers without a source: {missing}"
    for key_path, text in sources.items():
        if "estimate" not in text.lower():
            assert len(text) > 10, key_path


def test_falcon9_numbers() -> None:
    booster = load_vehicle("falcon9").booster
    assert booster.engine_count == 9
    assert booster.engine.thrust_n(101_325.0) == pytest.approx(845e3)
    assert booster.engine.thrust_n(0.0) == pytest.approx(914e3)
    assert booster.engine.exit_area_m2 == pytest.approx(69e3 / 101_325.0)
    assert booster.engine.mass_flow_kgps == pytest.approx(914e3 / (311 * 9.80665))
    assert booster.area_m2 == pytest.approx(math.pi * 3.7**2 / 4)
    assert booster.cd(0.0) == pytest.approx(0.75)
    assert booster.cd(2.0) == pytest.approx(1.2)
    assert booster.cd(1.175) == pytest.approx(0.86)  # interpolated
    assert booster.cd(50.0) == pytest.approx(1.15)  # clamped
    assert booster.plume_drag[0] == (0.0, 1.0)
    assert booster.landing_thrust_max_n() == pytest.approx(845e3)
    assert load_vehicle("falcon9").upper_stage is not None


def test_mars_lander_numbers() -> None:
    vehicle = load_vehicle("mars_lander")
    lander = vehicle.booster
    assert vehicle.body == "mars"
    assert vehicle.gravity_mps2 == pytest.approx(3.7114)
    assert lander.wet_mass_kg == pytest.approx(1905.0)
    # The papers round rho2 = 6 * 3100 * 0.8 * cos 27 deg = 13258.2 N to 13260 N.
    assert lander.landing_thrust_min_n() == pytest.approx(4972.0, abs=1.0)
    assert lander.landing_thrust_max_n() == pytest.approx(13260.0, abs=2.0)
    assert lander.landing_alpha_s_per_m == pytest.approx(5.09e-4, rel=0.01)
    assert lander.engine.axial_fraction == pytest.approx(math.cos(math.radians(27.0)))
    assert lander.cd(3.0) == 0.0  # empty table: no drag


@pytest.mark.parametrize("name", ["falcon9_landing", "mars_lander_case1"])
def test_builtin_scenarios(name: str) -> None:
    scenario, vehicle = load_landing(name)
    assert isinstance(scenario, LandingScenario)
    assert scenario.initial.propellant_kg <= vehicle.booster.propellant_mass_kg


def test_mars_case1_values() -> None:
    scenario, vehicle = load_landing("mars_lander_case1")
    assert vehicle.key == "mars_lander"
    assert scenario.initial.velocity_enu_mps == (100.0, 0.0, -75.0)
    assert scenario.initial.position_en_m == (2000.0, 0.0)
    assert scenario.environment.atmosphere == "none"
    # The papers' terminal conditions: at rest on the target, no vertical segment, no floor margin.
    assert scenario.guidance.touchdown_speed_mps == 0.0
    assert scenario.guidance.terminal_vertical_s == 0.0
    assert scenario.guidance.planning_throttle_floor_margin == 0.0


def test_vehicle_path_relative_to_scenario(tmp_path: Path) -> None:
    write(tmp_path, "my_booster.toml", VEHICLE)
    scen = write(tmp_path, "scen.toml", SCENARIO.replace('"falcon9"', '"my_booster.toml"'))
    _, vehicle = load_landing(scen)
    assert vehicle.key == "test"


def test_models_frozen_equal_and_copyable() -> None:
    vehicle = load_vehicle("falcon9")
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError
        vehicle.booster.dry_mass_kg = 1.0  # type: ignore[misc]
    assert vehicle.booster.cd(2.0) == pytest.approx(1.2)  # fills the table cache
    assert vehicle == load_vehicle("falcon9") == pickle.loads(pickle.dumps(vehicle))
    drag = vehicle.booster.model_copy(update={"cd_mach": [(0.0, 2.0), (1.0, 2.0)]})
    assert drag.cd(1.2) == 2.0  # no stale cached table


# --- errors for people ---------------------------------------------------------------------------


def test_config_error_format() -> None:
    assert str(ConfigError("bad", file="a.toml", key="x.y")) == "a.toml: x.y: bad"
    assert str(ConfigError("bad", file="a.toml")) == "a.toml: bad"
    assert str(ConfigError("bad\nthing", key="k")) == "k: bad thing"
    err = pickle.loads(pickle.dumps(ConfigError("bad", file="a.toml", key="x")))
    assert (err.file, err.key, err.problem) == ("a.toml", "x", "bad")


def v(old: str, new: str) -> str:
    """The test vehicle with one fragment replaced."""
    assert old in VEHICLE
    return VEHICLE.replace(old, new)


E = "booster.engine."
VEHICLE_CASES = [  # (id, TOML text, key, part of the problem)
    ("unknown-key", v("gimbal_deg", "gimbal_degs"), E + "gimbal_degs", "unknown key (did you mean"),
    ("wrong-type", v("c_n = 900000.0", 'c_n = "abc"'), E + "thrust_vac_n", "number, got 'abc'"),
    ("zero-dry", v("dry_mass_kg = 20000.0", "dry_mass_kg = 0"), "booster.dry_mass_kg", "> 0"),
    (
        "neg-prop",
        v("propellant_mass_kg = 3", "propellant_mass_kg = -3"),
        "booster.propellant_mass_kg",
        "must be > 0, got -300000.0",
    ),
    (
        "throttle",
        v("min = 0.4\nthrottle_max = 1.0", "min = 0.9\nthrottle_max = 0.8"),
        E + "throttle_min",
        "throttle_min 0.9 is above throttle_max 0.8",
    ),
    (
        "hover",
        v("dry_mass_kg = 2", "dry_mass_kg = 9"),
        "booster.landing.engines",
        "landing engines (1 x 800 kN) cannot hover the 90.0 t dry stage",
    ),
    ("thrust-sl", v("l_n = 800000.0", "l_n = 950000.0"), E + "thrust_sl_n", "above vacuum thrust"),
    ("cd-order", v("[2.0, 1.0]", "[0.5, 1.0]"), "booster.cd_mach[2]", "strictly ascending"),
    (
        "plume-start",
        v(
            "cd_mach = [[0.0, 0.8], [1.0, 1.1], [2.0, 1.0]]",
            "cd_mach = [[0.0, 0.8], [1.0, 1.1], [2.0, 1.0]]\nplume_drag = [[0.0, 0.9], [1.0, 0.1]]",
        ),
        "booster.plume_drag[0]",
        "must start at (0, 1)",
    ),
    (
        "plume-order",
        v(
            "cd_mach = [[0.0, 0.8], [1.0, 1.1], [2.0, 1.0]]",
            "cd_mach = [[0.0, 0.8], [1.0, 1.1], [2.0, 1.0]]\n"
            "plume_drag = [[0.0, 1.0], [1.0, 0.1], [0.5, 0.0]]",
        ),
        "booster.plume_drag[2]",
        "C_T must be strictly ascending",
    ),
    (
        "landing-engines",
        v("engines = 1\n", "engines = 12\n"),
        "booster.landing.engines",
        "12 landing engines but the stage has 9",
    ),
    ("body", 'body = "venus"\n' + VEHICLE, "body", "expected one of 'earth' or 'mars'"),
    ("missing", v("isp_vac_s = 310.0\n", ""), E + "isp_vac_s", "missing required key"),
    ("int-type", v("count = 9", "count = 9.5"), "booster.engine_count", "expected a whole number"),
    (
        "source-typo",
        VEHICLE + '[sources]\n"booster.engin.x" = "y"\n',
        "sources",
        "'booster.engin.x' names no key",
    ),
]


def assert_one_line(err: ConfigError, file: str, key: str | None, problem: str) -> None:
    text = str(err)
    assert "\n" not in text
    assert file in text, text
    if key is not None:
        assert err.key == key, text
        assert f": {key}: " in text, text
    assert problem in text, text


@pytest.mark.parametrize(
    ("case", "text", "key", "problem"), VEHICLE_CASES, ids=[c[0] for c in VEHICLE_CASES]
)
def test_bad_vehicle(tmp_path: Path, case: str, text: str, key: str, problem: str) -> None:
    path = write(tmp_path, f"{case}.toml", text)
    with pytest.raises(ConfigError) as info:
        load_vehicle(path)
    assert_one_line(info.value, f"{case}.toml", key, problem)


def sc(old: str, new: str) -> str:
    """The test scenario with one fragment replaced."""
    assert old in SCENARIO
    return SCENARIO.replace(old, new)


WIND = """
[environment]
wind_layers = [
  { altitude_m = 1000.0, wind_enu_mps = [5.0, 0.0, 0.0] },
  { altitude_m = 500.0, wind_enu_mps = [8.0, 0.0, 0.0] },
]
"""
P = "initial.propellant_kg"
SCENARIO_CASES = [  # (id, TOML text, key, part of the problem)
    ("cannot-stop", sc("_kg = 9000.0", "_kg = 300.0"), P, "cannot stop the vehicle: 300 kg gives"),
    ("too-much-prop", sc("_kg = 9000.0", "_kg = 5e5"), P, "500000 kg is more than the 395700 kg"),
    (
        "unknown-vehicle",
        sc('"falcon9"', '"falcon99"'),
        "vehicle",
        "unknown vehicle 'falcon99'; built-in vehicles: falcon9, mars_lander, zhuque3",
    ),
    ("missing-vehicle-file", sc('"falcon9"', '"no/b.toml"'), "vehicle", "file not found"),
    (
        "wind-order",
        SCENARIO + WIND,
        "environment.wind_layers[1].altitude_m",
        "strictly ascending: 500 m follows 1000 m",
    ),
    (
        "velocity-len",
        sc("[0.0, 0.0, -250.0]", "[0.0, -250.0]"),
        "initial.velocity_enu_mps",
        "too few values: got 2",
    ),
    ("nodes", SCENARIO + "[guidance]\nnodes = 5\n", "guidance.nodes", "must be >= 10, got 5"),
]


@pytest.mark.parametrize(
    ("case", "text", "key", "problem"), SCENARIO_CASES, ids=[c[0] for c in SCENARIO_CASES]
)
def test_bad_scenario(tmp_path: Path, case: str, text: str, key: str, problem: str) -> None:
    path = write(tmp_path, f"{case}.toml", text)
    with pytest.raises(ConfigError) as info:
        load_landing(path)
    assert_one_line(info.value, f"{case}.toml", key, problem)


def test_cannot_stop_without_drag() -> None:
    scenario = scenario_from_dict(
        {
            "vehicle": "mars_lander",
            "initial": {
                "altitude_m": 1500.0,
                "velocity_enu_mps": [0.0, 0.0, -250.0],
                "propellant_kg": 60.0,
            },
            "environment": {"atmosphere": "none"},
        }
    )
    with pytest.raises(ConfigError) as info:
        check_scenario(scenario, load_vehicle("mars_lander"), file="m.toml")
    assert_one_line(info.value, "m.toml", "initial.propellant_kg", "gravity loss")


def test_malformed_toml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.toml", 'key = "x"\nname = "y"\nthis is not toml\n')
    with pytest.raises(ConfigError) as info:
        load_vehicle(path)
    assert_one_line(info.value, "broken.toml", None, "line 3")
    assert "invalid TOML" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    assert_one_line(info.value, "absent.toml", None, "file not found")
    with pytest.raises(ConfigError, match="file not found"):
        load_vehicle(path)


def test_unknown_builtin_vehicle_lists_choices() -> None:
    with pytest.raises(ConfigError) as info:
        load_vehicle("starship")
    for name in BUILTINS:
        assert name in str(info.value)


# --- properties ----------------------------------------------------------------------------------

fractions = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)


def engine_dict(throttle_min: float, throttle_max: float) -> dict[str, Any]:
    data = tomllib.loads(VEHICLE)
    del data["booster"]["landing"]  # no landing burn: no hover check at low throttle
    data["booster"]["engine"].update(throttle_min=throttle_min, throttle_max=throttle_max)
    return data


@given(fractions, fractions)
def test_throttle_order_is_enforced(a: float, b: float) -> None:
    low, high = min(a, b), max(a, b)
    vehicle = vehicle_from_dict(engine_dict(low, high))
    assert vehicle.booster.landing_thrust_min_n() <= vehicle.booster.landing_thrust_max_n()
    if low < high:
        with pytest.raises(ConfigError) as info:
            vehicle_from_dict(engine_dict(high, low), file="p.toml")
        assert info.value.key == "booster.engine.throttle_min"
        assert "is above throttle_max" in info.value.problem


@given(st.floats(min_value=0.0, max_value=59.0), st.floats(min_value=0.0, max_value=101_325.0))
def test_canted_thrust_and_flow(cant_deg: float, pressure_pa: float) -> None:
    data = tomllib.loads(VEHICLE)
    data["booster"]["engine"]["cant_deg"] = cant_deg
    data["booster"]["engine"]["thrust_vac_n"] = 2.5e6  # keeps hover possible at any cant
    stage = vehicle_from_dict(data).booster
    cos_cant = math.cos(math.radians(cant_deg))
    assert stage.landing_thrust_max_n(pressure_pa) == pytest.approx(
        stage.engine.thrust_n(pressure_pa) * cos_cant
    )
    assert stage.landing_alpha_s_per_m == pytest.approx(1.0 / (310.0 * 9.80665 * cos_cant))

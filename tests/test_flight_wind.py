"""Wind on the rotating Earth: the ECEF kernel flies the air-relative velocity.

The wind is east-north-up at the vehicle's geodetic position, by height above the Earth model;
drag, Mach, dynamic pressure, the plume and the fins take ``v - w``. Whole flights fly in the
scenario's wind.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from boostback.config.loader import load_flight
from boostback.config.models import WindConfig, WindLayer
from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.environment.atmosphere import USSA1976
from boostback.environment.earth import WGS84Earth
from boostback.environment.frames import ecef_to_enu_velocity, enu_to_ecef_velocity
from boostback.environment.wind import ConstantWind, LayeredWind, NoWind, layered_wind
from boostback.flight import kernel_loops
from boostback.flight.dynamics import COAST, Body, Command, World, air_data
from boostback.flight.executive import fly_mission
from boostback.flight.kernel import derivatives, flight_kernel
from boostback.flight.predict import predict_impact
from boostback.flight.setup import flight_setup

EARTH = WGS84Earth()
STILL = World(EARTH, USSA1976())
# Cd flat in Mach, so that drag goes as the square of the air-relative speed
BODY = Body(AeroParams(10.0, (0.0, 10.0), (1.0, 1.0)), fin_authority_m2=4.0)
BARE = Body(AeroParams(10.0, (), ()))
PROP = PropulsionParams(2.7e6, 1.2, 900.0, 0.4, 1.0)


def state(lat: float, lon: float, h: float, v_enu: tuple[float, float, float]) -> tuple:
    """An ECEF state at a geodetic position with an ENU velocity, 30 t."""
    r = EARTH.geodetic_to_ecef(lat, lon, h)
    v = enu_to_ecef_velocity(np.array(v_enu), lat, lon)
    return (*map(float, r), *map(float, v), 30_000.0)


def drag(x: tuple, world: World, cmd: Command = COAST) -> np.ndarray:
    """The aerodynamic acceleration: the kernel's with drag less the one without."""
    with_air = np.array(derivatives(x, cmd, BODY, world))
    without = np.array(derivatives(x, cmd, BARE, world))
    return (with_air - without)[3:6]


def test_a_wind_equal_to_the_vehicle_velocity_leaves_no_drag() -> None:
    # steep climb at 45 deg: a geocentric instead of geodetic up would leave ~1 m/s of airspeed
    x = state(math.radians(45.0), 0.3, 8_000.0, (120.0, -60.0, 300.0))
    lat, lon, _h = EARTH.geodetic_xyz(*x[:3])
    v_enu = ecef_to_enu_velocity(np.array(x[3:6]), lat, lon)
    world = World(EARTH, USSA1976(), ConstantWind(tuple(map(float, v_enu))))
    assert np.linalg.norm(drag(x, STILL)) > 1.0
    assert np.linalg.norm(drag(x, world)) < 1e-9
    air = air_data(x, world)
    assert air.speed_mps < 1e-9 and air.mach < 1e-11 and air.qbar_pa < 1e-15
    fin = Command(0.0, None, (0.0, 0.0, 1.0), (0.3, -0.2, 0.5))
    assert np.linalg.norm(drag(x, world, fin)) < 1e-9  # no air flow, no fin force


@pytest.mark.parametrize("fraction", [0.25, 0.5, -0.5])
def test_a_wind_along_the_velocity_scales_drag_as_the_square_of_the_airspeed(
    fraction: float,
) -> None:
    v_enu = (150.0, 80.0, -250.0)
    x = state(0.5, 1.0, 5_000.0, v_enu)
    w = ConstantWind(tuple(fraction * c for c in v_enu))
    still, windy = drag(x, STILL), drag(x, World(EARTH, USSA1976(), w))
    assert np.linalg.norm(windy) / np.linalg.norm(still) == pytest.approx(
        (1.0 - fraction) ** 2, rel=1e-9
    )
    v = np.array(x[3:6])
    cos = float(windy @ v) / (np.linalg.norm(windy) * np.linalg.norm(v))
    assert cos == pytest.approx(-1.0, abs=1e-12)  # still against the velocity
    air, air0 = air_data(x, World(EARTH, USSA1976(), w)), air_data(x, STILL)
    assert air.speed_mps == pytest.approx(abs(1.0 - fraction) * air0.speed_mps, rel=1e-12)
    assert air.qbar_pa == pytest.approx((1.0 - fraction) ** 2 * air0.qbar_pa, rel=1e-12)


def test_a_crosswind_turns_the_drag_and_the_fins_with_the_airflow() -> None:
    x = state(0.2, -1.0, 3_000.0, (0.0, 0.0, -200.0))  # falling straight down
    world = World(EARTH, USSA1976(), ConstantWind((30.0, 0.0, 0.0)))
    lat, lon, _ = EARTH.geodetic_xyz(*x[:3])
    d_enu = ecef_to_enu_velocity(drag(x, world), lat, lon)
    # air-relative velocity (-30, 0, -200): drag pushes up and east, along (30, 0, 200)
    assert d_enu[0] / d_enu[2] == pytest.approx(30.0 / 200.0, rel=1e-9)
    fin = Command(
        0.0,
        None,
        (0.0, 0.0, 1.0),
        tuple(map(float, enu_to_ecef_velocity(np.array([0.0, 0.0, 1.0]), lat, lon))),
    )
    lateral = drag(x, world, fin) - drag(x, world)
    u = np.array(x[3:6]) - enu_to_ecef_velocity(np.array([30.0, 0.0, 0.0]), lat, lon)
    assert abs(float(lateral @ u)) < 1e-9 * np.linalg.norm(lateral) * np.linalg.norm(u)


@pytest.mark.parametrize("cmd", [COAST, Command(0.8, PROP, (0.0, 0.0, 1.0), (0.2, 0.1, 0.0))])
def test_a_wind_of_zero_changes_no_bit(cmd: Command) -> None:
    zero_layers = LayeredWind((0.0, 5_000.0), ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)))
    for h in (500.0, 12_000.0, 60_000.0):
        x = state(0.4, 2.0, h, (300.0, -100.0, -400.0))
        ref = derivatives(x, cmd, BODY, STILL)
        for wind in (ConstantWind((0.0, 0.0, 0.0)), zero_layers):
            assert derivatives(x, cmd, BODY, World(EARTH, USSA1976(), wind)) == ref
        assert air_data(x, World(EARTH, USSA1976(), zero_layers)) == air_data(x, STILL)


def test_a_layered_profile_is_interpolated_by_height() -> None:
    profile = LayeredWind((0.0, 10_000.0), ((10.0, 0.0, 0.0), (40.0, -20.0, 0.0)))
    layered = World(EARTH, USSA1976(), profile)
    for h, expected in ((-50.0, (10, 0)), (2_500.0, (17.5, -5)), (7_000.0, (31, -14)),
                        (15_000.0, (40, -20))):  # fmt: skip
        x = state(0.5, 0.2, h, (0.0, 0.0, -150.0))
        h_model = EARTH.geodetic_xyz(*x[:3])[2]
        w = layered_wind(h_model, *profile.table)
        assert w == pytest.approx((*expected, 0.0), abs=1e-6)
        constant = World(EARTH, USSA1976(), ConstantWind(w))
        assert derivatives(x, COAST, BODY, layered) == derivatives(x, COAST, BODY, constant)


def test_the_wind_table_and_unknown_models() -> None:
    k = flight_kernel(BODY, World(EARTH, USSA1976(), ConstantWind((1.0, 2.0, 3.0))))
    assert k.wind.tolist() == [[0.0, 1.0, 2.0, 3.0]]
    assert flight_kernel(BODY, STILL).wind.shape == (0, 4)
    assert STILL.wind == NoWind()

    class Gusty:
        def at(self, h_m: float) -> tuple[float, float, float]:
            return (1.0, 0.0, 0.0)

    with pytest.raises(TypeError, match="wind model Gusty"):
        flight_kernel(BODY, World(EARTH, USSA1976(), Gusty()))  # type: ignore[arg-type]


def test_the_impact_prediction_drifts_downwind() -> None:
    x = state(0.5, 0.2, 20_000.0, (0.0, 0.0, -100.0))
    windy = World(EARTH, USSA1976(), ConstantWind((0.0, 25.0, 0.0)))  # from the south
    still = predict_impact(x, 0.0, BODY, STILL, 0.0, 25_000.0)
    blown = predict_impact(x, 0.0, BODY, windy, 0.0, 25_000.0)
    assert still.landed and blown.landed
    lat, lon, _ = EARTH.geodetic_xyz(*x[:3])
    moved = ecef_to_enu_velocity(np.array(blown.state[:3]) - np.array(still.state[:3]), lat, lon)
    assert moved[1] > 100.0 and abs(moved[0]) < 0.1 * moved[1]
    # the peaks are of the air-relative flow: a tailwind as fast as the fall leaves less
    tail = World(EARTH, USSA1976(), ConstantWind((0.0, 0.0, -100.0)))
    assert predict_impact(x, 0.0, BODY, tail, 0.0, 25_000.0).peak_qbar_pa < still.peak_qbar_pa


def test_recorded_rows_take_mach_and_q_on_the_airspeed() -> None:
    x = state(0.5, 0.2, 3_000.0, (40.0, 10.0, -60.0))
    lat, lon, _ = EARTH.geodetic_xyz(*x[:3])
    v_enu = ecef_to_enu_velocity(np.array(x[3:6]), lat, lon)
    kernel = flight_kernel(BODY, World(EARTH, USSA1976(), ConstantWind(tuple(map(float, v_enu)))))
    rows = kernel_loops.sample_rows(
        kernel, 0.0, np.zeros(1), np.array([x[:3]]), np.array([x[3:6]]), np.array([x[6]]),
        np.zeros(1), np.array([[0.0, 0.0, 1.0]]), PROP, 1.0,
    )  # fmt: skip
    assert rows[0, 17] < 1e-11 and rows[0, 18] < 1e-15  # Mach, q


def _windy_rtls():
    scenario, vehicle = load_flight("falcon9_rtls")
    layers = [
        WindLayer(altitude_m=0.0, wind_enu_mps=(10.0, 0.0, 0.0)),
        WindLayer(altitude_m=10_000.0, wind_enu_mps=(40.0, 0.0, 0.0)),
    ]
    env = WindConfig(wind_layers=layers)
    return scenario.model_copy(update={"environment": env}), vehicle


def test_a_whole_flight_flies_in_the_scenarios_wind() -> None:
    scenario, vehicle = _windy_rtls()
    setup = flight_setup(vehicle, scenario)
    assert isinstance(setup.world.wind, LayeredWind)
    assert setup.world.wind.at(5_000.0) == (25.0, 0.0, 0.0)
    result = fly_mission(scenario, vehicle)
    assert result.outcome == "landed", result.notes
    td = result.landing.touchdown
    assert td is not None and td.miss_m < 10.0 and td.vertical_speed_mps <= 2.0
    still = fly_mission(*load_flight("falcon9_rtls"))
    # the same mission, but not the same flight: the air moved
    assert result.summary()["max_q_ascent_pa"] != still.summary()["max_q_ascent_pa"]

"""A pad above sea level: the flat landing burn looks the air and the wind up from the pad's
height (a whole flight's Zhuque-3 pad stands ~1300 m up), and a whole flight's landing burn flies
on the rotating Earth from the hand-over on."""

from __future__ import annotations

import numpy as np
import pytest

from boostback.dynamics import Environment, drag_accel
from boostback.dynamics.fast import compile_kernel
from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.environment import USSA1976, InverseSquareGravity, LayeredWind
from boostback.environment.atmosphere import ussa1976_scalar

AERO = AeroParams(10.5, (0.0, 1.0, 3.0), (0.8, 1.2, 1.0))
PROP = PropulsionParams(8.5e5, 0.9, 300.0, 0.4, 1.0)
WIND = LayeredWind((0.0, 2000.0), ((2.0, 0.0, 0.0), (12.0, -3.0, 0.0)))


def _env(base: float) -> Environment:
    return Environment(USSA1976(), InverseSquareGravity(3.986e14, 6.371e6), WIND, base)


@pytest.mark.parametrize("up", [0.0, 350.0, 2500.0])
def test_the_air_and_the_wind_are_looked_up_from_the_pad(up: float) -> None:
    base = 1300.0
    assert _env(base).pressure_pa(up) == ussa1976_scalar(up + base)[1]
    x = (10.0, -5.0, up, 30.0, 0.0, -180.0, 30_000.0)
    shifted = (10.0, -5.0, up + base, 30.0, 0.0, -180.0, 30_000.0)
    # the same drag as a pad at sea level sees that much higher (the wind table moved with it)
    assert drag_accel(x, AERO, _env(base), 2e5) == drag_accel(shifted, AERO, _env(0.0), 2e5)


def test_a_higher_pad_means_thinner_air_and_less_drag() -> None:
    x = (0.0, 0.0, 1000.0, 0.0, 0.0, -200.0, 30_000.0)
    low = drag_accel(x, AERO, _env(0.0))
    high = drag_accel(x, AERO, _env(1300.0))
    assert 0.0 < high[2] < low[2]
    rho_ratio = ussa1976_scalar(2300.0)[2] / ussa1976_scalar(1000.0)[2]
    assert high[4] / low[4] == pytest.approx(rho_ratio, rel=2e-2)  # q with the wind's change


def test_the_compiled_step_sees_the_pad_height() -> None:
    x = (0.0, 0.0, 800.0, 0.0, 0.0, -150.0, 30_000.0)
    steps = [
        compile_kernel(PROP, AERO, _env(b)).step(x, 0.5, 0.8, (0.0, 0.0, 1.0)) for b in (0, 1300)
    ]
    # 2100 m above sea level the layered wind blows harder east: the drag pushes further east
    assert steps[1][3] > steps[0][3] > 0.0
    # thinner air: less drag braking the fall, outweighing the little thrust the lower back-
    # pressure adds
    assert steps[1][5] < steps[0][5]
    assert np.isfinite(steps[1]).all()


def test_a_landing_scenario_sets_its_pad_height() -> None:
    from boostback.config import load_landing
    from boostback.config.errors import ConfigError
    from boostback.config.loader import scenario_from_dict
    from boostback.mission.landing import fly_landing
    from boostback.plant.setup import landing_setup

    scenario, vehicle = load_landing("zhuque3_landing")
    results = []
    for alt in (0.0, 1300.0):
        env = scenario.environment.model_copy(update={"pad_altitude_m": alt})
        setup = landing_setup(vehicle, scenario.model_copy(update={"environment": env}))
        assert setup.env.base_altitude_m == alt
        results.append(fly_landing(setup))
    low, high = (r.trajectory for r in results)
    # same start state, thinner air: the start's dynamic pressure falls with the density
    rho_ratio = ussa1976_scalar(4300.0)[2] / ussa1976_scalar(3000.0)[2]
    assert high.qbar_pa[0] / low.qbar_pa[0] == pytest.approx(rho_ratio, rel=1e-9)
    data = scenario.model_dump()
    data["environment"]["pad_altitude_m"] = 90_000.0
    with pytest.raises(ConfigError, match="pad_altitude_m"):
        scenario_from_dict(data, "pad.toml")

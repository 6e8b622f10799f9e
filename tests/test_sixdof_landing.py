"""The closed-loop 6-DoF landing burn (#16): the rigid vehicle's landing loop lands, and its
attitude loop and thrust-axis reference behave as designed (docs/six_dof.md, "The 6-DoF landing
loop")."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.config.loader import load_landing
from boostback.control.attitude import (
    AttitudeController,
    AttitudeGains,
    TiltReference,
    tilt_direction,
    tilt_vector,
)
from boostback.control.landing import TranslationDemand
from boostback.dynamics.rigid_body import quat_between
from boostback.dynamics.sixdof import SixDofKernel
from boostback.gnc.faults import FaultState
from boostback.gnc.outcome import Outcome
from boostback.gnc.protocols import Demand, NavEstimate, Tick
from boostback.mission.landing import fly_landing
from boostback.plant.setup import LandingSetup, landing_setup
from boostback.plant.sixdof import SixDofPlant
from boostback.plant.sixdof_setup import sixdof_params

DT = 0.02


def _rigid(name: str) -> LandingSetup:
    sc, veh = load_landing(name)
    return landing_setup(veh, sc.model_copy(update={"sim": sc.sim.model_copy(update={"dof": 6})}))


@pytest.mark.parametrize("name", ["falcon9_landing", "zhuque3_landing", "zhuque3_y1"])
def test_rigid_landing_lands_within_the_vehicle_limits(name: str) -> None:
    setup = _rigid(name)
    res = fly_landing(setup)
    td = res.touchdown
    lim = setup.stage.limits
    assert res.outcome is Outcome.LANDED, (res.outcome, td, res.notes)
    assert td is not None
    assert td.vertical_speed_mps <= lim.max_vertical_speed_mps
    assert td.miss_m <= lim.max_miss_m
    assert td.tilt_deg <= lim.max_tilt_deg
    assert td.tipover_margin > 0.5  # the legs' energy margin: half of it left at least
    # a vehicle that points where the plan wants arrives with little rate left: well under the
    # attitude reference's turn-rate cap
    assert td.rates_dps < math.degrees(AttitudeGains().turn_rate_rad_s) / 4


# The attitude loop on its own: the Falcon 9 booster upright in its landing burn (one engine at
# 70 % throttle), a translation law that asks for a fixed or turning thrust direction.


class _Law:
    def __init__(self, tilt_of_t) -> None:
        self.tilt_of_t = tilt_of_t

    def demand(self, nav, demand, tick) -> TranslationDemand:
        th = self.tilt_of_t(tick.t_s)
        return TranslationDemand(np.array([math.sin(th), 0.0, math.cos(th)]) * 20.0, 0.5, False)

    def throttle_for(self, nav, accel_mps2: float) -> float:
        return 0.7


def _fly_attitude(tilt_of_t, duration_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Times and the body axis's tilt towards east (rad) under the attitude loop."""
    sc, veh = load_landing("falcon9_landing")
    base = landing_setup(veh, sc)
    setup = LandingSetup(
        **{**base.__dict__, "x0": (0.0, 0.0, 2000.0, 0.0, 0.0, -60.0, base.dry_mass_kg + 8000.0)}
    )
    params = sixdof_params(veh)
    plant = SixDofPlant(setup, FaultState(), params, (0,))
    plant._x[7:11] = quat_between((1.0, 0.0, 0.0), (0.0, 0.0, 1.0))  # start upright
    plant._view = None
    plant.ignite(0.0)
    ctl = AttitudeController(_Law(tilt_of_t), SixDofKernel.build(params, setup.env), (0,))
    ts, tilts = [], []
    for _ in range(int(duration_s / DT)):
        tick = Tick(plant.t_s, "landing_burn", plant.altitude_m)
        s = plant.sense()
        nav = NavEstimate(plant.state, s.pressure_pa, 1.0, s.lit_at_s, attitude=s.attitude)
        act = plant.actuate(ctl.command(nav, Demand("landing_burn", 0.0), tick, DT), tick, DT)
        plant.step(act, DT, tick)
        ax = plant.axis
        ts.append(plant.t_s)
        tilts.append(math.atan2(ax[0], ax[2]))
    return np.array(ts), np.array(tilts)


def test_attitude_loop_settles_a_step_without_overshoot() -> None:
    step = math.radians(5.0)
    g = AttitudeGains()
    t, tilt = _fly_attitude(lambda t: step, 12.0)
    # small-signal: a first-order reference of bandwidth k followed by the loop: within 10 %
    # after ln(10)/k plus the loop's own few time constants (2 zeta / wn each)
    settle = math.log(10.0) / g.reference_gain_per_s + 3 * 2 * g.damping / g.bandwidth_rad_s
    assert np.all(np.abs(tilt[t >= settle] - step) <= 0.1 * step)
    assert tilt.max() <= 1.1 * step  # overshoot under 10 %
    assert abs(tilt[-1] - step) < math.radians(0.1)


def test_attitude_loop_follows_a_ramp_with_the_reference_lag() -> None:
    rate = math.radians(1.5)  # the plans' typical tilt rate (docs/six_dof.md)
    g = AttitudeGains()
    t, tilt = _fly_attitude(lambda t: rate * t, 10.0)
    # a first-order reference of bandwidth k follows a ramp rate r behind by r / k; with the
    # rate and acceleration fed forward, the loop adds little to it
    lag = rate * t - tilt
    late = t > 6.0
    assert np.all(np.abs(lag[late] - rate / g.reference_gain_per_s) < math.radians(0.3))


# The thrust-axis reference on its own.

angles = st.floats(-0.35, 0.35)


@settings(max_examples=40, deadline=None)
@given(angles, angles, angles, angles)
def test_reference_respects_its_rate_and_acceleration_limits(a, b, c, d) -> None:
    start, target = tilt_direction(np.array([a, b])), tilt_direction(np.array([c, d]))
    ref = TiltReference()
    accel, rate_max, gain = 0.05, math.radians(10.0), 1.2
    prev_rate = np.zeros(2)
    theta = []
    for _ in range(int(30.0 / DT)):
        ref.step(target, start, DT, gain, accel, rate_max)
        assert np.linalg.norm(ref.rate) <= rate_max + 1e-12
        assert np.linalg.norm(ref.rate - prev_rate) <= accel * DT + 1e-12
        prev_rate = ref.rate.copy()
        theta.append(ref.theta.copy())
    # it arrives, and a bang-bang turn at the same acceleration is the fastest it could
    err = np.linalg.norm(np.array(theta) - tilt_vector(target), axis=1)
    assert err[-1] < 1e-3
    dist = float(np.linalg.norm(tilt_vector(target) - tilt_vector(start)))
    fastest = 2.0 * math.sqrt(dist / accel)
    assert not np.any(err[: max(int(0.9 * fastest / DT) - 1, 0)] < 1e-3 * max(dist, 1e-9))


def test_reference_small_step_is_first_order() -> None:
    ref = TiltReference()
    step = 1e-3  # rad: far inside the rate and acceleration limits
    gain = 1.2
    target = tilt_direction(np.array([step, 0.0]))
    n = round(1.0 / gain / DT)
    for _ in range(n):
        ref.step(target, (0.0, 0.0, 1.0), DT, gain, 1.0, 1.0)
    # after one time constant a first-order lag has covered 1 - 1/e of the step (to the
    # one-step discretisation of the acceleration limit's rate update)
    assert ref.theta[0] / step == pytest.approx(1.0 - math.exp(-1.0), abs=0.03)


def test_tilt_vector_round_trip() -> None:
    for d in [(0.0, 0.0, 1.0), (0.1, -0.2, 0.97), (0.3, 0.4, math.sqrt(0.75))]:
        u = np.asarray(d) / np.linalg.norm(d)
        back = tilt_direction(tilt_vector(tuple(u)))
        assert np.allclose(back, u, atol=1e-12)

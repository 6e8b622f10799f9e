"""Tests for the point-mass equations of motion, the RK4 step and the event-detecting integrator.

The equations are one compiled source (``dynamics.point_mass``, ``dynamics.forces``); the parity
test at the end runs that source interpreted (BOOSTBACK_JIT=0) and compares.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from boostback.constants import G0_MPS2, MARS_G_MPS2, SEA_LEVEL_PRESSURE_PA
from boostback.dynamics import (
    AeroParams,
    Environment,
    PropulsionParams,
    State,
    derivatives,
    drag_accel,
    rk4_step,
    step_with_events,
)
from boostback.environment import (
    USSA1976,
    ConstantWind,
    NoWind,
    UniformGravity,
    Vacuum,
    ussa1976_scalar,
)

NO_AERO = AeroParams(reference_area_m2=10.0, mach=(), cd=())
UP = (0.0, 0.0, 1.0)
# A booster-sized engine cluster: 1 MN in vacuum, 0.8 m^2 of exit area, 300 kg/s at throttle 1.
PROP = PropulsionParams(
    thrust_vac_n=1.0e6,
    exit_area_m2=0.8,
    mass_flow_kgps=300.0,
    throttle_min=0.4,
    throttle_max=1.0,
)
NO_THRUST = PropulsionParams(0.0, 0.0, 0.0, 0.0, 1.0)


def vacuum_env(g: float = G0_MPS2) -> Environment:
    return Environment(Vacuum(), UniformGravity(g), NoWind())


def ballistic_closed_form(x0: State, t: float, g: float) -> tuple[float, ...]:
    """Position and velocity of drag-free, thrust-free flight under uniform gravity."""
    r = (x0[0] + x0[3] * t, x0[1] + x0[4] * t, x0[2] + x0[5] * t - 0.5 * g * t * t)
    v = (x0[3], x0[4], x0[5] - g * t)
    return r + v


def fly(x: State, dt: float, steps: int, throttle: float, direction, prop, aero, env) -> State:
    for _ in range(steps):
        x = rk4_step(x, dt, throttle, direction, prop, aero, env)
    return x


# ---------------------------------------------------------------- gravity-only flight


def test_uniform_gravity_rejects_zero() -> None:
    # Why the thrust tests below keep gravity and thrust horizontally instead.
    with pytest.raises(ValueError, match="> 0"):
        UniformGravity(0.0)


@pytest.mark.parametrize(
    ("g", "env_atmosphere"),
    [(G0_MPS2, Vacuum()), (MARS_G_MPS2, Vacuum()), (G0_MPS2, USSA1976())],
)
def test_ballistic_flight_matches_closed_form(g: float, env_atmosphere) -> None:
    # With an empty Cd table there is no drag even inside the atmosphere.
    env = Environment(env_atmosphere, UniformGravity(g), NoWind())
    x0: State = (120.0, -45.0, 3000.0, 35.0, -20.0, 150.0, 25_000.0)
    dt, steps = 0.01, 4000  # 40 s: up, over the top and back down below the start
    x = fly(x0, dt, steps, 0.0, UP, PROP, NO_AERO, env)
    expected = ballistic_closed_form(x0, dt * steps, g)
    for got, want in zip(x[:6], expected, strict=True):
        assert got == pytest.approx(want, rel=1e-10, abs=1e-8)
    assert x[6] == x0[6]  # no throttle, no mass flow


@settings(max_examples=50, deadline=None)
@given(
    pos=st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.floats(0.0, 5e4)),
    vel=st.tuples(st.floats(-500, 500), st.floats(-500, 500), st.floats(-500, 500)),
    g=st.floats(1.0, 25.0),
    throttle=st.floats(0.0, 1.0),
    mass_flow=st.floats(0.0, 100.0),
    dt=st.floats(0.01, 1.0),
    steps=st.integers(1, 5),
)
def test_mechanical_energy_conserved_without_thrust_or_drag(
    pos, vel, g, throttle, mass_flow, dt, steps
) -> None:
    # A zero-thrust engine still flows propellant at any throttle: mass falls, energy stays.
    prop = PropulsionParams(0.0, 0.0, mass_flow, 0.0, 1.0)
    env = Environment(USSA1976(), UniformGravity(g), NoWind())
    x0: State = (*pos, *vel, 10_000.0)
    x = fly(x0, dt, steps, throttle, UP, prop, NO_AERO, env)

    def energy(s: State) -> float:
        return 0.5 * (s[3] ** 2 + s[4] ** 2 + s[5] ** 2) + g * s[2]

    scale = 0.5 * sum(v * v for v in vel) + g * abs(pos[2]) + 1.0
    assert abs(energy(x) - energy(x0)) <= 1e-9 * scale
    assert x[6] == pytest.approx(x0[6] - throttle * mass_flow * dt * steps, rel=1e-12, abs=1e-9)


# ---------------------------------------------------------------- thrust


def test_thrust_depends_on_back_pressure() -> None:
    p_sl = ussa1976_scalar(0.0)[1]
    assert p_sl == pytest.approx(SEA_LEVEL_PRESSURE_PA)
    assert PROP.thrust_n(0.0, 1.0) == 1.0e6
    assert PROP.thrust_n(Vacuum().scalar(0.0)[1], 0.5) == 5.0e5
    assert PROP.thrust_n(p_sl, 1.0) == pytest.approx(1.0e6 - 0.8 * 101_325.0, rel=1e-14)
    assert PROP.thrust_n(p_sl, 0.5) == pytest.approx(5.0e5 - 0.8 * 101_325.0, rel=1e-14)
    # Sea level always loses the same A p, whatever the throttle; thrust never goes negative.
    assert PROP.thrust_n(0.0, 0.7) - PROP.thrust_n(p_sl, 0.7) == pytest.approx(0.8 * p_sl)
    assert PROP.thrust_n(p_sl, 0.05) == 0.0


def test_derivatives_use_local_pressure_for_thrust() -> None:
    env = Environment(USSA1976(), UniformGravity(), NoWind())
    m = 40_000.0
    x: State = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, m)
    d = derivatives(x, 0.9, UP, PROP, NO_AERO, env)
    assert d[5] == pytest.approx((0.9e6 - 0.8 * 101_325.0) / m - G0_MPS2, rel=1e-12)
    assert d[6] == pytest.approx(-0.9 * 300.0)
    x_high: State = (0.0, 0.0, 30_000.0, 0.0, 0.0, 0.0, m)
    p_high = ussa1976_scalar(30_000.0)[1]
    d_high = derivatives(x_high, 0.9, UP, PROP, NO_AERO, env)
    assert d_high[5] == pytest.approx((0.9e6 - 0.8 * p_high) / m - G0_MPS2, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    pressure=st.floats(0.0, 2.0 * SEA_LEVEL_PRESSURE_PA),
    throttle=st.floats(0.2, 1.2),
)
def test_throttle_for_inverts_thrust_n(pressure: float, throttle: float) -> None:
    thrust = PROP.thrust_n(pressure, throttle)
    assert thrust > 0.0  # 0.2 MN at throttle 0.2 beats 0.8 m^2 x 203 kPa
    assert PROP.throttle_for(thrust, pressure) == pytest.approx(throttle, rel=1e-12)
    assert PROP.thrust_n(pressure, PROP.throttle_for(thrust, pressure)) == pytest.approx(
        thrust, rel=1e-12
    )


@pytest.mark.parametrize("direction", [(1.0, 0.0, 0.0), (0.6, 0.8, 0.0), (-0.28, 0.96, 0.0)])
def test_constant_thrust_in_vacuum_follows_rocket_equation(direction) -> None:
    # Thrust horizontal, gravity vertical: the horizontal motion is the pure rocket equation and
    # the vertical one pure free fall (UniformGravity(0) is rejected, so gravity stays on).
    env = vacuum_env()
    m0, throttle = 60_000.0, 0.8
    x0: State = (0.0, 0.0, 50_000.0, 0.0, 0.0, 0.0, m0)
    dt, steps = 0.05, 2000  # 100 s: 24 t of propellant, mass ratio 1.67
    x = fly(x0, dt, steps, throttle, direction, PROP, NO_AERO, env)
    t = dt * steps

    q = throttle * PROP.mass_flow_kgps
    m1 = m0 - q * t
    assert x[6] == pytest.approx(m1, rel=1e-13)

    isp_eff = PROP.thrust_n(0.0, throttle) / (q * G0_MPS2)
    ve = isp_eff * G0_MPS2
    dv_expected = ve * math.log(m0 / m1)
    dv = math.hypot(x[3], x[4])
    assert dv == pytest.approx(dv_expected, rel=1e-6)
    assert x[3] == pytest.approx(direction[0] * dv_expected, rel=1e-6, abs=1e-9)
    assert x[4] == pytest.approx(direction[1] * dv_expected, rel=1e-6, abs=1e-9)
    # Distance flown: integral of ve ln(m0 / m(t)).
    s_expected = ve * (t + m1 / q * math.log(m1 / m0))
    assert math.hypot(x[0], x[1]) == pytest.approx(s_expected, rel=1e-6)
    assert x[5] == pytest.approx(-G0_MPS2 * t, rel=1e-12)
    assert x[2] == pytest.approx(50_000.0 - 0.5 * G0_MPS2 * t * t, abs=1e-7)


# ---------------------------------------------------------------- drag


def _cd_const(cd: float, area: float) -> AeroParams:
    return AeroParams(reference_area_m2=area, mach=(0.0, 5.0), cd=(cd, cd))


def test_fall_through_ussa1976_approaches_terminal_velocity() -> None:
    m, cd, area = 1000.0, 1.0, 10.0
    aero = _cd_const(cd, area)
    env = Environment(USSA1976(), UniformGravity(), NoWind())
    x: State = (0.0, 0.0, 2000.0, 0.0, 0.0, 0.0, m)
    res = None
    for _ in range(100_000):
        res = step_with_events(x, 0.02, 0.0, UP, PROP, aero, env, 0.0)
        x = res.state
        if res.event is not None:
            break
    assert res is not None and res.event == "touchdown"
    rho_sl = ussa1976_scalar(0.0)[2]
    v_terminal = math.sqrt(2.0 * m * G0_MPS2 / (rho_sl * cd * area))  # ~40 m/s
    speed = math.sqrt(x[3] ** 2 + x[4] ** 2 + x[5] ** 2)
    assert x[5] < 0.0
    # Density rises on the way down, so the body lags its (falling) terminal speed a little.
    assert speed == pytest.approx(v_terminal, rel=0.02)
    assert speed >= v_terminal
    # Near terminal speed drag balances gravity: the acceleration has almost vanished.
    d = derivatives(x, 0.0, UP, PROP, aero, env)
    assert abs(d[5]) < 0.05 * G0_MPS2


def test_drag_acts_on_air_relative_velocity() -> None:
    # In a steady wind a drifting body ends up moving with the air horizontally.
    aero = _cd_const(1.0, 10.0)
    env = Environment(USSA1976(), UniformGravity(), ConstantWind((12.0, -5.0, 0.0)))
    x: State = (0.0, 0.0, 3000.0, 0.0, 0.0, 0.0, 1000.0)
    x = fly(x, 0.02, 2500, 0.0, UP, PROP, aero, env)  # 50 s, ~2 km of fall
    assert x[3] == pytest.approx(12.0, abs=0.05)
    assert x[4] == pytest.approx(-5.0, abs=0.05)


@settings(max_examples=50, deadline=None)
@given(
    alt=st.floats(0.0, 40_000.0),
    vel=st.tuples(st.floats(-800, 800), st.floats(-800, 800), st.floats(-800, 800)),
    wind=st.tuples(st.floats(-30, 30), st.floats(-30, 30), st.floats(-2, 2)),
    mass=st.floats(1_000.0, 100_000.0),
)
def test_derivatives_drag_matches_drag_accel(alt, vel, wind, mass) -> None:
    aero = AeroParams(10.0, (0.0, 0.8, 1.2, 3.0), (0.5, 0.6, 1.1, 0.9))
    env = Environment(USSA1976(), UniformGravity(), ConstantWind(wind))
    x: State = (0.0, 0.0, alt, *vel, mass)
    d = derivatives(x, 0.0, UP, PROP, aero, env)
    de, dn, du, mach, qbar = drag_accel(x, aero, env)
    # the same drag kernel: the same bits
    assert (d[3], d[4], d[5]) == (de, dn, du - G0_MPS2)
    _t, _p, rho, a = ussa1976_scalar(alt)
    rel = [v - w for v, w in zip(vel, wind, strict=True)]
    speed = math.sqrt(sum(c * c for c in rel))
    assert mach == pytest.approx(speed / a, rel=1e-12)
    assert qbar == pytest.approx(0.5 * rho * speed * speed, rel=1e-12)
    # Drag opposes the air-relative velocity and has magnitude qbar Cd A / m.
    drag = math.sqrt(de * de + dn * dn + du * du)
    assert drag == pytest.approx(qbar * aero.cd_at(mach) * 10.0 / mass, rel=1e-9, abs=1e-12)
    assert de * rel[0] + dn * rel[1] + du * rel[2] <= 1e-12


PLUME = AeroParams(
    10.0, (0.0, 5.0), (1.0, 1.0), plume_ct=(0.0, 0.5, 1.0, 2.0), plume_factor=(1.0, 0.4, 0.1, 0.0)
)


@pytest.mark.parametrize(
    ("thrust_coeff", "factor"), [(0.0, 1.0), (0.25, 0.7), (0.75, 0.25), (1.5, 0.05), (9.0, 0.0)]
)
def test_plume_scales_drag_by_thrust_coefficient(thrust_coeff: float, factor: float) -> None:
    env = Environment(USSA1976(), UniformGravity(), NoWind())
    x: State = (0.0, 0.0, 3_000.0, 0.0, 0.0, -300.0, 30_000.0)
    bare = drag_accel(x, PLUME, env)
    qbar = bare[4]
    thrust = thrust_coeff * qbar * PLUME.reference_area_m2
    shielded = drag_accel(x, PLUME, env, thrust)
    assert shielded[2] == pytest.approx(factor * bare[2], rel=1e-12, abs=1e-15)
    assert shielded[3:] == bare[3:]  # Mach and dynamic pressure are the free stream's
    # without a plume table the thrust changes nothing
    no_table = replace(PLUME, plume_ct=(), plume_factor=())
    assert drag_accel(x, no_table, env, thrust)[2] == bare[2]


def test_derivatives_apply_the_plume_only_while_thrusting() -> None:
    env = Environment(USSA1976(), UniformGravity(), NoWind())
    x: State = (0.0, 0.0, 3_000.0, 0.0, 0.0, -300.0, 30_000.0)
    coast = derivatives(x, 0.0, UP, PROP, PLUME, env)
    assert coast[5] == pytest.approx(drag_accel(x, PLUME, env)[2] - G0_MPS2, rel=1e-12)
    burn = derivatives(x, 0.8, UP, PROP, PLUME, env)
    p_pa = ussa1976_scalar(3_000.0)[1]
    thrust = PROP.thrust_n(p_pa, 0.8)
    expected = thrust / x[6] + drag_accel(x, PLUME, env, thrust)[2] - G0_MPS2
    assert burn[5] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- events


def test_touchdown_event_lands_the_step_on_the_ground() -> None:
    env = vacuum_env()
    x: State = (0.0, 0.0, 10.0, 3.0, -1.0, -20.0, 5_000.0)
    dt, t = 0.02, 0.0
    for _ in range(1000):
        res = step_with_events(x, dt, 0.0, UP, PROP, NO_AERO, env, 1_000.0)
        t += res.dt
        x = res.state
        if res.event is not None:
            break
    assert res.event == "touchdown"
    assert abs(x[2]) < 1e-6
    assert 0.0 < res.dt < dt
    # Closed form: 10 - 20 t - g t^2 / 2 = 0.
    t_hit = (-20.0 + math.sqrt(400.0 + 20.0 * G0_MPS2)) / G0_MPS2
    assert t == pytest.approx(t_hit, abs=1e-9)
    assert x[5] == pytest.approx(-20.0 - G0_MPS2 * t_hit, abs=1e-8)
    assert x[3] == 3.0 and x[4] == -1.0


@settings(max_examples=100, deadline=None)
@given(
    frac=st.floats(0.01, 0.99),
    vz=st.floats(-150.0, 5.0),
    dt=st.floats(0.005, 1.0),
    g=st.sampled_from([G0_MPS2, MARS_G_MPS2]),
)
def test_touchdown_time_matches_closed_form(frac: float, vz: float, dt: float, g: float) -> None:
    # Free fall that reaches the ground at h = frac * dt into the step: alt = -vz h + g h^2 / 2.
    h_true = frac * dt
    alt = -vz * h_true + 0.5 * g * h_true * h_true
    if alt <= 1e-6:
        return  # starts on (or rises from) the ground: nothing to detect
    x: State = (0.0, 0.0, alt, 1.0, 2.0, vz, 2_000.0)
    res = step_with_events(x, dt, 0.0, UP, PROP, NO_AERO, vacuum_env(g), 1_000.0)
    assert res.event == "touchdown"
    assert abs(res.state[2]) < 1e-6
    assert 0.0 < res.dt < dt
    # The search stops at |alt| < 1e-9 m, which pins the time to 1e-9 m / impact speed.
    assert res.dt == pytest.approx(h_true, abs=2e-9 / abs(vz - g * h_true) + 1e-12)


@settings(max_examples=100, deadline=None)
@given(
    alt=st.floats(1e-3, 20.0),
    vel=st.tuples(st.floats(-50, 50), st.floats(-50, 50), st.floats(-300.0, 10.0)),
    throttle=st.sampled_from([0.0, 0.4, 0.7, 1.0]),
    dt=st.floats(0.005, 1.0),
)
def test_step_with_events_ends_on_or_above_the_ground(alt, vel, throttle, dt) -> None:
    env = Environment(USSA1976(), UniformGravity(), NoWind())
    x: State = (0.0, 0.0, alt, *vel, 50_000.0)
    res = step_with_events(x, dt, throttle, UP, PROP, _cd_const(0.8, 10.0), env, 1_000.0)
    if res.event == "touchdown":
        event("touchdown")
        assert abs(res.state[2]) < 1e-6
        assert 0.0 < res.dt <= dt
        # The event state is an ordinary RK4 step of the reported length.
        again = rk4_step(x, res.dt, throttle, UP, PROP, _cd_const(0.8, 10.0), env)
        assert again == pytest.approx(res.state, rel=1e-12, abs=1e-9)
    else:
        event("no event")
        assert res.event is None
        assert res.dt == dt
        assert res.state[2] > 0.0


@pytest.mark.parametrize(
    ("alt", "dt"),
    [
        # Settling onto the pad at (almost) zero vertical speed, the guidance's planned touchdown,
        # at the simulator's default step: ground 2 ms into the step. Plain regula falsi (before
        # the Illinois modification) stalled here at alt 1.1e-5 m, h 1.3 ms.
        (0.5 * G0_MPS2 * 0.002**2, 0.02),
        # At rest 0.5 m up with a 1 s step (SimConfig.dt_s allows up to 1 s): it stalled at 1 cm.
        (0.5, 1.0),
    ],
)
def test_touchdown_refinement_from_rest(alt: float, dt: float) -> None:
    x: State = (0.0, 0.0, alt, 0.0, 0.0, 0.0, 2_000.0)
    res = step_with_events(x, dt, 0.0, UP, PROP, NO_AERO, vacuum_env(), 1_000.0)
    assert res.event == "touchdown"
    assert abs(res.state[2]) < 1e-6
    assert res.dt == pytest.approx(math.sqrt(2.0 * alt / G0_MPS2), rel=1e-6)


def test_propellant_out_event_stops_at_dry_mass() -> None:
    env = vacuum_env()
    dry = 20_000.0
    x: State = (0.0, 0.0, 5_000.0, 10.0, 0.0, -100.0, dry + 5.0)
    dt, throttle = 0.05, 1.0
    res = step_with_events(x, dt, throttle, UP, PROP, NO_AERO, env, dry)
    assert res.event == "propellant_out"
    assert res.state[6] == pytest.approx(dry, rel=1e-12)
    assert res.state[6] >= dry
    h_expected = 5.0 / (throttle * PROP.mass_flow_kgps)
    assert 0.0 < res.dt < dt
    assert res.dt == pytest.approx(h_expected, rel=1e-9)
    plain = rk4_step(x, res.dt, throttle, UP, PROP, NO_AERO, env)
    assert res.state[:6] == pytest.approx(plain[:6], rel=1e-12)
    # With the engine off, the same state just coasts.
    coast = step_with_events(x, dt, 0.0, UP, PROP, NO_AERO, env, dry)
    assert coast.event is None and coast.dt == dt and coast.state[6] == x[6]


def test_touchdown_wins_when_the_ground_comes_first() -> None:
    env = vacuum_env()
    dry = 20_000.0
    # Hits the ground after ~2 ms; the propellant would last ~17 ms.
    x: State = (0.0, 0.0, 0.1, 0.0, 0.0, -50.0, dry + 5.0)
    res = step_with_events(x, 0.05, 1.0, UP, PROP, NO_AERO, env, dry)
    assert res.event == "touchdown"
    assert abs(res.state[2]) < 1e-6
    assert res.state[6] > dry


def test_no_event_in_ordinary_step() -> None:
    x: State = (0.0, 0.0, 1_000.0, 0.0, 0.0, -50.0, 30_000.0)
    res = step_with_events(x, 0.02, 0.6, UP, PROP, NO_AERO, vacuum_env(), 20_000.0)
    assert res.event is None and res.dt == 0.02
    assert res.state == rk4_step(x, 0.02, 0.6, UP, PROP, NO_AERO, vacuum_env())


# ---------------------------------------------------------------- models the kernel knows


@dataclass(frozen=True)
class _Breeze:
    """A wind model the compiled kernel does not know."""

    def at(self, h_m: float) -> tuple[float, float, float]:
        return (1.0, 0.0, 0.0)

    def __call__(self, h_m: float) -> np.ndarray:
        return np.array(self.at(h_m))


def test_unknown_models_are_a_type_error() -> None:
    from boostback.dynamics.fast import compile_kernel

    x: State = (0.0, 0.0, 1_000.0, 0.0, 0.0, -50.0, 30_000.0)
    breeze = Environment(USSA1976(), UniformGravity(), _Breeze())
    with pytest.raises(TypeError, match="wind model _Breeze"):
        compile_kernel(PROP, NO_AERO, breeze)
    with pytest.raises(TypeError, match="wind model _Breeze"):
        step_with_events(x, 0.02, 0.5, UP, PROP, NO_AERO, breeze, 1_000.0)
    with pytest.raises(TypeError, match="wind model _Breeze"):
        drag_accel(x, NO_AERO, breeze)
    with pytest.raises(TypeError, match="atmosphere"):
        compile_kernel(PROP, NO_AERO, Environment(object(), UniformGravity(), NoWind()))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="gravity"):
        compile_kernel(PROP, NO_AERO, Environment(Vacuum(), object(), NoWind()))  # type: ignore[arg-type]


def test_gusts_fly_as_the_wind_they_add_up_to() -> None:
    from boostback.gnc.faults import GustWind

    aero = _cd_const(0.9, 10.0)
    x: State = (0.0, 0.0, 2_000.0, 20.0, -5.0, -150.0, 30_000.0)

    def flown(wind) -> tuple:
        env = Environment(USSA1976(), UniformGravity(), wind)
        return rk4_step(x, 0.05, 0.6, UP, PROP, aero, env), drag_accel(x, aero, env, 4e5)

    a, b = (3.0, -1.0, 0.5), (-7.0, 2.0, 0.0)
    total = tuple(u + v for u, v in zip(a, b, strict=True))
    assert flown(GustWind(NoWind(), a)) == flown(ConstantWind(a))
    assert flown(GustWind(ConstantWind(a), b)) == flown(ConstantWind(total))
    nested = flown(GustWind(GustWind(NoWind(), a), b))
    np.testing.assert_allclose(nested[0], flown(ConstantWind(total))[0], rtol=1e-15)
    assert flown(GustWind(NoWind(), a)) != flown(NoWind())


# ---------------------------------------------------------------- one source, compiled or not


def _run_cases(jit: bool) -> dict[str, list[str]]:
    env = {**os.environ, "BOOSTBACK_JIT": "1" if jit else "0"}
    script = Path(__file__).with_name("flat_parity_cases.py")
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_same_source_compiled_and_interpreted() -> None:
    """Atmosphere over -6..120 km, wind, gravity, force terms and short landing-burn flights
    with events (touchdown, propellant out), compiled and under BOOSTBACK_JIT=0.

    On the development machine every one of the ~22,600 values is bit-identical; the test asks
    for 1e-12 everywhere and the last bit for nearly all (libm is shared by both runs).
    """
    compiled, interpreted = _run_cases(jit=True), _run_cases(jit=False)
    assert compiled.keys() == interpreted.keys()
    assert sum("event" in key for key in compiled) >= 5  # the flights did reach their events
    total = same = 0
    for key, values in compiled.items():
        for a, b in zip(values, interpreted[key], strict=True):
            va, vb = float.fromhex(a), float.fromhex(b)
            assert va == pytest.approx(vb, rel=1e-12, abs=1e-300), key
            total += 1
            same += a == b
    assert same >= 0.9 * total

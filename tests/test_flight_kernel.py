"""The compiled rotating-Earth kernel against the pure-Python reference it was written from.

``flight.kernel`` and ``flight.kernel_loops`` repeat ``flight.dynamics`` (derivatives, RK4),
``flight.integrate`` (event location), ``flight.reserve``, ``flight.predict`` (the impact
prediction) and the ascent loop operation for operation; with this machine's libm the two agree to
the last bit, and the tests hold them to round-off.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from boostback.config.loader import load_flight
from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.environment.atmosphere import USSA1976, Vacuum
from boostback.environment.earth import SphericalEarth, WGS84Earth
from boostback.flight.ascent import fly_ascent
from boostback.flight.cli import resolve_flight
from boostback.flight.dynamics import Body, Command, World, derivatives, rk4_step
from boostback.flight.executive import fly_mission, plan_reserve_model
from boostback.flight.integrate import altitude_event, mass_event, step
from boostback.flight.kernel import (
    command_array,
    flight_kernel,
    hypot,
    reference_only,
    reserve_array,
    reserve_kg,
)
from boostback.flight.predict import EntryBurnSpec, predict_impact, predict_impact_reference
from boostback.flight.record import FlightRecorder
from boostback.flight.reserve import ReserveModel, reserve_budget
from boostback.flight.setup import flight_setup

WORLDS = [
    World(WGS84Earth(), USSA1976()),
    World(SphericalEarth(), USSA1976()),
    World(WGS84Earth(), Vacuum()),
]
PROP = PropulsionParams(2.7e6, 1.2, 900.0, 0.4, 1.0)
BODY = Body(  # with a retro-propulsion plume table: thrust into the flow shields the body
    AeroParams(
        10.5,
        (0.0, 0.5, 0.9, 1.1, 1.5, 3.0, 6.0),
        (0.8, 0.82, 1.0, 1.3, 1.2, 1.0, 0.95),
        plume_ct=(0.0, 0.5, 1.0, 2.0),
        plume_factor=(1.0, 0.35, 0.1, 0.03),
    ),
    fin_authority_m2=3.0,
)
NO_TABLE = Body(AeroParams(10.5, (), ()))


def _state(world: World, lat: float, lon: float, h: float, v: tuple[float, ...], m: float):
    r = world.earth.geodetic_to_ecef(lat, lon, h)
    return (*map(float, r), *v, m)


def _unit(a: float, b: float) -> tuple[float, float, float]:
    return (math.cos(a) * math.cos(b), math.cos(a) * math.sin(b), math.sin(a))


states = st.builds(
    lambda w, lat, lon, h, vx, vy, vz, m: (WORLDS[w], lat, lon, h, (vx, vy, vz), m),
    st.integers(0, len(WORLDS) - 1),
    st.floats(-1.5, 1.5),
    st.floats(-3.1, 3.1),
    st.floats(-2_000.0, 400_000.0),
    st.floats(-3_000.0, 3_000.0),
    st.floats(-3_000.0, 3_000.0),
    st.floats(-3_000.0, 3_000.0),
    st.floats(25_000.0, 500_000.0),
)
commands = st.builds(
    lambda throttle, lit, a, b, fin, fa, fb: Command(
        throttle, PROP if lit else None, _unit(a, b), tuple(fin * c for c in _unit(fa, fb))
    ),
    st.floats(0.0, 1.0),
    st.booleans(),
    st.floats(-1.5, 1.5),
    st.floats(-3.1, 3.1),
    st.floats(0.0, 1.0),
    st.floats(-1.5, 1.5),
    st.floats(-3.1, 3.1),
)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1e8, 1e8), y=st.floats(-1e8, 1e8))
def test_hypot_is_the_one_of_cpython(x: float, y: float) -> None:
    ref = math.hypot(x, y)
    assert abs(hypot(x, y) - ref) <= math.ulp(ref)


@settings(max_examples=200, deadline=None)
@example(  # speed so small that q underflows to zero while thrusting (found by hypothesis)
    s=(WORLDS[0], 0.0, 0.0, 68_927.0, (0.0, 0.0, 2.2669671193182205e-160), 25_000.0),
    cmd=Command(1.0, PROP, _unit(0.0, 0.0), (0.0, 0.0, 0.0)),
    table=True,
)
@given(s=states, cmd=commands, table=st.booleans())
def test_compiled_derivatives_equal_the_reference(s, cmd: Command, table: bool) -> None:
    world, lat, lon, h, v, m = s
    body = BODY if table else NO_TABLE
    x = _state(world, lat, lon, h, v, m)
    kernel = flight_kernel(body, world)
    assert kernel is not None
    fast = np.array(kernel.derivatives(x, command_array(cmd)))
    ref = np.array(derivatives(x, cmd, body, world))
    np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(s=states, cmd=commands, dt=st.floats(1e-3, 5.0))
def test_compiled_rk4_step_equals_the_reference(s, cmd: Command, dt: float) -> None:
    world, lat, lon, h, v, m = s
    x = _state(world, lat, lon, h, v, m)
    kernel = flight_kernel(BODY, world)
    assert kernel is not None
    fast = np.array(kernel.rk4(x, dt, command_array(cmd)))
    ref = np.array(rk4_step(x, dt, cmd, BODY, world))
    np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(h=st.floats(50.0, 5_000.0), vz=st.floats(-800.0, -50.0), throttle=st.floats(0.5, 1.0))
def test_step_locates_events_as_the_reference(h: float, vz: float, throttle: float) -> None:
    """Ground and propellant events in one step: the same state and step length either way."""
    world = WORLDS[0]
    x = _state(world, 0.5, -1.4, h, (10.0, -5.0, vz), 30_100.0)
    up = _unit(0.5, -1.4)
    cmd = Command(throttle, PROP, up)
    events = [("ground", altitude_event(world, 0.0)), ("dry", mass_event(30_000.0))]
    fast = step(x, 5.0, cmd, BODY, world, events)
    with reference_only():
        ref = step(x, 5.0, cmd, BODY, world, events)
    assert fast.event == ref.event is not None
    assert fast.dt == pytest.approx(ref.dt, rel=1e-12)
    np.testing.assert_allclose(fast.state, ref.state, rtol=1e-12, atol=1e-9)


@settings(max_examples=12, deadline=None)
@example(lat=0.3, h=60_000.0, ve=200.0, vu=-600.0, burn=500.0, throttle=0.7, world=WORLDS[0])
@given(
    lat=st.floats(-1.2, 1.2),
    h=st.floats(20_000.0, 160_000.0),
    ve=st.floats(-1_500.0, 1_500.0),
    vu=st.floats(-1_500.0, 800.0),
    burn=st.sampled_from([None, 900.0, 500.0]),
    throttle=st.sampled_from([1.0, 0.7]),
    world=st.sampled_from(WORLDS[:2]),
)
def test_compiled_prediction_equals_the_reference(lat, h, ve, vu, burn, throttle, world) -> None:
    """Coast, entry burn (full or throttled), fall and ground contact: impact point to a
    micrometre."""
    x = _state(world, lat, 0.3, h, (ve, 300.0, vu), 40_000.0)
    spec = EntryBurnSpec(PROP, 50_000.0, burn, throttle) if burn is not None else None
    args = (x, 100.0, BODY, world, 10.0, 30_000.0, spec, 1.5)
    fast = predict_impact(*args)
    ref = predict_impact_reference(*args)
    assert fast.landed == ref.landed
    assert fast.t_s == pytest.approx(ref.t_s, abs=1e-9)
    assert math.dist(fast.state[:3], ref.state[:3]) < 1e-6
    np.testing.assert_allclose(fast.state[3:], ref.state[3:], rtol=1e-12, atol=1e-9)
    assert fast.peak_qbar_pa == pytest.approx(ref.peak_qbar_pa, rel=1e-12)
    assert fast.peak_heat_wpm2 == pytest.approx(ref.peak_heat_wpm2, rel=1e-12)
    assert fast.entry_burn_kg == pytest.approx(ref.entry_burn_kg, rel=1e-12, abs=1e-9)


def test_unsupported_models_fly_the_reference() -> None:
    class Thinner(USSA1976):
        pass

    assert flight_kernel(BODY, World(WGS84Earth(), Thinner())) is None
    with reference_only():
        assert flight_kernel(BODY, WORLDS[0]) is None
    assert flight_kernel(BODY, WORLDS[0]) is not None


def test_a_whole_flight_is_the_same_on_the_compiled_kernel() -> None:
    """Falcon 9 RTLS, liftoff to touchdown, compiled and pure Python: the same flight.

    Up to the landing burn the two agree to round-off. The closed-loop landing burn (ignition
    bisection, re-plans at fixed times, a terminal law) turns a last-bit difference at the
    hand-over into differences of ~1e-4 s at touchdown, so the landing is held to the
    landing's own scale instead.
    """
    scenario, vehicle = load_flight("falcon9_rtls")
    fast = fly_mission(scenario, vehicle)
    with reference_only():
        ref = fly_mission(scenario, vehicle)
    assert fast.outcome == ref.outcome == "landed"
    assert fast.predictions == ref.predictions
    assert [e.name for e in fast.trajectory.events] == [e.name for e in ref.trajectory.events]
    for a, b in zip(fast.trajectory.events, ref.trajectory.events, strict=True):
        tol = 1e-6 if a.name != "touchdown" else 1e-2
        assert a.t_s == pytest.approx(b.t_s, abs=tol), a.name
    ft, rt = fast.trajectory, ref.trajectory
    n = next(i for i, ph in enumerate(rt.phase) if str(ph).startswith("landing"))
    assert list(ft.phase[:n]) == list(rt.phase[:n])
    np.testing.assert_allclose(ft.t_s[:n], rt.t_s[:n], rtol=0, atol=1e-6)
    np.testing.assert_allclose(ft.r_ecef_m[:n], rt.r_ecef_m[:n], rtol=0, atol=1e-4)
    np.testing.assert_allclose(ft.v_ecef_mps[:n], rt.v_ecef_mps[:n], rtol=0, atol=1e-6)
    np.testing.assert_allclose(ft.mass_kg[:n], rt.mass_kg[:n], rtol=1e-12)
    for col in ("throttle", "thrust_n", "engines", "mach", "qbar_pa", "heat_flux_wpm2"):
        np.testing.assert_allclose(getattr(ft, col)[:n], getattr(rt, col)[:n], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ft.thrust_dir_ecef[:n], rt.thrust_dir_ecef[:n], rtol=0, atol=1e-9)
    assert fast.landing is not None and ref.landing is not None
    ftd, rtd = fast.landing.touchdown, ref.landing.touchdown
    assert ftd is not None and rtd is not None
    assert ftd.miss_m == pytest.approx(rtd.miss_m, abs=1e-2)
    assert ftd.vertical_speed_mps == pytest.approx(rtd.vertical_speed_mps, abs=1e-2)
    assert fast.landing.trajectory.t_s[-1] == pytest.approx(
        ref.landing.trajectory.t_s[-1], abs=1e-2
    )


# --- the ascent and the reserve ------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    s=states,
    target=st.sampled_from([None, (0.0, 0.0), (0.02, -0.01), (-0.3, 0.2)]),
    mode=st.sampled_from(["rtls", "droneship", "expendable"]),
)
def test_compiled_reserve_equals_the_reference(s, target, mode: str) -> None:
    world, lat, lon, h, v, m = s
    x = _state(world, lat, lon, h, v, m)
    model = ReserveModel(25_600.0, 3_050.0, 2_770.0, 3.986e14, 12.0, 5e4, 800.0, 40.0, 600.0, 0.3)
    site = None
    if target is not None:
        r = world.earth.geodetic_to_ecef(lat + target[0], lon + target[1], 0.0)
        site = (float(r[0]), float(r[1]), float(r[2]))
    ref = reserve_budget(x, model, site, h, mode).total_kg
    fast = reserve_kg(np.array(x), reserve_array(model, site, mode), h)
    assert fast == pytest.approx(ref, rel=1e-12, abs=1e-9)


def _ascent_case(name: str):
    if name == "expendable":
        scenario, vehicle = resolve_flight("falcon9", "expendable")
        setup = flight_setup(vehicle, scenario)
        model = ReserveModel(setup.dry_mass_kg, 3e3, 3e3, 4e14, 0, 5e4, 1e3, 50, 0, 0)
        return setup, model, None
    scenario, vehicle = load_flight(name)
    setup = flight_setup(vehicle, scenario)
    model = plan_reserve_model(setup, 800.0)
    target = None
    if setup.target is not None and setup.mode != "droneship":
        target = tuple(map(float, setup.site_ecef(setup.target)))
    return setup, model, target


@pytest.mark.parametrize(
    "name", ["falcon9_rtls", "falcon9_droneship", "zhuque3_downrange", "expendable"]
)
def test_compiled_ascent_equals_the_reference(name: str) -> None:
    """Steering, max-Q throttle, acceleration cap, MECO on the reserve: the same ascent."""
    setup, model, target = _ascent_case(name)
    recs = [FlightRecorder(setup.world.earth, setup.launch_site, 0.0, 0.0) for _ in range(2)]
    for rec in recs:
        rec.per_engine_flow = setup.booster.engine.mass_flow_kgps
    kick = math.radians(2.5)
    fast = fly_ascent(setup, model, kick, target, recs[0], dt=0.2)
    with reference_only():
        ref = fly_ascent(setup, model, kick, target, recs[1], dt=0.2)
    assert fast.depleted == ref.depleted
    assert fast.t_s == pytest.approx(ref.t_s, abs=1e-9)
    np.testing.assert_allclose(fast.state, ref.state, rtol=1e-12)
    assert fast.max_q_pa == pytest.approx(ref.max_q_pa, rel=1e-12)
    assert fast.max_q_t_s == pytest.approx(ref.max_q_t_s, abs=1e-9)
    assert fast.throttle_down_s == pytest.approx(ref.throttle_down_s, abs=1e-9)
    assert fast.reserve.total_kg == pytest.approx(ref.reserve.total_kg, rel=1e-12)
    assert recs[0].phases == recs[1].phases
    np.testing.assert_allclose(np.array(recs[0].rows), np.array(recs[1].rows), rtol=1e-12)

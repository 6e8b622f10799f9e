"""Each phase of the recovery flight on its own: guidance laws, and phases from saved states.

The saved states come from a nominal Falcon 9 RTLS flight (falcon9_rtls scenario): ECEF position
(m), velocity relative to the Earth (m/s) and mass (kg), with the time after liftoff.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.config.loader import load_flight
from boostback.flight.ascent import solve_pitch_kick
from boostback.flight.ascent_loop import fly_ascent
from boostback.flight.boostback import fly_boostback, separate
from boostback.flight.context import FlightContext, make_context
from boostback.flight.descent import fly_aero_descent, fly_coast_to_entry, fly_entry
from boostback.flight.dynamics import air_data
from boostback.flight.executive import plan_entry_speed, plan_reserve_model
from boostback.flight.predict import EntryBurnSpec
from boostback.flight.record import FlightRecorder
from boostback.flight.reserve import finite_burn_dv, reserve_budget
from boostback.flight.setup import flight_setup
from boostback.flight.touchdown import fly_touchdown
from boostback.guidance.aero_descent import fin_command
from boostback.guidance.ascent import AscentSteering, max_q_throttle
from boostback.guidance.boostback_targeting import best_pitch, impulse, solve_boostback
from boostback.guidance.entry import entry_target_speed

MECO = (133.483, (951900.222, -5564892.878, 3099345.468, 964.761, -497.706, 1511.634, 195973.391))
BOOSTBACK_END = (
    188.987,
    (985419.729, -5589990.7, 3152532.161, -156.569, -631.131, -125.173, 41685.891),
)
ENTRY_START = (
    368.595,
    (934244.991, -5571754.438, 3056341.229, -405.294, 841.082, -944.575, 41685.891),
)
AERO_START = (
    377.425,
    (931448.835, -5565768.085, 3049773.239, -222.61, 497.849, -528.728, 33747.967),
)
HANDOVER = (  # the falcon9_rtls flight's, with the 2 t residual and the recalibrated throttles
    411.418,
    (923186.355, -5539470.116, 3028240.032, -101.203, 312.013, -275.235, 35785.662),
)


@pytest.fixture(scope="module")
def rtls():
    scenario, vehicle = load_flight("falcon9_rtls")
    setup = flight_setup(vehicle, scenario)
    speed = plan_entry_speed(setup)
    return setup, plan_reserve_model(setup, speed), speed


def context(rtls, separated: bool = True) -> FlightContext:
    setup, model, speed = rtls
    rec = FlightRecorder(
        setup.world.earth, setup.launch_site, setup.dry_mass_kg, setup.upper_mass_kg
    )
    rec.separated = separated
    spec = EntryBurnSpec(setup.entry_prop, setup.scenario.entry.start_altitude_m, speed)
    return make_context(setup, rec, model, spec)


# --- guidance laws -------------------------------------------------------------------------


def test_ascent_steering_rises_vertically_then_tips_towards_the_azimuth() -> None:
    up = (0.0, 0.0, 1.0)
    steer = AscentSteering(10.0, 10.0, math.radians(4.0), (1.0, 0.0, 0.0))
    assert steer.direction(5.0, up, (0.0, 0.0, 50.0)) == up
    half = steer.direction(15.0, up, (0.0, 0.0, 80.0))
    assert math.degrees(math.atan2(half[0], half[2])) == pytest.approx(2.0)
    held = steer.direction(25.0, up, (1.0, 0.0, 100.0))  # velocity still steeper than the kick
    assert math.degrees(math.atan2(held[0], held[2])) == pytest.approx(4.0)
    turned = steer.direction(40.0, up, (30.0, 0.0, 200.0))  # velocity now past the kick
    assert steer.turning
    assert turned == pytest.approx(tuple(np.array([30.0, 0.0, 200.0]) / math.hypot(30, 200)))


@given(q=st.floats(0, 60e3), rate=st.floats(-2e3, 2e3))
def test_max_q_throttle_stays_in_the_engine_range(q: float, rate: float) -> None:
    thr = max_q_throttle(q, rate, 30e3, 3.0, 0.4, 1.0)
    assert 0.4 <= thr <= 1.0
    if q + max(rate, 0) * 3.0 <= 0.9 * 30e3:
        assert thr == 1.0


def test_boostback_newton_solves_a_linear_miss_exactly() -> None:
    basis = np.eye(3)
    a = np.array([[120.0, 10.0, 30.0], [-5.0, 90.0, 0.0]])
    target_dv = np.array([-1500.0, 200.0, -0.2 * math.hypot(-1500.0, 200.0)])

    def miss(dv: np.ndarray) -> np.ndarray:
        return a @ (dv - target_dv)

    sol = solve_boostback(miss, basis, math.atan(-0.2), np.zeros(2), tol_m=1e-6)
    assert sol.converged
    assert sol.dv_ecef_mps == pytest.approx(target_dv, rel=1e-6)
    assert impulse(sol.params, sol.pitch_rad, basis) == pytest.approx(target_dv)


def test_pitch_search_finds_the_cheapest_pitch() -> None:
    basis = np.eye(3)

    def solve(pitch: float, prev):
        def miss(dv: np.ndarray) -> np.ndarray:
            return dv[:2] - np.array([-1000.0, 0.0])

        return solve_boostback(miss, basis, pitch, np.zeros(2), tol_m=1e-6)

    best = best_pitch(solve, lambda s: (math.degrees(s.pitch_rad) + 7.0) ** 2, -0.5, 0.5)
    assert math.degrees(best.pitch_rad) == pytest.approx(-7.0, abs=1.0)


@given(knee=st.floats(300.0, 1500.0))
@settings(max_examples=30)
def test_entry_target_is_the_fastest_speed_within_the_limits(knee: float) -> None:
    # peak q grows as the square of the end speed, heating as the cube
    def peaks(v: float) -> tuple[float, float]:
        return 80e3 * (v / knee) ** 2, 10e3 * (v / knee) ** 3

    target = entry_target_speed(peaks, 1600.0, 80e3, 60e3, 0.1, v_min_mps=250.0, tol_mps=1.0)
    assert target.needed and target.feasible
    assert target.speed_mps == pytest.approx(knee * math.sqrt(0.9), abs=1.5)
    assert target.peak_qbar_pa <= 0.9 * 80e3


def test_entry_burn_is_skipped_when_the_descent_is_within_limits() -> None:
    target = entry_target_speed(lambda v: (10e3, 1e3), 900.0, 80e3, 60e3, 0.1)
    assert not target.needed
    assert target.speed_mps == 900.0


def test_entry_target_is_capped_by_the_mission() -> None:
    def peaks(v: float) -> tuple[float, float]:
        return 80e3 * (v / 1000.0) ** 2, 10e3 * (v / 1000.0) ** 3

    # the limits would allow ~949 m/s: the cap is lower, so the burn ends at the cap
    target = entry_target_speed(peaks, 1600.0, 80e3, 60e3, 0.1, v_max_mps=600.0)
    assert target.needed and target.feasible and target.speed_mps == 600.0
    assert target.peak_qbar_pa == pytest.approx(80e3 * 0.36)
    # a cap above what the limits allow changes nothing
    free = entry_target_speed(peaks, 1600.0, 80e3, 60e3, 0.1, tol_mps=1.0)
    high = entry_target_speed(peaks, 1600.0, 80e3, 60e3, 0.1, tol_mps=1.0, v_max_mps=1200.0)
    assert high.speed_mps == pytest.approx(free.speed_mps, abs=1.0)
    # a descent within the limits still burns down to the cap
    slow = entry_target_speed(lambda v: (10e3, 1e3), 900.0, 80e3, 60e3, 0.1, v_max_mps=700.0)
    assert slow.needed and slow.speed_mps == 700.0


def test_fin_command_pushes_against_the_miss_perpendicular_to_the_velocity() -> None:
    v = (0.0, 100.0, -300.0)
    miss = np.array([500.0, 0.0, 0.0])
    u = np.array(fin_command(v, miss, 30.0, 3.0, 5.0))
    assert float(u @ np.array(v)) == pytest.approx(0.0, abs=1e-9)
    assert u[0] < 0.0
    assert np.linalg.norm(u) <= 1.0 + 1e-12
    big = np.array(fin_command(v, 100 * miss, 30.0, 3.0, 5.0))
    assert np.linalg.norm(big) == pytest.approx(1.0)


# --- reserve ---------------------------------------------------------------------------------


def test_rtls_needs_more_reserve_than_a_drone_ship_and_expendable_none(rtls) -> None:
    setup, model, _ = rtls
    x = MECO[1]
    h = air_data(x, setup.world).altitude_m
    pad = tuple(map(float, setup.site_ecef(setup.target)))
    r = reserve_budget(x, model, pad, h, "rtls")
    d = reserve_budget(x, model, None, h, "droneship")
    e = reserve_budget(x, model, None, h, "expendable")
    assert r.total_kg > d.total_kg > e.total_kg == 0.0
    assert 1200.0 < r.boostback_dv_mps < 2200.0
    assert d.boostback_kg == 0.0
    assert r.total_kg == pytest.approx(r.boostback_kg + r.entry_kg + r.landing_kg + r.margin_kg)


def test_finite_boostback_needs_more_than_the_impulse_and_meets_its_own_equation(rtls) -> None:
    # a burn of duration tau covers dv (T - tau / 2) of the impulse's displacement over the fall T
    dv_imp, fall_s, m_end, c, thrust = 1600.0, 250.0, 40_000.0, 3050.0, 3 * 0.81 * 934e3
    dv = finite_burn_dv(dv_imp, fall_s, m_end, c, thrust)
    tau = m_end * (math.exp(dv / c) - 1.0) * c / thrust
    assert dv == pytest.approx(dv_imp * fall_s / (fall_s - 0.5 * tau), rel=1e-6)
    assert dv_imp < dv < 1.2 * dv_imp
    assert finite_burn_dv(dv_imp, fall_s, 2 * m_end, c, thrust) > dv  # a heavier stage burns longer
    assert finite_burn_dv(dv_imp, fall_s, m_end, c, 0.0) == dv_imp  # no thrust given: the impulse
    # the flight's reserve model carries the boostback thrust, and its estimate grows with it
    setup, model, _ = rtls
    assert model.boostback_thrust_n > 0.0
    x = MECO[1]
    h = air_data(x, setup.world).altitude_m
    pad = tuple(map(float, setup.site_ecef(setup.target)))
    finite = reserve_budget(x, model, pad, h, "rtls")
    impulsive = reserve_budget(x, replace(model, boostback_thrust_n=0.0), pad, h, "rtls")
    assert finite.boostback_dv_mps > impulsive.boostback_dv_mps
    assert finite.entry_kg == pytest.approx(impulsive.entry_kg)


# --- phases from saved states ------------------------------------------------------------------


def test_ascent_reaches_meco_with_the_recovery_reserve(rtls) -> None:
    setup, model, _ = rtls
    pad = tuple(map(float, setup.site_ecef(setup.target)))
    kick = solve_pitch_kick(setup, model, pad)
    asc = fly_ascent(setup, model, kick, pad)
    assert not asc.depleted
    prop = asc.state[6] - setup.upper_mass_kg - setup.dry_mass_kg
    assert prop == pytest.approx(asc.reserve.total_kg, rel=1e-6)
    assert math.degrees(asc.flight_path_rad) == pytest.approx(
        setup.scenario.ascent.meco_flight_path_deg, abs=1.0
    )
    assert 120.0 < asc.t_s < 160.0
    assert asc.max_q_pa <= 1.05 * setup.vehicle.ascent.max_dynamic_pressure_pa
    assert asc.throttle_down_s is not None


def test_ascent_below_the_engine_rating_burns_longer_and_never_above_it(rtls) -> None:
    setup, model, _ = rtls
    pad = tuple(map(float, setup.site_ecef(setup.target)))
    assert setup.scenario.ascent.throttle == 0.9  # the F9 scenarios' calibration
    assert setup.ascent_prop.throttle_max == 0.9
    scenario = setup.scenario.model_copy(
        update={"ascent": setup.scenario.ascent.model_copy(update={"throttle": 1.0})}
    )
    rated = flight_setup(setup.vehicle, scenario)
    assert rated.ascent_prop.throttle_max == 1.0
    kick = solve_pitch_kick(setup, model, pad)
    rec = FlightRecorder(
        setup.world.earth, setup.launch_site, setup.dry_mass_kg, setup.upper_mass_kg
    )
    asc = fly_ascent(setup, model, kick, pad, rec)
    full = fly_ascent(rated, model, kick, pad)
    assert rec.finish().throttle.max() <= 0.9 + 1e-12
    assert asc.t_s > full.t_s + 5.0  # the same propellant at 90 % flow lasts ~10 % longer


def test_boostback_from_meco_puts_the_impact_point_on_the_pad(rtls) -> None:
    ctx = context(rtls, separated=False)
    t, x = MECO
    x = separate(ctx, x, t)
    speed = math.sqrt(sum(v * v for v in x[3:6]))
    bb = fly_boostback(ctx, x, t, tuple(v / speed for v in x[3:6]))
    assert bb.burned
    assert bb.miss_m < 200.0
    assert 25.0 < bb.burn_s < 60.0
    assert bb.propellant_kg < 0.9 * (x[6] - ctx.setup.dry_mass_kg)
    names = [e.name for e in ctx.rec.events]
    assert names == ["separation", "flip_end", "boostback_start", "boostback_end"]


def test_coast_and_entry_burn_from_the_boostback_end(rtls) -> None:
    ctx = context(rtls)
    t, x = BOOSTBACK_END
    x, t = fly_coast_to_entry(ctx, x, t)
    assert [e.name for e in ctx.rec.events] == ["apogee"]
    h_entry = ctx.setup.scenario.entry.start_altitude_m
    assert air_data(x, ctx.setup.world).altitude_m == pytest.approx(h_entry, abs=1.0)
    entry = fly_entry(ctx, x, t)
    assert entry.target is not None and entry.target.needed and entry.target.feasible
    speed = math.sqrt(sum(v * v for v in entry.state[3:6]))
    assert speed == pytest.approx(entry.target.speed_mps, abs=0.5)
    assert 3.0 < entry.burn_s < 30.0


def test_aero_descent_steers_the_impact_point_onto_the_pad(rtls) -> None:
    ctx = context(rtls)
    t, x = AERO_START
    free = ctx.predict(x, t, None)
    miss_free = float(np.hypot(*ctx.miss_en(free.state)))
    # displace the start 1.5 km north: the fins must bring the impact point back
    lat, lon, h = ctx.setup.world.earth.geodetic_xyz(*x[:3])
    shifted = ctx.setup.world.earth.geodetic_to_ecef(lat + 1500.0 / 6.37e6, lon, h)
    xs = (*map(float, shifted), *x[3:])
    off = float(np.hypot(*ctx.miss_en(ctx.predict(xs, t, None).state)))
    out = fly_aero_descent(ctx, xs, t)
    assert off > 1000.0
    assert out.miss_at_handover_m < max(0.3 * off, miss_free + 300.0)
    h_end = air_data(out.state, ctx.setup.world).altitude_m
    assert h_end == pytest.approx(ctx.setup.ground_alt_m + 7000.0, abs=1.0)
    assert float(ctx.rec.finish().qbar_pa.max()) <= 80e3


def test_landing_burn_from_the_handover_state_lands_on_the_pad(rtls) -> None:
    ctx = context(rtls)
    t, x = HANDOVER
    result = fly_touchdown(ctx, x, t)
    assert result.outcome.value == "landed"
    assert result.touchdown is not None and result.touchdown.miss_m < 10.0
    names = [e.name for e in ctx.rec.events]
    assert names[0] == "landing_burn_start" and names[-1] == "touchdown"

"""The ascent phase: liftoff to MECO, with the reserve-based cut-off and the pitch-kick solve."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from boostback.constants import G0_MPS2
from boostback.flight import kernel_loops
from boostback.flight.dynamics import Command, State, air_data
from boostback.flight.integrate import mass_event, step
from boostback.flight.kernel import flight_kernel, reserve_array
from boostback.flight.record import FlightRecorder
from boostback.flight.reserve import ReserveBudget, ReserveModel, reserve_budget
from boostback.flight.setup import FlightSetup
from boostback.guidance.ascent import (
    AscentSteering,
    flight_path_angle_rad,
    local_up,
    max_q_throttle,
)
from boostback.numerics import illinois

__all__ = ["AscentResult", "fly_ascent", "liftoff_state", "solve_pitch_kick"]

MAX_ASCENT_S = 400.0
THROTTLE_RATE = 0.2  # per second, for the max-Q throttle law


@dataclass(frozen=True)
class AscentResult:
    state: State  # at MECO (upper stage still attached)
    t_s: float
    kick_rad: float
    reserve: ReserveBudget  # what the recovery needs, as estimated at MECO
    flight_path_rad: float  # at MECO
    max_q_pa: float
    max_q_t_s: float
    throttle_down_s: tuple[float, float] | None  # first and last time below full throttle
    depleted: bool  # the stage burned everything (expendable, or a failed reserve)


def liftoff_state(setup: FlightSetup) -> State:
    r0, _ = setup.launch_frame()
    return (float(r0[0]), float(r0[1]), float(r0[2]), 0.0, 0.0, 0.0, setup.liftoff_mass_kg)


def _downrange_unit(setup: FlightSetup) -> tuple[float, float, float]:
    _, basis = setup.launch_frame()
    az = setup.launch_azimuth_rad
    d = math.sin(az) * basis[0] + math.cos(az) * basis[1]
    return (float(d[0]), float(d[1]), float(d[2]))


def fly_ascent(
    setup: FlightSetup,
    reserve_model: ReserveModel,
    kick_rad: float,
    target_ecef: tuple[float, float, float] | None,
    rec: FlightRecorder | None = None,
    dt: float | None = None,
) -> AscentResult:
    """Fly from liftoff until the propellant aboard is down to the recovery reserve.

    The loop runs in compiled code (``kernel_loops.ascent``) when the kernel supports the
    models, else in Python (``_ascent_loop``, the reference it repeats).
    """
    world = setup.world
    dt = dt or setup.scenario.sim.dt_powered_s
    empty_kg = setup.dry_mass_kg + setup.upper_mass_kg
    mode = setup.mode
    geo = world.earth.geodetic_xyz

    def budget(x: State) -> ReserveBudget:
        return reserve_budget(x, reserve_model, target_ecef, geo(x[0], x[1], x[2])[2], mode)

    kernel = flight_kernel(setup.ascent_body, world)
    if kernel is not None:
        prop = setup.ascent_prop
        flow = rec.per_engine_flow if rec is not None else 0.0
        loop = kernel_loops.ascent(
            kernel,
            liftoff_state(setup),
            dt,
            reserve_array(reserve_model, target_ecef, mode),
            prop,
            round(prop.mass_flow_kgps / flow) if flow else 0,
            _guidance_constants(setup, kick_rad),
            empty_kg,
            MAX_ASCENT_S,
            rec is not None,
        )
        if rec is not None:
            rec.extend(loop.rows, "ascent")
        x, t, event = loop.state, loop.t_s, loop.event
        max_q, max_q_t, down = loop.max_q_pa, loop.max_q_t_s, loop.throttle_down_s
    else:
        x, t, event, max_q, max_q_t, down = _ascent_loop(setup, budget, kick_rad, rec, dt)
    air = air_data(x, world)
    up = local_up(air.lat_rad, air.lon_rad)
    return AscentResult(
        state=x,  # type: ignore[arg-type]
        t_s=t,
        kick_rad=kick_rad,
        reserve=budget(x),  # type: ignore[arg-type]
        flight_path_rad=flight_path_angle_rad(x[3:6], up),
        max_q_pa=max_q,
        max_q_t_s=max_q_t,
        throttle_down_s=down,
        depleted=event != "meco" or x[6] - empty_kg <= 1.0,
    )


def _guidance_constants(setup: FlightSetup, kick_rad: float) -> tuple[float, ...]:
    cfg = setup.scenario.ascent
    assert setup.vehicle.ascent is not None
    a_g = setup.vehicle.ascent.max_acceleration_g
    return (
        cfg.vertical_rise_s,
        cfg.kick_duration_s,
        kick_rad,
        *_downrange_unit(setup),
        setup.vehicle.ascent.max_dynamic_pressure_pa,
        cfg.q_lookahead_s,
        a_g * G0_MPS2 if a_g is not None else math.nan,
    )


def _ascent_loop(
    setup: FlightSetup,
    budget: Callable[[State], ReserveBudget],
    kick_rad: float,
    rec: FlightRecorder | None,
    dt: float,
) -> tuple[State, float, str | None, float, float, tuple[float, float] | None]:
    """The ascent's steps in Python: state, time and event at the end, max Q and its time, and
    the first and last time below full throttle."""
    cfg = setup.scenario.ascent
    world = setup.world
    prop = setup.ascent_prop
    body = setup.ascent_body
    assert setup.vehicle.ascent is not None
    q_max = setup.vehicle.ascent.max_dynamic_pressure_pa
    a_g = setup.vehicle.ascent.max_acceleration_g
    a_max = a_g * G0_MPS2 if a_g is not None else None
    steer = AscentSteering(
        cfg.vertical_rise_s, cfg.kick_duration_s, kick_rad, _downrange_unit(setup)
    )
    empty_kg = setup.dry_mass_kg + setup.upper_mass_kg

    def g_meco(x: State) -> float:
        return (x[6] - empty_kg) - budget(x).total_kg

    events = [("meco", g_meco), ("propellant_out", mass_event(empty_kg))]
    x = liftoff_state(setup)
    t = 0.0
    q_prev = 0.0
    throttle_prev = prop.throttle_max
    max_q, max_q_t = 0.0, 0.0
    first_down = last_down = None
    event = None
    air = air_data(x, world)
    while t < MAX_ASCENT_S:
        up = local_up(air.lat_rad, air.lon_rad)
        direction = steer.direction(t, up, x[3:6])
        throttle = max_q_throttle(
            air.qbar_pa,
            (air.qbar_pa - q_prev) / dt,
            q_max,
            cfg.q_lookahead_s,
            prop.throttle_min,
            prop.throttle_max,
        )
        # throttle moves at most THROTTLE_RATE per second (engines do not step; no chatter)
        step_max = THROTTLE_RATE * dt
        throttle = min(max(throttle, throttle_prev - step_max), throttle_prev + step_max)
        if a_max is not None:  # hold the thrust acceleration under the limit
            full = prop.thrust_vac_n * prop.throttle_max - prop.exit_area_m2 * air.pressure_pa
            cap = prop.throttle_for(a_max * x[6], air.pressure_pa)
            if full > 0.0 and cap < throttle:
                throttle = max(cap, prop.throttle_min)
        if throttle < prop.throttle_max:
            first_down = t if first_down is None else first_down
            last_down = t
        throttle_prev = throttle
        cmd = Command(throttle, prop, direction)
        if rec is not None:
            rec.sample(t, x, "ascent", cmd, air)
        q_prev = air.qbar_pa
        res = step(x, dt, cmd, body, world, events)
        x, t = res.state, t + res.dt
        air = air_data(x, world)
        if air.qbar_pa > max_q:
            max_q, max_q_t = air.qbar_pa, t
        if res.event is not None:
            event = res.event
            break
    down = (first_down, last_down) if first_down is not None and last_down is not None else None
    return x, t, event, max_q, max_q_t, down


def solve_pitch_kick(
    setup: FlightSetup,
    reserve_model: ReserveModel,
    target_ecef: tuple[float, float, float] | None,
    dt: float | None = None,
) -> float:
    """Pitch kick (rad) that puts the flight path at MECO at ``meco_flight_path_deg``.

    A bigger kick flattens the gravity turn, so the MECO flight path falls monotonically with
    the kick: regula falsi (Illinois) on [0.3, 30] deg. The trial ascents are flown at the
    flight's own step (``dt`` None): at twice that step the throttled (max-Q, 0.9-rated) ascent
    ends ~1 deg flatter, which the flown MECO would then miss by.
    """
    cfg = setup.scenario.ascent
    if cfg.pitch_kick_deg is not None:
        return math.radians(cfg.pitch_kick_deg)
    if dt is None:
        dt = setup.scenario.sim.dt_powered_s
    goal = math.radians(cfg.meco_flight_path_deg)

    def miss(kick: float) -> float:
        return fly_ascent(setup, reserve_model, kick, target_ecef, dt=dt).flight_path_rad - goal

    lo, hi = math.radians(0.3), math.radians(30.0)
    f_lo, f_hi = miss(lo), miss(hi)
    if f_lo <= 0.0:
        return lo
    if f_hi >= 0.0:
        return hi
    # secant steps are done on log(kick): the flight path goes roughly as its logarithm
    c, _, _, _ = illinois(
        lambda logk: miss(math.exp(logk)),
        math.log(lo),
        math.log(hi),
        f_lo,
        f_hi,
        ftol=math.radians(0.05),
        xtol=1e-4,
        max_iter=30,
    )
    return float(np.exp(c))

"""The ascent phase: liftoff to MECO, with the reserve-based cut-off and the pitch-kick solve."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.config.flight_models import DEFAULT_MECO_FLIGHT_PATH_DEG
from boostback.config.vocab import EventName
from boostback.constants import G0_MPS2
from boostback.dynamics.state import MASS, VEL
from boostback.flight import kernel_loops
from boostback.flight.dynamics import State, air_data
from boostback.flight.kernel import flight_kernel
from boostback.flight.reserve import ReserveBudget, ReserveModel, reserve_array, reserve_budget
from boostback.flight.setup import FlightSetup
from boostback.guidance.ascent import (
    flight_path_angle_rad,
    local_up,
)
from boostback.numerics import illinois

__all__ = [
    "AscentResult",
    "ascent_result",
    "guidance_constants",
    "liftoff_state",
    "predict_ascent",
    "solve_pitch_kick",
]

MAX_ASCENT_S = 400.0


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


def predict_ascent(
    setup: FlightSetup,
    reserve_model: ReserveModel,
    kick_rad: float,
    target_ecef: tuple[float, float, float] | None,
    dt: float | None = None,
) -> AscentResult:
    """The ascent as the planner predicts it: the nominal stage from liftoff to MECO in one call
    of the compiled loop (``kernel_loops.ascent``), on the kernels the flown ascent steers with.
    The pitch-kick search and the drone ship's station fly it many times."""
    world = setup.world
    dt = dt or setup.scenario.sim.dt_powered_s
    empty_kg = setup.dry_mass_kg + setup.upper_mass_kg
    mode = setup.mode
    loop = kernel_loops.ascent(
        flight_kernel(setup.ascent_body, world),
        liftoff_state(setup),
        dt,
        reserve_array(reserve_model, target_ecef, mode),
        setup.ascent_prop,
        guidance_constants(setup, kick_rad),
        empty_kg,
        MAX_ASCENT_S,
    )
    return ascent_result(
        setup, reserve_model, kick_rad, target_ecef, loop.state, loop.t_s, loop.event,
        loop.max_q_pa, loop.max_q_t_s, loop.throttle_down_s,
    )  # fmt: skip


def ascent_result(
    setup: FlightSetup,
    reserve_model: ReserveModel,
    kick_rad: float,
    target_ecef: tuple[float, float, float] | None,
    x: tuple[float, ...],
    t: float,
    event: str | None,
    max_q_pa: float,
    max_q_t_s: float,
    throttle_down_s: tuple[float, float] | None,
) -> AscentResult:
    air = air_data(x, setup.world)
    up = local_up(air.lat_rad, air.lon_rad)
    empty_kg = setup.dry_mass_kg + setup.upper_mass_kg
    reserve = reserve_budget(x, reserve_model, target_ecef, air.altitude_m, setup.mode)  # type: ignore[arg-type]
    return AscentResult(
        state=x,  # type: ignore[arg-type]
        t_s=t,
        kick_rad=kick_rad,
        reserve=reserve,
        flight_path_rad=flight_path_angle_rad(x[VEL], up),
        max_q_pa=max_q_pa,
        max_q_t_s=max_q_t_s,
        throttle_down_s=throttle_down_s,
        depleted=event != EventName.MECO or x[MASS] - empty_kg <= 1.0,
    )


def guidance_constants(setup: FlightSetup, kick_rad: float) -> tuple[float, ...]:
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


def solve_pitch_kick(
    setup: FlightSetup,
    reserve_model: ReserveModel,
    target_ecef: tuple[float, float, float] | None,
    dt: float | None = None,
) -> float:
    """Pitch kick (rad): ``pitch_kick_deg`` when given, else the one that puts the flight path
    at MECO at ``meco_flight_path_deg`` (``DEFAULT_MECO_FLIGHT_PATH_DEG`` when not given).

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
    fpa = cfg.meco_flight_path_deg
    goal = math.radians(fpa if fpa is not None else DEFAULT_MECO_FLIGHT_PATH_DEG)

    def miss(kick: float) -> float:
        return predict_ascent(setup, reserve_model, kick, target_ecef, dt).flight_path_rad - goal

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

"""Handover to the landing-burn executive, and its result mapped back into the flight record.

The landing burn is flown by ``mission.landing.fly_landing``, the code ``boostback land`` flies
(ignition decision, convex guidance re-planned at 2 Hz, terminal descent), set up directly from
the flight's state, vehicle and wind (no scenario file is rebuilt), in its flat, pad-centred ENU
frame with
inverse-square gravity: over the last few kilometres Earth curvature (~2 m of drop over 5 km)
and rotation (Coriolis ~0.04 m/s^2 at 300 m/s) are small, and the 2 Hz re-planning absorbs them.
So the truth model of the final seconds is the flat one; the state is converted at the handover
and the landing trajectory is converted back to ECEF for the record.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from boostback.constants import EARTH_MU_M3PS2, EARTH_RADIUS_M
from boostback.dynamics import Environment
from boostback.dynamics.state import MASS, POS, VEL
from boostback.environment import USSA1976, InverseSquareGravity
from boostback.environment.frames import (
    ecef_to_enu,
    ecef_to_enu_velocity,
    enu_to_ecef,
    enu_to_ecef_velocity,
)
from boostback.flight import kernel_loops
from boostback.flight.context import FlightContext
from boostback.flight.kernel import flight_kernel
from boostback.flight.landing_plant import EcefLandingPlant
from boostback.flight.record import ENGINES, THRUST
from boostback.flight.setup import stage_propulsion
from boostback.mission.landing import LandingResult, fly_landing
from boostback.plant.setup import LandingSetup, wind_model
from boostback.plant.sixdof import RigidStart

__all__ = ["fly_touchdown", "landing_setup_at"]


def landing_setup_at(ctx: FlightContext, x: tuple[float, ...]) -> LandingSetup:
    """The landing burn from ECEF state ``x``, over the target pad, in the flight's wind."""
    s = ctx.setup
    assert ctx.target is not None and ctx.target_ecef is not None
    lat, lon = ctx.target.lat_rad, ctx.target.lon_rad
    r_enu = ecef_to_enu(np.asarray(x[POS]), ctx.target_ecef, lat, lon)
    v_enu = ecef_to_enu_velocity(np.asarray(x[VEL]), lat, lon)
    dry = s.dry_mass_kg
    x0 = (
        float(r_enu[0]),
        float(r_enu[1]),
        max(float(r_enu[2]), 1.0),
        float(v_enu[0]),
        float(v_enu[1]),
        float(v_enu[2]),
        dry + max(float(x[MASS] - dry), 0.0),
    )
    env = Environment(
        atmosphere=USSA1976(),
        gravity=InverseSquareGravity(EARTH_MU_M3PS2, EARTH_RADIUS_M),
        wind=wind_model(s.scenario.environment),
        base_altitude_m=s.ground_alt_m,  # the pad's height: the air and the wind up from there
    )
    name = f"{s.scenario.name}: landing burn"
    return LandingSetup.build(s.vehicle, s.scenario.landing, s.scenario.landing_sim, x0, env, name)


def fly_touchdown(
    ctx: FlightContext, x: tuple[float, ...], t: float, rigid: RigidStart | None = None
) -> LandingResult:
    """Fly the landing burn from the handover state and append it to the flight record.

    A rigid stage (``rigid``: its attitude body -> the pad's east-north-up and its rates, and
    the cold gas left) lands on the 6-DoF landing plant (``boostback land --dof 6``'s), flat
    and pad-centred as the point mass's is rotating-Earth: the last few kilometres' curvature
    and Coriolis terms above are what the flat frame leaves out.
    """
    s = ctx.setup
    assert ctx.target is not None and ctx.target_ecef is not None
    setup = landing_setup_at(ctx, x)
    faults = ctx.faults.since(t)  # the landing burn's clock starts at the hand-over
    left = None if ctx.deadline is None else max(ctx.deadline - time.perf_counter(), 0.0)
    if rigid is not None:
        setup = replace(setup, sim=setup.sim.model_copy(update={"dof": 6}))
        result = fly_landing(setup, faults, wall_limit_s=left, rigid_start=rigid)
    else:
        plant = EcefLandingPlant(setup, faults, s, x, ctx.target)  # type: ignore[arg-type]
        result = fly_landing(setup, faults, wall_limit_s=left, plant=plant)
    traj = result.trajectory
    lat, lon = ctx.target.lat_rad, ctx.target.lon_rad
    r_ecef = enu_to_ecef(traj.r_enu_m, ctx.target_ecef, lat, lon)
    v_ecef = enu_to_ecef_velocity(traj.v_enu_mps, lat, lon)
    d_ecef = enu_to_ecef_velocity(traj.thrust_dir_enu, lat, lon)
    lp = stage_propulsion(s.booster, s.booster.landing_engines)
    phases = [p if p == "landing_burn" else f"landing_{p}" for p in map(str, traj.phase)]
    kernel = flight_kernel(s.descent_body, s.world)
    engines = s.booster.landing_engines
    rows = kernel_loops.sample_rows(
        kernel, t, traj.t_s, r_ecef, v_ecef, traj.mass_kg, traj.throttle, d_ecef, lp, engines
    )
    # the thrust the engines gave (faults included), and the engines that gave it
    nominal = rows[:, THRUST].copy()
    rows[:, THRUST] = traj.thrust_n
    lit = nominal > 0.0
    rows[lit, ENGINES] = np.round(rows[lit, ENGINES] * traj.thrust_n[lit] / nominal[lit])
    ctx.rec.extend(rows, phases)
    for ev in traj.events:
        if ev.name in ("ignition", "touchdown", "propellant_out"):
            i = int(np.searchsorted(traj.t_s, ev.t_s))
            i = min(i, len(traj.t_s) - 1)
            xi = (*r_ecef[i], *v_ecef[i], traj.mass_kg[i])
            name = {"ignition": "landing_burn_start"}.get(ev.name, ev.name)
            ctx.rec.event(name, t + ev.t_s, xi)
    return result

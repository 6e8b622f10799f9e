"""Handover to the landing-burn executive, and its result mapped back into the flight record.

The landing burn is flown by ``boostback.sim.landing.fly_landing`` (ignition decision, convex
guidance re-planned at 2 Hz, terminal descent) in its flat, pad-centred ENU frame with
inverse-square gravity: over the last few kilometres Earth curvature (~2 m of drop over 5 km)
and rotation (Coriolis ~0.04 m/s^2 at 300 m/s) are small, and the 2 Hz re-planning absorbs them.
So the truth model of the final seconds is the flat one; the state is converted at the handover
and the landing trajectory is converted back to ECEF for the record.
"""

from __future__ import annotations

import numpy as np

from boostback.config.models import EnvironmentConfig, InitialState, LandingScenario
from boostback.environment.frames import (
    ecef_to_enu,
    ecef_to_enu_velocity,
    enu_to_ecef,
    enu_to_ecef_velocity,
)
from boostback.flight import kernel_loops
from boostback.flight.context import FlightContext
from boostback.flight.dynamics import Command, air_data
from boostback.flight.kernel import flight_kernel
from boostback.flight.setup import stage_propulsion
from boostback.sim.landing import LandingResult, fly_landing
from boostback.sim.setup import landing_setup

__all__ = ["fly_touchdown", "landing_scenario_from"]


def landing_scenario_from(ctx: FlightContext, x: tuple[float, ...]) -> LandingScenario:
    """The landing-burn scenario that starts at ECEF state ``x`` over the target pad."""
    s = ctx.setup
    assert ctx.target is not None and ctx.target_ecef is not None
    lat, lon = ctx.target.lat_rad, ctx.target.lon_rad
    r_enu = ecef_to_enu(np.asarray(x[:3]), ctx.target_ecef, lat, lon)
    v_enu = ecef_to_enu_velocity(np.asarray(x[3:6]), lat, lon)
    return LandingScenario(
        vehicle=s.vehicle.key,
        name=f"{s.scenario.name}: landing burn",
        initial=InitialState(
            altitude_m=max(float(r_enu[2]), 1.0),
            position_en_m=(float(r_enu[0]), float(r_enu[1])),
            velocity_enu_mps=(float(v_enu[0]), float(v_enu[1]), float(v_enu[2])),
            propellant_kg=max(float(x[6] - s.dry_mass_kg), 0.0),
        ),
        environment=EnvironmentConfig(gravity="inverse_square"),
        guidance=s.scenario.landing,
        sim=s.scenario.landing_sim,
    )


def fly_touchdown(ctx: FlightContext, x: tuple[float, ...], t: float) -> LandingResult:
    """Fly the landing burn from the handover state and append it to the flight record."""
    s = ctx.setup
    assert ctx.target is not None and ctx.target_ecef is not None
    result = fly_landing(landing_setup(s.vehicle, landing_scenario_from(ctx, x)), ctx.faults)
    traj = result.trajectory
    lat, lon = ctx.target.lat_rad, ctx.target.lon_rad
    r_ecef = enu_to_ecef(traj.r_enu_m, ctx.target_ecef, lat, lon)
    v_ecef = enu_to_ecef_velocity(traj.v_enu_mps, lat, lon)
    d_ecef = enu_to_ecef_velocity(traj.thrust_dir_enu, lat, lon)
    lp = stage_propulsion(s.booster, s.booster.landing_engines)
    phases = [p if p == "landing_burn" else f"landing_{p}" for p in map(str, traj.phase)]
    kernel = flight_kernel(s.descent_body, s.world)
    if kernel is not None:
        flow = ctx.rec.per_engine_flow
        engines = round(lp.mass_flow_kgps / flow) if flow else 0
        rows = kernel_loops.sample_rows(
            kernel, t, traj.t_s, r_ecef, v_ecef, traj.mass_kg, traj.throttle, d_ecef, lp, engines
        )
        ctx.rec.extend(rows, phases)
    else:
        for i in range(len(traj.t_s)):
            xi = (*r_ecef[i], *v_ecef[i], traj.mass_kg[i])
            thr = float(traj.throttle[i])
            cmd = Command(thr, lp if thr > 0 else None, tuple(d_ecef[i]))  # type: ignore[arg-type]
            ctx.rec.sample(t + float(traj.t_s[i]), xi, phases[i], cmd, air_data(xi, s.world))
    for ev in traj.events:
        if ev.name in ("ignition", "touchdown", "propellant_out"):
            i = int(np.searchsorted(traj.t_s, ev.t_s))
            i = min(i, len(traj.t_s) - 1)
            xi = (*r_ecef[i], *v_ecef[i], traj.mass_kg[i])
            name = {"ignition": "landing_burn_start"}.get(ev.name, ev.name)
            ctx.rec.event(name, t + ev.t_s, xi)
    return result

"""The flight executive: plan, then fly the whole first-stage mission phase by phase.

Before launch: the nominal entry-burn target speed (from the descent limits), the constants of
the reserve estimate, the drone ship's station when it is not given (under the ballistic path of
the nominal flight) and the pitch kick (for the requested MECO flight path). Then: ascent to
MECO, separation, flip and boostback, coast, entry burn, grid-fin descent, landing burn.
"""

from __future__ import annotations

import math
import time

import numpy as np

from boostback.config.flight_models import FlightScenario, descent_limits
from boostback.config.models import Vehicle
from boostback.dynamics.state import MASS, VX, VY, VZ, position, with_mass
from boostback.environment.frames import Site
from boostback.flight.ascent import AscentResult, predict_ascent, solve_pitch_kick
from boostback.flight.ascent_loop import fly_ascent
from boostback.flight.boostback import coast, fly_boostback, separate
from boostback.flight.context import FlightContext, make_context
from boostback.flight.descent import (
    fly_aero_descent,
    fly_coast_to_entry,
    fly_entry,
)
from boostback.flight.dynamics import State, air_data
from boostback.flight.integrate import altitude_event
from boostback.flight.predict import predict_impact
from boostback.flight.record import UNPOWERED, FlightRecorder
from boostback.flight.reserve import ReserveBudget, ReserveModel, reserve_budget
from boostback.flight.result import FlightResult, Recovery
from boostback.flight.rigid_recovery import fly_rigid_recovery
from boostback.flight.setup import FlightSetup, flight_setup, plane_turn, stage_propulsion
from boostback.flight.touchdown import fly_touchdown
from boostback.gnc.faults import FaultState
from boostback.guidance.ascent import local_up

__all__ = ["ballistic_impact", "fly_mission", "plan_entry_speed", "plan_reserve_model"]

TYPICAL_ENTRY_SPEED_MPS = 1300.0
TYPICAL_ENTRY_PATH_DEG = -65.0


def _synthetic_entry_state(setup: FlightSetup) -> State:
    """A typical state at the entry-burn altitude, descending towards the landing site."""
    site = setup.target or setup.launch_site
    h = setup.scenario.entry.start_altitude_m
    r = setup.world.earth.geodetic_to_ecef(site.lat_rad, site.lon_rad, h)
    up = np.array(local_up(site.lat_rad, site.lon_rad))
    east = np.array([-math.sin(site.lon_rad), math.cos(site.lon_rad), 0.0])
    g = math.radians(TYPICAL_ENTRY_PATH_DEG)
    v = TYPICAL_ENTRY_SPEED_MPS * (math.cos(g) * east + math.sin(g) * up)
    m = setup.dry_mass_kg * 1.5
    return (*map(float, r), *map(float, v), m)  # type: ignore[return-value]


def plan_entry_speed(setup: FlightSetup) -> float:
    """Entry target speed for a typical descent: used to plan the reserve and the boostback."""
    hw = setup.booster.recovery
    assert hw is not None
    x = _synthetic_entry_state(setup)

    def peaks(v: float) -> tuple[float, float]:
        imp = predict_impact(
            x,
            0.0,
            setup.descent_body,
            setup.world,
            setup.ground_alt_m,
            setup.dry_mass_kg,
            setup.entry_spec(setup.scenario.entry.start_altitude_m + 1.0, v),
            hw.nose_radius_m,
        )
        return imp.peak_qbar_pa, imp.peak_heat_wpm2

    return setup.entry_target(peaks, TYPICAL_ENTRY_SPEED_MPS).speed_mps


def _landing_dv_mps(setup: FlightSetup) -> float:
    """Terminal speed of the near-empty stage a few km up, plus gravity loss at 90 % thrust."""
    b = setup.booster
    m = setup.dry_mass_kg * 1.2
    _t, p, rho, _a = setup.world.atmosphere.scalar(5_000.0)
    g = setup.world.earth.mu_m3ps2 / setup.world.earth.equatorial_radius_m**2
    cd = setup.descent_body.aero.cd_at(0.9) or 1.0
    v_t = math.sqrt(2.0 * m * g / (rho * cd * b.area_m2))
    thrust = stage_propulsion(b, b.landing_engines).thrust_n(p, 0.9)
    accel = thrust / m - g
    return v_t + g * v_t / max(accel, 1.0)


def plan_reserve_model(setup: FlightSetup, entry_speed_mps: float) -> ReserveModel:
    b = setup.booster
    hw = b.recovery
    assert hw is not None
    return ReserveModel(
        dry_mass_kg=setup.dry_mass_kg,  # the chain counts up from the burnout mass
        exhaust_vac_mps=setup.exhaust_vac_mps,
        exhaust_sl_mps=setup.exhaust_sl_mps,
        mu_m3ps2=setup.world.earth.mu_m3ps2,
        coast_s=hw.separation_delay_s + 150.0 / hw.flip_rate_deg_s,
        entry_altitude_m=setup.scenario.entry.start_altitude_m,
        entry_target_speed_mps=entry_speed_mps,
        entry_accel_mps2=setup.scenario.entry.throttle
        * setup.entry_prop.thrust_vac_n
        / (setup.dry_mass_kg * 1.4),
        landing_dv_mps=_landing_dv_mps(setup),
        margin=setup.scenario.recovery.reserve_margin,
        boostback_thrust_n=setup.scenario.boostback.throttle * setup.boostback_prop.thrust_vac_n,
    )


def _target_tuple(setup: FlightSetup) -> tuple[float, float, float] | None:
    if setup.target is None:
        return None
    r = setup.site_ecef(setup.target)
    return (float(r[0]), float(r[1]), float(r[2]))


def ballistic_impact(
    setup: FlightSetup, model: ReserveModel, asc: AscentResult
) -> tuple[float, float]:
    """Where the booster staged at ``asc``'s MECO falls with no boostback, its entry burn
    planned to ``model``'s entry target speed: geodetic latitude and longitude (rad). The drone
    ship's default station (``_plan_ship``) and the designed one's far end
    (``payload.station``)."""
    x: State = with_mass(asc.state, asc.state[MASS] - setup.upper_mass_kg)
    spec = setup.entry_spec(setup.scenario.entry.start_altitude_m, model.entry_target_speed_mps)
    rec = FlightRecorder(setup.world.earth, setup.launch_site, setup.dry_mass_kg, 0.0)
    ctx = make_context(setup, rec, model, spec)
    ctx.plan_entry(x, asc.t_s)
    imp = ctx.predict(x, asc.t_s, ctx.entry_nominal)
    lat, lon, _ = setup.world.earth.geodetic_xyz(*position(imp.state))
    return lat, lon


def _plan_ship(setup: FlightSetup, model: ReserveModel) -> Site:
    """Station the drone ship under the ballistic path of the nominal flight."""
    kick = solve_pitch_kick(setup, model, None)
    lat, lon = ballistic_impact(setup, model, predict_ascent(setup, model, kick, None))
    return Site("drone ship (planned)", math.degrees(lat), math.degrees(lon), 0.0)


def reserve_table(
    setup: FlightSetup, model: ReserveModel, asc: AscentResult
) -> dict[str, ReserveBudget]:
    """What each recovery mode would need from this MECO state (RTLS: back to the launch pad;
    drone ship: under the ballistic path). The flown mode's row is the reserve the ascent kept,
    which for a drone ship on a fixed station includes the boostback to it."""
    x = asc.state
    h = air_data(x, setup.world).altitude_m
    pad = setup.site_ecef(setup.launch_site)
    rtls_target = setup.target if setup.mode == "rtls" and setup.target else setup.launch_site
    r = setup.site_ecef(rtls_target) if rtls_target is not None else pad
    table = {
        "rtls": reserve_budget(x, model, (float(r[0]), float(r[1]), float(r[2])), h, "rtls"),
        "droneship": reserve_budget(x, model, None, h, "droneship"),
        "expendable": reserve_budget(x, model, None, h, "expendable"),
    }
    table[setup.mode] = asc.reserve
    return table


def _fall_to_ground(ctx: FlightContext, x: State, t: float) -> tuple[State, float]:
    """An expended stage (or a failed recovery) falls to the ground unpowered."""
    from boostback.flight.dynamics import COAST
    from boostback.flight.integrate import step

    s = ctx.setup
    ground = altitude_event("ground", s.ground_alt_m)
    while t < s.scenario.sim.max_time_s:
        air = air_data(x, s.world)
        ctx.rec.sample(t, x, "fall", UNPOWERED, 0.0, air)
        h = s.scenario.sim.dt_coast_s if air.altitude_m > 30_000 else 0.2
        res = step(x, h, COAST, s.descent_body, s.world, [ground])
        x, t = res.state, t + res.dt
        if res.event == "ground":
            ctx.rec.event("impact", t, x)
            break
    return x, t


def _planning_notes(setup: FlightSetup) -> list[str]:
    """What the flight's plan departs from the file in: a launch due east or west for an
    inclination out of reach (``plane_turn``), an entry burn to the survival envelope."""
    scenario = setup.scenario
    turn = plane_turn(scenario, setup.launch_site)
    notes = [] if turn is None else [turn[1]]
    hw = setup.booster.recovery
    if scenario.entry.limits == "envelope" and hw is not None:
        q_pa, heat_wpm2 = descent_limits(hw, scenario.entry)
        notes.append(
            f"entry burn to the survival envelope ({q_pa / 1e3:.0f} kPa, {heat_wpm2 / 1e3:.0f} "
            "kW/m^2), not the preferred limits: the payload leaves the booster too little"
        )
    return notes


def _plan(
    setup: FlightSetup,
) -> tuple[FlightSetup, ReserveModel, float, tuple[float, float, float] | None]:
    """Before launch: the entry speed, the reserve model, the drone ship's station when not
    given, and the target the reserve is kept for."""
    recovered = setup.mode != "expendable"
    entry_speed = plan_entry_speed(setup) if recovered else math.nan
    model = plan_reserve_model(setup, entry_speed) if recovered else None
    if setup.mode == "droneship" and setup.target is None:
        assert model is not None
        setup = setup.with_target(_plan_ship(setup, model))
        reserve_target = None  # the ship is where the nominal flight falls: no boostback reserve
    else:
        reserve_target = _target_tuple(setup)
    if model is None:  # expendable: a dummy model (the reserve is zero)
        model = ReserveModel(setup.dry_mass_kg, 3e3, 3e3, 4e14, 0, 5e4, 1e3, 50, 0, 0)
    return setup, model, entry_speed, reserve_target


def _recover(
    ctx: FlightContext, x: State, t: float, attitude: tuple[float, float, float], notes: list[str]
) -> Recovery:
    """Boostback, coast, entry burn, grid-fin descent and the landing burn."""
    setup, rec = ctx.setup, ctx.rec
    scenario = setup.scenario
    out = Recovery()
    bb = out.boostback = fly_boostback(ctx, x, t, attitude)
    x, t = bb.state, bb.t_s
    if bb.note:
        notes.append(bb.note)
    x, t = fly_coast_to_entry(ctx, x, t)
    h_hand = setup.ground_alt_m + scenario.descent.handover_altitude_m
    if air_data(x, setup.world).altitude_m > h_hand + 1:
        out.entry = fly_entry(ctx, x, t)
        x, t = out.entry.state, out.entry.t_s
    rec.event("aero_descent", t, x)
    descent = out.descent = fly_aero_descent(ctx, x, t)
    x, t = descent.state, descent.t_s
    rec.event("handover", t, x, f"predicted miss {descent.miss_at_handover_m:.0f} m")
    if x[MASS] - setup.dry_mass_kg <= 0.0:
        notes.append("no propellant left for the landing burn")
        _fall_to_ground(ctx, x, t)
        out.outcome = "propellant_depleted"
    else:
        out.landing = fly_touchdown(ctx, x, t)
        out.outcome = out.landing.outcome.value
        notes.extend(out.landing.notes)
    return out


def fly_mission(
    scenario: FlightScenario,
    vehicle: Vehicle,
    file: str | None = None,
    faults: FaultState | None = None,
    wall_limit_s: float | None = None,
) -> FlightResult:
    """Fly the scenario from liftoff to touchdown (or impact).

    Parameters
    ----------
    scenario, vehicle
        The flight and the vehicle (``config.load_flight``).
    file : str, optional
        The scenario's file, named in set-up errors.
    faults : FaultState, optional
        Faults act in every burn and the grid-fin descent, as their onsets admit (onset times
        count from liftoff); see docs/campaigns.md.
    wall_limit_s : float, optional
        A flight that runs longer than this in wall-clock time raises ``RunTimeout`` (every
        phase flown on the loop checks it, the landing burn's ignition search included).

    Returns
    -------
    FlightResult
    """
    deadline = None if wall_limit_s is None else time.perf_counter() + wall_limit_s
    setup, model, entry_speed, reserve_target = _plan(flight_setup(vehicle, scenario, file))
    notes = _planning_notes(setup)
    recovered = setup.mode != "expendable"
    kick = solve_pitch_kick(setup, model, reserve_target)
    rec = FlightRecorder(
        setup.world.earth, setup.launch_site, setup.dry_mass_kg, setup.upper_mass_kg
    )
    spec = setup.entry_spec(scenario.entry.start_altitude_m, entry_speed)
    ctx = make_context(setup, rec, model, spec, faults)
    ctx.deadline = deadline
    x0 = (*setup.site_ecef(setup.launch_site), 0.0, 0.0, 0.0, setup.liftoff_mass_kg)
    rec.event("liftoff", 0.0, x0)
    asc = fly_ascent(setup, model, kick, reserve_target, rec, ctx.faults, deadline)
    x, t = asc.state, asc.t_s
    rec.event("meco", t, x, f"reserve {asc.reserve.total_kg / 1e3:.1f} t")
    table = reserve_table(setup, model, asc)
    speed = math.sqrt(x[VX] * x[VX] + x[VY] * x[VY] + x[VZ] * x[VZ])
    attitude = (x[VX] / speed, x[VY] / speed, x[VZ] / speed)
    hw = setup.booster.recovery
    sep_delay = hw.separation_delay_s if hw else 3.0
    x, t = coast(ctx, x, t, sep_delay, "coast", attached=True)
    x = separate(ctx, x, t)
    phases, rigid = None, None
    if recovered and ctx.target is not None:
        if scenario.sim.dof == 6:
            phases, rigid = fly_rigid_recovery(ctx, x, t, attitude, notes)
            if phases.landing is None and phases.descent is not None:  # nothing left to land on
                _fall_to_ground(ctx, phases.descent.state, phases.descent.t_s)
        else:
            phases = _recover(ctx, x, t, attitude, notes)
    if phases is None:
        x, t = _fall_to_ground(ctx, x, t)
        phases = Recovery()
    return FlightResult(
        scenario=scenario,
        vehicle=vehicle,
        outcome=phases.outcome,
        trajectory=rec.finish(),
        ascent=asc,
        boostback=phases.boostback,
        entry=phases.entry,
        descent=phases.descent,
        landing=phases.landing,
        reserve_table=table,
        target=ctx.target,
        kick_rad=kick,
        entry_speed_planned_mps=entry_speed,
        predictions=ctx.predictions,
        notes=notes,
        rigid=rigid,
    )

"""After the boostback: coast over the top, entry burn, grid-fin descent down to the handover."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.config.vocab import EventName, Phase
from boostback.control.burns import RetrogradeController
from boostback.dynamics.state import MASS, PX, PY, PZ, VX, VY, VZ, velocity
from boostback.flight.context import FlightContext
from boostback.flight.dynamics import COAST, Command, State, air_data
from boostback.flight.ecef_plant import EcefPlant, LegRecorder
from boostback.flight.integrate import Event, altitude_event, apogee_event, speed_event, step
from boostback.flight.predict import heat_flux_wpm2
from boostback.gnc.loop import burn_leg, fly
from boostback.gnc.navigation import InertialNavigator
from boostback.guidance.aero_descent import fin_command
from boostback.guidance.burns import BurnNow
from boostback.guidance.entry import EntryTarget

__all__ = ["DescentOutcome", "EntryOutcome", "fly_aero_descent", "fly_coast_to_entry", "fly_entry"]


def _up_speed(x: State) -> float:
    r = math.sqrt(x[PX] * x[PX] + x[PY] * x[PY] + x[PZ] * x[PZ])
    return (x[PX] * x[VX] + x[PY] * x[VY] + x[PZ] * x[VZ]) / r


def _sample(ctx: FlightContext, t: float, x: State, phase: str, cmd: Command) -> None:
    air = air_data(x, ctx.setup.world)
    hw = ctx.setup.booster.recovery
    heat = heat_flux_wpm2(air.density_kgpm3, air.speed_mps, hw.nose_radius_m) if hw else 0.0
    ctx.rec.sample(t, x, phase, cmd, air, heat if cmd.throttle == 0.0 else 0.0)


def fly_coast_to_entry(ctx: FlightContext, x: State, t: float) -> tuple[State, float]:
    """Coast (marking apogee) until descending through the entry-burn altitude.

    Stops earlier at the handover altitude if the flight never gets above the entry altitude.
    """
    s = ctx.setup
    h_entry = s.scenario.entry.start_altitude_m
    h_hand = s.ground_alt_m + s.scenario.descent.handover_altitude_m
    apogee_seen = _up_speed(x) <= 0.0
    t_end = s.scenario.sim.max_time_s
    while t < t_end:
        air = air_data(x, s.world)
        descending = _up_speed(x) < 0.0
        if descending and air.altitude_m <= h_entry + 1e-3:
            break
        if descending and air.altitude_m <= h_hand + 1e-3:
            break
        events: list[Event] = [
            altitude_event("entry", h_entry),
            altitude_event("handover", h_hand),
        ]
        if not apogee_seen:
            events.append(apogee_event())
        h = s.scenario.sim.dt_coast_s if air.altitude_m > h_entry + 5_000 else 0.2
        _sample(ctx, t, x, "coast", COAST)
        res = step(x, h, COAST, s.descent_body, s.world, events)
        x, t = res.state, t + res.dt
        if res.event == "apogee":
            apogee_seen = True
            ctx.rec.event("apogee", t, x)
    return x, t


@dataclass(frozen=True)
class EntryOutcome:
    state: State
    t_s: float
    target: EntryTarget | None
    burn_s: float
    propellant_kg: float


def fly_entry(ctx: FlightContext, x: State, t: float) -> EntryOutcome:
    """Choose the entry target speed from the limits, then burn retrograde down to it."""
    s = ctx.setup
    hw = s.booster.recovery
    assert hw is not None
    air = air_data(x, s.world)

    def peaks(v: float) -> tuple[float, float]:
        imp = ctx.predict(x, t, s.entry_spec(air.altitude_m + 1.0, v))
        return imp.peak_qbar_pa, imp.peak_heat_wpm2

    target = s.entry_target(peaks, air.speed_mps)
    if not target.needed:
        return EntryOutcome(x, t, target, 0.0, 0.0)
    prop0 = ctx.rec.propellant_kg(x)
    ctx.rec.event("entry_start", t, x, f"target {target.speed_mps:.0f} m/s")
    t0 = t
    v_target = target.speed_mps
    burn = s.entry_spec(air.altitude_m, v_target)

    plant = EcefPlant(
        s.descent_body,
        s.world,
        ctx.faults,
        x,
        t,
        burn.prop,
        hw.entry_engines,
        Phase.ENTRY_BURN,
        s.dry_mass_kg,
        watch=(speed_event(EventName.ENTRY_END, v_target),),
    )
    fly(
        plant,
        InertialNavigator(),
        BurnNow(Phase.ENTRY_BURN, t),
        RetrogradeController(burn.throttle),
        LegRecorder(ctx.rec, plant, hw.nose_radius_m),
        dt_s=s.scenario.sim.dt_powered_s,
        max_time_s=s.scenario.sim.max_time_s,
        leg=burn_leg(EventName.ENTRY_END),
    )
    x, t = plant.state, plant.t_s
    ctx.rec.event("entry_end", t, x)
    return EntryOutcome(x, t, target, t - t0, prop0 - ctx.rec.propellant_kg(x))


@dataclass(frozen=True)
class DescentOutcome:
    state: State
    t_s: float
    miss_at_handover_m: float  # predicted unpowered miss when the landing executive takes over
    fin_saturated_s: float


def fly_aero_descent(ctx: FlightContext, x: State, t: float) -> DescentOutcome:
    """Steer with the grid fins (zero-effort miss on the predicted impact) to the handover."""
    s = ctx.setup
    cfg = s.scenario.descent
    h_hand = s.ground_alt_m + cfg.handover_altitude_m
    hand = altitude_event("handover", h_hand)
    auth = s.descent_body.fin_authority_m2 * ctx.faults.fin_factor()
    dt = s.scenario.sim.dt_powered_s
    fin = (0.0, 0.0, 0.0)
    t_next = t
    saturated = 0.0
    miss = math.nan
    if air_data(x, s.world).altitude_m <= h_hand:
        return DescentOutcome(x, t, miss, 0.0)
    while t < s.scenario.sim.max_time_s:
        air = air_data(x, s.world)
        if t >= t_next - 1e-9 and ctx.target_ecef is not None:
            t_next = t + cfg.guidance_period_s
            imp = ctx.predict(x, t, None)
            miss_vec = ctx.miss_ecef(imp.state)
            miss = float(np.linalg.norm(miss_vec))
            a_auth = air.qbar_pa * auth / x[MASS]
            # the fins act only until the handover: null the miss by then, not by impact
            t_go = ctx.coast_to(x, t, h_hand).t_s - t
            fin = fin_command(velocity(x), miss_vec, max(t_go, 1.0), cfg.navigation_gain, a_auth)
        if math.sqrt(fin[0] * fin[0] + fin[1] * fin[1] + fin[2] * fin[2]) >= 0.999:
            saturated += dt
        cmd = Command(0.0, None, (0.0, 0.0, 1.0), fin)
        _sample(ctx, t, x, "aero_descent", cmd)
        res = step(x, dt, cmd, s.descent_body, s.world, [hand])
        x, t = res.state, t + res.dt
        if res.event == "handover":
            break
    if ctx.target_ecef is not None:
        miss = float(np.hypot(*ctx.miss_en(ctx.predict(x, t, None).state)))
    return DescentOutcome(x, t, miss, saturated)

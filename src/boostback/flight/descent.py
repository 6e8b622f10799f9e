"""After the boostback: coast over the top, entry burn, grid-fin descent down to the handover."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.config.vocab import EventName, Phase
from boostback.control.burns import RetrogradeController
from boostback.dynamics.state import MASS, PX, PY, PZ, VX, VY, VZ, velocity
from boostback.flight.context import FlightContext
from boostback.flight.dynamics import COAST, State, air_data
from boostback.flight.ecef_plant import EcefPlant, LegRecorder
from boostback.flight.integrate import Event, altitude_event, apogee_event, speed_event, step
from boostback.flight.predict import heat_flux_wpm2
from boostback.flight.record import UNPOWERED
from boostback.gnc.loop import burn_leg, fly
from boostback.gnc.navigation import InertialNavigator
from boostback.gnc.protocols import ActuatorCommand, Demand, NavEstimate, Tick
from boostback.guidance.aero_descent import fin_command
from boostback.guidance.burns import BurnNow
from boostback.guidance.entry import EntryTarget

__all__ = [
    "DescentOutcome",
    "EntryOutcome",
    "FinGuidance",
    "entry_target_at",
    "fly_aero_descent",
    "fly_coast_to_entry",
    "fly_entry",
]


def _up_speed(x: State) -> float:
    r = math.sqrt(x[PX] * x[PX] + x[PY] * x[PY] + x[PZ] * x[PZ])
    return (x[PX] * x[VX] + x[PY] * x[VY] + x[PZ] * x[VZ]) / r


def _sample(ctx: FlightContext, t: float, x: State, phase: str) -> None:
    """A sample of the unpowered coast, with its heat flux."""
    air = air_data(x, ctx.setup.world)
    hw = ctx.setup.booster.recovery
    heat = heat_flux_wpm2(air.density_kgpm3, air.speed_mps, hw.nose_radius_m) if hw else 0.0
    ctx.rec.sample(t, x, phase, UNPOWERED, 0.0, air, heat)


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
        _sample(ctx, t, x, "coast")
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


def entry_target_at(ctx: FlightContext, x: State, t: float) -> EntryTarget:
    """The entry burn's target speed, chosen from the descent limits at ``x``."""
    s = ctx.setup
    air = air_data(x, s.world)

    def peaks(v: float) -> tuple[float, float]:
        imp = ctx.predict(x, t, s.entry_spec(air.altitude_m + 1.0, v))
        return imp.peak_qbar_pa, imp.peak_heat_wpm2

    return s.entry_target(peaks, air.speed_mps)


def fly_entry(ctx: FlightContext, x: State, t: float) -> EntryOutcome:
    """Choose the entry target speed from the limits, then burn retrograde down to it."""
    s = ctx.setup
    hw = s.booster.recovery
    assert hw is not None
    target = entry_target_at(ctx, x, t)
    if not target.needed:
        return EntryOutcome(x, t, target, 0.0, 0.0)
    prop0 = ctx.rec.propellant_kg(x)
    ctx.rec.event("entry_start", t, x, f"target {target.speed_mps:.0f} m/s")
    t0 = t
    v_target = target.speed_mps
    burn = s.entry_spec(air_data(x, s.world).altitude_m, v_target)

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
        deadline=ctx.deadline,
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


class FinGuidance:
    """The grid-fin descent's ``Guidance``: zero-effort miss on the predicted impact point, the
    lateral acceleration asked of the fins re-computed every ``guidance_period_s``, as a fraction
    of their nominal authority at the present dynamic pressure (the reference).

    The fins act only until the hand-over, so the miss is nulled by then, not by impact.
    """

    def __init__(self, ctx: FlightContext, h_hand_m: float) -> None:
        self.ctx, self.h_hand_m = ctx, h_hand_m
        cfg = ctx.setup.scenario.descent
        self.period_s, self.gain = cfg.guidance_period_s, cfg.navigation_gain
        self.authority_m2 = ctx.setup.descent_body.fin_authority_m2
        self.t_next = -math.inf
        self.fins: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def prepare(self, fix: State) -> float:
        """No engine burns in this phase."""
        return math.inf

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        """The fins' command, re-computed when it is time."""
        ctx, x, t = self.ctx, nav.state, tick.t_s
        if t >= self.t_next - 1e-9 and ctx.target_ecef is not None:
            self.t_next = t + self.period_s
            miss_vec = ctx.miss_ecef(ctx.predict(x, t, None).state)
            a_auth = nav.qbar_pa * self.authority_m2 / x[MASS]
            t_go = ctx.coast_to(x, t, self.h_hand_m).t_s - t
            self.fins = fin_command(velocity(x), miss_vec, max(t_go, 1.0), self.gain, a_auth)
        return Demand(Phase.AERO_DESCENT, math.inf, self.fins)


class FinController:
    """Passes the fin command on (the engines stay off); counts the time the fins saturate."""

    def __init__(self) -> None:
        self.saturated_s = 0.0

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """The fins as guidance asks, engines off."""
        f = demand.reference
        if math.sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]) >= 0.999:  # type: ignore[index]
            self.saturated_s += dt
        return ActuatorCommand(0.0, (0.0, 0.0, 1.0), fins=f)  # type: ignore[arg-type]


def fly_aero_descent(ctx: FlightContext, x: State, t: float) -> DescentOutcome:
    """Steer with the grid fins down to the hand-over, on the one loop.

    A jammed fin (``grid_fin_stuck``) takes its share of the fins' authority away in the truth
    (``EcefPlant``); guidance, not told, sees only a slower response.
    """
    s = ctx.setup
    h_hand = s.ground_alt_m + s.scenario.descent.handover_altitude_m
    if air_data(x, s.world).altitude_m <= h_hand:
        return DescentOutcome(x, t, math.nan, 0.0)
    hw = s.booster.recovery
    plant = EcefPlant(
        s.descent_body,
        s.world,
        ctx.faults,
        x,
        t,
        s.entry_prop,
        1,
        Phase.AERO_DESCENT,
        s.dry_mass_kg,
        watch=(altitude_event(EventName.HANDOVER, h_hand),),
    )
    controller = FinController()
    fly(
        plant,
        InertialNavigator(),
        FinGuidance(ctx, h_hand),
        controller,
        LegRecorder(ctx.rec, plant, hw.nose_radius_m if hw else 1.0),
        dt_s=s.scenario.sim.dt_powered_s,
        max_time_s=s.scenario.sim.max_time_s,
        deadline=ctx.deadline,
        leg=burn_leg(EventName.HANDOVER),
    )
    x, t = plant.state, plant.t_s
    miss = math.nan
    if ctx.target_ecef is not None:
        miss = float(np.hypot(*ctx.miss_en(ctx.predict(x, t, None).state)))
    return DescentOutcome(x, t, miss, controller.saturated_s)

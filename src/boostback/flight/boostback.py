"""MECO to the end of the boostback: separation, flip, and the closed-loop boostback burn."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.config.vocab import Phase
from boostback.control.burns import VelocityToGoController
from boostback.dynamics.state import MASS, PX, PY, PZ, VEL, with_mass
from boostback.environment.frames import enu_basis
from boostback.flight.context import FlightContext
from boostback.flight.dynamics import COAST, State, air_data
from boostback.flight.ecef_plant import EcefPlant, LegRecorder
from boostback.flight.integrate import step
from boostback.flight.record import UNPOWERED
from boostback.flight.reserve import boostback_guess, entry_dv_mps
from boostback.gnc.loop import burn_leg, fly
from boostback.gnc.navigation import InertialNavigator
from boostback.gnc.protocols import Demand, NavEstimate, Tick
from boostback.guidance.boostback_targeting import (
    TargetingSolution,
    best_pitch,
    solve_boostback,
)

__all__ = [
    "BoostbackGuidance",
    "BoostbackOutcome",
    "BoostbackPlan",
    "boostback_outcome",
    "coast",
    "fly_boostback",
    "plan_boostback",
    "resolve_after_flip",
    "separate",
]

BURN_LEG = burn_leg()  # the boostback ends at cut-off (or dry)


@dataclass(frozen=True)
class BoostbackOutcome:
    state: State
    t_s: float
    burned: bool
    planned_dv_mps: float  # impulsive velocity change of the first solution
    burn_s: float
    propellant_kg: float
    miss_m: float  # predicted miss of the impact point when the burn ends (or is skipped)
    predictions: int
    note: str = ""
    pitch_deg: float = math.nan  # the burn's pitch above the local horizon (NaN: no burn)


def coast(
    ctx: FlightContext, x: State, t: float, duration_s: float, phase: str, attached: bool = False
) -> tuple[State, float]:
    """Unpowered flight for ``duration_s`` (recorded), upper stage attached or not."""
    s = ctx.setup
    body = s.ascent_body if attached else s.descent_body
    t_end = t + duration_s
    dt = s.scenario.sim.dt_powered_s
    while t < t_end - 1e-9:
        ctx.rec.sample(t, x, phase, UNPOWERED, 0.0, air_data(x, s.world))
        res = step(x, min(dt, t_end - t), COAST, body, s.world)
        x, t = res.state, t + res.dt
    return x, t


def separate(ctx: FlightContext, x: State, t: float) -> State:
    """Drop the upper stage, payload and fairing."""
    ctx.rec.separated = True
    x = with_mass(x, x[MASS] - ctx.setup.upper_mass_kg)
    ctx.rec.event("separation", t, x)
    return x


def _horizontal(ctx: FlightContext, xs: State, dv: np.ndarray) -> np.ndarray:
    """East and north components of ``dv`` at ``xs``."""
    lat, lon, _ = ctx.setup.world.earth.geodetic_xyz(xs[PX], xs[PY], xs[PZ])
    basis = enu_basis(lat, lon)
    return np.array([basis[0] @ dv, basis[1] @ dv])


def _solve_from(
    ctx: FlightContext,
    xs: State,
    ts: float,
    pitch: float,
    p0: np.ndarray,
    jac: np.ndarray | None,
    tol: float,
) -> TargetingSolution:
    """The boostback velocity change at ``pitch`` that puts the predicted impact on target."""
    base = np.array(xs, dtype=float)
    lat, lon, _ = ctx.setup.world.earth.geodetic_xyz(xs[PX], xs[PY], xs[PZ])
    basis = enu_basis(lat, lon)

    def miss(dv: np.ndarray) -> np.ndarray:
        xx = base.copy()
        xx[VEL] += dv
        imp = ctx.predict(tuple(xx), ts, ctx.entry_nominal)  # type: ignore[arg-type]
        return ctx.miss_en(imp.state)

    return solve_boostback(miss, basis, pitch, p0, jac, tol_m=tol)


def _best_solution(ctx: FlightContext, x: State, t: float) -> TargetingSolution:
    """The pitch with the least boostback plus entry-burn propellant, and its solution aimed
    with the entry burn that follows it."""
    s = ctx.setup
    cfg = s.scenario.boostback
    assert ctx.target_ecef is not None
    alt = air_data(x, s.world).altitude_m
    guess = _horizontal(
        ctx, x, np.array(boostback_guess(x, ctx.reserve_model, tuple(ctx.target_ecef), alt))
    )
    ve = s.exhaust_vac_mps
    model = ctx.reserve_model
    h_entry = s.scenario.entry.start_altitude_m
    g_entry = model.mu_m3ps2 / (s.world.earth.equatorial_radius_m + h_entry) ** 2

    def trial(pitch: float, prev: TargetingSolution | None) -> TargetingSolution:
        p0 = prev.params if prev is not None else guess
        return _solve_from(ctx, x, t, pitch, p0, prev.jacobian if prev else None, 100.0)

    def cost(sol: TargetingSolution) -> float:
        """Boostback plus entry-burn propellant (rocket equation, the entry burn's gravity loss
        as in the reserve; entry target from the limits)."""
        xx = np.array(x, dtype=float)
        xx[VEL] += sol.dv_ecef_mps
        found = ctx.entry_target(tuple(xx), t)  # type: ignore[arg-type]
        if found is None:
            return math.inf
        target, v_entry = found
        dv_entry = entry_dv_mps(v_entry, target.speed_mps, g_entry, model.entry_accel_mps2)
        m1 = x[MASS] * math.exp(-sol.dv_mps / ve)
        return x[MASS] - m1 * math.exp(-dv_entry / ve)

    sol = best_pitch(trial, cost, math.radians(cfg.pitch_min_deg), math.radians(cfg.pitch_max_deg))
    # now the entry burn that follows this boostback, and the solution aimed with it
    xx = np.array(x, dtype=float)
    xx[VEL] += sol.dv_ecef_mps
    ctx.plan_entry(tuple(xx), t)  # type: ignore[arg-type]
    return _solve_from(ctx, x, t, sol.pitch_rad, sol.params, sol.jacobian, 50.0)


class BoostbackGuidance:
    """The boostback burn's ``Guidance``: the velocity still to gain, counted down with the
    accelerometers and re-targeted every ``retarget_period_s`` on the predicted impact point.

    Parameters
    ----------
    ctx : FlightContext
        The flight (its predictor, target and entry-burn plan).
    sol : TargetingSolution
        The solution the burn starts on.
    t_start_s : float
        When the burn starts.
    planned_dv_mps : float
        The velocity change planned at separation (the entry burn is re-planned each time the
        velocity to go halves from it).
    """

    def __init__(
        self, ctx: FlightContext, sol: TargetingSolution, t_start_s: float, planned_dv_mps: float
    ) -> None:
        self.ctx = ctx
        self.pitch = sol.pitch_rad
        self.dv_togo = sol.dv_ecef_mps.copy()
        self.jac = sol.jacobian
        self.t_start_s = t_start_s
        self.period_s = ctx.setup.scenario.boostback.retarget_period_s
        self.t_next = t_start_s + self.period_s
        self.togo_at_entry_plan = planned_dv_mps

    def prepare(self, fix: State) -> float:
        """Light the engines at once."""
        return self.t_start_s

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        """Count the sensed velocity off the velocity to go; re-target when it is time."""
        ctx, t, x = self.ctx, tick.t_s, nav.state
        self.dv_togo = self.dv_togo - np.asarray(nav.dv_sensed_mps)
        if t >= self.t_next - 1e-9:
            self.t_next = t + self.period_s
            togo_now = float(np.linalg.norm(self.dv_togo))
            if togo_now <= 0.5 * self.togo_at_entry_plan:
                # The entry burn this boostback leads to, from the state the burn is heading
                # for, each time the velocity still to gain has halved (the impulse that stands
                # in for the rest of the burn errs in proportion to it). Planned once at
                # separation, it came out ~290 m/s deeper than the burn flown, and the impact
                # point kilometres off.
                ahead = np.array(x, dtype=float)
                ahead[VEL] += self.dv_togo
                ctx.plan_entry(tuple(ahead), t)  # type: ignore[arg-type]
                self.togo_at_entry_plan = togo_now
            guess = _horizontal(ctx, x, self.dv_togo)
            sol = _solve_from(ctx, x, t, self.pitch, guess, self.jac, 10.0)
            self.dv_togo, self.jac = sol.dv_ecef_mps.copy(), sol.jacobian
        return Demand(Phase.BOOSTBACK, self.t_start_s, self.dv_togo)


def _burn(
    ctx: FlightContext, x: State, t: float, sol: TargetingSolution, planned: float
) -> tuple[State, float, str]:
    """Burn along the velocity still to gain until it is gained (or the propellant runs out),
    on the one loop; returns the state, the time and a note."""
    s = ctx.setup
    cfg = s.scenario.boostback
    hw = s.booster.recovery
    count = hw.boostback_engines if hw else 1
    plant = EcefPlant(
        s.descent_body,
        s.world,
        ctx.faults,
        x,
        t,
        s.boostback_prop,
        count,
        Phase.BOOSTBACK,
        s.dry_mass_kg,
    )
    end = fly(
        plant,
        InertialNavigator(),
        BoostbackGuidance(ctx, sol, t, planned),
        VelocityToGoController(s.boostback_prop, cfg.throttle),
        LegRecorder(ctx.rec, plant, hw.nose_radius_m if hw else 1.0),
        dt_s=s.scenario.sim.dt_powered_s,
        max_time_s=s.scenario.sim.max_time_s,
        deadline=ctx.deadline,
        leg=BURN_LEG,
    )
    note = "propellant ran out in the boostback" if end.ran_dry else ""
    return plant.state, plant.t_s, note


@dataclass(frozen=True)
class BoostbackPlan:
    """The burn chosen at separation: the targeting solution, its velocity change and the
    propellant and prediction counts to measure the burn from."""

    sol: TargetingSolution
    planned_dv_mps: float
    propellant0_kg: float
    predictions0: int


def plan_boostback(ctx: FlightContext, x: State, t: float) -> BoostbackPlan | BoostbackOutcome:
    """At separation: the burn to fly, or the outcome of none (no site; already on target)."""
    n0 = ctx.predictions
    prop0 = ctx.rec.propellant_kg(x)
    if ctx.target_ecef is None:
        return BoostbackOutcome(x, t, False, 0.0, 0.0, 0.0, math.nan, 0, "no landing site")
    typical = ctx.entry_nominal
    ctx.plan_entry(x, t)  # the entry burn of the unpowered path
    free = ctx.predict(x, t, ctx.entry_nominal)
    miss0 = float(np.hypot(*ctx.miss_en(free.state)))
    if miss0 <= ctx.setup.scenario.boostback.skip_miss_m:
        return BoostbackOutcome(
            x, t, False, 0.0, 0.0, 0.0, miss0, ctx.predictions - n0, "impact point on target"
        )
    ctx.entry_nominal = typical  # the pitch search judges every trial with the typical entry
    sol = _best_solution(ctx, x, t)
    return BoostbackPlan(sol, sol.dv_mps, prop0, n0)


def resolve_after_flip(
    ctx: FlightContext, x: State, t: float, plan: BoostbackPlan
) -> TargetingSolution:
    """The solution again from the state the flip ended in, and the burn's start recorded."""
    sol = plan.sol
    sol = _solve_from(
        ctx, x, t, sol.pitch_rad, _horizontal(ctx, x, sol.dv_ecef_mps), sol.jacobian, 25.0
    )
    ctx.rec.event(
        "boostback_start",
        t,
        x,
        f"{plan.planned_dv_mps:.0f} m/s planned, pitch {math.degrees(plan.sol.pitch_rad):.0f} deg",
    )
    return sol


def boostback_outcome(
    ctx: FlightContext, x: State, t: float, t_start: float, plan: BoostbackPlan, note: str
) -> BoostbackOutcome:
    """The burn flown: its end recorded with the predicted miss."""
    end = ctx.predict(x, t, ctx.entry_nominal)
    miss = float(np.hypot(*ctx.miss_en(end.state)))
    ctx.rec.event("boostback_end", t, x, f"predicted miss {miss:.0f} m")
    return BoostbackOutcome(
        x,
        t,
        True,
        plan.planned_dv_mps,
        t - t_start,
        plan.propellant0_kg - ctx.rec.propellant_kg(x),
        miss,
        ctx.predictions - plan.predictions0,
        note,
        math.degrees(plan.sol.pitch_rad),
    )


def fly_boostback(
    ctx: FlightContext, x: State, t: float, attitude_ecef: tuple[float, float, float]
) -> BoostbackOutcome:
    """From just after separation: flip to the burn attitude, burn, cut off on target.

    ``attitude_ecef`` is the stage's axis at separation (thrust direction at MECO). The burn is
    skipped when the unpowered impact point is already within ``skip_miss_m`` of the site.
    """
    s = ctx.setup
    plan = plan_boostback(ctx, x, t)
    if isinstance(plan, BoostbackOutcome):
        return plan
    sol, planned = plan.sol, plan.planned_dv_mps
    # flip to the burn attitude (timed: the point mass has none)
    hw = s.booster.recovery
    assert hw is not None
    cos_angle = float(np.dot(attitude_ecef, sol.dv_ecef_mps) / max(planned, 1e-9))
    angle = math.degrees(math.acos(max(-1.0, min(1.0, cos_angle))))
    flip_s = angle / hw.flip_rate_deg_s
    x, t = coast(ctx, x, t, flip_s, "flip")
    ctx.rec.event("flip_end", t, x, f"{angle:.0f} deg in {flip_s:.1f} s")
    sol = resolve_after_flip(ctx, x, t, plan)
    t_start = t
    x, t, note = _burn(ctx, x, t, sol, planned)
    return boostback_outcome(ctx, x, t, t_start, plan, note)

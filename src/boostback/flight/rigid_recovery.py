"""A whole flight's recovery flown as a rigid body (``sim.dof = 6``, ``fly --dof 6``).

The ascent is the point mass's: the stack (booster, upper stage, payload) flies its gravity
turn with the thrust along the velocity's plan, and the booster becomes a rigid body at
separation, at rest relative to the Earth, its axis along the MECO thrust. From there every
phase is flown on the rotating-Earth rigid plant (``flight.rigid_plant``) with the same guidance
as in 3-DoF and the attitude loop around its controllers (``flight.rigid_steering``):

1. the flip: the thrusters turn the stage onto the boostback direction (``flight.rigid_flip``),
   a controlled rotation that ends within 2 deg and 0.5 deg/s, not a timed coast;
2. the boostback burn: the velocity-to-go guidance and controller of 3-DoF, the gimbals of the
   burn's engines pointing the body;
3. the coast: the thrusters turn the stage to the attitude of the entry burn (against the
   velocity the coast will have at the entry altitude, predicted once) and hold it;
4. the entry burn: retrograde as in 3-DoF, steered by the gimbals;
5. the grid-fin descent: the fin guidance's lateral acceleration flown as an angle of attack
   (``LiftSteering``), the fins and thrusters holding it;
6. the landing burn: handed over at the hand-over height to the 6-DoF landing plant
   (``boostback land --dof 6``'s) with the stage's attitude, rates and cold gas.

The flight record gets each phase's samples as in 3-DoF (the centre of mass), and the result the
rigid figures: the flip's time and gas, the gas left, and the landing's attitude at touchdown.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

import numpy as np

from boostback.config.vocab import EventName, Phase
from boostback.control.attitude import HOLD_DT_S
from boostback.control.burns import RetrogradeController, VelocityToGoController
from boostback.dynamics.point_mass import Environment
from boostback.dynamics.rigid_body import rotate_body_to_frame
from boostback.dynamics.rigid_state import MASS, QUAT, RATE, SIZE3
from boostback.dynamics.sixdof import SixDofKernel
from boostback.dynamics.sixdof_params import SixDofParams
from boostback.dynamics.state import State
from boostback.environment.atmosphere import USSA1976, Vacuum
from boostback.environment.gravity import UniformGravity
from boostback.environment.wind import NoWind
from boostback.flight.boostback import (
    BoostbackGuidance,
    BoostbackOutcome,
    boostback_outcome,
    plan_boostback,
    resolve_after_flip,
)
from boostback.flight.context import FlightContext
from boostback.flight.descent import (
    DescentOutcome,
    EntryOutcome,
    FinGuidance,
    entry_target_at,
)
from boostback.flight.dynamics import air_data
from boostback.flight.ecef_plant import LegRecorder
from boostback.flight.integrate import Event, altitude_event, apogee_event, speed_event
from boostback.flight.result import Recovery, RigidFigures
from boostback.flight.rigid_flip import FLIP_GAINS, FlipController, fly_flip, rigid_state_along
from boostback.flight.rigid_plant import RigidFlightPlant
from boostback.flight.rigid_steering import LiftSteering, LocalFrame, RigidSteering
from boostback.flight.touchdown import fly_touchdown
from boostback.gnc.loop import Leg, LoopEnd, burn_leg, fly
from boostback.gnc.navigation import InertialNavigator
from boostback.gnc.protocols import Actuation, Controller, Demand, Guidance, NavEstimate, Tick, Vec3
from boostback.guidance.burns import BurnNow
from boostback.plant.sixdof import RigidStart, reference_offset
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

__all__ = ["fly_rigid_recovery"]

# The largest angle of attack the grid-fin descent asks (estimate: Falcon 9's descent webcasts
# show the stage within about ten degrees of its velocity; the 3-DoF fins' authority is reached
# well inside it at the descent's dynamic pressures).
MAX_DESCENT_ALPHA_RAD = math.radians(10.0)
# The boostback engines light once the flip has the axis within this angle of the burn's
# direction, the body still turning: the gimbals of three engines (~1 rad/s^2 in pitch against
# the thrusters' ~0.04) finish the turn in a second or two, for a cosine loss of at most ~13 %
# of the thrust meanwhile, which the velocity-to-go count (on measured acceleration) absorbs.
# (Webcasts of Falcon 9 RTLS flights show the boostback burn lit while the stage still turns;
# the angle is an estimate.)
BOOSTBACK_LIGHT_DEG = 30.0
# The attitude loop's step in the rigid phases (the landing burn keeps its own sim.dt_s): 80 ms,
# 12.5 Hz against loop bandwidths of 0.6-1.2 rad/s, so the sample-and-hold costs under 3 deg of
# phase; the kernel sub-steps fast rotations itself. At 40 ms the three telemetry flights land
# 0.6-1.9 m from the centre, at 80 ms 0.3-1.3 m, in three quarters of the time. The landing
# plant's coast to ignition steps alike (the attitude loop's ``HOLD_DT_S``).
RIGID_DT_S = HOLD_DT_S
# The coast turns the stage to its entry attitude with the thrusters over a minute or two: the
# flip's loop, its turn rate capped at 3 deg/s (the gas of a rest-to-rest turn grows with its
# peak rate: the flip's 20 deg/s would spend the nitrogen the flip left)
COAST_GAINS = replace(FLIP_GAINS, turn_rate_rad_s=math.radians(3.0))


class _Stage:
    """The rigid stage between legs: its 14-float ECEF state, time and cold gas."""

    def __init__(self, params: SixDofParams, x: np.ndarray, t_s: float) -> None:
        self.params, self.x, self.t_s = params, x, t_s
        self.gas_kg = params.rcs_gas_kg

    @property
    def state(self) -> State:
        return tuple(float(v) for v in self.x[:SIZE3])  # type: ignore[return-value]

    def take(self, plant: RigidFlightPlant) -> None:
        self.x, self.t_s, self.gas_kg = plant.rigid_state, plant.t_s, plant.rcs_gas_kg


class _Coast:
    """A coast's ``Guidance``: the engines never light."""

    def prepare(self, fix: State) -> float:
        return math.inf

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        return Demand(Phase.COAST, math.inf, None)


@lru_cache(maxsize=8)
def _vacuum_model(params: SixDofParams) -> SixDofKernel:
    """The attitude loop's design model above the air (flip, boostback, coast)."""
    return SixDofKernel.build(params, Environment(Vacuum(), UniformGravity(9.80665), NoWind()))


def _air_model(params: SixDofParams, ground_m: float) -> SixDofKernel:
    """The design model in still standard air over a flat Earth at the site's height."""
    env = Environment(USSA1976(), UniformGravity(9.80665), NoWind(), base_altitude_m=ground_m)
    return SixDofKernel.build(params, env)


def _frame_at(ctx: FlightContext, x: np.ndarray) -> LocalFrame:
    lat, lon, _ = ctx.setup.world.earth.geodetic_xyz(float(x[0]), float(x[1]), float(x[2]))
    return LocalFrame(lat, lon)


def _pad_frame(ctx: FlightContext) -> LocalFrame:
    assert ctx.target is not None and ctx.target_ecef is not None
    origin = tuple(float(c) for c in ctx.target_ecef)
    return LocalFrame(ctx.target.lat_rad, ctx.target.lon_rad, origin)  # type: ignore[arg-type]


def _plant(
    ctx: FlightContext,
    stage: _Stage,
    burn: tuple[object, tuple[int, ...], str],
    watch: tuple[Event, ...] = (),
) -> tuple[RigidFlightPlant, LegRecorder]:
    """The rigid plant from the stage's state for a burn or coast ``(prop, engines, phase)``,
    and the recorder that writes its samples into the flight's record."""
    s = ctx.setup
    prop, engines, phase = burn
    plant = RigidFlightPlant(
        stage.params, s.world, ctx.faults, stage.x, stage.t_s, prop,  # type: ignore[arg-type]
        engines, phase, watch=watch, gas_kg=stage.gas_kg,
    )  # fmt: skip
    hw = s.booster.recovery
    return plant, LegRecorder(ctx.rec, plant, hw.nose_radius_m if hw else 1.0)  # type: ignore[arg-type]


def _leg(
    ctx: FlightContext,
    stage: _Stage,
    parts: tuple[Guidance, Controller],
    burn: tuple[object, tuple[int, ...], str],
    watch: tuple[Event, ...],
    leg: Leg,
) -> LoopEnd:
    """One leg of the loop on the rigid plant from the stage's state; the stage advanced."""
    plant, rec = _plant(ctx, stage, burn, watch)
    end = fly(
        plant,
        InertialNavigator(),
        parts[0],
        parts[1],
        rec,  # type: ignore[arg-type]
        dt_s=RIGID_DT_S,
        max_time_s=ctx.setup.scenario.sim.max_time_s,
        deadline=ctx.deadline,
        leg=leg,
    )
    stage.take(plant)
    return end


def _flip(ctx: FlightContext, stage: _Stage, target_ecef: Vec3, figures: RigidFigures) -> None:
    """Turn the stage towards ``target_ecef`` with its thrusters until within
    ``BOOSTBACK_LIGHT_DEG`` of it (recorded as the flip)."""
    plant, rec = _plant(ctx, stage, (ctx.setup.boostback_prop, (), Phase.FLIP))
    ctrl = FlipController(stage.params, _frame_at(ctx, stage.x))

    def record(act: Actuation) -> None:
        rec.sample(plant.t_s, plant.state, act, Phase.FLIP)

    res = fly_flip(
        plant, ctrl, target_ecef, dt_s=RIGID_DT_S, tol_deg=BOOSTBACK_LIGHT_DEG,
        rate_tol_dps=math.inf, record=record,
    )  # fmt: skip
    stage.take(plant)
    figures.flip_s, figures.flip_turn_deg = res.t_s, res.turn_deg
    figures.flip_gas_kg, figures.flip_settled = res.gas_kg, res.done
    how = "" if res.done else ", not settled"
    ctx.rec.event(
        "flip_end", stage.t_s, stage.state,
        f"{res.turn_deg:.0f} deg in {res.t_s:.1f} s on {res.gas_kg:.0f} kg of gas{how}",
    )  # fmt: skip


def _boostback(ctx: FlightContext, stage: _Stage, figures: RigidFigures) -> BoostbackOutcome:
    s = ctx.setup
    plan = plan_boostback(ctx, stage.state, stage.t_s)
    if isinstance(plan, BoostbackOutcome):
        return plan
    d = plan.sol.dv_ecef_mps / max(plan.planned_dv_mps, 1e-9)
    _flip(ctx, stage, (float(d[0]), float(d[1]), float(d[2])), figures)
    sol = resolve_after_flip(ctx, stage.state, stage.t_s, plan)
    t_start = stage.t_s
    engines = tuple(int(i) for i in burn_engines(s.booster, "boostback"))
    inner = VelocityToGoController(s.boostback_prop, s.scenario.boostback.throttle)
    steer = RigidSteering(inner, _vacuum_model(stage.params), engines, _frame_at(ctx, stage.x))
    guidance = BoostbackGuidance(ctx, sol, stage.t_s, plan.planned_dv_mps)
    end = _leg(
        ctx, stage, (guidance, steer), (s.boostback_prop, engines, Phase.BOOSTBACK), (),
        burn_leg(),
    )  # fmt: skip
    note = "propellant ran out in the boostback" if end.ran_dry else ""
    return boostback_outcome(ctx, stage.state, stage.t_s, t_start, plan, note)


def _entry_attitude(ctx: FlightContext, stage: _Stage) -> Vec3:
    """Against the velocity the coast will have at the entry altitude (engines first)."""
    s = ctx.setup
    h = max(
        s.scenario.entry.start_altitude_m, s.ground_alt_m + s.scenario.descent.handover_altitude_m
    )
    v = np.asarray(ctx.coast_to(stage.state, stage.t_s, h).state[3:6])
    d = -v / max(float(np.linalg.norm(v)), 1e-9)
    return (float(d[0]), float(d[1]), float(d[2]))


# Above this height over the entry burn's start the coast is left to itself once the stage has
# turned (no air to turn it: torque-free, long steps); below it the attitude loop holds again
QUIET_MARGIN_M = 20_000.0


def _turn(
    ctx: FlightContext, stage: _Stage, attitude: Vec3, watch: tuple[Event, ...]
) -> str | None:
    """Turn the stage onto ``attitude`` with the thrusters at the coast's gentle rate; returns a
    watched event that ended it (apogee is recorded and does not)."""
    ctrl = FlipController(stage.params, _frame_at(ctx, stage.x), COAST_GAINS)
    plant, rec = _plant(ctx, stage, (ctx.setup.boostback_prop, (), Phase.COAST), watch)
    while True:
        res = fly_flip(
            plant, ctrl, attitude, dt_s=RIGID_DT_S, rate_tol_dps=0.2, max_time_s=300.0,
            record=lambda act: rec.sample(plant.t_s, plant.state, act, Phase.COAST),
            cruise_dt_s=ctx.setup.scenario.sim.dt_coast_s,
        )  # fmt: skip
        if res.event != "apogee":
            break
        ctx.rec.event("apogee", plant.t_s, plant.state)
        plant.watch = tuple(e for e in plant.watch if e.name != "apogee")
    stage.take(plant)
    return res.event


def _drift(ctx: FlightContext, stage: _Stage, watch: tuple[Event, ...]) -> str | None:
    """Coast with the actuators at rest in long steps (as the 3-DoF coast) up to the first of
    ``watch``; apogee is recorded on the way."""
    s = ctx.setup
    plant, rec = _plant(ctx, stage, (s.boostback_prop, (), Phase.COAST), watch)
    event = None
    while plant.t_s < s.scenario.sim.max_time_s:
        act = plant.coast(plant.axis)
        rec.sample(plant.t_s, plant.state, act, Phase.COAST)
        event = plant.step(act, s.scenario.sim.dt_coast_s, plant.tick(Phase.COAST))
        if event == "apogee":
            ctx.rec.event("apogee", plant.t_s, plant.state)
            plant.watch = tuple(e for e in plant.watch if e.name != "apogee")
        elif event is not None:
            break
    stage.take(plant)
    return event


def _coast_to_entry(ctx: FlightContext, stage: _Stage) -> None:
    """Coast over the top to the entry altitude (or the hand-over), turned to the entry
    attitude: the turn on the thrusters, then torque-free in long steps while the air is too
    thin to turn the stage, then held by the attitude loop down to the entry burn."""
    s = ctx.setup
    h_entry = s.scenario.entry.start_altitude_m
    h_hand = s.ground_alt_m + s.scenario.descent.handover_altitude_m
    attitude = _entry_attitude(ctx, stage)
    ends = (altitude_event("entry", h_entry), altitude_event("handover", h_hand))
    quiet = altitude_event("air", max(h_entry, h_hand) + QUIET_MARGIN_M)
    r, v = stage.x[0:3], stage.x[3:6]
    apogee = (apogee_event(),) if float(np.dot(r, v)) > 0.0 else ()
    high = air_data(stage.state, s.world).altitude_m > quiet.level
    event = _turn(ctx, stage, attitude, (*ends, *apogee, *((quiet,) if high else ())))
    if event in ("entry", "handover"):
        return
    if event is None and high:
        apogee = (apogee_event(),) if float(np.dot(stage.x[0:3], stage.x[3:6])) > 0.0 else ()
        if _drift(ctx, stage, (*ends, *apogee, quiet)) in ("entry", "handover"):
            return
    if air_data(stage.state, s.world).altitude_m <= max(h_entry, h_hand) + 1e-3:
        return
    steer = RigidSteering(
        None, _vacuum_model(stage.params), (), _frame_at(ctx, stage.x), COAST_GAINS,
        pointing=lambda nav: attitude,
    )  # fmt: skip
    leg = Leg(ends_on=frozenset({"entry", "handover"}), entered={}, start_event=None)
    _leg(ctx, stage, (_Coast(), steer), (s.boostback_prop, (), Phase.COAST), ends, leg)


def _entry(ctx: FlightContext, stage: _Stage, figures: RigidFigures) -> EntryOutcome:
    s = ctx.setup
    x, t = stage.state, stage.t_s
    figures.entry_alpha_deg = _alpha_deg(stage.x)
    target = entry_target_at(ctx, x, t)
    if not target.needed:
        return EntryOutcome(x, t, target, 0.0, 0.0)
    prop0 = ctx.rec.propellant_kg(x)
    ctx.rec.event("entry_start", t, x, f"target {target.speed_mps:.0f} m/s")
    burn = s.entry_spec(air_data(x, s.world).altitude_m, target.speed_mps)
    engines = tuple(int(i) for i in burn_engines(s.booster, "entry"))
    model = _air_model(stage.params, s.ground_alt_m)
    steer = RigidSteering(RetrogradeController(burn.throttle), model, engines, _pad_frame(ctx))
    _leg(
        ctx, stage, (BurnNow(Phase.ENTRY_BURN, t), steer), (burn.prop, engines, Phase.ENTRY_BURN),
        (speed_event(EventName.ENTRY_END, target.speed_mps),), burn_leg(EventName.ENTRY_END),
    )  # fmt: skip
    ctx.rec.event("entry_end", stage.t_s, stage.state)
    return EntryOutcome(
        stage.state, stage.t_s, target, stage.t_s - t, prop0 - ctx.rec.propellant_kg(stage.state)
    )


def _descent(ctx: FlightContext, stage: _Stage, figures: RigidFigures) -> DescentOutcome:
    s = ctx.setup
    h_hand = s.ground_alt_m + s.scenario.descent.handover_altitude_m
    if air_data(stage.state, s.world).altitude_m <= h_hand:
        return DescentOutcome(stage.state, stage.t_s, math.nan, 0.0)
    model = _air_model(stage.params, s.ground_alt_m)
    lift = LiftSteering(
        model, _pad_frame(ctx), s.descent_body.fin_authority_m2, MAX_DESCENT_ALPHA_RAD, COAST_GAINS
    )
    _leg(
        ctx, stage, (FinGuidance(ctx, h_hand), lift), (s.entry_prop, (), Phase.AERO_DESCENT),
        (altitude_event(EventName.HANDOVER, h_hand),), burn_leg(EventName.HANDOVER),
    )  # fmt: skip
    figures.descent_alpha_max_deg = math.degrees(lift.alpha_max_rad)
    x, t = stage.state, stage.t_s
    miss = math.nan
    if ctx.target_ecef is not None:
        miss = float(np.hypot(*ctx.miss_en(ctx.predict(x, t, None).state)))
    return DescentOutcome(x, t, miss, lift.saturated_s)


def _alpha_deg(x: np.ndarray) -> float:
    """The angle between the body axis and the air flow onto it (still air), degrees."""
    v = np.asarray(x[3:6])
    speed = float(np.linalg.norm(v))
    if speed < 1e-6:
        return 0.0
    axis = np.asarray(rotate_body_to_frame(tuple(float(c) for c in x[QUAT]), (1.0, 0.0, 0.0)))
    return math.degrees(math.acos(max(-1.0, min(1.0, float(-axis @ v) / speed))))


def _handover(ctx: FlightContext, stage: _Stage, figures: RigidFigures) -> tuple[State, RigidStart]:
    """The landing burn's start: the feet's centre as the 3-DoF point (ECEF), the attitude
    turned into the pad's east-north-up frame, the rates and the gas left."""
    frame = _pad_frame(ctx)
    x = stage.x
    feet = x[0:3] + reference_offset(x, stage.params)
    point: State = (*map(float, feet), *map(float, x[3:6]), float(x[MASS]))  # type: ignore[assignment]
    att = np.empty(7)
    att[0:4] = frame.attitude(x[QUAT])
    att[4:7] = x[RATE]
    axis_up = float(
        frame.vector(rotate_body_to_frame(tuple(float(c) for c in x[QUAT]), (1.0, 0.0, 0.0)))[2]
    )
    figures.handover_tilt_deg = math.degrees(math.acos(max(-1.0, min(1.0, axis_up))))
    figures.handover_rate_dps = math.degrees(float(np.linalg.norm(x[RATE])))
    return point, RigidStart(att, stage.gas_kg)


def fly_rigid_recovery(
    ctx: FlightContext, x: State, t: float, axis_ecef: Vec3, notes: list[str]
) -> tuple[Recovery, RigidFigures]:
    """Boostback, coast, entry burn, grid-fin descent and the landing burn of a rigid stage.

    Parameters
    ----------
    ctx : FlightContext
        The flight.
    x, t : State, float
        The point mass just after separation (ECEF) and the time.
    axis_ecef : tuple of float
        The stage's axis at separation (the MECO thrust axis).
    notes : list of str
        Where notes on the flight are appended.

    Returns
    -------
    tuple of Recovery and RigidFigures
    """
    params = sixdof_params(ctx.setup.vehicle)
    stage = _Stage(params, rigid_state_along(x, axis_ecef), t)
    figures = RigidFigures()
    out = Recovery()
    bb = out.boostback = _boostback(ctx, stage, figures)
    if bb.note:
        notes.append(bb.note)
    _coast_to_entry(ctx, stage)
    s = ctx.setup
    h_hand = s.ground_alt_m + s.scenario.descent.handover_altitude_m
    if air_data(stage.state, s.world).altitude_m > h_hand + 1:
        out.entry = _entry(ctx, stage, figures)
    ctx.rec.event("aero_descent", stage.t_s, stage.state)
    out.descent = _descent(ctx, stage, figures)
    ctx.rec.event(
        "handover", stage.t_s, stage.state, f"predicted miss {out.descent.miss_at_handover_m:.0f} m"
    )
    figures.gas_used_kg = params.rcs_gas_kg - stage.gas_kg
    figures.gas_left_kg = stage.gas_kg
    if stage.x[MASS] - params.dry_mass_kg <= 0.0:
        notes.append("no propellant left for the landing burn")
        out.outcome = "propellant_depleted"
        return out, figures
    point, start = _handover(ctx, stage, figures)
    out.landing = fly_touchdown(ctx, point, stage.t_s, rigid=start)
    out.outcome = out.landing.outcome.value
    notes.extend(out.landing.notes)
    return out, figures

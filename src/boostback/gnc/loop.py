"""The closed loop: navigate, guide, control, actuate, record, integrate; one step at a time.

The loop knows nothing of any particular vehicle, frame or guidance method: it talks to the four
seams of ``gnc.protocols`` and owns only the flight phase (coast until guidance lights the
engines, the burn, engine cut-off, the fall after the propellant runs out) and the record.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from boostback.config.vocab import EventName, Phase
from boostback.dynamics.state import State
from boostback.gnc.protocols import (
    Actuation,
    AttitudeHolding,
    Controller,
    Demand,
    Guidance,
    NavEstimate,
    Navigator,
    Plant,
    Tick,
)

__all__ = [
    "BURN",
    "COAST",
    "CUTOFF",
    "FALLING",
    "LANDING",
    "Between",
    "Leg",
    "LoopEnd",
    "Recorder",
    "RunTimeout",
    "burn_leg",
    "fly",
]

COAST, BURN, CUTOFF, FALLING = Phase.COAST, Phase.LANDING_BURN, Phase.ENGINE_CUTOFF, Phase.FALLING
TOUCHDOWN = Phase.TOUCHDOWN
_UNPOWERED = frozenset({COAST, CUTOFF, FALLING})
_QUIET = frozenset({COAST, BURN})  # the phases a ``Between`` flies


class RunTimeout(RuntimeError):
    """A flight took longer in wall-clock time than its caller allowed."""


@dataclass(frozen=True)
class Leg:
    """What one call of :func:`fly` flies: how it starts, which events it records, how it ends.

    The default is a landing burn: a ``start`` event, ``ignition`` when guidance lights the
    engines, and on to touchdown (through engine cut-off or running dry). A burn of a whole flight
    (boostback, entry) records its own events around the call and ends at cut-off or at one of the
    plant's events (the entry burn's target speed, the propellant running out).

    Attributes
    ----------
    ends_on : frozenset of str
        Plant events that end the leg (touchdown always does).
    ends_at_cutoff : bool
        The leg ends when the controller shuts the engines down.
    entered : mapping of str to str
        The event recorded when guidance moves the flight into a phase (phases not named here
        record none).
    start_event : str or None
        The event recorded at the first sample (None: none).
    """

    ends_on: frozenset[str] = frozenset({TOUCHDOWN})
    ends_at_cutoff: bool = False
    entered: Mapping[str, str] = field(default_factory=lambda: {BURN: EventName.IGNITION})
    start_event: str | None = EventName.START


LANDING = Leg()


def burn_leg(*ends_on: str) -> Leg:
    """A burn of a whole flight: no events of its own (the flight records them around it); it
    ends at cut-off, when the propellant runs out, or at one of the plant events ``ends_on``."""
    ends = frozenset({EventName.PROPELLANT_OUT, *ends_on})
    return Leg(ends_on=ends, ends_at_cutoff=True, entered={}, start_event=None)


class Recorder(Protocol):
    """Where the loop writes samples and events."""

    def sample(self, t: float, x: State, actuation: Actuation, phase: str) -> None: ...

    def event(self, name: str, t: float, x: State, dry_kg: float, detail: str = "") -> None: ...


class Between(Protocol):
    """Flies the steps of ``phase`` (the coast or the burn) up to guidance's next action, as the
    loop would from the step whose guidance gave ``demand`` (``act``: the step before's
    actuation), and records them; returns the last step's actuation (None: it flew none, and the
    loop flies the step itself)."""

    def __call__(
        self, phase: str, demand: Demand, act: Actuation, max_time_s: float
    ) -> Actuation | None: ...


class RecordingPlant(Plant, Protocol):
    """A plant that also reports its dry mass for the record."""

    dry_mass_kg: float


@dataclass(frozen=True)
class LoopEnd:
    """How the loop ended: the phase it was in, the last actuation, and why it stopped.

    ``event`` is the plant event that ended it (None: cut-off, or the time limit).
    """

    phase: str
    actuation: Actuation
    touched_down: bool
    ran_dry: bool
    event: str | None = None


def _attitude_holder(controller: Controller) -> AttitudeHolding | None:
    """The controller as an attitude holder, if it is one (asked once per flight: the protocol
    check walks its attributes)."""
    return controller if isinstance(controller, AttitudeHolding) else None


def _unpowered(
    plant: RecordingPlant,
    holder: AttitudeHolding | None,
    step: tuple[NavEstimate, Demand, Tick, float],
    act: Actuation,
) -> Actuation:
    """Engines off: a controller that holds attitude (a rigid vehicle's, ``holder``) still steers
    with its fins and thrusters; otherwise (None) the plant coasts, pointing held."""
    if holder is not None:
        nav, demand, tick, h = step
        return plant.actuate(holder.hold(nav, demand, tick, h), tick, h)
    return plant.coast(act.direction)


def _coast_step(t: float, h: float, ignite_at_s: float) -> float:
    """The coast's step from ``t``: ``h``, or less to end at an ignition within it."""
    return ignite_at_s - t if t + h > ignite_at_s > t else h


def _sample(rec: Recorder, plant: RecordingPlant, act: Actuation, phase: str) -> None:
    rec.sample(plant.t_s, plant.state, act, phase)


def _record(rec: Recorder, name: str | None, t: float, x: State, dry: float) -> None:
    if name is not None:
        rec.event(name, t, x, dry)


def _check_deadline(deadline: float | None, t: float) -> None:
    """``RunTimeout`` once ``time.perf_counter()`` has passed ``deadline`` (None: never)."""
    if deadline is not None and time.perf_counter() > deadline:
        raise RunTimeout(f"flight exceeded its wall-clock limit at t={t:.1f}s")


def _start(
    plant: RecordingPlant, navigator: Navigator, guidance: Guidance, rec: Recorder, leg: Leg
) -> tuple[Actuation, float]:
    """Decide the ignition from a first fix, record the leg's start; the engines off, and the
    ignition time commanded."""
    t0 = Tick(plant.t_s, COAST, plant.altitude_m)
    ignite_at_s = guidance.prepare(navigator.fix(plant.state, t0))
    plant.ignite(ignite_at_s)
    act = plant.coast((0.0, 0.0, 1.0))
    _record(rec, leg.start_event, plant.t_s, plant.state, plant.dry_mass_kg)
    return act, ignite_at_s


def _ignite_anew(plant: RecordingPlant, demand: Demand, phase: str, commanded_s: float) -> float:
    """The ignition commanded: when guidance has decided it again during the coast, the plant
    is commanded to light then."""
    if phase == COAST and demand.ignite_at_s != commanded_s:
        plant.ignite(demand.ignite_at_s)
        return demand.ignite_at_s
    return commanded_s


def _cut_off(rec: Recorder, tick: Tick, x: State, dry: float) -> Tick:
    """Record the engines' cut-off at ``tick``; the tick in the cut-off phase."""
    rec.event(EventName.ENGINE_CUTOFF, tick.t_s, x, dry)
    return Tick(tick.t_s, CUTOFF, tick.altitude_m)


def _after_step(
    rec: Recorder, plant: RecordingPlant, leg: Leg, event: str | None, now: LoopEnd
) -> LoopEnd | None:
    """Record what the step's ``event`` means, and how the leg ends if it ends there."""
    if event == TOUCHDOWN:
        _sample(rec, plant, plant.coast(now.actuation.direction), TOUCHDOWN)
        rec.event(EventName.TOUCHDOWN, plant.t_s, plant.state, plant.dry_mass_kg)
        return replace(now, touched_down=True)
    if event is None:
        return None
    if event in leg.ends_on:
        return now
    if event == EventName.PROPELLANT_OUT:
        rec.event(event, plant.t_s, plant.state, plant.dry_mass_kg)
    return None


def fly(
    plant: RecordingPlant,
    navigator: Navigator,
    guidance: Guidance,
    controller: Controller,
    rec: Recorder,
    *,
    dt_s: float,
    max_time_s: float,
    deadline: float | None = None,
    leg: Leg = LANDING,
    coast_dt_s: float | None = None,
    between: Between | None = None,
) -> LoopEnd:
    """Fly from the plant's state until the leg ends (touchdown for a landing) or ``max_time_s``.

    Parameters
    ----------
    plant, navigator, guidance, controller
        The four seams (``gnc.protocols``).
    rec : Recorder
        Receives a sample every step and the events.
    dt_s, max_time_s, coast_dt_s : float
        Step, time limit, and the step before ignition if not ``dt_s`` (a rigid vehicle's).
    deadline : float, optional
        ``time.perf_counter()`` value past which the flight raises ``RunTimeout``.
    leg : Leg
        How the flight starts and ends (default: a landing burn).
    between : Between, optional
        Flies a coast or burn step and the quiet ones after it in one call (``quiet_burn``).

    Returns
    -------
    LoopEnd
    """
    dry, holder, phase, ran_dry = plant.dry_mass_kg, _attitude_holder(controller), str(COAST), False
    act, ignite_at_s = _start(plant, navigator, guidance, rec, leg)
    while plant.t_s < max_time_s:
        t, x = plant.t_s, plant.state
        _check_deadline(deadline, t)
        tick = Tick(t, phase, plant.altitude_m)
        nav = navigator.update(x, tick, plant.sense())
        demand = guidance.update(nav, tick)
        ignite_at_s = _ignite_anew(plant, demand, phase, ignite_at_s)
        if demand.phase != phase:
            phase, tick = demand.phase, Tick(t, demand.phase, tick.altitude_m)
            _record(rec, leg.entered.get(phase), t, x, dry)
        if between and phase in _QUIET and (quiet := between(phase, demand, act, max_time_s)):
            act = quiet  # this step and the quiet ones after it, flown
            continue
        h, last = dt_s, False
        if phase == COAST:
            h = _coast_step(t, dt_s if coast_dt_s is None else coast_dt_s, demand.ignite_at_s)
            act = _unpowered(plant, holder, (nav, demand, tick, h), act)
        elif phase not in _UNPOWERED:
            cmd = controller.command(nav, demand, tick, h)
            if cmd.cutoff:
                phase, tick = CUTOFF, _cut_off(rec, tick, x, dry)
                if leg.ends_at_cutoff:
                    return LoopEnd(phase, plant.coast(act.direction), False, ran_dry)
            elif cmd.hold_s <= h:  # the burn ends within this step: shorten it to end there
                h, last = cmd.hold_s, True
            act = plant.actuate(cmd, tick, h)
        if phase in (FALLING, CUTOFF):  # out of propellant, or shut down
            act = _unpowered(plant, holder, (nav, demand, tick, h), act)
        _sample(rec, plant, act, phase)
        event = None
        if h > 1e-6 or not last:  # a burn already ended to within a microsecond takes no step
            navigator.sense(act, tick, h)
            event = plant.step(act, h, tick)
        if event is not None:
            if event == EventName.PROPELLANT_OUT:
                ran_dry, phase = True, FALLING
            end = _after_step(rec, plant, leg, event, LoopEnd(phase, act, False, ran_dry, event))
            if end is not None:
                return end
        if last:
            return LoopEnd(CUTOFF, act, False, ran_dry)
    _sample(rec, plant, act, phase)
    return LoopEnd(phase, act, False, ran_dry)

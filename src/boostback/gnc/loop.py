"""The closed loop: navigate, guide, control, actuate, record, integrate; one step at a time.

The loop knows nothing of any particular vehicle, frame or guidance method: it talks to the four
seams of ``gnc.protocols`` and owns only the flight phase (coast until guidance lights the
engines, the burn, engine cut-off, the fall after the propellant runs out) and the record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from boostback.config.vocab import EventName, Phase
from boostback.dynamics.state import State
from boostback.gnc.protocols import Actuation, Controller, Guidance, Navigator, Plant, Tick

__all__ = ["BURN", "COAST", "CUTOFF", "FALLING", "LoopEnd", "Recorder", "RunTimeout", "fly"]

COAST, BURN, CUTOFF, FALLING = Phase.COAST, Phase.LANDING_BURN, Phase.ENGINE_CUTOFF, Phase.FALLING
TOUCHDOWN = Phase.TOUCHDOWN
# the event recorded when guidance moves the flight into a phase
_ENTERED: dict[str, str] = {BURN: EventName.IGNITION}


class RunTimeout(RuntimeError):
    """A flight took longer in wall-clock time than its caller allowed."""


class Recorder(Protocol):
    """Where the loop writes samples and events."""

    def sample(
        self,
        t: float,
        x: State,
        throttle: float,
        direction: tuple[float, float, float],
        thrust_n: float,
        phase: str,
    ) -> None: ...

    def event(self, name: str, t: float, x: State, dry_kg: float, detail: str = "") -> None: ...


class RecordingPlant(Plant, Protocol):
    """A plant that also reports its dry mass for the record."""

    dry_mass_kg: float


@dataclass(frozen=True)
class LoopEnd:
    """How the loop ended: the phase it was in, the last actuation, and why it stopped."""

    phase: str
    actuation: Actuation
    touched_down: bool
    ran_dry: bool


def _sample(rec: Recorder, plant: RecordingPlant, act: Actuation, phase: str) -> None:
    rec.sample(plant.t_s, plant.state, act.throttle, act.direction, act.thrust_n, phase)


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
) -> LoopEnd:
    """Fly from the plant's state until touchdown or ``max_time_s``.

    Parameters
    ----------
    plant, navigator, guidance, controller
        The four seams (``gnc.protocols``).
    rec : Recorder
        Receives a sample every step and the events.
    dt_s, max_time_s : float
        Step and simulated time limit.
    deadline : float, optional
        ``time.perf_counter()`` value past which the flight raises ``RunTimeout``.

    Returns
    -------
    LoopEnd
    """
    dry = plant.dry_mass_kg
    t0 = Tick(plant.t_s, COAST, plant.altitude_m)
    plant.ignite(guidance.prepare(navigator.fix(plant.state, t0)))
    phase: str = COAST
    ran_dry = False
    act = plant.coast((0.0, 0.0, 1.0))
    rec.event(EventName.START, plant.t_s, plant.state, dry)
    while plant.t_s < max_time_s:
        t, x = plant.t_s, plant.state
        if deadline is not None and time.perf_counter() > deadline:
            raise RunTimeout(f"flight exceeded its wall-clock limit at t={t:.1f}s")
        tick = Tick(t, phase, plant.altitude_m)
        nav = navigator.update(x, tick, plant.sense())
        demand = guidance.update(nav, tick)
        if demand.phase != phase:
            phase = demand.phase
            tick = Tick(t, phase, tick.altitude_m)
            rec.event(_ENTERED.get(phase, phase), t, x, dry)
        h = dt_s
        if phase == COAST:
            act = plant.coast(act.direction)
            if t + dt_s > demand.ignite_at_s > t:
                h = demand.ignite_at_s - t
        elif phase == BURN:
            cmd = controller.command(nav, demand, tick, h)
            if cmd.cutoff:
                phase = CUTOFF
                tick = Tick(t, phase, tick.altitude_m)
                rec.event(EventName.ENGINE_CUTOFF, t, x, dry)
            act = plant.actuate(cmd, tick, h)
        if phase in (FALLING, CUTOFF):  # out of propellant, or shut down
            act = plant.coast(act.direction)
        _sample(rec, plant, act, phase)
        navigator.sense(act, tick, h)
        event = plant.step(act, h, tick)
        if event == EventName.PROPELLANT_OUT:
            ran_dry, phase = True, FALLING
            rec.event(event, plant.t_s, plant.state, dry)
        elif event == TOUCHDOWN:
            _sample(rec, plant, plant.coast(act.direction), TOUCHDOWN)
            rec.event(EventName.TOUCHDOWN, plant.t_s, plant.state, dry)
            return LoopEnd(phase, act, True, ran_dry)
    _sample(rec, plant, act, phase)
    return LoopEnd(phase, act, False, ran_dry)

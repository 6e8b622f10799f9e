"""Fixed-step RK4 with event location for the rotating-Earth kernel.

An event is a function of the state that is positive before the event and crosses zero at it
(ground contact, propellant out, an altitude or a propellant reserve reached). A step that crosses
one is shortened so the earliest event falls on its end: the crossing is found by regula falsi
with the Illinois modification, each trial a fresh RK4 step from the step's start.

The RK4 steps are those of the compiled kernel (``flight.kernel``) when it supports the models,
else of the reference ``flight.dynamics.rk4_step``; the events stay Python functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from boostback.flight.dynamics import Body, Command, State, World, rk4_step
from boostback.flight.kernel import command_array, flight_kernel
from boostback.numerics import illinois

__all__ = ["EventFn", "StepResult", "altitude_event", "mass_event", "step"]

EventFn = Callable[[State], float]


@dataclass(frozen=True, slots=True)
class StepResult:
    state: State
    dt: float
    event: str | None


def _refine(
    g: EventFn, x: State, dt: float, advance: Callable[[State, float], State], g0: float, g1: float
) -> tuple[State, float]:
    states: dict[float, State] = {dt: advance(x, dt)}

    def f(h: float) -> float:
        states[h] = advance(x, h)
        return g(states[h])

    h, _, _, hi = illinois(f, 0.0, dt, g0, g1, ftol=1e-9, xtol=1e-10, max_iter=50)
    xh = states[h]
    nudge = 1e-9 * max(dt, 1.0)
    while g(xh) > 0.0 and h < hi:  # step just across, so the event is seen as reached
        h = min(h + nudge, hi)
        xh = advance(x, h)
        nudge *= 4.0
    return xh, h


def step(
    x: State,
    dt: float,
    cmd: Command,
    body: Body,
    world: World,
    events: Sequence[tuple[str, EventFn]] = (),
) -> StepResult:
    """Advance one step of at most ``dt``; stop at the earliest event crossed in it."""
    kernel = flight_kernel(body, world)
    if kernel is not None:
        c = command_array(cmd)

        def advance(x0: State, h: float) -> State:
            return kernel.rk4(x0, h, c)
    else:

        def advance(x0: State, h: float) -> State:
            return rk4_step(x0, h, cmd, body, world)

    x1 = advance(x, dt)
    best: StepResult | None = None
    for name, g in events:
        g0 = g(x)
        if g0 <= 0.0:
            continue
        g1 = g(x1)
        if g1 > 0.0:
            continue
        xe, h = _refine(g, x, dt, advance, g0, g1)
        if best is None or h < best.dt:
            best = StepResult(xe, h, name)
    return best if best is not None else StepResult(x1, dt, None)


def altitude_event(world: World, altitude_m: float) -> EventFn:
    """Positive above ``altitude_m`` (height on the Earth model), zero at it."""
    geo = world.earth.geodetic_xyz

    def g(x: State) -> float:
        return geo(x[0], x[1], x[2])[2] - altitude_m

    return g


def mass_event(mass_kg: float) -> EventFn:
    """Positive while the mass is above ``mass_kg``."""

    def g(x: State) -> float:
        return x[6] - mass_kg

    return g

"""Fixed-step integration with event detection: touchdown (altitude 0) and propellant out.

A step that would cross an event is shortened so the event lands on the step's end: the crossing
time is found by a secant iteration on the event function, each trial a fresh RK4 step from the
step's start, so the state at the event is as accurate as the integrator itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from boostback.dynamics.fast import FastKernel
from boostback.dynamics.point_mass import (
    AeroParams,
    Environment,
    PropulsionParams,
    State,
    rk4_step,
)
from boostback.numerics import illinois


@dataclass(frozen=True)
class StepResult:
    state: State
    dt: float
    event: str | None  # "touchdown", "propellant_out" or None


def _refine(
    g: Callable[[State], float],
    x: State,
    dt: float,
    step: Callable[[State, float], State],
    g0: float,
    g1: float,
) -> tuple[State, float]:
    """Find h in (0, dt] with g(step(x, h)) = 0, given g(x) = g0 > 0 >= g1 = g(step(x, dt))."""
    states: dict[float, State] = {dt: step(x, dt)}

    def f(h: float) -> float:
        states[h] = step(x, h)
        return g(states[h])

    h, _, _, _ = illinois(f, 0.0, dt, g0, g1, ftol=1e-9, xtol=1e-12, max_iter=40)
    return states[h], h


def step_with_events(
    x: State,
    dt: float,
    throttle: float,
    direction: tuple[float, float, float],
    prop: PropulsionParams,
    aero: AeroParams,
    env: Environment,
    dry_mass_kg: float,
    kernel: FastKernel | None = None,
) -> StepResult:
    """Advance one step; stop early at touchdown or when the propellant runs out.

    ``kernel`` (from ``compile_kernel(prop, aero, env)``) runs the same step compiled.
    """

    def step(x0: State, h: float) -> State:
        if kernel is not None:
            return kernel.step(x0, h, throttle, direction)
        return rk4_step(x0, h, throttle, direction, prop, aero, env)

    x1 = step(x, dt)
    if throttle > 0.0 and x1[6] < dry_mass_kg:

        def g_mass(s: State) -> float:
            return s[6] - dry_mass_kg

        xm, h = _refine(g_mass, x, dt, step, g_mass(x), g_mass(x1))
        if xm[2] > 0.0:
            return StepResult((*xm[:6], max(xm[6], dry_mass_kg)), h, "propellant_out")
    if x1[2] <= 0.0 < x[2]:

        def g_alt(s: State) -> float:
            return s[2]

        xt, h = _refine(g_alt, x, dt, step, x[2], x1[2])
        return StepResult(xt, h, "touchdown")
    return StepResult(x1, dt, None)

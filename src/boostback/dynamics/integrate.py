"""Fixed-step integration with event detection: touchdown (altitude 0) and propellant out.

A step that would cross an event is shortened so the event lands on the step's end: the crossing
time is found by a secant iteration on the event function, each trial a fresh RK4 step from the
step's start, so the state at the event is as accurate as the integrator itself. Every step is
the compiled kernel's (``fast.compile_kernel``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from boostback.config.vocab import EventName
from boostback.dynamics.fast import FastKernel, compile_kernel
from boostback.dynamics.point_mass import AeroParams, Environment, PropulsionParams, State
from boostback.dynamics.state import MASS, UP, with_mass
from boostback.numerics import illinois

S = TypeVar("S")  # a state: a 3-DoF tuple, or a rigid body's array


@dataclass(frozen=True)
class StepResult:
    state: State
    dt: float
    event: str | None  # EventName.TOUCHDOWN, EventName.PROPELLANT_OUT or None


def refine_event(
    g: Callable[[S], float],
    x: S,
    dt: float,
    step: Callable[[S, float], S],
    g0: float,
    g1: float,
) -> tuple[S, float]:
    """Find h in (0, dt] with g(step(x, h)) = 0, given g(x) = g0 > 0 >= g1 = g(step(x, dt)).

    Returns the state at the event and ``h``. Any state type and step function will do (the
    6-DoF plant refines its touchdown with its own step).
    """
    states: dict[float, S] = {dt: step(x, dt)}

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

    Parameters
    ----------
    x : State
        The state at the step's start.
    dt : float
        Step length [s].
    throttle : float
        Throttle held over the step (0: engines off).
    direction : tuple of float
        Unit thrust direction (ENU).
    prop, aero, env
        The vehicle and its environment.
    dry_mass_kg : float
        Mass at which the propellant is out.
    kernel : FastKernel, optional
        ``compile_kernel(prop, aero, env)``, when the caller holds it already.

    Returns
    -------
    StepResult
        The state at the step's (possibly shortened) end, its length and the event.

    Raises
    ------
    TypeError
        If an environment model has no compiled kernel (see ``compile_kernel``).
    """
    if kernel is None:
        kernel = compile_kernel(prop, aero, env)
    fast = kernel

    def step(x0: State, h: float) -> State:
        return fast.step(x0, h, throttle, direction)

    x1 = step(x, dt)
    if throttle > 0.0 and x1[MASS] < dry_mass_kg:

        def g_mass(s: State) -> float:
            return s[MASS] - dry_mass_kg

        xm, h = refine_event(g_mass, x, dt, step, g_mass(x), g_mass(x1))
        if xm[UP] > 0.0:
            return StepResult(
                with_mass(xm, max(xm[MASS], dry_mass_kg)), h, EventName.PROPELLANT_OUT
            )
    if x1[UP] <= 0.0 < x[UP]:

        def g_alt(s: State) -> float:
            return s[UP]

        xt, h = refine_event(g_alt, x, dt, step, x[UP], x1[UP])
        return StepResult(xt, h, EventName.TOUCHDOWN)
    return StepResult(x1, dt, None)

"""The landing burn's truth model: a 3-DoF point mass over a flat, pad-centred ENU ground.

It owns the state and steps it with events (touchdown, propellant out) on the compiled kernel;
the engines (``plant.engine``) turn commands into thrust, and faults reach it through their
hooks: a wind gust changes the wind it flies through, a propellant shortfall the load it starts
with, an engine out the engines that run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import overload

import numpy as np

from boostback.dynamics import State, step_with_events
from boostback.dynamics.fast import FastKernel, compile_kernel, drag_accel_many
from boostback.dynamics.point_mass import rk4_kernel
from boostback.dynamics.state import MASS, UP, with_mass
from boostback.environment.atmosphere import LAYERS
from boostback.gnc.faults import FaultState, GustWind
from boostback.gnc.loop import RunTimeout
from boostback.gnc.protocols import Actuation, Tick
from boostback.jit import jit
from boostback.plant.base import EnginePlant, enu_touchdown
from boostback.plant.setup import LandingSetup

__all__ = ["FallPath", "FlatPlant", "enu_touchdown", "fall_kernel", "rk4_models"]

_FALL_LATE = "the ignition search's fall passed its wall-clock limit"
FALL_CHUNK = 128  # steps of the fall per compiled call (the caller's deadline is checked between)


def rk4_models(kernel: FastKernel) -> tuple:
    """The models of ``kernel`` as ``point_mass.rk4_kernel`` takes them, after the control."""
    k = kernel
    return (
        k.prop,
        k.aero_m,
        k.aero_cd,
        k.area,
        k.env,
        LAYERS,
        k.wz,
        k.wv,
        k.plume_ct,
        k.plume_factor,
    )


@jit
def fall_kernel(x, dt, steps, direction, models, out):
    """Up to ``steps`` RK4 steps of the unpowered fall from ``x`` into ``out`` (``x`` is row 0),
    the vehicle's axis along ``direction``; it stops before the first step that ends at or below
    the ground. Returns the rows written."""
    out[0] = x
    n = 1
    for _ in range(steps):
        x = rk4_kernel(x, dt, 0.0, direction, *models)
        if x[UP] <= 0.0:
            break
        out[n] = x
        n += 1
    return n


class FallPath(Sequence[State]):
    """The states every ``dt`` of the unpowered fall from ``x0`` (first), at most ``steps``
    steps, ending at the last state above the ground: what stepping the plant with the engines
    off (``step_with_events``) gives. Stepped in compiled calls of ``FALL_CHUNK`` steps, only as
    far as the states asked for (``last`` clamps an index without stepping beyond it; ``len``
    and negative indices step to the ground).

    ``deadline`` (a ``time.perf_counter()`` value): past it, ``RunTimeout`` (a tiny step would
    otherwise make the fall unbounded in wall-clock time).
    """

    def __init__(
        self, kernel: FastKernel, x0: State, dt: float, steps: int, deadline: float | None = None
    ) -> None:
        self._models = rk4_models(kernel)
        self._dt, self._left, self._deadline = float(dt), steps, deadline
        self._states: list[State] = [x0]
        self._x = np.array(x0, dtype=np.float64)
        self._ended = steps <= 0

    def _step_to(self, i: int) -> None:
        """Step until state ``i`` is known or the fall has ended."""
        while len(self._states) <= i and not self._ended:
            if self._deadline is not None and time.perf_counter() > self._deadline:
                at = len(self._states) - 1
                raise RunTimeout(f"{_FALL_LATE} at {at} steps")
            chunk = min(FALL_CHUNK, self._left)
            out = np.empty((chunk + 1, self._x.shape[0]))
            up = np.array((0.0, 0.0, 1.0))
            n = fall_kernel(self._x, self._dt, chunk, up, self._models, out)
            self._states.extend(tuple(row) for row in out[1:n].tolist())  # type: ignore[misc]
            self._left -= n - 1
            self._ended = n - 1 < chunk or self._left <= 0
            self._x = out[n - 1].copy()

    def last(self, i: int) -> int:
        """``min(i, len(self) - 1)``, stepping no further than state ``i``."""
        self._step_to(i)
        return min(i, len(self._states) - 1)

    def __len__(self) -> int:
        self._step_to(math.inf)  # type: ignore[arg-type]
        return len(self._states)

    @overload
    def __getitem__(self, i: int) -> State: ...

    @overload
    def __getitem__(self, i: slice) -> list[State]: ...

    def __getitem__(self, i: int | slice) -> State | list[State]:
        if isinstance(i, slice) or i < 0:
            self._step_to(math.inf)  # type: ignore[arg-type]
        else:
            self._step_to(i)
        return self._states[i]

    def __iter__(self) -> Iterator[State]:
        k = 0
        while True:
            self._step_to(k)
            if k >= len(self._states):
                return
            yield self._states[k]
            k += 1


class FlatPlant(EnginePlant):
    """The ``Plant`` of the landing burn.

    Parameters
    ----------
    setup : LandingSetup
        Vehicle, scenario and the models resolved from them.
    faults : FaultState
        The faults of this flight (the truth carries them).
    """

    def __init__(self, setup: LandingSetup, faults: FaultState) -> None:
        super().__init__(setup, faults)
        x = setup.initial_state()
        self._x: State = with_mass(x, self._loaded_mass(x[MASS])) if faults else x
        self.kernel = compile_kernel(setup.prop, setup.aero, setup.env)

    @property
    def state(self) -> State:
        """The true state (ENU, pad-centred)."""
        return self._x

    @property
    def altitude_m(self) -> float:
        """True height above the pad."""
        return self._x[UP]

    def _ambient_pa(self) -> float:
        return self.setup.env.pressure_pa(self._x[UP])

    def moved(self, x: State, t_s: float) -> None:
        """Take the state and the clock a stretch of steps flown elsewhere reached (the compiled
        landing burn's, ``mission.quiet_burn``)."""
        self._x, self._t = x, t_s

    def air_many(self, states: np.ndarray) -> np.ndarray:
        """Mach number and dynamic pressure (n, 2) of many states (n, 7), in the scenario's wind."""
        zero = np.zeros(states.shape[0])
        return drag_accel_many(states, zero, self.setup.aero, self.setup.env)[:, 3:5]

    def step(self, actuation: Actuation, dt: float, tick: Tick) -> str | None:
        """Integrate over ``dt``; stop at touchdown or when the propellant runs out."""
        s = self.setup
        env, kernel = s.env, self.kernel
        gust = self.faults.gust(tick.t_s, tick.phase, tick.altitude_m) if self.faults else None
        if gust is not None:
            env = replace(env, wind=GustWind(env.wind, gust))
            kernel = compile_kernel(s.prop, s.aero, env)
        prop = self.engines.running(tick)
        if prop is not s.prop:
            kernel = compile_kernel(prop, s.aero, env)
        res = step_with_events(
            self._x,
            dt,
            actuation.throttle,
            actuation.direction,
            prop,
            s.aero,
            env,
            self.dry_mass_kg,
            kernel,
        )
        self._x, self._t = res.state, self._t + res.dt
        return res.event

"""The landing burn's truth model: a 3-DoF point mass over a flat, pad-centred ENU ground.

It owns the state and steps it with events (touchdown, propellant out) on the compiled kernel;
the engines (``plant.engine``) turn commands into thrust, and faults reach it through their
hooks: a wind gust changes the wind it flies through, a propellant shortfall the load it starts
with, an engine out the engines that run.
"""

from __future__ import annotations

import time
from dataclasses import replace

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

__all__ = ["FlatPlant", "enu_touchdown", "fall_kernel", "fall_path", "rk4_models"]

FALL_CHUNK = 1000  # steps of the fall per compiled call (the caller's deadline is checked between)


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


def fall_path(
    kernel: FastKernel, x0: State, dt: float, steps: int, deadline: float | None = None
) -> list[State]:
    """The states every ``dt`` of the unpowered fall from ``x0`` (first), at most ``steps``
    steps, ending at the last state above the ground: what stepping the plant with the engines
    off (``step_with_events``) gives, in compiled calls of ``FALL_CHUNK`` steps.

    ``deadline`` (a ``time.perf_counter()`` value): past it, ``RunTimeout`` (a tiny step would
    otherwise make the fall unbounded in wall-clock time).
    """
    models = rk4_models(kernel)
    up = np.array((0.0, 0.0, 1.0))
    path: list[State] = []
    x = np.array(x0, dtype=np.float64)
    out = np.empty((FALL_CHUNK + 1, x.shape[0]))
    done = 0
    while True:
        if deadline is not None and time.perf_counter() > deadline:
            raise RunTimeout(
                f"the ignition search's fall passed its wall-clock limit at {done} steps"
            )
        chunk = min(FALL_CHUNK, steps - done)
        n = fall_kernel(x, float(dt), chunk, up, models, out)
        path.extend(tuple(row) for row in out[:n].tolist())  # type: ignore[misc]
        done += n - 1
        if n - 1 < chunk or done >= steps:
            return path
        x = out[n - 1].copy()
        path.pop()  # the next chunk starts with it


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

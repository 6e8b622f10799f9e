"""The landing burn's truth model: a 3-DoF point mass over a flat, pad-centred ENU ground.

It owns the state and steps it with events (touchdown, propellant out) on the compiled kernel;
the engines (``plant.engine``) turn commands into thrust, and faults reach it through their
hooks: a wind gust changes the wind it flies through, a propellant shortfall the load it starts
with, an engine out the engines that run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from boostback.dynamics import State, step_with_events
from boostback.dynamics.fast import compile_kernel, drag_accel_many
from boostback.dynamics.state import MASS, UP, with_mass
from boostback.gnc.faults import FaultState, GustWind
from boostback.gnc.protocols import Actuation, Tick
from boostback.plant.base import EnginePlant, enu_touchdown
from boostback.plant.setup import LandingSetup

__all__ = ["FlatPlant", "enu_touchdown"]


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

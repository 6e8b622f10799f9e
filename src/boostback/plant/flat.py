"""The landing burn's truth model: a 3-DoF point mass over a flat, pad-centred ENU ground.

It owns the state and steps it with events (touchdown, propellant out) on the compiled kernel;
the engines (``plant.engine``) turn commands into thrust, and faults reach it through their
hooks: a wind gust changes the wind it flies through, a propellant shortfall the load it starts
with, an engine out the engines that run.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from boostback.dynamics import State, drag_accel, step_with_events
from boostback.dynamics.fast import compile_kernel, drag_accel_many
from boostback.dynamics.state import MASS, UP, with_mass
from boostback.gnc.faults import FaultState, GustWind
from boostback.gnc.outcome import Touchdown
from boostback.gnc.protocols import Actuation, ActuatorCommand, Sensed, Tick, Vec3
from boostback.plant.engine import Engines
from boostback.plant.setup import LandingSetup

__all__ = ["FlatPlant", "enu_touchdown"]


class FlatPlant:
    """The ``Plant`` of the landing burn.

    Parameters
    ----------
    setup : LandingSetup
        Vehicle, scenario and the models resolved from them.
    faults : FaultState
        The faults of this flight (the truth carries them).
    """

    def __init__(self, setup: LandingSetup, faults: FaultState) -> None:
        self.setup = setup
        self.faults = faults
        self.dry_mass_kg = setup.dry_mass_kg
        x = setup.initial_state()
        if faults:
            dry = self.dry_mass_kg
            x = with_mass(x, dry + (x[MASS] - dry) * faults.propellant_factor())
        self._x: State = x
        self._t = 0.0
        self._p_at: State | None = None
        self._p_pa = 0.0
        self.engines = Engines(setup.prop, setup.stage.landing_engines, faults)
        self.kernel = compile_kernel(setup.prop, setup.aero, setup.env)

    @property
    def t_s(self) -> float:
        """Time since the scenario's start."""
        return self._t

    @property
    def state(self) -> State:
        """The true state (ENU, pad-centred)."""
        return self._x

    @property
    def altitude_m(self) -> float:
        """True height above the pad."""
        return self._x[UP]

    def sense(self) -> Sensed:
        """Static pressure at the vehicle and when the engines lit."""
        return Sensed(self._pressure_pa(), self.engines.lit_at_s)

    def _pressure_pa(self) -> float:
        """Static pressure at the present state (computed once per state)."""
        if self._p_at is not self._x:
            self._p_pa = self.setup.env.pressure_pa(self._x[UP])
            self._p_at = self._x
        return self._p_pa

    def air(self) -> tuple[float, float]:
        """Mach number and dynamic pressure now (in the scenario's own wind)."""
        _, mach, qbar = drag_accel(self._x, self.setup.aero, self.setup.env)[2:]
        return mach, qbar

    def air_many(self, states: np.ndarray) -> np.ndarray:
        """Mach number and dynamic pressure (n, 2) of many states (n, 7), in the scenario's wind."""
        zero = np.zeros(states.shape[0])
        return drag_accel_many(states, zero, self.setup.aero, self.setup.env)[:, 3:5]

    def ignite(self, t_command_s: float) -> None:
        """Command the engines to light at ``t_command_s``."""
        self.engines.ignite(t_command_s)

    def actuate(self, command: ActuatorCommand, tick: Tick, dt: float) -> Actuation:
        """What the engines deliver over the coming step."""
        return self.engines.actuate(command, tick, dt, self._pressure_pa())

    def coast(self, direction: Vec3) -> Actuation:
        """Engines off, pointing held."""
        return Actuation(0.0, direction, 0.0, 0.0, self.engines.lit_at_s)

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

    def touchdown(self, direction: Vec3, powered: bool) -> Touchdown:
        """The touchdown state, with the vehicle's axis along ``direction`` when ``powered``."""
        return enu_touchdown(self._x, self._t, self.dry_mass_kg, direction, powered)


def enu_touchdown(
    x: State, t_s: float, dry_mass_kg: float, direction: Vec3, powered: bool
) -> Touchdown:
    """The touchdown at pad-ENU state ``x``: speeds, tilt of the axis ``direction`` (upright when
    the engines are off), miss from the pad and propellant left."""
    tilt = math.degrees(math.acos(max(-1.0, min(1.0, direction[2]))))
    return Touchdown(
        t_s=t_s,
        vertical_speed_mps=-x[5],
        lateral_speed_mps=math.hypot(x[3], x[4]),
        tilt_deg=tilt if powered else 0.0,
        miss_m=math.hypot(x[0], x[1]),
        propellant_kg=x[MASS] - dry_mass_kg,
    )

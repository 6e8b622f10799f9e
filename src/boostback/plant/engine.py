"""The engines as the truth flies them: ignition time, throttle response, faults.

The controller commands a throttle; what the engines deliver over the next step differs by the
ignition delay (nothing before the engines light), the throttle lag (a first-order response) and
the faults acting (a shortfall scales the throttle, an engine out takes its share of thrust, flow
and back-pressure loss away). The faults reach the engines through the ``FaultState`` hooks.
"""

from __future__ import annotations

import math
from dataclasses import replace

from boostback.config.vocab import Phase
from boostback.dynamics.point_mass import PropulsionParams
from boostback.gnc.faults import FaultState, lag_step
from boostback.gnc.protocols import Actuation, ActuatorCommand, Tick

__all__ = ["Engines"]


class Engines:
    """A cluster of ``count`` identical engines lumped into one ``PropulsionParams``.

    Parameters
    ----------
    prop : PropulsionParams
        All ``count`` engines at full throttle.
    count : int
        Engines in the cluster (an engine-out fault removes whole engines).
    faults : FaultState
        The faults of this flight.
    burn : str
        The burn these engines fly (a ``Phase``): an ignition delay whose onset names another
        phase does not delay their ignition.
    """

    def __init__(
        self,
        prop: PropulsionParams,
        count: int,
        faults: FaultState,
        burn: str = Phase.LANDING_BURN,
    ) -> None:
        self.prop = prop
        self.count = max(int(count), 1)
        self.faults = faults
        self.burn = burn
        self.lit_at_s = math.inf
        self._throttle = 0.0  # the valves' position (lag state)

    @property
    def valves(self) -> float:
        """The valves' position: the throttle the engines are set to, before any fault."""
        return self._throttle

    @valves.setter
    def valves(self, throttle: float) -> None:
        """Where steps flown elsewhere left the valves (the compiled landing burn's)."""
        self._throttle = throttle

    def ignite(self, t_command_s: float) -> None:
        """Command ignition at ``t_command_s``; the engines light after the faults' delay."""
        self.lit_at_s = t_command_s + self.faults.ignition_delay_s(self.burn)

    def count_running(self, tick: Tick) -> float:
        """How many of the engines run now (an engine-out fault takes some away)."""
        out = self.faults.engines_out(tick.t_s, tick.phase, tick.altitude_m) if self.faults else 0
        return max(self.count - out, 0.0)

    def running(self, tick: Tick) -> PropulsionParams:
        """The engines still running (all of them unless an engine-out fault acts)."""
        out = self.faults.engines_out(tick.t_s, tick.phase, tick.altitude_m) if self.faults else 0
        if out <= 0.0:
            return self.prop
        k = max(self.count - out, 0.0) / self.count
        p = self.prop
        return replace(
            p,
            thrust_vac_n=p.thrust_vac_n * k,
            exit_area_m2=p.exit_area_m2 * k,
            mass_flow_kgps=p.mass_flow_kgps * k,
        )

    def actuate(
        self, command: ActuatorCommand, tick: Tick, dt: float, pressure_pa: float
    ) -> Actuation:
        """What the engines deliver over the coming step of ``dt`` under ``command``."""
        fs = self.faults
        t, phase, alt = tick.t_s, tick.phase, tick.altitude_m
        if not fs:  # no fault: the valves follow the command and every engine runs
            if t >= self.lit_at_s - 1e-9:
                self._throttle = throttle = command.throttle
                thrust = self.prop.thrust_n(pressure_pa, throttle)
                return Actuation(throttle, command.direction, thrust, thrust, self.lit_at_s)
            self._throttle = 0.0
            off = self.prop.thrust_n(pressure_pa, 0.0)
            return Actuation(0.0, command.direction, off, 0.0, self.lit_at_s)
        lag = fs.throttle_lag_s(t, phase, alt)
        if t >= self.lit_at_s - 1e-9:
            self._throttle = (
                lag_step(self._throttle, command.throttle, dt, lag) if lag else (command.throttle)
            )
            expected = self.prop.thrust_n(pressure_pa, self._throttle)
            throttle = self._throttle * fs.thrust_factor(t, phase, alt)
        else:
            self._throttle = throttle = expected = 0.0
        thrust = self.running(tick).thrust_n(pressure_pa, throttle)
        return Actuation(throttle, command.direction, thrust, expected, self.lit_at_s)

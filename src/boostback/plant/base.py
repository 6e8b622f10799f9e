"""What every landing plant shares: the clock, the engines and their commands, the static pressure
sensed once per state, the load the faults leave, and the touchdown seen from the pad."""

from __future__ import annotations

import math

from boostback.dynamics.state import MASS, State, position, velocity
from boostback.gnc.faults import FaultState
from boostback.gnc.outcome import Touchdown
from boostback.gnc.protocols import Actuation, ActuatorCommand, Sensed, Tick, Vec3
from boostback.plant.engine import Engines
from boostback.plant.setup import LandingSetup

__all__ = ["EnginePlant", "enu_touchdown"]


def enu_touchdown(
    x: State, t_s: float, dry_mass_kg: float, direction: Vec3, powered: bool
) -> Touchdown:
    """The touchdown at pad-ENU state ``x``: speeds, tilt of the axis ``direction`` (upright when
    the engines are off), miss from the pad and propellant left."""
    tilt = math.degrees(math.acos(max(-1.0, min(1.0, direction[2]))))
    east, north, _up = position(x)
    ve, vn, vu = velocity(x)
    return Touchdown(
        t_s=t_s,
        vertical_speed_mps=-vu,
        lateral_speed_mps=math.hypot(ve, vn),
        tilt_deg=tilt if powered else 0.0,
        miss_m=math.hypot(east, north),
        propellant_kg=x[MASS] - dry_mass_kg,
    )


class EnginePlant:
    """Base of the landing plants: a subclass keeps the state, presents it in the pad's ENU frame
    as ``state`` and integrates it in ``step``; it says how to find the pressure around it.

    Parameters
    ----------
    setup : LandingSetup
        The landing burn (vehicle, engines).
    faults : FaultState
        The faults of this flight (the truth carries them).
    """

    def __init__(self, setup: LandingSetup, faults: FaultState) -> None:
        self.setup = setup
        self.faults = faults
        self.dry_mass_kg = setup.dry_mass_kg
        self.engines = Engines(setup.prop, setup.stage.landing_engines, faults)
        self._t = 0.0
        self._p_at: State | None = None
        self._p_pa = 0.0

    @property
    def state(self) -> State:
        """The true state in the pad's ENU frame."""
        raise NotImplementedError

    def _ambient_pa(self) -> float:
        """Static pressure around the vehicle at the present state."""
        raise NotImplementedError

    def _loaded_mass(self, m_kg: float) -> float:
        """The mass aboard once a propellant shortfall has taken its share of the load."""
        if not self.faults:
            return m_kg
        return self.dry_mass_kg + (m_kg - self.dry_mass_kg) * self.faults.propellant_factor()

    @property
    def t_s(self) -> float:
        """Time since the plant's start."""
        return self._t

    @property
    def altitude_m(self) -> float:
        """True height above the pad's plane."""
        return self.state[2]

    def _pressure_pa(self) -> float:
        """Static pressure at the present state (computed once per state)."""
        x = self.state
        if self._p_at is not x:
            self._p_pa = self._ambient_pa()
            self._p_at = x
        return self._p_pa

    def sense(self) -> Sensed:
        """Static pressure at the vehicle and when the engines lit."""
        return Sensed(self._pressure_pa(), self.engines.lit_at_s)

    def ignite(self, t_command_s: float) -> None:
        """Command the engines to light at ``t_command_s``."""
        self.engines.ignite(t_command_s)

    def actuate(self, command: ActuatorCommand, tick: Tick, dt: float) -> Actuation:
        """What the engines deliver over the coming step."""
        return self.engines.actuate(command, tick, dt, self._pressure_pa())

    def coast(self, direction: Vec3) -> Actuation:
        """Engines off, pointing held."""
        return Actuation(0.0, direction, 0.0, 0.0, self.engines.lit_at_s)

    def touchdown(self, direction: Vec3, powered: bool) -> Touchdown:
        """The touchdown seen from the pad, the axis along ``direction`` when ``powered``."""
        return enu_touchdown(self.state, self._t, self.dry_mass_kg, direction, powered)

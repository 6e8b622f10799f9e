"""Controllers of the flight's other burns: retrograde at a set throttle (the entry burn), and
along the velocity still to gain (the boostback burn), ending the burn inside a step."""

from __future__ import annotations

import math

import numpy as np

from boostback.dynamics.point_mass import PropulsionParams
from boostback.dynamics.state import MASS, VX, VY, VZ
from boostback.gnc.protocols import ActuatorCommand, Demand, NavEstimate, Tick, Vec3

__all__ = ["RetrogradeController", "VelocityToGoController"]


class RetrogradeController:
    """Thrust against the Earth-relative velocity at a fixed throttle.

    Parameters
    ----------
    throttle : float
        The throttle held through the burn.
    """

    def __init__(self, throttle: float) -> None:
        self.throttle = throttle

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Retrograde at the burn's throttle."""
        x = nav.state
        speed = math.sqrt(x[VX] * x[VX] + x[VY] * x[VY] + x[VZ] * x[VZ])
        return ActuatorCommand(self.throttle, (-x[VX] / speed, -x[VY] / speed, -x[VZ] / speed))


def _unit(v: np.ndarray) -> Vec3:
    n = float(np.linalg.norm(v))
    return (float(v[0] / n), float(v[1] / n), float(v[2] / n))


class VelocityToGoController:
    """Thrust along the guidance's velocity to go (its ``reference``, in the state's frame) at a
    fixed throttle; the step in which it is gained is the burn's last, shortened to end there.

    The acceleration that sets the last step is the engines' data-sheet thrust scaled by the
    navigator's estimate of achieved over expected thrust.

    Parameters
    ----------
    prop : PropulsionParams
        The burn's engines (all lit).
    throttle : float
        The throttle held through the burn.
    """

    def __init__(self, prop: PropulsionParams, throttle: float) -> None:
        self.prop, self.throttle = prop, throttle

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Along the velocity to go; the hold time when it is gained within ``dt``."""
        togo_v = np.asarray(demand.reference, dtype=float)
        thrust = self.prop.thrust_n(nav.pressure_pa, self.throttle) * nav.thrust_scale
        accel = thrust / nav.state[MASS]
        togo = float(np.linalg.norm(togo_v))
        direction = _unit(togo_v) if togo > 0 else (0.0, 0.0, 1.0)
        hold = togo / accel if togo <= accel * dt else math.inf
        return ActuatorCommand(self.throttle, direction, hold_s=hold)

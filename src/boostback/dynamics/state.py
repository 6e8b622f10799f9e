"""The 3-DoF state layout, defined once: every other module reads the state through these names.

A state is seven floats: position (3, m), velocity (3, m/s) and mass (kg). The frame is named by
whoever holds it: ``r_enu`` over a flat pad-centred ground for the landing burn, ``r_ecef`` on
the rotating Earth for whole flights. Compiled kernels index arrays with the integer constants
(numba folds them); Python code uses the accessors.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "MASS",
    "POS",
    "PX",
    "PY",
    "PZ",
    "SIZE",
    "UP",
    "VEL",
    "VX",
    "VY",
    "VZ",
    "State",
    "position",
    "velocity",
    "with_mass",
]

State = tuple[float, float, float, float, float, float, float]

POS = slice(0, 3)  # position
VEL = slice(3, 6)  # velocity
MASS = 6  # mass
PX, PY, PZ, VX, VY, VZ = 0, 1, 2, 3, 4, 5  # position and velocity components (frame-neutral)
SIZE = 7
UP = 2  # the up component of an ENU position: the height above the pad's plane


def position(x: Sequence[float]) -> tuple[float, float, float]:
    """Position part of ``x``."""
    return (x[0], x[1], x[2])


def velocity(x: Sequence[float]) -> tuple[float, float, float]:
    """Velocity part of ``x``."""
    return (x[3], x[4], x[5])


def with_mass(x: Sequence[float], m: float) -> State:
    """``x`` with its mass replaced by ``m``."""
    return (x[0], x[1], x[2], x[3], x[4], x[5], m)

"""The 6-DoF state layout, defined once: every other module reads a rigid-body state through
these names.

A rigid-body state is fourteen floats. Its first seven are exactly a 3-DoF state (position of the
centre of mass, its velocity, mass: ``dynamics.state``), so guidance, navigation and the records
that read a point mass read a rigid body's translation unchanged through ``x[:SIZE3]``. Then:

- ``QUAT``: the attitude, a unit quaternion, scalar first (w, x, y, z), rotating body-frame
  vectors into the frame the position is given in (``v_frame = q v_body q*``);
- ``RATE``: the body rates, rad/s, in the body frame.

The body frame (see docs/six_dof.md): ``x_body`` along the stage's long axis towards the nose (up,
for a booster standing on its legs), ``y_body`` and ``z_body`` completing a right-handed set;
stations are measured along ``x_body`` from the engines' gimbal plane.
"""

from __future__ import annotations

from collections.abc import Sequence

from boostback.dynamics.state import MASS, POS, VEL
from boostback.dynamics.state import SIZE as SIZE3

__all__ = [
    "MASS",
    "POS",
    "QUAT",
    "QW",
    "QX",
    "QY",
    "QZ",
    "RATE",
    "SIZE",
    "SIZE3",
    "VEL",
    "WX",
    "WY",
    "WZ",
    "attitude",
    "rates",
]

QUAT = slice(7, 11)  # attitude quaternion, scalar first, body -> frame
QW, QX, QY, QZ = 7, 8, 9, 10
RATE = slice(11, 14)  # body rates (rad/s), body frame
WX, WY, WZ = 11, 12, 13  # roll (about the long axis), pitch, yaw
SIZE = 14


def attitude(x: Sequence[float]) -> tuple[float, float, float, float]:
    """Attitude quaternion (w, x, y, z) of rigid-body state ``x``."""
    return (x[QW], x[QX], x[QY], x[QZ])


def rates(x: Sequence[float]) -> tuple[float, float, float]:
    """Body rates (rad/s) of rigid-body state ``x``."""
    return (x[WX], x[WY], x[WZ])

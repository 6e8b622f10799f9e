"""Conversions between the literature's state (``dynamics.py``: mass first, up-east-north) and
the project's rigid-body state (``dynamics.rigid_state``: position, velocity, mass, quaternion,
rates, east-north-up).

The two inertial frames differ by a cyclic permutation of the axes, a proper rotation
(``ENU_FROM_UEN``, -120 deg about (1, 1, 1)). Both quaternions are scalar first and rotate body
vectors into the inertial frame, and the body frame is the same (x along the axis towards the
nose), so the attitude converts by one quaternion product and the rates not at all.
"""

from __future__ import annotations

import numpy as np

from boostback.dynamics import rigid_state as rs

__all__ = [
    "ENU_FROM_UEN",
    "Q_ENU_FROM_UEN",
    "quat_multiply",
    "rigid_from_scvx",
    "scvx_from_rigid",
]

# Rows: east, north, up; columns: up, east, north.
ENU_FROM_UEN = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
# The same rotation as a quaternion: -120 deg about (1, 1, 1) / sqrt(3).
Q_ENU_FROM_UEN = np.array([0.5, -0.5, -0.5, -0.5])


def quat_multiply(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton product ``p (x) q`` of scalar-first quaternions (broadcasts over leading axes)."""
    p0, p1, p2, p3 = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
    q0, q1, q2, q3 = np.moveaxis(np.asarray(q, dtype=float), -1, 0)
    return np.stack(
        (
            p0 * q0 - p1 * q1 - p2 * q2 - p3 * q3,
            p0 * q1 + p1 * q0 + p2 * q3 - p3 * q2,
            p0 * q2 - p1 * q3 + p2 * q0 + p3 * q1,
            p0 * q3 + p1 * q2 - p2 * q1 + p3 * q0,
        ),
        axis=-1,
    )


def _conj(q: np.ndarray) -> np.ndarray:
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def rigid_from_scvx(x: np.ndarray) -> np.ndarray:
    """Literature states ``(m, r, v, q, w)`` in up-east-north (..., 14) to the project's
    rigid-body states in east-north-up (..., 14), same units."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    out[..., rs.POS] = x[..., 1:4] @ ENU_FROM_UEN.T
    out[..., rs.VEL] = x[..., 4:7] @ ENU_FROM_UEN.T
    out[..., rs.MASS] = x[..., 0]
    out[..., rs.QUAT] = quat_multiply(Q_ENU_FROM_UEN, x[..., 7:11])
    out[..., rs.RATE] = x[..., 11:14]
    return out


def scvx_from_rigid(x: np.ndarray) -> np.ndarray:
    """The inverse of ``rigid_from_scvx``."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    out[..., 0] = x[..., rs.MASS]
    out[..., 1:4] = x[..., rs.POS] @ ENU_FROM_UEN
    out[..., 4:7] = x[..., rs.VEL] @ ENU_FROM_UEN
    out[..., 7:11] = quat_multiply(_conj(Q_ENU_FROM_UEN), x[..., rs.QUAT])
    out[..., 11:14] = x[..., rs.RATE]
    return out

"""Touchdown on legs: where the feet are, when the first one touches, and whether the stage
tips over.

The tip-over test is the classical energy criterion for a rigid lander on a rigid footprint. The
legs' crush cores take the vertical speed (their stroke is not modelled); what can tip the stage
is the motion about an edge of the footprint (the line between two adjacent feet). For each edge,
with the centre of mass (CG) ``h`` above the ground and ``d`` inside the edge (horizontally):

- the angular momentum about the edge at contact, ``L = a . (rho x m v + I w)`` with ``a`` the
  edge's axis oriented so that positive ``L`` carries the CG outwards over it, ``rho`` from the
  edge to the CG, ``v`` the CG's velocity less its vertical part, ``I w`` the body's spin;
- the rotational energy about the edge after contact, ``E = L^2 / (2 I_edge)`` with
  ``I_edge = a . I a + m (d^2 + h^2)`` (the edge stays fixed: a perfectly plastic contact);
- the energy it takes to lift the CG over the edge, ``U = m g (sqrt(d^2 + h^2) - h)``.

The stage tips over an edge if its CG is already outside (``d <= 0``) or ``E > U``. The margin is
``1 - E / U`` over the worst edge (negative: it tips). Tilt enters through ``d`` and ``h``, rates
through ``I w``, lateral speed through ``m v``: not speed alone.
"""

from __future__ import annotations

import math

import numpy as np

from boostback.dynamics.rigid_body import rotate_body_to_frame
from boostback.dynamics.rigid_state import MASS, POS, QUAT, RATE, VEL

__all__ = ["attitude_matrix", "feet_body", "feet_frame", "tipover_margin"]


def attitude_matrix(q: np.ndarray) -> np.ndarray:
    """The rotation matrix (body -> frame) of unit quaternion ``q``: its columns are the body
    axes in the frame."""
    qt = (float(q[0]), float(q[1]), float(q[2]), float(q[3]))
    basis = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    cols = [rotate_body_to_frame(qt, e) for e in basis]
    return np.array(cols).T


def feet_body(
    count: int, footprint_radius_m: float, feet_station_m: float, cg_station_m: float
) -> np.ndarray:
    """The feet's positions (count, 3) in body axes relative to the centre of mass.

    The legs stand at even azimuths about ``x_body``, the first between ``y_body`` and
    ``z_body`` (at 45 degrees for four legs: clear of the fins' planes).
    """
    az = (np.arange(count) + 0.5) * (2.0 * math.pi / count)
    out = np.empty((count, 3))
    out[:, 0] = feet_station_m - cg_station_m
    out[:, 1] = footprint_radius_m * np.cos(az)
    out[:, 2] = footprint_radius_m * np.sin(az)
    return out


def feet_frame(x: np.ndarray, feet_b: np.ndarray) -> np.ndarray:
    """The feet's positions (count, 3) in the state's frame for rigid-body state ``x``."""
    rot = attitude_matrix(np.asarray(x[QUAT], dtype=float))
    return np.asarray(x[POS]) + feet_b @ rot.T


def tipover_margin(
    x: np.ndarray, feet_b: np.ndarray, inertia_kgm2: np.ndarray, g_mps2: float
) -> float:
    """Margin against tipping over at first contact (negative: the stage tips).

    Parameters
    ----------
    x : ndarray (14,)
        Rigid-body state at contact, in a frame whose third axis is up (the pad's ENU).
    feet_b : ndarray (k, 3)
        Feet in body axes relative to the centre of mass (``feet_body``).
    inertia_kgm2 : ndarray (3,)
        Principal moments of inertia about the centre of mass (roll, pitch, yaw).
    g_mps2 : float
        Gravity's magnitude.

    Returns
    -------
    float
        ``1 - E / U`` over the worst edge of the footprint; ``-inf`` if the centre of mass is
        already outside it.
    """
    x = np.asarray(x, dtype=float)
    rot = attitude_matrix(x[QUAT])
    cg = x[POS]
    feet = cg + feet_b @ rot.T
    ground = float(feet[:, 2].min())
    h = float(cg[2]) - ground
    m = float(x[MASS])
    v = np.array([x[VEL.start], x[VEL.start + 1], 0.0])
    spin = rot @ (inertia_kgm2 * x[RATE])  # body angular momentum, in the frame
    inertia_frame = rot @ np.diag(inertia_kgm2) @ rot.T
    # the footprint's edges, feet taken in order of azimuth about the CG's vertical
    rel = feet[:, :2] - cg[:2]
    order = np.argsort(np.arctan2(rel[:, 1], rel[:, 0]))
    pts = feet[order]
    worst = math.inf
    for i in range(len(pts)):
        p, q = pts[i], pts[(i + 1) % len(pts)]
        edge = np.array([q[0] - p[0], q[1] - p[1], 0.0])
        edge /= np.linalg.norm(edge)
        outward = np.array([edge[1], -edge[0], 0.0])  # the feet run anticlockwise seen from up
        d = float(np.dot(np.array([p[0] - cg[0], p[1] - cg[1], 0.0]), outward))
        if d <= 0.0:
            return -math.inf
        axis = np.cross(np.array([0.0, 0.0, 1.0]), outward)  # turns the CG outwards when > 0
        rho = np.array([cg[0] - p[0], cg[1] - p[1], h])
        ang = float(axis @ (np.cross(rho, m * v) + spin))
        i_edge = float(axis @ inertia_frame @ axis) + m * (d * d + h * h)
        energy = ang * ang / (2.0 * i_edge) if ang > 0.0 else 0.0
        barrier = m * g_mps2 * (math.hypot(d, h) - h)
        worst = min(worst, 1.0 - energy / barrier)
    return worst

"""Quaternion algebra and Euler's equations of a rigid body whose inertia changes, compiled once.

Quaternions are tuples ``(w, x, y, z)``, scalar first, and an attitude quaternion ``q`` turns
body vectors into the frame the position is given in: ``v_frame = q v_body q*``
(``dynamics.rigid_state``). Body rates ``w`` are the body's angular velocity relative to that
frame (taken as inertial: the flat, non-rotating landing frame), in body axes, so

    q' = 1/2 q (0, w).

Euler's equations with a time-varying inertia tensor ``I`` (about the centre of mass, in body
axes, diagonal: the vehicle is axisymmetric in its mass properties, ``sixdof_params``):

    I w' = M - w x (I w) - I' w

where ``M`` is every external moment about the centre of mass and ``I' = dI/dm * m'`` the rate at
which draining tanks change the inertia. The jet-damping moment (the exhaust carrying away the
angular momentum of the gas leaving the nozzles, ``-m'_out r_e x (w x r_e)``) is part of ``M``:
``dynamics.propulsion6.jet_damping`` computes it per engine with the engine forces.

Every function takes and returns plain floats and tuples, so they are the same source compiled
(numba) or interpreted (``BOOSTBACK_JIT=0``).
"""

from __future__ import annotations

import math

from boostback.jit import jit

__all__ = [
    "quat_between",
    "quat_conjugate",
    "quat_derivative",
    "quat_from_axis_angle",
    "quat_multiply",
    "quat_normalise",
    "rigid_body_rates",
    "rotate_body_to_frame",
    "rotate_frame_to_body",
    "tilt_rad",
]


@jit(inline="always")
def quat_multiply(a, b):
    """Hamilton product ``a b`` of two quaternions ``(w, x, y, z)``.

    Parameters
    ----------
    a, b : tuple of float
        Quaternions, scalar first.

    Returns
    -------
    tuple of float
        ``a b``: applying ``b`` first, then ``a``, when both are rotations.
    """
    aw, ax, ay, az = a[0], a[1], a[2], a[3]
    bw, bx, by, bz = b[0], b[1], b[2], b[3]
    return (
        aw * bw - ax * bx - ay * by - az * bz,
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
    )


@jit(inline="always")
def quat_conjugate(q):
    """Conjugate ``q*`` of quaternion ``q`` (the inverse rotation for a unit quaternion)."""
    return (q[0], -q[1], -q[2], -q[3])


@jit(inline="always")
def quat_normalise(q):
    """``q`` scaled to unit norm (the identity for a zero quaternion).

    Parameters
    ----------
    q : tuple of float
        A quaternion.

    Returns
    -------
    tuple of float
        ``q / |q|``.
    """
    n = math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3])
    if n == 0.0:
        return (1.0, 0.0, 0.0, 0.0)
    return (q[0] / n, q[1] / n, q[2] / n, q[3] / n)


@jit(inline="always")
def rotate_body_to_frame(q, v):
    """The body vector ``v`` in the frame: ``q v q*`` for unit ``q``.

    Parameters
    ----------
    q : tuple of float
        Unit attitude quaternion, body -> frame.
    v : tuple of float
        Vector in body axes.

    Returns
    -------
    tuple of float
        The same vector in frame axes.
    """
    w, x, y, z = q[0], q[1], q[2], q[3]
    # t = 2 (q_vec x v); v' = v + w t + q_vec x t (the expanded sandwich product)
    tx = 2.0 * (y * v[2] - z * v[1])
    ty = 2.0 * (z * v[0] - x * v[2])
    tz = 2.0 * (x * v[1] - y * v[0])
    return (
        v[0] + w * tx + (y * tz - z * ty),
        v[1] + w * ty + (z * tx - x * tz),
        v[2] + w * tz + (x * ty - y * tx),
    )


@jit(inline="always")
def rotate_frame_to_body(q, v):
    """The frame vector ``v`` in body axes: ``q* v q`` for unit ``q``."""
    return rotate_body_to_frame((q[0], -q[1], -q[2], -q[3]), v)


@jit(inline="always")
def quat_from_axis_angle(axis, angle_rad):
    """The rotation by ``angle_rad`` about the unit vector ``axis`` (right-hand rule).

    Parameters
    ----------
    axis : tuple of float
        Unit rotation axis.
    angle_rad : float
        Rotation angle [rad].

    Returns
    -------
    tuple of float
        ``(cos(a/2), sin(a/2) axis)``.
    """
    s = math.sin(0.5 * angle_rad)
    return (math.cos(0.5 * angle_rad), s * axis[0], s * axis[1], s * axis[2])


@jit(inline="always")
def quat_between(u, v):
    """The shortest rotation that turns unit vector ``u`` onto unit vector ``v``.

    Parameters
    ----------
    u, v : tuple of float
        Unit vectors.

    Returns
    -------
    tuple of float
        Unit quaternion ``q`` with ``q u q* = v``. For opposite vectors (a half turn, whose axis
        is not unique) the axis is the one perpendicular to ``u`` nearest to the coordinate axis
        along which ``u`` is smallest.
    """
    c = u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
    cx = u[1] * v[2] - u[2] * v[1]
    cy = u[2] * v[0] - u[0] * v[2]
    cz = u[0] * v[1] - u[1] * v[0]
    if c < -1.0 + 1e-12:  # half turn: any axis perpendicular to u
        ax, ay, az = abs(u[0]), abs(u[1]), abs(u[2])
        if ax <= ay and ax <= az:  # u x e_x
            px, py, pz = 0.0, u[2], -u[1]
        elif ay <= az:  # u x e_y
            px, py, pz = -u[2], 0.0, u[0]
        else:  # u x e_z
            px, py, pz = u[1], -u[0], 0.0
        n = math.sqrt(px * px + py * py + pz * pz)
        return (0.0, px / n, py / n, pz / n)
    return quat_normalise((1.0 + c, cx, cy, cz))


@jit(inline="always")
def tilt_rad(q, up):
    """Angle between the body's long axis ``x_body`` and the frame's unit ``up`` vector.

    Parameters
    ----------
    q : tuple of float
        Unit attitude quaternion, body -> frame.
    up : tuple of float
        The frame's local vertical (``(0, 0, 1)`` in ENU).

    Returns
    -------
    float
        Tilt in [0, pi] [rad]: 0 standing upright, pi/2 lying flat.
    """
    ax = rotate_body_to_frame(q, (1.0, 0.0, 0.0))
    c = ax[0] * up[0] + ax[1] * up[1] + ax[2] * up[2]
    # atan2 of (|a x up|, a . up) keeps full accuracy near 0 and pi, where acos does not
    sx = ax[1] * up[2] - ax[2] * up[1]
    sy = ax[2] * up[0] - ax[0] * up[2]
    sz = ax[0] * up[1] - ax[1] * up[0]
    return math.atan2(math.sqrt(sx * sx + sy * sy + sz * sz), c)


@jit(inline="always")
def quat_derivative(q, w):
    """Attitude rate ``q' = 1/2 q (0, w)`` for body rates ``w`` [rad/s]."""
    return (
        0.5 * (-q[1] * w[0] - q[2] * w[1] - q[3] * w[2]),
        0.5 * (q[0] * w[0] + q[2] * w[2] - q[3] * w[1]),
        0.5 * (q[0] * w[1] - q[1] * w[2] + q[3] * w[0]),
        0.5 * (q[0] * w[2] + q[1] * w[1] - q[2] * w[0]),
    )


@jit(inline="always")
def rigid_body_rates(w, inertia, inertia_dot, moment):
    """Angular acceleration from Euler's equations with a time-varying inertia.

    ``I w' = M - w x (I w) - I' w``, for a diagonal (principal-axis) inertia.

    Parameters
    ----------
    w : tuple of float
        Body rates (roll, pitch, yaw) [rad/s].
    inertia : tuple of float
        Principal moments of inertia about the centre of mass [kg m^2].
    inertia_dot : tuple of float
        Their time derivatives [kg m^2/s] (negative while the tanks drain).
    moment : tuple of float
        Every external moment about the centre of mass, jet damping included [N m], body axes.

    Returns
    -------
    tuple of float
        ``w'`` [rad/s^2], body axes.
    """
    hx, hy, hz = inertia[0] * w[0], inertia[1] * w[1], inertia[2] * w[2]
    gx = w[1] * hz - w[2] * hy  # w x (I w)
    gy = w[2] * hx - w[0] * hz
    gz = w[0] * hy - w[1] * hx
    return (
        (moment[0] - gx - inertia_dot[0] * w[0]) / inertia[0],
        (moment[1] - gy - inertia_dot[1] * w[1]) / inertia[1],
        (moment[2] - gz - inertia_dot[2] * w[2]) / inertia[2],
    )

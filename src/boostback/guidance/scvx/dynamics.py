"""The 6-DoF rigid-body powered-descent dynamics of successive convexification, with their
analytic Jacobians, as compiled kernels (Szmuk & Acikmese 2018, eq. 1-4).

State (the literature's order, mass first, 14 floats)::

    x = (m, r_x, r_y, r_z, v_x, v_y, v_z, q_0, q_1, q_2, q_3, w_x, w_y, w_z)

in an inertial frame whose first axis points up (``_uen``: up, east, north), the attitude a
unit quaternion scalar first rotating body vectors into that frame (the convention of
``dynamics.rigid_state``, whose own layout is position, velocity, mass, quaternion, rates:
``frames.py`` converts), and body rates. Control: the thrust vector in the body frame,
``u = (T_x, T_y, T_z)``, x_body along the vehicle's axis towards the nose.

    m'  = -alpha |u|
    r'  = v
    v'  = R(q) u / m + g
    q'  = 1/2 Omega(w) q            (q' = 1/2 q (x) (0, w))
    w'  = J^-1 (r_T x u - w x J w)

``r_T`` is the thrust's point of application in the body frame relative to the centre of mass
(negative x: below it). Every kernel takes the vehicle as one array ``p`` (layout below) and
evaluates at one (x, u); the time dilation (``dx/dtau = sigma f``) is applied by the caller.
"""

from __future__ import annotations

import numpy as np

from boostback.jit import jit

__all__ = [
    "A_COLS",
    "A_ROWS",
    "NU",
    "NX",
    "P_ALPHA",
    "P_G",
    "P_J",
    "P_JINV",
    "P_RT",
    "P_SIZE",
    "jacobians",
    "pack_params",
    "rhs",
]

NX = 14
NU = 3
# Layout of the parameter array p.
P_ALPHA = 0  # mass flow per unit thrust
P_G = 1  # gravity, 3
P_RT = 4  # thrust point relative to the centre of mass, body, 3
P_J = 7  # inertia tensor, 3x3 row-major
P_JINV = 16  # its inverse, 3x3 row-major
P_SIZE = 25


def pack_params(
    alpha: float, g: np.ndarray, r_thrust_body: np.ndarray, inertia: np.ndarray
) -> np.ndarray:
    """The parameter array the kernels take.

    Parameters
    ----------
    alpha : float
        Mass flow per unit thrust magnitude (``1 / (Isp g0)`` in SI).
    g : (3,) array
        Gravity in the inertial (up-east-north) frame.
    r_thrust_body : (3,) array
        Thrust point relative to the centre of mass, body frame.
    inertia : (3, 3) array
        Inertia tensor about the centre of mass, body frame.

    Returns
    -------
    (P_SIZE,) array
    """
    p = np.zeros(P_SIZE)
    p[P_ALPHA] = alpha
    p[P_G : P_G + 3] = g
    p[P_RT : P_RT + 3] = r_thrust_body
    j = np.asarray(inertia, dtype=float).reshape(3, 3)
    p[P_J : P_J + 9] = j.ravel()
    p[P_JINV : P_JINV + 9] = np.linalg.inv(j).ravel()
    return p


# The structural nonzeros of df/dx (row, column), used by the discretisation to multiply by A
# without its zeros: velocity rows on mass and quaternion, quaternion rows on quaternion and
# rates, rate rows on rates.
def _a_pattern() -> tuple[np.ndarray, np.ndarray]:
    rows, cols = [1, 2, 3], [4, 5, 6]
    for i in range(4, 7):
        for j in (0, 7, 8, 9, 10):
            rows.append(i)
            cols.append(j)
    for i in range(7, 11):
        for j in range(7, 14):
            rows.append(i)
            cols.append(j)
    for i in range(11, 14):
        for j in range(11, 14):
            rows.append(i)
            cols.append(j)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


A_ROWS, A_COLS = _a_pattern()


@jit(inline="always")
def _rotation(q0: float, q1: float, q2: float, q3: float) -> tuple:
    """R(q), the body-to-frame rotation of quaternion q (scalar first), row-major as a 9-tuple
    (scalars, not an array: the kernels run once per integration stage, and an array's
    allocation and reference counts cost more than its arithmetic)."""
    return (
        1.0 - 2.0 * (q2 * q2 + q3 * q3),
        2.0 * (q1 * q2 - q0 * q3),
        2.0 * (q1 * q3 + q0 * q2),
        2.0 * (q1 * q2 + q0 * q3),
        1.0 - 2.0 * (q1 * q1 + q3 * q3),
        2.0 * (q2 * q3 - q0 * q1),
        2.0 * (q1 * q3 - q0 * q2),
        2.0 * (q2 * q3 + q0 * q1),
        1.0 - 2.0 * (q1 * q1 + q2 * q2),
    )


@jit(inline="always")
def rhs(x: np.ndarray, u: np.ndarray, p: np.ndarray, out: np.ndarray) -> None:
    """``out`` = f(x, u): the state's time derivative (undilated)."""
    m = x[0]
    q0, q1, q2, q3 = x[7], x[8], x[9], x[10]
    w0, w1, w2 = x[11], x[12], x[13]
    rot = _rotation(q0, q1, q2, q3)
    out[0] = -p[P_ALPHA] * np.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2])
    for i in range(3):
        out[1 + i] = x[4 + i]
        row = 3 * i
        out[4 + i] = (rot[row] * u[0] + rot[row + 1] * u[1] + rot[row + 2] * u[2]) / m + p[P_G + i]
    out[7] = 0.5 * (-w0 * q1 - w1 * q2 - w2 * q3)
    out[8] = 0.5 * (w0 * q0 + w2 * q2 - w1 * q3)
    out[9] = 0.5 * (w1 * q0 - w2 * q1 + w0 * q3)
    out[10] = 0.5 * (w2 * q0 + w1 * q1 - w0 * q2)
    _rate_rhs(u, w0, w1, w2, p, out)


@jit(inline="always")
def _rate_rhs(
    u: np.ndarray, w0: float, w1: float, w2: float, p: np.ndarray, out: np.ndarray
) -> None:
    """Body-rate derivative, J^-1 (r_T x u - w x J w), into out[11:14]."""
    rt0, rt1, rt2 = p[P_RT], p[P_RT + 1], p[P_RT + 2]
    jw0 = p[P_J] * w0 + p[P_J + 1] * w1 + p[P_J + 2] * w2
    jw1 = p[P_J + 3] * w0 + p[P_J + 4] * w1 + p[P_J + 5] * w2
    jw2 = p[P_J + 6] * w0 + p[P_J + 7] * w1 + p[P_J + 8] * w2
    t0 = rt1 * u[2] - rt2 * u[1] - (w1 * jw2 - w2 * jw1)
    t1 = rt2 * u[0] - rt0 * u[2] - (w2 * jw0 - w0 * jw2)
    t2 = rt0 * u[1] - rt1 * u[0] - (w0 * jw1 - w1 * jw0)
    for i in range(3):
        k = P_JINV + 3 * i
        out[11 + i] = p[k] * t0 + p[k + 1] * t1 + p[k + 2] * t2


@jit(inline="always")
def jacobians(x: np.ndarray, u: np.ndarray, p: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """``a`` = df/dx (14 x 14) and ``b`` = df/du (14 x 3) at (x, u), undilated.

    Only the structural nonzeros of ``a`` (``A_ROWS``, ``A_COLS``) and ``b`` are written: the
    caller passes arrays that are zero elsewhere.
    """
    m = x[0]
    q0, q1, q2, q3 = x[7], x[8], x[9], x[10]
    w0, w1, w2 = x[11], x[12], x[13]
    u0, u1, u2 = u[0], u[1], u[2]
    rot = _rotation(q0, q1, q2, q3)
    inv_m = 1.0 / m
    for i in range(3):
        a[1 + i, 4 + i] = 1.0
        ru = rot[3 * i] * u0 + rot[3 * i + 1] * u1 + rot[3 * i + 2] * u2
        a[4 + i, 0] = -ru * inv_m * inv_m
        for j in range(3):
            b[4 + i, j] = rot[3 * i + j] * inv_m
    # d(R u)/dq, row by row, over m
    a[4, 7] = 2.0 * (-q3 * u1 + q2 * u2) * inv_m
    a[4, 8] = 2.0 * (q2 * u1 + q3 * u2) * inv_m
    a[4, 9] = 2.0 * (-2.0 * q2 * u0 + q1 * u1 + q0 * u2) * inv_m
    a[4, 10] = 2.0 * (-2.0 * q3 * u0 - q0 * u1 + q1 * u2) * inv_m
    a[5, 7] = 2.0 * (q3 * u0 - q1 * u2) * inv_m
    a[5, 8] = 2.0 * (q2 * u0 - 2.0 * q1 * u1 - q0 * u2) * inv_m
    a[5, 9] = 2.0 * (q1 * u0 + q3 * u2) * inv_m
    a[5, 10] = 2.0 * (q0 * u0 - 2.0 * q3 * u1 + q2 * u2) * inv_m
    a[6, 7] = 2.0 * (-q2 * u0 + q1 * u1) * inv_m
    a[6, 8] = 2.0 * (q3 * u0 + q0 * u1 - 2.0 * q1 * u2) * inv_m
    a[6, 9] = 2.0 * (-q0 * u0 + q3 * u1 - 2.0 * q2 * u2) * inv_m
    a[6, 10] = 2.0 * (q1 * u0 + q2 * u1) * inv_m
    _quaternion_jacobian(q0, q1, q2, q3, w0, w1, w2, a)
    _rate_jacobian(w0, w1, w2, p, a, b)
    norm_u = np.sqrt(u0 * u0 + u1 * u1 + u2 * u2)
    for j in range(3):
        b[0, j] = -p[P_ALPHA] * u[j] / norm_u if norm_u > 0.0 else 0.0


@jit(inline="always")
def _quaternion_jacobian(
    q0: float, q1: float, q2: float, q3: float, w0: float, w1: float, w2: float, a: np.ndarray
) -> None:
    """Rows 7-10 of df/dx: 1/2 Omega(w) on the quaternion, 1/2 Xi(q) on the rates."""
    # d q'/d q = 1/2 Omega(w)
    a[7, 7], a[7, 8], a[7, 9], a[7, 10] = 0.0, -0.5 * w0, -0.5 * w1, -0.5 * w2
    a[8, 7], a[8, 8], a[8, 9], a[8, 10] = 0.5 * w0, 0.0, 0.5 * w2, -0.5 * w1
    a[9, 7], a[9, 8], a[9, 9], a[9, 10] = 0.5 * w1, -0.5 * w2, 0.0, 0.5 * w0
    a[10, 7], a[10, 8], a[10, 9], a[10, 10] = 0.5 * w2, 0.5 * w1, -0.5 * w0, 0.0
    # d q'/d w
    a[7, 11], a[7, 12], a[7, 13] = -0.5 * q1, -0.5 * q2, -0.5 * q3
    a[8, 11], a[8, 12], a[8, 13] = 0.5 * q0, -0.5 * q3, 0.5 * q2
    a[9, 11], a[9, 12], a[9, 13] = 0.5 * q3, 0.5 * q0, -0.5 * q1
    a[10, 11], a[10, 12], a[10, 13] = -0.5 * q2, 0.5 * q1, 0.5 * q0


@jit(inline="always")
def _rate_jacobian(
    w0: float, w1: float, w2: float, p: np.ndarray, a: np.ndarray, b: np.ndarray
) -> None:
    """Rows 11-13: d w'/d w = -J^-1 (skew(w) J - skew(J w)); d w'/d u = J^-1 skew(r_T)."""
    j = P_J
    jw0 = p[j] * w0 + p[j + 1] * w1 + p[j + 2] * w2
    jw1 = p[j + 3] * w0 + p[j + 4] * w1 + p[j + 5] * w2
    jw2 = p[j + 6] * w0 + p[j + 7] * w1 + p[j + 8] * w2
    # g = skew(w) J - skew(J w), so that d(w x J w) = g dw (row-major)
    g = (
        w1 * p[j + 6] - w2 * p[j + 3],
        w1 * p[j + 7] - w2 * p[j + 4] + jw2,
        w1 * p[j + 8] - w2 * p[j + 5] - jw1,
        w2 * p[j] - w0 * p[j + 6] - jw2,
        w2 * p[j + 1] - w0 * p[j + 7],
        w2 * p[j + 2] - w0 * p[j + 8] + jw0,
        w0 * p[j + 3] - w1 * p[j] + jw1,
        w0 * p[j + 4] - w1 * p[j + 1] - jw0,
        w0 * p[j + 5] - w1 * p[j + 2],
    )
    rt0, rt1, rt2 = p[P_RT], p[P_RT + 1], p[P_RT + 2]
    s = (0.0, -rt2, rt1, rt2, 0.0, -rt0, -rt1, rt0, 0.0)  # skew(r_T), row-major
    for i in range(3):
        for c in range(3):
            acc_a = 0.0
            acc_b = 0.0
            for k in range(3):
                jinv = p[P_JINV + 3 * i + k]
                acc_a -= jinv * g[3 * k + c]
                acc_b += jinv * s[3 * k + c]
            a[11 + i, 11 + c] = acc_a
            b[11 + i, c] = acc_b

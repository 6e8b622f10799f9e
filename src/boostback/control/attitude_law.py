"""The attitude loop's per-step law, compiled (``control.attitude`` calls it every control step):
the reference axis's turn rate, and the angular acceleration wanted to track it.

Pitch and yaw: a rate loop ``a = a_ref + 2 zeta wn (w_want - w) + ki wn^3 int(phi)`` around a
pointing law ``w_want = w_ref + min(wn / (2 zeta) |phi|, sqrt(2 eta reach |phi|))`` along
``phi``, the rotation vector turning ``x_body`` onto the reference axis; ``w_ref`` and ``a_ref``
are the reference's own turn rate and its rate of change (feed-forward: without them a reference
turning at rate ``r`` is followed ``2 zeta r / wn`` behind, and with the rate alone the loop
overshoots). The linear branch is the PD law with bandwidth ``wn`` and damping ``zeta``; the
square-root branch keeps the rate at what the actuators can still stop before the target
(``reach``: the angular acceleration they can give, ``eta`` of it), so a large turn under
saturated gimbals does not overshoot; the integral, clamped, holds a steady moment (an engine out,
a centre-of-mass offset). Roll: its rate is damped.
"""

from __future__ import annotations

import math

from boostback.dynamics.rigid_body import rotate_frame_to_body
from boostback.dynamics.rigid_state import QW, QX, QY, QZ, WX, WY, WZ
from boostback.jit import jit

__all__ = [
    "G_BANDWIDTH",
    "G_BRAKING",
    "G_DAMPING",
    "G_INTEGRAL",
    "G_INTEGRAL_LIMIT",
    "G_ROLL",
    "G_SIZE",
    "turn_rate",
    "wanted_accel",
]

# the gains as one array (``AttitudeGains.law_array``)
G_BANDWIDTH, G_DAMPING, G_INTEGRAL, G_BRAKING, G_INTEGRAL_LIMIT, G_ROLL = 0, 1, 2, 3, 4, 5
G_SIZE = 6


@jit
def turn_rate(q, before, after, dt, out):
    """The reference axis's angular velocity (body axes, no roll) as it turns from ``before`` to
    ``after`` (unit vectors in the frame) over ``dt``, into ``out`` (3,)."""
    cx = before[1] * after[2] - before[2] * after[1]
    cy = before[2] * after[0] - before[0] * after[2]
    cz = before[0] * after[1] - before[1] * after[0]
    s = math.sqrt(cx * cx + cy * cy + cz * cz)
    out[0] = out[1] = out[2] = 0.0
    if s < 1e-12 or dt <= 0.0:
        return
    dot = before[0] * after[0] + before[1] * after[1] + before[2] * after[2]
    k = math.atan2(s, dot) / (s * dt)
    w = rotate_frame_to_body((q[0], q[1], q[2], q[3]), (cx * k, cy * k, cz * k))
    out[1], out[2] = w[1], w[2]


@jit
def wanted_accel(x, d, dt, reach_min, w_ref, w_prev, integral, gains, out):
    """The angular acceleration wanted (body axes) to track the unit axis ``d`` (the frame),
    into ``out`` (3,); ``integral`` (3,) is advanced in place, ``w_prev`` is the reference rate
    of the step before (module docstring)."""
    d_b = rotate_frame_to_body((x[QW], x[QX], x[QY], x[QZ]), (d[0], d[1], d[2]))
    ay, az = -d_b[2], d_b[1]  # x_body cross d_body (no roll component)
    s = math.hypot(ay, az)
    angle = math.atan2(s, d_b[0])
    uy, uz = 0.0, 0.0
    if s > 1e-12:
        uy, uz = ay / s, az / s
    lim = gains[G_INTEGRAL_LIMIT]
    integral[0] = 0.0
    integral[1] = min(max(integral[1] + uy * angle * dt, -lim), lim)
    integral[2] = min(max(integral[2] + uz * angle * dt, -lim), lim)
    wn, zeta = gains[G_BANDWIDTH], gains[G_DAMPING]
    a_stop = gains[G_BRAKING] * max(reach_min, 1e-9)
    turn = min(wn / (2.0 * zeta) * angle, math.sqrt(2.0 * a_stop * angle))
    inv_dt = 1.0 / dt if dt > 0.0 else 0.0
    kr, ki = 2.0 * zeta * wn, gains[G_INTEGRAL] * wn**3
    out[0] = -gains[G_ROLL] * x[WX]
    a_y = (w_ref[1] - w_prev[1]) * inv_dt  # the reference's angular acceleration
    a_z = (w_ref[2] - w_prev[2]) * inv_dt
    out[1] = a_y + kr * (w_ref[1] + turn * uy - x[WY]) + ki * integral[1]
    out[2] = a_z + kr * (w_ref[2] + turn * uz - x[WZ]) + ki * integral[2]

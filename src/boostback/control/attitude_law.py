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

import numpy as np

from boostback.control.allocation import allocate
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
    "actuator_reach",
    "reference_accel",
    "reference_step",
    "steer_step",
    "tilt_direction",
    "tilt_vector",
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


@jit
def tilt_vector(d):
    """A unit direction as its tilt vector (2,): the tilt from up (rad) along its horizontal
    bearing (east, north components); the zero vector is straight up."""
    out = np.zeros(2)
    horiz = math.hypot(d[0], d[1])
    if horiz < 1e-15:
        return out
    tilt = math.atan2(horiz, d[2])
    out[0], out[1] = d[0] * (tilt / horiz), d[1] * (tilt / horiz)
    return out


@jit
def tilt_direction(theta):
    """The unit direction of a tilt vector (``tilt_vector``'s inverse), a 3-tuple."""
    tilt = math.hypot(theta[0], theta[1])
    if tilt < 1e-15:
        return (0.0, 0.0, 1.0)
    s = math.sin(tilt) / tilt
    return (theta[0] * s, theta[1] * s, math.cos(tilt))


@jit
def reference_step(theta, rate, goal, dt, gain, accel_max, rate_max):
    """One step of the time-optimal braking law on the tilt vector (``TiltReference``):
    ``theta`` and ``rate`` (2,) advanced in place towards ``goal`` (2,)."""
    e0, e1 = goal[0] - theta[0], goal[1] - theta[1]
    err = math.hypot(e0, e1)
    want0 = want1 = 0.0
    if err > 1e-12:
        speed = min(gain * err, math.sqrt(2.0 * accel_max * err), rate_max)
        want0, want1 = e0 * (speed / err), e1 * (speed / err)
    dw0, dw1 = want0 - rate[0], want1 - rate[1]
    dw_norm = math.hypot(dw0, dw1)
    if dw_norm > accel_max * dt:
        scale = accel_max * dt / dw_norm
        dw0, dw1 = dw0 * scale, dw1 * scale
    rate[0] += dw0
    rate[1] += dw1
    theta[0] += rate[0] * dt
    theta[1] += rate[1] * dt


@jit
def actuator_reach(b, bounds, out):
    """The angular acceleration (3,) the actuators can give about each body axis, into ``out``:
    each actuator's effectiveness ``b`` (3, n) times the larger of its bounds (rows 0 and 1 of
    ``bounds``), summed (``np.dot``: numpy's BLAS product, to the bit)."""
    out[:] = np.dot(np.abs(b), np.maximum(np.abs(bounds[0]), np.abs(bounds[1])))


@jit(inline="always")
def reference_accel(reach, fraction):
    """The angular acceleration the tilt reference may use: ``fraction`` of the actuators'
    smaller ``reach`` (3,) in pitch or yaw."""
    return fraction * max(min(reach[1], reach[2]), 1e-9)


@jit
def steer_step(x, target, before, dt, ref, ref_par, law, memory, b, bounds, out_dir, out_u):
    """One step of the attitude loop in one call: the tilt reference advanced towards the unit
    axis ``target`` (``reference_step``), the reference's turn rate from ``before`` to it
    (``turn_rate``), the angular acceleration wanted (``wanted_accel``) and its allocation
    (``control.allocation.allocate``).

    ``ref`` (6,): the reference's tilt vector, its rate and its goal, advanced in place;
    ``ref_par``: its gain, acceleration and rate limits, and the actuators' smaller reach (pitch
    or yaw); ``memory`` (6,): the reference's turn rate of the step before and the integral,
    advanced in place; ``bounds`` (3, n): each actuator's low and high bound and weight. Writes
    the reference axis into ``out_dir`` (3,) and the settings into ``out_u`` (n,); returns the
    shortfall (3,) the actuators could not give.
    """
    goal = tilt_vector(target)
    ref[4], ref[5] = goal[0], goal[1]
    theta, rate = ref[0:2], ref[2:4]
    reference_step(theta, rate, goal, dt, ref_par[0], ref_par[1], ref_par[2])
    d = tilt_direction(theta)
    out_dir[0], out_dir[1], out_dir[2] = d[0], d[1], d[2]
    w_ref, a_want = np.empty(3), np.empty(3)
    turn_rate((x[QW], x[QX], x[QY], x[QZ]), before, out_dir, dt, w_ref)
    wanted_accel(x, out_dir, dt, ref_par[3], w_ref, memory[0:3], memory[3:6], law, a_want)
    memory[0:3] = w_ref
    u, shortfall = allocate(b, a_want, bounds[0], bounds[1], bounds[2])
    out_u[:] = u
    return shortfall

"""The landing controller's law, step by step: written once, in the subset of Python numba
compiles, for the Python controller (``control.landing``) and for the compiled landing burn
(``control.landing_burn``), which flies the steps between re-plans in one call.

The 3-vectors are small arrays and their norms ``sqrt(v . v)`` by ``np.dot``: the same BLAS dot
whether numpy or numba calls it, so both paths round alike; hypotenuses are CPython's
``math.hypot`` to the bit (``environment.earth_kernels.hypot``; numba's own differs in the last
bit).

The law's settings travel as one array ``law`` (``LAW_*`` indices, ``law_settings``).
"""

from __future__ import annotations

import math

import numpy as np

from boostback.dynamics.forces import throttle_for_thrust
from boostback.environment.earth_kernels import hypot
from boostback.jit import jit

__all__ = [
    "law_settings",
    "limit_tilt_kernel",
    "norm3",
    "stop_and_cap",
    "terminal_accel_kernel",
    "throttle_kernel",
    "track_accel",
    "turn_towards_kernel",
]

KP_PER_S2 = 0.6  # position gain of the plan-tracking correction
KD_PER_S = 1.6  # velocity gain
TERMINAL_TAU_S = 1.0  # time constant for the descent rate when slower than touchdown speed
CUTOFF_ALTITUDE_M = 2.0  # below this, a booster that has stopped descending shuts down
CUTOFF_SINK_MPS = 0.1
CUTOFF_CLIMB_MPS = 0.5  # sliding sideways, it shuts down once climbing this fast
TERMINAL_MAX_TILT_RAD = math.radians(10.0)  # near the ground the vehicle stays near vertical

# where each setting sits in ``law``
LAW_VERTICAL_S, LAW_FREEZE_S, LAW_SINK, LAW_G_UP, LAW_SIDEWAYS, LAW_SIDE_KP, LAW_SIDE_KD = range(7)
LAW_TERM_KP, LAW_TERM_KD, LAW_LATERAL_OK, LAW_MAX_TILT, LAW_TURN_RATE = range(7, 12)
LAW_SIZE = 12


def law_settings(
    terminal_vertical_s: float,
    sink_mps: float,
    g_up: float,
    sideways: tuple[float, float] | None,
    terminal_gains: tuple[float, float],
    lateral_ok_mps: float,
    max_tilt_rad: float,
    turn_rate_rad_s: float,
) -> np.ndarray:
    """The law's settings as the array the kernels read (``LAW_*`` indices)."""
    side = (0.0, 0.0, 0.0) if sideways is None else (1.0, *sideways)
    return np.array(
        [
            terminal_vertical_s,
            terminal_vertical_s + 1.0,
            sink_mps,
            g_up,
            *side,
            *terminal_gains,
            lateral_ok_mps,
            max_tilt_rad,
            turn_rate_rad_s,
        ],
        dtype=np.float64,
    )


@jit(inline="always")
def norm3(vec):
    """``np.linalg.norm`` of a float 3-vector, to the bit: ``sqrt(vec . vec)``."""
    return math.sqrt(np.dot(vec, vec))


@jit(inline="always")
def terminal_accel_kernel(r, v, target, touchdown_speed_mps, g_up, kp, kd):
    """Command for the final seconds from the navigated state alone (``terminal_accel``)."""
    h = max(r[2] - target[2], 0.05)
    vz = v[2]
    if vz < -touchdown_speed_mps:
        a_up = g_up + (vz * vz - touchdown_speed_mps**2) / (2.0 * h)
    else:
        a_up = g_up - (touchdown_speed_mps + vz) / TERMINAL_TAU_S
    a_e = kp * (target[0] - r[0]) - kd * v[0]
    a_n = kp * (target[1] - r[1]) - kd * v[1]
    return a_e, a_n, a_up


@jit(inline="always")
def track_accel(r, v, r_p, v_p, u_p, tau, tf_s, target, law):
    """Acceleration wanted on a plan (its point ``r_p, v_p, u_p`` at ``tau``), and whether the
    plan's final vertical descent has begun.

    A PD correction onto the plan; over the last seconds of a plan that ends straight down the
    descent rate closes its loop on the state (``terminal_accel_kernel``), and sideways the plan
    is followed to its end, then held on the pad.
    """
    a = np.empty(3)
    for i in range(3):
        a[i] = u_p[i] + KP_PER_S2 * (r_p[i] - r[i]) + KD_PER_S * (v_p[i] - v[i])
    if law[LAW_SIDEWAYS] > 0.5:
        kp, kd = law[LAW_SIDE_KP], law[LAW_SIDE_KD]
        for i in range(2):
            a[i] = u_p[i] + kp * (r_p[i] - r[i]) + kd * (v_p[i] - v[i])
    vertical_end = law[LAW_VERTICAL_S] > 0.0
    upright = vertical_end and tau >= tf_s - law[LAW_VERTICAL_S]
    if tf_s - tau <= law[LAW_FREEZE_S] and vertical_end:
        a_e, a_n, a_up = terminal_accel_kernel(
            r, v, target, law[LAW_SINK], law[LAW_G_UP], law[LAW_TERM_KP], law[LAW_TERM_KD]
        )
        a[2] = a_up
        if tau > tf_s:
            a[0], a[1] = a_e, a_n
    return a, upright


@jit(inline="always")
def stop_and_cap(r, v, t, lit_at_s, upright, law):
    """Whether to shut down (stopped just above the pad, or climbing while sliding sideways),
    and the tilt allowed (near vertical in the plan's vertical descent), before any fault."""
    sliding = hypot(v[0], v[1]) >= law[LAW_LATERAL_OK]
    stopped = v[2] > (CUTOFF_CLIMB_MPS if sliding else -CUTOFF_SINK_MPS)
    cutoff = stopped and r[2] < CUTOFF_ALTITUDE_M and t > lit_at_s
    max_tilt = law[LAW_MAX_TILT]
    cap = min(max_tilt, TERMINAL_MAX_TILT_RAD) if upright else max_tilt
    return cutoff, cap


@jit(inline="always")
def throttle_kernel(mass_kg, accel_mps2, thrust_scale, pressure_pa, prop, lowest, highest):
    """The throttle that gives ``accel_mps2`` along the thrust axis, within the range
    ``[lowest, highest]`` (``prop``: ``[thrust_vac, exit_area, ...]``; the thrust estimate
    ``thrust_scale`` applied)."""
    thrust_req = mass_kg * accel_mps2 / thrust_scale
    throttle = throttle_for_thrust(thrust_req, prop[0], prop[1], pressure_pa)
    return min(max(throttle, lowest), highest)


@jit(inline="always")
def limit_tilt_kernel(vec, max_tilt_rad):
    """The unit vector along ``vec`` (ENU), leaned back to ``max_tilt_rad`` from up if it tilts
    further (straight up for a zero vector)."""
    norm = norm3(vec)
    if norm == 0.0:
        return 0.0, 0.0, 1.0
    d0, d1, d2 = vec[0] / norm, vec[1] / norm, vec[2] / norm
    horiz = hypot(d0, d1)
    tilt = math.atan2(horiz, d2)
    if tilt <= max_tilt_rad:
        return d0, d1, d2
    s = math.sin(max_tilt_rad) / horiz if horiz > 0 else 0.0
    return d0 * s, d1 * s, math.cos(max_tilt_rad)


@jit(inline="always")
def turn_towards_kernel(current, wanted, max_angle_rad):
    """Rotate the unit vector ``current`` towards ``wanted`` by at most ``max_angle_rad``
    (3-tuples in and out)."""
    c = np.array((current[0], current[1], current[2]))
    w = np.array((wanted[0], wanted[1], wanted[2]))
    cos_a = min(max(np.dot(c, w), -1.0), 1.0)
    angle = math.acos(cos_a)
    if angle <= max_angle_rad or angle < 1e-12:
        return wanted
    # slerp by the fraction of the angle the vehicle can turn this step
    f = max_angle_rad / angle
    sin_a = math.sin(angle)
    out = (math.sin((1 - f) * angle) * c + math.sin(f * angle) * w) / sin_a
    out /= norm3(out)
    return out[0], out[1], out[2]

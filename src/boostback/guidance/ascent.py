"""Ascent guidance of the first stage: vertical rise, pitch kick, gravity turn, max-Q throttle.

Compiled kernels on scalars (the ascent loop, ``flight.kernel_loops.ascent``, calls them), with
thin Python wrappers on ECEF tuples. After the rise the thrust axis tips over by the kick angle
(linearly over ``kick_duration_s``) towards the launch azimuth and holds that attitude until the
Earth-relative velocity has turned as far; from then on it flies a zero-angle-of-attack gravity
turn, thrust along the velocity.
"""

from __future__ import annotations

import math

import numpy as np

from boostback.jit import jit

__all__ = [
    "AscentSteering",
    "flight_path_angle",
    "flight_path_angle_rad",
    "local_up",
    "max_q_throttle",
    "steer",
    "unit3",
]

Vec3 = tuple[float, float, float]


@jit
def local_up(lat_rad, lon_rad):
    """Geodetic up unit vector in ECEF."""
    cl = math.cos(lat_rad)
    return (cl * math.cos(lon_rad), cl * math.sin(lon_rad), math.sin(lat_rad))


@jit
def unit3(v0, v1, v2):
    """``(v0, v1, v2)`` scaled to unit length."""
    n = math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
    return v0 / n, v1 / n, v2 / n


@jit
def flight_path_angle(v0, v1, v2, u0, u1, u2):
    """Angle of the velocity ``v`` above the horizon of the local up ``u``."""
    s = math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
    if s == 0.0:
        return math.pi / 2
    return math.asin(max(-1.0, min(1.0, (v0 * u0 + v1 * u1 + v2 * u2) / s)))


@jit
def steer(t_s, turning, program, u0, u1, u2, v0, v1, v2):
    """Thrust direction of the pitch program, and whether the gravity turn has begun.

    ``program = [vertical rise s, kick duration s, kick rad, downrange unit (3)]``; ``u`` is the
    local up and ``v`` the Earth-relative velocity (ECEF).
    """
    t_rise, t_kick, kick = program[0], program[1], program[2]
    if turning:
        d0, d1, d2 = unit3(v0, v1, v2)
        return d0, d1, d2, True
    if t_s <= t_rise:
        return u0, u1, u2, False
    tip = kick * min((t_s - t_rise) / t_kick, 1.0)
    if tip >= kick and math.pi / 2 - flight_path_angle(v0, v1, v2, u0, u1, u2) >= kick:
        d0, d1, d2 = unit3(v0, v1, v2)
        return d0, d1, d2, True
    # tip towards the launch azimuth, in the plane of local up and the downrange direction
    dr0, dr1, dr2 = program[3], program[4], program[5]
    dot = dr0 * u0 + dr1 * u1 + dr2 * u2
    e0, e1, e2 = unit3(dr0 - dot * u0, dr1 - dot * u1, dr2 - dot * u2)
    ct, st = math.cos(tip), math.sin(tip)
    return ct * u0 + st * e0, ct * u1 + st * e1, ct * u2 + st * e2, False


@jit
def max_q_throttle(
    qbar_pa, qbar_rate_paps, q_max_pa, lookahead_s, throttle_min, throttle_max, gain=4.0, knee=0.9
):
    """Throttle that holds the dynamic pressure under ``q_max_pa``.

    Looks ``lookahead_s`` ahead along the present rate and throttles down in proportion to the
    predicted excess over ``knee * q_max_pa`` (full throttle below it).
    """
    q_pred = qbar_pa + max(qbar_rate_paps, 0.0) * lookahead_s
    excess = (q_pred - knee * q_max_pa) / q_max_pa
    if excess <= 0.0:
        return throttle_max
    return max(throttle_min, min(throttle_max, throttle_max - gain * excess))


def flight_path_angle_rad(v_ecef: tuple[float, ...], up: Vec3) -> float:
    """Angle of the Earth-relative velocity above the local horizon."""
    return flight_path_angle(v_ecef[0], v_ecef[1], v_ecef[2], up[0], up[1], up[2])


class AscentSteering:
    """Thrust direction during the ascent, from the pitch program (``steer`` with its state)."""

    def __init__(
        self, vertical_rise_s: float, kick_duration_s: float, kick_rad: float, downrange: Vec3
    ) -> None:
        self.program = np.array([vertical_rise_s, kick_duration_s, kick_rad, *downrange])
        self.turning = False  # True once in the gravity turn

    def direction(self, t_s: float, up: Vec3, v_ecef: tuple[float, ...]) -> Vec3:
        """The thrust direction at ``t_s`` (local ``up``, velocity ``v_ecef``)."""
        d0, d1, d2, self.turning = steer(t_s, self.turning, self.program, *up, *v_ecef[:3])
        return (d0, d1, d2)

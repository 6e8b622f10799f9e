"""Ascent guidance of the first stage: vertical rise, pitch kick, gravity turn, max-Q throttle.

Pure functions and a tiny stateful steering object; vectors are ECEF tuples. After the rise the
thrust axis tips over by the kick angle (linearly over ``kick_duration_s``) towards the launch
azimuth and holds that attitude until the Earth-relative velocity has turned as far; from then on
it flies a zero-angle-of-attack gravity turn, thrust along the velocity.
"""

from __future__ import annotations

import math

from boostback.flight.dynamics import Vec3

__all__ = ["AscentSteering", "flight_path_angle_rad", "local_up", "max_q_throttle"]


def local_up(lat_rad: float, lon_rad: float) -> Vec3:
    """Geodetic up unit vector in ECEF."""
    cl = math.cos(lat_rad)
    return (cl * math.cos(lon_rad), cl * math.sin(lon_rad), math.sin(lat_rad))


def _unit(v: tuple[float, ...]) -> Vec3:
    n = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    return (v[0] / n, v[1] / n, v[2] / n)


def flight_path_angle_rad(v_ecef: tuple[float, ...], up: Vec3) -> float:
    """Angle of the Earth-relative velocity above the local horizon."""
    s = math.sqrt(v_ecef[0] * v_ecef[0] + v_ecef[1] * v_ecef[1] + v_ecef[2] * v_ecef[2])
    if s == 0.0:
        return math.pi / 2
    return math.asin(
        max(-1.0, min(1.0, (v_ecef[0] * up[0] + v_ecef[1] * up[1] + v_ecef[2] * up[2]) / s))
    )


class AscentSteering:
    """Thrust direction during the ascent, from the pitch program."""

    def __init__(
        self, vertical_rise_s: float, kick_duration_s: float, kick_rad: float, downrange: Vec3
    ) -> None:
        self.t_rise = vertical_rise_s
        self.t_kick = kick_duration_s
        self.kick = kick_rad
        self.downrange = downrange  # horizontal unit vector along the launch azimuth (ECEF)
        self.turning = False  # True once in the gravity turn

    def direction(self, t_s: float, up: Vec3, v_ecef: tuple[float, ...]) -> Vec3:
        if self.turning:
            return _unit(v_ecef)
        if t_s <= self.t_rise:
            return up
        tip = self.kick * min((t_s - self.t_rise) / self.t_kick, 1.0)
        if tip >= self.kick and math.pi / 2 - flight_path_angle_rad(v_ecef, up) >= self.kick:
            self.turning = True
            return _unit(v_ecef)
        # tip towards the launch azimuth, in the plane of local up and the downrange direction
        d = self.downrange
        dot = d[0] * up[0] + d[1] * up[1] + d[2] * up[2]
        h = _unit((d[0] - dot * up[0], d[1] - dot * up[1], d[2] - dot * up[2]))
        c, s = math.cos(tip), math.sin(tip)
        return (c * up[0] + s * h[0], c * up[1] + s * h[1], c * up[2] + s * h[2])


def max_q_throttle(
    qbar_pa: float,
    qbar_rate_paps: float,
    q_max_pa: float,
    lookahead_s: float,
    throttle_min: float,
    throttle_max: float,
    gain: float = 4.0,
    knee: float = 0.9,
) -> float:
    """Throttle that holds the dynamic pressure under ``q_max_pa``.

    Looks ``lookahead_s`` ahead along the present rate and throttles down in proportion to the
    predicted excess over ``knee * q_max_pa`` (full throttle below it).
    """
    q_pred = qbar_pa + max(qbar_rate_paps, 0.0) * lookahead_s
    excess = (q_pred - knee * q_max_pa) / q_max_pa
    if excess <= 0.0:
        return throttle_max
    return max(throttle_min, min(throttle_max, throttle_max - gain * excess))

"""Grid-fin steering in the aerodynamic descent (3-DoF): push the impact point onto the pad.

Zero-effort-miss guidance: the predicted impact point of an unsteered fall (drag, Earth
rotation) is compared with the pad, and the fins are asked for a lateral acceleration
``gain * (-miss) / t_go^2``, turned perpendicular to the air-relative velocity (the only
direction fins can push) and expressed as a fraction of their authority at the present
dynamic pressure, saturated at 1.
"""

from __future__ import annotations

import math

import numpy as np

Vec3 = tuple[float, float, float]

__all__ = ["fin_command"]


def fin_command(
    v_ecef_mps: tuple[float, ...],
    miss_ecef_m: np.ndarray,
    t_go_s: float,
    gain: float,
    authority_mps2: float,
) -> Vec3:
    """Fin command (fraction of authority, ECEF, perpendicular to the velocity)."""
    if authority_mps2 <= 0.0 or t_go_s <= 0.0:
        return (0.0, 0.0, 0.0)
    v = np.asarray(v_ecef_mps[:3], dtype=float)
    speed = float(np.linalg.norm(v))
    if speed == 0.0:
        return (0.0, 0.0, 0.0)
    vhat = v / speed
    a = -gain * np.asarray(miss_ecef_m, dtype=float) / (t_go_s * t_go_s)
    a_perp = a - float(a @ vhat) * vhat
    size = float(np.linalg.norm(a_perp))
    if size == 0.0:
        return (0.0, 0.0, 0.0)
    frac = min(size / authority_mps2, 1.0)
    u = a_perp / size * frac
    return (float(u[0]), float(u[1]), float(u[2])) if math.isfinite(frac) else (0.0, 0.0, 0.0)

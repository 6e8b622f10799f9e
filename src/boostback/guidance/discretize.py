"""The numbers of one landing problem at one time of flight, shared by every solver back end.

Lossless convexification (Acikmese & Ploen 2007) changes variables to ``u = T/m``,
``sigma >= |u|`` and ``z = ln m``, and bounds thrust through Taylor expansions of ``exp(-z)`` about
the mass profile ``z0(t) = ln(m0 - alpha rho2 t)``. Here they are written with ``w = z - z0`` so the
problem data are affine in every number that changes between solves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.guidance.frozen import build
from boostback.guidance.problem import LandingProblem, Scales
from boostback.jit import jit


@dataclass(frozen=True)
class Discretized:
    n: int
    tf_s: float
    dt_s: float
    t_s: np.ndarray  # (n+1,)
    z0: np.ndarray  # (n+1,) ln of the mass lower bound at full thrust
    a_ext: np.ndarray  # (n, 3) gravity plus known disturbance, per interval
    mu1: np.ndarray  # (n+1,) rho1 exp(-z0)
    mu2: np.ndarray  # (n+1,) rho2 exp(-z0)
    dz0: np.ndarray  # (n,) z0_k - z0_{k+1}
    w_max: np.ndarray  # (n+1,) ln(m0 - alpha rho1 t) - z0
    w_final_min: float  # ln(m_dry) - z0_N
    alpha: float
    cos_tilt: float
    tan_gs: float
    vert: np.ndarray  # (n+1,) 1.0 on nodes of the final vertical descent
    sigma_cap: float  # thrust acceleration cap on those nodes (inf: none)
    r0: np.ndarray
    v0: np.ndarray
    target: np.ndarray
    vf: np.ndarray
    n_vert: int  # vertical-descent nodes before the final one: vert[:-1].sum()


@jit(aot=True)
def _profiles(
    tf_s: float,
    n: int,
    m0: float,
    m_dry: float,
    rho1: float,
    rho2: float,
    alpha: float,
    vertical_s: float,
    g: np.ndarray,
    disturbance: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Node times, z0, w_max, the vertical-descent flags, the per-interval acceleration
    (gravity plus the disturbance, which has zero rows when there is none), mu1, mu2 and
    the decrements of z0."""
    t = np.empty(n + 1)
    z0 = np.empty(n + 1)
    w_max = np.empty(n + 1)
    vert = np.zeros(n + 1)
    m_floor = 0.5 * m_dry
    step = tf_s / n
    # math.log/math.exp, the C library's, as numba compiles them: numpy's own (vectorised) log
    # differs in the last bit, and BOOSTBACK_JIT=0 would not give the compiled plans
    for k in range(n + 1):
        tk = k * step if k < n else tf_s  # as numpy.linspace
        t[k] = tk
        z0[k] = math.log(max(m0 - alpha * rho2 * tk, m_floor))
        w_max[k] = math.log(max(m0 - alpha * rho1 * tk, m_floor)) - z0[k]
        if vertical_s > 0.0 and tk >= tf_s - vertical_s - 1e-9:
            vert[k] = 1.0
    a_ext = np.empty((n, 3))
    for k in range(n):
        # In the vertical descent there is no horizontal motion, so no horizontal drag to plan
        # for (wind drag is left to the tracking loop); keeping it would make the hold
        # infeasible, since a varying push cannot be cancelled exactly by a first-order hold.
        flat = vert[k] > 0.0 and vert[k + 1] > 0.0
        for i in range(3):
            a_ext[k, i] = g[i] + (0.0 if flat and i < 2 else disturbance[k, i])
    mu1 = np.empty(n + 1)
    mu2 = np.empty(n + 1)
    for k in range(n + 1):
        e = math.exp(-z0[k])
        mu1[k] = rho1 * e
        mu2[k] = rho2 * e
    dz0 = z0[:-1] - z0[1:]
    return t, z0, w_max, vert, a_ext, mu1, mu2, dz0


def discretize(
    prob: LandingProblem, tf_s: float, n: int, disturbance: np.ndarray | None = None
) -> Discretized:
    """Evaluate the problem data on ``n`` intervals of ``tf_s / n``."""
    rho1, rho2, alpha = prob.thrust_min_n, prob.thrust_max_n, prob.alpha_s_per_m
    if disturbance is None:
        dist = np.zeros((n, 3))
    elif np.shape(disturbance) == (n, 3):
        dist = disturbance
    else:  # anything that broadcasts to one row per interval (else ValueError)
        dist = np.broadcast_to(disturbance, (n, 3))
    t, z0, w_max, vert, a_ext, mu1, mu2, dz0 = _profiles(
        float(tf_s),
        n,
        float(prob.m0_kg),
        float(prob.m_dry_kg),
        float(rho1),
        float(rho2),
        float(alpha),
        float(prob.terminal_vertical_s),
        prob.g_enu_mps2,
        np.ascontiguousarray(dist, dtype=np.float64),
    )
    return build(
        Discretized,
        {
            "n": n,
            "tf_s": tf_s,
            "dt_s": tf_s / n,
            "t_s": t,
            "z0": z0,
            "a_ext": a_ext,
            "mu1": mu1,
            "mu2": mu2,
            "dz0": dz0,
            "w_max": w_max,
            "w_final_min": math.log(prob.m_dry_kg) - float(z0[-1]),
            "alpha": alpha,
            "cos_tilt": math.cos(min(prob.max_tilt_rad, math.pi)),
            "tan_gs": math.tan(prob.glide_slope_rad),
            "vert": vert,
            "sigma_cap": math.inf
            if prob.terminal_max_accel_mps2 is None or vert[-1] == 0.0
            else float(prob.terminal_max_accel_mps2),
            "r0": prob.r0_enu_m,
            "v0": prob.v0_enu_mps,
            "target": prob.target_enu_m,
            "vf": np.array([0.0, 0.0, -prob.touchdown_speed_mps]),
            "n_vert": int(np.count_nonzero(vert[:-1])),  # its entries are 0.0 or 1.0
        },
    )


def discretize_nondimensional(
    prob: LandingProblem,
    tf_s: float,
    n: int,
    disturbance_enu_mps2: np.ndarray | None,
    scaled: tuple[LandingProblem, Scales] | None = None,
) -> tuple[LandingProblem, Scales, Discretized]:
    """``prob`` in nondimensional units (see ``LandingProblem.nondimensional``), discretised.

    ``scaled`` is ``prob.nondimensional()`` when the caller already has it.
    """
    nd, sc = scaled if scaled is not None else prob.nondimensional()
    dist = None if disturbance_enu_mps2 is None else disturbance_enu_mps2 / sc.accel_mps2
    return nd, sc, discretize(nd, tf_s / sc.time_s, n, dist)

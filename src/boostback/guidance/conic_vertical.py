"""The vertical stopping certificate of the fast path (``conic.ConicSolver``): a proof, from the
vertical motion alone, that no thrust profile lands at a given time of flight, in a few vector
operations instead of an interior-point solve that takes about as long to prove infeasibility as
to find a solution. Every bound it uses is implied by a row of the conic problem
(``conic_rows``), so it never rejects a problem the solver would solve.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from boostback.guidance.discretize import Discretized
from boostback.jit import jit


@functools.lru_cache(maxsize=64)
def _vertical_gains(n: int, discretization: str) -> tuple[np.ndarray, np.ndarray]:
    """How a unit of vertical thrust acceleration at each node moves the final vertical velocity
    and altitude, for a time step of one (they scale as dt and dt^2): the hold's updates
    applied to unit impulses."""
    eye = np.eye(n + 1)
    v = np.zeros(n + 1)
    r = np.zeros(n + 1)
    foh = discretization == "foh"
    for k in range(n):
        if foh:
            r = r + v + eye[k] / 3.0 + eye[k + 1] / 6.0
            v = v + 0.5 * (eye[k] + eye[k + 1])
        else:
            r = r + v + 0.5 * eye[k]
            v = v + eye[k]
    return v, r


def vertical_infeasibility(d: Discretized, discretization: str) -> float:
    """A proof of infeasibility from the vertical motion alone (nondimensional; > 0 proves the
    problem infeasible, <= 0 says nothing).

    Each node's vertical thrust acceleration ``u_z`` lies in a range that the problem's own rows
    imply (``_vertical_bounds``): at most ``mu2_k`` (``u_z <= |u| <= sigma_k <= mu2_k (1 - w_k)``
    with ``w_k >= 0``), and at most the cap over a capped vertical descent; at least the
    least thrust acceleration times the cosine of the tilt limit (``u_z >= cos(tilt) sigma_k``,
    and the lower-thrust cone ``sigma_k >= mu1_k (1 - w_k + w_k^2 / 2)``, least at the largest
    ``w_k`` the row ``w_k <= w_max_k`` allows): a booster that cannot hover cannot drift down on
    less. The final vertical velocity and altitude are linear in those accelerations through
    the hold's updates, so: if even the most upward thrust throughout cannot slow the descent to
    the touchdown velocity (or the least already slows it too much), or if no profile within the
    range that does reaches the ground exactly then (all the push early climbs too high, all of
    it late leaves the booster short), no thrust profile does. A few vector operations instead
    of an interior-point solve that takes about as long to prove infeasibility as to find a
    solution.
    """
    beta, gamma = _vertical_gains(d.n, discretization)
    n_cap = d.n_vert + 1 if math.isfinite(d.sigma_cap) else 0
    return _vertical_shortfall(
        beta,
        gamma,
        d.dt_s,
        d.a_ext,
        d.mu1,
        d.mu2,
        d.w_max,
        d.cos_tilt,
        d.sigma_cap,
        n_cap,
        d.v0,
        d.r0,
        d.vf,
        d.target,
    )


@jit(inline="always")
def _vertical_bounds(
    mu1: np.ndarray,
    mu2: np.ndarray,
    w_max: np.ndarray,
    cos_tilt: float,
    sigma_cap: float,
    n_cap: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The least and the most vertical thrust acceleration at each node that the problem's
    rows allow (``vertical_infeasibility``); the last ``n_cap`` nodes capped at ``sigma_cap``."""
    n1 = mu2.size
    u_lo = np.empty(n1)
    u_hi = np.empty(n1)
    for k in range(n1):
        if cos_tilt > 0.0:
            # 1 - w + w^2/2 falls until w = 1: least at the largest w allowed
            w = min(max(w_max[k], 0.0), 1.0)
            u_lo[k] = cos_tilt * mu1[k] * (1.0 - w + 0.5 * w * w)
        else:  # past 90 deg the thrust may push down, as far as cos(tilt) mu2_k
            u_lo[k] = cos_tilt * mu2[k]
        u_hi[k] = min(mu2[k], sigma_cap) if k >= n1 - n_cap else mu2[k]
    return u_lo, u_hi


@jit(aot=True)
def _vertical_shortfall(
    beta1: np.ndarray,
    gamma1: np.ndarray,
    dt: float,
    a_ext: np.ndarray,
    mu1: np.ndarray,
    mu2: np.ndarray,
    w_max: np.ndarray,
    cos_tilt: float,
    sigma_cap: float,
    n_cap: int,
    v0: np.ndarray,
    r0: np.ndarray,
    vf: np.ndarray,
    target: np.ndarray,
) -> float:
    """The arithmetic of ``vertical_infeasibility`` (gains for a unit time step; the states
    (3,), their vertical components read)."""
    v0z, r0z, vfz, target_z = v0[2], r0[2], vf[2], target[2]
    n1 = mu2.size
    beta = beta1 * dt
    gamma = gamma1 * (dt * dt)
    u_lo, u_hi = _vertical_bounds(mu1, mu2, w_max, cos_tilt, sigma_cap, n_cap)
    span = u_hi - u_lo
    worst = 0.0
    for k in range(n1):
        worst = max(worst, -span[k])
    if worst > 0.0:
        return worst  # a node whose least thrust exceeds its most
    v_free = v0z
    r_free = r0z
    v_k = v0z
    for k in range(n1 - 1):
        az = a_ext[k, 2]
        # altitude at the least upward thrust: each interval adds dt v_k + dt^2/2 a_k
        r_free += dt * v_k + 0.5 * dt * dt * az
        v_k += dt * az
        v_free += dt * az
    cap = beta * span  # velocity each node adds from its least to its most upward thrust
    total = 0.0
    for k in range(n1):
        v_free += beta[k] * u_lo[k]
        r_free += gamma[k] * u_lo[k]
        total += cap[k]
    need_v = vfz - v_free  # velocity the thrust must add
    if need_v > total:
        return need_v - total
    if need_v < 0.0:
        return -need_v  # even the least thrust slows the descent too much
    need_r = target_z - r_free
    # the push as early as possible climbs highest, as late as possible lowest
    r_hi = _filled(cap, gamma, span, beta, need_v, False)
    r_lo = _filled(cap, gamma, span, beta, need_v, True)
    return max(need_r - r_hi, r_lo - need_r, -1.0)


@jit
def _filled(
    cap: np.ndarray,
    gamma: np.ndarray,
    span: np.ndarray,
    beta: np.ndarray,
    need_v: float,
    late: bool,
) -> float:
    """Altitude gained when the velocity ``need_v`` is added by filling nodes to full upward
    thrust in time order (or from the last node back)."""
    n1 = cap.size
    done = 0.0
    rise = 0.0
    for i in range(n1):
        k = n1 - 1 - i if late else i
        if done + cap[k] >= need_v:
            if beta[k] > 0.0:
                rise += (need_v - done) * gamma[k] / beta[k]
            return rise
        done += cap[k]
        rise += gamma[k] * span[k]
    return rise

"""Boostback targeting: the burn that puts the predicted impact point on the landing site.

The burn is planned as an impulse ``dv`` applied to the present state, with the impact point
predicted by a full propagation (drag, Earth rotation, the entry burn). The impulse is written
in the local frame as a horizontal part ``(dv_east, dv_north)`` plus a vertical part
``tan(pitch) * |horizontal part|``: for a given burn pitch, two unknowns meet the two equations
(east and north miss at the site), solved by Newton's method with a finite-difference then
Broyden-updated sensitivity. The pitch itself trades boostback propellant against entry-burn
propellant (a lofted boostback is cheaper but comes back faster): it is chosen by a golden-section
search on the sum. In flight the solve is repeated every few seconds from the present state at the
chosen pitch, the engines are steered along the velocity still to be gained and cut when it is
used up (velocity-to-be-gained guidance).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["MissFn", "TargetingSolution", "best_pitch", "impulse", "solve_boostback"]

MissFn = Callable[[np.ndarray], np.ndarray]
"""Impulse (ECEF, m/s) in, east/north miss of the predicted impact at the site (m) out."""

FD_STEP_MPS = 5.0
MAX_STEP_MPS = 800.0  # largest Newton correction per iteration
GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def impulse(params: np.ndarray, pitch_rad: float, basis: np.ndarray) -> np.ndarray:
    """ECEF impulse from horizontal components ``params`` (east, north) and the burn pitch.

    ``basis`` rows are the local east, north and up unit vectors (ECEF).
    """
    h = float(np.hypot(params[0], params[1]))
    return params[0] * basis[0] + params[1] * basis[1] + math.tan(pitch_rad) * h * basis[2]


@dataclass(frozen=True)
class TargetingSolution:
    params: np.ndarray  # (2,) horizontal impulse, east and north (m/s)
    pitch_rad: float
    dv_ecef_mps: np.ndarray  # (3,)
    miss_en_m: np.ndarray  # (2,) at the solution
    jacobian: np.ndarray  # (2, 2) d(miss)/d(params), s
    predictions: int
    converged: bool

    @property
    def miss_m(self) -> float:
        return float(np.hypot(*self.miss_en_m))

    @property
    def dv_mps(self) -> float:
        return float(np.linalg.norm(self.dv_ecef_mps))


def solve_boostback(
    miss: MissFn,
    basis: np.ndarray,
    pitch_rad: float,
    p0: np.ndarray,
    jacobian: np.ndarray | None = None,
    tol_m: float = 25.0,
    max_iter: int = 12,
) -> TargetingSolution:
    """Newton's method on the horizontal impulse at a fixed pitch, from ``p0``."""
    p = np.asarray(p0, dtype=float).copy()

    def f(q: np.ndarray) -> np.ndarray:
        return miss(impulse(q, pitch_rad, basis))

    def fd(q: np.ndarray, m0: np.ndarray) -> np.ndarray:
        jac = np.empty((2, 2))
        for k in range(2):
            e = np.zeros(2)
            e[k] = FD_STEP_MPS
            jac[:, k] = (f(q + e) - m0) / FD_STEP_MPS
        return jac

    m = f(p)
    n = 1
    jac = jacobian
    if jac is None:
        jac = fd(p, m)
        n += 2
    for _ in range(max_iter):
        if np.hypot(*m) <= tol_m:
            break
        try:
            step = -np.linalg.solve(jac, m)
        except np.linalg.LinAlgError:
            step = -np.linalg.pinv(jac) @ m
        size = float(np.linalg.norm(step))
        if size > MAX_STEP_MPS:
            step *= MAX_STEP_MPS / size
        m_new = f(p + step)
        n += 1
        if np.hypot(*m_new) > np.hypot(*m):  # worse: fresh sensitivity, half step
            jac = fd(p, m)
            n += 2
            step = -0.5 * np.linalg.lstsq(jac, m, rcond=None)[0]
            m_new = f(p + step)
            n += 1
        y = m_new - m
        jac = jac + np.outer(y - jac @ step, step) / max(float(step @ step), 1e-12)
        p, m = p + step, m_new
    return TargetingSolution(
        p, pitch_rad, impulse(p, pitch_rad, basis), m, jac, n, bool(np.hypot(*m) <= tol_m)
    )


def best_pitch(
    solve: Callable[[float, TargetingSolution | None], TargetingSolution],
    cost: Callable[[TargetingSolution], float],
    lo_rad: float,
    hi_rad: float,
    tol_rad: float = math.radians(2.0),
) -> TargetingSolution:
    """Golden-section search for the burn pitch of least ``cost`` (each trial warm-started)."""
    best: TargetingSolution | None = None
    best_cost = math.inf
    seen: dict[float, float] = {}

    def trial(pitch: float) -> float:
        nonlocal best, best_cost
        sol = solve(pitch, best)
        c = cost(sol) if sol.converged else math.inf
        if c < best_cost or best is None:
            best, best_cost = sol, c
        seen[pitch] = c
        return c

    a, b = lo_rad, hi_rad
    c1 = b - GOLDEN * (b - a)
    c2 = a + GOLDEN * (b - a)
    f1, f2 = trial(c1), trial(c2)
    while b - a > tol_rad:
        if f1 <= f2:
            b, c2, f2 = c2, c1, f1
            c1 = b - GOLDEN * (b - a)
            f1 = trial(c1)
        else:
            a, c1, f1 = c1, c2, f2
            c2 = a + GOLDEN * (b - a)
            f2 = trial(c2)
    assert best is not None
    return best

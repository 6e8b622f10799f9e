"""Boostback targeting: the velocity change that puts the predicted impact point on the site.

The burn is planned as an impulse ``dv`` (ECEF, 3 unknowns) applied to the present state, with
the impact point predicted by a full propagation (drag, Earth rotation, the entry burn). Two
equations (east and north miss at the site) and three unknowns: Newton steps with the
pseudo-inverse of the 2x3 sensitivity pick the smallest correction each time, so the solution is
(locally) the minimum-velocity-change burn. In flight the solve is repeated every few seconds
from the present state, with Broyden updates of the sensitivity; the engines are steered along
the velocity still to be gained and cut when it is used up (velocity-to-be-gained guidance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from boostback.flight.dynamics import State

__all__ = ["MissFn", "TargetingSolution", "miss_en", "solve_boostback"]

MissFn = Callable[[np.ndarray], np.ndarray]
"""Impulse (ECEF, m/s) in, east/north miss of the predicted impact at the site (m) out."""

FD_STEP_MPS = 5.0
MAX_STEP_MPS = 800.0  # largest Newton correction per iteration


@dataclass(frozen=True)
class TargetingSolution:
    dv_ecef_mps: np.ndarray  # (3,)
    miss_en_m: np.ndarray  # (2,) at the solution
    jacobian: np.ndarray  # (2, 3) d(miss)/d(dv), s
    predictions: int
    converged: bool

    @property
    def miss_m(self) -> float:
        return float(np.hypot(*self.miss_en_m))

    @property
    def dv_mps(self) -> float:
        return float(np.linalg.norm(self.dv_ecef_mps))


def miss_en(impact: State, target_ecef: np.ndarray, target_basis: np.ndarray) -> np.ndarray:
    """East/north offset of an impact point from the target, in the target's ENU frame."""
    d = np.asarray(impact[:3]) - target_ecef
    return target_basis[:2] @ d


def _jacobian(miss: MissFn, dv: np.ndarray, m0: np.ndarray) -> np.ndarray:
    jac = np.empty((2, 3))
    for k in range(3):
        e = np.zeros(3)
        e[k] = FD_STEP_MPS
        jac[:, k] = (miss(dv + e) - m0) / FD_STEP_MPS
    return jac


def solve_boostback(
    miss: MissFn,
    dv0: np.ndarray,
    jacobian: np.ndarray | None = None,
    tol_m: float = 25.0,
    max_iter: int = 10,
) -> TargetingSolution:
    """Newton (minimum-norm steps) from ``dv0``; a Jacobian is computed if none is given."""
    dv = np.asarray(dv0, dtype=float).copy()
    m = miss(dv)
    n = 1
    jac = jacobian
    if jac is None:
        jac = _jacobian(miss, dv, m)
        n += 3
    for _ in range(max_iter):
        if np.hypot(*m) <= tol_m:
            return TargetingSolution(dv, m, jac, n, True)
        step = -np.linalg.pinv(jac) @ m
        size = float(np.linalg.norm(step))
        if size > MAX_STEP_MPS:
            step *= MAX_STEP_MPS / size
        m_new = miss(dv + step)
        n += 1
        if np.hypot(*m_new) > np.hypot(*m) and size > 1.0:  # worse: fresh Jacobian, half step
            jac = _jacobian(miss, dv, m)
            n += 3
            step = -0.5 * (np.linalg.pinv(jac) @ m)
            m_new = miss(dv + step)
            n += 1
        # Broyden rank-one update of the sensitivity
        y = m_new - m
        jac = jac + np.outer(y - jac @ step, step) / max(float(step @ step), 1e-12)
        dv, m = dv + step, m_new
    return TargetingSolution(dv, m, jac, n, bool(np.hypot(*m) <= tol_m))

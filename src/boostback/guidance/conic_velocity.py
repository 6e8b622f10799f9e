"""The velocities the fast path's solve eliminated, and how far an answer is off their dynamics.

The conic problem of ``conic`` keeps positions and controls only (second differences of position
in the dynamics rows); the plan's velocities are recovered from them here, and
``velocity_residual`` measures, in velocity units, how well they satisfy the velocity dynamics
the CVXPY formulation of ``lcvx`` states as rows.
"""

from __future__ import annotations

import numpy as np

from boostback.guidance.discretize import Discretized
from boostback.jit import jit


def _velocities(r: np.ndarray, u: np.ndarray, d: Discretized, discretization: str) -> np.ndarray:
    """Node velocities from positions and controls (the relation the solve eliminated)."""
    v = np.empty_like(r)
    _fill_velocities(v, r, u, d.a_ext, d.dt_s, d.vf, discretization == "foh")
    return v


@jit(aot=True)
def _fill_velocities(
    v: np.ndarray,
    r: np.ndarray,
    u: np.ndarray,
    a: np.ndarray,
    dt: float,
    vf: np.ndarray,
    foh: bool,
) -> None:
    g0, g1 = (dt / 3, dt / 6) if foh else (dt / 2, 0.0)
    for k in range(r.shape[0] - 1):
        for i in range(3):
            v[k, i] = (
                (r[k + 1, i] - r[k, i]) / dt - g0 * u[k, i] - g1 * u[k + 1, i] - dt / 2 * a[k, i]
            )
    for i in range(3):
        v[-1, i] = vf[i]


def velocity_residual(r: np.ndarray, u: np.ndarray, d: Discretized, discretization: str) -> float:
    """Largest residual of the velocity dynamics the solve eliminated (nondimensional velocity).

    The rows solved are second differences of position, so a row residual ``e`` leaves the
    velocities of ``_velocities`` off their own dynamics (``v_{k+1} = v_k + dt (h0 u_k +
    h1 u_{k+1} + a_k)``, and ``v_0`` the initial velocity) by about ``e / dt``: the measure,
    in the problem's own units, of how far an answer is from the CVXPY formulation's rows.
    """
    v = _velocities(r, u, d, discretization)
    return _velocity_defect(v, u, d.a_ext, d.dt_s, d.v0, discretization == "foh")


@jit(aot=True)
def _velocity_defect(
    v: np.ndarray, u: np.ndarray, a: np.ndarray, dt: float, v0: np.ndarray, foh: bool
) -> float:
    h0, h1 = (0.5, 0.5) if foh else (1.0, 0.0)
    worst = 0.0
    for i in range(3):
        worst = max(worst, abs(v[0, i] - v0[i]))
    for k in range(v.shape[0] - 1):
        for i in range(3):
            step = dt * (h0 * u[k, i] + h1 * u[k + 1, i] + a[k, i])
            worst = max(worst, abs(v[k + 1, i] - v[k, i] - step))
    return worst

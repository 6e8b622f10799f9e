"""The same convex subproblem posed through CVXPY: the reference the conic assembly is checked
against, and the baseline of the benchmark (``bench.py``).

Each iteration builds a new CVXPY model from that iteration's numbers and CVXPY canonicalises
it: the per-iteration modelling layer the direct conic assembly (``subproblem.py``) removes.
(A parametrised DPP model is no faster here: PTR's ``weight * |x - x_ref|^2`` is not DPP, so
CVXPY canonicalises it afresh anyway, and SCvx's DPP model, with its 49 14 x 14 parameter
matrices, took ten times as long per solve as rebuilding.) Same variables, constraints and
cost as ``ConicSubproblem``, with one time of flight instead of per-node copies.
"""

from __future__ import annotations

import time

import cvxpy as cp
import numpy as np

from boostback.guidance.scvx.discretize import Discretization
from boostback.guidance.scvx.dynamics import NU, NX
from boostback.guidance.scvx.problem import SixDofProblem
from boostback.guidance.scvx.subproblem import SubproblemSolution

__all__ = ["CvxpySubproblem"]

_SOLVED = (cp.OPTIMAL, cp.OPTIMAL_INACCURATE)


class CvxpySubproblem:
    """``ConicSubproblem``'s interface (``assemble``, ``solve``), each subproblem a new CVXPY
    model built from the numbers of its iteration."""

    def __init__(
        self,
        prob: SixDofProblem,
        nodes: int,
        method: str,
        penalty: float,
        norm: str = "l1",
        floor_buffer: bool = True,
        regularization: float = 0.0,
        units: np.ndarray | None = None,
        solver: str = "CLARABEL",
    ) -> None:
        self.prob, self.nodes, self.method, self.penalty = prob, nodes, method, penalty
        self.norm, self.floor_buffer, self.regularization = norm, floor_buffer, regularization
        self.units = np.ones(NX + NU + 1) if units is None else np.asarray(units, dtype=float)
        self.solver = solver
        self.solver_options: dict[str, float] = {}  # keyword arguments for the solver
        self.problem: cp.Problem | None = None

    def _constraints(self, normals: np.ndarray, disc: Discretization) -> list[cp.Constraint]:
        prob, k = self.prob, self.nodes
        x, u = self.x, self.u
        fixed0 = np.flatnonzero(~prob.init_free)
        fixedf = np.flatnonzero(~prob.final_free)
        cons = [
            x[0, fixed0] == prob.x_init[fixed0],
            x[k - 1, fixedf] == prob.x_final[fixedf],
            x[:, 0] >= prob.m_dry,
            cp.norm(x[:, 2:4], 2, axis=1) <= prob.cot_glide * x[:, 1],
            cp.norm(x[:, 9:11], 2, axis=1) <= prob.tilt_bound,
            cp.norm(x[:, 11:14], 2, axis=1) <= prob.rate_max_rad,
            cp.norm(u[:, 1:3], 2, axis=1) <= prob.tan_gimbal * u[:, 0],
            cp.norm(u, 2, axis=1) <= prob.thrust_max,
            self.sigma >= prob.tf_min,
            self.sigma <= prob.tf_max,
        ]
        floor = cp.sum(cp.multiply(normals, u), axis=1)
        cons.append(floor + (self.buf if self.floor_buffer else 0.0) >= prob.thrust_min)
        if prob.final_thrust_axial:
            cons.append(u[k - 1, 1:3] == 0.0)
        for j in range(k - 1):
            cons.append(
                x[j + 1]
                == disc.a[j] @ x[j]
                + disc.b_minus[j] @ u[j]
                + disc.b_plus[j] @ u[j + 1]
                + disc.s[j] * self.sigma
                + disc.z[j]
                + self.nu[j]
            )
        return cons

    def assemble(
        self,
        xs: np.ndarray,
        us: np.ndarray,
        sigma: float,
        disc: Discretization,
        trust: float,
        trust_sigma: float = 0.0,
    ) -> None:
        """Build the subproblem about the reference (arguments as ``ConicSubproblem``'s)."""
        k = self.nodes
        self.x = cp.Variable((k, NX))
        self.u = cp.Variable((k, NU))
        self.sigma = cp.Variable()
        self.nu = cp.Variable((k - 1, NX))
        self.buf = cp.Variable(k, nonneg=True)
        norm_u = np.linalg.norm(us, axis=1, keepdims=True)
        normals = np.where(
            norm_u > 0, us / np.where(norm_u > 0, norm_u, 1.0), np.array([1.0, 0.0, 0.0])
        )
        cons = self._constraints(normals, disc)
        obj = self.sigma if self.prob.cost == "time" else -self.x[k - 1, 0]
        virtual = cp.sum(cp.abs(self.nu)) if self.norm == "l1" else cp.norm(self.nu.T, "inf")
        obj = obj + self.penalty * (virtual + cp.sum(self.buf))
        if self.method == "scvx":
            inv = 1.0 / self.units
            dx = cp.multiply(self.x - xs, np.tile(inv[:NX], (k, 1)))
            du = cp.multiply(self.u - us, np.tile(inv[NX : NX + NU], (k, 1)))
            dz = cp.hstack((dx, du, (self.sigma - sigma) * inv[-1] * np.ones((k, 1))))
            cons.append(cp.norm(dz, 2, axis=1) <= trust)
            if self.regularization > 0.0:
                obj = obj + self.regularization * (cp.sum_squares(dx) + cp.sum_squares(du))
        else:
            step = cp.sum_squares(self.x - xs) + cp.sum_squares(self.u - us)
            obj = obj + trust * step + trust_sigma * cp.abs(self.sigma - sigma)
        self.problem = cp.Problem(cp.Minimize(obj), cons)

    def solve(self, fresh: bool = False) -> SubproblemSolution:
        """Solve through CVXPY (``fresh`` is accepted for the interface and ignored)."""
        assert self.problem is not None
        t0 = time.perf_counter()
        try:
            self.problem.solve(solver=self.solver, **self.solver_options)
        except cp.SolverError as exc:
            return SubproblemSolution(f"SolverError: {exc}", 0, time.perf_counter() - t0)
        dt = time.perf_counter() - t0
        status = self.problem.status
        iters = int(self.problem.solver_stats.num_iters or 0)
        if status not in _SOLVED:
            proved = status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE)
            return SubproblemSolution("PrimalInfeasible" if proved else str(status), iters, dt)
        return SubproblemSolution(
            "Solved",
            iters,
            dt,
            np.array(self.x.value),
            np.array(self.u.value),
            float(self.sigma.value),
            np.array(self.nu.value),
            np.array(self.buf.value),
            float(self.problem.value),
        )

"""Lossless-convexification powered-descent guidance for a fixed time of flight (CVXPY).

The formulation follows Acikmese & Ploen (2007) and Blackmore, Acikmese & Scharf (2010):
change of variables ``u = T/m``, ``sigma >= |u|``, ``z = ln m``; the non-convex lower thrust bound
becomes a second-order cone through a second-order Taylor bound of ``exp(-z)`` about the mass
profile ``z0(t) = ln(m0 - alpha rho2 t)``; the upper bound a first-order one. Both are
conservative, and the relaxation ``|u| <= sigma`` is tight at the optimum (lossless).

Time is discretised on N intervals with a first-order hold on ``u`` and ``sigma`` (default), which
the double integrator and the mass equation then propagate exactly; ``discretization="zoh"``
holds them constant over each interval instead, as the papers do. The FOH converges faster: for
the Mars case 2 it gives 232.8 m at N = 50 and 231.5 m at N = 200 (the continuous-time answer),
where ZOH gives 259.0 m at N = 50 and 238.3 m at N = 200 - the published 268 m is a coarse-ZOH
figure. A known disturbance acceleration (drag, say) can be given per interval and enters the
dynamics as a constant.

To keep a re-solve cheap the problems are built once per node count with CVXPY parameters (DPP),
so only numbers change between solves. The solver itself starts afresh on every solve (no warm
start), so no answer depends on what was solved before. Three problems share the constraints:

* ``fuel``: maximise final mass, pinpoint landing on the target;
* ``error``: minimise the horizontal landing error (Blackmore 2010, problem 3);
* ``fuel_bounded``: maximise final mass with the landing error at most a bound (problem 4).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import cvxpy as cp
import numpy as np

from boostback.guidance.discretize import Discretized, discretize_nondimensional
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem

_MODES = ("fuel", "error", "fuel_bounded")
_OK = (cp.OPTIMAL, cp.OPTIMAL_INACCURATE)
# Only a certificate says infeasible, as in ``conic.py``: CVXPY's INFEASIBLE and
# INFEASIBLE_INACCURATE (Clarabel's PrimalInfeasible and AlmostPrimalInfeasible, the latter a
# certificate to the solver's reduced tolerance). USER_LIMIT (iteration limit) and the rest are
# solver errors.
_PROVED_INFEASIBLE = (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE)


class _Parametric:
    """One CVXPY problem on N intervals, with every number that changes held as a parameter."""

    def __init__(
        self, nodes: int, mode: str, discretization: str = "foh", capped: bool = False
    ) -> None:
        n = nodes
        self.n = n
        self.mode = mode
        p = cp.Parameter
        self.r0 = p(3)
        self.v0 = p(3)
        self.target = p(3)
        self.vf = p(3)
        self.half_dt = p(nonneg=True)
        self.dt = p(nonneg=True)
        self.dt2_3 = p(nonneg=True)
        self.dt2_6 = p(nonneg=True)
        self.v_ext = p((n, 3))  # dt * (g + d_k)
        self.r_ext = p((n, 3))  # dt^2 / 2 * (g + d_k)
        self.mu1 = p(n + 1, nonneg=True)  # rho1 exp(-z0_k)
        self.mu2 = p(n + 1, nonneg=True)  # rho2 exp(-z0_k)
        self.dz0 = p(n)  # z0_k - z0_{k+1}
        self.w_max = p(n + 1)  # ln(m0 - alpha rho1 t_k) - z0_k
        self.w_final_min = p()  # ln(m_dry) - z0_N
        self.half_alpha_dt = p(nonneg=True)
        self.cos_tilt = p()
        self.tan_gs = p(nonneg=True)
        self.vert = p((n + 1, 1), nonneg=True)  # 1 on nodes of the final vertical descent
        self.s_cap = p(n + 1, nonneg=True)  # thrust acceleration cap (large where there is none)
        self.err_max = p(nonneg=True)

        self.r = cp.Variable((n + 1, 3))
        self.v = cp.Variable((n + 1, 3))
        self.u = cp.Variable((n + 1, 3))
        self.s = cp.Variable(n + 1)
        self.w = cp.Variable(n + 1)  # z - z0
        r, v, u, s, w = self.r, self.v, self.u, self.s, self.w

        rf_h = cp.reshape(r[n, :2], (1, 2), order="C")
        ones = np.ones((n + 1, 1))
        cons = [
            r[0] == self.r0,
            v[0] == self.v0,
            w[0] == 0,
            *self._dynamics(discretization),
            cp.norm(u, 2, axis=1) <= s,
            cp.multiply(self.mu1, 1 - w + 0.5 * cp.square(w)) <= s,
            s <= cp.multiply(self.mu2, 1 - w),
            w >= 0,
            w <= self.w_max,
            w[n] >= self.w_final_min,
            u[:, 2] >= self.cos_tilt * s,
            self.tan_gs * cp.norm(r[:, :2] - ones @ rf_h, 2, axis=1) <= r[:, 2] - r[n, 2],
            cp.multiply(self.vert, r[:, :2] - ones @ rf_h) == 0,
            cp.multiply(self.vert, v[:, :2]) == 0,
            v[n] == self.vf,
            r[n, 2] == self.target[2],
        ]
        if capped:  # only then: an extra row, even inactive, moves CVXPY's answer on a face
            cons.append(s <= self.s_cap)
        landing_error = cp.norm(r[n, :2] - self.target[:2], 2)
        if mode == "fuel":
            cons.append(r[n, :2] == self.target[:2])
            objective = cp.Maximize(w[n])
        elif mode == "error":
            objective = cp.Minimize(landing_error)
        else:
            cons.append(landing_error <= self.err_max)
            objective = cp.Maximize(w[n])
        self.problem = cp.Problem(objective, cons)
        assert self.problem.is_dcp(dpp=True)

    def _dynamics(self, discretization: str) -> list[cp.Constraint]:
        """Exact propagation of the double integrator and the mass for the chosen hold."""
        r, v, u, s, w = self.r, self.v, self.u, self.s, self.w
        if discretization == "foh":
            return [
                v[1:] == v[:-1] + self.half_dt * (u[:-1] + u[1:]) + self.v_ext,
                r[1:]
                == r[:-1]
                + self.dt * v[:-1]
                + self.dt2_3 * u[:-1]
                + self.dt2_6 * u[1:]
                + self.r_ext,
                w[1:] == w[:-1] + self.dz0 - self.half_alpha_dt * (s[:-1] + s[1:]),
            ]
        if discretization == "zoh":
            return [
                v[1:] == v[:-1] + self.dt * u[:-1] + self.v_ext,
                r[1:]
                == r[:-1] + self.dt * v[:-1] + (self.dt2_3 + self.dt2_6) * u[:-1] + self.r_ext,
                w[1:] == w[:-1] + self.dz0 - 2 * self.half_alpha_dt * s[:-1],
            ]
        raise ValueError(f"discretization must be 'foh' or 'zoh', got {discretization!r}")

    def load(self, d: Discretized) -> np.ndarray:
        """Write the numbers of a discretised problem into the parameters."""
        dt = d.dt_s
        self.r0.value = d.r0
        self.v0.value = d.v0
        self.target.value = d.target
        self.vf.value = d.vf
        self.dt.value = dt
        self.half_dt.value = dt / 2
        self.dt2_3.value = dt * dt / 3
        self.dt2_6.value = dt * dt / 6
        self.v_ext.value = dt * d.a_ext
        self.r_ext.value = 0.5 * dt * dt * d.a_ext
        self.mu1.value = d.mu1
        self.mu2.value = d.mu2
        self.dz0.value = d.dz0
        self.w_max.value = d.w_max
        self.w_final_min.value = d.w_final_min
        self.half_alpha_dt.value = d.alpha * dt / 2
        self.cos_tilt.value = d.cos_tilt
        self.tan_gs.value = d.tan_gs
        self.vert.value = d.vert.reshape(-1, 1)
        # no cap: a bound the thrust bound already keeps (mu2 at w = 0) makes the row inactive
        cap = np.where(d.vert > 0, d.sigma_cap, np.inf)
        self.s_cap.value = np.minimum(cap, 2.0 * float(d.mu2.max()) + 1.0)
        if self.err_max.value is None:
            self.err_max.value = 0.0
        return d.z0


class LcvxSolver:
    """Solves the landing problem for a fixed time of flight; problems are built once and reused.

    ``solver`` is any conic solver CVXPY knows (default Clarabel). Never raises on an infeasible
    instance: the returned plan carries the status.
    """

    def __init__(
        self,
        nodes: int = 50,
        solver: str = "CLARABEL",
        discretization: str = "foh",
        tol: float | None = None,
    ) -> None:
        if nodes < 5:
            raise ValueError("need at least 5 nodes")
        if discretization not in ("foh", "zoh"):
            raise ValueError(f"discretization must be 'foh' or 'zoh', got {discretization!r}")
        # Checked here, not at the first solve: the second positional argument is the solver
        # (``ConicSolver``'s is the discretisation), and an unknown name would otherwise make
        # every solve a SOLVER_ERROR plan ("The solver ZOH is not installed").
        if solver.upper() not in cp.installed_solvers():
            raise ValueError(
                f"solver {solver!r} is not an installed CVXPY solver ({cp.installed_solvers()});"
                " the discretisation is the keyword discretization="
            )
        self.nodes = nodes
        self.solver = solver
        self.discretization = discretization
        # Optional tighter tolerances (Clarabel's names): fuel-optimal landings often have a
        # face of optimal controls, and only a tight solve pins down the same point twice.
        self.options: dict[str, float] = {}
        if tol is not None:
            self.options = {"tol_gap_abs": tol, "tol_gap_rel": tol, "tol_feas": tol}
        self._problems: dict[tuple[str, bool], _Parametric] = {}

    def _get(self, mode: str, capped: bool = False) -> _Parametric:
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}")
        key = (mode, capped)
        if key not in self._problems:
            self._problems[key] = _Parametric(self.nodes, mode, self.discretization, capped)
        return self._problems[key]

    def solve(
        self,
        prob: LandingProblem,
        tf_s: float,
        mode: str = "fuel",
        *,
        error_bound_m: float = 0.0,
        disturbance_enu_mps2: np.ndarray | None = None,
    ) -> LandingPlan:
        """Solve at time of flight ``tf_s``; the disturbance is (N, 3), one row per interval."""
        start = time.perf_counter()
        nd, sc, d = discretize_nondimensional(prob, tf_s, self.nodes, disturbance_enu_mps2)
        par = self._get(mode, bool(np.isfinite(d.sigma_cap)))
        z0 = par.load(d)
        par.err_max.value = max(error_bound_m, 0.0) / sc.length_m
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "may be inaccurate": status says it
                # No warm start: CVXPY would hand the data to the solver object of the previous
                # solve (Clarabel's update()), which keeps that problem's equilibration, so the
                # answer, and even the verdict, would depend on what was solved before.
                par.problem.solve(solver=self.solver, warm_start=False, **self.options)
        except cp.error.SolverError as exc:
            return LandingPlan.failed(
                PlanStatus.SOLVER_ERROR, str(exc), 1, time.perf_counter() - start
            )
        elapsed = time.perf_counter() - start
        status = par.problem.status
        if status not in _OK:
            verdict = (
                PlanStatus.INFEASIBLE if status in _PROVED_INFEASIBLE else PlanStatus.SOLVER_ERROR
            )
            return LandingPlan.failed(verdict, f"solver status {status}", 1, elapsed)
        plan = _extract(par, nd, tf_s / sc.time_s, z0, mode, elapsed, self.discretization)
        plan = plan.dimensional(sc)
        return replace(plan, tf_s=tf_s)


def _extract(
    par: _Parametric,
    prob: LandingProblem,
    tf_s: float,
    z0: np.ndarray,
    mode: str,
    elapsed: float,
    discretization: str,
) -> LandingPlan:
    r = np.asarray(par.r.value)
    err = float(np.linalg.norm(r[-1, :2] - prob.target_enu_m[:2]))
    status = PlanStatus.OPTIMAL if mode == "fuel" else PlanStatus.MIN_ERROR
    return LandingPlan(
        status=status,
        tf_s=tf_s,
        t_s=np.linspace(0.0, tf_s, par.n + 1),
        r_enu_m=r,
        v_enu_mps=np.asarray(par.v.value),
        mass_kg=np.exp(np.asarray(par.w.value) + z0),
        accel_enu_mps2=np.asarray(par.u.value),
        sigma_mps2=np.asarray(par.s.value),
        landing_error_m=err,
        solves=1,
        solve_time_s=elapsed,
        discretization=discretization,
    )

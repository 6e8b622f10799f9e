"""Free-final-time landing guidance: a search over the time of flight around the fixed-time solver.

Final mass is (close to) unimodal in the time of flight over the interval where a pinpoint landing
is feasible (Acikmese & Ploen 2007, Blackmore et al. 2010), so a coarse grid finds the feasible
interval and a golden-section search refines the optimum inside it. When no time of flight reaches
the pad, the minimum-landing-error problem (Blackmore 2010, problem 3) is searched instead and the
fuel is then minimised with the landing error held at its optimum (problem 4).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
from scipy.optimize import minimize_scalar

from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem


class FixedTimeSolver(Protocol):
    """What the search needs of a back end: ``LcvxSolver`` (CVXPY) or ``ConicSolver``."""

    nodes: int

    def solve(
        self,
        prob: LandingProblem,
        tf_s: float,
        mode: str = ...,
        *,
        error_bound_m: float = ...,
        disturbance_enu_mps2: np.ndarray | None = ...,
    ) -> LandingPlan: ...


Disturbance = Callable[[np.ndarray, float], np.ndarray]
"""Maps interval mid-times (N,) in seconds from the plan start, and the time of flight, to
known disturbance accelerations (N, 3) in the ENU frame."""

PINPOINT_TOLERANCE_M = 0.5


class _Counter:
    def __init__(
        self, solver: FixedTimeSolver, prob: LandingProblem, disturbance: Disturbance | None
    ):
        self.solver, self.prob, self.disturbance = solver, prob, disturbance
        self.solves = 0

    def __call__(self, tf_s: float, mode: str, error_bound_m: float = 0.0) -> LandingPlan:
        self.solves += 1
        dist = None
        if self.disturbance is not None:
            n = self.solver.nodes
            t_mid = (np.arange(n) + 0.5) * tf_s / n
            dist = self.disturbance(t_mid, tf_s)
        return self.solver.solve(
            self.prob, tf_s, mode, error_bound_m=error_bound_m, disturbance_enu_mps2=dist
        )


def _score(plan: LandingPlan, mode: str) -> float:
    """Larger is better: final mass for fuel modes, minus the landing error for the error mode."""
    if not plan.feasible:
        return -math.inf
    return -plan.landing_error_m if mode == "error" else float(plan.mass_kg[-1])


def _golden(
    solve: _Counter, mode: str, lo: float, hi: float, best: LandingPlan, tol_s: float
) -> LandingPlan:
    """Maximise ``_score`` over [lo, hi] by Brent's method; returns the best plan seen.

    Near its optimum the final mass is a smooth function of the time of flight, so parabolic
    steps converge in a handful of solves where golden sections need a dozen; an infeasible
    time scores a large penalty, which sends Brent back to golden steps.
    """
    seen = {"best": best}
    penalty = 1e9

    def cost(tf: float) -> float:
        plan = solve(float(tf), mode)
        score = _score(plan, mode)
        if score > _score(seen["best"], mode):
            seen["best"] = plan
        return -score if math.isfinite(score) else penalty

    minimize_scalar(cost, bounds=(lo, hi), method="bounded", options={"xatol": tol_s})
    return seen["best"]


def _grid_best(
    solve: _Counter, mode: str, grid: np.ndarray
) -> tuple[int, LandingPlan, list[LandingPlan]]:
    """Best plan on the grid, walked from short to long times of flight.

    The score is unimodal over the feasible interval, so the walk stops at the first point
    after the feasible peak that is worse (or infeasible): the rest of the grid, usually long
    infeasible solves, is never flown.
    """
    plans: list[LandingPlan] = []
    best_i, best_score = 0, -math.inf
    for j, tf in enumerate(grid):
        plan = solve(float(tf), mode)
        plans.append(plan)
        score = _score(plan, mode)
        if score > best_score:
            best_i, best_score = j, score
        elif math.isfinite(best_score):
            break
    return best_i, plans[best_i], plans


def _bracket(grid: np.ndarray, i: int) -> tuple[float, float]:
    return float(grid[max(i - 1, 0)]), float(grid[min(i + 1, len(grid) - 1)])


def solve_free_time(
    solver: FixedTimeSolver,
    prob: LandingProblem,
    *,
    tf_range_s: tuple[float, float] | None = None,
    grid_points: int = 8,
    tol_s: float = 0.05,
    disturbance: Disturbance | None = None,
    allow_min_error: bool = True,
    refine: bool = True,
) -> LandingPlan:
    """Fuel-optimal landing over the time of flight, falling back to minimum landing error.

    Returns a plan whose status says which problem it solves; never raises on infeasibility.
    ``refine=False`` skips the final golden-section search: enough when only feasibility matters.
    """
    start = time.perf_counter()
    solve = _Counter(solver, prob, disturbance)
    lo, hi = tf_range_s if tf_range_s is not None else prob.tf_bounds_s()
    if not hi > lo:
        return LandingPlan.failed(
            PlanStatus.INFEASIBLE, f"empty time-of-flight range [{lo:.2f}, {hi:.2f}] s", 0, 0.0
        )
    # Geometric spacing: relative resolution is what matters, and a booster that cannot hover has a
    # narrow feasible window near the short end of the range.
    grid = np.geomspace(lo, hi, grid_points)

    def done(plan: LandingPlan, message: str = "") -> LandingPlan:
        from dataclasses import replace

        return replace(
            plan,
            solves=solve.solves,
            solve_time_s=time.perf_counter() - start,
            message=message or plan.message,
        )

    i, best, _ = _grid_best(solve, "fuel", grid)
    if not best.feasible:
        # A vehicle that cannot hover has a narrow window of feasible times: look between the
        # grid points once before falling back to the minimum-error problem.
        mids = np.sqrt(grid[:-1] * grid[1:])
        j, mid_best, _ = _grid_best(solve, "fuel", mids)
        if mid_best.feasible:
            best = mid_best
            grid = np.sort(np.concatenate([grid, mids]))
            i = int(np.searchsorted(grid, mids[j]))
    if best.feasible and not refine:
        return done(best)
    if not best.feasible:
        # Locate the reachable region with the (more often feasible) minimum-error problem.
        i, best_err, _ = _grid_best(solve, "error", grid)
        if not best_err.feasible:
            return done(
                LandingPlan.failed(PlanStatus.INFEASIBLE, "no soft landing found", 0, 0.0),
                f"no soft landing for any time of flight in [{lo:.1f}, {hi:.1f}] s",
            )
        a, b = _bracket(grid, i)
        best_err = _golden(solve, "error", a, b, best_err, tol_s)
        if best_err.landing_error_m > PINPOINT_TOLERANCE_M:
            if not allow_min_error:
                return done(
                    LandingPlan.failed(PlanStatus.INFEASIBLE, "", 0, 0.0),
                    f"target unreachable: best landing error {best_err.landing_error_m:.1f} m",
                )
            bound = best_err.landing_error_m * (1 + 1e-6) + 1e-3
            plan = solve(best_err.tf_s, "fuel_bounded", bound)
            if not plan.feasible:
                plan = best_err
            return done(plan, "target unreachable: minimum-landing-error plan")
        best = solve(best_err.tf_s, "fuel")
        if not best.feasible:
            return done(best_err, "pinpoint marginal: minimum-landing-error plan")
        if not refine:
            return done(best)
        a, b = best_err.tf_s - (grid[1] - grid[0]), best_err.tf_s + (grid[1] - grid[0])
        a, b = max(a, lo), min(b, hi)
    else:
        a, b = _bracket(grid, i)
    return done(_golden(solve, "fuel", a, b, best, tol_s))

"""Free-final-time landing guidance: a search over the time of flight around the fixed-time solver.

Final mass is (close to) unimodal in the time of flight over the interval where a pinpoint landing
is feasible (Acikmese & Ploen 2007, Blackmore et al. 2010), so a coarse grid finds the feasible
interval and a one-dimensional search refines the optimum inside it. Back ends that give the
slope of the final mass over the time of flight with each plan (``ConicSolver``, from the duals
by the envelope theorem) get a slope-bracketing search: the walk stops at the first plan whose
mass falls, and cubic steps through two plans' masses and slopes close in on the peak, in about
half the solves of Brent's method, which the others get. When no time of flight reaches
the pad, the minimum-landing-error problem (Blackmore 2010, problem 3) is searched instead and the
fuel is then minimised with the landing error held at its optimum (problem 4).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

import numpy as np

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
    """Counts solves, remembers each plan (a search may come back to a time of flight), and asks
    back ends that can for the slope of the final mass over the time of flight."""

    def __init__(
        self,
        solver: FixedTimeSolver,
        prob: LandingProblem,
        disturbance: Disturbance | None,
        slopes: bool = True,
    ):
        self.solver, self.prob, self.disturbance = solver, prob, disturbance
        self.solves = 0
        self.errors = 0  # solves that ended without an answer (PlanStatus.SOLVER_ERROR)
        self.proved = 0  # times of flight proved infeasible (by a solve or the back end's check)
        self.certified = 0  # ... of them by a solve that ended in a certificate
        self.slopes = slopes and bool(getattr(solver, "gives_mass_slope", False))
        self._seen: dict[tuple[float, str, float], LandingPlan] = {}

    def _dist(self, tf_s: float) -> np.ndarray | None:
        if self.disturbance is None:
            return None
        n = self.solver.nodes
        return self.disturbance((np.arange(n) + 0.5) * tf_s / n, tf_s)

    def __call__(self, tf_s: float, mode: str, error_bound_m: float = 0.0) -> LandingPlan:
        key = (tf_s, mode, error_bound_m)
        plan = self._seen.get(key)
        if plan is not None:
            return plan
        dist = self._dist(tf_s)
        if self.slopes and mode in ("fuel", "error"):
            rate = None
            if dist is not None:
                h = 1e-6 * tf_s
                rate = (self._dist(tf_s + h) - self._dist(tf_s - h)) / (2 * h)  # type: ignore[operator]
            plan = self.solver.solve(  # type: ignore[call-arg]
                self.prob,
                tf_s,
                mode,
                error_bound_m=error_bound_m,
                disturbance_enu_mps2=dist,
                mass_slope=True,
                disturbance_rate_enu_mps2_per_s=rate,
            )
        else:
            plan = self.solver.solve(
                self.prob, tf_s, mode, error_bound_m=error_bound_m, disturbance_enu_mps2=dist
            )
        self._seen[key] = plan
        self.errors += plan.status is PlanStatus.SOLVER_ERROR
        self.proved += plan.status is PlanStatus.INFEASIBLE
        self.certified += plan.status is PlanStatus.INFEASIBLE and plan.solves > 0
        self.solves += plan.solves  # 0 when the back end proved infeasibility without a solve
        return plan


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

    from scipy.optimize import minimize_scalar  # ~0.3 s to import; most landings never get here

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
            if plan.mass_slope_kg_per_s < 0.0 and mode != "error":
                break  # the final mass falls here: the peak is behind
        elif math.isfinite(best_score):
            break
    return best_i, plans[best_i], plans


def _hermite_peak(x0: float, f0: float, g0: float, x1: float, f1: float, g1: float) -> float:
    """Peak in (x0, x1) of the cubic through two values and slopes (g0 > 0 > g1).

    The cubic-interpolation step of Nocedal & Wright (2006, eq. 3.59) applied to -f.
    """
    p0, p1, d0, e1 = -f0, -f1, -g0, -g1
    d1 = d0 + e1 - 3.0 * (p0 - p1) / (x0 - x1)
    disc = d1 * d1 - d0 * e1
    if disc < 0.0:
        return 0.5 * (x0 + x1)
    d2 = math.sqrt(disc)
    x = x1 - (x1 - x0) * (e1 + d2 - d1) / (e1 - d0 + 2.0 * d2)
    return x if x0 < x < x1 else 0.5 * (x0 + x1)


def _zoom(
    solve: _Counter,
    lo: tuple[float, LandingPlan],
    hi: tuple[float, LandingPlan],
    best: LandingPlan,
    tol_s: float,
) -> LandingPlan:
    """Maximise the final mass between two times of flight using its slope at each plan.

    ``lo``/``hi`` are the bracket ends (time of flight, plan): each infeasible, or feasible with
    the mass rising at ``lo`` and falling at ``hi``; the peak lies between. Steps go to the peak
    of the cubic through two feasible ends' masses and slopes (exact for a quadratic), and
    bisect otherwise or when the last step did not halve the bracket. Stops when the bracket is
    ``tol_s`` wide, or when the tangents at the two ends bound the remaining gain to 1e-7 of the
    final mass (as they do where the mass is concave in the time of flight).
    """
    (ta, a), (tb, b) = lo, hi
    widths = [math.inf, math.inf]
    behind: tuple[float, LandingPlan] | None = None  # the previous end on a falling side
    aim = True  # Newton steps onto the feasibility edge (below) still worth trying
    edge = False  # the previous probe was aimed just past the edge
    while tb - ta > tol_s and solve.solves < 60:
        width = tb - ta
        x = 0.5 * (ta + tb)
        ga, gb = a.mass_slope_kg_per_s, b.mass_slope_kg_per_s
        slow = width > 0.5 * widths[-2]  # two steps that did not halve the bracket: bisect
        step_on, edge = edge and a.feasible and ga > 0.0 and tb - ta > 2.0 * tol_s, False
        if step_on:
            # Just past the edge and still rising: near an edge the mass usually turns within a
            # tolerance (a kink), so look one tolerance further before the cubic steps.
            x = ta + tol_s
        elif a.feasible and b.feasible and ga > 0.0 > gb:
            fa, fb, top = float(a.mass_kg[-1]), float(b.mass_kg[-1]), _score(best, "fuel")
            xt = (fb - fa + ga * ta - gb * tb) / (ga - gb)  # where the tangents cross
            if ta < xt < tb and fa + ga * (xt - ta) - top <= 1e-7 * top:
                break
            if not slow:
                x = _hermite_peak(ta, fa, ga, tb, fb, gb)
        elif aim and b.feasible and gb < 0.0 and not a.feasible:
            # The mass falls all the way down to the infeasible end: the optimum is the edge of
            # feasibility. The minimum landing error at the infeasible end falls to zero at that
            # edge; one Newton step on it (error and its slope from the same solve) lands next
            # to the edge instead of bisecting towards it.
            aim = False  # once: where the optimum is not the edge, bisection does as well
            e_plan = solve(ta, "error")
            err, de = e_plan.landing_error_m, e_plan.error_slope_m_per_s
            # only a short step: a far one means the pad is far out of reach there, and the
            # optimum is likely inside the bracket rather than at its edge
            if e_plan.feasible and err > 0.0 and de < 0.0 and -err / de < 0.05 * width:
                x = ta - err / de + 0.25 * tol_s
                edge = True
        elif b.feasible and gb < 0.0 and behind is not None and not slow:
            # only the falling side known: where the slope, linear in time, would be zero
            tc, gc = behind[0], behind[1].mass_slope_kg_per_s
            if gc < gb:
                xs = tb - gb * (tc - tb) / (gc - gb)
                x = xs if ta < xs < tb else x
        x = min(max(x, ta + 0.25 * tol_s), tb - 0.25 * tol_s)  # off the ends: always shrinks
        widths.append(width)
        plan = solve(float(x), "fuel")
        if _score(plan, "fuel") > _score(best, "fuel"):
            best = plan
        g = plan.mass_slope_kg_per_s
        if not plan.feasible:  # outside the window of feasible times, on one side of it
            if a.feasible and not b.feasible:
                tb, b = x, plan
            else:
                ta, a = x, plan
        elif math.isnan(g):  # on a jump of the vertical-descent length: no slope
            return _golden(solve, "fuel", ta, tb, best, tol_s)
        elif g > 0.0:
            ta, a = x, plan
        else:
            behind = (tb, b) if b.feasible else None
            tb, b = x, plan
    return best


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
    slopes: bool = True,
) -> LandingPlan:
    """Fuel-optimal landing over the time of flight, falling back to minimum landing error.

    Returns a plan whose status says which problem it solves; never raises on infeasibility.
    ``refine=False`` skips the final refinement: enough when only feasibility matters.
    ``slopes=False`` uses Brent's method even with a back end that gives mass slopes.
    """
    start = time.perf_counter()
    solve = _Counter(solver, prob, disturbance, slopes)
    lo, hi = tf_range_s if tf_range_s is not None else prob.tf_bounds_s()
    if not hi > lo:
        return LandingPlan.failed(
            PlanStatus.INFEASIBLE, f"empty time-of-flight range [{lo:.2f}, {hi:.2f}] s", 0, 0.0
        )
    # Geometric spacing: relative resolution is what matters, and a booster that cannot hover has a
    # narrow feasible window near the short end of the range.
    grid = np.geomspace(lo, hi, grid_points)

    def done(plan: LandingPlan, message: str = "") -> LandingPlan:
        return replace(
            plan,
            solves=solve.solves,
            solve_time_s=time.perf_counter() - start,
            message=message or plan.message,
        )

    i, best, grid = _fuel_grid(solve, grid)
    if not best.feasible:
        plan, message = _via_min_error(solve, grid, (lo, hi), tol_s, allow_min_error, refine)
        return done(plan, message)
    if not refine:
        return done(best)
    return done(_refine_fuel(solve, grid, i, best, tol_s))


def _fuel_grid(solve: _Counter, grid: np.ndarray) -> tuple[int, LandingPlan, np.ndarray]:
    """The best fuel plan on the grid: its index, the plan, and the grid it indexes (with the
    midpoints merged in when only they found a feasible plan)."""
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
    return i, best, grid


def _refine_fuel(
    solve: _Counter, grid: np.ndarray, i: int, best: LandingPlan, tol_s: float
) -> LandingPlan:
    """The fuel optimum around the grid's best point ``i``: by the mass slopes when the back
    end gives them, else Brent's method."""
    a, b = _bracket(grid, i)
    g = best.mass_slope_kg_per_s
    if solve.slopes and not math.isnan(g):
        if (g > 0.0 and best.tf_s >= b) or (g < 0.0 and best.tf_s <= a):
            return best  # the peak sits on an end of the range
        lo_end = (best.tf_s, best) if g > 0.0 else (a, solve(a, "fuel"))
        hi_end = (b, solve(b, "fuel")) if g > 0.0 else (best.tf_s, best)
        return _zoom(solve, lo_end, hi_end, best, tol_s)
    return _golden(solve, "fuel", a, b, best, tol_s)


def _via_min_error(
    solve: _Counter,
    grid: np.ndarray,
    bounds: tuple[float, float],
    tol_s: float,
    allow_min_error: bool,
    refine: bool,
) -> tuple[LandingPlan, str]:
    """When no grid point gives a pinpoint plan: locate the reachable region with the (more
    often feasible) minimum-error problem. If its best error is within the pinpoint tolerance,
    the fuel optimum near it; else the least fuel at that error (``allow_min_error``). Returns
    the plan and the message for it ("" keeps the plan's own)."""
    lo, hi = bounds
    i, best_err, _ = _grid_best(solve, "error", grid)
    if not best_err.feasible:
        return _no_plan(solve, lo, hi)
    a, b = _bracket(grid, i)
    best_err = _golden(solve, "error", a, b, best_err, tol_s)
    if best_err.landing_error_m > PINPOINT_TOLERANCE_M:
        if not allow_min_error:
            return (
                LandingPlan.failed(PlanStatus.INFEASIBLE, "", 0, 0.0),
                f"target unreachable: best landing error {best_err.landing_error_m:.1f} m",
            )
        bound = best_err.landing_error_m * (1 + 1e-6) + 1e-3
        plan = solve(best_err.tf_s, "fuel_bounded", bound)
        if not plan.feasible:
            plan = best_err
        return plan, "target unreachable: minimum-landing-error plan"
    best = solve(best_err.tf_s, "fuel")
    if not best.feasible:
        return best_err, "pinpoint marginal: minimum-landing-error plan"
    if not refine:
        return best, ""
    a, b = best_err.tf_s - (grid[1] - grid[0]), best_err.tf_s + (grid[1] - grid[0])
    a, b = max(a, lo), min(b, hi)
    return _golden(solve, "fuel", a, b, best, tol_s), ""


def _no_plan(solve: _Counter, lo: float, hi: float) -> tuple[LandingPlan, str]:
    """The verdict when no time of flight gave a plan, in the fuel or the error problem.

    A solve that ended in a solver error proves nothing about its time of flight. When every
    solve the search ran ended so (the back end's own checks before a solve may still have ruled
    out some times of flight, the short ones a vertical thrust profile cannot stop in), the
    solver never worked: the verdict is SOLVER_ERROR, not INFEASIBLE. Once some solve ended in a
    certificate of infeasibility the solver is working and the grid is INFEASIBLE, the message
    counting the solves that failed.
    """
    if solve.errors and not solve.certified:
        proved = (
            f"; {solve.proved} time(s) of flight ruled out before a solve" if solve.proved else ""
        )
        return (
            LandingPlan.failed(PlanStatus.SOLVER_ERROR, "no soft landing found", 0, 0.0),
            f"no answer in [{lo:.1f}, {hi:.1f}] s: every one of {solve.errors} solve(s) ended"
            f" in a solver error{proved}",
        )
    errors = f" ({solve.errors} solve(s) ended in a solver error)" if solve.errors else ""
    return (
        LandingPlan.failed(PlanStatus.INFEASIBLE, "no soft landing found", 0, 0.0),
        f"no soft landing for any time of flight in [{lo:.1f}, {hi:.1f}] s{errors}",
    )

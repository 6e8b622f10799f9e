"""Timings of the published problem, for ``make bench`` (wired by ``boostback.bench``).

Each case solves the published problem (``published.py``) from a cold start, the direct conic
path and the same algorithm with every subproblem posed through CVXPY interleaved in one run,
and reports median and p90 of each, with where the fast path's time went. Nothing here asserts
a time.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from dataclasses import dataclass

import numpy as np

from boostback.guidance.scvx.published import published_problem, published_settings
from boostback.guidance.scvx.result import ScvxPlan
from boostback.guidance.scvx.solver import solve

__all__ = ["ScvxTiming", "published_cold_solve", "time_breakdown"]


@dataclass(frozen=True)
class ScvxTiming:
    """One benchmark case: the fast path and its CVXPY baseline, seconds per cold solve."""

    case: str
    median_s: float
    p90_s: float
    baseline: str
    baseline_median_s: float
    baseline_p90_s: float
    note: str


def time_breakdown(plan: ScvxPlan) -> str:
    """Where a solve's time went: discretisation, conic assembly, the solver, the rest."""
    t = plan.timings()
    total = t["total_s"] or math.nan
    parts = ("discretize_s", "assemble_s", "solver_s", "other_s")
    shares = ", ".join(f"{k[:-2]} {100 * t[k] / total:.0f} %" for k in parts)
    its = sum(r.solver_iterations for r in plan.history)
    return f"{plan.iterations} iterations, {its} interior-point iterations; {shares}"


def published_cold_solve(
    method: str = "ptr", repeats: int = 10, baseline_repeats: int = 3
) -> ScvxTiming:
    """Cold solves of the published problem: the conic path ``repeats`` times, the CVXPY path
    ``baseline_repeats`` times, interleaved (after one untimed warm-up of each: compiled
    kernels loaded, structures built).

    Parameters
    ----------
    method : "ptr" (the published algorithm) or "scvx".
    repeats, baseline_repeats : timed solves of each path.
    """
    prob = published_problem()
    fast = published_settings(method)
    base = dataclasses.replace(fast, backend="cvxpy")
    plan = solve(prob, fast)
    solve(prob, base)
    tf, tb = [], []
    for i in range(repeats):
        t0 = time.perf_counter()
        plan = solve(prob, fast)
        tf.append(time.perf_counter() - t0)
        if i < baseline_repeats:
            t0 = time.perf_counter()
            solve(prob, base)
            tb.append(time.perf_counter() - t0)
    return ScvxTiming(
        case=f"6-DoF {method.upper()}, published problem, cold start",
        median_s=statistics.median(tf),
        p90_s=float(np.percentile(tf, 90)),
        baseline=f"same {method.upper()}, subproblems through CVXPY + Clarabel",
        baseline_median_s=statistics.median(tb) if tb else math.nan,
        baseline_p90_s=float(np.percentile(tb, 90)) if tb else math.nan,
        note=f"t_f {plan.tf_s:.4f}, {time_breakdown(plan)}",
    )

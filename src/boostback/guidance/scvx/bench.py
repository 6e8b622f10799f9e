"""Timings of the published problem, for ``make bench`` (wired by ``boostback.bench``).

Each case solves the published problem (``published.py``) from a cold start, the direct conic
path and the same algorithm with every subproblem posed through CVXPY interleaved in one run,
and reports median and p90 of each, with where the fast path's time went; ``warm_replan`` times
a re-plan as the loop makes one (warm-started from the rest of the last plan) against the same
re-plan from a cold start. Nothing here asserts a time.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from dataclasses import dataclass

import numpy as np

from boostback.guidance.scvx.problem import SixDofProblem
from boostback.guidance.scvx.published import published_problem, published_settings
from boostback.guidance.scvx.result import ScvxPlan
from boostback.guidance.scvx.solver import ScvxSettings, solve

__all__ = [
    "ScvxTiming",
    "published_cold_solve",
    "replan_case",
    "time_breakdown",
    "warm_replan",
]


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
    iterations: int = 0  # of the fast path's last solve


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
    """Cold solves of the published problem: the default path (boostback's interior-point
    method on the conic data) ``repeats`` times, the CVXPY path and Clarabel on the same conic
    data ``baseline_repeats`` times each, interleaved (after one untimed warm-up of each:
    compiled kernels loaded, structures built, the KKT analysed). The row's times are wall
    times; the note gives each path's median CPU time (``time.process_time``), the figure to
    read on a shared machine.

    Parameters
    ----------
    method : "ptr" (the published algorithm) or "scvx".
    repeats, baseline_repeats : timed solves of each path.
    """
    prob = published_problem()
    fast = published_settings(method)
    base = dataclasses.replace(fast, backend="cvxpy")
    clar = dataclasses.replace(fast, backend="conic")
    (tf, tb, _), cpu, plans = _interleaved_cpu(
        [lambda: solve(prob, fast), lambda: solve(prob, base), lambda: solve(prob, clar)],
        [repeats, baseline_repeats, baseline_repeats],
    )
    plan, ref = plans[0], plans[2]
    ms = [1e3 * statistics.median(c) for c in cpu]
    note = (
        f"t_f {plan.tf_s:.4f}, fuel {plan.propellant_kg:.5f}, {time_breakdown(plan)}; CPU"
        f" medians: this path {ms[0]:.0f} ms, CVXPY {ms[1]:.0f} ms, Clarabel on the same conic"
        f" data {ms[2]:.0f} ms ({ms[2] / ms[0]:.2f}x this path's; {ref.iterations} iterations,"
        f" {sum(r.solver_iterations for r in ref.history)} interior-point, t_f {ref.tf_s:.4f})"
    )
    if method == "ptr":  # the loop's re-plan, until the table has a row of its own
        w = warm_replan(repeats=5, baseline_repeats=3)
        note += (
            f"; warm re-plan {1e3 * w.median_s:.0f} ms median ({w.iterations} iterations)"
            f" against {1e3 * w.baseline_median_s:.0f} ms from a cold start"
        )
    return ScvxTiming(
        case=f"6-DoF {method.upper()}, published problem, cold start",
        median_s=statistics.median(tf),
        p90_s=float(np.percentile(tf, 90)),
        baseline=f"same {method.upper()}, subproblems through CVXPY + Clarabel",
        baseline_median_s=statistics.median(tb) if tb else math.nan,
        baseline_p90_s=float(np.percentile(tb, 90)) if tb else math.nan,
        note=note,
        iterations=plan.iterations,
    )


def _interleaved_cpu(
    calls: list, repeats: list[int]
) -> tuple[list[list[float]], list[list[float]], list[ScvxPlan]]:
    """Wall and CPU seconds of ``repeats[i]`` calls of each ``calls[i]``, round-robin after one
    untimed call of each; and each call's last plan."""
    plans = [call() for call in calls]
    wall: list[list[float]] = [[] for _ in calls]
    cpu: list[list[float]] = [[] for _ in calls]
    for i in range(max(repeats)):
        for k, call in enumerate(calls):
            if i < repeats[k]:
                t0, c0 = time.perf_counter(), time.process_time()
                plans[k] = call()
                cpu[k].append(time.process_time() - c0)
                wall[k].append(time.perf_counter() - t0)
    return wall, cpu, plans


def _interleaved(fast, base, repeats: int, baseline_repeats: int) -> tuple[list, list, ScvxPlan]:
    """Seconds of ``repeats`` calls of ``fast`` and ``baseline_repeats`` of ``base``, called
    alternately after one untimed call of each; and the fast path's last plan."""
    plan = fast()
    base()
    tf, tb = [], []
    for i in range(repeats):
        t0 = time.perf_counter()
        plan = fast()
        tf.append(time.perf_counter() - t0)
        if i < baseline_repeats:
            t0 = time.perf_counter()
            base()
            tb.append(time.perf_counter() - t0)
    return tf, tb, plan


def replan_case(
    elapsed: float = 0.5, offset: float = 0.02
) -> tuple[SixDofProblem, tuple[np.ndarray, np.ndarray, float], ScvxSettings]:
    """A re-plan of the published problem as the loop makes one: the published PTR plan flown
    for ``elapsed`` (nondimensional time, about an eighth of the flight), the state there moved
    by ``offset`` in each position and velocity component (navigation error, disturbances), and
    the warm start the loop gives (``scvx_guidance``): the rest of the plan resampled on the
    nodes, with its time to go.

    Returns
    -------
    problem, guess (xs, us, sigma), settings
    """
    prob = published_problem()
    st = published_settings("ptr")
    plan = solve(prob, st)
    nodes = plan.t_s.size
    samples = [plan.sample(t) for t in np.linspace(elapsed, plan.tf_s, nodes)]
    xs = np.array(
        [
            np.concatenate(([p.mass_kg], p.r_uen_m, p.v_uen_mps, p.quat_uen, p.rate_body_rps))
            for p in samples
        ]
    )
    us = np.array([p.thrust_body_n for p in samples])
    x0 = xs[0].copy()
    x0[1:7] += offset
    togo = plan.tf_s - elapsed
    again = dataclasses.replace(prob, x_init=x0, tf_guess=togo)
    return again, (xs, us, togo), st


def warm_replan(repeats: int = 10, baseline_repeats: int = 5) -> ScvxTiming:
    """A warm-started re-plan (``replan_case``) against the same re-plan from the cold start
    (the straight-line guess), in one run.

    Parameters
    ----------
    repeats, baseline_repeats : timed solves of each.
    """
    prob, guess, st = replan_case()
    tf, tb, plan = _interleaved(
        lambda: solve(prob, st, guess=guess), lambda: solve(prob, st), repeats, baseline_repeats
    )
    cold = solve(prob, st)
    return ScvxTiming(
        case="6-DoF PTR re-plan, published problem, warm-started from the last plan",
        median_s=statistics.median(tf),
        p90_s=float(np.percentile(tf, 90)),
        baseline="the same re-plan from a cold start",
        baseline_median_s=statistics.median(tb),
        baseline_p90_s=float(np.percentile(tb, 90)),
        note=f"{plan.status.value}, {time_breakdown(plan)}; cold: {cold.iterations} iterations",
        iterations=plan.iterations,
    )

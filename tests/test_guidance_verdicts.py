"""What a guidance solve's status may claim (issue #14, "Solver verdicts").

* Only a proof says INFEASIBLE: the interior-point method's certificate, Clarabel's
  PrimalInfeasible (or AlmostPrimalInfeasible, its certificate to the reduced tolerance at which
  AlmostSolved is accepted), or the vertical-motion certificate. A solver that stops without an
  answer (numerical trouble, iteration limit, insufficient progress) gives SOLVER_ERROR, in the
  fast path, in the CVXPY reference and in the time-of-flight search.
* No answer depends on what was solved before: the CVXPY reference solves A, then B, then A again
  and gets A's plan bit for bit.
* ``LandingPlan.relaxation_gap`` looks only at nodes whose thrust acts: under a zero-order hold
  the last node's u and sigma act on nothing and are not counted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from boostback.guidance.conic import ConicSolver, _Run
from boostback.guidance.ipm import KktShape
from boostback.guidance.lcvx import LcvxSolver
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem
from boostback.guidance.search import solve_free_time
from mars_lander import mars_lander, random_instance

NODES = 30


def mars_case(cross_range_mps: float) -> LandingProblem:
    """Acikmese & Ploen's case 1 (0 m/s cross range) and Blackmore's case 2 (40 m/s)."""
    return mars_lander(
        [2000.0, 0.0, 1500.0], [100.0, cross_range_mps, -75.0], glide_slope_rad=math.radians(4.0)
    )


# --- Only a proof says infeasible ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        ("PrimalInfeasible", PlanStatus.INFEASIBLE),
        ("AlmostPrimalInfeasible", PlanStatus.INFEASIBLE),
        ("NumericalError", PlanStatus.SOLVER_ERROR),
        ("InsufficientProgress", PlanStatus.SOLVER_ERROR),
        ("MaxIterations", PlanStatus.SOLVER_ERROR),
        ("MaxTime", PlanStatus.SOLVER_ERROR),
        ("DualInfeasible", PlanStatus.SOLVER_ERROR),
    ],
)
def test_fast_path_maps_each_stop_without_a_solution(
    monkeypatch: pytest.MonkeyPatch, status: str, verdict: PlanStatus
) -> None:
    """Every way a solve can end without x, on a feasible instance: only a certificate is
    reported as infeasible."""
    solver = ConicSolver(NODES)
    real_run = ConicSolver._run

    def stopped(self, mode, n_vert, glide, d, err_max):  # type: ignore[no-untyped-def]
        run = real_run(self, mode, n_vert, glide, d, err_max)
        return _Run(status, run.st)

    monkeypatch.setattr(ConicSolver, "_run", stopped)
    plan = solver.solve(mars_case(0.0), 78.0)
    assert plan.status is verdict, plan.message
    assert status in plan.message


def test_clarabel_out_of_iterations_on_a_feasible_problem_is_a_solver_error() -> None:
    """A real numerical stop, not a mocked one: Clarabel allowed 3 iterations on the feasible
    Mars case 1 stops with MaxIterations. The fast path used to call that infeasible."""
    prob = mars_case(0.0)
    assert ConicSolver(NODES, solver="clarabel").solve(prob, 78.0).status is PlanStatus.OPTIMAL
    starved = ConicSolver(NODES, solver="clarabel")
    starved.settings.max_iter = 3
    plan = starved.solve(prob, 78.0)
    assert plan.status is PlanStatus.SOLVER_ERROR
    assert "MaxIterations" in plan.message


def test_ipm_and_fallback_both_failing_is_a_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interior-point method stops at its iteration limit and hands over to Clarabel, which
    fails too: a solver error, not a verdict on the landing."""
    real_solve = KktShape.solve

    def short(self, data, b, c, **kw):  # type: ignore[no-untyped-def]
        kw["max_iter"] = 2
        return real_solve(self, data, b, c, **kw)

    monkeypatch.setattr(KktShape, "solve", short)
    solver = ConicSolver(NODES)
    solver.settings.max_iter = 3
    plan = solver.solve(mars_case(0.0), 78.0)
    assert solver.last_solver == "IPM+Clarabel"
    assert plan.status is PlanStatus.SOLVER_ERROR


def test_certificates_still_say_infeasible() -> None:
    """Case 2's pinpoint landing is infeasible at every time of flight: proved by the
    interior-point method's certificate, by Clarabel's, and for a far too short time of flight
    by the vertical motion alone (no solve)."""
    prob = mars_case(40.0)
    ipm = ConicSolver(NODES)
    plan = ipm.solve(prob, 77.6)
    assert plan.status is PlanStatus.INFEASIBLE
    assert ipm.last_solver == "IPM" and ipm.ipm_fallbacks == 0
    assert ConicSolver(NODES, solver="clarabel").solve(prob, 77.6).status is PlanStatus.INFEASIBLE
    assert LcvxSolver(NODES).solve(prob, 77.6).status is PlanStatus.INFEASIBLE
    short = ipm.solve(prob, 5.0)
    assert short.status is PlanStatus.INFEASIBLE and short.solves == 0
    assert "vertical" in short.message


def test_reference_solver_failure_is_a_solver_error() -> None:
    """The CVXPY reference with Clarabel allowed 3 iterations: a solver error, not infeasible."""
    plan = LcvxSolver(NODES, solver="CLARABEL").solve(mars_case(0.0), 78.0)
    assert plan.status is PlanStatus.OPTIMAL
    starved = LcvxSolver(NODES, solver="CLARABEL")
    starved.options = {"max_iter": 3}
    assert starved.solve(mars_case(0.0), 78.0).status is PlanStatus.SOLVER_ERROR


class _Broken:
    """A back end whose every solve ends in a solver error."""

    nodes = NODES

    def solve(self, prob, tf_s, mode="fuel", *, error_bound_m=0.0, disturbance_enu_mps2=None):  # type: ignore[no-untyped-def]
        return LandingPlan.failed(PlanStatus.SOLVER_ERROR, "solver status NumericalError", 1, 0.0)


def test_search_with_only_solver_errors_does_not_claim_infeasibility() -> None:
    plan = solve_free_time(_Broken(), mars_case(0.0))  # type: ignore[arg-type]
    assert plan.status is PlanStatus.SOLVER_ERROR
    assert "solver error" in plan.message
    assert "no soft landing for any" not in plan.message


def test_search_still_proves_an_unreachable_pad_infeasible() -> None:
    """Without solver errors the search's verdicts are unchanged."""
    plan = solve_free_time(ConicSolver(NODES), mars_case(40.0), allow_min_error=False)
    assert plan.status is PlanStatus.INFEASIBLE
    assert "unreachable" in plan.message


# --- No answer depends on what was solved before ------------------------------------------------


def _instances() -> list[tuple[str, LandingProblem, float, str]]:
    rng = np.random.default_rng(7)
    rand, tf = random_instance(rng)
    return [
        ("case 1", mars_case(0.0), 78.0, "fuel"),
        ("case 2 pinpoint (infeasible)", mars_case(40.0), 77.6, "fuel"),
        ("case 2 minimum error", mars_case(40.0), 77.6, "error"),
        ("random", rand, tf, "fuel"),
        ("random, too short (infeasible)", rand, 0.45 * tf, "fuel"),
    ]


def _same(a: LandingPlan, b: LandingPlan) -> bool:
    if a.status != b.status or a.message != b.message:
        return False
    fields = ("t_s", "r_enu_m", "v_enu_mps", "mass_kg", "accel_enu_mps2", "sigma_mps2")
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in fields) and (
        a.landing_error_m == b.landing_error_m
        or (math.isnan(a.landing_error_m) and math.isnan(b.landing_error_m))
    )


@pytest.mark.parametrize("discretization", ["foh", "zoh"])
def test_reference_solve_a_then_b_then_a_gives_a_again(discretization: str) -> None:
    """Each instance A solved first, then every other instance B, then A again on the same
    solver: A's plan and status are identical, bit for bit (with CVXPY's warm start the solver
    object of the previous solve was reused and its plans moved by up to 1e-6 of the mass)."""
    cases = _instances()
    statuses = set()
    for i, (name, prob_a, tf_a, mode_a) in enumerate(cases):
        solver = LcvxSolver(NODES, discretization=discretization)
        first = solver.solve(prob_a, tf_a, mode_a)
        statuses.add(first.status)
        for j, (_, prob_b, tf_b, mode_b) in enumerate(cases):
            if j != i:
                solver.solve(prob_b, tf_b, mode_b)
        again = solver.solve(prob_a, tf_a, mode_a)
        assert _same(first, again), (name, first.status, again.status)
        # and the same as a solver that never saw anything else
        assert _same(
            first, LcvxSolver(NODES, discretization=discretization).solve(prob_a, tf_a, mode_a)
        ), name
    assert {PlanStatus.OPTIMAL, PlanStatus.INFEASIBLE, PlanStatus.MIN_ERROR} <= statuses


def test_fast_path_clarabel_with_tolerances_does_not_carry_equilibration() -> None:
    """``ConicSolver(tol=...)`` turns Clarabel's equilibration on; the kept solver's update()
    would keep the first problem's scaling, so with it on each solve sets up afresh."""
    cases = _instances()
    name, prob_a, tf_a, mode_a = cases[0]
    solver = ConicSolver(NODES, solver="clarabel", tol=1e-11)
    first = solver.solve(prob_a, tf_a, mode_a)
    for _, prob_b, tf_b, mode_b in cases[1:]:
        solver.solve(prob_b, tf_b, mode_b)
    assert _same(first, solver.solve(prob_a, tf_a, mode_a)), name


# --- The relaxation gap counts the nodes where thrust acts -------------------------------------


@pytest.mark.parametrize("backend", [LcvxSolver, ConicSolver])
def test_relaxation_gap_of_a_zero_order_hold_plan_skips_the_last_node(backend: type) -> None:
    """Mars case 1, ZOH at N = 50 (the papers' discretisation): the relaxation is lossless to
    ~5e-9 at every node whose thrust acts. The last node's sigma - |u| is arbitrary (0.5-0.7 here)
    and used to be reported as the gap."""
    plan = solve_free_time(backend(50, discretization="zoh"), mars_case(0.0), tol_s=0.02)
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.discretization == "zoh"
    assert plan.relaxation_gap < 1e-6
    norm_u = np.linalg.norm(plan.accel_enu_mps2, axis=1)
    every_node = np.max((plan.sigma_mps2 - norm_u) / plan.sigma_mps2)
    assert plan.relaxation_gap <= every_node  # the last node is the one left out


@pytest.mark.parametrize("backend", [LcvxSolver, ConicSolver])
def test_first_order_hold_plan_counts_every_node(backend: type) -> None:
    plan = solve_free_time(backend(50), mars_case(0.0), tol_s=0.05)
    assert plan.discretization == "foh"
    assert plan.relaxation_gap < 1e-6
    # a loose last node counts under the first-order hold, where its thrust acts
    sigma = plan.sigma_mps2.copy()
    sigma[-1] *= 2.0
    loose = LandingPlan(**{**plan.__dict__, "sigma_mps2": sigma})
    assert loose.relaxation_gap == pytest.approx(0.5, rel=1e-6)
    assert LandingPlan(**{**loose.__dict__, "discretization": "zoh"}).relaxation_gap < 1e-6


def test_plan_rejects_an_unknown_hold() -> None:
    plan = LandingPlan.failed(PlanStatus.INFEASIBLE, "", 0, 0.0)
    with pytest.raises(ValueError, match="discretization"):
        LandingPlan(**{**plan.__dict__, "discretization": "spline"})

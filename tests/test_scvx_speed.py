"""What the speed work on SCvx/PTR (issue #17) may not change: the answers.

The subproblems are solved to ``ScvxSettings.solver_tol`` (1e-6) rather than Clarabel's 1e-8,
and the bench's warm re-plan (``guidance.scvx.bench.replan_case``) must be a re-plan that lands
where the problem says. No test here times anything.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from boostback.guidance.scvx import ScvxSettings, ScvxStatus, solve
from boostback.guidance.scvx.bench import replan_case
from boostback.guidance.scvx.discretize import propagate
from boostback.guidance.scvx.published import published_problem, published_settings


@pytest.mark.parametrize("tol", [0.0, -1e-6, 1e-2, float("nan")])
def test_a_solver_tolerance_out_of_range_is_refused(tol: float) -> None:
    with pytest.raises(ValueError, match="solver_tol"):
        ScvxSettings(solver_tol=tol)


def test_the_looser_subproblem_tolerance_keeps_the_published_answer() -> None:
    # Every stopping test of PTR sits at 1e-3 (steps) or 1e-7 (virtual control): subproblems
    # solved to 1e-6 instead of 1e-8 may move the answer by no more than the loop's own
    # resolution, far inside the acceptance's 0.5 % on t_f and 1 % on fuel.
    prob = published_problem()
    st = published_settings("ptr")
    loose = solve(prob, st)
    tight = solve(prob, dataclasses.replace(st, solver_tol=1e-8))
    assert loose.status is ScvxStatus.CONVERGED and tight.status is ScvxStatus.CONVERGED
    assert loose.iterations <= tight.iterations + 1
    assert loose.tf_s == pytest.approx(tight.tf_s, rel=1e-4)
    assert loose.propellant_kg == pytest.approx(tight.propellant_kg, rel=1e-4)
    fewer = sum(r.solver_iterations for r in loose.history)
    assert fewer <= sum(r.solver_iterations for r in tight.history)


def test_the_cvxpy_baseline_solves_to_the_same_tolerance() -> None:
    # The bench's baseline is the same algorithm: same subproblems, same solver tolerance, so
    # the same iterates to the solver's accuracy.
    prob = published_problem()
    st = published_settings("ptr")
    fast = solve(prob, st)
    base = solve(prob, dataclasses.replace(st, backend="cvxpy"))
    assert base.status is ScvxStatus.CONVERGED, base.message
    assert base.iterations == fast.iterations
    assert base.tf_s == pytest.approx(fast.tf_s, rel=1e-4)


def test_the_warm_replan_lands_from_the_moved_state() -> None:
    prob, guess, st = replan_case()
    warm = solve(prob, st, guess=guess)
    assert warm.status is ScvxStatus.CONVERGED, warm.message
    assert warm.iterations <= st.max_iterations
    np.testing.assert_allclose(warm.x[0, 1:7], prob.x_init[1:7], atol=1e-9)
    # flown through the nonlinear dynamics (finer steps than the solver's), it ends on target
    flown = propagate(warm.x[0], warm.u_body_n, warm.tf_s, prob.params, substeps=8)
    fixed = ~prob.final_free
    assert np.max(np.abs(flown[-1, fixed] - prob.x_final[fixed])) < 1e-3
    # the state moved: the re-plan starts elsewhere than the plan it was warm-started from
    assert np.max(np.abs(guess[0][0, 1:7] - prob.x_init[1:7])) == pytest.approx(0.02)


def test_the_bench_rows_run_and_say_what_they_timed() -> None:
    # make bench's rows (boostback.bench.scvx_rows) read these fields; no time is asserted
    from boostback.guidance.scvx.bench import warm_replan

    row = warm_replan(repeats=1, baseline_repeats=1)
    assert row.median_s > 0.0 and row.baseline_median_s > 0.0
    assert row.p90_s >= row.median_s
    assert 0 < row.iterations <= published_settings("ptr").max_iterations
    assert row.note.startswith("converged")

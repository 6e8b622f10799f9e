"""Property tests for the free-final-time lossless-convexification landing guidance.

Random initial states of the Mars lander of Acikmese & Ploen (2007) with a 60 deg pointing limit
and a 4 deg glide slope: every plan found must satisfy the constraints at every node, land on the
target at the planned touchdown velocity, and obey the discretised dynamics it was planned with.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from boostback.guidance.lcvx import LcvxSolver
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem
from boostback.guidance.search import PINPOINT_TOLERANCE_M, solve_free_time
from mars_lander import G_ENU_MPS2, M0_KG, M_DRY_KG, RHO1_N, RHO2_N, mars_lander

NODES = 30
M0, M_DRY = M0_KG, M_DRY_KG
RHO1, RHO2 = RHO1_N, RHO2_N
G = G_ENU_MPS2
TILT = math.radians(60.0)
GLIDE = math.radians(4.0)

# Problems are compiled once per mode and reused (DPP), which keeps each free-time solve ~0.25 s.
SOLVER = LcvxSolver(NODES)
PROPERTY = settings(max_examples=25, deadline=None)


def lander_problem(
    r0: np.ndarray,
    v0: np.ndarray,
    target: np.ndarray | None = None,
    touchdown_speed: float = 0.0,
) -> LandingProblem:
    return mars_lander(
        r0,
        v0,
        max_tilt_rad=TILT,
        glide_slope_rad=GLIDE,
        target_enu_m=np.zeros(3) if target is None else target,
        touchdown_speed_mps=touchdown_speed,
    )


@st.composite
def feasible_problems(draw: st.DrawFn) -> LandingProblem:
    """Altitude 1000-2500 m, 0-1500 m from the target, |v_h| per axis <= 60 m/s, v_z -80..-20.

    The corner of that box with 1000 m and -80 m/s cannot stop in time (it gets a minimum-error
    plan), so the floor of the altitude rises 12 m per m/s of descent beyond 60 m/s.
    """
    vz = draw(st.floats(-80.0, -20.0))
    alt = draw(st.floats(1000.0 + 12.0 * max(0.0, -vz - 60.0), 2500.0))
    dist = draw(st.floats(0.0, 1500.0))
    azimuth = draw(st.floats(0.0, 2.0 * math.pi))
    vx, vy = draw(st.floats(-60.0, 60.0)), draw(st.floats(-60.0, 60.0))
    target = np.array([draw(st.floats(-100.0, 100.0)), draw(st.floats(-100.0, 100.0)), 0.0])
    r0 = target + np.array([dist * math.cos(azimuth), dist * math.sin(azimuth), alt])
    touchdown_speed = draw(st.sampled_from([0.0, 0.5, 2.0]))
    return lander_problem(r0, np.array([vx, vy, vz]), target, touchdown_speed)


def slack_gap(plan: LandingPlan) -> np.ndarray:
    """sigma_k - |u_k|, relative to max(sigma): zero where the relaxation is tight."""
    u = np.linalg.norm(plan.accel_enu_mps2, axis=1)
    return (plan.sigma_mps2 - u) / plan.sigma_mps2.max()


# Solver accuracy: Clarabel's default tolerances leave ~1e-6 relative errors in the harder
# minimum-landing-error plans (e.g. final mass 3 g under the dry mass, thrust 3e-6 over rho2).
REL = 1e-5
# |u| = sigma up to this fraction of max(sigma) counts as tight (13 N at full thrust).
TIGHT = 1e-3


def check_plan_constraints(plan: LandingPlan, prob: LandingProblem) -> None:
    """Everything the convex problem guarantees at every node, whether or not it is lossless."""
    n = NODES
    r, v, u, s, m = (
        plan.r_enu_m,
        plan.v_enu_mps,
        plan.accel_enu_mps2,
        plan.sigma_mps2,
        plan.mass_kg,
    )
    assert r.shape == v.shape == u.shape == (n + 1, 3)
    assert s.shape == m.shape == plan.t_s.shape == (n + 1,)
    dt = plan.tf_s / n
    np.testing.assert_allclose(plan.t_s, np.linspace(0.0, plan.tf_s, n + 1))
    lo, hi = prob.tf_bounds_s()
    assert lo - 1e-9 <= plan.tf_s <= hi + 1e-9

    # Initial state, and the discrete dynamics (first-order hold on u, exact integration).
    np.testing.assert_allclose(r[0], prob.r0_enu_m, atol=1e-5)
    np.testing.assert_allclose(v[0], prob.v0_enu_mps, atol=1e-5)
    assert m[0] == pytest.approx(prob.m0_kg, rel=REL)
    v_next = v[:-1] + 0.5 * dt * (u[:-1] + u[1:]) + dt * prob.g_enu_mps2
    np.testing.assert_allclose(v[1:], v_next, atol=1e-5)
    r_next = (
        r[:-1]
        + dt * v[:-1]
        + dt * dt / 3 * u[:-1]
        + dt * dt / 6 * u[1:]
        + 0.5 * dt * dt * prob.g_enu_mps2
    )
    np.testing.assert_allclose(r[1:], r_next, atol=1e-5)
    dlog_m = -0.5 * prob.alpha_s_per_m * dt * (s[:-1] + s[1:])
    np.testing.assert_allclose(np.diff(np.log(m)), dlog_m, atol=REL)
    assert np.all(np.diff(m) <= 1e-9)
    assert m[-1] >= prob.m_dry_kg * (1 - REL)

    # Thrust bounds on the convex slack: the Taylor bounds are conservative, so they hold exactly.
    thrust_sigma = s * m
    assert np.all(thrust_sigma >= prob.thrust_min_n * (1 - REL))
    assert np.all(thrust_sigma <= prob.thrust_max_n * (1 + REL))
    gap = slack_gap(plan)
    assert np.all(gap >= -REL)  # |u| <= sigma
    assert np.all(plan.thrust_n <= prob.thrust_max_n * (1 + REL))

    # Pointing: the thrust vector within the tilt limit of vertical.
    unorm = np.linalg.norm(u, axis=1)
    tilt = np.arccos(np.clip(u[:, 2] / unorm, -1.0, 1.0))
    assert np.all(tilt <= prob.max_tilt_rad + 1e-4)

    # Glide slope: every node (away from the landing point) seen from it at >= 4 deg elevation.
    d = r - r[-1]
    far = np.linalg.norm(d, axis=1) > 1.0
    elevation = np.arctan2(d[far, 2], np.linalg.norm(d[far, :2], axis=1))
    assert np.all(elevation >= prob.glide_slope_rad - 1e-5)

    # Touchdown: on the ground at the planned vertical speed, nothing sideways.
    assert r[-1, 2] == pytest.approx(prob.target_enu_m[2], abs=1e-5)
    np.testing.assert_allclose(v[-1], [0.0, 0.0, -prob.touchdown_speed_mps], atol=1e-5)


@PROPERTY
@given(prob=feasible_problems())
def test_feasible_plans_satisfy_every_constraint(prob: LandingProblem) -> None:
    plan = solve_free_time(SOLVER, prob)
    assert plan.status == PlanStatus.OPTIMAL, plan.message
    check_plan_constraints(plan, prob)
    assert np.linalg.norm(plan.r_enu_m[-1] - prob.target_enu_m) <= 0.1
    assert plan.landing_error_m <= 0.1

    # Lossless convexification would make |u| = sigma, so the real thrust |u| m lies in
    # [rho1, rho2]. Away from the minimum-thrust floor it does, to solver accuracy (gaps ~1e-9 of
    # max(sigma) typically). On the floor some plans (~10 % of these draws) are not tight at all
    # (see the xfail test below): there |u| drops as low as cos(tilt) sigma.
    gap = slack_gap(plan)
    tight = gap <= TIGHT
    on_floor = plan.sigma_mps2 * plan.mass_kg <= RHO1 * (1 + 1e-3)
    assert np.all(tight | on_floor), np.nonzero(~tight)[0]
    # Where tight, the thrust is at least rho1 less the tolerance (13 N, 2.7e-3 rho1, at most).
    lowest = RHO1 - TIGHT * plan.sigma_mps2.max() * plan.mass_kg
    assert np.all(plan.thrust_n[tight] >= lowest[tight])
    loose = int(np.count_nonzero(~tight))
    event(f"relaxation not tight at {loose} node(s)" if loose else "relaxation tight")


@pytest.mark.xfail(
    strict=True,
    reason="src limitation: the relaxation is not lossless when the vehicle would rather coast: "
    "straight above the pad, descending slowly, the plan has |u| = cos(60 deg) sigma at nodes "
    "0-7, i.e. 2486 N of thrust, half of the engine's minimum rho1 = 4972 N",
)
def test_relaxation_is_tight_at_every_node_of_a_slow_descent() -> None:
    prob = lander_problem(np.array([0.0, 0.0, 2500.0]), np.array([0.0, 0.0, -20.0]))
    plan = solve_free_time(SOLVER, prob)
    assert plan.status == PlanStatus.OPTIMAL
    check_plan_constraints(plan, prob)  # the convex problem's own constraints all hold ...
    assert np.all(slack_gap(plan) <= TIGHT)  # ... but |u_k| = sigma_k / 2 at nodes 0-7
    assert np.all(plan.thrust_n >= RHO1 * (1 - 1e-3))


@st.composite
def crossrange_problems(draw: st.DrawFn) -> LandingProblem:
    """The same box of states plus 250-400 m/s across the line to the pad: no pinpoint landing."""
    vz = draw(st.floats(-80.0, -20.0))
    alt = draw(st.floats(1000.0, 2500.0))
    dist = draw(st.floats(0.0, 1500.0))
    vx = draw(st.floats(-60.0, 60.0))
    vy = draw(st.sampled_from([-1.0, 1.0])) * draw(st.floats(250.0, 400.0))
    return lander_problem(np.array([dist, 0.0, alt]), np.array([vx, vy, vz]))


@PROPERTY
@given(prob=crossrange_problems())
def test_unreachable_target_returns_status_not_exception(prob: LandingProblem) -> None:
    plan = solve_free_time(SOLVER, prob)
    event(str(plan.status))
    assert plan.status in (PlanStatus.MIN_ERROR, PlanStatus.INFEASIBLE)
    assert plan.message
    assert plan.solves > 0
    if plan.status == PlanStatus.MIN_ERROR:
        assert "unreachable" in plan.message
        check_plan_constraints(plan, prob)
        assert plan.landing_error_m > PINPOINT_TOLERANCE_M
        err = np.linalg.norm(plan.r_enu_m[-1, :2] - prob.target_enu_m[:2])
        assert plan.landing_error_m == pytest.approx(err, rel=1e-9)
    else:
        assert not plan.feasible
        assert plan.r_enu_m.shape == (0, 3) and math.isnan(plan.tf_s)


def test_unreachable_target_without_min_error_fallback_is_infeasible() -> None:
    prob = lander_problem(np.array([500.0, 0.0, 2000.0]), np.array([0.0, 300.0, -40.0]))
    plan = solve_free_time(SOLVER, prob, allow_min_error=False)
    assert plan.status == PlanStatus.INFEASIBLE
    assert "target unreachable" in plan.message

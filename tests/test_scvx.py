"""6-DoF successive convexification (issue #17): the published test problem (Szmuk & Acikmese
2018 as EmbersArc implements it), the plan checked against the nonlinear dynamics by an
independent integrator, constraint satisfaction, statuses, determinism, the conic assembly
against CVXPY, and the Falcon 9 landing burn.

Expected values come from outside this code: the published t_f and propellant (issue #17),
finite differences, scipy's integrator, CVXPY's own canonicalisation, the problem's limits.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from boostback.dynamics import rigid_state as rs
from boostback.guidance.scvx import ScvxStatus, initial_guess, solve
from boostback.guidance.scvx.discretize import discretize
from boostback.guidance.scvx.dynamics import A_COLS, A_ROWS, jacobians, pack_params, rhs
from boostback.guidance.scvx.falcon9 import falcon9_problem, falcon9_scales
from boostback.guidance.scvx.frames import (
    ENU_FROM_UEN,
    Q_ENU_FROM_UEN,
    rigid_from_scvx,
    scvx_from_rigid,
)
from boostback.guidance.scvx.problem import trust_units
from boostback.guidance.scvx.published import (
    REFERENCE_FUEL,
    REFERENCE_TF,
    published_problem,
    published_settings,
)
from boostback.guidance.scvx.subproblem import ConicSubproblem

# ---------------------------------------------------------------- kernels and conventions


def _random_point(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    inertia = np.array([[1.0, 0.1, 0.0], [0.1, 2.0, 0.2], [0.0, 0.2, 3.0]]) * 0.01
    p = pack_params(0.01, np.array([-1.0, 0.0, 0.0]), rng.normal(size=3) * 0.01, inertia)
    x = rng.normal(size=14)
    x[0] = 1.5
    return x, rng.normal(size=3), p


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_jacobians_match_central_differences(seed: int) -> None:
    x, u, p = _random_point(seed)
    a, b = np.zeros((14, 14)), np.zeros((14, 3))
    jacobians(x, u, p, a, b)
    eps = 1e-6

    def f(xx: np.ndarray, uu: np.ndarray) -> np.ndarray:
        out = np.zeros(14)
        rhs(xx, uu, p, out)
        return out

    a_fd = np.column_stack(
        [(f(x + eps * e, u) - f(x - eps * e, u)) / (2 * eps) for e in np.eye(14)]
    )
    b_fd = np.column_stack([(f(x, u + eps * e) - f(x, u - eps * e)) / (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(a, a_fd, atol=1e-8)
    np.testing.assert_allclose(b, b_fd, atol=1e-8)
    pattern = np.zeros((14, 14), dtype=bool)
    pattern[A_ROWS, A_COLS] = True
    assert not np.any(a_fd[~pattern])  # the structural pattern holds every nonzero


def test_discretisation_is_the_flows_linearisation() -> None:
    prob = published_problem()
    xs, us, sigma = initial_guess(prob, 12)
    rng = np.random.default_rng(3)
    xs = xs + 0.05 * rng.normal(size=xs.shape)
    p = prob.params
    d = discretize(xs, us, sigma, p, 4)
    # at the reference the affine model gives exactly the state the interval reaches
    lin = (
        np.einsum("kij,kj->ki", d.a, xs[:-1])
        + np.einsum("kij,kj->ki", d.b_minus, us[:-1])
        + np.einsum("kij,kj->ki", d.b_plus, us[1:])
        + d.s * sigma
        + d.z
    )
    np.testing.assert_allclose(lin, d.reached, atol=1e-12)
    # and its matrices are the derivatives of that state (central differences)
    k, eps = 4, 1e-6
    for j in (0, 5, 8, 12):
        hi, lo = xs.copy(), xs.copy()
        hi[k, j] += eps
        lo[k, j] -= eps
        fd = discretize(hi, us, sigma, p, 4).reached[k] - discretize(lo, us, sigma, p, 4).reached[k]
        np.testing.assert_allclose(fd / (2 * eps), d.a[k][:, j], atol=1e-7)
    fd = (
        discretize(xs, us, sigma + eps, p, 4).reached
        - discretize(xs, us, sigma - eps, p, 4).reached
    )
    np.testing.assert_allclose(fd / (2 * eps), d.s, atol=1e-7)


def test_frames_conversion() -> None:
    q0, q1, q2, q3 = Q_ENU_FROM_UEN
    rot = np.array(
        [
            [1 - 2 * (q2 * q2 + q3 * q3), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2)],
            [2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1 * q1 + q3 * q3), 2 * (q2 * q3 - q0 * q1)],
            [2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), 1 - 2 * (q1 * q1 + q2 * q2)],
        ]
    )
    np.testing.assert_allclose(rot, ENU_FROM_UEN, atol=1e-15)
    x = np.arange(14, dtype=float) + 1.0
    x[7:11] /= np.linalg.norm(x[7:11])
    rigid = rigid_from_scvx(x)
    assert rigid[rs.MASS] == x[0]
    assert rigid[rs.POS][2] == x[1]  # up is the literature's first axis
    np.testing.assert_allclose(scvx_from_rigid(rigid), x, atol=1e-14)


# ---------------------------------------------------------------- the published problem


def _propagate(plan) -> np.ndarray:
    """The plan's first-order-hold thrust flown through the nonlinear dynamics from its first
    node by scipy (DOP853, tight tolerances): independent of the solver's RK4."""
    p = plan.problem.params
    t, u_nodes = plan.t_s, plan.u_body_n

    def f(tt: float, x: np.ndarray) -> np.ndarray:
        i = min(max(int(np.searchsorted(t, tt, side="right")) - 1, 0), len(t) - 2)
        w = (tt - t[i]) / (t[i + 1] - t[i])
        out = np.zeros(14)
        rhs(x, (1 - w) * u_nodes[i] + w * u_nodes[i + 1], p, out)
        return out

    sol = solve_ivp(f, (0.0, t[-1]), plan.x[0], method="DOP853", rtol=1e-11, atol=1e-12, t_eval=t)
    return sol.y.T


@pytest.fixture(scope="module")
def ptr_plan():
    return solve(published_problem(), published_settings("ptr"))


@pytest.fixture(scope="module")
def scvx_plan():
    return solve(published_problem(), published_settings("scvx"))


def test_ptr_reproduces_the_published_answer(ptr_plan) -> None:
    assert ptr_plan.status is ScvxStatus.CONVERGED, ptr_plan.message
    assert ptr_plan.iterations <= 20
    assert ptr_plan.tf_s == pytest.approx(REFERENCE_TF, rel=0.005)
    assert ptr_plan.propellant_kg == pytest.approx(REFERENCE_FUEL, rel=0.01)


def test_scvx_converges_no_worse_than_the_published_optimum(scvx_plan) -> None:
    # The problem has several local optima: cold-started SCvx reaches a shorter flight than
    # the published (PTR) one. It must not be a longer one, and it must take no more than the
    # issue's 20 iterations.
    assert scvx_plan.status is ScvxStatus.CONVERGED, scvx_plan.message
    assert scvx_plan.iterations <= 20
    assert scvx_plan.tf_s <= REFERENCE_TF * 1.005


def test_the_published_answer_is_a_stationary_point_of_scvx(ptr_plan) -> None:
    guess = (ptr_plan.x, ptr_plan.u_body_n, ptr_plan.tf_s)
    plan = solve(published_problem(), published_settings("scvx"), guess=guess)
    assert plan.status is ScvxStatus.CONVERGED, plan.message
    assert plan.tf_s == pytest.approx(REFERENCE_TF, rel=0.005)
    assert plan.propellant_kg == pytest.approx(REFERENCE_FUEL, rel=0.01)


@pytest.mark.parametrize("which", ["ptr_plan", "scvx_plan"])
def test_plan_survives_propagation(which: str, request: pytest.FixtureRequest) -> None:
    plan = request.getfixturevalue(which)
    xs = _propagate(plan)
    prob = plan.problem
    fixed = ~prob.final_free
    assert np.max(np.abs(xs[-1, fixed] - prob.x_final[fixed])) < 1e-3
    assert np.max(np.abs(xs - plan.x)) < 1e-3


@pytest.mark.parametrize("which", ["ptr_plan", "scvx_plan"])
def test_constraints_hold_at_every_node(which: str, request: pytest.FixtureRequest) -> None:
    plan = request.getfixturevalue(which)
    prob, x, u = plan.problem, plan.x, plan.u_body_n
    tol = 1e-6
    fixed0, fixedf = ~prob.init_free, ~prob.final_free
    np.testing.assert_allclose(x[0, fixed0], prob.x_init[fixed0], atol=tol)
    np.testing.assert_allclose(x[-1, fixedf], prob.x_final[fixedf], atol=tol)
    assert np.all(x[:, 0] >= prob.m_dry - tol)
    assert np.all(np.tan(prob.glide_slope_rad) * np.linalg.norm(x[:, 2:4], axis=1) <= x[:, 1] + tol)
    assert np.all(np.linalg.norm(x[:, 9:11], axis=1) <= prob.tilt_bound + tol)
    assert np.all(np.linalg.norm(x[:, 11:14], axis=1) <= prob.rate_max_rad + tol)
    thrust = np.linalg.norm(u, axis=1)
    assert np.all(thrust <= prob.thrust_max + tol)
    assert np.all(thrust >= prob.thrust_min - tol)  # the non-convex floor, on the plan itself
    gimbal = np.arctan2(np.linalg.norm(u[:, 1:3], axis=1), u[:, 0])
    assert np.all(gimbal <= prob.gimbal_max_rad + tol)
    assert np.allclose(u[-1, 1:3], 0.0, atol=tol)
    assert np.allclose(np.linalg.norm(x[:, 7:11], axis=1), 1.0, atol=1e-5)


def test_sampling_interpolates_the_hold(ptr_plan) -> None:
    k = 7
    mid = 0.5 * (ptr_plan.t_s[k] + ptr_plan.t_s[k + 1])
    s = ptr_plan.sample(mid)
    np.testing.assert_allclose(
        s.thrust_body_n, 0.5 * (ptr_plan.u_body_n[k] + ptr_plan.u_body_n[k + 1])
    )
    assert np.linalg.norm(s.quat_uen) == pytest.approx(1.0)
    end = ptr_plan.sample(1e9)
    np.testing.assert_allclose(end.r_uen_m, ptr_plan.x[-1, 1:4])


# ---------------------------------------------------------------- statuses and determinism


@pytest.mark.parametrize("method", ["scvx", "ptr"])
def test_thrust_below_weight_is_infeasible_not_an_exception(method: str) -> None:
    plan = solve(published_problem(thrust_max=1.5), published_settings(method))  # weight 2
    assert plan.status is ScvxStatus.INFEASIBLE, plan.message
    assert not plan.converged


def test_contradictory_boundary_is_an_infeasible_subproblem() -> None:
    x0 = published_problem().x_init.copy()
    x0[1:4] = (0.1, 4.0, 0.0)  # 0.1 up and 4 across: below the 20 deg glide slope
    prob = dataclasses.replace(published_problem(), x_init=x0)
    for method in ("scvx", "ptr"):
        plan = solve(prob, published_settings(method))
        assert plan.status is ScvxStatus.INFEASIBLE_SUBPROBLEM


def test_two_solves_give_identical_bits() -> None:
    a = solve(published_problem(), published_settings("ptr"))
    b = solve(published_problem(), published_settings("ptr"))
    assert a.iterations == b.iterations
    assert np.array_equal(a.x, b.x) and np.array_equal(a.u_body_n, b.u_body_n)
    assert a.tf_s == b.tf_s


# ---------------------------------------------------------------- conic data against CVXPY


@pytest.mark.parametrize("method", ["scvx", "ptr"])
def test_conic_subproblem_matches_cvxpy(method: str) -> None:
    from boostback.guidance.scvx.cvxpy_subproblem import CvxpySubproblem

    prob = published_problem()
    st = published_settings(method)
    xs, us, sigma = initial_guess(prob, st.nodes)
    d = discretize(xs, us, sigma, prob.params, st.substeps)
    trust = 1.0 if method == "scvx" else st.ptr_weight
    kwargs = dict(
        norm=st.virtual_norm,
        floor_buffer=st.floor_buffer,
        regularization=st.regularization if method == "scvx" else 0.0,
        units=trust_units(prob),  # per-component units of the trust region (SCvx)
    )
    conic = ConicSubproblem(prob, st.nodes, method, st.penalty, **kwargs)
    conic.assemble(xs, us, sigma, d, trust, st.ptr_weight_sigma)
    ref = CvxpySubproblem(prob, st.nodes, method, st.penalty, **kwargs)
    ref.assemble(xs, us, sigma, d, trust, st.ptr_weight_sigma)
    a, b = conic.solve(), ref.solve()
    assert a.status == "Solved" and b.status == "Solved"
    assert a.cost == pytest.approx(b.cost, rel=1e-6)
    assert a.sigma == pytest.approx(b.sigma, rel=1e-5)


# ---------------------------------------------------------------- Falcon 9


@pytest.mark.parametrize("method", ["ptr", "scvx"])
def test_falcon9_landing_burn_converges(method: str) -> None:
    prob = falcon9_problem()
    plan = solve(
        prob,
        dataclasses.replace(published_settings(method), max_iterations=40),
        scales=falcon9_scales(prob),
    )
    assert plan.status is ScvxStatus.CONVERGED, plan.message
    final = plan.rigid_states_enu()[-1]
    assert np.linalg.norm(final[rs.POS]) < 1e-3  # metres
    np.testing.assert_allclose(final[rs.VEL], (0.0, 0.0, -1.0), atol=1e-3)
    assert 0.0 < plan.propellant_kg < 9000.0
    xs = _propagate(plan)
    assert np.max(np.abs(xs[-1, 1:4])) < 1.0  # within a metre of the pad, flown by scipy


def test_trust_units_are_the_ranges_of_the_components() -> None:
    prob = published_problem()
    units = trust_units(prob)
    assert units.shape == (18,)
    assert units[0] == pytest.approx(1.0)  # 2 -> 1 of mass
    np.testing.assert_allclose(units[1:4], np.hypot(4.0, 4.0))  # r0 = (4, 4, 0)
    np.testing.assert_allclose(units[4:7], np.hypot(1.0, 2.0))  # v0 = (0, -1, -2)
    np.testing.assert_allclose(units[11:14], np.radians(60.0))
    np.testing.assert_allclose(units[14:17], 5.0)

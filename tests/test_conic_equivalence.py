"""The fast path (Clarabel called directly) solves the same problem as the CVXPY reference.

Issue: "on 200 random feasible instances the fast path's solution matches the reference CVXPY
formulation (propellant to 1e-6 relative, trajectory to 1e-4 of scale)".
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boostback.guidance.conic import ConicSolver
from boostback.guidance.conic_structure import _N_SCALARS, _Coeffs, _Layout, _Structure
from boostback.guidance.conic_velocity import velocity_residual
from boostback.guidance.discretize import discretize
from boostback.guidance.lcvx import LcvxSolver
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem
from mars_lander import mars_lander, random_instance

NODES = 30
# Fuel-optimal landings often have a whole face of optimal controls (singular arcs): at the
# default 1e-8 both solvers agree on the propellant to 1e-6 but may stop at points of that face up
# to ~1e-3 apart. Tight tolerances make both converge to the same point, which is what we compare.
TOL = 1e-11


@pytest.fixture(scope="module")
def solvers() -> tuple[LcvxSolver, ConicSolver]:
    return LcvxSolver(NODES, tol=TOL), ConicSolver(NODES, tol=TOL)


def instance(rng: np.random.Generator) -> tuple[LandingProblem, float]:
    """A Mars-lander-like state, drawn so that most draws are feasible at the drawn tf."""
    return random_instance(rng)


def assert_same(a: LandingPlan, b: LandingPlan, prob: LandingProblem) -> None:
    if a.status is PlanStatus.SOLVER_ERROR:
        return  # the reference itself gave no answer (CVXPY+Clarabel, tight tolerances)
    assert a.status == b.status
    if not a.feasible:
        return
    assert b.propellant_kg == pytest.approx(a.propellant_kg, rel=1e-6)
    length = max(float(np.linalg.norm(prob.r0_enu_m)), 1.0)
    speed = max(float(np.linalg.norm(prob.v0_enu_mps)), 1.0)
    np.testing.assert_allclose(b.r_enu_m, a.r_enu_m, atol=1e-4 * length)
    np.testing.assert_allclose(b.v_enu_mps, a.v_enu_mps, atol=1e-4 * speed)


def test_two_hundred_random_instances(solvers: tuple[LcvxSolver, ConicSolver]) -> None:
    ref, fast = solvers
    rng = np.random.default_rng(20261129)
    feasible = 0
    fallbacks = fast.ipm_fallbacks
    for _ in range(200):
        prob, tf = instance(rng)
        a = ref.solve(prob, tf)
        b = fast.solve(prob, tf)
        assert_same(a, b, prob)
        feasible += a.feasible
    assert feasible >= 100  # the comparison is mostly of solved problems, not of two failures
    # The interior-point method answers nearly all of them itself (3 go to Clarabel today).
    assert fast.ipm_fallbacks - fallbacks <= 6


def test_singular_arc_instance() -> None:
    """Found by the property test below when it drew fresh examples (seed 12221): a singular
    arc, where the optimum is a face and two interior-point solvers need not stop at the same
    point of it. The IPM hands this one to Clarabel; the fast path and the reference agree on
    the propellant to 2e-9 but their positions differ by about 1.1x the 1e-4 tolerance at two
    nodes (0.07x to 1.1x, depending on the last bits of the data and on what the reference
    solved before). Held here: the same propellant, and positions within 5e-4 of scale."""
    ref, fast = LcvxSolver(NODES, tol=TOL), ConicSolver(NODES, tol=TOL)
    prob, tf = instance(np.random.default_rng(12221))
    a = ref.solve(prob, tf)
    b = fast.solve(prob, tf)
    assert a.feasible and b.feasible
    assert b.propellant_kg == pytest.approx(a.propellant_kg, rel=1e-8)
    length = max(float(np.linalg.norm(prob.r0_enu_m)), 1.0)
    np.testing.assert_allclose(b.r_enu_m, a.r_enu_m, atol=5e-4 * length)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), mode=st.sampled_from(["fuel", "error"]))
def test_same_solution_property(
    solvers: tuple[LcvxSolver, ConicSolver], seed: int, mode: str
) -> None:
    ref, fast = solvers
    prob, tf = instance(np.random.default_rng(seed))
    a = ref.solve(prob, tf, mode)
    b = fast.solve(prob, tf, mode)
    if mode == "fuel":
        assert_same(a, b, prob)
        return
    # Minimum landing error: the error is the objective; fuel and path are free to differ.
    if a.status is PlanStatus.SOLVER_ERROR:
        return
    assert a.status == b.status
    if a.feasible:
        assert b.landing_error_m == pytest.approx(a.landing_error_m, rel=1e-6, abs=1e-4)


def test_fast_default_settings_keep_the_propellant(solvers: tuple[LcvxSolver, ConicSolver]) -> None:
    """The fast path as the closed loop runs it (default tolerances, no equilibration, no
    iterative refinement) still matches the tight reference propellant to 1e-6 relative; its
    trajectory may sit elsewhere on the face of optimal solutions, within 1e-3 of scale."""
    ref, _ = solvers
    fast = ConicSolver(NODES)
    rng = np.random.default_rng(20261129)
    for _ in range(200):
        prob, tf = instance(rng)
        a, b = ref.solve(prob, tf), fast.solve(prob, tf)
        if a.status is PlanStatus.SOLVER_ERROR:
            continue
        assert a.status == b.status
        if a.feasible:
            assert b.propellant_kg == pytest.approx(a.propellant_kg, rel=1e-6)
            length = max(float(np.linalg.norm(prob.r0_enu_m)), 1.0)
            np.testing.assert_allclose(b.r_enu_m, a.r_enu_m, atol=1e-3 * length)


def test_stopping_certificate_never_rejects_a_feasible_problem() -> None:
    """The vertical-motion certificate only ever says "infeasible" when the full problem is.

    Draws states around the edge of what full thrust can stop, solves each with the certificate
    switched off, and checks that every certified case is infeasible, and that the certificate
    catches a good share of the infeasible ones (the point of it). A third of the draws point
    past 90 deg (the thrust may push down), a third cannot hover (the least thrust above the
    weight: the certificate's floor) and a third cap the thrust over a final vertical descent
    (its ceiling there); each of the floor and the cap proves some cases that the bounds
    without it (``mu1`` zero, no cap) do not.
    """
    import boostback.guidance.conic as conic

    rng = np.random.default_rng(7)
    plain = ConicSolver(30)
    certified = infeasible = 0
    by_floor = by_cap = 0
    margin = conic.STOP_MARGIN

    for i in range(180):
        prob, _tf = instance(rng)
        if i % 3 == 0:  # pointing limits past 90 deg: the thrust may push down
            prob = replace(prob, max_tilt_rad=float(rng.choice([2.0, math.pi])))
        elif i % 3 == 1:  # cannot hover: the least thrust 1.1-1.6 times the weight at m0
            weight = prob.m0_kg * float(np.linalg.norm(prob.g_enu_mps2))
            rho1 = min(float(rng.uniform(1.1, 1.6)) * weight, prob.thrust_max_n)
            prob = replace(prob, thrust_min_n=rho1)
        else:  # the thrust acceleration capped over a final vertical descent
            cap = float(rng.uniform(4.0, 6.0))
            prob = replace(prob, terminal_vertical_s=4.0, terminal_max_accel_mps2=cap)
        tf = float(rng.uniform(5.0, 40.0))
        _nd, _sc, d = plain._discretize(prob, tf, None)
        short = conic.vertical_infeasibility(d, plain.discretization)
        try:
            conic.STOP_MARGIN = math.inf  # the full solve, no shortcut
            full = plain.solve(prob, tf)
        finally:
            conic.STOP_MARGIN = margin
        if short > margin:
            certified += 1
            assert full.status is PlanStatus.INFEASIBLE, (i, short, full.status)
            no_floor = replace(d, mu1=np.zeros_like(d.mu1))
            no_cap = replace(d, sigma_cap=math.inf)
            by_floor += not conic.vertical_infeasibility(no_floor, plain.discretization) > margin
            by_cap += not conic.vertical_infeasibility(no_cap, plain.discretization) > margin
        infeasible += full.status is PlanStatus.INFEASIBLE
    assert certified >= 20
    assert certified <= infeasible
    assert by_floor >= 3 and by_cap >= 3, (by_floor, by_cap)


def test_terminal_acceleration_cap_same_solution(solvers: tuple[LcvxSolver, ConicSolver]) -> None:
    """With the thrust acceleration capped over the final vertical descent both back ends still
    agree, the cap holds on those nodes, and it costs propellant only when it binds."""
    from dataclasses import replace

    ref, fast = solvers
    rng = np.random.default_rng(99)
    compared = binding = 0
    for _ in range(40):
        prob, tf = instance(rng)
        cap = float(rng.uniform(4.5, 8.0))
        capped = replace(prob, terminal_vertical_s=6.0, terminal_max_accel_mps2=cap)
        a = ref.solve(capped, tf)
        b = fast.solve(capped, tf)
        assert_same(a, b, capped)
        if not b.feasible:
            continue
        compared += 1
        vert = b.t_s >= tf - 6.0 - 1e-9
        assert np.all(b.sigma_mps2[vert] <= cap * (1 + 1e-6))
        free = fast.solve(replace(prob, terminal_vertical_s=6.0), tf)
        if free.feasible:
            assert b.propellant_kg >= free.propellant_kg * (1 - 1e-7)
            binding += float(free.sigma_mps2[vert].max()) > cap * 1.001
    assert compared >= 15 and binding >= 5


def test_last_solve_reports_the_solver_iterations() -> None:
    """The benchmark's note on where the time goes reads these numbers."""
    for solver, name in (("ipm", "IPM"), ("clarabel", "Clarabel")):
        fast = ConicSolver(NODES, solver=solver)
        plan = fast.solve(mars_lander([2000.0, 0.0, 1500.0], [100.0, 0.0, -75.0]), 75.0)
        assert plan.feasible
        assert fast.last_solver == name
        assert 5 <= fast.last_iterations <= 60
        assert fast.last_solver_time_s > 0.0


def test_disturbance_rows_are_checked() -> None:
    """The compiled discretisation reads one disturbance row per interval: a disturbance that
    broadcasts to that is expanded, any other shape is refused (not read out of bounds)."""
    prob, tf = instance(np.random.default_rng(3))
    nd, sc = prob.nondimensional()
    one = np.array([[0.01, -0.02, 0.03]])
    d_one = discretize(nd, tf / sc.time_s, 5, one)
    d_all = discretize(nd, tf / sc.time_s, 5, np.repeat(one, 5, axis=0))
    np.testing.assert_array_equal(d_one.a_ext, d_all.a_ext)
    for shape in [(3, 3), (6, 3), (5, 2)]:
        with pytest.raises(ValueError):
            discretize(nd, tf / sc.time_s, 5, np.zeros(shape))


def test_coefficient_map_reproduces_the_raw_values() -> None:
    """The nonzeros of A come from one sparse product with the map the structure finds by
    probing (two probes per node-wise group); at arbitrary parameters it gives what the
    block-by-block construction gives, also when a nonzero mixes two nodes' parameters (the map
    is then found by one probe per parameter)."""

    class Mixed(_Structure):
        def _raw_values(self, c: _Coeffs) -> np.ndarray:
            v = super()._raw_values(c)
            v[-1] += 0.5 * c.mu1[0] + c.mu1[1]  # one nonzero depending on two nodes
            return v

    rng = np.random.default_rng(4)
    for cls in (_Structure, Mixed):
        for mode in ("fuel", "error"):
            st = cls(_Layout(12, mode, "foh", 3, True, True))
            n1 = st.lay.n + 1
            p = rng.uniform(0.5, 2.0, _N_SCALARS + 3 * n1)
            raw = st._raw_values(_Coeffs(p, n1))[st.perm] * st.col_scale[st.nnz_col]
            np.testing.assert_allclose(st.coef_map @ p, raw, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("hold", ["foh", "zoh"])
def test_velocity_residual_measures_the_eliminated_dynamics(hold: str) -> None:
    """On a trajectory propagated with the hold's own dynamics the velocity residual is
    rounding; a position moved by ``e`` at one node shows up as about ``e / dt``."""
    rng = np.random.default_rng(7)
    prob, tf = random_instance(rng)
    d = discretize(prob, tf, NODES)
    u = rng.normal(size=(NODES + 1, 3))
    h0, h1 = (0.5, 0.5) if hold == "foh" else (1.0, 0.0)
    p0, p1 = (1 / 3, 1 / 6) if hold == "foh" else (0.5, 0.0)
    dt = d.dt_s
    r, v = np.zeros((NODES + 1, 3)), np.zeros((NODES + 1, 3))
    r[0], v[0] = d.r0, d.v0
    for k in range(NODES):
        a = d.a_ext[k]
        r[k + 1] = r[k] + dt * v[k] + dt * dt * (p0 * u[k] + p1 * u[k + 1] + a / 2)
        v[k + 1] = v[k] + dt * (h0 * u[k] + h1 * u[k + 1] + a)
    # the last node's velocity is the touchdown velocity the solve imposes
    d = replace(d, vf=v[-1].copy())
    assert velocity_residual(r, u, d, hold) < 1e-9
    e = 1e-6
    r[NODES // 2, 0] += e
    assert velocity_residual(r, u, d, hold) == pytest.approx(2 * e / dt, rel=1e-3)

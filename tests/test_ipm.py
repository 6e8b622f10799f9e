"""The purpose-built interior-point method (``guidance/ipm.py``) against Clarabel.

On random landing instances of every mode the fast path with the interior-point method gives
Clarabel's plan (same status, propellant to 1e-6 relative, the mass slope from its duals), proves
infeasibility where Clarabel does (with a checked certificate), and needs no Clarabel fallback.
On small random conic problems its solution satisfies the optimality conditions.
"""

from __future__ import annotations

import math

import clarabel
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import sparse

from boostback.bench import ignition_problem
from boostback.config import load_landing
from boostback.guidance.conic import ConicSolver, _shared_kkt, _shared_structure
from boostback.guidance.ipm import MAX_ITER, NUMERICAL, PRIMAL_INFEASIBLE, SOLVED, KktShape
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem
from mars_lander import random_instance

NODES = 30


def instance(rng: np.random.Generator) -> tuple[LandingProblem, float]:
    """A state of the papers' Mars lander; some draws are infeasible, at the short end."""
    return random_instance(rng, (35.0, 80.0))


def assert_same_plan(a: LandingPlan, b: LandingPlan, mode: str) -> None:
    assert b.status == a.status
    if not a.feasible:
        return
    if mode == "error":
        assert b.landing_error_m == pytest.approx(a.landing_error_m, rel=1e-6, abs=1e-4)
    else:
        assert b.propellant_kg == pytest.approx(a.propellant_kg, rel=1e-6)


@pytest.mark.parametrize("mode", ["fuel", "error", "fuel_bounded"])
def test_random_instances_match_clarabel(mode: str) -> None:
    ipm, ref = ConicSolver(NODES, solver="ipm"), ConicSolver(NODES, solver="clarabel")
    rng = np.random.default_rng({"fuel": 1, "error": 2, "fuel_bounded": 3}[mode])
    statuses = []
    for _ in range(60):
        prob, tf = instance(rng)
        kw = {"error_bound_m": float(rng.uniform(0.0, 50.0))} if mode == "fuel_bounded" else {}
        a = ref.solve(prob, tf, mode, **kw)
        b = ipm.solve(prob, tf, mode, **kw)
        assert_same_plan(a, b, mode)
        statuses.append(a.status)
    # Known limitation: a few near-infeasible instances stall and go to Clarabel (same plan).
    assert ipm.ipm_fallbacks <= 3
    assert statuses.count(PlanStatus.INFEASIBLE) >= 1 or mode == "error"
    assert len(statuses) - statuses.count(PlanStatus.INFEASIBLE) >= 30


def test_mass_slope_from_the_duals_matches_clarabel() -> None:
    ipm, ref = ConicSolver(NODES, solver="ipm"), ConicSolver(NODES, solver="clarabel")
    rng = np.random.default_rng(7)
    compared = 0
    for _ in range(30):
        prob, tf = instance(rng)
        a = ref.solve(prob, tf, mass_slope=True)
        b = ipm.solve(prob, tf, mass_slope=True)
        assert b.status == a.status
        if a.feasible and math.isfinite(a.mass_slope_kg_per_s):
            # both at 1e-8 tolerances: slopes of a few kg/s agree to ~1e-4 kg/s
            assert b.mass_slope_kg_per_s == pytest.approx(a.mass_slope_kg_per_s, abs=2e-3)
            compared += 1
    assert compared >= 10


def _certificate_ok(kkt: KktShape, data: np.ndarray, b: np.ndarray, z: np.ndarray) -> None:
    """A primal infeasibility certificate: A'z = 0, b'z < 0, z in the dual cone.

    With b'z = -1, any x and s in the cone give -1 = b'z = x'A'z + s'z >= -|x|_1 |A'z|_inf,
    so |A'z|_inf <= 1e-4 rules out every x with |x|_1 below 1e4. The unknowns are of order one
    (nondimensional landing problems; random problems boxed to |x_i - x0_i| <= 10), so that is
    all of them. The bound does not grow with |z|, as the method's own stopping rule does.
    """
    A = sparse.csc_matrix((data, kkt.indices, kkt.indptr), shape=(kkt.m, kkt.n))
    assert b @ z == pytest.approx(-1.0)
    assert np.abs(A.T @ z).max() <= 1e-4
    zc = z[kkt.n_eq :]
    assert zc[: kkt.n_lp].min() >= 0.0
    for start, dim in zip(kkt.soc_starts, kkt.soc_dims, strict=True):
        blk = zc[start : start + dim]
        assert blk[0] >= np.linalg.norm(blk[1:]) - 1e-12


def test_infeasible_times_of_flight_are_proved_infeasible() -> None:
    """Times of flight far too short for the drop: both solvers say infeasible, and the
    interior-point method's answer comes with a valid certificate."""
    rng = np.random.default_rng(11)
    ipm, ref = ConicSolver(NODES, solver="ipm"), ConicSolver(NODES, solver="clarabel")
    checked = 0
    for _ in range(20):
        prob, _ = instance(rng)
        tf = float(rng.uniform(5.0, 25.0))
        a, b = ref.solve(prob, tf), ipm.solve(prob, tf)
        assert a.status is PlanStatus.INFEASIBLE
        assert b.status is PlanStatus.INFEASIBLE
        # the certificate itself, on the relaxed shape the fast path solves first
        _, _, d = ipm._discretize(prob, tf, None)
        n_vert = int(d.vert[:-1].sum())
        stc = _shared_structure(NODES, "fuel", "foh", n_vert, False, False)
        data, bb, _ = stc.scaled_data(d, 0.0)
        kkt = _shared_kkt(NODES, "fuel", "foh", n_vert, False, False)
        status, _, _, z, _ = kkt.solve(data, bb, stc.q)
        assert status != SOLVED
        if status == PRIMAL_INFEASIBLE:
            _certificate_ok(kkt, data, bb, z)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("scenario", ["falcon9_landing", "zhuque3_landing", "mars_lander_landing"])
def test_ignition_problems_are_answered_without_fallback(scenario: str) -> None:
    """The problems the executive poses at ignition sit at the edge of feasibility, the hardest
    the method meets. Around each built-in landing's optimal time of flight (and on either side
    of it, where some are infeasible) the method answers every solve itself. The Zhuque-3 one
    once blew up at iteration 8, on a pivot that was the bare 1e-8 regularisation."""
    sc, veh = load_landing(scenario)
    bp = ignition_problem(veh, sc)
    for nodes in (30, 50):
        solver = ConicSolver(nodes)
        for factor in (0.97, 0.995, 1.0, 1.0 + 1e-7, 1.005, 1.05):
            tf = bp.tf_s * factor
            plan = solver.solve(bp.prob, tf, disturbance_enu_mps2=bp.drag_at(tf, nodes))
            assert plan.status in (PlanStatus.OPTIMAL, PlanStatus.INFEASIBLE)
        assert solver.ipm_fallbacks == 0


def test_every_infeasible_time_of_flight_is_proved_without_fallback() -> None:
    """Times of flight far too short: the interior-point method proves each one infeasible
    itself (or the vertical certificate rejects it first), with no hand-over to Clarabel."""
    rng = np.random.default_rng(11)
    ipm = ConicSolver(NODES, solver="ipm")
    for _ in range(20):
        prob, _ = instance(rng)
        ipm.solve(prob, float(rng.uniform(5.0, 25.0)))
    assert ipm.ipm_fallbacks == 0


def random_socp(rng: np.random.Generator, feasible: bool):
    """A random bounded conic problem in Clarabel's form, feasible or not."""
    n = int(rng.integers(3, 9))
    n_eq = int(rng.integers(0, 3))
    n_lp = int(rng.integers(1, 6))
    dims = [int(d) for d in rng.integers(2, 5, size=int(rng.integers(1, 4)))]
    m = n_eq + n_lp + sum(dims) + 2 * n  # box rows keep it bounded
    A = rng.normal(size=(m, n)) * (rng.uniform(size=(m, n)) < 0.6)
    x0 = rng.normal(size=n)
    s0 = np.concatenate(
        [np.zeros(n_eq), rng.uniform(0.1, 1.0, n_lp)]
        + [np.concatenate([[3.0], rng.uniform(-1, 1, d - 1)]) for d in dims]
    )
    rows_lin = slice(n_eq + n_lp + sum(dims), m)
    A[rows_lin] = np.vstack([np.eye(n), -np.eye(n)])
    s_box = np.full(2 * n, 10.0)
    b = A @ x0 + np.concatenate([s0, s_box])
    if not feasible:  # x_0 <= -20 and x_0 >= 20 among the inequalities
        A[n_eq] = 0.0
        A[n_eq, 0] = -1.0
        b[n_eq] = -20.0
    # Clarabel's order: zero, nonnegative (incl. box), then SOCs
    order = np.r_[np.arange(n_eq + n_lp), np.arange(n_eq + n_lp + sum(dims), m)]
    order = np.r_[order, np.arange(n_eq + n_lp, n_eq + n_lp + sum(dims))]
    A, b = A[order], b[order]
    n_lin = n_lp + 2 * n
    c = rng.normal(size=n)
    As = sparse.csc_matrix(A)
    As.sort_indices()
    return n, m, n_eq, n_lin, dims, As, b, c


def _solve_both(seed: int, feasible: bool):
    rng = np.random.default_rng(seed)
    n, m, n_eq, n_lin, dims, A, b, c = random_socp(rng, feasible)
    kkt = KktShape(n, m, n_eq, n_lin, np.array(dims), A.indptr, A.indices)
    status, _, x, z, s = kkt.solve(A.data, b, c)
    cones = [clarabel.ZeroConeT(n_eq), clarabel.NonnegativeConeT(n_lin)]
    cones += [clarabel.SecondOrderConeT(d) for d in dims]
    settings_ = clarabel.DefaultSettings()
    settings_.verbose = False
    ref = clarabel.DefaultSolver(sparse.csc_matrix((n, n)), c, A, b, cones, settings_).solve()
    return kkt, A, b, c, n_eq, n_lin, status, x, z, s, ref


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), feasible=st.booleans())
@example(seed=179, feasible=True)  # stops unsure (NUMERICAL): handed to Clarabel, not an answer
@example(seed=1643, feasible=True)  # once stepped onto a NaN direction
def test_random_conic_problems_property(seed: int, feasible: bool) -> None:
    """On random small LP/SOC problems every answer the interior-point method gives is right:
    a solution satisfies the optimality conditions with Clarabel's optimal value, and an
    infeasibility claim is Clarabel's too and comes with a valid certificate. Stopping unsure
    (the fast path then asks Clarabel) is allowed here; its rate is held below."""
    kkt, A, b, c, n_eq, n_lin, status, x, z, s, ref = _solve_both(seed, feasible)
    if status == PRIMAL_INFEASIBLE:
        assert str(ref.status) in ("PrimalInfeasible", "AlmostPrimalInfeasible")
        _certificate_ok(kkt, A.data, b, z)
        return
    if status != SOLVED:
        assert status in (MAX_ITER, NUMERICAL)
        return
    assert str(ref.status) in ("Solved", "AlmostSolved")
    scale = max(1.0, abs(ref.obj_val))
    assert c @ x == pytest.approx(ref.obj_val, abs=1e-6 * scale)
    assert np.abs(A @ x + s - b).max() <= 1e-6 * (1.0 + np.abs(b).max())
    assert np.abs(A.T @ z + c).max() <= 1e-6 * (1.0 + np.abs(c).max())
    zc = z[n_eq:]
    assert zc[:n_lin].min() >= 0.0


def test_random_conic_problems_are_rarely_left_to_clarabel() -> None:
    """Over 300 feasible and 300 infeasible random problems, at most 2 stop unsure (1 in 2000
    measured), and every feasible one Clarabel solves is solved or handed over, never called
    infeasible."""
    unsure = 0
    for seed in range(300):
        for feasible in (True, False):
            *_, status, _, _, _, ref = _solve_both(seed, feasible)
            unsure += status in (MAX_ITER, NUMERICAL)
            if str(ref.status) == "Solved":
                assert status != PRIMAL_INFEASIBLE
    assert unsure <= 2


def test_rejects_unknown_solver() -> None:
    with pytest.raises(ValueError, match="solver"):
        ConicSolver(NODES, solver="mosek")


def test_unsure_answers_go_to_clarabel(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the method stops without an answer (iteration limit, numerical trouble), the solve
    is Clarabel's: same plan as Clarabel alone, and the hand-over is counted."""
    prob, tf = instance(np.random.default_rng(3))
    ref = ConicSolver(NODES, solver="clarabel").solve(prob, tf)
    assert ref.feasible
    for status in (MAX_ITER, NUMERICAL):
        ipm = ConicSolver(NODES, solver="ipm")

        def unsure(self, data, b, c, status=status, **kw):
            return status, 50, np.zeros(self.n), np.zeros(self.m), np.zeros(self.m)

        monkeypatch.setattr(KktShape, "solve", unsure)
        plan = ipm.solve(prob, tf)
        monkeypatch.undo()
        assert ipm.ipm_fallbacks >= 1
        assert ipm.last_solver == "IPM+Clarabel"
        assert ipm.last_iterations > 50  # the method's 50 and Clarabel's own
        assert plan.status == ref.status
        assert plan.propellant_kg == pytest.approx(ref.propellant_kg, rel=1e-9)

"""Published lossless-convexification landings the guidance was not tuned to, each checked
against an independent CVXPY + Clarabel formulation solved here (written from the papers in SI
units: no nondimensionalisation, no parameters, a fresh problem per solve, tight tolerances,
since unscaled interior-point solves stop short at the defaults).

Sources of the variants:

* Acikmese, Carson & Blackmore (2013), "Lossless convexification of nonconvex control bound and
  pointing constraints of the soft landing optimal control problem", IEEE TCST 21(6), example:
  m0 = 2000 kg with 300 kg of propellant, alpha = 5e-4 s/m, thrust 0.2-0.8 of 24 kN, r0 =
  (2400, 450, -330) m and v0 = (-10, -40, 10) m/s (first axis up), glide slope 30 deg, pointing
  up to 120 deg from vertical, g = 3.71 m/s^2 (as public re-implementations of that example
  state it). The paper's planet rotation is left out: boostback's frame does not rotate.
* Wrg1t/G-FOLD (github.com/Wrg1t/G-FOLD, vessel_parameters_mars.json and
  vessel_parameters_earth.json): a 2000 kg Mars lander with 800 kg of propellant, 0.2-0.8 of
  24 kN, Isp 203.94 s, r0 = (1000, 360, -560) m, v0 = (-10, -5, -5) m/s (first axis up), glide
  slope 30 deg, pointing 45 deg; and an Earth vehicle of 6000 kg with 1200 kg of propellant,
  0.1-0.8 of 172.6 kN, Isp 256.8 s, r0 = (2000, 1000, 360) m, v0 = (-250, 200, -100) m/s, whose
  pinpoint and minimum-error problems have no solution at any time of flight.
* The Mars lander of Acikmese & Ploen (2007) and Blackmore et al. (2010) (tests/mars_lander.py)
  without its glide slope: the trajectory must still stay above the ground (``glide_slope_rad``
  0 means exactly that), which binds there.
"""

from __future__ import annotations

import math

import cvxpy as cp
import numpy as np
import pytest

from boostback.constants import G0_MPS2
from boostback.guidance.conic import ConicSolver
from boostback.guidance.lcvx import LcvxSolver
from boostback.guidance.plan import PlanStatus
from boostback.guidance.problem import LandingProblem
from boostback.guidance.search import solve_free_time
from mars_lander import mars_lander

NODES = 50
TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "max_iter": 500}


def reference_propellant(
    p: LandingProblem, tf_s: float, hold: str = "foh", ground: bool = True
) -> float:
    """Fuel-optimal pinpoint landing at a fixed time of flight (NaN when infeasible), posed from
    the papers: z = ln m, |u| <= sigma, the Taylor bounds on sigma about z0 = ln(m0 - alpha rho2
    t), pointing, glide slope (or, with none, the ground when ``ground``), FOH or ZOH on u and
    sigma."""
    n, dt = NODES, tf_s / NODES
    t = np.linspace(0.0, tf_s, n + 1)
    al, m0 = p.alpha_s_per_m, p.m0_kg
    z0 = np.log(np.maximum(m0 - al * p.thrust_max_n * t, 0.5 * p.m_dry_kg))
    z_max = np.log(np.maximum(m0 - al * p.thrust_min_n * t, 0.5 * p.m_dry_kg))
    mu1, mu2 = p.thrust_min_n * np.exp(-z0), p.thrust_max_n * np.exp(-z0)
    r, v, u = (cp.Variable((n + 1, 3)) for _ in range(3))
    s, z = cp.Variable(n + 1), cp.Variable(n + 1)
    g = np.tile(p.g_enu_mps2, (n, 1))
    if hold == "foh":
        dyn = [
            v[1:] == v[:-1] + dt / 2 * (u[:-1] + u[1:]) + dt * g,
            r[1:] == r[:-1] + dt * v[:-1] + dt**2 / 3 * u[:-1] + dt**2 / 6 * u[1:] + dt**2 / 2 * g,
            z[1:] == z[:-1] - al * dt / 2 * (s[:-1] + s[1:]),
        ]
    else:
        dyn = [
            v[1:] == v[:-1] + dt * (u[:-1] + g),
            r[1:] == r[:-1] + dt * v[:-1] + dt**2 / 2 * (u[:-1] + g),
            z[1:] == z[:-1] - al * dt * s[:-1],
        ]
    dz = z - z0
    cons = [
        r[0] == p.r0_enu_m,
        v[0] == p.v0_enu_mps,
        z[0] == math.log(m0),
        *dyn,
        cp.norm(u, 2, axis=1) <= s,
        cp.multiply(mu1, 1 - dz + cp.square(dz) / 2) <= s,
        s <= cp.multiply(mu2, 1 - dz),
        z >= z0,
        z <= z_max,
        z[n] >= math.log(p.m_dry_kg),
        u[:, 2] >= math.cos(p.max_tilt_rad) * s,
        r[n] == p.target_enu_m,
        v[n] == 0.0,
    ]
    if p.glide_slope_rad > 0.0:
        rel = r[:, :2] - np.ones((n + 1, 1)) @ cp.reshape(r[n, :2], (1, 2), order="C")
        cons.append(math.tan(p.glide_slope_rad) * cp.norm(rel, 2, axis=1) <= r[:, 2] - r[n, 2])
    elif ground:
        cons.append(r[:, 2] >= r[n, 2])
    prob = cp.Problem(cp.Maximize(z[n]), cons)
    prob.solve(solver="CLARABEL", **TIGHT)
    if prob.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        return math.nan
    return m0 - math.exp(float(z.value[n]))


def tcst2013() -> LandingProblem:
    return LandingProblem(
        r0_enu_m=np.array([450.0, -330.0, 2400.0]),
        v0_enu_mps=np.array([-40.0, 10.0, -10.0]),
        m0_kg=2000.0,
        m_dry_kg=1700.0,
        thrust_min_n=0.2 * 24000.0,
        thrust_max_n=0.8 * 24000.0,
        alpha_s_per_m=5e-4,
        g_enu_mps2=np.array([0.0, 0.0, -3.71]),
        max_tilt_rad=math.radians(120.0),
        glide_slope_rad=math.radians(30.0),
    )


def gfold_mars() -> LandingProblem:
    return LandingProblem(
        r0_enu_m=np.array([360.0, -560.0, 1000.0]),
        v0_enu_mps=np.array([-5.0, -5.0, -10.0]),
        m0_kg=2800.0,
        m_dry_kg=2000.0,
        thrust_min_n=0.2 * 24000.0,
        thrust_max_n=0.8 * 24000.0,
        alpha_s_per_m=1.0 / (203.94 * G0_MPS2),
        g_enu_mps2=np.array([0.0, 0.0, -3.71]),
        max_tilt_rad=math.radians(45.0),
        glide_slope_rad=math.radians(30.0),
    )


def gfold_earth() -> LandingProblem:
    thrust_n = 172557.234375
    return LandingProblem(
        r0_enu_m=np.array([1000.0, 360.0, 2000.0]),
        v0_enu_mps=np.array([200.0, -100.0, -250.0]),
        m0_kg=7200.0,
        m_dry_kg=6000.0,
        thrust_min_n=0.1 * thrust_n,
        thrust_max_n=0.8 * thrust_n,
        alpha_s_per_m=1.0 / (256.83880615234375 * G0_MPS2),
        g_enu_mps2=np.array([0.0, 0.0, -9.81]),
        max_tilt_rad=math.radians(45.0),
        glide_slope_rad=math.radians(30.0),
    )


def _check_plan(plan, p: LandingProblem) -> None:
    """The plan lands on the target at rest within the vehicle's limits, losslessly."""
    assert plan.status is PlanStatus.OPTIMAL, plan.message
    np.testing.assert_allclose(plan.r_enu_m[-1], p.target_enu_m, atol=1e-3)
    np.testing.assert_allclose(plan.v_enu_mps[-1], 0.0, atol=1e-4)
    thrust = plan.thrust_n
    assert thrust.max() <= p.thrust_max_n * (1 + 1e-6)
    assert thrust.min() >= p.thrust_min_n * (1 - 1e-4)
    assert plan.relaxation_gap < 1e-4
    assert plan.mass_kg[-1] >= p.m_dry_kg - 1e-6
    up = plan.accel_enu_mps2[:, 2] - math.cos(p.max_tilt_rad) * plan.sigma_mps2
    assert up.min() >= -1e-6 * plan.sigma_mps2.max()


@pytest.mark.parametrize(
    ("make", "tf_s", "tf_probe_s"),
    [(tcst2013, 44.0, (40.0, 48.0)), (gfold_mars, 37.0, (33.0, 41.0))],
    ids=["tcst2013", "gfold_mars"],
)
def test_published_variant_matches_the_reference(make, tf_s: float, tf_probe_s) -> None:
    p = make()
    ref = reference_propellant(p, tf_s)
    assert math.isfinite(ref)
    for solver in (ConicSolver(NODES), LcvxSolver(NODES)):
        plan = solver.solve(p, tf_s)
        _check_plan(plan, p)
        assert plan.propellant_kg == pytest.approx(ref, rel=1e-5)
    # over the time of flight: no worse than the reference anywhere it was probed
    best = solve_free_time(ConicSolver(NODES), p, tol_s=0.02)
    _check_plan(best, p)
    probes = [ref] + [reference_propellant(p, t) for t in tf_probe_s]
    assert best.propellant_kg <= min(probes) * (1 + 1e-5)


def test_no_glide_slope_still_keeps_the_ground() -> None:
    """Without a glide slope the fuel optimum of the Mars case 1 would fly below the pad's
    height; the reference with the ground constraint matches, the one without uses less."""
    p = mars_lander([2000.0, 0.0, 1500.0], [100.0, 0.0, -75.0])
    tf_s = 72.0
    plan = ConicSolver(NODES).solve(p, tf_s)
    _check_plan(plan, p)
    assert plan.r_enu_m[:, 2].min() >= -1e-6
    with_ground = reference_propellant(p, tf_s, ground=True)
    assert plan.propellant_kg == pytest.approx(with_ground, rel=1e-5)
    assert reference_propellant(p, tf_s, ground=False) < with_ground - 1.0


def test_published_case1_zero_order_hold_matches_the_reference() -> None:
    """The papers' own discretisation (ZOH), near the published optimum (78.3 s): the fuel of
    tests/test_guidance_validation.py's reproduction is the formulation's, to solver accuracy."""
    p = mars_lander([2000.0, 0.0, 1500.0], [100.0, 0.0, -75.0], glide_slope_rad=math.radians(4))
    ref = reference_propellant(p, 78.0, hold="zoh")
    for solver in (ConicSolver(NODES, "zoh"), LcvxSolver(NODES, discretization="zoh")):
        plan = solver.solve(p, 78.0)
        assert plan.status is PlanStatus.OPTIMAL
        assert plan.propellant_kg == pytest.approx(ref, rel=1e-5)


def test_unreachable_earth_variant_is_a_status() -> None:
    """G-FOLD's Earth vehicle cannot land from its state: the reference finds no pinpoint plan
    at any probed time of flight, and both back ends' searches say INFEASIBLE (no exception)."""
    p = gfold_earth()
    lo, hi = p.tf_bounds_s()
    assert all(math.isnan(reference_propellant(p, t)) for t in np.geomspace(lo, hi, 4))
    for solver in (ConicSolver(NODES), LcvxSolver(NODES)):
        plan = solve_free_time(solver, p)
        assert plan.status is PlanStatus.INFEASIBLE
        assert plan.message


def test_reference_back_end_refuses_an_unknown_solver() -> None:
    """``LcvxSolver``'s second positional argument is the CVXPY solver, ``ConicSolver``'s the
    discretisation: ``LcvxSolver(50, "zoh")`` used to build, then return a SOLVER_ERROR plan
    ("The solver ZOH is not installed") from every solve, and a search over them SOLVER_ERROR."""
    with pytest.raises(ValueError, match="discretization="):
        LcvxSolver(NODES, "zoh")
    assert LcvxSolver(NODES, "clarabel").solve(gfold_mars(), 37.0).status is PlanStatus.OPTIMAL

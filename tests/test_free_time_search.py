"""The time-of-flight search with the final mass's slope (from the duals of each solve) finds the
same plan as the slope-free Brent search it replaces on the fast path, in fewer solves.

Stated agreement: time of flight within the search tolerance (0.05 s) and propellant within
2e-4 relative. Where the final mass is smooth in the time of flight the propellant agrees to
~1e-5; the looser bound is for boosters whose optimum sits on a jump of the final mass (where the
vertical-descent node count changes), which both searches only locate to within 0.05 s.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from boostback.bench import ignition_problem
from boostback.config import load_landing
from boostback.guidance.conic import ConicSolver
from boostback.guidance.problem import LandingProblem
from boostback.guidance.search import Disturbance, solve_free_time
from mars_lander import mars_lander

TF_TOL_S = 0.05
PROPELLANT_REL = 2e-4


class BrentOnly(ConicSolver):
    """The fast path without slopes: the search falls back to Brent's method."""

    gives_mass_slope = False


def lander(r0: list[float], v0: list[float]) -> LandingProblem:
    return mars_lander(r0, v0, max_tilt_rad=math.radians(60.0), glide_slope_rad=math.radians(4.0))


def fading(accel: list[float]) -> Disturbance:
    """A drag-like disturbance that depends on the time of flight, as the executive's does."""
    d = np.array(accel)

    def f(t_mid: np.ndarray, tf_s: float) -> np.ndarray:
        return np.outer((1.0 - t_mid / tf_s) ** 2, d)

    return f


def test_mass_slope_matches_finite_differences() -> None:
    solver = ConicSolver(30, tol=1e-10)
    prob = lander([1200.0, -300.0, 1800.0], [40.0, 10.0, -50.0])
    drag = fading([-0.3, 0.1, 0.8])
    n = solver.nodes

    def dist(tf: float) -> np.ndarray:
        return drag((np.arange(n) + 0.5) * tf / n, tf)

    checked = 0
    for tf in (38.0, 45.0, 55.0):
        h = 1e-6 * tf
        rate = (dist(tf + h) - dist(tf - h)) / (2 * h)
        plan = solver.solve(
            prob,
            tf,
            disturbance_enu_mps2=dist(tf),
            mass_slope=True,
            disturbance_rate_enu_mps2_per_s=rate,
        )
        step = 1e-4 * tf
        lo = solver.solve(prob, tf - step, disturbance_enu_mps2=dist(tf - step))
        hi = solver.solve(prob, tf + step, disturbance_enu_mps2=dist(tf + step))
        if not (plan.feasible and lo.feasible and hi.feasible):
            continue
        fd = (hi.mass_kg[-1] - lo.mass_kg[-1]) / (2 * step)
        assert plan.mass_slope_kg_per_s == pytest.approx(fd, rel=1e-3, abs=1e-4)
        checked += 1
    assert checked >= 2


def test_error_slope_matches_finite_differences() -> None:
    """The minimum landing error's slope over the time of flight, from the same duals: what the
    search's Newton step onto the feasibility edge uses."""
    solver = ConicSolver(30, tol=1e-10)
    # far off the pad and short on time: the pad is out of reach, the error shrinks with time
    prob = lander([2600.0, -300.0, 1500.0], [60.0, 10.0, -60.0])
    checked = 0
    for tf in (30.0, 34.0, 38.0):
        plan = solver.solve(prob, tf, "error", mass_slope=True)
        step = 1e-4 * tf
        lo = solver.solve(prob, tf - step, "error")
        hi = solver.solve(prob, tf + step, "error")
        if not (plan.feasible and lo.feasible and hi.feasible) or plan.landing_error_m < 1.0:
            continue
        fd = (hi.landing_error_m - lo.landing_error_m) / (2 * step)
        assert plan.error_slope_m_per_s == pytest.approx(fd, rel=1e-3, abs=1e-3)
        assert math.isnan(plan.mass_slope_kg_per_s)
        checked += 1
    assert checked >= 2


def test_mass_slope_only_when_asked() -> None:
    plan = ConicSolver(30).solve(lander([500.0, 0.0, 1500.0], [0.0, 0.0, -40.0]), 50.0)
    assert plan.feasible and math.isnan(plan.mass_slope_kg_per_s)


CASES = [*(f"lander{i}" for i in range(6)), "lander, drag", "falcon9_landing", "zhuque3_landing"]


def _case(name: str) -> tuple[LandingProblem, Disturbance | None]:
    if name.startswith("lander"):
        if name == "lander, drag":
            return lander([900.0, 200.0, 2000.0], [30.0, 0.0, -60.0]), fading([-0.2, 0.0, 0.6])
        rng = np.random.default_rng(3 + int(name[6:]))
        r0 = [rng.uniform(0, 1500), 0.0, rng.uniform(1000, 2500)]
        v0 = [rng.uniform(-60, 60), rng.uniform(-60, 60), rng.uniform(-80, -20)]
        return lander(r0, v0), None
    scenario, vehicle = load_landing(name)  # a booster at its ignition point, drag included
    bp = ignition_problem(vehicle, scenario)
    return bp.prob, bp.drag


@pytest.mark.parametrize("name", CASES)
def test_slope_search_agrees_with_brent_search(name: str) -> None:
    prob, drag = _case(name)
    ref = solve_free_time(BrentOnly(50), prob, disturbance=drag)
    new = solve_free_time(ConicSolver(50), prob, disturbance=drag)
    assert new.status == ref.status
    assert new.feasible
    assert new.tf_s == pytest.approx(ref.tf_s, abs=TF_TOL_S)
    assert new.propellant_kg == pytest.approx(ref.propellant_kg, rel=PROPELLANT_REL)
    assert new.solves < ref.solves

"""Guidance conformance suite (issue #17), in the manner of scikit-learn's ``check_estimator``:
one small adapter per guidance method and the same checks run against each.

The methods: LCvx (lossless convexification of the point mass, ``guidance.conic.ConicSolver``
over the time of flight by ``guidance.search.solve_free_time``) and SCvx (6-DoF successive
convexification, ``guidance.scvx``). Each adapter takes one ``LandingSpec`` - a Falcon 9 landing
burn stated once, in SI and east-north-up - poses it for its method, and returns an ``Outcome``
in common terms: a status class ("landing", "infeasible", "solver_error", "other") and the plan's
nodes (position, velocity, mass, thrust magnitude, thrust tilt from vertical).

The checks (every expected value is the spec's own number or a physical law):

- a feasible plan out: status "landing", starting at the spec's state and ending on the pad at
  the touchdown velocity, with the mass floor, thrust bounds, tilt limit and glide slope met
  at every node, and the mass spent as the rocket equation's flow says;
- status semantics: thrust that cannot hold the dry stage's weight gives "infeasible" and no
  exception; a conic solver stopped after one iteration gives "solver_error";
- determinism: two solves give the same bits;
- re-plan: from a perturbed state, the plan is still a landing, close to the original.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
import pytest

from boostback.config.loader import load_vehicle
from boostback.constants import G0_MPS2
from boostback.guidance.conic import ConicSolver
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem
from boostback.guidance.scvx import ScvxPlan, ScvxSettings, ScvxStatus, solve
from boostback.guidance.scvx.falcon9 import falcon9_problem, falcon9_scales
from boostback.guidance.search import solve_free_time

# ---------------------------------------------------------------- the problem, stated once


@dataclass(frozen=True)
class LandingSpec:
    """A landing burn in SI, east-north-up, pad at the origin."""

    r0_enu_m: tuple[float, float, float] = (400.0, 0.0, 3000.0)
    v0_enu_mps: tuple[float, float, float] = (-15.0, 0.0, -250.0)
    propellant_kg: float = 9000.0
    touchdown_speed_mps: float = 1.0
    thrust_scale: float = 1.0  # multiplies the engine's thrust (below 1: a weaker engine)

    def vehicle_numbers(self) -> dict[str, float]:
        veh = load_vehicle("falcon9")
        stage, eng = veh.booster, veh.booster.engine
        assert stage.landing is not None
        thrust = eng.thrust_sl_n * stage.landing.engines * self.thrust_scale
        return {
            "m_dry_kg": stage.dry_mass_kg,
            "m0_kg": stage.dry_mass_kg + self.propellant_kg,
            "thrust_min_n": thrust * eng.throttle_min,
            "thrust_max_n": thrust * eng.throttle_max,
            "alpha_s_per_m": 1.0 / (eng.isp_sl_s * G0_MPS2),
            "max_tilt_rad": math.radians(stage.landing.max_tilt_deg),
            "glide_slope_rad": math.radians(stage.landing.glide_slope_deg),
        }


@dataclass(frozen=True)
class Outcome:
    """A plan in common terms (nodes in time order)."""

    status: str  # "landing", "infeasible", "solver_error" or "other"
    message: str
    t_s: np.ndarray
    r_enu_m: np.ndarray
    v_enu_mps: np.ndarray
    mass_kg: np.ndarray
    thrust_n: np.ndarray
    tilt_rad: np.ndarray  # of the thrust (LCvx) or the body axis (SCvx) from vertical
    raw: object


class Adapter(Protocol):
    name: str

    def solve(self, spec: LandingSpec, *, fail_solver: bool = False) -> Outcome: ...

    def replan(self, spec: LandingSpec, previous: Outcome) -> Outcome: ...


# ---------------------------------------------------------------- adapters


class LcvxAdapter:
    """LCvx: the point mass, fuel-optimal over the time of flight."""

    name = "lcvx"
    _STATUS: ClassVar[dict[PlanStatus, str]] = {
        PlanStatus.OPTIMAL: "landing",
        PlanStatus.INFEASIBLE: "infeasible",
        PlanStatus.SOLVER_ERROR: "solver_error",
    }

    def problem(self, spec: LandingSpec) -> LandingProblem:
        n = spec.vehicle_numbers()
        return LandingProblem(
            r0_enu_m=np.array(spec.r0_enu_m),
            v0_enu_mps=np.array(spec.v0_enu_mps),
            m0_kg=n["m0_kg"],
            m_dry_kg=n["m_dry_kg"],
            thrust_min_n=n["thrust_min_n"],
            thrust_max_n=n["thrust_max_n"],
            alpha_s_per_m=n["alpha_s_per_m"],
            max_tilt_rad=n["max_tilt_rad"],
            glide_slope_rad=n["glide_slope_rad"],
            touchdown_speed_mps=spec.touchdown_speed_mps,
        )

    def solve(self, spec: LandingSpec, *, fail_solver: bool = False) -> Outcome:
        solver = ConicSolver(nodes=50, solver="clarabel" if fail_solver else "ipm")
        if fail_solver:
            solver.settings.max_iter = 1
        plan = solve_free_time(solver, self.problem(spec), allow_min_error=False)
        return self._outcome(plan)

    def replan(self, spec: LandingSpec, previous: Outcome) -> Outcome:
        return self.solve(spec)  # LCvx solves afresh every time (no warm start)

    def _outcome(self, plan: LandingPlan) -> Outcome:
        status = self._STATUS.get(plan.status, "other")
        if not plan.feasible:
            empty = np.zeros((0, 3))
            return Outcome(
                status, plan.message, np.zeros(0), empty, empty, *[np.zeros(0)] * 3, plan
            )
        thrust = plan.thrust_enu_n
        mag = np.linalg.norm(thrust, axis=1)
        tilt = np.arccos(np.clip(thrust[:, 2] / np.where(mag > 0, mag, 1.0), -1.0, 1.0))
        return Outcome(
            status,
            plan.message,
            plan.t_s,
            plan.r_enu_m,
            plan.v_enu_mps,
            plan.mass_kg,
            mag,
            tilt,
            plan,
        )


class ScvxAdapter:
    """SCvx: the 6-DoF rigid body, fuel-optimal, free final time."""

    name = "scvx"
    _STATUS: ClassVar[dict[ScvxStatus, str]] = {
        ScvxStatus.CONVERGED: "landing",
        ScvxStatus.INFEASIBLE: "infeasible",
        ScvxStatus.INFEASIBLE_SUBPROBLEM: "infeasible",
        ScvxStatus.SOLVER_ERROR: "solver_error",
    }
    settings = ScvxSettings(method="scvx", max_iterations=40)

    def problem(self, spec: LandingSpec):
        prob = falcon9_problem(
            r0_enu_m=spec.r0_enu_m,
            v0_enu_mps=spec.v0_enu_mps,
            propellant_kg=spec.propellant_kg,
            touchdown_speed_mps=spec.touchdown_speed_mps,
        )
        if spec.thrust_scale != 1.0:
            prob = dataclasses.replace(
                prob,
                thrust_min=prob.thrust_min * spec.thrust_scale,
                thrust_max=prob.thrust_max * spec.thrust_scale,
            )
        return prob

    def solve(self, spec: LandingSpec, *, fail_solver: bool = False, guess=None) -> Outcome:
        prob = self.problem(spec)
        st = dataclasses.replace(self.settings, solver_max_iter=1) if fail_solver else self.settings
        return self._outcome(solve(prob, st, scales=falcon9_scales(prob), guess=guess))

    def replan(self, spec: LandingSpec, previous: Outcome) -> Outcome:
        """Warm-started from the rest of the previous plan: its nodes from the point nearest
        the new state on, resampled onto the node count (as a re-plan in the loop would)."""
        last = previous.raw
        assert isinstance(last, ScvxPlan)
        k = int(np.argmin(np.linalg.norm(previous.r_enu_m - spec.r0_enu_m, axis=1)))
        t = np.linspace(last.t_s[k], last.tf_s, last.t_s.size)
        samples = [last.sample(tt) for tt in t]
        xs = np.array(
            [
                np.concatenate(([s.mass_kg], s.r_uen_m, s.v_uen_mps, s.quat_uen, s.rate_body_rps))
                for s in samples
            ]
        )
        us = np.array([s.thrust_body_n for s in samples])
        return self.solve(spec, guess=(xs, us, last.tf_s - last.t_s[k]))

    def _outcome(self, plan: ScvxPlan) -> Outcome:
        status = self._STATUS.get(plan.status, "other")
        rigid = plan.rigid_states_enu()
        q = plan.quat_uen  # body x axis in up-east-north: its first component is cos(tilt)
        up = 1.0 - 2.0 * (q[:, 2] ** 2 + q[:, 3] ** 2)
        return Outcome(
            status,
            plan.message,
            plan.t_s,
            rigid[:, 0:3],
            rigid[:, 3:6],
            plan.mass_kg,
            plan.thrust_n,
            np.arccos(np.clip(up, -1.0, 1.0)),
            plan,
        )


ADAPTERS = [LcvxAdapter(), ScvxAdapter()]
SPEC = LandingSpec()
_CACHE: dict[str, Outcome] = {}


def _nominal(adapter: Adapter) -> Outcome:
    if adapter.name not in _CACHE:
        _CACHE[adapter.name] = adapter.solve(SPEC)
    return _CACHE[adapter.name]


ids = [a.name for a in ADAPTERS]

# ---------------------------------------------------------------- checks


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ids)
def test_feasible_plan_meets_boundary_conditions(adapter: Adapter) -> None:
    out = _nominal(adapter)
    assert out.status == "landing", out.message
    n = SPEC.vehicle_numbers()
    np.testing.assert_allclose(out.r_enu_m[0], SPEC.r0_enu_m, atol=1e-3)
    np.testing.assert_allclose(out.v_enu_mps[0], SPEC.v0_enu_mps, atol=1e-3)
    assert out.mass_kg[0] == pytest.approx(n["m0_kg"], rel=1e-6)
    np.testing.assert_allclose(out.r_enu_m[-1], 0.0, atol=0.05)  # on the pad (m)
    np.testing.assert_allclose(out.v_enu_mps[-1], (0.0, 0.0, -SPEC.touchdown_speed_mps), atol=0.05)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ids)
def test_feasible_plan_meets_path_constraints(adapter: Adapter) -> None:
    out = _nominal(adapter)
    n = SPEC.vehicle_numbers()
    rel = 1e-3  # solver tolerances and LCvx's conservative thrust bounds
    assert np.all(out.mass_kg >= n["m_dry_kg"] * (1 - 1e-9))
    assert np.all(out.thrust_n <= n["thrust_max_n"] * (1 + rel))
    assert np.all(out.thrust_n >= n["thrust_min_n"] * (1 - rel))
    assert np.all(out.tilt_rad <= n["max_tilt_rad"] + 1e-3)
    horizontal = np.linalg.norm(out.r_enu_m[:, :2], axis=1)
    assert np.all(out.r_enu_m[:, 2] >= math.tan(n["glide_slope_rad"]) * horizontal - 0.05)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ids)
def test_mass_follows_the_thrust(adapter: Adapter) -> None:
    # dm/dt = -alpha |T|: with |T| linear between nodes (both methods' hold), the trapezoid
    # of |T| over each interval is the flow to second order; 0.5 % covers LCvx's relaxation.
    out = _nominal(adapter)
    alpha = SPEC.vehicle_numbers()["alpha_s_per_m"]
    spent = alpha * np.sum(0.5 * (out.thrust_n[1:] + out.thrust_n[:-1]) * np.diff(out.t_s))
    assert out.mass_kg[0] - out.mass_kg[-1] == pytest.approx(spent, rel=5e-3)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ids)
def test_thrust_below_weight_is_infeasible_not_an_exception(adapter: Adapter) -> None:
    n = SPEC.vehicle_numbers()
    weight = n["m_dry_kg"] * G0_MPS2
    spec = dataclasses.replace(SPEC, thrust_scale=0.8 * weight / n["thrust_max_n"])
    out = adapter.solve(spec)
    assert out.status == "infeasible", out.message


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ids)
def test_solver_failure_is_a_solver_error(adapter: Adapter) -> None:
    # Every subproblem stopped after one interior-point iteration: no answer anywhere, and no
    # certificate either, so the verdict is the solver's failure, not infeasibility (LCvx's
    # search also proves some short times of flight infeasible on the way: that must not turn
    # the errors at the others into an INFEASIBLE verdict).
    out = adapter.solve(SPEC, fail_solver=True)
    assert out.status == "solver_error", out.message


def test_lcvx_search_says_what_failed_and_what_was_proved() -> None:
    out = LcvxAdapter().solve(SPEC, fail_solver=True)
    assert "solver error" in out.message and "ruled out" in out.message, out.message


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ids)
def test_two_solves_give_identical_bits(adapter: Adapter) -> None:
    a, b = adapter.solve(SPEC), _nominal(adapter)
    assert a.status == b.status
    for name in ("t_s", "r_enu_m", "v_enu_mps", "mass_kg", "thrust_n"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ids)
def test_replan_from_a_perturbed_state(adapter: Adapter) -> None:
    base = _nominal(adapter)
    # a second into the burn, 20 m off along the track and 2 m/s faster down
    k = int(np.searchsorted(base.t_s, 1.0))
    r = base.r_enu_m[k] + np.array([20.0, -10.0, 0.0])
    v = base.v_enu_mps[k] + np.array([0.0, 1.0, -2.0])
    spec = dataclasses.replace(
        SPEC,
        r0_enu_m=tuple(r),
        v0_enu_mps=tuple(v),
        propellant_kg=float(base.mass_kg[k] - SPEC.vehicle_numbers()["m_dry_kg"]),
    )
    out = adapter.replan(spec, base)
    assert out.status == "landing", out.message
    np.testing.assert_allclose(out.r_enu_m[-1], 0.0, atol=0.05)
    # close to the original: the rest of the burn within 2 s and 5 % of its propellant
    rest_s = base.t_s[-1] - base.t_s[k]
    rest_kg = base.mass_kg[k] - base.mass_kg[-1]
    assert out.t_s[-1] == pytest.approx(rest_s, abs=2.0)
    assert out.mass_kg[0] - out.mass_kg[-1] == pytest.approx(rest_kg, rel=0.05)


def test_lcvx_fixed_time_solver_failure_is_a_solver_error() -> None:
    # The fixed-time solve under the search does keep the semantics.
    adapter = LcvxAdapter()
    solver = ConicSolver(nodes=50, solver="clarabel")
    solver.settings.max_iter = 1
    plan = solver.solve(adapter.problem(SPEC), 20.0)
    assert plan.status is PlanStatus.SOLVER_ERROR, plan.message

"""Landing-burn guidance by lossless convexification, as a ``Guidance`` of the closed loop.

The booster cannot hover at minimum throttle, so ignition is a decision: ``prepare`` predicts the
unpowered fall and finds, by bisection, the latest moment from which the convex guidance still
has a pinpoint solution while keeping throttle headroom (``planning_throttle_max``). After
ignition ``update`` re-plans at ``replan_hz`` with the time of flight that remains (a free-time
search only when that fails); the controller (``control.landing``) tracks the plan.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from boostback.config.vocab import Phase
from boostback.dynamics import State, drag_accel
from boostback.dynamics.fast import drag_accel_many
from boostback.dynamics.state import MASS, POS, UP, VEL
from boostback.gnc.loop import RunTimeout
from boostback.gnc.protocols import Demand, NavEstimate, Tick
from boostback.guidance.conic import ConicSolver
from boostback.guidance.ignition import (
    CoastWatch,
    ballistic_path,
    find_ignition,
    stopping_estimate,
)
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem, norm3
from boostback.guidance.rigid_settings import rigid_setup, rigid_timing
from boostback.guidance.search import Disturbance, solve_free_time
from boostback.jit import jit
from boostback.plant.setup import LandingSetup

__all__ = ["LcvxGuidance", "landing_problem", "least_feasible_fraction"]

COAST, LANDING_BURN = Phase.COAST, Phase.LANDING_BURN
# When the preferred ignition headroom is out of reach: the least throttle that lands is found
# to HEADROOM_TOL, and the ignition accepts HEADROOM_STEP less headroom than that (on average
# what the former ladder of 0.05 steps from the preferred fraction gave away).
HEADROOM_TOL = 0.01
HEADROOM_STEP = 0.025
# Times of flight tried per ignition candidate, 0.7-2.5 times the stopping estimate: twelve are
# 12 % apart. Near the latest ignition the feasible times of flight narrow to a window a few
# seconds wide (from a 7 km hand-over of a 36 t Falcon 9 stage at 0.85-0.90 of thrust: 31-38 s,
# then 34-37 s); six trial times, 29 % apart, stepped over windows up to 20 % wide, and the latest
# ignition found jumped by kilometres with the headroom and between fidelities.
IGNITION_GRID = 12
_IGNITION_FACTORS = np.geomspace(0.7, 2.5, IGNITION_GRID)  # the trial times over the estimate
FIRST_PLAN_TOL_S = 0.2  # time-of-flight resolution of the plan at ignition


def landing_problem(
    setup: LandingSetup, x: Sequence[float], pressure_pa: float, throttle_fraction: float = 1.0
) -> LandingProblem:
    """The convex landing problem from state ``x``.

    Plans may use ``throttle_fraction`` of the engine's full throttle: the rest is headroom
    left for the re-plans to absorb what the plan did not foresee. The lower bound sits
    ``planning_throttle_floor_margin`` above the engine's floor, for the same reason.

    Thrust falls with back-pressure on the way down. The bounds hold for the whole descent:
    the upper one at the pad's pressure (the least the engine gives at a throttle), the lower
    one at ``pressure_pa``, the present (the most). A plan at its upper bound from a high
    ignition then still has that thrust at the bottom, and a re-plan lower down does not
    find its own plan infeasible.
    """
    g = setup.guidance
    landing = setup.stage.landing
    p_pad = max(pressure_pa, setup.env.pressure_pa(0.0))  # the pad is at z = 0
    full_max = setup.prop.thrust_n(p_pad, setup.prop.throttle_max)
    floor = min(setup.prop.throttle_min + g.planning_throttle_floor_margin, setup.prop.throttle_max)
    t_min = setup.prop.thrust_n(pressure_pa, floor)
    cut = setup.prop.thrust_n(p_pad, setup.prop.throttle_max * throttle_fraction)
    t_max = max(cut, min(full_max, t_min * 1.0001))
    g_enu = setup.env.gravity.accel(np.zeros(3))
    return LandingProblem(
        r0_enu_m=np.array(x[POS]),
        v0_enu_mps=np.array(x[VEL]),
        m0_kg=x[MASS],
        m_dry_kg=setup.dry_mass_kg,
        thrust_min_n=t_min,
        thrust_max_n=t_max,
        alpha_s_per_m=setup.prop.mass_flow_kgps / setup.prop.thrust_vac_n,
        g_enu_mps2=g_enu,
        max_tilt_rad=math.radians(landing.max_tilt_deg) if landing else math.pi / 2,
        glide_slope_rad=math.radians(landing.glide_slope_deg) if landing else 0.0,
        touchdown_speed_mps=g.touchdown_speed_mps,
        terminal_vertical_s=g.terminal_vertical_s,
        terminal_max_accel_mps2=None
        if g.terminal_max_decel_mps2 is None
        else g.terminal_max_decel_mps2 + norm3(g_enu),
    )


@jit
def plan_states_at(offset_s, t_mid, tf_s, nodes, table, states, thrust):
    """A plan's states (position, velocity, mass) and thrust at ``offset_s + t_mid``, held at
    its ends (0 and ``tf_s``): ``table`` has one row per node at ``nodes`` (position, velocity,
    mass, thrust acceleration), each column linearly interpolated (``np.interp``); into
    ``states`` (n, 7) and ``thrust`` (n,)."""
    ts = np.empty(t_mid.shape[0])
    for i in range(ts.shape[0]):
        ts[i] = min(max(offset_s + t_mid[i], 0.0), tf_s)
    at = np.empty((ts.shape[0], table.shape[1]))
    for j in range(table.shape[1]):
        at[:, j] = np.interp(ts, nodes, np.ascontiguousarray(table[:, j]))
    for i in range(ts.shape[0]):
        u0, u1, u2 = at[i, 7], at[i, 8], at[i, 9]
        thrust[i] = at[i, 6] * math.sqrt(u0 * u0 + u1 * u1 + u2 * u2)
        states[i, :] = at[i, :7]


def least_feasible_fraction(
    check: Callable[[float], LandingPlan], lo: float, tol: float = HEADROOM_TOL
) -> tuple[float, LandingPlan]:
    """The least throttle fraction above ``lo`` (to ``tol``) at which ``check`` finds a plan,
    and that plan; ``(1.0, failed plan)`` when not even full throttle lands."""
    best = check(1.0)
    if not best.feasible:
        return 1.0, best
    hi = 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        plan = check(mid)
        if plan.feasible:
            hi, best = mid, plan
        else:
            lo = mid
    return hi, best


class LcvxGuidance:
    """Lossless-convexification landing guidance as a ``Guidance`` of the closed loop.

    It decides the ignition (``prepare``), plans at ignition and re-plans at ``replan_hz``
    (``update``), with the vehicle's aerodynamics as a known disturbance and the thrust scaled by
    the navigator's in-flight estimate.

    Parameters
    ----------
    setup : LandingSetup
        Vehicle, scenario and the models resolved from them.
    """

    def __init__(self, setup: LandingSetup, deadline: float | None = None) -> None:
        rigid = rigid_timing(setup) if setup.sim.dof == 6 else None
        if rigid is not None:  # a rigid vehicle's longer vertical segment
            setup = rigid_setup(setup)
        self.setup = setup
        self.deadline = deadline  # perf_counter() past which the ignition search gives up
        self.cfg = setup.guidance
        # Achieved over commanded thrust, estimated in flight from the accelerometers: a weak
        # engine is planned for as it is, not as the data sheet says.
        self.thrust_scale = 1.0
        g = setup.guidance
        if g.backend == "conic":
            backend: type = ConicSolver
        else:  # the CVXPY reference: imported only when asked for (it costs ~0.5 s to import)
            from boostback.guidance.lcvx import LcvxSolver

            backend = LcvxSolver
        self.solver = backend(g.nodes)
        self._mid = np.arange(self.solver.nodes) + 0.5  # the intervals' midpoints, in steps
        self.solves = 0
        self.seconds = 0.0
        self.notes: list[str] = []
        self.ignition_t_s = 0.0
        self.tf_hint_s: float | None = None
        self.plan: LandingPlan | None = None
        self.first: LandingPlan | None = None
        self.plan_t0_s = 0.0
        self._t_next = 0.0
        self.replan_times_s: list[float] = []
        self._period_s = 1.0 / g.replan_hz
        self._freeze_s = g.terminal_vertical_s + 1.0 if rigid is None else rigid.freeze_s
        # a rigid vehicle pre-points during the coast: the plan found at the ignition point
        self.search_plan: LandingPlan | None = None
        self.plan_tilt_rad = None if rigid is None else rigid.plan_tilt_rad
        self._keep_search = rigid is not None
        # the coast's check of the fall the ignition was decided on
        self.coast = CoastWatch(setup.sim.dt_s, self._period_s, setup.stage.limits.max_miss_m)

    def _count(self, plan: LandingPlan) -> LandingPlan:
        self.solves += plan.solves
        self.seconds += plan.solve_time_s
        return plan

    def problem(self, x: State, throttle_fraction: float) -> LandingProblem:
        """The landing problem from ``x``, with thrust scaled by the in-flight estimate."""
        p_pa = self.setup.env.pressure_pa(x[UP])
        prob = landing_problem(self.setup, x, p_pa, throttle_fraction)
        if self.plan_tilt_rad is not None:
            prob = prob.replaced(max_tilt_rad=self.plan_tilt_rad)
        if self.thrust_scale == 1.0:
            return prob
        k = self.thrust_scale
        return prob.replaced(thrust_min_n=prob.thrust_min_n * k, thrust_max_n=prob.thrust_max_n * k)

    def drag_now(self, x: State, throttle_fraction: float) -> Disturbance:
        """Drag at ``x`` fading as (1 - t/tf)^2: speed falls about linearly through the burn.

        The burn's plume shields the vehicle (when the aero model says so): the drag is taken
        with the engines at ``throttle_fraction`` of full throttle.
        """
        p_pa = self.setup.env.pressure_pa(x[UP])
        prop = self.setup.prop
        thrust = prop.thrust_n(p_pa, prop.throttle_max * throttle_fraction) * self.thrust_scale
        d = np.array(drag_accel(x, self.setup.aero, self.setup.env, thrust)[:3])

        def f(t_mid: np.ndarray, tf_s: float) -> np.ndarray:
            return np.outer((1.0 - t_mid / tf_s) ** 2, d)

        return f

    def drag_along(self, plan: LandingPlan, offset_s: float) -> Disturbance:
        """Drag along ``plan`` from ``offset_s`` into it: at each time the plan's state, with its
        thrust firing into the flow."""
        aero, env = self.setup.aero, self.setup.env
        nodes = np.ascontiguousarray(plan.t_s, dtype=np.float64)
        table = np.column_stack([plan.r_enu_m, plan.v_enu_mps, plan.mass_kg, plan.accel_enu_mps2])

        def f(t_mid: np.ndarray, tf_s: float) -> np.ndarray:
            del tf_s
            n = len(t_mid)
            states, thrust = np.empty((n, 7)), np.empty(n)
            t_mid = np.asarray(t_mid, dtype=float)
            plan_states_at(offset_s, t_mid, plan.tf_s, nodes, table, states, thrust)
            return drag_accel_many(states, thrust, aero, env)[:, :3]

        return f

    def feasible(
        self, x: State, tf_guess_s: float, throttle_fraction: float | None = None
    ) -> LandingPlan:
        """The first pinpoint plan with throttle headroom found on a grid of times of flight.

        Enough to tell whether a landing is still possible from ``x``; the grid brackets the
        1-D stopping time ``tf_guess_s``. The headroom is ``ignition_throttle_max`` unless
        ``throttle_fraction`` says otherwise.
        """
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise RunTimeout("the ignition search passed its wall-clock limit")
        fraction = (
            self.cfg.ignition_throttle_max if throttle_fraction is None else throttle_fraction
        )
        prob = self.problem(x, fraction)
        dist = self.drag_now(x, fraction)
        n = self.solver.nodes
        plan = LandingPlan.failed(PlanStatus.INFEASIBLE, "no time of flight tried", 0, 0.0)
        for tf in tf_guess_s * _IGNITION_FACTORS:
            t_mid = self._mid * tf / n
            plan = self._count(
                self.solver.solve(prob, float(tf), "fuel", disturbance_enu_mps2=dist(t_mid, tf))
            )
            if plan.feasible:
                if self._keep_search:  # the search runs down the fall: the last is the lowest
                    self.search_plan = plan
                return plan
        return plan

    def first_plan(self, x: State, tf_hint_s: float | None) -> LandingPlan:
        """Free-final-time plan at ignition, then re-solved once with drag along itself.

        Tried with the planning headroom first, then with full throttle if that fails.
        """
        tf_range = (0.7 * tf_hint_s, 1.3 * tf_hint_s) if tf_hint_s else None
        plan = LandingPlan.failed(PlanStatus.INFEASIBLE, "not solved", 0, 0.0)
        n = self.solver.nodes
        for fraction in (self.cfg.planning_throttle_max, 1.0):
            prob = self.problem(x, fraction)
            plan = self._count(
                solve_free_time(
                    self.solver,
                    prob,
                    disturbance=self.drag_now(x, fraction),
                    tf_range_s=tf_range,
                    grid_points=6,
                    tol_s=FIRST_PLAN_TOL_S,
                )
            )
            if not plan.feasible:
                continue
            drag = self.drag_along(plan, 0.0)
            for factor in (1.0, 0.97, 1.03):  # the drag-aware optimum is close by
                tf = factor * plan.tf_s
                t_mid = self._mid * tf / n
                again = self._count(
                    self.solver.solve(prob, tf, "fuel", disturbance_enu_mps2=drag(t_mid, tf))
                )
                if again.feasible:
                    return again
            return plan
        return plan

    def replan(self, x: State, old: LandingPlan, elapsed_s: float) -> LandingPlan:
        """Re-solve from ``x`` with the time that remains; nudge it, then accept a near miss.

        First with the planning headroom, then at full throttle, each at the remaining time of
        flight and two nearby ones; if the pad has become unreachable, the minimum-landing-error
        plan and its fuel-optimal twin. At most eight solves.
        """
        tf_go = old.tf_s - elapsed_s
        dist = self.drag_along(old, elapsed_s)
        n = self.solver.nodes

        def solve(prob: LandingProblem, tf: float, mode: str, bound: float = 0.0) -> LandingPlan:
            t_mid = self._mid * tf / n
            d = dist(t_mid, tf)
            return self._count(
                self.solver.solve(prob, tf, mode, error_bound_m=bound, disturbance_enu_mps2=d)
            )

        for fraction in (self.cfg.planning_throttle_max, 1.0):
            prob = self.problem(x, fraction)
            for factor in (1.0, 0.95, 1.05):
                plan = solve(prob, factor * tf_go, "fuel")
                if plan.feasible:
                    return plan
        nearest = solve(prob, tf_go, "error")
        if not nearest.feasible:
            return nearest
        bounded = solve(prob, tf_go, "fuel_bounded", nearest.landing_error_m * (1 + 1e-6) + 1e-3)
        return bounded if bounded.feasible else nearest

    def prepare(self, fix: State, t0_s: float = 0.0) -> float:
        """Decide the ignition from one navigation fix taken at ``t0_s``; returns its time.

        A rigid vehicle plans inside its narrower plan cone (``rigid_settings``) when a landing
        exists in it, and in the vehicle's whole cone otherwise. The predicted fall is kept:
        the coast checks the stage against it (``coast``, in ``update``).
        """
        setup = self.setup
        fall = ballistic_path(
            setup, fix, setup.sim.dt_s, setup.sim.max_time_s - t0_s, self.deadline
        )
        self.coast.watch(fall, t0_s)
        t_ig = self._prepare(fix)
        if self.plan_tilt_rad is not None and self.tf_hint_s is None:
            self.plan_tilt_rad = None
            self.notes.append("no landing inside the rigid plan cone: planning in the full cone")
            t_ig = self._prepare(fix)
        if self.tf_hint_s is None:  # no headroom, and lit now it cannot land: the latest ignition
            t_ig = self._at_full_thrust(fix)  # at full thrust (a fall from high up)
        self.ignition_t_s = t0_s + t_ig
        return self.ignition_t_s

    def _at_full_thrust(self, fix: State) -> float:
        """The latest ignition from which a pinpoint plan exists at full thrust (0.0, lighting at
        once, when there is none)."""
        full = functools.partial(self.feasible, throttle_fraction=1.0)
        t_ig, tf_hint = find_ignition(self.setup, full, fix, 1.0, self.deadline, self.coast.fall)
        if tf_hint is not None:
            self.tf_hint_s = tf_hint
            self.notes.append("ignition planned at 1.00 of full throttle")
        return t_ig

    def _prepare(self, fix: State) -> float:
        """The ignition decision of ``prepare``.

        The latest ignition from which a pinpoint plan with the preferred throttle headroom
        exists. When that is already past, lighting at once with the least throttle that lands
        would waste the fall: it accepts ``HEADROOM_STEP`` less headroom than that and lights at
        the latest point that allows. Anchored on the least throttle (not on a fixed ladder of
        fractions), the ignition point moves smoothly with the state.

        Every check of that fallback tries the times of flight of the full-thrust stopping
        estimate (finite whenever the stage can stop at all, unlike a low preferred headroom's),
        whatever fraction it plans with. The plans a fraction allows are among those of any
        higher fraction, so on one set of trial times a plan found at one fraction is found at
        every higher one, as the bisection over fractions assumes. (With times scaled to each
        fraction's own estimate, six trial times stepped over a feasible window 20 % wide: "not
        even full throttle lands" from a state where 0.85 does, and the burn lit at once.)
        """
        setup = self.setup
        preferred = self.cfg.ignition_throttle_max
        check = functools.partial(self.feasible, throttle_fraction=preferred)
        fall = self.coast.fall
        t_ig, tf_hint = find_ignition(setup, check, fix, preferred, self.deadline, fall)
        if tf_hint is None and preferred < 1.0:
            tf_guess_s = stopping_estimate(setup, fix, 1.0)[1]

            def at_once(fraction: float) -> LandingPlan:
                return self.feasible(fix, tf_guess_s, fraction)

            least, plan0 = least_feasible_fraction(at_once, preferred)
            if plan0.feasible:
                fraction = min(least + HEADROOM_STEP, 1.0)
                check = functools.partial(self.feasible, throttle_fraction=fraction)
                # seeded and timed at full thrust, as ``at_once``
                t_ig, tf_hint = find_ignition(setup, check, fix, 1.0, self.deadline, fall)
                if tf_hint is None:  # cannot happen unless the checks disagree: light at once
                    t_ig, tf_hint = 0.0, plan0.tf_s
                self.notes.append(f"ignition planned at {fraction:.2f} of full throttle")
        self.tf_hint_s = tf_hint
        return t_ig

    def quiet_until_s(self, phase: str) -> float:
        """``update`` changes nothing in ``phase`` for a step that starts before this time (in
        the coast the ignition's or the next check of the fall's, in the burn the next
        re-plan's): the loop may fly those steps in one go (``mission.quiet_burn``)."""
        if phase == COAST:
            return min(self.ignition_t_s, self.coast.next_check_s) - 1e-9
        return self._t_next - 1e-9

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        """Light and plan at the ignition time; re-plan at ``replan_hz`` during the burn."""
        self.thrust_scale = nav.thrust_scale
        t = tick.t_s
        if tick.phase == COAST:
            if self.coast.due(t, self.ignition_t_s):
                self.coast.check(nav.state, t, self.ignition_t_s, self.prepare, self.notes)
            if t < self.ignition_t_s - 1e-9:
                return Demand(COAST, self.ignition_t_s, self.search_plan, self.ignition_t_s)
            self.plan = self.first = self.first_plan(nav.state, self.tf_hint_s)
            self.plan_t0_s, self._t_next = t, t + self._period_s
            if not self.plan.feasible:
                self.notes.append(f"no feasible plan at ignition: {self.plan.message}")
            return Demand(LANDING_BURN, self.ignition_t_s, self.plan, self.plan_t0_s)
        if tick.phase == LANDING_BURN and self.plan is not None and t >= self._t_next - 1e-9:
            self._replan(nav.state, t)
        return Demand(tick.phase, self.ignition_t_s, self.plan, self.plan_t0_s)

    def _replan(self, x: State, t: float) -> None:
        plan = self.plan
        assert plan is not None
        self._t_next = t + self._period_s
        if not (plan.feasible and plan.tf_s - (t - self.plan_t0_s) > self._freeze_s):
            return
        t0_wall = time.perf_counter()
        new = self.replan(x, plan, t - self.plan_t0_s)
        self.replan_times_s.append(time.perf_counter() - t0_wall)
        if new.feasible:
            self.plan, self.plan_t0_s = new, t
        else:
            self.notes.append(f"t={t:.1f}s re-plan failed ({new.message}); kept last plan")

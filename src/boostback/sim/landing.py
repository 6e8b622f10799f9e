"""The landing-burn flight executive: coast, ignition decision, guided burn, touchdown.

The booster cannot hover at minimum throttle, so ignition is a decision: the executive predicts the
unpowered fall and finds, by bisection, the latest moment from which the convex guidance still has a
pinpoint solution while keeping throttle headroom (``planning_throttle_max``). After ignition it
re-plans at ``replan_hz`` with the time of flight that remains (a free-time search only when that
fails), tracks the plan with a PD correction between re-plans, and flies the last seconds on the
last plan straight down onto the pad.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from boostback.dynamics import Environment, State, drag_accel, step_with_events
from boostback.dynamics.fast import compile_kernel
from boostback.guidance.conic import ConicSolver
from boostback.guidance.lcvx import LcvxSolver
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.problem import LandingProblem
from boostback.guidance.search import Disturbance, solve_free_time
from boostback.sim.faults import FaultState, GustWind, lag_step
from boostback.sim.ignition import find_ignition, stopping_estimate
from boostback.sim.navigation import NavigationFilter
from boostback.sim.outcome import Outcome, Touchdown, classify
from boostback.sim.record import Recorder, Trajectory
from boostback.sim.setup import LandingSetup

KP_PER_S2 = 0.6  # position gain of the plan-tracking correction
KD_PER_S = 1.6  # velocity gain
TERMINAL_KP = 0.5  # horizontal position gain in the final seconds, 1/s^2
TERMINAL_KD = 1.5  # horizontal velocity gain, 1/s
TERMINAL_TAU_S = 1.0  # time constant for the descent rate when slower than touchdown speed
CUTOFF_ALTITUDE_M = 2.0  # below this, a booster that has stopped descending shuts down
CUTOFF_SINK_MPS = 0.1
# When the preferred ignition headroom is out of reach: the least throttle that lands is found
# to HEADROOM_TOL, and the ignition accepts HEADROOM_STEP less headroom than that (on average
# what the former ladder of 0.05 steps from the preferred fraction gave away).
HEADROOM_TOL = 0.01
HEADROOM_STEP = 0.025
CUTOFF_CLIMB_MPS = 0.5  # sliding sideways, it shuts down once climbing this fast
MIN_TERMINAL_SINK_MPS = 0.3  # a plan to arrive at rest is flown to a gentle, non-zero sink
TERMINAL_MAX_TILT_RAD = math.radians(10.0)  # near the ground the vehicle stays near vertical
ESTIMATOR_TAU_S = 0.5  # time constant of the thrust estimator
ESTIMATOR_SETTLE_S = 0.5  # the estimator waits this long after ignition
IGNITION_GRID = 6  # times of flight tried per ignition candidate
FIRST_PLAN_TOL_S = 0.2  # time-of-flight resolution of the plan at ignition


@dataclass(frozen=True)
class LandingResult:
    outcome: Outcome
    touchdown: Touchdown | None
    trajectory: Trajectory
    ignition_t_s: float
    first_plan: LandingPlan | None
    # wall time of each re-plan after ignition, all its solves included: the latency a flight
    # computer would see (the ignition search and the first plan are not in it)
    replan_times_s: tuple[float, ...]
    guidance_solves: int
    guidance_time_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def replans(self) -> int:
        """How many times the plan was re-solved after ignition."""
        return len(self.replan_times_s)

    @property
    def burn_time_s(self) -> float:
        end = self.touchdown.t_s if self.touchdown else float(self.trajectory.t_s[-1])
        return end - self.ignition_t_s if math.isfinite(self.ignition_t_s) else 0.0

    def summary(self) -> dict[str, float | str | int]:
        traj = self.trajectory
        used = float(traj.mass_kg[0] - traj.mass_kg[-1])
        td = self.touchdown
        nan = float("nan")
        return {
            "outcome": self.outcome.value,
            "ignition_t_s": self.ignition_t_s,
            "ignition_altitude_m": _event_value(traj, "ignition", "altitude_m"),
            "burn_time_s": self.burn_time_s,
            "touchdown_t_s": td.t_s if td else nan,
            "touchdown_vertical_speed_mps": td.vertical_speed_mps if td else nan,
            "touchdown_lateral_speed_mps": td.lateral_speed_mps if td else nan,
            "touchdown_tilt_deg": td.tilt_deg if td else nan,
            "miss_distance_m": td.miss_m if td else nan,
            "propellant_used_kg": used,
            "propellant_left_kg": td.propellant_kg if td else float(traj.mass_kg[-1] - 0.0),
            "replans": self.replans,
            "guidance_solves": self.guidance_solves,
            "guidance_time_s": self.guidance_time_s,
        }


def _event_value(traj: Trajectory, name: str, attr: str) -> float:
    for ev in traj.events:
        if ev.name == name:
            return float(getattr(ev, attr))
    return float("nan")


class _Guidance:
    """Wraps the solvers with the vehicle's aerodynamics as a known disturbance."""

    def __init__(self, setup: LandingSetup) -> None:
        self.setup = setup
        self.cfg = setup.scenario.guidance
        # Achieved over commanded thrust, estimated in flight from the accelerometers: a weak
        # engine is planned for as it is, not as the data sheet says.
        self.thrust_scale = 1.0
        g = setup.scenario.guidance
        backend = ConicSolver if g.backend == "conic" else LcvxSolver
        self.solver = backend(g.nodes)
        self.solves = 0
        self.seconds = 0.0

    def _count(self, plan: LandingPlan) -> LandingPlan:
        self.solves += plan.solves
        self.seconds += plan.solve_time_s
        return plan

    def problem(self, x: State, throttle_fraction: float) -> LandingProblem:
        """The landing problem from ``x``, with thrust scaled by the in-flight estimate."""
        p_pa = self.setup.env.atmosphere.scalar(x[2])[1]
        prob = self.setup.guidance_problem(x, p_pa, throttle_fraction)
        if self.thrust_scale == 1.0:
            return prob
        k = self.thrust_scale
        return replace(prob, thrust_min_n=prob.thrust_min_n * k, thrust_max_n=prob.thrust_max_n * k)

    def drag_now(self, x: State, throttle_fraction: float) -> Disturbance:
        """Drag at ``x`` fading as (1 - t/tf)^2: speed falls about linearly through the burn.

        The burn's plume shields the vehicle (when the aero model says so): the drag is taken
        with the engines at ``throttle_fraction`` of full throttle.
        """
        p_pa = self.setup.env.atmosphere.scalar(x[2])[1]
        prop = self.setup.prop
        thrust = prop.thrust_n(p_pa, prop.throttle_max * throttle_fraction) * self.thrust_scale
        d = np.array(drag_accel(x, self.setup.aero, self.setup.env, thrust)[:3])

        def f(t_mid: np.ndarray, tf_s: float) -> np.ndarray:
            return np.outer((1.0 - t_mid / tf_s) ** 2, d)

        return f

    def drag_along(self, plan: LandingPlan, offset_s: float) -> Disturbance:
        aero, env = self.setup.aero, self.setup.env

        def f(t_mid: np.ndarray, tf_s: float) -> np.ndarray:
            del tf_s
            ts = np.clip(offset_s + np.asarray(t_mid, dtype=float), 0.0, plan.tf_s)
            cols = [np.interp(ts, plan.t_s, c) for c in plan.r_enu_m.T]
            cols += [np.interp(ts, plan.t_s, c) for c in plan.v_enu_mps.T]
            m = np.interp(ts, plan.t_s, plan.mass_kg)
            u = np.column_stack([np.interp(ts, plan.t_s, c) for c in plan.accel_enu_mps2.T])
            thrust = m * np.sqrt((u * u).sum(axis=1))
            states = np.column_stack([*cols, m]).tolist()
            out = np.empty((len(ts), 3))
            for i, x in enumerate(states):
                out[i] = drag_accel(tuple(x), aero, env, float(thrust[i]))[:3]  # type: ignore[arg-type]
            return out

        return f

    def feasible(
        self, x: State, tf_guess_s: float, throttle_fraction: float | None = None
    ) -> LandingPlan:
        """The first pinpoint plan with throttle headroom found on a grid of times of flight.

        Enough to tell whether a landing is still possible from ``x``; the grid brackets the
        1-D stopping time ``tf_guess_s``. The headroom is ``ignition_throttle_max`` unless
        ``throttle_fraction`` says otherwise.
        """
        fraction = (
            self.cfg.ignition_throttle_max if throttle_fraction is None else throttle_fraction
        )
        prob = self.problem(x, fraction)
        dist = self.drag_now(x, fraction)
        n = self.solver.nodes
        plan = LandingPlan.failed(PlanStatus.INFEASIBLE, "no time of flight tried", 0, 0.0)
        for tf in tf_guess_s * np.geomspace(0.7, 2.5, IGNITION_GRID):
            t_mid = (np.arange(n) + 0.5) * tf / n
            plan = self._count(
                self.solver.solve(prob, float(tf), "fuel", disturbance_enu_mps2=dist(t_mid, tf))
            )
            if plan.feasible:
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
                t_mid = (np.arange(n) + 0.5) * tf / n
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
            t_mid = (np.arange(n) + 0.5) * tf / n
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


def terminal_accel(
    r: np.ndarray, v: np.ndarray, target: np.ndarray, touchdown_speed_mps: float, g_up: float
) -> np.ndarray:
    """Command for the final seconds, from the navigated state alone.

    Vertical: the constant deceleration that brings the descent rate to the touchdown speed
    exactly at the ground (self-correcting: a booster high or slow gets less thrust). Horizontal:
    a PD law onto the landing point.
    """
    h = max(float(r[2] - target[2]), 0.05)
    vz = float(v[2])
    if vz < -touchdown_speed_mps:
        a_up = g_up + (vz * vz - touchdown_speed_mps**2) / (2.0 * h)
    else:
        a_up = g_up - (touchdown_speed_mps + vz) / TERMINAL_TAU_S
    a_h = TERMINAL_KP * (target[:2] - r[:2]) - TERMINAL_KD * v[:2]
    return np.array([a_h[0], a_h[1], a_up])


def turn_towards(
    current: tuple[float, float, float], wanted: tuple[float, float, float], max_angle_rad: float
) -> tuple[float, float, float]:
    """Rotate the unit vector ``current`` towards ``wanted`` by at most ``max_angle_rad``."""
    c = np.asarray(current)
    w = np.asarray(wanted)
    cos_a = float(np.clip(c @ w, -1.0, 1.0))
    angle = math.acos(cos_a)
    if angle <= max_angle_rad or angle < 1e-12:
        return wanted
    # slerp by the fraction of the angle the vehicle can turn this step
    f = max_angle_rad / angle
    sin_a = math.sin(angle)
    out = (math.sin((1 - f) * angle) * c + math.sin(f * angle) * w) / sin_a
    out /= np.linalg.norm(out)
    return (float(out[0]), float(out[1]), float(out[2]))


def _limit_tilt(vec: np.ndarray, max_tilt_rad: float) -> tuple[float, float, float]:
    norm = float(np.linalg.norm(vec))
    if norm == 0.0:
        return (0.0, 0.0, 1.0)
    d = vec / norm
    horiz = math.hypot(d[0], d[1])
    tilt = math.atan2(horiz, d[2])
    if tilt <= max_tilt_rad:
        return (float(d[0]), float(d[1]), float(d[2]))
    s = math.sin(max_tilt_rad) / horiz if horiz > 0 else 0.0
    return (float(d[0] * s), float(d[1] * s), math.cos(max_tilt_rad))


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


class RunTimeout(RuntimeError):
    """A flight took longer in wall-clock time than its caller allowed."""


def fly_landing(
    setup: LandingSetup,
    faults: FaultState | None = None,
    *,
    wall_limit_s: float | None = None,
) -> LandingResult:
    """Fly the scenario from its initial state to touchdown (or the simulated time limit).

    ``faults`` act on the truth model; guidance sees only the navigated state. With
    ``wall_limit_s`` a flight that runs longer than that in wall-clock time raises ``RunTimeout``.
    """
    cfg = setup.scenario
    dt = cfg.sim.dt_s
    dry = setup.dry_mass_kg
    landing = setup.stage.landing
    max_tilt = math.radians(landing.max_tilt_deg) if landing else math.pi / 2
    turn_rate = math.radians(landing.max_turn_rate_deg_s) if landing else math.inf
    fs = faults if faults is not None else FaultState()
    deadline = None if wall_limit_s is None else time.perf_counter() + wall_limit_s
    guidance = _Guidance(setup)
    kernel = compile_kernel(setup.prop, setup.aero, setup.env)
    vertical_end = cfg.guidance.terminal_vertical_s > 0.0
    lateral_ok = 0.5 * setup.stage.limits.max_lateral_speed_mps  # cut-off only once slow sideways
    rec = Recorder()
    notes: list[str] = []
    x: State = setup.initial_state()
    if fs:
        x = (*x[:6], dry + (x[6] - dry) * fs.propellant_factor())
    t = 0.0
    t_ig, tf_hint = 0.0, None
    fix = fs.navigate(x, t, "coast")  # one navigation fix for the whole decision
    preferred = cfg.guidance.ignition_throttle_max
    check = functools.partial(guidance.feasible, throttle_fraction=preferred)
    t_ig, tf_hint = find_ignition(setup, check, fix, preferred)
    if tf_hint is None and preferred < 1.0:
        # Too late for the preferred headroom. Lighting at once with the least throttle that
        # lands from here would waste the fall; accept HEADROOM_STEP less headroom than that
        # and light at the latest point that allows. Anchored on the least throttle (not on a
        # fixed ladder of fractions), the ignition point moves smoothly with the state.
        def at_once(fraction: float) -> LandingPlan:
            return guidance.feasible(fix, stopping_estimate(setup, fix, fraction)[1], fraction)

        least, plan0 = least_feasible_fraction(at_once, preferred)
        if plan0.feasible:
            fraction = min(least + HEADROOM_STEP, 1.0)
            check = functools.partial(guidance.feasible, throttle_fraction=fraction)
            t_ig, tf_hint = find_ignition(setup, check, fix, fraction)
            if tf_hint is None:  # cannot happen unless the checks disagree: light at once
                t_ig, tf_hint = 0.0, plan0.tf_s
            notes.append(f"ignition planned at {fraction:.2f} of full throttle")
    lit_at = t_ig + fs.ignition_delay_s()
    thr_actual = 0.0
    thrust_cmd = 0.0
    replan_period = 1.0 / cfg.guidance.replan_hz
    freeze_s = cfg.guidance.terminal_vertical_s + 1.0
    plan: LandingPlan | None = None
    first_plan: LandingPlan | None = None
    t_plan = t_next = 0.0
    replan_times: list[float] = []
    phase = "coast"
    ran_dry = False
    touchdown: Touchdown | None = None
    throttle, direction, thrust = 0.0, (0.0, 0.0, 1.0), 0.0
    g_up = -float(setup.env.gravity.accel(np.zeros(3))[2])
    v_td = np.array([0.0, 0.0, -cfg.guidance.touchdown_speed_mps])

    def sample(phase_now: str) -> None:
        _, mach, qbar = drag_accel(x, setup.aero, setup.env)[2:]
        rec.sample(t, x, throttle, direction, thrust, mach, qbar, phase_now)

    rec.event("start", t, x, dry)
    nav_filter = NavigationFilter(cfg.guidance.nav_filter_time_constant_s)
    x_prev, t_prev = x, t
    while t < cfg.sim.max_time_s:
        if deadline is not None and time.perf_counter() > deadline:
            raise RunTimeout(f"flight exceeded {wall_limit_s:g} s of wall-clock time at t={t:.1f}s")
        fix = fs.navigate(x, t, phase) if fs else x
        if fix is x:  # exact navigation: nothing to filter
            nav = x
            nav_filter.reset()
        else:
            nav = nav_filter.fuse(x_prev, x, fix, t - t_prev)
        x_prev, t_prev = x, t
        if phase == "coast" and t >= t_ig - 1e-9:
            phase = "landing_burn"
            rec.event("ignition", t, x, dry)
            plan = first_plan = guidance.first_plan(nav, tf_hint)
            t_plan, t_next = t, t + replan_period
            if not plan.feasible:
                notes.append(f"no feasible plan at ignition: {plan.message}")
        elif phase == "landing_burn" and plan is not None and t >= t_next - 1e-9:
            t_next = t + replan_period
            if plan.feasible and plan.tf_s - (t - t_plan) > freeze_s:
                t0_wall = time.perf_counter()
                new = guidance.replan(nav, plan, t - t_plan)
                replan_times.append(time.perf_counter() - t0_wall)
                if new.feasible:
                    plan, t_plan = new, t
                else:
                    notes.append(f"t={t:.1f}s re-plan failed ({new.message}); kept last plan")
        h_step = dt
        if phase == "coast":
            throttle, thrust = 0.0, 0.0
            if t + dt > t_ig > t:
                h_step = t_ig - t
        elif phase == "landing_burn":
            r = np.array(nav[0:3])
            v = np.array(nav[3:6])
            terminal = upright = False
            if plan is not None and plan.feasible:
                tau = t - t_plan
                upright = vertical_end and tau >= plan.tf_s - cfg.guidance.terminal_vertical_s
                r_p, v_p, u_p = plan.sample(tau)
                a_cmd = u_p + KP_PER_S2 * (r_p - r) + KD_PER_S * (v_p - v)
                # Last seconds of a plan that ends straight down: the descent rate closes its loop
                # on the state, not on a stale plan; sideways, the plan is followed to its end,
                # then held on the pad. (A plan that ends at rest, as in the papers, is tracked.)
                terminal = plan.tf_s - tau <= freeze_s and vertical_end
                if terminal:
                    sink = max(-v_td[2], MIN_TERMINAL_SINK_MPS)
                    term = terminal_accel(r, v, plan.r_enu_m[-1], sink, g_up)
                    a_cmd[2] = term[2]
                    if tau > plan.tf_s:
                        a_cmd[:2] = term[:2]
            else:  # no plan: brake straight against the velocity at full thrust
                a_cmd = -v / max(float(np.linalg.norm(v)), 1e-6) * 1e3
            sliding = math.hypot(v[0], v[1]) >= lateral_ok
            stopped = v[2] > (CUTOFF_CLIMB_MPS if sliding else -CUTOFF_SINK_MPS)
            if stopped and r[2] < CUTOFF_ALTITUDE_M and t > lit_at:
                # Stopped just above the pad with a floor thrust above the weight: it cannot
                # hover, so shut down and drop the last bit rather than climb away. Still
                # sliding sideways, as at the end of the papers' plans that end at rest on a
                # shallow glide slope, it keeps braking, unless it has begun to climb.
                phase = "engine_cutoff"
                rec.event("engine_cutoff", t, x, dry)
            p_pa = setup.env.atmosphere.scalar(x[2])[1]
            thrust_req = x[6] * float(np.linalg.norm(a_cmd)) / guidance.thrust_scale
            throttle = min(
                max(setup.prop.throttle_for(thrust_req, p_pa), setup.prop.throttle_min),
                setup.prop.throttle_max,
            )
            # In the plan's vertical descent the vehicle is upright: hold it so.
            tilt_cap = min(max_tilt, TERMINAL_MAX_TILT_RAD) if upright else max_tilt
            wanted = _limit_tilt(a_cmd, tilt_cap * fs.tilt_factor(t, phase, x[2]))
            direction = turn_towards(direction, wanted, turn_rate * h_step)
            # The truth: ignition delay, throttle lag and thrust shortfall act here.
            lag = fs.throttle_lag_s(t, phase, x[2])
            if t >= lit_at - 1e-9:
                thr_actual = lag_step(thr_actual, throttle, h_step, lag) if lag else throttle
                # What the engine's valve position says it should give (a lag is no shortfall).
                thrust_cmd = setup.prop.thrust_n(p_pa, thr_actual)
                throttle = thr_actual * fs.thrust_factor(t, phase, x[2])
            else:
                thr_actual = throttle = thrust_cmd = 0.0
            thrust = setup.prop.thrust_n(p_pa, throttle)
        if phase in ("falling", "engine_cutoff"):  # out of propellant, or shut down
            throttle, thrust = 0.0, 0.0
        sample(phase)
        env, kern = setup.env, kernel
        gust = fs.gust(t, phase, x[2]) if fs else None
        if gust is not None:
            env = Environment(env.atmosphere, env.gravity, GustWind(env.wind, gust))
            kern = compile_kernel(setup.prop, setup.aero, env)
        if phase == "landing_burn" and thrust_cmd > 0.0 and t > lit_at + ESTIMATOR_SETTLE_S:
            # Accelerometers measure specific force; less the modelled drag it is thrust / mass.
            ratio = min(max(thrust / thrust_cmd, 0.5), 1.2)
            w = 1.0 - math.exp(-h_step / ESTIMATOR_TAU_S)
            guidance.thrust_scale += w * (ratio - guidance.thrust_scale)
        res = step_with_events(
            x, h_step, throttle, direction, setup.prop, setup.aero, env, dry, kern
        )
        x, t = res.state, t + res.dt
        if res.event == "propellant_out":
            ran_dry = True
            phase = "falling"
            rec.event("propellant_out", t, x, dry)
        elif res.event == "touchdown":
            throttle, thrust = 0.0, 0.0
            sample("touchdown")
            vz = -x[5]
            tilt = math.degrees(math.acos(max(-1.0, min(1.0, direction[2]))))
            touchdown = Touchdown(
                t_s=t,
                vertical_speed_mps=vz,
                lateral_speed_mps=math.hypot(x[3], x[4]),
                tilt_deg=tilt if phase == "landing_burn" else 0.0,
                miss_m=math.hypot(x[0], x[1]),
                propellant_kg=x[6] - dry,
            )
            rec.event("touchdown", t, x, dry)
            break
    else:
        sample(phase)
    outcome = classify(touchdown, setup.stage.limits, ran_dry)
    return LandingResult(
        outcome=outcome,
        touchdown=touchdown,
        trajectory=rec.finish(),
        ignition_t_s=t_ig,
        first_plan=first_plan,
        replan_times_s=tuple(replan_times),
        guidance_solves=guidance.solves,
        guidance_time_s=guidance.seconds,
        notes=notes,
    )

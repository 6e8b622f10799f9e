"""Landing-burn guidance by successive convexification, as a ``Guidance`` of the closed loop.

The 6-DoF landing burn planned as a rigid body (``guidance.scvx``: mass, position, velocity,
attitude and body rates; body-frame thrust; gimbal, tilt, glide-slope and rate limits; free
final time), from the navigated rigid state, in the closed loop of ``mission.landing``:

- **ignition**: the LCvx guidance's decision, reused as it is (``LcvxGuidance.prepare``: the
  latest ignition from which a pinpoint point-mass landing with throttle headroom exists, in the
  rigid plan cone), and its coast's watch (``guidance.ignition.CoastWatch``): at ``replan_hz``
  the coast is checked against the fall the ignition was decided on, and the ignition decided
  again when the stage has left it by more than the pad's radius. During the coast the demand
  carries LCvx's plan found at the ignition point, so the attitude loop pre-points the body
  along its first thrust exactly as with LCvx;
- **the plan** at ignition: PTR (``ScvxSettings(method="ptr")``, EmbersArc's weights) from the
  navigated state: the navigator's 3-DoF view (the feet's centre) and its attitude and rates,
  turned into the centre of mass's position and velocity (``centre_of_mass``) and into the
  literature's up-east-north frame (``guidance.scvx.frames``). The final state: the centre of
  mass above the pad at the feet's arm, descending at the touchdown speed, upright, not rotating,
  the engine straight (``final_thrust_axial``);
- **re-plans** at ``guidance.replan_hz`` (2 Hz by default; never below 1 Hz), each warm-started
  from the rest of the last plan resampled on the nodes; a re-plan that does not converge keeps
  the last plan and says so in the notes, as LCvx does. Re-plans stop ``freeze_s`` before the
  plan's end (the controller's own terminal braking flies the last seconds);
- the demand's reference is the plan in the landing controller's terms (``ScvxTrack``, a
  ``LandingPlan``: the feet's position, the centre of mass's velocity, the thrust over the mass
  in ENU), with the SCvx plan itself attached; ``control.scvx_tracking`` tracks it.

The problem as flown: the booster's present mass, its dry mass as the floor; the landing
engines' thrust range as LCvx plans it (the floor ``planning_throttle_floor_margin`` above the
engines', the ceiling ``planning_throttle_max`` of full throttle, scaled by the navigator's thrust
estimate); mass flow per newton ``mdot / T_vac``; inertia and the engines' arm from the vehicle's
mass properties at the present mass (``plant.sixdof_setup.sixdof_params``), held through the plan
as the literature's model does; the gimbal cone ``GIMBAL_FRACTION`` of the engines' limit (the
attitude loop's reference may use that share of the actuators' reach, so a planned turn is one
it can follow); the tilt limit the rigid plan cone of ``guidance.rigid_settings``; the body-rate
limit the slower of the vehicle's turn rate and the reference's. Aerodynamics are ignored by the
plan (no drag, no aerodynamic moment): re-plans and the controller's feedback absorb them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from boostback.config.vocab import Phase
from boostback.dynamics.rigid_body import quat_between, rotate_body_to_frame
from boostback.dynamics.rigid_state import MASS, POS, QUAT, RATE, SIZE, VEL
from boostback.gnc.protocols import Demand, NavEstimate, Tick
from boostback.guidance.lcvx_guidance import LcvxGuidance, landing_problem
from boostback.guidance.plan import LandingPlan, PlanStatus
from boostback.guidance.rigid_settings import REFERENCE_FRACTION, rigid_timing
from boostback.guidance.scvx.frames import ENU_FROM_UEN, scvx_from_rigid
from boostback.guidance.scvx.problem import Scales, SixDofProblem
from boostback.guidance.scvx.result import ScvxPlan
from boostback.guidance.scvx.solver import ScvxSettings, solve
from boostback.plant.setup import LandingSetup
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

__all__ = [
    "GIMBAL_FRACTION",
    "ScvxGuidance",
    "ScvxTrack",
    "centre_of_mass",
    "loop_settings",
    "track_plan",
]

COAST, LANDING_BURN = Phase.COAST, Phase.LANDING_BURN
GIMBAL_FRACTION = REFERENCE_FRACTION  # share of the gimbal range a plan may use
REFERENCE_TURN_RATE_RAD_S = math.radians(10.0)  # the attitude reference's rate cap
# PTR iterations allowed in the loop; a re-plan's stays below the offline caps
# (``published_settings``: 30 PTR, 50 SCvx) on purpose: over seven 6-DoF landings (Falcon 9 and
# Zhuque-3 nominal, Zhuque-3 Y1's engine out, coast gusts and a turn-over; 2026-12-06) every
# solve that converged did so in at most 7 iterations, and none of those that ran out of 15
# converged with 50 or 100 allowed (each ended infeasible instead, every touchdown the same)
# while the Zhuque-3 Y1 flight took 2.4 times the CPU (1,380 iterations against 530).
FIRST_ITERATIONS = 40  # for the plan at ignition
REPLAN_ITERATIONS = 15  # and for a warm-started re-plan
MIN_REPLAN_HZ = 1.0
# Free at touchdown: the mass, and the roll (the quaternion's scalar and x_body parts, with the
# tilt parts held at zero: upright at any roll) and its rate. The landing engines' gimbals have
# no roll authority (the thrust acts through the axis) and the plan has no other torque, so a
# fixed final roll would be out of reach from all but the one roll the stage starts with.
FINAL_FREE = np.isin(np.arange(14), (0, 7, 8, 11))
MIN_LENGTH_M = 100.0  # the solve's unit of length: the distance to go, at least this
FREEZE_MARGIN_S = 1.0  # re-plans stop this long before the controller's terminal braking


def loop_settings(nodes: int, first: bool) -> ScvxSettings:
    """PTR with EmbersArc's weights (``guidance.scvx.published``) on ``nodes`` nodes, with the
    iteration budget of a first plan or of a warm-started re-plan."""
    return ScvxSettings(
        nodes=nodes,
        method="ptr",
        max_iterations=FIRST_ITERATIONS if first else REPLAN_ITERATIONS,
        penalty=1e5,
        virtual_norm="inf",
        floor_buffer=False,
    )


@dataclass(frozen=True)
class ScvxTrack(LandingPlan):
    """An SCvx plan in the landing controller's terms: the feet's centre as ``r_enu_m`` (the
    navigator's point), the centre of mass's velocity as ``v_enu_mps`` (what the rigid
    translation law measures), thrust over mass in ENU as ``accel_enu_mps2``; ``scvx`` is the
    plan itself (attitude, rates, body thrust)."""

    scvx: ScvxPlan | None = None


def _arm(params, m_kg: float) -> float:
    """The feet's station relative to the centre of mass (m along ``x_body``; negative)."""
    cg = np.interp(m_kg - params.dry_mass_kg, params.mp_propellant_kg, params.mp_cg_station_m)
    return float(params.leg_station_m - cg)


def centre_of_mass(nav: NavEstimate, params) -> np.ndarray:
    """The rigid state (14, ENU) of the centre of mass from a navigated feet's-centre state and
    its attitude; a point-mass estimate (no attitude) is taken as upright and not rotating."""
    x = np.zeros(SIZE)
    x[:7] = nav.state[:7]
    if nav.attitude is None:
        x[QUAT] = quat_between((1.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    else:
        x[QUAT] = nav.attitude[:4]
        x[RATE] = nav.attitude[4:7]
    q = tuple(float(c) for c in x[QUAT])
    arm = _arm(params, float(x[MASS]))
    w = x[RATE]
    x[POS] -= rotate_body_to_frame(q, (arm, 0.0, 0.0))
    x[VEL] -= rotate_body_to_frame(q, (0.0, arm * w[2], -arm * w[1]))
    return x


def track_plan(plan: ScvxPlan, params) -> ScvxTrack:
    """``plan`` as the landing controller tracks it (``ScvxTrack``)."""
    rigid = plan.rigid_states_enu()
    feet = np.empty((rigid.shape[0], 3))
    thrust = np.empty((rigid.shape[0], 3))
    for k, row in enumerate(rigid):
        q = tuple(float(c) for c in row[QUAT])
        feet[k] = row[POS] + rotate_body_to_frame(q, (_arm(params, float(row[MASS])), 0.0, 0.0))
        thrust[k] = rotate_body_to_frame(q, tuple(float(c) for c in plan.u_body_n[k]))
    accel = thrust / rigid[:, MASS][:, None]
    return ScvxTrack(
        status=PlanStatus.OPTIMAL,
        tf_s=plan.tf_s,
        t_s=plan.t_s,
        r_enu_m=feet,
        v_enu_mps=rigid[:, VEL].copy(),
        mass_kg=rigid[:, MASS].copy(),
        accel_enu_mps2=accel,
        sigma_mps2=np.linalg.norm(accel, axis=1),
        landing_error_m=float(np.hypot(feet[-1, 0], feet[-1, 1])),
        solves=plan.iterations,
        solve_time_s=plan.solve_time_s,
        message=plan.message,
        scvx=plan,
    )


class ScvxGuidance:
    """6-DoF successive-convexification landing guidance as a ``Guidance`` (module docstring).

    Parameters
    ----------
    setup : LandingSetup
        Vehicle, scenario and the models resolved from them; the vehicle needs a
        ``[booster.rigid_body]`` section.
    deadline : float, optional
        ``perf_counter()`` past which the ignition search gives up (``RunTimeout``).
    """

    def __init__(self, setup: LandingSetup, deadline: float | None = None) -> None:
        if setup.sim.dof != 6:
            setup = replace(setup, sim=setup.sim.model_copy(update={"dof": 6}))
        self.setup = setup
        self.lcvx = LcvxGuidance(setup, deadline)  # the ignition decision
        self.coast = self.lcvx.coast  # and the coast's watch over it
        self.params = sixdof_params(setup.vehicle)
        engines = burn_engines(setup.stage, "landing")
        self.engine_station_m = float(np.mean(self.params.engine_position_m[engines, 0]))
        timing = rigid_timing(setup)
        landing = setup.stage.landing
        self.plan_tilt_rad = timing.plan_tilt_rad
        self.max_tilt_rad = math.radians(landing.max_tilt_deg) if landing else math.pi / 2
        turn = math.radians(landing.max_turn_rate_deg_s) if landing else math.inf
        self.rate_max_rad_s = min(turn, REFERENCE_TURN_RATE_RAD_S)
        self.freeze_s = timing.terminal_vertical_s + FREEZE_MARGIN_S
        cfg = setup.guidance
        self.nodes = cfg.nodes
        self._period_s = 1.0 / max(cfg.replan_hz, MIN_REPLAN_HZ)
        self.plan: LandingPlan | None = None  # an ScvxTrack, or LCvx's if SCvx found none
        self.first: LandingPlan | None = None
        self.plan_t0_s = 0.0
        self._t_next = 0.0
        self.thrust_scale = 1.0
        self.solves = 0
        self.seconds = 0.0
        self.replan_times_s: list[float] = []
        self.history: list[ScvxPlan] = []  # every SCvx solve, in order
        self.notes: list[str] = []

    @property
    def ignition_t_s(self) -> float:
        return self.lcvx.ignition_t_s

    def problem(self, x_cm: np.ndarray, m_final_kg: float, tf_guess_s: float) -> SixDofProblem:
        """The SCvx landing problem from the centre of mass's rigid state ``x_cm`` (ENU, SI).

        ``m_final_kg`` (a guess of the touchdown mass) places the centre of mass's target above
        the pad at the feet's arm; ``tf_guess_s`` is the time of flight to start from.
        """
        setup, params = self.setup, self.params
        m0 = float(x_cm[MASS])
        fuel = m0 - params.dry_mass_kg
        inertia = np.diag(
            [
                np.interp(fuel, params.mp_propellant_kg, params.mp_inertia_kgm2[:, i])
                for i in range(3)
            ]
        )
        cg = float(np.interp(fuel, params.mp_propellant_kg, params.mp_cg_station_m))
        x3 = tuple(float(c) for c in x_cm[:7])
        lcvx = landing_problem(
            setup, x3, setup.env.pressure_pa(x3[2]), setup.guidance.planning_throttle_max
        )
        x_init = scvx_from_rigid(x_cm)
        tilt_now = 2.0 * math.asin(min(float(np.hypot(x_init[9], x_init[10])), 1.0))
        x_final = np.zeros(14)
        x_final[0] = params.dry_mass_kg
        x_final[1] = -_arm(params, max(m_final_kg, params.dry_mass_kg))
        x_final[4] = -setup.guidance.touchdown_speed_mps
        x_final[7] = 1.0
        cfg = setup.guidance
        k = self.thrust_scale
        return SixDofProblem(
            x_init=x_init,
            x_final=x_final,
            m_dry=params.dry_mass_kg,
            thrust_min=lcvx.thrust_min_n * k,
            thrust_max=lcvx.thrust_max_n * k,
            alpha=lcvx.alpha_s_per_m,
            g=ENU_FROM_UEN.T @ lcvx.g_enu_mps2,
            inertia=inertia,
            r_thrust=np.array([self.engine_station_m - cg, 0.0, 0.0]),
            gimbal_max_rad=GIMBAL_FRACTION * params.gimbal_max_rad,
            # a state outside a limit would make the first node infeasible: widen to it
            tilt_max_rad=max(self.plan_tilt_rad, 1.05 * tilt_now),
            glide_slope_rad=max(lcvx.glide_slope_rad, 1e-3),
            rate_max_rad=max(self.rate_max_rad_s, 1.05 * float(np.linalg.norm(x_init[11:14]))),
            tf_guess=min(max(tf_guess_s, cfg.tf_min_s), cfg.tf_max_s),
            tf_min=cfg.tf_min_s,
            tf_max=cfg.tf_max_s,
            final_free=FINAL_FREE,
            final_thrust_axial=True,
            cost="fuel",
        )

    def solve_from(
        self, x_cm: np.ndarray, m_final_kg: float, tf_guess_s: float, guess=None
    ) -> ScvxPlan:
        """An SCvx (PTR) plan from ``x_cm``, warm-started from ``guess`` (SI, the problem's
        layout) when given: within the planning limits, and when that does not converge once
        more within the vehicle's own (full gimbal range, tilt limit and full throttle: as LCvx's
        plans fall back to, and a stage whose ignition was decided at more than the planning
        throttle has nothing else). Counted in ``solves`` and ``seconds``."""
        plan = self._solve(self.problem(x_cm, m_final_kg, tf_guess_s), guess)
        if plan.converged:
            return plan
        x3 = tuple(float(c) for c in x_cm[:7])
        full = landing_problem(self.setup, x3, self.setup.env.pressure_pa(x3[2]), 1.0)
        prob = replace(
            plan.problem,
            gimbal_max_rad=self.params.gimbal_max_rad,
            tilt_max_rad=max(self.max_tilt_rad, plan.problem.tilt_max_rad),
            thrust_max=full.thrust_max_n * self.thrust_scale,
        )
        again = self._solve(prob, guess)
        return again if again.converged else plan

    def _solve(self, prob: SixDofProblem, guess) -> ScvxPlan:
        length = max(float(np.linalg.norm(prob.x_init[1:4])), MIN_LENGTH_M)
        g = float(np.linalg.norm(prob.g))
        scales = Scales(length=length, time=math.sqrt(length / g), mass=float(prob.x_init[0]))
        st = loop_settings(self.nodes, first=guess is None)
        plan = solve(prob, st, scales=scales, guess=guess)
        self.solves += plan.iterations
        self.seconds += plan.solve_time_s
        self.history.append(plan)
        return plan

    def prepare(self, fix, t0_s: float = 0.0) -> float:
        """The ignition decision from a fix taken at ``t0_s``: LCvx's (module docstring), its
        notes and solves counted here; returns its time."""
        lcvx = self.lcvx
        notes, solves, seconds = len(lcvx.notes), lcvx.solves, lcvx.seconds
        t_ig = lcvx.prepare(fix, t0_s)
        self.notes.extend(lcvx.notes[notes:])
        self.solves += lcvx.solves - solves
        self.seconds += lcvx.seconds - seconds
        return t_ig

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        """Pre-point in the coast, plan at ignition, re-plan during the burn."""
        self.thrust_scale = nav.thrust_scale
        t = tick.t_s
        t_ig = self.ignition_t_s
        if tick.phase == COAST:
            if self.coast.due(t, t_ig):
                t_ig = self.coast.check(nav.state, t, t_ig, self.prepare, self.notes)
            if t < t_ig - 1e-9:
                return Demand(COAST, t_ig, self.lcvx.search_plan, t_ig)
            self._first_plan(nav, t)
            return Demand(LANDING_BURN, t_ig, self.plan, self.plan_t0_s)
        if tick.phase == LANDING_BURN and self.plan is not None and t >= self._t_next - 1e-9:
            self._replan(nav, t)
        return Demand(tick.phase, t_ig, self.plan, self.plan_t0_s)

    def _first_plan(self, nav: NavEstimate, t: float) -> None:
        """The plan at ignition; LCvx's when SCvx finds none (re-plans try SCvx again)."""
        search = self.lcvx.search_plan
        m_final = float(search.mass_kg[-1]) if search is not None else self.params.dry_mass_kg
        tf_hint = self.lcvx.tf_hint_s or float(self.setup.guidance.tf_max_s) / 10.0
        plan = self.solve_from(centre_of_mass(nav, self.params), m_final, tf_hint)
        self.plan_t0_s, self._t_next = t, t + self._period_s
        if plan.converged:
            self.plan = self.first = track_plan(plan, self.params)
            self.notes.append(
                f"SCvx (PTR) plan at ignition: {plan.iterations} iterations in "
                f"{plan.solve_time_s:.2f} s, t_f {plan.tf_s:.1f} s"
            )
            return
        self.notes.append(f"no SCvx plan at ignition ({plan.status}): flying LCvx's plan")
        lcvx = self.lcvx.first_plan(nav.state, self.lcvx.tf_hint_s)
        self.solves += lcvx.solves
        self.seconds += lcvx.solve_time_s
        self.plan = self.first = lcvx
        if not lcvx.feasible:
            self.notes.append(f"no feasible plan at ignition: {lcvx.message}")

    def _guess(self, elapsed_s: float) -> tuple | None:
        """The rest of the last SCvx plan from ``elapsed_s`` on, resampled on the nodes (SI,
        the literature's layout), and its time to go; None when the plan flown is not SCvx's."""
        last = getattr(self.plan, "scvx", None)
        if last is None:
            return None
        ts = np.linspace(elapsed_s, last.tf_s, last.t_s.size)
        samples = [last.sample(tt) for tt in ts]
        xs = np.array(
            [
                np.concatenate(([s.mass_kg], s.r_uen_m, s.v_uen_mps, s.quat_uen, s.rate_body_rps))
                for s in samples
            ]
        )
        us = np.array([s.thrust_body_n for s in samples])
        return xs, us, last.tf_s - elapsed_s

    def _replan(self, nav: NavEstimate, t: float) -> None:
        self._t_next = t + self._period_s
        plan = self.plan
        assert plan is not None
        elapsed = t - self.plan_t0_s
        if not plan.feasible or plan.tf_s - elapsed <= self.freeze_s:
            return
        t0 = time.perf_counter()
        guess = self._guess(elapsed)
        m_final = float(plan.mass_kg[-1])
        new = self.solve_from(centre_of_mass(nav, self.params), m_final, plan.tf_s - elapsed, guess)
        self.replan_times_s.append(time.perf_counter() - t0)
        if new.converged:
            self.plan, self.plan_t0_s = track_plan(new, self.params), t
        else:
            self.notes.append(
                f"t={t:.1f}s re-plan failed ({new.status}: {new.message}); kept last plan"
            )

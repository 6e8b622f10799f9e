"""The landing burn's controller: plan tracking, terminal braking, tilt limit and slew, throttle.

Between re-plans it tracks the guidance's plan with a PD correction; over the last seconds of a
plan that ends straight down, the descent rate closes its loop on the navigated state (a
constant deceleration to touchdown speed at the ground) instead of on a stale plan; the thrust
direction is held inside the tilt limit (tighter near the ground) and slewed at the vehicle's
turn rate; the thrust is turned into a throttle with the in-flight thrust estimate. Just above
the pad, stopped, it shuts the engines down: the booster cannot hover.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from boostback.config.vocab import Phase
from boostback.dynamics.state import MASS, POS, VEL
from boostback.gnc.protocols import ActuatorCommand, Demand, NavEstimate, Tick, Vec3
from boostback.guidance.plan import LandingPlan
from boostback.plant.setup import LandingSetup

__all__ = [
    "LandingController",
    "TranslationDemand",
    "limit_tilt",
    "terminal_accel",
    "turn_towards",
]

KP_PER_S2 = 0.6  # position gain of the plan-tracking correction
KD_PER_S = 1.6  # velocity gain
TERMINAL_KP = 0.5  # horizontal position gain in the final seconds, 1/s^2
TERMINAL_KD = 1.5  # horizontal velocity gain, 1/s
HORIZONTAL_DAMPING = 0.9  # damping of the sideways loop when its bandwidth is given
TERMINAL_TAU_S = 1.0  # time constant for the descent rate when slower than touchdown speed
CUTOFF_ALTITUDE_M = 2.0  # below this, a booster that has stopped descending shuts down
CUTOFF_SINK_MPS = 0.1
CUTOFF_CLIMB_MPS = 0.5  # sliding sideways, it shuts down once climbing this fast
MIN_TERMINAL_SINK_MPS = 0.3  # a plan to arrive at rest is flown to a gentle, non-zero sink
TERMINAL_MAX_TILT_RAD = math.radians(10.0)  # near the ground the vehicle stays near vertical
ENGINE_CUTOFF = Phase.ENGINE_CUTOFF


def terminal_accel(
    r: np.ndarray,
    v: np.ndarray,
    target: np.ndarray,
    touchdown_speed_mps: float,
    g_up: float,
    gains: tuple[float, float] = (TERMINAL_KP, TERMINAL_KD),
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
    kp, kd = gains
    a_h = kp * (target[:2] - r[:2]) - kd * v[:2]
    return np.array([a_h[0], a_h[1], a_up])


def _norm(vec: np.ndarray) -> float:
    """``np.linalg.norm`` of a float vector, to the bit (it is ``sqrt(vec.dot(vec))``), without
    its checks: called a few times every control step."""
    return math.sqrt(vec.dot(vec))


def turn_towards(
    current: tuple[float, float, float], wanted: tuple[float, float, float], max_angle_rad: float
) -> tuple[float, float, float]:
    """Rotate the unit vector ``current`` towards ``wanted`` by at most ``max_angle_rad``."""
    c = np.array(current, dtype=float)
    w = np.array(wanted, dtype=float)
    cos_a = min(max(float(c.dot(w)), -1.0), 1.0)
    angle = math.acos(cos_a)
    if angle <= max_angle_rad or angle < 1e-12:
        return wanted
    # slerp by the fraction of the angle the vehicle can turn this step
    f = max_angle_rad / angle
    sin_a = math.sin(angle)
    out = (math.sin((1 - f) * angle) * c + math.sin(f * angle) * w) / sin_a
    out /= _norm(out)
    return (float(out[0]), float(out[1]), float(out[2]))


def limit_tilt(vec: np.ndarray, max_tilt_rad: float) -> tuple[float, float, float]:
    """The unit vector along ``vec`` (ENU), leaned back to ``max_tilt_rad`` from up if it tilts
    further (straight up for a zero vector)."""
    norm = _norm(vec)
    if norm == 0.0:
        return (0.0, 0.0, 1.0)
    d = vec / norm
    horiz = math.hypot(d[0], d[1])
    tilt = math.atan2(horiz, d[2])
    if tilt <= max_tilt_rad:
        return (float(d[0]), float(d[1]), float(d[2]))
    s = math.sin(max_tilt_rad) / horiz if horiz > 0 else 0.0
    return (float(d[0] * s), float(d[1] * s), math.cos(max_tilt_rad))


class TranslationDemand(NamedTuple):
    """What the translation law wants: an acceleration (the state's frame; gravity excluded, so
    the thrust's), the largest tilt of the thrust axis allowed now, and whether to shut down."""

    accel_mps2: np.ndarray
    tilt_cap_rad: float
    cutoff: bool


class LandingController:
    """The ``Controller`` of the landing burn.

    Parameters
    ----------
    setup : LandingSetup
        Vehicle, scenario and the models resolved from them.
    authority : callable, optional
        ``authority(t, phase, altitude_m)``: the fraction of the tilt limit the actuators can
        reach (a fault's hook; default: all of it).
    horizontal_bandwidth_rad_s : float, optional
        The sideways loop's bandwidth ``w``: its gains become ``w^2`` and ``2 zeta w``
        (``zeta = HORIZONTAL_DAMPING``), in tracking and in the final seconds. A rigid vehicle
        whose thrust axis turns through an attitude loop needs it a few times slower than that
        loop (``control.attitude``); default: the point mass's gains, whose thrust axis turns at
        once.
    """

    def __init__(
        self,
        setup: LandingSetup,
        authority: Callable[[float, str, float], float] | None = None,
        horizontal_bandwidth_rad_s: float | None = None,
    ) -> None:
        cfg = setup.guidance
        landing = setup.stage.landing
        self.prop = setup.prop
        self.max_tilt = math.radians(landing.max_tilt_deg) if landing else math.pi / 2
        self.turn_rate = math.radians(landing.max_turn_rate_deg_s) if landing else math.inf
        self.vertical_end = cfg.terminal_vertical_s > 0.0
        self.terminal_vertical_s = cfg.terminal_vertical_s
        self.freeze_s = cfg.terminal_vertical_s + 1.0
        # cut-off only once slow sideways
        self.lateral_ok = 0.5 * setup.stage.limits.max_lateral_speed_mps
        self.sink_mps = max(cfg.touchdown_speed_mps, MIN_TERMINAL_SINK_MPS)
        self.g_up = -float(setup.env.gravity.accel(np.zeros(3))[2])
        self.authority = authority
        self.direction: Vec3 = (0.0, 0.0, 1.0)
        w = horizontal_bandwidth_rad_s
        self.sideways = None if w is None else (w * w, 2.0 * HORIZONTAL_DAMPING * w)
        self.terminal_gains: tuple[float, float] = (
            (TERMINAL_KP, TERMINAL_KD) if self.sideways is None else self.sideways
        )

    def _accel(self, r: np.ndarray, v: np.ndarray, demand: Demand, t: float) -> tuple:
        """Acceleration wanted, and whether the plan's final vertical descent has begun."""
        plan = demand.reference
        if not (isinstance(plan, LandingPlan) and plan.feasible):
            # no plan: brake straight against the velocity at full thrust
            return -v / max(float(np.linalg.norm(v)), 1e-6) * 1e3, False
        tau = t - demand.reference_t0_s
        upright = self.vertical_end and tau >= plan.tf_s - self.terminal_vertical_s
        r_p, v_p, u_p = self.plan_point(plan, tau)
        a_cmd = u_p + KP_PER_S2 * (r_p - r) + KD_PER_S * (v_p - v)
        if self.sideways is not None:
            kp, kd = self.sideways
            a_cmd[:2] = u_p[:2] + kp * (r_p[:2] - r[:2]) + kd * (v_p[:2] - v[:2])
        # Last seconds of a plan that ends straight down: the descent rate closes its loop on
        # the state, not on a stale plan; sideways, the plan is followed to its end, then held
        # on the pad. (A plan that ends at rest, as in the papers, is tracked.)
        if plan.tf_s - tau <= self.freeze_s and self.vertical_end:
            term = terminal_accel(
                r, v, plan.r_enu_m[-1], self.sink_mps, self.g_up, self.terminal_gains
            )
            a_cmd[2] = term[2]
            if tau > plan.tf_s:
                a_cmd[:2] = term[:2]
        return a_cmd, upright

    def plan_point(self, plan: LandingPlan, tau: float) -> tuple:
        """The plan's position, velocity and thrust acceleration the law tracks at ``tau``
        (the plan's own; a rigid vehicle's law smooths the thrust, ``control.rigid_landing``)."""
        return plan.sample(tau)

    def demand(self, nav: NavEstimate, demand: Demand, tick: Tick) -> TranslationDemand:
        """The acceleration wanted, the tilt allowed and whether to shut down (the translation
        law, before any actuator: a rigid vehicle's attitude loop maps it onto its own axis)."""
        x, t = nav.state, tick.t_s
        r = np.array(x[POS])
        v = np.array(x[VEL])
        a_cmd, upright = self._accel(r, v, demand, t)
        # Stopped just above the pad with a floor thrust above the weight: it cannot hover, so
        # it shuts down and drops the last bit rather than climb away. Still sliding sideways,
        # as at the end of the papers' plans that end at rest on a shallow glide slope, it keeps
        # braking, unless it has begun to climb.
        sliding = math.hypot(v[0], v[1]) >= self.lateral_ok
        stopped = v[2] > (CUTOFF_CLIMB_MPS if sliding else -CUTOFF_SINK_MPS)
        cutoff = bool(stopped and r[2] < CUTOFF_ALTITUDE_M and t > nav.lit_at_s)
        # In the plan's vertical descent the vehicle is upright: hold it so.
        tilt_cap = min(self.max_tilt, TERMINAL_MAX_TILT_RAD) if upright else self.max_tilt
        if self.authority is not None:
            phase = ENGINE_CUTOFF if cutoff else tick.phase
            tilt_cap *= self.authority(t, phase, tick.altitude_m)
        return TranslationDemand(a_cmd, tilt_cap, cutoff)

    def throttle_for(self, nav: NavEstimate, accel_mps2: float) -> float:
        """The throttle that gives ``accel_mps2`` along the thrust axis, within the range."""
        thrust_req = nav.state[MASS] * accel_mps2 / nav.thrust_scale
        prop = self.prop
        return min(
            max(prop.throttle_for(thrust_req, nav.pressure_pa), prop.throttle_min),
            prop.throttle_max,
        )

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Throttle and thrust direction for the coming step of ``dt``."""
        want = self.demand(nav, demand, tick)
        throttle = self.throttle_for(nav, _norm(want.accel_mps2))
        wanted = limit_tilt(want.accel_mps2, want.tilt_cap_rad)
        self.direction = turn_towards(self.direction, wanted, self.turn_rate * dt)
        return ActuatorCommand(throttle, self.direction, want.cutoff)

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
from boostback.jit import interpreted
from boostback.plant.setup import LandingSetup

__all__ = [
    "LandingController",
    "TranslationDemand",
    "limit_tilt",
    "terminal_accel",
    "turn_towards",
]

from boostback.control.landing_law import (  # noqa: F401  (the law's constants, re-exported)
    CUTOFF_ALTITUDE_M,
    CUTOFF_CLIMB_MPS,
    CUTOFF_SINK_MPS,
    KD_PER_S,
    KP_PER_S2,
    TERMINAL_MAX_TILT_RAD,
    TERMINAL_TAU_S,
    law_settings,
    limit_tilt_kernel,
    norm3,
    stop_and_cap,
    terminal_accel_kernel,
    throttle_kernel,
    track_accel,
    turn_towards_kernel,
)

TERMINAL_KP = 0.5  # horizontal position gain in the final seconds, 1/s^2
TERMINAL_KD = 1.5  # horizontal velocity gain, 1/s
HORIZONTAL_DAMPING = 0.9  # damping of the sideways loop when its bandwidth is given
MIN_TERMINAL_SINK_MPS = 0.3  # a plan to arrive at rest is flown to a gentle, non-zero sink
ENGINE_CUTOFF = Phase.ENGINE_CUTOFF

# The law's kernels, run as Python here (``jit.interpreted``): called once a step on 3-vectors,
# numba's dispatch would cost about what they do. The compiled landing burn inlines them.
_terminal = interpreted(terminal_accel_kernel)
_track = interpreted(track_accel)
_stop_and_cap = interpreted(stop_and_cap)
_throttle = interpreted(throttle_kernel)
_limit_tilt = interpreted(limit_tilt_kernel)
_turn_towards = interpreted(turn_towards_kernel)
_norm = interpreted(norm3)


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
    return np.array(_terminal(r, v, target, touchdown_speed_mps, g_up, *gains), dtype=float)


def turn_towards(
    current: tuple[float, float, float], wanted: tuple[float, float, float], max_angle_rad: float
) -> tuple[float, float, float]:
    """Rotate the unit vector ``current`` towards ``wanted`` by at most ``max_angle_rad``."""
    out = _turn_towards(current, wanted, max_angle_rad)
    return out if out is wanted else (float(out[0]), float(out[1]), float(out[2]))


def limit_tilt(vec: np.ndarray, max_tilt_rad: float) -> tuple[float, float, float]:
    """The unit vector along ``vec`` (ENU), leaned back to ``max_tilt_rad`` from up if it tilts
    further (straight up for a zero vector)."""
    d = _limit_tilt(np.asarray(vec, dtype=float), max_tilt_rad)
    return (float(d[0]), float(d[1]), float(d[2]))


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
        self.law = law_settings(
            cfg.terminal_vertical_s,
            self.sink_mps,
            self.g_up,
            self.sideways,
            self.terminal_gains,
            self.lateral_ok,
            self.max_tilt,
            self.turn_rate,
        )

    def _accel(self, r: np.ndarray, v: np.ndarray, demand: Demand, t: float) -> tuple:
        """Acceleration wanted, and whether the plan's final vertical descent has begun."""
        plan = demand.reference
        if not (isinstance(plan, LandingPlan) and plan.feasible):
            # no plan: brake straight against the velocity at full thrust
            return -v / max(float(np.linalg.norm(v)), 1e-6) * 1e3, False
        tau = t - demand.reference_t0_s
        r_p, v_p, u_p = self.plan_point(plan, tau)
        return _track(r, v, r_p, v_p, u_p, tau, plan.tf_s, plan.r_enu_m[-1], self.law)

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
        # braking, unless it has begun to climb. In the plan's vertical descent the vehicle is
        # upright: hold it so.
        stop, tilt_cap = _stop_and_cap(r, v, t, nav.lit_at_s, upright, self.law)
        cutoff = bool(stop)
        if self.authority is not None:
            phase = ENGINE_CUTOFF if cutoff else tick.phase
            tilt_cap *= self.authority(t, phase, tick.altitude_m)
        return TranslationDemand(a_cmd, tilt_cap, cutoff)

    def throttle_for(self, nav: NavEstimate, accel_mps2: float) -> float:
        """The throttle that gives ``accel_mps2`` along the thrust axis, within the range."""
        prop = self.prop
        return float(
            _throttle(
                nav.state[MASS],
                accel_mps2,
                nav.thrust_scale,
                nav.pressure_pa,
                (prop.thrust_vac_n, prop.exit_area_m2),
                prop.throttle_min,
                prop.throttle_max,
            )
        )

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Throttle and thrust direction for the coming step of ``dt``."""
        want = self.demand(nav, demand, tick)
        throttle = self.throttle_for(nav, _norm(want.accel_mps2))
        wanted = limit_tilt(want.accel_mps2, want.tilt_cap_rad)
        self.direction = turn_towards(self.direction, wanted, self.turn_rate * dt)
        return ActuatorCommand(throttle, self.direction, want.cutoff)

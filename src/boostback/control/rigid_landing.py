"""The landing burn's translation law for a rigid vehicle, whose thrust axis turns slowly.

The point mass's law (``control.landing``) turns its thrust at once; a rigid booster turns it
through its attitude loop (``control.attitude``), which follows a rate- and acceleration-limited
reference. The law keeps the point mass's structure (track the plan, brake vertically in the
last seconds, throttle from the thrust estimate) with two changes, both taken from the attitude
loop's speed so the cascade stays time-scale separated:

- **sideways bandwidth** ``w_t = min(w_a / SEPARATION, TURN_BANDWIDTH / T)`` (``w_a`` the
  attitude loop's bandwidth, ``T`` the vehicle's turn time): the position and velocity gains
  become ``w_t^2`` and ``2 zeta w_t``. With the attitude loop as a lag of ``2 zeta_a / w_a`` the
  sideways loop ``s^2 (1 + s 2 zeta_a / w_a) + K_d s + K_p`` is stable for
  ``K_d > K_p 2 zeta_a / w_a`` and, at a separation of four, has most of its phase margin left
  (the point mass's ``K_p = 0.6, K_d = 1.6`` around a 1.2 rad/s loop is unstable). That holds
  while the axis swings little; a large swing is limited by the angular acceleration the
  reference may use, ``a`` (``T = 2 sqrt(2 theta / a)`` over the plan's cone ``theta``): an
  oscillation of amplitude ``theta`` at ``w`` needs ``theta w^2``, so above
  ``sqrt(a / theta) = 2 sqrt(2) / T`` the loop saturates, lags and limit-cycles (lateral
  swings of +-10 m/s with an 8 s period, Falcon 9 landing burns begun 800 m or more off the pad,
  or handed over by a whole flight). The sideways loop is kept at half that frequency,
  ``TURN_BANDWIDTH / T`` with ``TURN_BANDWIDTH = sqrt(2)``: for Falcon 9 (``T`` 7.0 s) 0.20
  rad/s instead of 0.30;
- **the plan's thrust, smoothed** over a window of the vehicle's turn time ``T``
  (``guidance.rigid_settings``), centred on the present: a step in the plan (the turn upright
  at the start of its vertical segment, a re-plan's new first thrust) becomes a ramp that starts
  half a turn early, so the slow axis arrives on time, and the velocity it adds over the window
  is the plan's.

The throttle still comes from the thrust wanted along the body's **actual** axis (the attitude
controller's), so a vehicle turning towards its demand does not push the wrong way.

The sideways loop measures the velocity of the centre of mass, not of the feet (the point the
plan puts on the pad): turning, the body swings its feet, 18 m below the centre of mass, the
other way (10 deg/s is 3 m/s), and a velocity loop on the feet would feed the attitude rate
back with the wrong sign, a non-minimum-phase path that undamps the attitude loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from boostback.control.landing import LandingController, TranslationDemand
from boostback.dynamics.rigid_body import rotate_body_to_frame
from boostback.dynamics.sixdof_params import SixDofParams
from boostback.environment.earth_kernels import hypot
from boostback.gnc.protocols import Demand, NavEstimate, Tick
from boostback.guidance.plan import LandingPlan
from boostback.jit import interpreted, jit
from boostback.plant.setup import LandingSetup

__all__ = ["SEPARATION", "TURN_BANDWIDTH", "WINDOW_SAMPLES", "RigidLandingLaw", "feet_arm"]

SEPARATION = 4.0  # attitude bandwidth over the sideways loop's
TURN_BANDWIDTH = math.sqrt(2.0)  # the sideways bandwidth times the turn time, at most
WINDOW_SAMPLES = 9  # points of the plan averaged over the smoothing window


@jit(inline="always")
def arm_at(m_kg, dry_kg, leg_station_m, tank_kg, cg_station_m):
    """The feet's station relative to the centre of mass at mass ``m_kg`` (m along ``x_body``):
    ``leg_station_m`` less the centre of mass's station, interpolated in the mass-property table
    ``(tank_kg, cg_station_m)`` at the propellant aboard ``m_kg - dry_kg``."""
    return leg_station_m - np.interp(m_kg - dry_kg, tank_kg, cg_station_m)


_arm_at = interpreted(arm_at)


class FeetArm:
    """The feet's station relative to the centre of mass (m along ``x_body``; negative: the feet
    are below it) as a function of the vehicle's mass (``arm_at`` on the vehicle's tables).

    Parameters
    ----------
    params : SixDofParams
        The rigid vehicle.
    """

    def __init__(self, params: SixDofParams) -> None:
        self.dry_kg, self.leg_station_m = params.dry_mass_kg, params.leg_station_m
        self.tank_kg = np.ascontiguousarray(params.mp_propellant_kg, dtype=np.float64)
        self.cg_station_m = np.ascontiguousarray(params.mp_cg_station_m, dtype=np.float64)

    def __call__(self, m_kg: float) -> float:
        return float(
            _arm_at(m_kg, self.dry_kg, self.leg_station_m, self.tank_kg, self.cg_station_m)
        )


def feet_arm(params: SixDofParams) -> FeetArm:
    """The feet's station relative to the centre of mass against mass (``FeetArm``)."""
    return FeetArm(params)


@jit(inline="always")
def law_state(s, att, arm, foot_radius_m):
    """The state the rigid law steers on (7-tuple), from the feet's centre's 3-DoF state ``s``
    and the attitude and rates ``att`` (7,): the centre of mass's horizontal velocity (the
    feet's less ``w x arm``, ``arm`` the feet's station from the centre of mass) and the lowest
    foot's height (``foot_radius_m`` out from the axis, the axis tilted)."""
    q = (att[0], att[1], att[2], att[3])
    swing = rotate_body_to_frame(q, (0.0, att[6] * arm, -att[5] * arm))
    axis = rotate_body_to_frame(q, (1.0, 0.0, 0.0))
    low = s[2] - foot_radius_m * hypot(axis[0], axis[1])
    return (s[0], s[1], low, s[3] - swing[0], s[4] - swing[1], s[5], s[6])


_law_state = interpreted(law_state)


def _table(plan: LandingPlan) -> tuple[np.ndarray, np.ndarray]:
    """A plan's times and its horizontal position, velocity and thrust (columns 0-5), then its
    vertical ones (6-8): (n, 9)."""
    r, v, a = plan.r_enu_m, plan.v_enu_mps, plan.accel_enu_mps2
    cols = (r[:, :2], v[:, :2], a[:, :2], r[:, 2:], v[:, 2:], a[:, 2:])
    return plan.t_s, np.hstack(cols)


@jit
def vertical_at(t, rows, tau, tf, out):
    """Write into ``out[:, 2]`` the vertical position, velocity and thrust of the plan table
    ``(t, rows)`` (time of flight ``tf``) at ``tau``, interpolated as ``LandingPlan.sample``
    does (held at its ends)."""
    n = t.shape[0]
    tc = min(max(tau, 0.0), tf)
    i = max(min(np.searchsorted(t, tc, side="right") - 1, n - 2), 0)
    w = (tc - t[i]) / (t[i + 1] - t[i])
    for c in range(3):
        out[c, 2] = (1 - w) * rows[i, 6 + c] + w * rows[i + 1, 6 + c]


@jit
def _window_sum(t, rows, ts, split, start, lo, hi, out):
    """Add to ``out`` (2, 6) the table ``(t, rows)`` linearly interpolated (held at its ends) at
    the times ``ts - start`` of those ``ts`` in ``[lo, hi)``: the first ``split`` times into
    ``out[0]``, the others into ``out[1]``."""
    n = t.shape[0]
    for j in range(ts.shape[0]):
        if ts[j] < lo or ts[j] >= hi:
            continue
        tc = min(max(ts[j] - start, t[0]), t[n - 1])
        i = min(np.searchsorted(t, tc, side="right") - 1, n - 2)
        w = (tc - t[i]) / (t[i + 1] - t[i])
        k = 0 if j < split else 1
        for c in range(6):
            out[k, c] += (1.0 - w) * rows[i, c] + w * rows[i + 1, c]


@jit
def _window_sums(t_all, rows_all, offsets, starts, ts, split, out):
    """``_window_sum`` over every plan of a history packed end to end (plan ``k``'s table is
    rows ``offsets[k]:offsets[k + 1]``, flown from ``starts[k]`` until the next one starts; the
    first also before it)."""
    m = starts.shape[0]
    for k in range(m):
        a, b = offsets[k], offsets[k + 1]
        lo = -math.inf if k == 0 else starts[k]
        hi = starts[k + 1] if k + 1 < m else math.inf
        _window_sum(t_all[a:b], rows_all[a:b], ts, split, starts[k], lo, hi, out)


@jit(inline="always")
def window_first(starts, horizon):
    """How many of the oldest plans (begun at ``starts``) the window no longer reaches at
    ``horizon``, its earliest sample: each one followed by a plan begun at or before it."""
    k = 0
    while k + 1 < len(starts) and starts[k + 1] <= horizon:
        k += 1
    return k


_window_first = interpreted(window_first)


@jit
def window_point(t_all, rows_all, offsets, starts, times, start, tau, out):
    """Write into ``out[:, :2]`` (rows: position, velocity, thrust) the horizontal plan point
    of a history of plans packed end to end (``_window_sums``), averaged over the window
    samples ``times`` (the first half centred on the present, the second ``lead_s`` ahead:
    position and velocity from the first, thrust from the second), at ``tau`` into the plan
    flown now, which started at ``start``."""
    total = np.zeros((2, 6))
    split = times.shape[0] // 2
    _window_sums(t_all, rows_all, offsets, starts, start + tau + times, split, total)
    mean = total / split
    out[0, 0], out[0, 1], out[1, 0], out[1, 1] = mean[0, 0], mean[0, 1], mean[0, 2], mean[0, 3]
    out[2, 0], out[2, 1] = mean[1, 4], mean[1, 5]


class RigidLandingLaw(LandingController):
    """The landing controller's translation law, slowed to a rigid vehicle's attitude loop.

    Parameters
    ----------
    setup : LandingSetup
        The landing burn (its guidance settings for a rigid vehicle, ``rigid_setup``).
    attitude_bandwidth_rad_s : float
        The attitude loop's bandwidth ``w_a``; the sideways loop runs at ``w_a / SEPARATION``.
    window_s : float
        The turn time ``T`` over which the plan's thrust is averaged, centred.
    arm : callable, optional
        The feet's station from the centre of mass against mass (``feet_arm``): the sideways
        loop measures the centre of mass's velocity (module docstring); None: the feet's.
    authority : callable, optional
        A fault's tilt-authority hook, as for ``LandingController``.
    """

    def __init__(
        self,
        setup: LandingSetup,
        attitude_bandwidth_rad_s: float,
        window_s: float,
        arm: Callable[[float], float] | None = None,
        authority: Callable[[float, str, float], float] | None = None,
        lead_s: float = 0.0,
        foot_radius_m: float = 0.0,
    ) -> None:
        w = attitude_bandwidth_rad_s / SEPARATION
        if window_s > 0.0:
            w = min(w, TURN_BANDWIDTH / window_s)
        super().__init__(setup, authority, w)
        self.window_s = window_s
        self.arm = arm
        self.foot_radius_m = foot_radius_m
        half = 0.5 * window_s
        self._history: list[tuple[float, tuple[np.ndarray, np.ndarray]]] = []
        # the history packed end to end for one compiled call (None: to be packed again)
        self._packed: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._plan: LandingPlan | None = None
        self._t0 = 0.0
        window = np.linspace(-half, half, WINDOW_SAMPLES)
        self._offsets = window  # where the reference state is read: centred on the present
        self._ahead = lead_s + window  # the thrust: ``lead_s`` ahead, for the attitude's lag
        self._times = np.concatenate([self._offsets, self._ahead])
        # the window's earliest sample, from the present: plans before it are forgotten
        self.back_s = min(float(self._offsets[0]), float(self._ahead[0]))

    def plan_point(self, plan: LandingPlan, tau: float) -> tuple:
        """The plan at ``tau``, its horizontal position, velocity and thrust each averaged over
        the window (a consistent reference: the average of a derivative is the derivative of
        the average); the vertical as planned (the throttle is fast).

        The window's past reaches into the plans this one replaced, each sampled over the time
        it was flown: a re-plan's new first thrust is then ramped in over the window like any
        other step, not jumped to.
        """
        if self.window_s <= 0.0:
            return plan.sample(tau)
        out = np.empty((3, 3))  # rows: position, velocity, thrust
        window_point(*self.packed(), self._times, self._t0, tau, out)
        if self._plan is plan:  # the plan flown now, remembered: its vertical as planned
            t, rows = self._history[-1][1]
            vertical_at(t, rows, tau, plan.tf_s, out)
        else:
            r, v, u = plan.sample(tau)
            out[0, 2], out[1, 2], out[2, 2] = r[2], v[2], u[2]
        return out[0], out[1], out[2]

    def packed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The plans the window reaches into, packed end to end for one compiled call (their
        node times, their ``_table`` rows, where each starts in them, when each began)."""
        if self._packed is None:
            tables = [table for _start, table in self._history]
            sizes = [t.shape[0] for t, _rows in tables]
            self._packed = (
                np.concatenate([t for t, _rows in tables]),
                np.concatenate([rows for _t, rows in tables]),
                np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
                np.array([start for start, _table in self._history]),
            )
        return self._packed

    @property
    def window_times(self) -> np.ndarray:
        """Where the window samples the plans, from the present (s): centred on it, then
        ``lead_s`` ahead."""
        return self._times

    @property
    def flown(self) -> tuple[float, tuple[np.ndarray, np.ndarray]] | None:
        """The plan flown now: when it began and its ``_table`` (None: none yet)."""
        return self._history[-1] if self._history else None

    def remember(self, demand: Demand, now_s: float) -> None:
        """Keep the plans the smoothing window still reaches into."""
        plan = demand.reference
        self._t0 = demand.reference_t0_s
        if not isinstance(plan, LandingPlan) or not plan.feasible:
            return
        if self._plan is not plan:
            self._plan = plan
            self._history.append((demand.reference_t0_s, _table(plan)))
            self._packed = None
        first = _window_first([start for start, _table in self._history], now_s + self.back_s)
        if first:
            del self._history[:first]
            self._packed = None

    def demand(self, nav: NavEstimate, demand: Demand, tick: Tick) -> TranslationDemand:
        """The point mass's law on the feet's position and height, with the centre of mass's
        horizontal velocity (the feet's less ``w x arm``)."""
        self.remember(demand, tick.t_s)
        att = nav.attitude
        if att is not None and self.arm is not None:
            s = nav.state
            nav = nav._replace(state=_law_state(s, att, self.arm(s[6]), self.foot_radius_m))
        return super().demand(nav, demand, tick)

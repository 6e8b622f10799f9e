"""The attitude loop around a whole flight's 3-DoF controllers: the rigid stage made to point
where the point mass's controller would push.

A whole flight's burns are steered by 3-DoF controllers on the rotating Earth (the boostback's
velocity to go, the entry burn's retrograde thrust) and its descent by the grid-fin guidance's
lateral acceleration. In 6-DoF the body must be turned to do what they ask. ``RigidSteering``
composes, it does not edit: the inner controller decides throttle and thrust direction in ECEF,
exactly as in 3-DoF; the landing burn's attitude loop (``control.attitude.AttitudeController``:
rate- and acceleration-limited tilt reference, compiled PID law, saturation-aware allocation
over gimbals, fins and thrusters) makes the body follow, run in an east-north-up frame fixed to
the Earth (``LocalFrame``) because it measures tilt from a frame's up. The throttle is the inner
controller's, on the body's actual axis; a burn still turning wastes a little of its thrust off
the line and the velocity-to-go count (measured acceleration, not commanded) absorbs it.

Off the engines (the loop's ``hold``) the stage points along ``pointing(nav)`` when the phase
gives one (the flip: the boostback direction), else its engines into the air flow, as the real
stage coasts.

The grid-fin descent has no thrust to point: its guidance asks a lateral acceleration of the
fins (``guidance.aero_descent.fin_command``, a fraction of their nominal authority). A rigid body
gets it from lift: the body flown at an angle of attack, trimmed by the fins. ``LiftSteering``
turns the wanted acceleration into the axis that gives it: the design model's lateral
acceleration per radian of tilt, in the plane of each of two directions across the air flow, by
forward differences (``dynamics.sixdof.SixDofKernel.derivatives`` in still air), the 2x2 system
solved, the tilt capped at ``max_alpha_rad``; the attitude loop holds that axis with fins and
thrusters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from boostback.control.attitude import AttitudeController, AttitudeGains
from boostback.control.landing import TranslationDemand
from boostback.dynamics.rigid_body import quat_multiply
from boostback.dynamics.rigid_state import SIZE
from boostback.dynamics.sixdof import SixDofKernel
from boostback.dynamics.state import MASS, State
from boostback.environment.frames import enu_basis
from boostback.gnc.protocols import (
    ActuatorCommand,
    Attitude,
    Controller,
    Demand,
    NavEstimate,
    Tick,
    Vec3,
)

__all__ = ["LIFT_REFRESH_S", "LiftSteering", "LocalFrame", "RigidSteering", "matrix_quat"]

LIFT_REFRESH_S = 0.2  # how often the descent's angle of attack is re-solved
LIFT_STEP_RAD = math.radians(2.0)  # the lift slope's finite-difference tilt


def matrix_quat(m: np.ndarray) -> tuple[float, float, float, float]:
    """The unit quaternion (w, x, y, z) of rotation matrix ``m`` (Shepperd's method)."""
    tr = float(m[0, 0] + m[1, 1] + m[2, 2])
    if tr > 0.0:
        s = 2.0 * math.sqrt(1.0 + tr)
        q = (0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s)
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = 2.0 * math.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2])
        q = ((m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s)
    elif m[1, 1] > m[2, 2]:
        s = 2.0 * math.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2])
        q = ((m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s)
    else:
        s = 2.0 * math.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1])
        q = ((m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s)
    n = math.sqrt(sum(c * c for c in q))
    sign = 1.0 if q[0] >= 0.0 else -1.0
    return (sign * q[0] / n, sign * q[1] / n, sign * q[2] / n, sign * q[3] / n)


@dataclass(frozen=True)
class LocalFrame:
    """An east-north-up frame fixed to the Earth at a point: ``v_enu = basis @ v_ecef``.

    Parameters
    ----------
    lat_rad, lon_rad : float
        Geodetic latitude and longitude of the point.
    origin_ecef : tuple of float
        The frame's origin (positions are measured from it; the default, the Earth's centre,
        serves a loop that reads no position, as in vacuum).
    """

    lat_rad: float
    lon_rad: float
    origin_ecef: Vec3 = (0.0, 0.0, 0.0)
    basis: np.ndarray = field(init=False, repr=False)
    quat: tuple[float, float, float, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        b = np.asarray(enu_basis(self.lat_rad, self.lon_rad), dtype=float)
        object.__setattr__(self, "basis", b)
        object.__setattr__(self, "quat", matrix_quat(b))  # ECEF -> ENU

    def vector(self, v_ecef: np.ndarray | Vec3) -> np.ndarray:
        """A free vector from ECEF axes into the frame's."""
        return self.basis @ np.asarray(v_ecef, dtype=float)

    def point(self, r_ecef: np.ndarray | Vec3) -> np.ndarray:
        """A position in the frame (from its origin)."""
        return self.basis @ (np.asarray(r_ecef, dtype=float) - np.asarray(self.origin_ecef))

    def back(self, v_enu: np.ndarray | Vec3) -> Vec3:
        """A free vector from the frame's axes into ECEF."""
        v = self.basis.T @ np.asarray(v_enu, dtype=float)
        return (float(v[0]), float(v[1]), float(v[2]))

    def attitude(self, q_ecef: np.ndarray | tuple[float, ...]) -> np.ndarray:
        """An attitude body -> ECEF as body -> this frame."""
        q = quat_multiply(self.quat, tuple(float(c) for c in q_ecef[:4]))
        return np.asarray(q, dtype=float)

    def nav(self, nav: NavEstimate) -> NavEstimate:
        """A navigated ECEF state (with its IMU attitude) in this frame."""
        if nav.attitude is None:
            raise ValueError("the attitude loop needs a 6-DoF navigator (NavEstimate.attitude)")
        x, w = nav.state, nav.attitude
        r, v, q = self.point(x[0:3]), self.vector(x[3:6]), self.attitude(w)
        state: State = (
            float(r[0]), float(r[1]), float(r[2]), float(v[0]), float(v[1]), float(v[2]), x[6]
        )  # fmt: skip
        att: Attitude = (float(q[0]), float(q[1]), float(q[2]), float(q[3]), w[4], w[5], w[6])
        return nav._replace(state=state, attitude=att)


class _Pointing(NamedTuple):
    """A one-point plan: the axis ``AttitudeController.hold`` pre-points along."""

    accel_enu_mps2: tuple[Vec3, ...]
    feasible: bool = True


class _Follow:
    """The translation law the attitude loop wraps: the inner controller's direction (in the
    local frame) and its throttle, set before each call."""

    def __init__(self) -> None:
        self.direction = np.array([0.0, 0.0, 1.0])
        self.throttle = 0.0

    def demand(self, nav: NavEstimate, demand: Demand, tick: Tick) -> TranslationDemand:
        return TranslationDemand(self.direction, math.pi, False)

    def throttle_for(self, nav: NavEstimate, accel_mps2: float) -> float:
        return self.throttle


class RigidSteering:
    """A ``Controller`` (and attitude holder) that makes a rigid stage follow a 3-DoF one.

    Parameters
    ----------
    inner : Controller or None
        Decides throttle and thrust direction (ECEF); None for a phase flown with the engines
        off throughout (only ``hold`` is asked).
    model : SixDofKernel
        The design model of the attitude loop (the vehicle in still air).
    engines : tuple of int
        The engines the phase lights.
    frame : LocalFrame
        The Earth-fixed frame the loop runs in.
    gains : AttitudeGains, optional
        Default the landing loop's.
    pointing : callable, optional
        ``pointing(nav) -> ECEF axis or None``: where to point with the engines off (None: the
        engines into the air flow).
    """

    def __init__(
        self,
        inner: Controller | None,
        model: SixDofKernel,
        engines: tuple[int, ...],
        frame: LocalFrame,
        gains: AttitudeGains | None = None,
        pointing: Callable[[NavEstimate], Vec3 | None] | None = None,
    ) -> None:
        self.inner, self.frame, self.pointing = inner, frame, pointing
        self._law = _Follow()
        self.loop = AttitudeController(self._law, model, engines, gains, hold_tilt_rad=math.pi)

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """The inner controller's command, its direction tracked by the attitude loop."""
        if self.inner is None:
            return self.hold(nav, demand, tick, dt)
        c = self.inner.command(nav, demand, tick, dt)
        if c.cutoff:
            return c
        f = self.frame
        self._law.direction = f.vector(c.direction)
        self._law.throttle = c.throttle
        out = self.loop.command(f.nav(nav), demand, tick, dt)
        return out._replace(direction=f.back(out.direction), hold_s=c.hold_s)

    def hold(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Engines off: point along ``pointing(nav)`` (else the engines into the air flow)."""
        f = self.frame
        d = self.pointing(nav) if self.pointing is not None else None
        plan = None if d is None else _Pointing((tuple(float(c) for c in f.vector(d)),))  # type: ignore[arg-type]
        cmd = self.loop.hold(f.nav(nav), Demand(demand.phase, math.inf, plan), tick, dt)
        return cmd._replace(direction=f.back(cmd.direction))


class LiftSteering:
    """The grid-fin descent's ``Controller`` for a rigid stage: the lateral acceleration the fin
    guidance asks turned into an angle of attack, held by the attitude loop.

    Parameters
    ----------
    model : SixDofKernel
        The design model: the vehicle in still air over a flat Earth, its frame ``frame``.
    frame : LocalFrame
        East-north-up at the landing site (positions from it: the model reads height).
    authority_m2 : float
        The 3-DoF fins' nominal authority (``Body.fin_authority_m2``): the guidance's fraction
        times dynamic pressure times this is the acceleration it wants, times the mass.
    max_alpha_rad : float
        The largest angle of attack asked.
    gains : AttitudeGains, optional
        Default the landing loop's.
    """

    def __init__(
        self,
        model: SixDofKernel,
        frame: LocalFrame,
        authority_m2: float,
        max_alpha_rad: float,
        gains: AttitudeGains | None = None,
    ) -> None:
        self.model, self.frame = model, frame
        self.authority_m2, self.max_alpha_rad = authority_m2, max_alpha_rad
        self.steer = RigidSteering(None, model, (), frame, gains, pointing=self._pointing)
        self._axis_now: Vec3 | None = None
        self._axis_at = -math.inf
        self._now = 0.0
        self._demand: Vec3 = (0.0, 0.0, 0.0)
        self.saturated_s = 0.0
        self.alpha_rad = 0.0  # the angle of attack last asked
        self.alpha_max_rad = 0.0

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Hold the axis that gives the wanted lateral acceleration (engines off)."""
        f = demand.reference
        self._demand = (float(f[0]), float(f[1]), float(f[2]))  # type: ignore[index]
        self._now = tick.t_s
        cmd = self.steer.hold(nav, demand, tick, dt)
        if self.alpha_rad >= self.max_alpha_rad * 0.999:
            self.saturated_s += dt
        return cmd

    def hold(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """As ``command``, for a loop that asks an unpowered phase to hold."""
        return self.command(nav, demand, tick, dt)

    def _pointing(self, nav: NavEstimate) -> Vec3 | None:
        """The axis to hold: re-solved every ``LIFT_REFRESH_S`` (the fin guidance's demand
        changes once a second, the flow's direction slowly)."""
        if self._now - self._axis_at >= LIFT_REFRESH_S - 1e-9:
            self._axis_now, self._axis_at = self._axis(nav), self._now
        return self._axis_now

    def _axis(self, nav: NavEstimate) -> Vec3 | None:
        """The ECEF axis whose angle of attack gives the wanted lateral acceleration."""
        fr = self.frame
        local = fr.nav(nav)
        x = np.empty(SIZE)
        x[:7] = local.state[:7]
        x[7:] = local.attitude  # type: ignore[misc]
        v = x[3:6]
        speed = float(np.linalg.norm(v))
        if speed < 1.0:
            return None
        back = -v / speed  # the engines into the flow: the axis at zero angle of attack
        want = fr.vector(self._demand) * (nav.qbar_pa * self.authority_m2 / x[MASS])
        across = _across(back)
        jac = self.model.lift_per_rad(x, back, across, LIFT_STEP_RAD)
        tilt = _solve2(jac, float(want @ across[0]), float(want @ across[1]))
        size = float(np.hypot(*tilt))
        if size > self.max_alpha_rad:
            tilt *= self.max_alpha_rad / size
        self.alpha_rad = min(size, self.max_alpha_rad)
        self.alpha_max_rad = max(self.alpha_max_rad, self.alpha_rad)
        axis = back + tilt[0] * across[0] + tilt[1] * across[1]
        return fr.back(axis / np.linalg.norm(axis))


def _across(back: np.ndarray) -> np.ndarray:
    """Two unit vectors normal to unit ``back`` and to each other (2, 3): the first horizontal
    (``back x up``; ``back x east`` when ``back`` is vertical), the second ``back x`` the first."""
    bx, by, bz = float(back[0]), float(back[1]), float(back[2])
    e1 = (by, -bx, 0.0)
    if math.hypot(e1[0], e1[1]) < 1e-6:
        e1 = (0.0, bz, -by)
    n = math.sqrt(e1[0] ** 2 + e1[1] ** 2 + e1[2] ** 2)
    a0, a1, a2 = e1[0] / n, e1[1] / n, e1[2] / n
    return np.array([[a0, a1, a2], [by * a2 - bz * a1, bz * a0 - bx * a2, bx * a1 - by * a0]])


def _solve2(m: np.ndarray, b0: float, b1: float) -> np.ndarray:
    """``m^-1 (b0, b1)`` for a 2x2 ``m`` (zeros if it is singular)."""
    det = float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0])
    if det == 0.0 or not math.isfinite(det):
        return np.zeros(2)
    return np.array([(b0 * m[1, 1] - m[0, 1] * b1) / det, (m[0, 0] * b1 - m[1, 0] * b0) / det])

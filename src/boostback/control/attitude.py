"""The attitude loop of a rigid vehicle: it points the thrust where the translation law wants
it, through the gimbals, the grid fins and the cold-gas thrusters.

It wraps a translation law (``control.rigid_landing`` for the landing burn), which decides the
acceleration it wants; the loop turns that into a thrust axis and makes the body follow it:

- the wanted axis (the acceleration's direction inside the tilt limit) passes through a rate-
  and acceleration-limited reference (``TiltReference``: at most a share of what the actuators
  can give), so the loop is never asked for more than they can do;
- the per-step law (``control.attitude_law``, compiled) wants an angular acceleration from the
  pointing error: a PID on it with the reference's own turn rate and its rate of change fed
  forward, the rate capped for large turns at what the actuators can still stop (a square-root
  law, as in spacecraft slew control), the integral holding a steady moment the design model
  does not know (an engine out's offset thrust, a centre-of-mass offset); roll is free and its
  rate damped (``AttitudeGains`` documents the bandwidth: 1.2 rad/s);
- the allocation (``control.allocation``) turns it into each engine's two gimbal angles, the
  fins' deflections and the thrusters' duty, saturation-aware: the gimbals first, then the fins,
  the thrusters last. The effectiveness matrix is the design model's (the vehicle's nominal
  equations of motion, ``dynamics.sixdof``, in still air, no faults) linearised about the
  navigated state by forward differences, refreshed ``refresh_hz`` times a second;
- the throttle gives the wanted acceleration's component along the body's actual axis.

With the engines off (the coast before the landing burn) the loop points with the fins and
thrusters (``hold``): along the first plan's thrust when guidance has one (pre-pointing), else
the engines into the air flow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from boostback.control.attitude_law import (
    G_BANDWIDTH,
    G_BRAKING,
    G_DAMPING,
    G_INTEGRAL,
    G_INTEGRAL_LIMIT,
    G_ROLL,
    G_SIZE,
    actuator_reach,
    reference_accel,
    reference_step,
    steer_step,
    tilt_direction,
    tilt_vector,
)
from boostback.control.landing import TranslationDemand, limit_tilt
from boostback.dynamics.rigid_body import rotate_body_to_frame
from boostback.dynamics.rigid_state import QW, QX, QY, QZ, SIZE, WY, WZ
from boostback.dynamics.sixdof import SixDofKernel
from boostback.gnc.protocols import ActuatorCommand, Demand, NavEstimate, Tick, Vec3
from boostback.jit import interpreted

__all__ = [
    "HOLD_DT_S",
    "AttitudeController",
    "AttitudeGains",
    "RigidCommand",
    "TiltReference",
    "TranslationLaw",
    "tilt_direction",
    "tilt_vector",
]


class RigidCommand(NamedTuple):
    """An attitude controller's actuator settings: every engine's gimbal angles (k, 2; rad, about
    y_body and z_body), every fin's deflection (f,; rad) and every thruster's duty (c,; 0..1)."""

    gimbal_rad: np.ndarray
    fins_rad: np.ndarray
    rcs_duty: np.ndarray


@dataclass(frozen=True)
class AttitudeGains:
    """Gains of the attitude loop (defaults for a booster's landing burn).

    ``bandwidth_rad_s`` is the pointing loop's natural frequency: about 1 rad/s, a third of the
    gimbals' own bandwidth (time constant ~0.1 s) and well below the 25 Hz loop, so the rigid
    model holds (the first bending mode of a 40 m stage is near 10 Hz and is not modelled).
    """

    bandwidth_rad_s: float = 1.2
    damping: float = 0.8
    integral_gain: float = 0.1  # ki: the integral's weight, relative to wn^3
    braking_fraction: float = 0.5  # eta: share of the actuators' reach planned for braking
    integral_limit_rad_s: float = 0.05  # clamp of int(phi), anti-windup
    roll_rate_gain_per_s: float = 2.0
    refresh_hz: float = 10.0  # effectiveness matrix refresh
    gimbal_weight: float = 1.0
    fin_weight: float = 3.0
    rcs_weight: float = 300.0
    turn_rate_rad_s: float = math.radians(10.0)  # fastest turn of the thrust-axis reference
    reference_fraction: float = 0.4  # share of the actuators' reach the reference may use
    reference_gain_per_s: float = 1.2  # small-signal bandwidth of the reference (= wn)

    def law_array(self) -> np.ndarray:
        """The per-step law's gains as the array ``control.attitude_law`` takes."""
        out = np.empty(G_SIZE)
        out[G_BANDWIDTH], out[G_DAMPING] = self.bandwidth_rad_s, self.damping
        out[G_INTEGRAL], out[G_BRAKING] = self.integral_gain, self.braking_fraction
        out[G_INTEGRAL_LIMIT], out[G_ROLL] = self.integral_limit_rad_s, self.roll_rate_gain_per_s
        return out


_reference_accel = interpreted(reference_accel)

# The loop's step with the engines off (fins and thrusters only, ``hold``): 12.5 Hz, as the
# whole flight's rigid coast and grid-fin descent (``flight.rigid_recovery``). The fins' and
# thrusters' turns take seconds (~0.04 rad/s^2 on the thrusters), far slower than a step; the
# burns keep the landing's 50 Hz for the gimbals' 0.1 s lag.
HOLD_DT_S = 0.08

GIMBAL_STEP_RAD = 1e-3  # finite-difference steps of the effectiveness matrix
FIN_STEP_RAD = 1e-2


class TiltReference:
    """The thrust-axis reference: the wanted direction passed through a rate- and
    acceleration-limited second-order filter, so the attitude loop is never asked for more than
    the actuators can give.

    On the tilt vector ``theta`` (``tilt_vector``) it runs the time-optimal braking law: the
    reference turns towards the target at ``min(k e, sqrt(2 a e), r)`` (``e`` the angle left,
    ``k`` the small-signal gain, ``a`` the angular acceleration allowed, ``r`` the rate cap)
    and changes that rate by at most ``a dt`` a step. A small change is a first-order lag of
    bandwidth ``k``; a large one a bang-bang turn at ``a`` that stops on the target (compiled:
    ``control.attitude_law.reference_step``).
    """

    def __init__(self) -> None:
        # tilt vector, its rate and the goal, in one array the compiled step advances in place
        self.state = np.zeros(6)
        self.seeded = False

    @property
    def theta(self) -> np.ndarray | None:
        """The reference's tilt vector (None before its first step)."""
        return self.state[0:2] if self.seeded else None

    @property
    def rate(self) -> np.ndarray:
        """Its rate of change (rad/s)."""
        return self.state[2:4]

    @property
    def goal(self) -> np.ndarray:
        """The tilt vector it was last steered towards."""
        return self.state[4:6]

    def seed(self, start: Vec3) -> None:
        """Start at rest on the unit axis ``start``, if not started yet."""
        if not self.seeded:
            self.state[0:2] = tilt_vector(np.asarray(start, dtype=np.float64))
            self.state[2:4] = 0.0
            self.seeded = True

    def step(
        self, target: Vec3, start: Vec3, dt: float, gain: float, accel_max: float, rate_max: float
    ) -> Vec3:
        """Advance by ``dt`` towards ``target``; ``start`` seeds a fresh reference."""
        self.seed(start)
        self.state[4:6] = goal = tilt_vector(np.asarray(target, dtype=np.float64))
        reference_step(self.state[0:2], self.state[2:4], goal, dt, gain, accel_max, rate_max)
        return tilt_direction(self.state[0:2])  # type: ignore[no-any-return]

    def cruise_s(self, gain: float, accel_max: float, rate_max: float) -> float:
        """How long the reference will go on turning at its rate cap before it starts braking
        onto its goal (0 when it is not at the cap): while ``min(k e, sqrt(2 a e)) >= r`` the
        law asks ``r`` and the reference coasts in a straight line of the tilt plane."""
        if not self.seeded:
            return 0.0
        th, rate, goal = self.state[0:2], self.state[2:4], self.state[4:6]
        speed = math.hypot(rate[0], rate[1])
        if speed < rate_max * (1.0 - 1e-6):
            return 0.0
        err = math.hypot(goal[0] - th[0], goal[1] - th[1])
        brake = max(rate_max * rate_max / (2.0 * accel_max), rate_max / gain)
        return max(err - brake, 0.0) / speed

    def advance(self, span_s: float) -> None:
        """Move on at the present rate for ``span_s`` (the reference's own law while it cruises
        at its cap, ``cruise_s``)."""
        self.state[0:2] += self.state[2:4] * span_s


class TranslationLaw(Protocol):
    """A translation controller split before its actuators (``control.landing``'s is one): the
    acceleration it wants, and the throttle that gives an acceleration along the thrust axis."""

    def demand(self, nav: NavEstimate, demand: Demand, tick: Tick) -> TranslationDemand: ...

    def throttle_for(self, nav: NavEstimate, accel_mps2: float) -> float: ...


class AttitudeController:
    """A ``Controller`` for a rigid vehicle: a translation law inside, an attitude loop around it.

    The translation law says what acceleration it wants; the thrust axis it asks for is that
    acceleration's direction held inside the tilt limit, passed through the rate- and
    acceleration-limited reference (``TiltReference``: at most ``gains.turn_rate_rad_s`` and
    ``gains.reference_fraction`` of the actuators' reach), whose rate and acceleration the loop
    feeds forward; the throttle gives the wanted acceleration's component along the body's
    **actual** axis (none if that axis points away from it): a vehicle still turning towards its
    demand does not push hard in the wrong direction.

    Parameters
    ----------
    law : TranslationLaw
        The translation law (e.g. ``control.landing.LandingController``).
    model : SixDofKernel
        The design model: the vehicle's equations of motion in still air, no faults.
    engines : sequence of int
        The engines this burn lights.
    gains : AttitudeGains, optional
    """

    def __init__(
        self,
        law: TranslationLaw,
        model: SixDofKernel,
        engines: tuple[int, ...],
        gains: AttitudeGains | None = None,
        hold_tilt_rad: float = math.radians(20.0),
    ) -> None:
        self.law = law
        self.model = model
        p = model.params
        self.k = p.engine_position_m.shape[0]
        self.f = p.fin_azimuth_rad.shape[0]
        self.c = p.rcs_position_m.shape[0]
        self.engines = tuple(engines)
        self.gains = gains or AttitudeGains()
        self.gimbal_max = p.gimbal_max_rad
        self.fin_max = p.fin_max_rad
        g, k2, f, c = self.gains, 2 * self.k, self.f, self.c
        # each actuator's low and high bound and its weight (rows), as the allocation takes them
        self._bounds = np.array(
            [
                np.concatenate(
                    [np.full(k2, -p.gimbal_max_rad), np.full(f, -p.fin_max_rad), np.zeros(c)]
                ),
                np.concatenate(
                    [np.full(k2, p.gimbal_max_rad), np.full(f, p.fin_max_rad), np.ones(c)]
                ),
                np.concatenate(
                    [
                        np.full(k2, g.gimbal_weight),
                        np.full(f, g.fin_weight),
                        np.full(c, g.rcs_weight),
                    ]
                ),
            ]
        )
        self._reach = np.zeros(3)
        self._law = g.law_array()
        self._memory = np.zeros(6)  # the reference's last turn rate, and the integral
        self._b: np.ndarray | None = None
        self._b_at = -math.inf
        self.direction: Vec3 | None = None
        self.reference = TiltReference()
        self.hold_tilt_rad = hold_tilt_rad
        self.shortfall = np.zeros(3)

    @property
    def memory(self) -> np.ndarray:
        """The per-step law's memory (6,): the reference's last turn rate and the integral."""
        return self._memory

    @property
    def reach(self) -> np.ndarray:
        """The angular acceleration the actuators can give about each body axis (3,)."""
        return self._reach

    @property
    def bounds(self) -> np.ndarray:
        """Each actuator's low and high bound and its weight (3, n), as the allocation takes
        them."""
        return self._bounds

    @property
    def law_gains(self) -> np.ndarray:
        """The per-step law's gains (``AttitudeGains.law_array``)."""
        return self._law

    def effectiveness_state(self) -> tuple[np.ndarray, float, bool]:
        """The effectiveness matrix the loop allocates with (zeros before the first), when it
        was found and whether it was: for steps flown elsewhere, which refresh it in place and
        hand it back (``resume``)."""
        if self._b is None:
            return np.zeros((3, self._bounds.shape[1])), self._b_at, False
        return self._b, self._b_at, True

    def resume(self, b: np.ndarray, b_at: float, found: bool, direction: Vec3) -> None:
        """Take the effectiveness matrix and the reference axis that steps flown elsewhere
        reached (the compiled landing burn's, ``mission.rigid_quiet``)."""
        if found:
            self._b, self._b_at = b, b_at
        self.direction = direction

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """The translation law's demand turned into a thrust axis, a throttle and actuators."""
        x = self._rigid_state(nav)
        axis = rotate_body_to_frame((x[QW], x[QX], x[QY], x[QZ]), (1.0, 0.0, 0.0))
        want = self.law.demand(nav, demand, tick)
        if want.cutoff:
            return ActuatorCommand(0.0, axis, True)
        along = float(np.dot(want.accel_mps2, axis))
        throttle = self.law.throttle_for(nav, max(along, 0.0))
        wanted = limit_tilt(want.accel_mps2, want.tilt_cap_rad)
        return self._steer(ActuatorCommand(throttle, wanted), x, tick, dt, throttle)

    def hold(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Engines off: point with the fins and thrusters. Before a burn whose plan is known
        (``Demand.reference`` in the coast) the axis is pre-pointed along the plan's first
        thrust; otherwise the engines are held into the air flow."""
        d = self.planned_axis(demand)
        if d is None:
            d = (0.0, 0.0, 1.0)
            v = np.asarray(nav.state[3:6])
            speed = float(np.linalg.norm(v))
            if speed > 1.0:
                d = (float(-v[0] / speed), float(-v[1] / speed), float(-v[2] / speed))
        return self._steer(ActuatorCommand(0.0, d), self._rigid_state(nav), tick, dt, 0.0)

    def planned_axis(self, demand: Demand) -> Vec3 | None:
        """The axis ``hold`` pre-points along before a burn whose plan is known: the plan's
        first thrust within ``hold_tilt_rad`` of up (None: no feasible plan with a thrust)."""
        plan = demand.reference
        first = getattr(plan, "accel_enu_mps2", None)
        if first is not None and len(first) and getattr(plan, "feasible", False):
            return limit_tilt(np.asarray(first[0]), self.hold_tilt_rad)
        return None

    def cruise_s(self, nav: NavEstimate, tol_rad: float = math.radians(1.0)) -> float:
        """How long the body may coast torque-free, actuators at rest: the time the reference
        will still turn at its rate cap (``TiltReference.cruise_s``), when the body is on it
        (axis within ``tol_rad``, turn rate within 5 % of the reference's); else 0. A slew's
        coast between its spin-up and its braking, as a spacecraft flies it."""
        ref, g = self.reference, self.gains
        if ref.theta is None or self.direction is None:
            return 0.0
        left = ref.cruise_s(g.reference_gain_per_s, self._reference_accel(), g.turn_rate_rad_s)
        if left <= 0.0:
            return 0.0
        axis, axis_rate = self._axis_motion(nav)
        off = math.acos(max(-1.0, min(1.0, float(np.dot(axis, self.direction)))))
        speed = float(np.linalg.norm(axis_rate))
        if off > tol_rad or abs(speed - g.turn_rate_rad_s) > 0.05 * g.turn_rate_rad_s:
            return 0.0
        return left

    def cruise_error_rad(self, nav: NavEstimate, span_s: float) -> float:
        """How far from the reference the body will be after coasting ``span_s`` torque-free:
        its axis turning on at its present rate about a fixed axis (a great circle), the
        reference along its straight line of the tilt plane."""
        axis, axis_rate = self._axis_motion(nav)
        rate = float(np.linalg.norm(axis_rate))
        phi = rate * span_s
        body = axis * math.cos(phi) + axis_rate * (math.sin(phi) / max(rate, 1e-12))
        ref = self.reference.state
        ahead = tilt_direction(ref[0:2] + ref[2:4] * span_s)
        c = float(body @ np.asarray(ahead)) / float(np.linalg.norm(body))
        return math.acos(max(-1.0, min(1.0, c)))

    def coast(self, span_s: float) -> None:
        """After ``span_s`` flown open loop in a cruise (``cruise_s``): the reference moved on
        as it would have, the body to be picked up near it (``cruise_error_rad``)."""
        self.reference.advance(span_s)
        d = tilt_direction(self.reference.state[0:2])
        self.direction = (float(d[0]), float(d[1]), float(d[2]))

    def _reference_accel(self) -> float:
        """The angular acceleration the reference may use: ``reference_fraction`` of the
        actuators' smaller reach (pitch or yaw)."""
        return float(_reference_accel(self._reach, self.gains.reference_fraction))

    def _axis_motion(self, nav: NavEstimate) -> tuple[np.ndarray, np.ndarray]:
        """The body axis and its rate of turn (rad/s), in the loop's frame."""
        x = self._rigid_state(nav)
        q = (x[QW], x[QX], x[QY], x[QZ])
        axis = np.asarray(rotate_body_to_frame(q, (1.0, 0.0, 0.0)))
        spin = (0.0, float(x[WZ]), -float(x[WY]))  # w x x_body: d(axis)/dt in the body
        return axis, np.asarray(rotate_body_to_frame(q, spin))

    def _rigid_state(self, nav: NavEstimate) -> np.ndarray:
        if nav.attitude is None:
            raise ValueError("the attitude loop needs a 6-DoF navigator (NavEstimate.attitude)")
        x = np.empty(SIZE)
        x[:7] = nav.state[:7]
        x[7:] = nav.attitude
        return x

    def _throttles(self, throttle: float) -> np.ndarray:
        out = np.zeros(self.k)
        for i in self.engines:
            out[i] = throttle
        return out

    def _effectiveness(self, x: np.ndarray, throttles: np.ndarray) -> np.ndarray:
        """Angular acceleration per unit of each actuator, linearised about ``x`` (3, n): the
        design model's forward differences, in one compiled call."""
        return self.model.effectiveness(x, throttles, GIMBAL_STEP_RAD, FIN_STEP_RAD)

    def _steer(
        self, cmd: ActuatorCommand, x: np.ndarray, tick: Tick, dt: float, throttle: float
    ) -> ActuatorCommand:
        """Shape ``cmd.direction`` into the reference (``TiltReference``), then allocate the
        angular acceleration that tracks it."""
        g = self.gains
        if self._b is None or tick.t_s - self._b_at >= 1.0 / g.refresh_hz - 1e-9:
            self._b, self._b_at = self._effectiveness(x, self._throttles(throttle)), tick.t_s
            actuator_reach(self._b, self._bounds, self._reach)
        k2, f = 2 * self.k, self.f
        axis = rotate_body_to_frame((x[QW], x[QX], x[QY], x[QZ]), (1.0, 0.0, 0.0))
        before = self.direction if self.direction is not None else axis
        reach_min = min(float(self._reach[1]), float(self._reach[2]))
        self.reference.seed(axis)
        par = np.array(
            [g.reference_gain_per_s, self._reference_accel(), g.turn_rate_rad_s, reach_min]
        )
        d, u = np.empty(3), np.empty(self._bounds.shape[1])
        self.shortfall = steer_step(
            x, np.asarray(cmd.direction, dtype=np.float64), np.asarray(before, dtype=np.float64),
            dt, self.reference.state, par, self._law, self._memory, self._b, self._bounds, d, u,
        )  # fmt: skip
        self.direction = (float(d[0]), float(d[1]), float(d[2]))
        rigid = RigidCommand(u[:k2].reshape(self.k, 2), u[k2 : k2 + f].copy(), u[k2 + f :].copy())
        return cmd._replace(direction=self.direction, rigid=rigid)

"""The flip after separation as a controlled rotation: the stage, engines off, turned by its
cold-gas thrusters from prograde to the boostback attitude (issue #16's first 6-DoF flight step).

The 3-DoF flight times the flip (``booster.recovery.flip_rate_deg_s``: the angle between the
MECO thrust axis and the boostback direction at that rate, a coast). Here the rigid stage flies
it on the rotating Earth (``flight.rigid_plant``), steered by the landing burn's attitude loop
pointing with its actuators at rest (``control.attitude.AttitudeController.hold``: its tilt
reference, per-step law and saturation-aware allocation), composed, not edited:

- the loop measures tilt from a frame's up, so it is run in the east-north-up frame of the
  separation point, held fixed to the Earth (``FlipFrame``): the state, the attitude and the
  demanded axis are turned into it, the axis it steers to turned back. The flip then passes
  over the top (through the local vertical), as the real stage's pitch-over does;
- its design model (``dynamics.sixdof.SixDofKernel``) is the vehicle in vacuum: the engines are
  off and the air thin, so the thrusters are all it allocates to; the air's moment (dynamic
  pressure of a hundred pascals at separation) is a disturbance its integral holds;
- the demand is a one-point plan along the boostback direction (``Demand.reference``, what
  ``hold`` pre-points on), with no tilt limit.

The flip ends when the axis is within ``tol_deg`` of the boostback direction and the body rates
below ``rate_tol_dps``; its time and the nitrogen it used are the figures against the 3-DoF
timed flip.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from boostback.config.vocab import Phase
from boostback.control.attitude import AttitudeGains
from boostback.dynamics.point_mass import Environment
from boostback.dynamics.rigid_body import quat_between
from boostback.dynamics.rigid_state import QUAT, RATE, SIZE, SIZE3
from boostback.dynamics.sixdof import SixDofKernel
from boostback.dynamics.sixdof_params import SixDofParams
from boostback.environment.atmosphere import Vacuum
from boostback.environment.gravity import UniformGravity
from boostback.environment.wind import NoWind
from boostback.flight.result import FlightResult
from boostback.flight.rigid_plant import RigidFlightPlant
from boostback.flight.rigid_steering import LocalFrame, RigidSteering
from boostback.gnc.protocols import Actuation, ActuatorCommand, Demand, NavEstimate, Tick, Vec3

__all__ = [
    "CRUISE_MAX_QBAR_PA",
    "CRUISE_TOL_DEG",
    "FLIP_GAINS",
    "FlipController",
    "FlipFrame",
    "FlipResult",
    "SeparationCase",
    "fly_flip",
    "rigid_state_along",
    "separation_case",
]

# The flip's gains: the landing loop's, slower (the thrusters give ~0.04 rad/s^2 in pitch to
# Falcon 9 with ~30-50 t aboard, not the gimbals' ~1 rad/s^2), and with the reference and the
# braking allowed most of what the thrusters can give. ``AttitudeController`` counts its reach as
# sum |b_j| over the actuators' full range; a thruster's duty runs 0..1, one way, and each pod's
# pair of tangential thrusters turns the stage both ways, so that reach is twice what the
# thrusters give in one direction: 0.3 and 0.4 of it are 0.6 and 0.8 of the real one. The turn
# rate cap is above the 3-DoF flip's 10 deg/s so that the bang-bang profile sets the time.
# Measured on falcon9_rtls's separation (146 deg, 46 t of propellant aboard, the air in), flip
# time to 2 deg and 0.5 deg/s and nitrogen: reference 0.35 -> 26.8 s, 348 kg (it overshoots by
# 6 deg and comes back); 0.3 -> 20.8 s, 295 kg; 0.25 -> 22.8 s, 268 kg; 0.2 -> 25.4 s, 238 kg.
# A faster loop (bandwidth 0.8-1.0 rad/s) overshoots more under saturated thrusters; at 1.2 rad/s
# it rings until the gas is gone.
FLIP_GAINS = AttitudeGains(
    bandwidth_rad_s=0.6,
    damping=0.9,
    reference_fraction=0.3,
    reference_gain_per_s=0.6,
    turn_rate_rad_s=math.radians(20.0),
    braking_fraction=0.4,
)


# Dynamic pressure above which a turn is not left to coast: at 1 Pa the air's moment on a
# Falcon 9 stage at a large angle of attack (~1 Pa x 10.5 m^2 x ~10 m arm, ~100 N m) is ~1 % of
# what its thrusters give (~0.4-0.5 kN at ~20 m) — an estimate; at 70 km (~100 Pa) it would
# spin the stage up within seconds.
CRUISE_MAX_QBAR_PA = 1.0
# How far the torque-free coast may take the stage from the loop's reference (a great circle
# against the reference's straight line in the tilt plane) before the loop picks it up again
CRUISE_TOL_DEG = 0.5

# the flip's frame: east-north-up at the separation point, fixed to the Earth
FlipFrame = LocalFrame


class FlipController:
    """Points a coasting rigid stage along an ECEF direction with its thrusters (and fins).

    Parameters
    ----------
    params : SixDofParams
        The rigid vehicle (its design model is built in vacuum).
    frame : FlipFrame
        The Earth-fixed local frame the attitude loop runs in.
    gains : AttitudeGains, optional
        Default ``FLIP_GAINS``.
    """

    def __init__(
        self, params: SixDofParams, frame: LocalFrame, gains: AttitudeGains | None = None
    ) -> None:
        model = SixDofKernel.build(params, Environment(Vacuum(), UniformGravity(9.80665), NoWind()))
        self.frame = frame
        self._target: Vec3 = (0.0, 0.0, 1.0)
        self.steer = RigidSteering(
            None, model, (), frame, gains or FLIP_GAINS, pointing=lambda nav: self._target
        )
        self.loop = self.steer.loop

    def hold(self, nav: NavEstimate, target_ecef: Vec3, tick: Tick, dt: float) -> ActuatorCommand:
        """The actuators' settings for the coming step: the attitude loop's ``hold`` towards
        ``target_ecef``, run in the local frame (``flight.rigid_steering.RigidSteering``)."""
        self._target = target_ecef
        return self.steer.hold(nav, Demand(Phase.FLIP, math.inf, None), tick, dt)

    def cruise_s(self, nav: NavEstimate) -> float:
        """How long the turn may coast torque-free now (``AttitudeController.cruise_s``)."""
        return self.loop.cruise_s(self.steer.frame.nav(nav))

    def cruise_error_rad(self, nav: NavEstimate, span_s: float) -> float:
        """How far from the loop's reference a coast of ``span_s`` leaves the stage
        (``AttitudeController.cruise_error_rad``)."""
        return self.loop.cruise_error_rad(self.steer.frame.nav(nav), span_s)

    def coast(self, span_s: float) -> None:
        """The loop after ``span_s`` flown open loop (``AttitudeController.coast``)."""
        self.loop.coast(span_s)


@dataclass(frozen=True)
class FlipResult:
    """A flown flip: when it ended, the turn, the nitrogen and the history (t, angle, rate)."""

    t_s: float  # time taken [s]
    done: bool  # reached the tolerance before the time limit
    turn_deg: float  # angle between the start axis and the target
    error_deg: float  # angle left at the end
    rate_dps: float  # body rate at the end
    gas_kg: float  # nitrogen used
    peak_rate_dps: float
    history: np.ndarray  # rows (t [s], angle to target [deg], body rate [deg/s])
    event: str | None = None  # a plant event that ended the turn early (one it watches)


def _angle_deg(a: Vec3 | np.ndarray, b: Vec3 | np.ndarray) -> float:
    c = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def fly_flip(
    plant: RigidFlightPlant,
    controller: FlipController,
    target_ecef: Vec3,
    dt_s: float = 0.04,
    tol_deg: float = 2.0,
    rate_tol_dps: float = 0.5,
    max_time_s: float = 90.0,
    record: Callable[[Actuation], None] | None = None,
    cruise_dt_s: float | None = None,
) -> FlipResult:
    """Turn the coasting stage onto ``target_ecef``; stop once within ``tol_deg`` of it with the
    body rates below ``rate_tol_dps`` (or at ``max_time_s``).

    The navigator is perfect (the IMU's attitude and rates, the true state): the figures are the
    plant's and the loop's, not a navigation error's. ``record(actuation)``, if given, is called
    before each step (a whole flight's record). An event the plant watches ends the turn where
    it falls (``FlipResult.event``). With ``cruise_dt_s``, the part of the turn the loop would
    fly at its rate cap with the thrusters at rest (``FlipController.cruise_s``) is flown
    torque-free in steps of that length, as long as that keeps the stage within
    ``CRUISE_TOL_DEG`` of the loop's reference, which moves on meanwhile as it would have.
    """
    t0 = plant.t_s
    gas0 = plant.gas_used_kg
    turn = _angle_deg(plant.axis, target_ecef)
    rows: list[tuple[float, float, float]] = []
    done = False
    peak = 0.0
    event: str | None = None
    while plant.t_s - t0 < max_time_s - 1e-9:
        sensed = plant.sense()
        nav = NavEstimate(plant.state, sensed.pressure_pa, 1.0, math.inf, attitude=sensed.attitude)
        err = _angle_deg(plant.axis, target_ecef)
        rate = math.degrees(float(np.linalg.norm(plant.rigid_state[RATE])))
        peak = max(peak, rate)
        rows.append((plant.t_s - t0, err, rate))
        if err <= tol_deg and rate <= rate_tol_dps:
            done = True
            break
        tick = plant.tick(Phase.FLIP)
        cmd = controller.hold(nav, target_ecef, tick, dt_s)
        steps = 0
        if cruise_dt_s is not None and sensed.qbar_pa <= CRUISE_MAX_QBAR_PA:
            free = min(controller.cruise_s(nav), t0 + max_time_s - plant.t_s)
            steps = _cruise_steps(controller, nav, int(free // cruise_dt_s), cruise_dt_s)
        if cruise_dt_s is not None and steps > 0:
            t_cruise = plant.t_s
            event = _cruise(plant, steps, cruise_dt_s, record)
            controller.coast(plant.t_s - t_cruise)
        else:
            act = plant.actuate(cmd, tick, dt_s)
            if record is not None:
                record(act)
            event = plant.step(act, dt_s, tick)
        if event is not None:
            rows.append((plant.t_s - t0, _angle_deg(plant.axis, target_ecef), rate))
            break
    t_end, err_end, rate_end = rows[-1]
    return FlipResult(
        t_s=t_end,
        done=done,
        turn_deg=turn,
        error_deg=err_end,
        rate_dps=rate_end,
        gas_kg=plant.gas_used_kg - gas0,
        peak_rate_dps=peak,
        history=np.array(rows),
        event=event,
    )


def _cruise_steps(controller: FlipController, nav: NavEstimate, steps: int, dt_s: float) -> int:
    """The most of ``steps`` coast steps after which the stage is still within
    ``CRUISE_TOL_DEG`` of the loop's reference (the gap grows with the coast: bisection)."""
    tol = math.radians(CRUISE_TOL_DEG)
    lo, hi = 0, steps
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if controller.cruise_error_rad(nav, mid * dt_s) <= tol:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _cruise(
    plant: RigidFlightPlant,
    steps: int,
    dt_s: float,
    record: Callable[[Actuation], None] | None,
) -> str | None:
    """Coast torque-free (actuators at rest) for ``steps`` steps of ``dt_s`` while the air is
    too thin to turn the stage (``CRUISE_MAX_QBAR_PA``); the first watched event ends it."""
    for _ in range(steps):
        if plant.sense().qbar_pa > CRUISE_MAX_QBAR_PA:
            return None
        act = plant.coast(plant.axis)
        if record is not None:
            record(act)
        event = plant.step(act, dt_s, plant.tick(Phase.FLIP))
        if event is not None:
            return event
    return None


def rigid_state_along(x3: tuple[float, ...], axis_ecef: Vec3) -> np.ndarray:
    """A 14-float ECEF rigid-body state at 3-DoF state ``x3`` (its centre of mass) with the body
    axis along ``axis_ecef`` and no rates relative to the Earth."""
    x = np.zeros(SIZE)
    x[:SIZE3] = x3[:SIZE3]
    a = np.asarray(axis_ecef, dtype=float)
    a = a / np.linalg.norm(a)
    x[QUAT] = quat_between((1.0, 0.0, 0.0), tuple(float(c) for c in a))
    return x


class SeparationCase(NamedTuple):
    """A 3-DoF flight's flip, as the rigid flip starts it: the state just after separation
    (ECEF, upper stage gone), its time, the stage's axis (the MECO thrust axis: prograde), the
    boostback burn's first thrust direction, and the 3-DoF flip's timed duration."""

    state: tuple[float, ...]
    t_s: float
    axis_ecef: Vec3
    boostback_ecef: Vec3
    flip_s: float


def separation_case(result: FlightResult) -> SeparationCase:
    """The flip of a flown 3-DoF flight (``flight.executive.fly_mission``) with a boostback.

    Raises
    ------
    ValueError
        The flight has no flip (no boostback burn).
    """
    tr = result.trajectory
    phases = np.asarray(tr.phase)
    flip = np.flatnonzero(phases == Phase.FLIP)
    burn = np.flatnonzero(phases == Phase.BOOSTBACK)
    meco = result.event("meco")
    if flip.size == 0 or burn.size == 0 or meco is None:
        raise ValueError("the flight has no flip before a boostback burn")
    i, j = int(flip[0]), int(burn[0])
    k = int(np.searchsorted(tr.t_s, meco.t_s, side="right")) - 1
    r, v, m = tr.r_ecef_m[i], tr.v_ecef_mps[i], float(tr.mass_kg[i])
    v_meco = tr.v_ecef_mps[k]
    axis = v_meco / np.linalg.norm(v_meco)
    d = tr.thrust_dir_ecef[j]
    return SeparationCase(
        (*map(float, r), *map(float, v), m),
        float(tr.t_s[i]),
        (float(axis[0]), float(axis[1]), float(axis[2])),
        (float(d[0]), float(d[1]), float(d[2])),
        float(tr.t_s[j] - tr.t_s[i]),
    )

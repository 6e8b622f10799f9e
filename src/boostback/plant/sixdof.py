"""The landing burn's rigid-body truth: a 6-DoF booster over a flat, pad-centred ENU ground.

It keeps the 14-float rigid-body state (``dynamics.rigid_state``) and steps it on the compiled
6-DoF kernel (``dynamics.sixdof``); its actuators (each engine's spool, throttle and two gimbal
axes, the grid fins, the cold-gas thrusters: ``dynamics.actuators``) turn an attitude
controller's ``RigidCommand`` into what the kernel flies.

What it shows the rest of the loop is the 3-DoF view of its **landing reference point**, the
centre of its feet (on the axis, at the feet's station): position, velocity (the centre of mass's
plus ``w x r``) and mass. That is the point the point-mass guidance plans to put on the pad, so
guidance and navigation are unchanged; the attitude reaches the attitude loop through the IMU
(``Sensed.attitude``). Touchdown is the first foot on the ground, and ``plant.legs`` decides
whether the stage stays up.

``ideal_attitude=True`` replaces the attitude dynamics by a perfect attitude loop: the body axis
is put along the commanded thrust direction at every step (turning about the reference point),
with no rates and no gimbal: with an aerodynamic model that has no moment about the centre of
mass, the translation is then the point mass's, the 3-DoF plant's consistency check.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from boostback.config.vocab import EventName
from boostback.dynamics.fast import drag_accel_many
from boostback.dynamics.integrate import refine_event
from boostback.dynamics.rigid_body import (
    quat_between,
    rotate_body_to_frame,
    rotate_frame_to_body,
)
from boostback.dynamics.rigid_state import (
    MASS,
    QUAT,
    QW,
    QX,
    QY,
    QZ,
    RATE,
    SIZE,
    SIZE3,
    WY,
    WZ,
)
from boostback.dynamics.sixdof import SixDofKernel
from boostback.dynamics.sixdof_params import SixDofParams
from boostback.dynamics.state import State
from boostback.gnc.faults import FaultState, GustWind
from boostback.gnc.outcome import Touchdown
from boostback.gnc.protocols import Actuation, ActuatorCommand, Sensed, Tick, Vec3
from boostback.gnc.rigid_faults import as_built
from boostback.jit import jit
from boostback.numerics import interp
from boostback.plant.engine import Engines
from boostback.plant.legs import feet_body, tipover_margin
from boostback.plant.rigid_hardware import (
    RigidActuation,
    RigidActuators,
    body_axis,
    imu_attitude,
)
from boostback.plant.setup import LandingSetup

__all__ = [
    "RigidActuation",
    "RigidStart",
    "SixDofPlant",
    "lowest_foot",
    "point_view",
    "reference_offset",
    "retrograde_state",
]

_UP = np.array([0.0, 0.0, 1.0])


def retrograde_state(x3: tuple[float, ...], params: SixDofParams) -> np.ndarray:
    """A rigid-body state at 3-DoF state ``x3`` of its reference point, engines into the flow.

    The body axis is turned against the velocity (the attitude of a stage falling engines
    first; upright if it is not moving), body rates zero, and the centre of mass placed so that
    the feet's centre is at ``x3``'s position.
    """
    x = np.zeros(SIZE)
    x[:SIZE3] = x3
    v = np.asarray(x3[3:6], dtype=float)
    speed = float(np.linalg.norm(v))
    axis = -v / speed if speed > 1e-6 else _UP
    x[QUAT] = quat_between((1.0, 0.0, 0.0), tuple(float(a) for a in axis))
    x[:3] -= reference_offset(x, params)
    return x


def _cg_station(m_kg: float, params: SixDofParams) -> float:
    return float(interp(m_kg - params.dry_mass_kg, params.mp_propellant_kg, params.mp_cg_station_m))


@jit
def point_view(x, arm):
    """The point ``arm`` up the axis from the centre of mass of rigid state ``x``: its position,
    velocity (the centre of mass's plus ``w x r``) and the mass."""
    q = (x[QW], x[QX], x[QY], x[QZ])
    r = rotate_body_to_frame(q, (arm, 0.0, 0.0))
    v = rotate_body_to_frame(q, (0.0, x[WZ] * arm, -x[WY] * arm))  # w x (arm, 0, 0)
    return (
        x[0] + r[0], x[1] + r[1], x[2] + r[2], x[3] + v[0], x[4] + v[1], x[5] + v[2], x[MASS],
    )  # fmt: skip


@jit
def lowest_foot(x, feet_b, mp_propellant_kg, mp_cg_station_m, dry_kg):
    """Height of the lowest foot of rigid state ``x``: each foot's offset from the centre of
    mass (``feet_b`` (count, 3), body axes about the gimbal plane's centre; the centre of mass's
    station from the mass-property table at the propellant ``x[MASS] - dry_kg``) projected on
    the pad's up, taken in body axes (one rotation, not one per foot)."""
    cg = interp(x[MASS] - dry_kg, mp_propellant_kg, mp_cg_station_m)
    up_b = rotate_frame_to_body((x[QW], x[QX], x[QY], x[QZ]), (0.0, 0.0, 1.0))
    low = math.inf
    for i in range(feet_b.shape[0]):
        h = (feet_b[i, 0] - cg) * up_b[0] + feet_b[i, 1] * up_b[1] + feet_b[i, 2] * up_b[2]
        low = min(low, h)
    return x[2] + low


def reference_offset(x: np.ndarray, params: SixDofParams) -> np.ndarray:
    """From the centre of mass to the feet's centre (the reference point the landing's 3-DoF
    view follows) of rigid state ``x``, in its frame."""
    arm = params.leg_station_m - _cg_station(float(x[MASS]), params)
    q = (x[7], x[8], x[9], x[10])
    return np.asarray(rotate_body_to_frame(q, (arm, 0.0, 0.0)))


class RigidStart(NamedTuple):
    """What a whole flight hands the landing burn besides the point mass's state: the attitude
    body -> landing frame and the body rates (``dynamics.rigid_state`` order, (7,)), and the
    cold gas left."""

    attitude: np.ndarray
    gas_kg: float


class SixDofPlant:
    """The ``Plant`` of a 6-DoF landing burn.

    Parameters
    ----------
    setup : LandingSetup
        Vehicle, scenario and the models resolved from them.
    faults : FaultState
        The faults of this flight (the truth carries them).
    params : SixDofParams
        The rigid vehicle (``plant.sixdof_setup.sixdof_params``).
    engines : tuple of int
        The engines the landing burn lights (indices into ``params``' engines); an engine-out
        fault takes them from the end of this tuple.
    ideal_attitude : bool
        A perfect attitude loop instead of the attitude dynamics (see the module's docstring).
    start : RigidStart, optional
        The attitude, body rates and cold gas a whole flight hands over (default: the body
        against the velocity, at rest, a full load of gas).
    """

    def __init__(
        self,
        setup: LandingSetup,
        faults: FaultState,
        params: SixDofParams,
        engines: tuple[int, ...],
        *,
        ideal_attitude: bool = False,
        start: RigidStart | None = None,
    ) -> None:
        self.setup = setup
        self.faults = faults
        self.burn_engines = tuple(engines)
        self.params = params = as_built(params, faults, self.burn_engines)
        self.ideal = ideal_attitude
        self.dry_mass_kg = setup.dry_mass_kg
        self.engines = Engines(setup.prop, len(self.burn_engines), faults)
        self.kernel = SixDofKernel.build(params, setup.env)
        x3 = setup.initial_state()
        m = self.dry_mass_kg + (x3[MASS] - self.dry_mass_kg) * faults.propellant_factor()
        self._x = retrograde_state((*x3[:6], m) if faults else x3, params)
        if start is not None:  # handed over by a whole flight: its attitude, rates and gas
            x = self._x
            x[:3] += reference_offset(x, params)  # the reference point again
            x[QUAT.start :] = start.attitude
            x[QUAT] /= np.linalg.norm(x[QUAT])
            x[:3] -= reference_offset(x, params)
        self.actuators = RigidActuators(params, self.engines, self.burn_engines, faults)
        self._low = math.nan  # the lowest foot at the end of the last step, of the state
        # the farthest a foot can be from the centre of mass (any load; 1 m more for a centre
        # of mass off the axis): the bound below which the feet are placed each step
        cg = np.asarray(self.params.mp_cg_station_m)
        self._reach_m = float(
            np.max(np.abs(self.params.leg_station_m - cg))
            + self.params.leg_footprint_radius_m
            + 1.0
        )
        self._low_of: np.ndarray | None = None
        self.rcs_gas_kg = params.rcs_gas_kg if start is None else start.gas_kg
        self._feet_b = np.zeros((0, 3))
        self._t = 0.0
        self._view: State | None = None

    # what the loop sees: the reference point's 3-DoF state
    @property
    def t_s(self) -> float:
        """Time since the plant's start."""
        return self._t

    @property
    def rigid_state(self) -> np.ndarray:
        """The true 14-float rigid-body state (centre of mass, ENU)."""
        return self._x.copy()

    @property
    def state(self) -> State:
        """The feet's centre as a point mass: position, velocity, mass (ENU, pad-centred)."""
        if self._view is None:
            x = self._x
            arm = self.params.leg_station_m - _cg_station(float(x[MASS]), self.params)
            self._view = point_view(x, arm)
        return self._view

    @property
    def altitude_m(self) -> float:
        """True height of the feet's centre above the pad's plane."""
        return self.state[2]

    @property
    def axis(self) -> Vec3:
        """The body's thrust axis (x_body) in ENU."""
        return body_axis(self._x)

    def recorded(self) -> np.ndarray:
        """What the record keeps of the body now: its rigid-body state (the angle of attack is
        computed for all samples at once at the end: ``alpha_many``)."""
        return self._x.copy()

    def alpha_many(self, states: np.ndarray) -> np.ndarray:
        """Total angle of attack (rad) of recorded rigid-body states (n, 14), in the scenario's
        wind."""
        return self.kernel.alpha_many(states)

    def sense(self) -> Sensed:
        """Static pressure, when the engines lit, and the IMU's attitude and rates."""
        x = self._x
        p = self.setup.env.pressure_pa(float(x[2]))
        return Sensed(p, self.engines.lit_at_s, math.nan, imu_attitude(x))

    def ignite(self, t_command_s: float) -> None:
        """Command the engines to light at ``t_command_s``."""
        self.engines.ignite(t_command_s)

    def air_many(self, states: np.ndarray) -> np.ndarray:
        """Mach number and dynamic pressure (n, 2) of many 3-DoF states (n, 7)."""
        zero = np.zeros(states.shape[0])
        return drag_accel_many(states, zero, self.setup.aero, self.setup.env)[:, 3:5]

    # the actuators
    def actuate(self, command: ActuatorCommand, tick: Tick, dt: float) -> Actuation:
        """What the engines, gimbals, fins and thrusters deliver over the coming step
        (``plant.rigid_hardware.RigidActuators``; an ideal attitude moves no gimbal)."""
        pressure = self.setup.env.pressure_pa(float(self._x[2]))
        throttle, thrust, expected, act = self.actuators.step(
            command, tick, dt, pressure, self.rcs_gas_kg, steering=not self.ideal
        )
        direction = command.direction if self.ideal else self.axis
        return Actuation(
            throttle, direction, thrust, expected, self.engines.lit_at_s, command.fins, act
        )

    def coast(self, direction: Vec3) -> Actuation:
        """Engines off (shutting down), actuators held."""
        axis = direction if self.ideal else self.axis
        act = self.actuators.idle()
        return Actuation(0.0, axis, 0.0, 0.0, self.engines.lit_at_s, (0.0, 0.0, 0.0), act)

    # the equations of motion
    def _kernel(self, tick: Tick) -> SixDofKernel:
        gust = self.faults.gust(tick.t_s, tick.phase, tick.altitude_m) if self.faults else None
        if gust is None:
            return self.kernel
        s = self.setup
        env = replace(s.env, wind=GustWind(s.env.wind, gust))
        return SixDofKernel.build(self.params, env)

    def _align(self, direction: Vec3) -> None:
        """Ideal attitude: turn the body onto ``direction`` about the feet's centre, rates zero."""
        x = self._x
        ref = np.asarray(self.state[:3])
        x[QUAT] = quat_between((1.0, 0.0, 0.0), direction)
        x[RATE] = 0.0
        x[:3] = ref - reference_offset(x, self.params)
        self._view, self._low_of = None, None  # changed in place

    @property
    def foot_reach_m(self) -> float:
        """The farthest a foot can be from the centre of mass: below this height of the centre
        of mass the feet are placed each step."""
        return self._reach_m

    @property
    def lowest_foot_m(self) -> float:
        """Height of the lowest foot above the pad's plane (0 at touchdown)."""
        return self._lowest_foot_m(self._x)

    @property
    def feet_b(self) -> np.ndarray:
        """The feet (count, 3) in body axes about the gimbal plane's centre (``lowest_foot``)."""
        if self._feet_b.shape[0] == 0:  # about the gimbal plane's centre; the CG moves
            p = self.params
            self._feet_b = feet_body(p.leg_count, p.leg_footprint_radius_m, p.leg_station_m, 0.0)
        return self._feet_b

    def _lowest_foot_m(self, x: np.ndarray) -> float:
        """Height of the lowest foot of state ``x`` (``lowest_foot``)."""
        veh = self.kernel.veh
        return float(lowest_foot(x, self.feet_b, veh[1], veh[2], self.params.dry_mass_kg))

    def step(self, actuation: Actuation, dt: float, tick: Tick) -> str | None:
        """Integrate over ``dt``; stop at the first foot's touchdown or when the propellant
        runs out."""
        if self.ideal:
            self._align(actuation.direction)
        a = actuation.rigid
        if not isinstance(a, RigidActuation):  # an engines-off actuation from the loop
            a = self.coast(actuation.direction).rigid
        kernel = self._kernel(tick)
        x0 = self._x

        gas: dict[float, float] = {}

        def advance(x: np.ndarray, h: float) -> np.ndarray:
            y, gas[h] = kernel.step(x, h, a.throttle, a.gimbal_rad, a.fins_rad, a.rcs_duty)
            return y

        x1 = advance(x0, dt)
        h, event = dt, None
        dry = self.dry_mass_kg
        if x1[MASS] < dry and a.throttle.any():
            x1, h = refine_event(
                lambda s: s[MASS] - dry, x0, dt, advance, x0[MASS] - dry, x1[MASS] - dry
            )
            x1[MASS] = max(x1[MASS], dry)
            event = EventName.PROPELLANT_OUT
        # no foot is lower than the centre of mass less its farthest reach: above that, no
        # touchdown can fall in the step and the feet need not be placed
        low1 = self._lowest_foot_m(x1) if x1[2] <= self._reach_m else math.inf
        if low1 <= 0.0:
            low0 = self._low if self._low_of is x0 else self._lowest_foot_m(x0)
            if low0 > 0.0:
                x1, h = refine_event(self._lowest_foot_m, x0, h, advance, low0, low1)
                event = EventName.TOUCHDOWN
        self.rcs_gas_kg -= gas[h]
        if event is None and math.isfinite(low1):
            self._low, self._low_of = low1, x1
        else:
            self._low, self._low_of = math.nan, None
        self._x, self._t, self._view = x1, self._t + h, None
        return event

    def moved(self, x: np.ndarray, t_s: float, gas_kg: float) -> None:
        """Take the rigid state, the clock and the cold gas left that a stretch of steps flown
        elsewhere reached (the compiled landing burn's, ``mission.rigid_quiet``)."""
        self._x, self._t, self.rcs_gas_kg = x, t_s, gas_kg
        self._view, self._low, self._low_of = None, math.nan, None

    def touchdown(self, direction: Vec3, powered: bool) -> Touchdown:
        """The touchdown at the first foot's contact: speeds of the feet's centre, the body's
        tilt and rates, the miss, the propellant left and the margin against tipping over."""
        x = self._x
        e, n, _u, ve, vn, vu, m = self.state
        up = self.axis[2]
        cg = _cg_station(float(m), self.params)
        p = self.params
        inertia = np.array(
            [
                np.interp(m - p.dry_mass_kg, p.mp_propellant_kg, p.mp_inertia_kgm2[:, i])
                for i in range(3)
            ]
        )
        feet = feet_body(p.leg_count, p.leg_footprint_radius_m, p.leg_station_m, cg)
        g = -float(self.setup.env.gravity.accel(np.zeros(3))[2])
        return Touchdown(
            t_s=self._t,
            vertical_speed_mps=-vu,
            lateral_speed_mps=math.hypot(ve, vn),
            tilt_deg=math.degrees(math.acos(max(-1.0, min(1.0, up)))),
            miss_m=math.hypot(e, n),
            propellant_kg=m - self.dry_mass_kg,
            tipover_margin=tipover_margin(x, feet, inertia, g),
            rates_dps=math.degrees(float(np.linalg.norm(x[RATE]))),
        )

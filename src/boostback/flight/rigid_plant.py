"""The ``Plant`` of a whole flight's burn or coast as a rigid body on the rotating Earth.

It keeps the 14-float rigid-body state in ECEF (``flight.rigid_kernel``: centre of mass,
velocity relative to the Earth, mass, attitude body -> ECEF, body rates relative to the Earth)
and steps it on the compiled rotating-Earth kernel. Its actuators are the landing plant's
(``plant.sixdof``): each engine's spool, throttle and two gimbal axes, the grid fins, the
cold-gas thrusters, in one compiled call (``dynamics.actuators.actuators_step``); the lumped
``Engines`` of the burn give the valves' setting, ignition and the faults' engines out, as in
``plant.sixdof.SixDofPlant``.

What the loop sees: the centre of mass as a 3-DoF ECEF state (``state``), the geodetic height
(``altitude_m``), and through the sensors static and dynamic pressure and the IMU's attitude and
rates (``Sensed.attitude``: the quaternion body -> ECEF, the body rates relative to the Earth).
A step ends early when the propellant runs out on a lit step (``EventName.PROPELLANT_OUT``) or
at the first of the events it watches (``flight.integrate``'s height, speed and apogee events,
read on the centre of mass by the flight kernel's own event functions); the cold gas used is
counted in ``rcs_gas_kg`` and the thrusters fall silent once it is gone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from boostback.config.vocab import EventName, Phase
from boostback.dynamics.integrate import refine_event
from boostback.dynamics.point_mass import PropulsionParams
from boostback.dynamics.rigid_state import MASS, SIZE, SIZE3
from boostback.dynamics.sixdof_params import SixDofParams
from boostback.dynamics.state import State
from boostback.flight import kernel as K
from boostback.flight.dynamics import AirData, World, air_data
from boostback.flight.integrate import Event
from boostback.flight.reserve import NO_RESERVE
from boostback.flight.rigid_kernel import RD_HEIGHT, RD_PRESSURE, RD_QBAR, RigidFlightKernel
from boostback.gnc.faults import FaultState
from boostback.gnc.protocols import Actuation, ActuatorCommand, Sensed, Tick, Vec3
from boostback.plant.engine import Engines
from boostback.plant.rigid_hardware import (
    RigidActuation,
    RigidActuators,
    body_axis,
    imu_attitude,
)

__all__ = ["RigidFlightPlant"]


class RigidFlightPlant:
    """A burn or a coast of a whole flight, flown as a rigid body (``gnc.protocols.Plant``).

    Parameters
    ----------
    params : SixDofParams
        The rigid vehicle (``plant.sixdof_setup.sixdof_params``).
    world : World
        Earth model, atmosphere and wind (those ``flight.kernel`` compiles).
    faults : FaultState
        The faults of this flight (onsets on the mission clock).
    x0 : ndarray
        (14,) rigid-body ECEF state at the start (``flight.rigid_kernel``).
    t0_s : float
        Mission time at the start.
    prop : PropulsionParams
        The burn's engines together at full throttle (the valves' lumped model; a coast may
        pass any).
    engines : tuple of int
        The engines the burn lights (indices into ``params``' engines); empty for a coast.
    burn : Phase
        The phase flown (fault onsets name it).
    watch : sequence of Event, optional
        Events that end a step where they fall (``flight.integrate.altitude_event`` ...).
    gas_kg : float, optional
        The cold gas aboard at the start (default: the vehicle's full load).
    """

    def __init__(
        self,
        params: SixDofParams,
        world: World,
        faults: FaultState,
        x0: np.ndarray,
        t0_s: float,
        prop: PropulsionParams,
        engines: tuple[int, ...] = (),
        burn: str = Phase.BOOSTBACK,
        watch: tuple[Event, ...] = (),
        gas_kg: float | None = None,
    ) -> None:
        self.params, self.world, self.faults = params, world, faults
        self.kernel = RigidFlightKernel.build(params, world)
        self.burn_engines = tuple(engines)
        self.engines = Engines(prop, max(len(self.burn_engines), 1), faults, burn)
        self.dry_mass_kg = params.dry_mass_kg
        self.rcs_gas_kg = params.rcs_gas_kg if gas_kg is None else gas_kg
        self.gas_used_kg = 0.0
        self.watch = tuple(watch)
        self.lit_engines = 0.0
        self.actuators = RigidActuators(params, self.engines, self.burn_engines, faults)
        x = np.array(x0, dtype=np.float64).reshape(SIZE)
        self._x, self._t = x, float(t0_s)
        self._air = self.kernel.air_data(x)

    # what the loop sees
    @property
    def t_s(self) -> float:
        """Mission time."""
        return self._t

    @property
    def rigid_state(self) -> np.ndarray:
        """The true 14-float rigid-body state (ECEF)."""
        return self._x.copy()

    @property
    def state(self) -> State:
        """The centre of mass as a point mass: ECEF position, velocity, mass."""
        return tuple(float(v) for v in self._x[:SIZE3])  # type: ignore[return-value]

    @property
    def altitude_m(self) -> float:
        """Height above the Earth model."""
        return float(self._air[RD_HEIGHT])

    @property
    def axis(self) -> Vec3:
        """The body's long axis (x_body, the thrust axis) in ECEF."""
        return body_axis(self._x)

    @property
    def air(self) -> AirData:
        """The centre of mass's air data, as the 3-DoF flight records it."""
        return air_data(self.state, self.world)

    def air_data(self) -> np.ndarray:
        """Air data now (``flight.rigid_kernel.RD_*``: alpha, Mach, qbar, height, pressure)."""
        return self._air.copy()

    def sense(self) -> Sensed:
        """Static and dynamic pressure, when the engines lit, and the IMU's attitude and rates."""
        air, att = self._air, imu_attitude(self._x)
        return Sensed(float(air[RD_PRESSURE]), self.engines.lit_at_s, float(air[RD_QBAR]), att)

    def ignite(self, t_command_s: float) -> None:
        """Command the burn's engines to light at ``t_command_s``."""
        self.engines.ignite(t_command_s)

    # the actuators
    def actuate(self, command: ActuatorCommand, tick: Tick, dt: float) -> Actuation:
        """What the engines, gimbals, fins and thrusters deliver over the coming step
        (``plant.rigid_hardware.RigidActuators``)."""
        pressure = float(self._air[RD_PRESSURE])
        throttle, thrust, expected, act = self.actuators.step(
            command, tick, dt, pressure, self.rcs_gas_kg
        )
        self.lit_engines = self.engines.count_running(tick) if throttle > 0.0 else 0.0
        return Actuation(
            throttle, self.axis, thrust, expected, self.engines.lit_at_s, command.fins, act
        )

    def coast(self, direction: Vec3) -> Actuation:
        """Engines off (shutting down), gimbals and fins held, thrusters silent."""
        act = self.actuators.idle()
        self.lit_engines = 0.0
        return Actuation(0.0, self.axis, 0.0, 0.0, self.engines.lit_at_s, (0.0, 0.0, 0.0), act)

    # the equations of motion
    def step(self, actuation: Actuation, dt: float, tick: Tick) -> str | None:
        """Integrate over ``dt``; stop when the propellant runs out on a lit step."""
        a = actuation.rigid
        if not isinstance(a, RigidActuation):
            a = self.coast(actuation.direction).rigid
        duty = a.rcs_duty
        if self.rcs_gas_kg <= 0.0 and duty.any():
            duty = np.zeros_like(duty)
        kernel, x0 = self.kernel, self._x
        gas: dict[float, float] = {}

        def advance(x: np.ndarray, h: float) -> np.ndarray:
            y, gas[h] = kernel.step(x, h, a.throttle, a.gimbal_rad, a.fins_rad, duty)
            return y

        x1 = advance(x0, dt)
        h, event = dt, None  # type: float, str | None
        dry = self.dry_mass_kg
        if x1[MASS] < dry and a.throttle.any():
            x1, h = refine_event(
                lambda s: s[MASS] - dry, x0, dt, advance, x0[MASS] - dry, x1[MASS] - dry
            )
            x1[MASS] = max(x1[MASS], dry)
            event = EventName.PROPELLANT_OUT
        if self.watch:
            x1, h, event = self._watched(x0, x1, h, event, advance)
        used = min(gas[h], max(self.rcs_gas_kg, 0.0))  # the last puff empties the bottle
        self.rcs_gas_kg -= used
        self.gas_used_kg += used
        self._x, self._t = x1, self._t + h
        self._air = self.kernel.air_data(x1)
        return event

    def _event_values(self, x: np.ndarray) -> list[float]:
        wp = self.kernel.mdl[0]
        return [float(K.event(e.kind, e.level, x, wp, NO_RESERVE)) for e in self.watch]

    def _watched(
        self,
        x0: np.ndarray,
        x1: np.ndarray,
        h: float,
        event: str | None,
        advance: Callable[[np.ndarray, float], np.ndarray],
    ) -> tuple[np.ndarray, float, str | None]:
        """The earliest watched event crossed in the step (before ``event``, if any): the step
        shortened to end on it."""
        g0, g1 = self._event_values(x0), self._event_values(x1)
        best: tuple[float, np.ndarray, str] | None = None
        for i, (e, a, b) in enumerate(zip(self.watch, g0, g1, strict=True)):
            if a > 0.0 >= b:

                def g(s: np.ndarray, i: int = i) -> float:
                    return self._event_values(s)[i]

                xe, he = refine_event(g, x0, h, advance, a, b)
                if best is None or he < best[0]:
                    best = (he, xe, e.name)
        if best is None:
            return x1, h, event
        return best[1], best[0], best[2]

    def tick(self, phase: str) -> Tick:
        """The loop's ``Tick`` now, in ``phase``."""
        return Tick(self._t, phase, self.altitude_m)

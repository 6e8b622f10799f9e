"""The seams of the closed loop: four small protocols over named messages.

One step of the loop (``gnc.loop.fly``) is: the ``Navigator`` turns the truth into an estimate,
the ``Guidance`` turns the estimate into a ``Demand`` (and decides when a burn starts), the
``Controller`` turns the demand into an ``ActuatorCommand``, and the ``Plant`` applies the command
through its actuators and integrates the equations of motion to the next step. Faults wrap these
pieces (the engine, the navigator's fixes, the controller's authority, the wind) instead of being
tested for inside the loop. A new guidance method or plant joins by implementing the protocol and
passing the conformance tests (tests/test_gnc_conformance.py), not by editing the loop.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Protocol, runtime_checkable

from boostback.dynamics.state import State

__all__ = [
    "Actuation",
    "ActuatorCommand",
    "Attitude",
    "AttitudeHolding",
    "Controller",
    "Demand",
    "Guidance",
    "NavEstimate",
    "Navigator",
    "Plant",
    "Sensed",
    "Tick",
    "Vec3",
]

Vec3 = tuple[float, float, float]
# A rigid body's attitude as its inertial measurement unit gives it: the quaternion (w, x, y, z,
# body -> the state's frame) and the body rates (rad/s), seven floats (``dynamics.rigid_state``).
Attitude = tuple[float, float, float, float, float, float, float]


class Tick(NamedTuple):
    """Where the loop stands: time, flight phase, and the true altitude (fault onsets use these)."""

    t_s: float
    phase: str
    altitude_m: float


class Sensed(NamedTuple):
    """What the vehicle's own sensors read directly: air data and the engines' chamber pressure.

    ``qbar_pa`` is the dynamic pressure from the air-data system (NaN where the plant does not
    measure it: the landing burn steers without it). ``attitude`` is the inertial measurement
    unit's attitude and body rates (a 6-DoF plant's; None from a point mass).
    """

    pressure_pa: float
    lit_at_s: float  # when the engines lit (inf: not yet)
    qbar_pa: float = math.nan
    attitude: Attitude | None = None


class NavEstimate(NamedTuple):
    """What the flight computer believes.

    Attributes
    ----------
    state : State
        Navigated position, velocity and mass (see ``dynamics.state`` for the layout).
    pressure_pa : float
        Ambient static pressure from the air-data sensor.
    thrust_scale : float
        Achieved over commanded thrust, estimated from the accelerometers (1: as on the data sheet).
    lit_at_s : float
        When the engines were sensed to light (inf: not yet).
    dv_sensed_mps : Vec3
        The velocity the thrust added over the last step, as the accelerometers measured it, in
        the state's frame (what velocity-to-go guidance counts down).
    qbar_pa : float
        Dynamic pressure from the air-data system (NaN: not measured).
    attitude : Attitude or None
        Attitude quaternion and body rates (a 6-DoF flight; None for a point mass).
    """

    state: State
    pressure_pa: float
    thrust_scale: float
    lit_at_s: float
    dv_sensed_mps: Vec3 = (0.0, 0.0, 0.0)
    qbar_pa: float = math.nan
    attitude: Attitude | None = None


class Demand(NamedTuple):
    """What guidance asks of the controller: the phase it wants and, for a burn, its reference.

    ``ignite_at_s`` is when the next burn is to start (the loop shortens the step that crosses it,
    and commands the plant anew when guidance moves it during the coast);
    ``reference`` is the guidance method's own reference (a plan), read by its controller.
    """

    phase: str
    ignite_at_s: float
    reference: object = None
    reference_t0_s: float = 0.0


class ActuatorCommand(NamedTuple):
    """The controller's output: throttle and unit thrust direction, and whether to shut down.

    ``hold_s`` is how long the command may hold before the engines shut down: a burn that ends
    within the coming step (its velocity to go gained) asks for that step to be shortened to
    ``hold_s`` and cut off at its end. ``fins`` is the grid fins' lateral force as a fraction of
    their full authority, in the state's frame (|fins| <= 1). ``rigid`` is an attitude
    controller's setting of each actuator (``control.attitude.RigidCommand``: gimbals, fin
    deflections, thrusters), which a 6-DoF plant flies; ``direction`` is then the thrust axis the
    controller is steering to. A point mass ignores it.
    """

    throttle: float
    direction: Vec3
    cutoff: bool = False
    hold_s: float = math.inf
    fins: Vec3 = (0.0, 0.0, 0.0)
    rigid: Any = None


class Actuation(NamedTuple):
    """What the actuators actually did over a step (the truth the plant integrates).

    ``throttle`` is the effective throttle (faults included), ``thrust_n`` the thrust it gives,
    ``expected_thrust_n`` the thrust the valve position should give (a lag is no shortfall),
    ``fins`` the fins' force as a fraction of their nominal full authority (a jammed fin gives
    less than commanded). ``rigid`` is what a 6-DoF plant's actuators reached (per-engine
    throttle, gimbal and fin angles, thrusters: ``plant.rigid_hardware.RigidActuation``);
    ``direction`` is then the body's thrust axis.
    """

    throttle: float
    direction: Vec3
    thrust_n: float
    expected_thrust_n: float = 0.0
    lit_at_s: float = float("inf")
    fins: Vec3 = (0.0, 0.0, 0.0)
    rigid: Any = None

    def off(self) -> Actuation:
        """The same pointing with the engines off (and the fins)."""
        return self._replace(throttle=0.0, thrust_n=0.0)


@runtime_checkable
class Plant(Protocol):
    """The truth model: owns the state and steps it with events."""

    @property
    def t_s(self) -> float: ...

    @property
    def state(self) -> State: ...

    @property
    def altitude_m(self) -> float: ...

    def sense(self) -> Sensed:
        """The sensors' direct readings now."""
        ...

    def ignite(self, t_command_s: float) -> None:
        """Command the engines to light at ``t_command_s`` (they may light later: faults)."""
        ...

    def actuate(self, command: ActuatorCommand, tick: Tick, dt: float) -> Actuation:
        """Pass ``command`` through the actuators (lags, faults) for the coming step."""
        ...

    def coast(self, direction: Vec3) -> Actuation:
        """Engines off, pointing held."""
        ...

    def step(self, actuation: Actuation, dt: float, tick: Tick) -> str | None:
        """Integrate over ``dt`` (or to an event, whose name is returned)."""
        ...


@runtime_checkable
class Navigator(Protocol):
    """Turns the truth into the estimate the flight computer steers on."""

    def fix(self, truth: State, tick: Tick) -> State:
        """One raw fix (sensor errors included), unfiltered."""
        ...

    def update(self, truth: State, tick: Tick, sensed: Sensed) -> NavEstimate:
        """The estimate after this step's fix."""
        ...

    def sense(self, actuation: Actuation, tick: Tick, dt: float) -> None:
        """The accelerometers over the coming step (thrust estimation)."""
        ...


@runtime_checkable
class Guidance(Protocol):
    """Plans: decides when a burn starts and what the vehicle should do."""

    def prepare(self, fix: State) -> float:
        """Before the loop: plan ahead from one fix; returns when the engines are to light."""
        ...

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        """The demand for this step (re-planning when it is time to)."""
        ...


@runtime_checkable
class Controller(Protocol):
    """Turns the guidance's demand and the estimate into actuator commands."""

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """The command for the coming step of length ``dt``."""
        ...


@runtime_checkable
class AttitudeHolding(Protocol):
    """A controller that keeps steering with the engines off (a rigid vehicle's attitude loop:
    fins and thrusters); the loop asks it in the unpowered phases instead of coasting."""

    def hold(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """Engines off: the actuators' settings for the coming step of length ``dt``."""
        ...

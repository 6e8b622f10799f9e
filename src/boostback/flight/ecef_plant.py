"""The ``Plant`` of a whole flight's burns on the rotating Earth, and the recorder it feeds.

A boostback or entry burn is flown by the one loop (``gnc.loop.fly``) like the landing burn: the
plant owns the ECEF state and the mission clock, passes commands through its engines (ignition
delay, throttle lag, thrust shortfall, engines out: the faults' hooks) and integrates the
rotating-Earth kernel (WGS-84 with J2, Coriolis and centrifugal terms, the scenario's wind and any
gust, the descent body's drag) up to the events it watches: the propellant running out, and
whatever the burn ends on (the entry burn's target speed).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from boostback.config.vocab import EventName, Phase
from boostback.dynamics.point_mass import PropulsionParams
from boostback.dynamics.state import MASS, State, with_mass
from boostback.flight.dynamics import AirData, Body, World, air_data
from boostback.flight.integrate import Event, advance, event_arrays, mass_event
from boostback.flight.kernel import command_vector, flight_kernel
from boostback.flight.predict import heat_flux_wpm2
from boostback.flight.record import FlightRecorder
from boostback.flight.reserve import NO_RESERVE
from boostback.gnc.faults import FaultState, GustWind
from boostback.gnc.protocols import Actuation, ActuatorCommand, Sensed, Tick, Vec3
from boostback.plant.engine import Engines

__all__ = ["EcefPlant", "EcefStepper", "LegRecorder", "gusty_world"]


def gusty_world(world: World, faults: FaultState | None, tick: Tick) -> World:
    """``world`` with the wind of the gusts under way at ``tick`` added (itself when none)."""
    gust = faults.gust(tick.t_s, tick.phase, tick.altitude_m) if faults else None
    if gust is None:
        return world
    return World(world.earth, world.atmosphere, GustWind(world.wind, gust))  # type: ignore[arg-type]


class EcefStepper:
    """Steps one body on the rotating Earth up to a plant's events: the propellant running out
    (on a lit step; the mass is then held at the dry mass) and the events of ``watch``. The
    kernel and the events' arrays are built once; a gust under way swaps the world for the step.

    Parameters
    ----------
    body, world : Body, World
        What the air sees; the Earth, air and wind.
    watch : sequence of Event
        The events that end a step, lit or not.
    dry_mass_kg : float
        Where the propellant runs out.
    reserve : ndarray, optional
        The recovery reserve model a watched ``reserve_event`` reads.
    """

    def __init__(
        self,
        body: Body,
        world: World,
        watch: Sequence[Event],
        dry_mass_kg: float,
        reserve: np.ndarray | None = None,
    ) -> None:
        self.body, self.world, self.dry_mass_kg = body, world, dry_mass_kg
        self.kernel = flight_kernel(body, world)
        unlit = tuple(watch)
        lit = (*unlit, mass_event(EventName.PROPELLANT_OUT, dry_mass_kg))
        self._events = {False: (unlit, event_arrays(unlit)), True: (lit, event_arrays(lit))}
        self.reserve = NO_RESERVE if reserve is None else reserve

    def step(
        self,
        x: State,
        actuation: Actuation,
        direction_ecef: Vec3,
        fins_ecef: Vec3,
        dt: float,
        tick: Tick,
        engines: Engines,
    ) -> tuple[State, float, str | None]:
        """One step: the new state, the time flown, the event met (None: none)."""
        lit = actuation.throttle > 0.0
        prop = engines.running(tick) if lit else None
        command = command_vector(actuation.throttle, prop, direction_ecef, fins_ecef)
        kernel = self.kernel
        world = gusty_world(self.world, engines.faults, tick)
        if world is not self.world:
            kernel = flight_kernel(self.body, world)
        events, arrays = self._events[lit]
        y, h, event = advance(x, dt, command, kernel, events, arrays, self.reserve)
        if event == EventName.PROPELLANT_OUT:
            y = with_mass(y, max(y[MASS], self.dry_mass_kg))
        return y, h, event


class EcefPlant:
    """A burn of a whole flight: ECEF state, mission time, the burn's engines.

    Parameters
    ----------
    body, world : Body, World
        What the air sees, and the Earth, air and wind.
    faults : FaultState
        The faults of this flight (onsets on the mission clock).
    x0_ecef : State
        The state at the start (ECEF, m, m/s, kg).
    t0_s : float
        The mission time at the start.
    prop : PropulsionParams
        The burn's engines, all lit at full throttle.
    count : int
        How many engines that is (an engine-out fault takes whole engines away).
    burn : Phase
        The burn flown (fault onsets and ignition delays name it).
    dry_mass_kg : float
        The stage's dry mass (the propellant runs out there).
    watch : sequence of Event
        Further events that end a step (the burn's own end condition).
    reserve : ndarray, optional
        The recovery reserve model a watched ``reserve_event`` reads (the ascent's MECO).
    """

    def __init__(
        self,
        body: Body,
        world: World,
        faults: FaultState,
        x0_ecef: State,
        t0_s: float,
        prop: PropulsionParams,
        count: int,
        burn: Phase,
        dry_mass_kg: float,
        watch: Sequence[Event] = (),
        reserve: np.ndarray | None = None,
    ) -> None:
        self.body, self.world, self.faults = body, world, faults
        self.engines = Engines(prop, count, faults, burn)
        self.dry_mass_kg = dry_mass_kg
        self.stepper = EcefStepper(body, world, watch, dry_mass_kg, reserve)
        self._x, self._t = x0_ecef, t0_s
        self._air = air_data(x0_ecef, world)
        self.lit_engines = 0.0

    @property
    def t_s(self) -> float:
        """Mission time."""
        return self._t

    @property
    def state(self) -> State:
        """The true state (ECEF)."""
        return self._x

    @property
    def air(self) -> AirData:
        """Air data at the present state."""
        return self._air

    @property
    def altitude_m(self) -> float:
        """Height above the Earth model."""
        return self._air.altitude_m

    def sense(self) -> Sensed:
        """Static and dynamic pressure at the vehicle, and when the engines lit."""
        return Sensed(self._air.pressure_pa, self.engines.lit_at_s, self._air.qbar_pa)

    def ignite(self, t_command_s: float) -> None:
        """Command the engines to light at ``t_command_s``."""
        self.engines.ignite(t_command_s)

    def actuate(self, command: ActuatorCommand, tick: Tick, dt: float) -> Actuation:
        """What the engines deliver over the coming step."""
        act = self.engines.actuate(command, tick, dt, self._air.pressure_pa)
        self.lit_engines = self.engines.count_running(tick) if act.throttle > 0.0 else 0.0
        f = command.fins
        if f[0] or f[1] or f[2]:  # a jammed fin delivers its share of the command only
            k = self.faults.fin_factor() if self.faults else 1.0
            act = act._replace(fins=(k * f[0], k * f[1], k * f[2]))
        return act

    def coast(self, direction: Vec3) -> Actuation:
        """Engines off, pointing held."""
        self.lit_engines = 0.0
        return Actuation(0.0, direction, 0.0, 0.0, self.engines.lit_at_s)

    def step(self, actuation: Actuation, dt: float, tick: Tick) -> str | None:
        """Integrate over ``dt``; stop at the events watched or when the propellant runs out."""
        act = actuation
        x, h, event = self.stepper.step(
            self._x, act, act.direction, act.fins, dt, tick, self.engines
        )
        self._x, self._t = x, self._t + h
        self._air = air_data(x, self.world)
        return event


class LegRecorder:
    """The loop's ``Recorder`` for a burn of a whole flight: samples and events go to the
    flight's record, with the plant's air data, lit engines and, off the engines, heat flux."""

    def __init__(self, rec: FlightRecorder, plant: EcefPlant, nose_radius_m: float) -> None:
        self.rec, self.plant, self.nose_radius_m = rec, plant, nose_radius_m

    def sample(self, t: float, x: State, actuation: Actuation, phase: str) -> None:
        """One sample of the flight record (the plant's present state)."""
        air, a = self.plant.air, actuation
        heat = 0.0
        if a.throttle == 0.0:
            heat = heat_flux_wpm2(air.density_kgpm3, air.speed_mps, self.nose_radius_m)
        engines = self.plant.lit_engines
        self.rec.sample(t, x, phase, a, engines, air, heat)

    def event(self, name: str, t: float, x: State, dry_kg: float, detail: str = "") -> None:
        """An event of the flight record."""
        self.rec.event(name, t, x, detail)

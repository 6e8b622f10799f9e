"""The landing burn of a whole flight on the rotating Earth: a second ``Plant`` for the one loop.

The flight's truth does not change at the hand-over: the landing burn flies on the same
rotating-Earth kernel as the rest of the mission (WGS-84 with J2, Coriolis and centrifugal terms,
the scenario's wind, the descent body's drag and plume shielding), with the landing engines of
``plant.engine`` and the faults' hooks. Guidance, controller and navigator are those of
``boostback land``; they see the state in the landing pad's ENU frame, which this plant presents
(``state``) while it integrates in ECEF.
"""

from __future__ import annotations

import numpy as np

from boostback.config.vocab import EventName
from boostback.dynamics.state import MASS, State
from boostback.environment.frames import Site, enu_basis
from boostback.environment.wind import ConstantWind, LayeredWind, NoWind
from boostback.flight.dynamics import Command, World, air_data
from boostback.flight.integrate import altitude_event, mass_event, step
from boostback.flight.setup import FlightSetup
from boostback.gnc.faults import FaultState
from boostback.gnc.outcome import Touchdown
from boostback.gnc.protocols import Actuation, ActuatorCommand, Sensed, Tick, Vec3
from boostback.plant.engine import Engines
from boostback.plant.flat import enu_touchdown
from boostback.plant.setup import LandingSetup

__all__ = ["EcefLandingPlant"]


def _with_gust(wind: object, gust: Vec3) -> object:
    """``wind`` with a uniform ``gust`` (ENU) added at every height."""
    if isinstance(wind, NoWind):
        return ConstantWind(gust)
    if isinstance(wind, ConstantWind):
        w = wind.v_enu_mps
        return ConstantWind((w[0] + gust[0], w[1] + gust[1], w[2] + gust[2]))
    if isinstance(wind, LayeredWind):
        heights, v = wind.table
        return LayeredWind(tuple(heights), tuple(tuple(row + np.asarray(gust)) for row in v))
    raise TypeError(f"no gust on a {type(wind).__name__}")


class EcefLandingPlant:
    """The ``Plant`` of a whole flight's landing burn, on the rotating Earth.

    Parameters
    ----------
    setup : LandingSetup
        The landing burn (vehicle, guidance, engines); its start state is ``x0_ecef`` seen from
        the pad.
    faults : FaultState
        The faults of this flight.
    flight : FlightSetup
        The flight's world and descent body.
    x0_ecef : State
        The state at the hand-over (ECEF).
    pad : Site
        The landing pad: the origin and axes of the ENU frame guidance works in.
    """

    def __init__(
        self,
        setup: LandingSetup,
        faults: FaultState,
        flight: FlightSetup,
        x0_ecef: State,
        pad: Site,
    ) -> None:
        self.setup = setup
        self.faults = faults
        self.dry_mass_kg = setup.dry_mass_kg
        self.body, self.world = flight.descent_body, flight.world
        self.ground_m = flight.ground_alt_m
        self._basis = enu_basis(pad.lat_rad, pad.lon_rad)  # rows: east, north, up in ECEF
        self._origin = flight.site_ecef(pad)
        m0 = x0_ecef[MASS]
        if faults:
            m0 = self.dry_mass_kg + (m0 - self.dry_mass_kg) * faults.propellant_factor()
        self._x: State = (*x0_ecef[:6], m0)  # type: ignore[assignment]
        self._t = 0.0
        self._enu = self._view(self._x)
        self.engines = Engines(setup.prop, setup.stage.landing_engines, faults)

    def _view(self, x: State) -> State:
        """``x`` (ECEF) in the pad's ENU frame."""
        b, o = self._basis, self._origin
        d = (x[0] - o[0], x[1] - o[1], x[2] - o[2])
        r = [float(b[i, 0] * d[0] + b[i, 1] * d[1] + b[i, 2] * d[2]) for i in range(3)]
        v = [float(b[i, 0] * x[3] + b[i, 1] * x[4] + b[i, 2] * x[5]) for i in range(3)]
        return (r[0], r[1], r[2], v[0], v[1], v[2], x[MASS])

    def _to_ecef(self, d: Vec3) -> tuple[float, float, float]:
        b = self._basis
        return tuple(float(b[0, i] * d[0] + b[1, i] * d[1] + b[2, i] * d[2]) for i in range(3))  # type: ignore[return-value]

    @property
    def t_s(self) -> float:
        """Time since the hand-over."""
        return self._t

    @property
    def state(self) -> State:
        """The true state, in the pad's ENU frame."""
        return self._enu

    @property
    def state_ecef(self) -> State:
        """The true state, ECEF."""
        return self._x

    @property
    def altitude_m(self) -> float:
        """Height above the pad's horizontal plane."""
        return self._enu[2]

    def sense(self) -> Sensed:
        """Static pressure at the vehicle and when the engines lit."""
        return Sensed(air_data(self._x, self.world).pressure_pa, self.engines.lit_at_s)

    def air_many(self, states_enu: np.ndarray) -> np.ndarray:
        """Mach number and dynamic pressure (n, 2) of many pad-ENU states (n, 7)."""
        b, o = self._basis, np.asarray(self._origin)
        r = states_enu[:, 0:3] @ b + o
        v = states_enu[:, 3:6] @ b
        out = np.empty((states_enu.shape[0], 2))
        for i in range(states_enu.shape[0]):
            a = air_data((*r[i], *v[i], states_enu[i, 6]), self.world)
            out[i] = a.mach, a.qbar_pa
        return out

    def ignite(self, t_command_s: float) -> None:
        """Command the engines to light at ``t_command_s``."""
        self.engines.ignite(t_command_s)

    def actuate(self, command: ActuatorCommand, tick: Tick, dt: float) -> Actuation:
        """What the engines deliver over the coming step."""
        return self.engines.actuate(command, tick, dt, self.sense().pressure_pa)

    def coast(self, direction: Vec3) -> Actuation:
        """Engines off, pointing held."""
        return Actuation(0.0, direction, 0.0, 0.0, self.engines.lit_at_s)

    def _world(self, tick: Tick) -> World:
        gust = self.faults.gust(tick.t_s, tick.phase, tick.altitude_m) if self.faults else None
        if gust is None:
            return self.world
        w = self.world
        return World(w.earth, w.atmosphere, _with_gust(w.wind, gust))  # type: ignore[arg-type]

    def step(self, actuation: Actuation, dt: float, tick: Tick) -> str | None:
        """Integrate over ``dt``; stop at touchdown or when the propellant runs out."""
        lit = actuation.throttle > 0.0
        prop = self.engines.running(tick)
        cmd = Command(actuation.throttle, prop if lit else None, self._to_ecef(actuation.direction))
        events = [altitude_event(EventName.TOUCHDOWN, self.ground_m)]
        if lit:
            events.append(mass_event(EventName.PROPELLANT_OUT, self.dry_mass_kg))
        res = step(self._x, dt, cmd, self.body, self._world(tick), events)
        x = res.state
        if res.event == EventName.PROPELLANT_OUT:
            x = (*x[:6], max(x[MASS], self.dry_mass_kg))  # type: ignore[assignment]
        self._x, self._t = x, self._t + res.dt
        self._enu = self._view(x)
        return res.event

    def touchdown(self, direction: Vec3, powered: bool) -> Touchdown:
        """The touchdown, seen from the pad, the axis along ``direction`` when ``powered``."""
        return enu_touchdown(self._enu, self._t, self.dry_mass_kg, direction, powered)

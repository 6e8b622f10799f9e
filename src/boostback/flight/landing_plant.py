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
from boostback.dynamics.state import MASS, POS, PX, PY, PZ, VEL, VX, VY, VZ, State, with_mass
from boostback.environment.frames import Site, enu_basis
from boostback.flight.dynamics import air_data
from boostback.flight.ecef_plant import EcefStepper
from boostback.flight.integrate import altitude_event
from boostback.flight.setup import FlightSetup
from boostback.gnc.faults import FaultState
from boostback.gnc.protocols import Actuation, Tick, Vec3
from boostback.plant.base import EnginePlant
from boostback.plant.setup import LandingSetup

__all__ = ["EcefLandingPlant"]


class EcefLandingPlant(EnginePlant):
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
        super().__init__(setup, faults)
        self.body, self.world = flight.descent_body, flight.world
        self.ground_m = flight.ground_alt_m
        basis = enu_basis(pad.lat_rad, pad.lon_rad)  # rows: east, north, up in ECEF
        self._basis = tuple(tuple(float(v) for v in row) for row in basis)
        self._origin = tuple(float(v) for v in flight.site_ecef(pad))
        self._x: State = with_mass(x0_ecef, self._loaded_mass(x0_ecef[MASS]))
        self._enu = self._view(self._x)
        touchdown = (altitude_event(EventName.TOUCHDOWN, self.ground_m),)
        self.stepper = EcefStepper(self.body, self.world, touchdown, self.dry_mass_kg)

    def _view(self, x: State) -> State:
        """``x`` (ECEF) in the pad's ENU frame."""
        (e0, e1, e2), (n0, n1, n2), (u0, u1, u2) = self._basis
        o = self._origin
        d0, d1, d2 = x[PX] - o[0], x[PY] - o[1], x[PZ] - o[2]
        return (
            e0 * d0 + e1 * d1 + e2 * d2,
            n0 * d0 + n1 * d1 + n2 * d2,
            u0 * d0 + u1 * d1 + u2 * d2,
            e0 * x[VX] + e1 * x[VY] + e2 * x[VZ],
            n0 * x[VX] + n1 * x[VY] + n2 * x[VZ],
            u0 * x[VX] + u1 * x[VY] + u2 * x[VZ],
            x[MASS],
        )

    def _to_ecef(self, d: Vec3) -> tuple[float, float, float]:
        e, n, u = self._basis
        return (
            e[0] * d[0] + n[0] * d[1] + u[0] * d[2],
            e[1] * d[0] + n[1] * d[1] + u[1] * d[2],
            e[2] * d[0] + n[2] * d[1] + u[2] * d[2],
        )

    @property
    def state(self) -> State:
        """The true state, in the pad's ENU frame."""
        return self._enu

    def _ambient_pa(self) -> float:
        return air_data(self._x, self.world).pressure_pa

    def air_many(self, states_enu: np.ndarray) -> np.ndarray:
        """Mach number and dynamic pressure (n, 2) of many pad-ENU states (n, 7)."""
        b, o = np.array(self._basis), np.asarray(self._origin)
        r = states_enu[:, POS] @ b + o
        v = states_enu[:, VEL] @ b
        out = np.empty((states_enu.shape[0], 2))
        for i in range(states_enu.shape[0]):
            a = air_data((*r[i], *v[i], states_enu[i, MASS]), self.world)
            out[i] = a.mach, a.qbar_pa
        return out

    def step(self, actuation: Actuation, dt: float, tick: Tick) -> str | None:
        """Integrate over ``dt``; stop at touchdown or when the propellant runs out."""
        direction = self._to_ecef(actuation.direction)
        no_fins = (0.0, 0.0, 0.0)  # a landing burn flies no fins
        x, h, event = self.stepper.step(
            self._x, actuation, direction, no_fins, dt, tick, self.engines
        )
        self._x, self._t = x, self._t + h
        self._enu = self._view(x)
        return event

"""The whole flight's recorder: samples in ECEF and named events, frozen into the one record type
(``gnc.record.Trajectory`` in the ``ECEF`` frame)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from boostback.config.vocab import Frame
from boostback.dynamics.state import MASS, PX, PY, PZ, VX, VY, VZ
from boostback.environment.earth import EarthModel
from boostback.environment.frames import Site, great_circle_distance_m
from boostback.flight.dynamics import AirData, State
from boostback.gnc.protocols import Actuation
from boostback.gnc.record import Event, Trajectory

__all__ = ["ENGINES", "THRUST", "UNPOWERED", "FlightRecorder"]

# what the actuators do on an unpowered, unsteered arc (coasts, the flip, an expended stage's
# fall): engines off, the thrust axis recorded along ECEF z, fins neutral
UNPOWERED = Actuation(0.0, (0.0, 0.0, 1.0), 0.0)

_WIDTH = 20  # t, state (7), throttle, thrust, engines, dir (3), fin (3), mach, qbar, heat flux
THRUST, ENGINES = 9, 10  # their columns


@dataclass
class FlightRecorder:
    """Appends samples during the flight; ``finish`` freezes them into a ``FlightTrajectory``."""

    earth: EarthModel
    launch_site: Site
    dry_mass_kg: float  # booster dry mass: propellant is mass minus this (after separation)
    upper_mass_kg: float  # carried until separation
    rows: list[tuple[float, ...]] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    separated: bool = False

    def propellant_kg(self, x: tuple[float, ...]) -> float:
        return x[MASS] - self.dry_mass_kg - (0.0 if self.separated else self.upper_mass_kg)

    def downrange_m(self, x: tuple[float, ...]) -> float:
        lat, lon, _ = self.earth.geodetic_xyz(x[PX], x[PY], x[PZ])
        s = self.launch_site
        return float(great_circle_distance_m(s.lat_rad, s.lon_rad, lat, lon))

    def sample(
        self,
        t: float,
        x: State,
        phase: str,
        actuation: Actuation,
        engines: float,
        air: AirData,
        heat_wpm2: float = 0.0,
    ) -> None:
        """One sample of what the actuators did (throttle, thrust, lit engines, thrust axis,
        fins) at state ``x``, with its air data and heat flux."""
        a = actuation
        row = (t, *x, a.throttle, a.thrust_n, engines, *a.direction, *a.fins)
        self.rows.append((*row, air.mach, air.qbar_pa, heat_wpm2))
        self.phases.append(phase)

    def extend(self, rows: np.ndarray, phases: str | list[str]) -> None:
        """Append samples already laid out as rows (the columns of ``sample``): all of one phase
        or each of its own."""
        self.rows.extend(map(tuple, rows.tolist()))
        self.phases.extend([phases] * len(rows) if isinstance(phases, str) else phases)

    def event(self, name: str, t: float, x: tuple[float, ...], detail: str = "") -> Event:
        _, _, h = self.earth.geodetic_xyz(x[PX], x[PY], x[PZ])
        speed = math.sqrt(x[VX] * x[VX] + x[VY] * x[VY] + x[VZ] * x[VZ])
        prop, downrange = self.propellant_kg(x), self.downrange_m(x)
        ev = Event(name, t, h, speed, prop, detail, downrange_m=downrange)
        self.events.append(ev)
        return ev

    def finish(self) -> Trajectory:
        a = np.array(self.rows, dtype=float).reshape(-1, _WIDTH)
        order = np.argsort(a[:, 0], kind="stable")
        a = a[order]
        phases = np.array(self.phases, dtype=object)[order]
        return Trajectory(
            frame=Frame.ECEF,
            t_s=a[:, 0],
            r_m=a[:, 1:4],
            v_mps=a[:, 4:7],
            mass_kg=a[:, 7],
            throttle=a[:, 8],
            thrust_n=a[:, 9],
            engines=a[:, 10],
            thrust_dir=a[:, 11:14],
            fins=a[:, 14:17],
            mach=a[:, 17],
            qbar_pa=a[:, 18],
            heat_flux_wpm2=a[:, 19],
            phase=phases,
            events=list(self.events),
            earth=self.earth,
            launch_site=self.launch_site,
        )

"""The full flight's record: samples in ECEF, named events, and flat columns for Parquet."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from boostback.dynamics.state import MASS, PX, PY, PZ, VX, VY, VZ
from boostback.environment.earth import EarthModel
from boostback.environment.frames import Site, great_circle_distance_m
from boostback.flight.dynamics import AirData, Command, State
from boostback.gnc.protocols import Actuation
from boostback.telemetry import SimProfile

__all__ = ["ENGINES", "THRUST", "FlightEvent", "FlightRecorder", "FlightTrajectory"]

_WIDTH = 20  # t, state (7), throttle, thrust, engines, dir (3), fin (3), mach, qbar, heat flux
THRUST, ENGINES = 9, 10  # their columns


@dataclass(frozen=True)
class FlightEvent:
    name: str
    t_s: float
    altitude_m: float
    speed_mps: float
    downrange_m: float
    propellant_kg: float
    detail: str = ""

    def as_dict(self) -> dict[str, float | str]:
        return dict(self.__dict__)


@dataclass
class FlightRecorder:
    """Appends samples during the flight; ``finish`` freezes them into a ``FlightTrajectory``."""

    earth: EarthModel
    launch_site: Site
    dry_mass_kg: float  # booster dry mass: propellant is mass minus this (after separation)
    upper_mass_kg: float  # carried until separation
    rows: list[tuple[float, ...]] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    events: list[FlightEvent] = field(default_factory=list)
    separated: bool = False
    per_engine_flow: float = 0.0  # kg/s of one engine at throttle 1, to count lit engines

    def propellant_kg(self, x: tuple[float, ...]) -> float:
        return x[MASS] - self.dry_mass_kg - (0.0 if self.separated else self.upper_mass_kg)

    def downrange_m(self, x: tuple[float, ...]) -> float:
        lat, lon, _ = self.earth.geodetic_xyz(x[PX], x[PY], x[PZ])
        s = self.launch_site
        return float(great_circle_distance_m(s.lat_rad, s.lon_rad, lat, lon))

    def sample(
        self, t: float, x: State, phase: str, cmd: Command, air: AirData, heat_wpm2: float = 0.0
    ) -> None:
        """One sample under ``cmd`` (thrust and lit engines from its propulsion)."""
        thrust = 0.0
        engines = 0.0
        if cmd.prop is not None and cmd.throttle > 0.0:
            p = cmd.prop
            thrust = max(cmd.throttle * p.thrust_vac_n - p.exit_area_m2 * air.pressure_pa, 0.0)
            engines = round(p.mass_flow_kgps / self.per_engine_flow) if self.per_engine_flow else 0
        self.rows.append(
            (
                t,
                *x,
                cmd.throttle,
                thrust,
                engines,
                *cmd.dir_ecef,
                *cmd.fin_ecef,
                air.mach,
                air.qbar_pa,
                heat_wpm2,
            )
        )
        self.phases.append(phase)

    def sample_row(
        self,
        t: float,
        x: State,
        phase: str,
        actuation: Actuation,
        engines: float,
        air: AirData,
        heat_wpm2: float,
    ) -> None:
        """One sample of what the actuators did: throttle, thrust, lit engines, fins."""
        a = actuation
        row = (t, *x, a.throttle, a.thrust_n, engines, *a.direction, *a.fins)
        self.rows.append((*row, air.mach, air.qbar_pa, heat_wpm2))
        self.phases.append(phase)

    def extend(self, rows: np.ndarray, phases: str | list[str]) -> None:
        """Append samples already laid out as rows (the columns of ``sample``): all of one phase
        or each of its own."""
        self.rows.extend(map(tuple, rows.tolist()))
        self.phases.extend([phases] * len(rows) if isinstance(phases, str) else phases)

    def event(self, name: str, t: float, x: tuple[float, ...], detail: str = "") -> FlightEvent:
        _, _, h = self.earth.geodetic_xyz(x[PX], x[PY], x[PZ])
        speed = math.sqrt(x[VX] * x[VX] + x[VY] * x[VY] + x[VZ] * x[VZ])
        ev = FlightEvent(name, t, h, speed, self.downrange_m(x), self.propellant_kg(x), detail)
        self.events.append(ev)
        return ev

    def finish(self) -> FlightTrajectory:
        a = np.array(self.rows, dtype=float).reshape(-1, _WIDTH)
        order = np.argsort(a[:, 0], kind="stable")
        a = a[order]
        phases = np.array(self.phases, dtype=object)[order]
        return FlightTrajectory(
            t_s=a[:, 0],
            r_ecef_m=a[:, 1:4],
            v_ecef_mps=a[:, 4:7],
            mass_kg=a[:, 7],
            throttle=a[:, 8],
            thrust_n=a[:, 9],
            engines=a[:, 10],
            thrust_dir_ecef=a[:, 11:14],
            fin_ecef=a[:, 14:17],
            mach=a[:, 17],
            qbar_pa=a[:, 18],
            heat_flux_wpm2=a[:, 19],
            phase=phases,
            events=list(self.events),
            earth=self.earth,
            launch_site=self.launch_site,
        )


@dataclass(frozen=True)
class FlightTrajectory:
    """Time histories of the whole flight (ECEF, SI units) and its events."""

    t_s: np.ndarray
    r_ecef_m: np.ndarray
    v_ecef_mps: np.ndarray
    mass_kg: np.ndarray
    throttle: np.ndarray
    thrust_n: np.ndarray
    engines: np.ndarray
    thrust_dir_ecef: np.ndarray
    fin_ecef: np.ndarray
    mach: np.ndarray
    qbar_pa: np.ndarray
    heat_flux_wpm2: np.ndarray
    phase: np.ndarray
    events: list[FlightEvent]
    earth: EarthModel
    launch_site: Site

    def geodetic(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lat, lon, h = self.earth.ecef_to_geodetic(self.r_ecef_m)
        return np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(h)

    @property
    def altitude_m(self) -> np.ndarray:
        return self.geodetic()[2]

    @property
    def speed_mps(self) -> np.ndarray:
        return np.linalg.norm(self.v_ecef_mps, axis=1)

    @property
    def downrange_m(self) -> np.ndarray:
        lat, lon, _ = self.geodetic()
        s = self.launch_site
        return np.atleast_1d(great_circle_distance_m(s.lat_rad, s.lon_rad, lat, lon))

    def event(self, name: str) -> FlightEvent | None:
        return next((e for e in self.events if e.name == name), None)

    def columns(self) -> dict[str, np.ndarray]:
        """Flat named columns, ready for a data frame or a Parquet table."""
        lat, lon, h = self.geodetic()
        up = np.stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), axis=1)
        v_up = np.sum(self.v_ecef_mps * up, axis=1)
        return {
            "t_s": self.t_s,
            "phase": self.phase.astype(str),
            "x_ecef_m": self.r_ecef_m[:, 0],
            "y_ecef_m": self.r_ecef_m[:, 1],
            "z_ecef_m": self.r_ecef_m[:, 2],
            "vx_ecef_mps": self.v_ecef_mps[:, 0],
            "vy_ecef_mps": self.v_ecef_mps[:, 1],
            "vz_ecef_mps": self.v_ecef_mps[:, 2],
            "lat_deg": np.degrees(lat),
            "lon_deg": np.degrees(lon),
            "altitude_m": h,
            "downrange_m": self.downrange_m,
            "speed_mps": self.speed_mps,
            "v_up_mps": v_up,
            "mass_kg": self.mass_kg,
            "throttle": self.throttle,
            "thrust_n": self.thrust_n,
            "engines": self.engines,
            "mach": self.mach,
            "qbar_pa": self.qbar_pa,
            "heat_flux_wpm2": self.heat_flux_wpm2,
        }

    def to_parquet(self, path: str | Path) -> Path:
        """Write the columns to a Parquet file (needs pyarrow), events in its metadata.

        The events are JSON under the schema metadata key ``boostback.events``.
        """
        import json

        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        table = pa.table(self.columns())
        events = json.dumps([e.as_dict() for e in self.events])
        table = table.replace_schema_metadata({"boostback.events": events})
        pq.write_table(table, path)
        return path

    def sim_profile(self) -> SimProfile:
        """Times, altitudes, speeds and events, for comparison with telemetry."""
        return SimProfile(
            t_s=self.t_s,
            altitude_m=self.altitude_m,
            speed_mps=self.speed_mps,
            events={e.name: (e.t_s, e.altitude_m, e.speed_mps) for e in self.events},
        )

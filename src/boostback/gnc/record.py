"""The trajectory record: what a flight leaves behind for analysis and plots.

One record type for every flight: a ``Trajectory`` holds time histories in one ``Frame`` (a
landing burn on its own in the pad's east-north-up frame, a whole flight in ECEF) and the
flight's events. Positions, velocities and directions are read through frame-named views
(``r_enu_m``, ``r_ecef_m``, ...); the view of the other frame is not there (``AttributeError``,
so ``hasattr`` tells the frame too). ``columns()`` gives frame-named columns for Parquet.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from boostback.config.vocab import Frame
from boostback.dynamics.state import MASS, UP, VEL
from boostback.environment.earth import EarthModel
from boostback.environment.frames import Site, great_circle_distance_m
from boostback.gnc.protocols import Actuation
from boostback.gnc.rigid_record import RigidRecord, rigid_record
from boostback.telemetry import SimProfile

__all__ = ["ROW_SIZE", "Event", "Frame", "Recorder", "Trajectory"]

ROW_SIZE = 13  # a sample: time, the seven states, throttle, thrust direction (3), thrust


@dataclass(frozen=True)
class Event:
    """A named moment of a flight: when, how high, how fast, the propellant left, and (in a whole
    flight) how far downrange."""

    name: str
    t_s: float
    altitude_m: float
    speed_mps: float
    propellant_kg: float
    detail: str = ""
    downrange_m: float = math.nan

    def as_dict(self) -> dict[str, float | str]:
        """The fields, without a downrange the flight does not have."""
        d = asdict(self)
        if math.isnan(self.downrange_m):
            del d["downrange_m"]
        return d


@dataclass
class Recorder:
    """Appends samples during a flight; ``finish`` freezes them into a ``Trajectory``.

    ``air`` gives the Mach number and dynamic pressure of many states at once (``(n, 7)`` in,
    ``(n, 2)`` out): the air data are computed once, at ``finish``, not at every step.
    """

    air: Callable[[np.ndarray], np.ndarray] | None = None
    attitude: Callable[[], Any] | None = None
    alpha: Callable[[np.ndarray], np.ndarray] | None = None
    rows: list[tuple[float, ...]] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    rigid_rows: list[tuple[tuple[float, ...], object]] = field(default_factory=list)
    # the samples taken so far as (n, 13) blocks, in order (``rows`` holds those after the last)
    blocks: list[np.ndarray] = field(default_factory=list)

    def sample(self, t: float, x: tuple[float, ...], actuation: Actuation, phase: str) -> None:
        """One sample: time, state, the actuators' throttle, direction and thrust, the phase
        (and, for a rigid vehicle, its ``attitude()`` and what each actuator did)."""
        a = actuation
        self.rows.append((t, *x, a.throttle, *a.direction, a.thrust_n))
        self.phases.append(phase)
        if self.attitude is not None:
            self.rigid_rows.append((self.attitude(), a.rigid))

    def samples(self, block: np.ndarray, phase: str) -> None:
        """Many samples at once, all in ``phase``: ``block`` (n, 13) holds one row per sample as
        ``sample`` writes it (time, state, throttle, direction, thrust). A point mass's only."""
        if self.attitude is not None:
            raise ValueError("a rigid vehicle's samples are taken one at a time")
        self._flush()
        self.blocks.append(np.array(block, dtype=float).reshape(-1, ROW_SIZE))
        self.phases.extend([phase] * block.shape[0])

    def _flush(self) -> None:
        """The rows sampled one at a time, as a block."""
        if self.rows:
            self.blocks.append(np.array(self.rows, dtype=float).reshape(-1, ROW_SIZE))
            self.rows = []

    def event(
        self, name: str, t: float, x: tuple[float, ...], dry_kg: float, detail: str = ""
    ) -> None:
        speed = float(np.linalg.norm(x[VEL]))
        altitude = float(x[UP])
        self.events.append(Event(name, t, altitude, speed, float(x[MASS] - dry_kg), detail))

    def finish(self) -> Trajectory:
        """The samples and events as a ``Trajectory``."""
        self._flush()
        a = np.concatenate(self.blocks) if self.blocks else np.zeros((0, ROW_SIZE))
        air = np.full((a.shape[0], 2), np.nan)
        if self.air is not None and a.shape[0]:
            air = self.air(a[:, 1:8])
        return Trajectory(
            frame=Frame.ENU,
            t_s=a[:, 0],
            r_m=a[:, 1:4],
            v_mps=a[:, 4:7],
            mass_kg=a[:, 7],
            throttle=a[:, 8],
            thrust_dir=a[:, 9:12],
            thrust_n=a[:, 12],
            mach=air[:, 0],
            qbar_pa=air[:, 1],
            phase=np.array(self.phases, dtype=object),
            events=list(self.events),
            rigid=rigid_record(self.rigid_rows, self.alpha) if self.attitude is not None else None,
        )


@dataclass(frozen=True)
class Trajectory:
    """Time histories of one flight (SI units) in one frame, and its events.

    Attributes
    ----------
    frame : Frame
        ``ENU`` (pad-centred east, north, up) or ``ECEF`` (with ``earth`` and ``launch_site``).
    t_s, mass_kg, throttle, thrust_n, mach, qbar_pa : ndarray (n,)
        Time, mass, effective throttle, thrust, Mach number and dynamic pressure (air-relative).
    r_m, v_mps, thrust_dir : ndarray (n, 3)
        Position, velocity (relative to the ground) and unit thrust axis, in ``frame``; read them
        through the frame-named views.
    phase : ndarray (n,) of str
        The flight phase of each sample.
    events : list of Event
    engines, heat_flux_wpm2 : ndarray (n,), optional
        Engines lit and stagnation-point heat flux (a whole flight records them).
    fins : ndarray (n, 3), optional
        Grid-fin force as a fraction of full authority, in ``frame``.
    rigid : RigidRecord, optional
        A 6-DoF flight's attitude, rates, angle of attack and actuators.
    """

    frame: Frame
    t_s: np.ndarray
    r_m: np.ndarray
    v_mps: np.ndarray
    mass_kg: np.ndarray
    throttle: np.ndarray
    thrust_n: np.ndarray
    thrust_dir: np.ndarray
    mach: np.ndarray
    qbar_pa: np.ndarray
    phase: np.ndarray
    events: list[Event]
    engines: np.ndarray | None = None
    heat_flux_wpm2: np.ndarray | None = None
    fins: np.ndarray | None = None
    earth: EarthModel | None = None
    launch_site: Site | None = None
    rigid: RigidRecord | None = None

    @classmethod
    def enu(
        cls,
        *,
        r_enu_m: np.ndarray,
        v_enu_mps: np.ndarray,
        thrust_dir_enu: np.ndarray,
        **rest: Any,
    ) -> Trajectory:
        """A pad-centred record from frame-named arrays (the other fields by name)."""
        return cls(Frame.ENU, r_m=r_enu_m, v_mps=v_enu_mps, thrust_dir=thrust_dir_enu, **rest)

    def _in(self, frame: Frame, name: str, value: Any) -> Any:
        if self.frame is not frame:
            raise AttributeError(f"{name}: this trajectory is recorded in {self.frame.upper()}")
        return value

    # --- frame-named views ---------------------------------------------------------------------

    @property
    def r_enu_m(self) -> np.ndarray:
        return self._in(Frame.ENU, "r_enu_m", self.r_m)

    @property
    def v_enu_mps(self) -> np.ndarray:
        return self._in(Frame.ENU, "v_enu_mps", self.v_mps)

    @property
    def thrust_dir_enu(self) -> np.ndarray:
        return self._in(Frame.ENU, "thrust_dir_enu", self.thrust_dir)

    @property
    def r_ecef_m(self) -> np.ndarray:
        return self._in(Frame.ECEF, "r_ecef_m", self.r_m)

    @property
    def v_ecef_mps(self) -> np.ndarray:
        return self._in(Frame.ECEF, "v_ecef_mps", self.v_mps)

    @property
    def thrust_dir_ecef(self) -> np.ndarray:
        return self._in(Frame.ECEF, "thrust_dir_ecef", self.thrust_dir)

    @property
    def fin_ecef(self) -> np.ndarray:
        fins = self.fins if self.fins is not None else np.zeros_like(self.r_m)
        return self._in(Frame.ECEF, "fin_ecef", fins)

    # --- derived histories ---------------------------------------------------------------------

    def geodetic(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Latitude and longitude (rad) and height (m) of every sample (an ECEF record)."""
        if self.frame is not Frame.ECEF or self.earth is None:
            raise ValueError(f"a trajectory in {self.frame.upper()} has no geodetic positions")
        lat, lon, h = self.earth.ecef_to_geodetic(self.r_m)
        return np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(h)

    @property
    def altitude_m(self) -> np.ndarray:
        """Height above the pad's plane (ENU) or the Earth model (ECEF)."""
        return self.r_m[:, 2] if self.frame is Frame.ENU else self.geodetic()[2]

    @property
    def speed_mps(self) -> np.ndarray:
        return np.linalg.norm(self.v_mps, axis=1)

    def _up(self) -> np.ndarray:
        """The local vertical of each sample, in the record's frame."""
        if self.frame is Frame.ENU:
            return np.tile([0.0, 0.0, 1.0], (len(self.t_s), 1))
        lat, lon, _ = self.geodetic()
        return np.stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), 1)

    @property
    def tilt_deg(self) -> np.ndarray:
        """Angle of the thrust axis (the vehicle axis in 3-DoF) from the local vertical."""
        up = np.clip(np.sum(self.thrust_dir * self._up(), axis=1), -1.0, 1.0)
        return np.degrees(np.arccos(up))

    @property
    def downrange_m(self) -> np.ndarray:
        """Great-circle distance from the launch site (an ECEF record)."""
        lat, lon, _ = self.geodetic()
        s = self.launch_site
        if s is None:
            raise ValueError("no launch site recorded")
        return np.atleast_1d(great_circle_distance_m(s.lat_rad, s.lon_rad, lat, lon))

    def event(self, name: str) -> Event | None:
        """The first event called ``name`` (None: none)."""
        return next((e for e in self.events if e.name == name), None)

    # --- out -----------------------------------------------------------------------------------

    def columns(self) -> dict[str, np.ndarray]:
        """Flat, frame-named columns, ready for a data frame or a Parquet table."""
        if self.frame is Frame.ENU:
            return {
                "t_s": self.t_s,
                "east_m": self.r_m[:, 0],
                "north_m": self.r_m[:, 1],
                "up_m": self.r_m[:, 2],
                "v_east_mps": self.v_mps[:, 0],
                "v_north_mps": self.v_mps[:, 1],
                "v_up_mps": self.v_mps[:, 2],
                "mass_kg": self.mass_kg,
                "throttle": self.throttle,
                "thrust_n": self.thrust_n,
                "tilt_deg": self.tilt_deg,
                "mach": self.mach,
                "qbar_pa": self.qbar_pa,
                "phase": self.phase.astype(str),
                **(self.rigid.columns() if self.rigid is not None else {}),
            }
        lat, lon, h = self.geodetic()
        n = len(self.t_s)
        return {
            "t_s": self.t_s,
            "phase": self.phase.astype(str),
            "x_ecef_m": self.r_m[:, 0],
            "y_ecef_m": self.r_m[:, 1],
            "z_ecef_m": self.r_m[:, 2],
            "vx_ecef_mps": self.v_mps[:, 0],
            "vy_ecef_mps": self.v_mps[:, 1],
            "vz_ecef_mps": self.v_mps[:, 2],
            "lat_deg": np.degrees(lat),
            "lon_deg": np.degrees(lon),
            "altitude_m": h,
            "downrange_m": self.downrange_m,
            "speed_mps": self.speed_mps,
            "v_up_mps": np.sum(self.v_mps * self._up(), axis=1),
            "mass_kg": self.mass_kg,
            "throttle": self.throttle,
            "thrust_n": self.thrust_n,
            "engines": self.engines if self.engines is not None else np.zeros(n),
            "mach": self.mach,
            "qbar_pa": self.qbar_pa,
            "heat_flux_wpm2": (
                self.heat_flux_wpm2 if self.heat_flux_wpm2 is not None else np.zeros(n)
            ),
        }

    def to_parquet(self, path: str | Path) -> Path:
        """Write the columns to a Parquet file (needs pyarrow), events in its metadata.

        The events are JSON under the schema metadata key ``boostback.events``.
        """
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

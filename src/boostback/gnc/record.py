"""The trajectory record: what a flight leaves behind for analysis and plots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from boostback.dynamics.state import MASS, UP, VEL
from boostback.gnc.protocols import Actuation


@dataclass(frozen=True)
class Event:
    name: str
    t_s: float
    altitude_m: float
    speed_mps: float
    propellant_kg: float
    detail: str = ""


@dataclass
class Recorder:
    """Appends samples during a flight; ``finish`` freezes them into a ``Trajectory``.

    ``air`` gives the Mach number and dynamic pressure of many states at once (``(n, 7)`` in,
    ``(n, 2)`` out): the air data are computed once, at ``finish``, not at every step.
    """

    air: Callable[[np.ndarray], np.ndarray] | None = None
    rows: list[tuple[float, ...]] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def sample(self, t: float, x: tuple[float, ...], actuation: Actuation, phase: str) -> None:
        """One sample: time, state, the actuators' throttle, direction and thrust, the phase."""
        a = actuation
        self.rows.append((t, *x, a.throttle, *a.direction, a.thrust_n))
        self.phases.append(phase)

    def event(
        self, name: str, t: float, x: tuple[float, ...], dry_kg: float, detail: str = ""
    ) -> None:
        speed = float(np.linalg.norm(x[VEL]))
        altitude = float(x[UP])
        self.events.append(Event(name, t, altitude, speed, float(x[MASS] - dry_kg), detail))

    def finish(self) -> Trajectory:
        """The samples and events as a ``Trajectory``."""
        a = np.array(self.rows, dtype=float).reshape(-1, 13)
        air = np.full((a.shape[0], 2), np.nan)
        if self.air is not None and a.shape[0]:
            air = self.air(a[:, 1:8])
        return Trajectory(
            t_s=a[:, 0],
            r_enu_m=a[:, 1:4],
            v_enu_mps=a[:, 4:7],
            mass_kg=a[:, 7],
            throttle=a[:, 8],
            thrust_dir_enu=a[:, 9:12],
            thrust_n=a[:, 12],
            mach=air[:, 0],
            qbar_pa=air[:, 1],
            phase=np.array(self.phases, dtype=object),
            events=list(self.events),
        )


@dataclass(frozen=True)
class Trajectory:
    """Time histories of one flight in the pad-centred ENU frame (SI units)."""

    t_s: np.ndarray
    r_enu_m: np.ndarray
    v_enu_mps: np.ndarray
    mass_kg: np.ndarray
    throttle: np.ndarray
    thrust_dir_enu: np.ndarray
    thrust_n: np.ndarray
    mach: np.ndarray
    qbar_pa: np.ndarray
    phase: np.ndarray
    events: list[Event]

    @property
    def altitude_m(self) -> np.ndarray:
        return self.r_enu_m[:, 2]

    @property
    def speed_mps(self) -> np.ndarray:
        return np.linalg.norm(self.v_enu_mps, axis=1)

    @property
    def tilt_deg(self) -> np.ndarray:
        """Angle of the thrust axis (the vehicle axis in 3-DoF) from vertical."""
        up = np.clip(self.thrust_dir_enu[:, 2], -1.0, 1.0)
        return np.degrees(np.arccos(up))

    def columns(self) -> dict[str, np.ndarray]:
        """Flat named columns, ready for a data frame or a Parquet table."""
        return {
            "t_s": self.t_s,
            "east_m": self.r_enu_m[:, 0],
            "north_m": self.r_enu_m[:, 1],
            "up_m": self.r_enu_m[:, 2],
            "v_east_mps": self.v_enu_mps[:, 0],
            "v_north_mps": self.v_enu_mps[:, 1],
            "v_up_mps": self.v_enu_mps[:, 2],
            "mass_kg": self.mass_kg,
            "throttle": self.throttle,
            "thrust_n": self.thrust_n,
            "tilt_deg": self.tilt_deg,
            "mach": self.mach,
            "qbar_pa": self.qbar_pa,
            "phase": self.phase.astype(str),
        }

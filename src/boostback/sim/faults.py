"""Injected faults: what goes wrong in the truth model, and what navigation tells guidance.

Each fault is a typed, frozen object with an onset (a time, a phase, an altitude below which it
acts, or any combination; no onset means from the start). The executive asks a ``FaultState`` at
each step; guidance only ever sees the navigated state, while the truth model carries the fault.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Onset:
    """When a fault acts: every condition given must hold (none given: always)."""

    t_s: float | None = None
    phase: str | None = None  # "coast" or "landing_burn"
    altitude_m: float | None = None  # acts once the altitude is at or below this

    def active(self, t: float, phase: str, altitude_m: float) -> bool:
        if self.t_s is not None and t < self.t_s:
            return False
        if self.phase is not None and phase != self.phase:
            return False
        return not (self.altitude_m is not None and altitude_m > self.altitude_m)


@dataclass(frozen=True)
class EngineNoRelight:
    """The landing engine does not light: no thrust at all once the burn should start."""

    onset: Onset = field(default_factory=lambda: Onset(phase="landing_burn"))


@dataclass(frozen=True)
class ThrustShortfall:
    """Thrust (and flow) below command by ``fraction`` while active."""

    fraction: float
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class IgnitionDelay:
    """The engine lights ``delay_s`` after guidance commands ignition."""

    delay_s: float
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class ThrottleLag:
    """Throttle follows its command through a first-order lag."""

    time_constant_s: float
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class TiltAuthority:
    """The thrust vector can tilt only ``fraction`` of the planned limit (gimbal/attitude fault)."""

    fraction: float
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class NavBias:
    """Navigation error: a constant offset on position and velocity."""

    position_enu_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    velocity_enu_mps: tuple[float, float, float] = (0.0, 0.0, 0.0)
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class NavNoise:
    """Navigation error: white noise on the position and velocity fixes, drawn at every step
    (the executive's navigation filter blends the fixes with its inertial estimate)."""

    position_sigma_m: float = 0.0
    velocity_sigma_mps: float = 0.0
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class WindGust:
    """Extra wind for ``duration_s`` from the moment the onset first holds."""

    wind_enu_mps: tuple[float, float, float]
    duration_s: float
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class PropellantShortfall:
    """Less propellant aboard than planned, by ``fraction`` of the load."""

    fraction: float
    onset: Onset = field(default_factory=Onset)


@dataclass(frozen=True)
class GridFinStuck:
    """A grid fin jammed: the fins' steering authority drops by ``fraction`` (full flights only;
    the landing-burn scenario flies no fins, so there it has no effect)."""

    fraction: float = 0.25
    onset: Onset = field(default_factory=Onset)


Fault = (
    EngineNoRelight
    | ThrustShortfall
    | IgnitionDelay
    | ThrottleLag
    | TiltAuthority
    | NavBias
    | NavNoise
    | WindGust
    | PropellantShortfall
    | GridFinStuck
)


class FaultState:
    """The faults of one flight, with the little state some of them need (gust start, lag)."""

    def __init__(self, faults: tuple[Fault, ...] = (), rng: np.random.Generator | None = None):
        self.faults = tuple(faults)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self._gust_start: dict[int, float] = {}

    def __bool__(self) -> bool:
        return bool(self.faults)

    def _active(self, kind: type, t: float, phase: str, alt: float) -> list:
        return [f for f in self.faults if isinstance(f, kind) and f.onset.active(t, phase, alt)]

    def propellant_factor(self) -> float:
        f = 1.0
        for fault in self.faults:
            if isinstance(fault, PropellantShortfall):
                f *= 1.0 - fault.fraction
        return f

    def fin_factor(self) -> float:
        """Grid-fin authority left (full flights: the aerodynamic descent steers with it)."""
        f = 1.0
        for fault in self.faults:
            if isinstance(fault, GridFinStuck):
                f *= 1.0 - fault.fraction
        return f

    def ignition_delay_s(self) -> float:
        return sum(f.delay_s for f in self.faults if isinstance(f, IgnitionDelay))

    def thrust_factor(self, t: float, phase: str, alt: float) -> float:
        if self._active(EngineNoRelight, t, phase, alt):
            return 0.0
        f = 1.0
        for fault in self._active(ThrustShortfall, t, phase, alt):
            f *= 1.0 - fault.fraction
        return f

    def throttle_lag_s(self, t: float, phase: str, alt: float) -> float:
        return max((f.time_constant_s for f in self._active(ThrottleLag, t, phase, alt)), default=0)

    def tilt_factor(self, t: float, phase: str, alt: float) -> float:
        return min((f.fraction for f in self._active(TiltAuthority, t, phase, alt)), default=1.0)

    def gust(self, t: float, phase: str, alt: float) -> tuple[float, float, float] | None:
        total = np.zeros(3)
        hit = False
        for i, f in enumerate(self.faults):
            if not isinstance(f, WindGust):
                continue
            if i not in self._gust_start and f.onset.active(t, phase, alt):
                self._gust_start[i] = t
            start = self._gust_start.get(i)
            if start is not None and t < start + f.duration_s:
                total += f.wind_enu_mps
                hit = True
        return (float(total[0]), float(total[1]), float(total[2])) if hit else None

    def navigate(self, x: tuple[float, ...], t: float, phase: str) -> tuple[float, ...]:
        """What navigation reports for the true state ``x``."""
        err = np.zeros(6)
        alt = x[2]
        for f in self._active(NavBias, t, phase, alt):
            err[:3] += f.position_enu_m
            err[3:] += f.velocity_enu_mps
        for f in self._active(NavNoise, t, phase, alt):
            err[:3] += self.rng.normal(0.0, f.position_sigma_m, 3) if f.position_sigma_m else 0
            err[3:] += self.rng.normal(0.0, f.velocity_sigma_mps, 3) if f.velocity_sigma_mps else 0
        if not err.any():
            return x
        return (*(float(a + b) for a, b in zip(x[:6], err, strict=True)), x[6])


def lag_step(actual: float, command: float, dt: float, time_constant_s: float) -> float:
    """Advance a first-order lag by ``dt`` (exact for a held command)."""
    if time_constant_s <= 0.0:
        return command
    return command + (actual - command) * math.exp(-dt / time_constant_s)


@dataclass(frozen=True)
class GustWind:
    """A base wind model plus a uniform gust (used while a ``WindGust`` is active)."""

    base: object
    extra_enu_mps: tuple[float, float, float]

    def at(self, h_m: float) -> tuple[float, float, float]:
        b = self.base.at(h_m)  # type: ignore[attr-defined]
        e = self.extra_enu_mps
        return (b[0] + e[0], b[1] + e[1], b[2] + e[2])

    def __call__(self, h_m: float) -> np.ndarray:
        return np.array(self.at(h_m))

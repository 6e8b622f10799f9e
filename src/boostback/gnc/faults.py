"""Injected faults: one registry of fault types, each declaring its parameters and its hooks.

A fault is a frozen dataclass registered under its ``kind`` (the name campaign files use) with
its parameters in order (a campaign draws them in that order), and it overrides the hooks it acts
through. Every hook has a neutral default, so a fault is one class in this file; the pieces of the
loop consult the faults through ``FaultState``, which combines the hooks of the active faults:

- ``thrust_factor`` (product), ``engines_out`` (sum), ``throttle_lag_s`` (max) and
  ``ignition_delay_s`` (sum) act on the engines (``plant.engine``);
- ``tilt_factor`` (min) on the controller's tilt authority;
- ``nav_error`` on the navigation fixes (guidance only ever sees the navigated state);
- ``gust_mps`` on the wind the plant flies through;
- ``propellant_factor`` and ``fin_factor`` (products) on the vehicle as loaded.

Each fault has an onset (a time, a phase, an altitude below which it acts, or any combination; no
onset means from the start).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from boostback.config.models import MAX_WIND_MPS
from boostback.config.vocab import Phase
from boostback.dynamics.state import MASS, POS, UP, VEL

__all__ = [
    "FAULTS",
    "EngineNoRelight",
    "EngineOut",
    "Fault",
    "FaultState",
    "GridFinStuck",
    "GustWind",
    "IgnitionDelay",
    "NavBias",
    "NavNoise",
    "Onset",
    "Param",
    "PropellantShortfall",
    "ThrottleLag",
    "ThrustShortfall",
    "TiltAuthority",
    "WindGust",
    "lag_step",
    "register",
]

Vec3 = tuple[float, float, float]
_ZERO3: Vec3 = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Onset:
    """When a fault acts: every condition given must hold (none given: always)."""

    t_s: float | None = None
    phase: str | None = None  # a Phase: ascent, boostback, entry_burn, landing_burn or coast
    altitude_m: float | None = None  # acts once the altitude is at or below this

    def active(self, t: float, phase: str, altitude_m: float) -> bool:
        """Whether the onset holds at time ``t`` in ``phase`` at ``altitude_m``."""
        if self.t_s is not None and t < self.t_s:
            return False
        if self.phase is not None and phase != self.phase:
            return False
        return not (self.altitude_m is not None and altitude_m > self.altitude_m)


@dataclass(frozen=True)
class Param:
    """A fault parameter: its name, its default (None: required) and whether it is an ENU vector."""

    name: str
    default: float | None = None
    vector: bool = False
    low: float = -math.inf
    high: float = math.inf


class Fault:
    """Base of the fault types: neutral hooks, overridden by each fault where it acts."""

    kind: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    default_phase: ClassVar[str | None] = None  # the onset phase when a campaign gives none
    onset: Onset

    def thrust_factor(self) -> float:
        """Achieved over commanded thrust while active."""
        return 1.0

    def engines_out(self) -> float:
        """Engines shut down while active."""
        return 0.0

    def throttle_lag_s(self) -> float:
        """Time constant of the throttle response while active."""
        return 0.0

    def ignition_delay_s(self) -> float:
        """Delay from the ignition command to the engines lighting."""
        return 0.0

    def tilt_factor(self) -> float:
        """Fraction of the tilt authority left while active."""
        return 1.0

    def nav_error(self, rng: np.random.Generator, err: np.ndarray) -> None:
        """Add this fault's error to the position and velocity fix error ``err`` (6,)."""

    def gust_mps(self) -> Vec3 | None:
        """Extra wind while active (None: none)."""
        return None

    def propellant_factor(self) -> float:
        """Propellant aboard over propellant planned."""
        return 1.0

    def fin_factor(self) -> float:
        """Grid-fin authority left."""
        return 1.0


FAULTS: dict[str, type[Fault]] = {}


def register(kind: str, *params: Param, default_phase: str | None = None) -> Callable:
    """Register a fault type under ``kind`` with its parameters, in the order they are drawn."""

    def deco(cls: type[Fault]) -> type[Fault]:
        cls.kind, cls.params, cls.default_phase = kind, params, default_phase
        names = {f.name for f in fields(cls)} - {"onset"}  # type: ignore[arg-type]
        if names != {p.name for p in params}:
            raise TypeError(f"{cls.__name__}: fields {names} do not match the registered params")
        FAULTS[kind] = cls
        return cls

    return deco


_FRACTION = Param("fraction", 0.25, low=0.0, high=1.0)
# Bounds of the magnitudes no flight tells anything from beyond: a delay or a lag of a minute is
# already a lost landing burn (~20-80 s long); navigation errors of 10 km or 500 m/s are far past
# any navigation system flown (GPS/INS: metres and cm/s); the most engines any booster has is
# 33 (Super Heavy); gusts are winds (MAX_WIND_MPS) lasting at most an hour.
MAX_DELAY_S = 60.0
MAX_NAV_POSITION_M = 10_000.0
MAX_NAV_VELOCITY_MPS = 500.0
MAX_ENGINES_OUT = 50.0
MAX_GUST_DURATION_S = 3_600.0


@register("engine_no_relight", default_phase=Phase.LANDING_BURN)
@dataclass(frozen=True)
class EngineNoRelight(Fault):
    """The landing engine does not light: no thrust at all once the burn should start."""

    onset: Onset = field(default_factory=lambda: Onset(phase=Phase.LANDING_BURN))

    def thrust_factor(self) -> float:
        return 0.0


@register("thrust_shortfall", Param("fraction", low=0.0, high=1.0))
@dataclass(frozen=True)
class ThrustShortfall(Fault):
    """Thrust (and flow) below command by ``fraction`` while active."""

    fraction: float
    onset: Onset = field(default_factory=Onset)

    def thrust_factor(self) -> float:
        return 1.0 - self.fraction


@register("engine_out", Param("engines", 1.0, low=0.0, high=MAX_ENGINES_OUT))
@dataclass(frozen=True)
class EngineOut(Fault):
    """``engines`` of the lit engines shut down at the onset (during any burn): their thrust,
    flow and back-pressure loss go with them; the rest keep their throttle."""

    engines: float = 1.0
    onset: Onset = field(default_factory=Onset)

    def engines_out(self) -> float:
        return self.engines


@register("ignition_delay", Param("delay_s", low=0.0, high=MAX_DELAY_S))
@dataclass(frozen=True)
class IgnitionDelay(Fault):
    """The engine lights ``delay_s`` after guidance commands ignition."""

    delay_s: float
    onset: Onset = field(default_factory=Onset)

    def ignition_delay_s(self) -> float:
        return self.delay_s


@register("throttle_lag", Param("time_constant_s", low=0.0, high=MAX_DELAY_S))
@dataclass(frozen=True)
class ThrottleLag(Fault):
    """Throttle follows its command through a first-order lag."""

    time_constant_s: float
    onset: Onset = field(default_factory=Onset)

    def throttle_lag_s(self) -> float:
        return self.time_constant_s


@register("tilt_authority", Param("fraction", low=0.0, high=1.0))
@dataclass(frozen=True)
class TiltAuthority(Fault):
    """The thrust vector can tilt only ``fraction`` of the planned limit (gimbal/attitude fault)."""

    fraction: float
    onset: Onset = field(default_factory=Onset)

    def tilt_factor(self) -> float:
        return self.fraction


@register(
    "nav_bias",
    Param("position_enu_m", 0.0, vector=True, low=-MAX_NAV_POSITION_M, high=MAX_NAV_POSITION_M),
    Param(
        "velocity_enu_mps", 0.0, vector=True, low=-MAX_NAV_VELOCITY_MPS, high=MAX_NAV_VELOCITY_MPS
    ),
)
@dataclass(frozen=True)
class NavBias(Fault):
    """Navigation error: a constant offset on position and velocity."""

    position_enu_m: Vec3 = _ZERO3
    velocity_enu_mps: Vec3 = _ZERO3
    onset: Onset = field(default_factory=Onset)

    def nav_error(self, rng: np.random.Generator, err: np.ndarray) -> None:
        err[:3] += self.position_enu_m
        err[3:] += self.velocity_enu_mps


@register(
    "nav_noise",
    Param("position_sigma_m", 0.0, low=0.0, high=MAX_NAV_POSITION_M),
    Param("velocity_sigma_mps", 0.0, low=0.0, high=MAX_NAV_VELOCITY_MPS),
)
@dataclass(frozen=True)
class NavNoise(Fault):
    """Navigation error: white noise on the position and velocity fixes, drawn at every step
    (the navigation filter blends the fixes with its inertial estimate)."""

    position_sigma_m: float = 0.0
    velocity_sigma_mps: float = 0.0
    onset: Onset = field(default_factory=Onset)

    def nav_error(self, rng: np.random.Generator, err: np.ndarray) -> None:
        err[:3] += rng.normal(0.0, self.position_sigma_m, 3) if self.position_sigma_m else 0
        err[3:] += rng.normal(0.0, self.velocity_sigma_mps, 3) if self.velocity_sigma_mps else 0


@register(
    "wind_gust",
    Param("wind_enu_mps", vector=True, low=-MAX_WIND_MPS, high=MAX_WIND_MPS),
    Param("duration_s", low=0.0, high=MAX_GUST_DURATION_S),
)
@dataclass(frozen=True)
class WindGust(Fault):
    """Extra wind for ``duration_s`` from the moment the onset first holds."""

    wind_enu_mps: Vec3
    duration_s: float
    onset: Onset = field(default_factory=Onset)

    def gust_mps(self) -> Vec3 | None:
        return self.wind_enu_mps


@register("propellant_shortfall", Param("fraction", low=0.0, high=1.0))
@dataclass(frozen=True)
class PropellantShortfall(Fault):
    """Less propellant aboard than planned, by ``fraction`` of the load."""

    fraction: float
    onset: Onset = field(default_factory=Onset)

    def propellant_factor(self) -> float:
        return 1.0 - self.fraction


@register("grid_fin_stuck", _FRACTION)
@dataclass(frozen=True)
class GridFinStuck(Fault):
    """A grid fin jammed: the fins' steering authority drops by ``fraction`` (whole flights; the
    landing-burn scenario flies no fins, so there it has no effect)."""

    fraction: float = 0.25
    onset: Onset = field(default_factory=Onset)

    def fin_factor(self) -> float:
        return 1.0 - self.fraction


class FaultState:
    """The faults of one flight, with the little state some of them need (gust start)."""

    def __init__(
        self,
        faults: tuple[Fault, ...] = (),
        rng: np.random.Generator | None = None,
        epoch_s: float = 0.0,
    ):
        self.faults = tuple(faults)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        # onset times count from the flight's start; a piece of the flight with a clock of its
        # own (a whole flight's landing burn counts from the hand-over) sees them through
        # ``since``
        self.epoch_s = epoch_s
        self._gust_start: dict[int, float] = {}

    def __bool__(self) -> bool:
        return bool(self.faults)

    def since(self, epoch_s: float) -> FaultState:
        """The same faults (and random stream, and gusts under way) seen by a clock that starts
        at ``epoch_s`` of this one's."""
        view = FaultState(self.faults, self.rng, self.epoch_s + epoch_s)
        view._gust_start = self._gust_start
        return view

    def active(self, t: float, phase: str, alt: float) -> list[Fault]:
        """The faults whose onset holds at time ``t`` (this state's clock) in ``phase`` at
        ``alt``."""
        t = t + self.epoch_s
        return [f for f in self.faults if f.onset.active(t, phase, alt)]

    _active = active

    def propellant_factor(self) -> float:
        """Propellant aboard over propellant planned (at loading: no onset)."""
        f = 1.0
        for fault in self.faults:
            f *= fault.propellant_factor()
        return f

    def fin_factor(self) -> float:
        """Grid-fin authority left (whole flights: the aerodynamic descent steers with it)."""
        f = 1.0
        for fault in self.faults:
            f *= fault.fin_factor()
        return f

    def ignition_delay_s(self, burn: str | None = None) -> float:
        """Total delay from the ignition command to the engines lighting, for an ignition of the
        burn ``burn`` (a fault whose onset names another phase does not delay it)."""
        return sum(
            f.ignition_delay_s()
            for f in self.faults
            if burn is None or f.onset.phase is None or f.onset.phase == burn
        )

    def thrust_factor(self, t: float, phase: str, alt: float) -> float:
        """Achieved over commanded throttle while the active faults act."""
        f = 1.0
        for fault in self._active(t, phase, alt):
            f *= fault.thrust_factor()
        return f

    def engines_out(self, t: float, phase: str, alt: float) -> float:
        """Engines shut down by the active faults."""
        return sum(f.engines_out() for f in self._active(t, phase, alt))

    def throttle_lag_s(self, t: float, phase: str, alt: float) -> float:
        """The slowest active throttle lag (0: none)."""
        return max((f.throttle_lag_s() for f in self._active(t, phase, alt)), default=0.0)

    def tilt_factor(self, t: float, phase: str, alt: float) -> float:
        """The least tilt authority the active faults leave."""
        return min((f.tilt_factor() for f in self._active(t, phase, alt)), default=1.0)

    def gust(self, t: float, phase: str, alt: float) -> Vec3 | None:
        """Extra wind of the gusts under way (None: none)."""
        total = np.zeros(3)
        hit = False
        t = t + self.epoch_s
        for i, f in enumerate(self.faults):
            extra = f.gust_mps()
            if extra is None:
                continue
            if i not in self._gust_start and f.onset.active(t, phase, alt):
                self._gust_start[i] = t
            start = self._gust_start.get(i)
            if start is not None and t < start + f.duration_s:  # type: ignore[attr-defined]
                total += extra
                hit = True
        return (float(total[0]), float(total[1]), float(total[2])) if hit else None

    def navigate(self, x: tuple[float, ...], t: float, phase: str) -> tuple[float, ...]:
        """What navigation reports for the true state ``x`` (``x`` itself when exact)."""
        err = np.zeros(6)
        for f in self._active(t, phase, x[UP]):
            f.nav_error(self.rng, err)
        if not err.any():
            return x
        truth = (*x[POS], *x[VEL])
        return (*(float(a + b) for a, b in zip(truth, err, strict=True)), x[MASS])


def build_fault(kind: str, values: dict[str, Any], onset: Onset) -> Fault:
    """A fault of registered ``kind`` from its parameter values (vectors as 3-tuples)."""
    cls = FAULTS[kind]
    return cls(**values, onset=onset)  # type: ignore[call-arg]


def lag_step(actual: float, command: float, dt: float, time_constant_s: float) -> float:
    """Advance a first-order lag by ``dt`` (exact for a held command)."""
    if time_constant_s <= 0.0:
        return command
    return command + (actual - command) * math.exp(-dt / time_constant_s)


@dataclass(frozen=True)
class GustWind:
    """A base wind model plus a uniform gust (used while a ``WindGust`` is active)."""

    base: object
    extra_enu_mps: Vec3

    def at(self, h_m: float) -> Vec3:
        """Wind at height ``h_m``, gust included."""
        b = self.base.at(h_m)  # type: ignore[attr-defined]
        e = self.extra_enu_mps
        return (b[0] + e[0], b[1] + e[1], b[2] + e[2])

    def __call__(self, h_m: float) -> np.ndarray:
        return np.array(self.at(h_m))


# The rigid-body faults register into the same registry (a campaign names them like the others).
from boostback.gnc import rigid_faults as _rigid_faults  # noqa: E402, F401

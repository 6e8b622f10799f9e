"""Fixed-step RK4 with event location on the rotating Earth (the compiled kernel's ``advance``).

An event is a named condition on the state that is positive before the event and crosses zero at
it: a height, a speed, a mass, the radial speed (apogee) or the recovery reserve reached. A step
that crosses one is shortened so the earliest event falls on its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from boostback.flight import kernel as K
from boostback.flight.dynamics import Body, Command, State, World
from boostback.flight.kernel import FlightKernel, command_array, flight_kernel
from boostback.flight.reserve import NO_RESERVE

__all__ = [
    "Event",
    "StepResult",
    "advance",
    "altitude_event",
    "apogee_event",
    "event_arrays",
    "mass_event",
    "reserve_event",
    "speed_event",
    "step",
]


@dataclass(frozen=True, slots=True)
class Event:
    """A named event: the kernel's kind of condition and its level."""

    name: str
    kind: int
    level: float


@dataclass(frozen=True, slots=True)
class StepResult:
    state: State
    dt: float
    event: str | None


def altitude_event(name: str, altitude_m: float) -> Event:
    """Reached when the height above the Earth model falls to ``altitude_m``."""
    return Event(name, K.EV_ALT, altitude_m)


def speed_event(name: str, speed_mps: float) -> Event:
    """Reached when the Earth-relative speed falls to ``speed_mps``."""
    return Event(name, K.EV_SPEED, speed_mps)


def mass_event(name: str, mass_kg: float) -> Event:
    """Reached when the mass falls to ``mass_kg``."""
    return Event(name, K.EV_MASS, mass_kg)


def apogee_event(name: str = "apogee") -> Event:
    """Reached when the radial (up) speed falls to zero."""
    return Event(name, K.EV_UP_SPEED, 0.0)


@lru_cache(maxsize=256)
def event_arrays(events: tuple[Event, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The events' kinds and levels as the kernel takes them (built once per set of events)."""
    kinds = np.array([e.kind for e in events], dtype=np.int64)
    levels = np.array([e.level for e in events], dtype=np.float64)
    return kinds, levels


def reserve_event(name: str, empty_kg: float) -> Event:
    """Reached when the propellant above ``empty_kg`` falls to what the recovery needs (the
    reserve model given to ``step`` as ``reserve``: ``flight.reserve.reserve_array``)."""
    return Event(name, K.EV_RESERVE, empty_kg)


def step(
    x: State,
    dt: float,
    cmd: Command,
    body: Body,
    world: World,
    events: Sequence[Event] = (),
    reserve: np.ndarray | None = None,
) -> StepResult:
    """Advance one step of at most ``dt``; stop at the earliest event crossed in it
    (``reserve``: the reserve model a ``reserve_event`` reads)."""
    events = tuple(events)
    arrays = event_arrays(events)
    reserve = NO_RESERVE if reserve is None else reserve
    y, h, name = advance(
        x, dt, command_array(cmd), flight_kernel(body, world), events, arrays, reserve
    )
    return StepResult(y, h, name)


def advance(
    x: State,
    dt: float,
    c: np.ndarray,
    kernel: FlightKernel,
    events: tuple[Event, ...],
    arrays: tuple[np.ndarray, np.ndarray],
    reserve: np.ndarray,
) -> tuple[State, float, str | None]:
    """``step`` on prepared arrays (a plant that steps many times builds them once): the
    command ``c`` (``command_array``), the kernel, the events with their ``event_arrays``."""
    out, h, best = K.advance(
        np.asarray(x, dtype=np.float64), float(dt), c, kernel.model, reserve, *arrays
    )
    return tuple(out.tolist()), h, events[best].name if best >= 0 else None  # type: ignore[return-value]

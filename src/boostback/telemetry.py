"""Flight telemetry (webcast-derived profiles) and its comparison with a simulated flight.

A telemetry folder holds ``analysed.json`` (1 Hz: ``time`` s, ``altitude`` km, ``velocity`` m/s,
...) and ``events.json`` (event times in seconds after liftoff), the layout of the public-domain
Telemetry-Data project. A simulated flight compares through its trajectory columns (``t_s``,
``altitude_m``, ``speed_mps``) and its event times: for each event both have, the table gives the
time, altitude and speed of each and their relative differences.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from boostback.config.vocab import EventName

__all__ = [
    "EVENT_MAP",
    "EVENT_TIME_TOL",
    "STATE_EVENTS",
    "STATE_TOL",
    "TIMED_EVENTS",
    "ComparisonRow",
    "SimProfile",
    "Telemetry",
    "compare",
    "load_telemetry",
    "misses",
    "read_trajectory",
]

# telemetry event name -> simulated event name
EVENT_MAP: dict[str, EventName] = {
    "meco": EventName.MECO,
    "boostback_start": EventName.BOOSTBACK_START,
    "boostback_end": EventName.BOOSTBACK_END,
    "apogee": EventName.APOGEE,
    "entry_start": EventName.ENTRY_START,
    "entry_end": EventName.ENTRY_END,
    "landing_start": EventName.LANDING_BURN_START,
    "landing_end": EventName.TOUCHDOWN,
}
# The comparison a simulated flight is held to (the test suite's and validation/run.py's): the
# time of every event within EVENT_TIME_TOL, altitude and speed at the STATE_EVENTS within
# STATE_TOL, each relative to the telemetry's.
TIMED_EVENTS: tuple[str, ...] = tuple(EVENT_MAP)
STATE_EVENTS: tuple[str, ...] = ("meco", "boostback_end", "entry_start", "landing_start")
EVENT_TIME_TOL = 0.10
STATE_TOL = 0.15


@dataclass(frozen=True)
class Telemetry:
    name: str
    t_s: np.ndarray
    altitude_m: np.ndarray
    speed_mps: np.ndarray
    events: dict[str, float]  # telemetry event name -> time after liftoff (s)

    def at(self, t_s: float) -> tuple[float, float]:
        """Altitude and speed interpolated at ``t_s``."""
        return (
            float(np.interp(t_s, self.t_s, self.altitude_m)),
            float(np.interp(t_s, self.t_s, self.speed_mps)),
        )


@dataclass(frozen=True)
class SimProfile:
    """What the comparison needs from a simulated flight."""

    t_s: np.ndarray
    altitude_m: np.ndarray
    speed_mps: np.ndarray
    events: dict[str, tuple[float, float, float]]  # name -> (t, altitude, speed)


def _series(data: Any, key: str, file: Path) -> np.ndarray:
    """``data[key]`` as a 1-D array of finite numbers; ``ValueError`` naming the file and key."""
    values = data.get(key) if isinstance(data, dict) else None
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        problem = "missing key" if isinstance(data, dict) and key not in data else None
        raise ValueError(f"{file}: {key}: {problem or 'must be a list of numbers'}")
    with np.errstate(over="ignore"):
        out = np.asarray(values, dtype=float)
    if not np.isfinite(out).all():
        raise ValueError(f"{file}: {key}: must be finite numbers")
    return out


def load_telemetry(folder: str | Path) -> Telemetry:
    """Read ``analysed.json`` and ``events.json`` from a telemetry folder.

    Raises
    ------
    ValueError
        One line naming the file and the key: not JSON, not an object, a series that is not a
        list of finite numbers or differs in length from ``time``, fewer than two samples, an
        event time that is not a finite number (or null).
    """
    folder = Path(folder)
    analysed, events_file = folder / "analysed.json", folder / "events.json"
    data, events_raw = (_read_json(f) for f in (analysed, events_file))
    if not isinstance(data, dict):
        raise ValueError(f"{analysed}: must be a JSON object of time, altitude and velocity")
    t, altitude_km, speed = (_series(data, k, analysed) for k in ("time", "altitude", "velocity"))
    if len(t) < 2 or len(altitude_km) != len(t) or len(speed) != len(t):
        raise ValueError(f"{analysed}: time, altitude and velocity need the same 2 or more values")
    with np.errstate(over="ignore"):
        altitude_m = altitude_km * 1e3
    if not np.isfinite(altitude_m).all():
        raise ValueError(f"{analysed}: altitude: must be finite in metres")
    if not isinstance(events_raw, dict):
        raise ValueError(f"{events_file}: must be a JSON object of event times")
    events = {}
    for k, v in events_raw.items():
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ValueError(f"{events_file}: {k}: must be a finite time in seconds or null")
        events[k] = float(v)
    order = np.argsort(t)
    return Telemetry(
        name=folder.name,
        t_s=t[order],
        altitude_m=altitude_m[order],
        speed_mps=speed[order],
        events=events,
    )


def _read_json(file: Path) -> Any:
    """The JSON in ``file``; ``ValueError`` naming it when it is not readable JSON."""
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{file}: not readable JSON: {exc}") from None


def read_trajectory(path: str | Path) -> SimProfile:
    """A simulated flight from the Parquet file ``boostback fly --out`` writes."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = table.schema.metadata or {}
    events_json = meta.get(b"boostback.events", b"[]")
    events = {
        e["name"]: (float(e["t_s"]), float(e["altitude_m"]), float(e["speed_mps"]))
        for e in json.loads(events_json)
    }
    return SimProfile(
        t_s=table.column("t_s").to_numpy(),
        altitude_m=table.column("altitude_m").to_numpy(),
        speed_mps=table.column("speed_mps").to_numpy(),
        events=events,
    )


@dataclass(frozen=True)
class ComparisonRow:
    event: str  # telemetry name
    t_sim_s: float
    t_tel_s: float
    altitude_sim_m: float
    altitude_tel_m: float
    speed_sim_mps: float
    speed_tel_mps: float

    @staticmethod
    def _rel(sim: float, tel: float) -> float:
        return (sim - tel) / tel if tel != 0 else math.nan

    @property
    def t_error(self) -> float:
        return self._rel(self.t_sim_s, self.t_tel_s)

    @property
    def altitude_error(self) -> float:
        return self._rel(self.altitude_sim_m, self.altitude_tel_m)

    @property
    def speed_error(self) -> float:
        return self._rel(self.speed_sim_mps, self.speed_tel_mps)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "t_error": self.t_error,
            "altitude_error": self.altitude_error,
            "speed_error": self.speed_error,
        }


def compare(sim: SimProfile, tel: Telemetry) -> list[ComparisonRow]:
    """One row per event present in both, in telemetry time order."""
    rows = []
    for tel_name, t_tel in sorted(tel.events.items(), key=lambda kv: kv[1]):
        sim_name = EVENT_MAP.get(tel_name)
        if sim_name is None or sim_name not in sim.events:
            continue
        t_sim, h_sim, v_sim = sim.events[sim_name]
        h_tel, v_tel = tel.at(t_tel)
        rows.append(ComparisonRow(tel_name, t_sim, t_tel, h_sim, h_tel, v_sim, v_tel))
    return rows


def misses(rows: list[ComparisonRow], telemetry_events: dict[str, float]) -> list[str]:
    """The comparisons outside the tolerances, e.g. ``"apogee t -12.3"`` (sim - real, % of
    real). A state event the telemetry marks and the simulated flight lacks (e.g. a boostback
    it did not fly) is a miss: ``"boostback_end absent"``."""
    by_event = {r.event: r for r in rows}
    out = []
    for e in TIMED_EVENTS:
        row = by_event.get(e)
        if row is not None and abs(row.t_error) > EVENT_TIME_TOL:
            out.append(f"{e} t {100.0 * row.t_error:+.1f}")
    for e in STATE_EVENTS:
        if e not in telemetry_events:
            continue
        row = by_event.get(e)
        if row is None:
            out.append(f"{e} absent")
            continue
        for quantity, err in (("altitude", row.altitude_error), ("speed", row.speed_error)):
            if abs(err) > STATE_TOL:
                out.append(f"{e} {quantity} {100.0 * err:+.1f}")
    return out

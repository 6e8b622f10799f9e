"""A flight record reduced to what the report figures need, whatever recorded it.

:func:`flight_series` accepts any trajectory-like object: ``t_s``; positions as ``r_enu_m``
(pad-centred) or as an ECEF record (``r_ecef_m``, ``geodetic()``, ``earth``), made local about
the landing site given or else the last ground point; ``phase``; ``events`` (objects or dicts
with ``name`` and ``t_s``); and whichever of the ``SERIES`` arrays it has (missing ones are
skipped). Long records are thinned to ``max_points`` samples, keeping phase boundaries and the
samples nearest each event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from boostback.config.vocab import Phase

__all__ = ["SERIES", "FlightSeries", "enu_about", "flight_series"]

# attribute, label, unit, scale: the time-history panels, in order (missing ones are skipped)
SERIES = (
    ("altitude_m", "altitude", "m", 1.0),
    ("downrange_m", "downrange", "km", 1e-3),
    ("speed_mps", "speed", "m/s", 1.0),
    ("mach", "Mach", "", 1.0),
    ("qbar_pa", "dynamic pressure", "kPa", 1e-3),
    ("throttle", "throttle", "", 1.0),
    ("engines", "engines lit", "", 1.0),
    ("tilt_deg", "tilt from vertical", "deg", 1.0),
    ("mass_kg", "mass", "t", 1e-3),
    ("heat_flux_wpm2", "heat flux", "kW/m²", 1e-3),
)


@dataclass(frozen=True)
class FlightSeries:
    """A flight for the figures: positions east, north (about the pad) and altitude."""

    t_s: np.ndarray
    r_enu_m: np.ndarray | None
    phase: np.ndarray
    events: list[dict[str, Any]]
    series: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def phases(self) -> list[str]:
        return list(dict.fromkeys(str(p) for p in self.phase))

    def runs(self) -> list[tuple[str, int, int]]:
        """(phase, first, last) of each contiguous run of one phase."""
        out, start = [], 0
        for i in range(1, len(self.phase) + 1):
            if i == len(self.phase) or self.phase[i] != self.phase[start]:
                out.append((str(self.phase[start]), start, i - 1))
                start = i
        return out


def _get(obj: Any, name: str) -> np.ndarray | None:
    try:
        val = getattr(obj, name, None)
    except Exception:  # a derived property that cannot be computed for this record
        return None
    if val is None or callable(val):
        return None
    arr = np.asarray(val, dtype=float)
    return arr if arr.ndim >= 1 and len(arr) else None


def enu_about(
    r_ecef_m: np.ndarray, altitude_m: np.ndarray, lat_rad: float, lon_rad: float, earth: Any
) -> np.ndarray:
    """East and north of the ground point (``lat_rad``, ``lon_rad``), and the altitude."""
    from boostback.environment.frames import ecef_to_enu

    origin = np.asarray(earth.geodetic_to_ecef(lat_rad, lon_rad, 0.0), float)
    enu = np.asarray(ecef_to_enu(r_ecef_m, origin, lat_rad, lon_rad), float).reshape(-1, 3)
    enu[:, 2] = altitude_m
    return enu


def _ecef(traj: Any, origin: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Local positions and the thrust tilt of an ECEF record (``None`` where not ECEF)."""
    r = _get(traj, "r_ecef_m")
    if r is None or not hasattr(traj, "geodetic") or not hasattr(traj, "earth"):
        return None, None
    lat, lon, h = (np.atleast_1d(np.asarray(a, float)) for a in traj.geodetic())
    lat0, lon0 = (origin.lat_rad, origin.lon_rad) if origin is not None else (lat[-1], lon[-1])
    enu = enu_about(r, h, float(lat0), float(lon0), traj.earth)
    tilt = None
    d, thr = _get(traj, "thrust_dir_ecef"), _get(traj, "throttle")
    if d is not None and thr is not None:
        up = np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))
        cos = np.sum(d * up, axis=1) / np.maximum(np.linalg.norm(d, axis=1), 1e-12)
        tilt = np.where(thr > 0, np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), np.nan)
    return enu, tilt


def _event(ev: Any) -> dict[str, Any]:
    d = dict(ev) if isinstance(ev, dict) else dict(getattr(ev, "__dict__", {}))
    for k in ("name", "t_s", "altitude_m", "speed_mps", "propellant_kg", "detail"):
        if k not in d and hasattr(ev, k):
            d[k] = getattr(ev, k)
    return d


def _thin(n: int, max_points: int, keep: list[int]) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    base = np.linspace(0, n - 1, max_points).round().astype(int)
    return np.unique(np.concatenate([base, np.asarray(keep, dtype=int)]))


def flight_series(traj: Any, *, max_points: int = 3000, origin: Any = None) -> FlightSeries:
    """Read a trajectory-like object (see the module docstring) into a ``FlightSeries``.

    ``origin`` (anything with ``lat_rad`` and ``lon_rad``, such as a ``Site``) is the pad that
    an ECEF record's positions are made local about.
    """
    t = np.asarray(traj.t_s, dtype=float)
    n = len(t)
    phase = getattr(traj, "phase", None)
    phase = np.asarray(phase if phase is not None else [Phase.FLIGHT.value] * n, dtype=object)
    events = [_event(e) for e in (getattr(traj, "events", None) or [])]
    events = [e for e in events if isinstance(e.get("t_s"), int | float) and np.isfinite(e["t_s"])]
    r = _get(traj, "r_enu_m")
    tilt = None
    if r is None:
        r, tilt = _ecef(traj, origin)
    series = {}
    for name, *_ in SERIES:
        arr = _get(traj, name)
        if arr is None and name == "altitude_m" and r is not None:
            arr = r[:, 2]
        if arr is None and name == "tilt_deg":
            arr = tilt
        if arr is not None and arr.shape == (n,) and np.isfinite(arr).any():
            series[name] = arr
    keep = [0, n - 1] + [j for i in range(1, n) if phase[i] != phase[i - 1] for j in (i - 1, i)]
    keep += [int(np.argmin(np.abs(t - float(e["t_s"])))) for e in events if n]
    idx = _thin(n, max_points, keep)
    for e in events:  # fill in what an event lacks from the record
        for k in ("altitude_m", "speed_mps"):
            if k in series and not isinstance(e.get(k), int | float) and n:
                e[k] = float(np.interp(e["t_s"], t, series[k]))
    return FlightSeries(
        t_s=t[idx],
        r_enu_m=None if r is None else r[idx],
        phase=phase[idx],
        events=events,
        series={k: v[idx] for k, v in series.items()},
    )

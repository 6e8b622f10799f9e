"""What the maps draw: a ground track, the places along it, and the land around them, offline.

Land and coastlines come from the Natural Earth outlines bundled in ``report/data/land.npz``
(see the README there): no tile or topology download, ever. :class:`GroundTrack` is what the
map figures (:mod:`.map`), the map PNG and the KML export (:mod:`.kml`) take; it is built from
a whole flight's result (:func:`track_from_result`, which also predicts where the stage would
have fallen at its key events) or from the columns a flight folder holds
(:func:`track_from_columns`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "PLACES_FILE",
    "Box",
    "GroundTrack",
    "Place",
    "PlaceKind",
    "land_rings",
    "land_within",
    "latlon_about",
    "read_places",
    "track_from_columns",
    "track_from_enu",
    "track_from_result",
    "write_places",
]

PLACES_FILE = "map_places.json"  # the places of a flight, beside its report (for `report DIR`)
EARTH_RADIUS_M = 6_371_008.8  # mean radius: enough for map extents and scale bars
DETAIL_BELOW_DEG = 12.0  # views narrower than this draw the 1:10m outlines, wider ones 1:110m
# events after which the report predicts the unpowered impact: where the stage would fall
# if nothing more were done from there (a failed boostback, a failed entry burn, ...)
PREDICT_AT = ("separation", "boostback_end", "entry_end")


class PlaceKind(StrEnum):
    """What a marked place on the map is (one marker style and colour per kind)."""

    LAUNCH_SITE = "launch site"
    LANDING_ZONE = "landing zone"
    DRONE_SHIP = "drone ship"
    IMPACT_PREDICTION = "predicted impact"
    DROP_ZONE = "drop zone"
    TOUCHDOWN = "touchdown"
    CRASH = "crash site"
    END = "end of record"
    START = "start of the record"


@dataclass(frozen=True)
class Place:
    """A marked place: name, kind, geodetic latitude and longitude (deg), and a detail line."""

    name: str
    kind: PlaceKind
    lat_deg: float
    lon_deg: float
    detail: str = ""


@dataclass(frozen=True)
class GroundTrack:
    """A flight over the Earth: time, latitude, longitude (deg), altitude (m) and phase."""

    t_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    phase: np.ndarray
    places: list[Place] = field(default_factory=list)
    outcome: str | None = None

    def __post_init__(self) -> None:
        # unwrap longitudes so that a track across the antimeridian stays one line
        lon = np.degrees(np.unwrap(np.radians(np.asarray(self.lon_deg, float))))
        object.__setattr__(self, "lon_deg", lon)

    def runs(self) -> list[tuple[str, int, int]]:
        """(phase, first, last) of each contiguous run of one phase."""
        out, start, ph = [], 0, self.phase
        for i in range(1, len(ph) + 1):
            if i == len(ph) or ph[i] != ph[start]:
                out.append((str(ph[start]), start, i - 1))
                start = i
        return out

    def place(self, kind: PlaceKind) -> Place | None:
        return next((p for p in self.places if p.kind == kind), None)

    def landing_point(self) -> tuple[float, float]:
        """Where the flight ends (its last sample): the centre of the close view."""
        return float(self.lat_deg[-1]), float(self.lon_deg[-1])


@dataclass(frozen=True)
class Box:
    """A latitude/longitude box (deg)."""

    lat_lo: float
    lat_hi: float
    lon_lo: float
    lon_hi: float

    @classmethod
    def around(cls, lat: np.ndarray, lon: np.ndarray, *, pad: float = 0.15, least_m: float = 0.0):
        """The box holding every point, widened by ``pad`` of its size on each side and to at
        least ``least_m`` across; its east-west size is scaled so that the box is about square
        on the ground."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        c_lat, c_lon = 0.5 * (lat.max() + lat.min()), 0.5 * (lon.max() + lon.min())
        k = max(math.cos(math.radians(c_lat)), 0.05)
        half = 0.5 * max(np.ptp(lat), np.ptp(lon) * k) * (1 + 2 * pad)
        half = max(half, math.degrees(0.5 * least_m / EARTH_RADIUS_M))
        return cls(c_lat - half, c_lat + half, c_lon - half / k, c_lon + half / k)

    @property
    def width_deg(self) -> float:
        return self.lon_hi - self.lon_lo

    @property
    def centre(self) -> tuple[float, float]:
        return 0.5 * (self.lat_lo + self.lat_hi), 0.5 * (self.lon_lo + self.lon_hi)

    @property
    def aspect(self) -> float:
        """Ground length of a degree of latitude over one of longitude at the box's centre."""
        return 1.0 / max(math.cos(math.radians(self.centre[0])), 0.05)


@cache
def land_rings(detail: bool) -> tuple[np.ndarray, ...]:
    """The bundled outlines: (n, 2) arrays of (longitude, latitude) in degrees, one per ring."""
    name = "detail" if detail else "world"
    source = resources.files("boostback.report").joinpath("data/land.npz")
    if not source.is_file():  # an install without the package data: maps without land
        return ()
    with source.open("rb") as fh:
        data = np.load(fh)
        pts = np.cumsum(data[f"{name}_dlonlat"].astype(np.int64), axis=0) * 1e-4
        start = data[f"{name}_start"]
    return tuple(np.split(pts, start[1:]))


def _clip_edge(ring: np.ndarray, axis: int, bound: float, keep_below: bool) -> np.ndarray:
    """Sutherland-Hodgman: the part of a closed ring on one side of ``x[axis] = bound``."""
    if not len(ring):
        return ring
    inside = ring[:, axis] <= bound if keep_below else ring[:, axis] >= bound
    prev = np.roll(ring, 1, axis=0)
    prev_in = np.roll(inside, 1)
    out: list[np.ndarray] = []
    for p, q, p_in, q_in in zip(ring, prev, inside, prev_in, strict=True):
        if p_in != q_in:  # the edge q -> p crosses the bound: add the crossing
            f = (bound - q[axis]) / (p[axis] - q[axis])
            out.append(q + f * (p - q))
        if p_in:
            out.append(p)
    return np.asarray(out).reshape(-1, 2)


def _clip(ring: np.ndarray, box: Box) -> np.ndarray:
    for axis, bound, below in (
        (0, box.lon_hi, True),
        (0, box.lon_lo, False),
        (1, box.lat_hi, True),
        (1, box.lat_lo, False),
    ):
        ring = _clip_edge(ring, axis, bound, below)
    return ring


def land_within(box: Box, *, detail: bool | None = None) -> list[np.ndarray]:
    """Land outlines clipped to ``box`` (closed rings, lon/lat degrees), the 1:10m set for close
    views and the 1:110m set for wide ones unless ``detail`` says which."""
    fine = box.width_deg < DETAIL_BELOW_DEG if detail is None else detail
    out = []
    shift = 360.0 * round(box.centre[1] / 360.0)  # a track unwrapped past ±180
    for ring in land_rings(fine):
        ring = ring + np.array([shift, 0.0]) if shift else ring
        lon, lat = ring[:, 0], ring[:, 1]
        if lon.max() < box.lon_lo or lon.min() > box.lon_hi:
            continue
        if lat.max() < box.lat_lo or lat.min() > box.lat_hi:
            continue
        inside = (
            (lon >= box.lon_lo) & (lon <= box.lon_hi) & (lat >= box.lat_lo) & (lat <= box.lat_hi)
        )
        clipped = ring if inside.all() else _clip(ring, box)
        if len(clipped) >= 3:
            out.append(clipped)
    return out


# ----------------------------------------------------------------------------- building tracks


def _site_place(site: Any, kind: PlaceKind, detail: str = "") -> Place:
    return Place(str(getattr(site, "name", kind.value)), kind, site.lat_deg, site.lon_deg, detail)


def _end_place(lat: float, lon: float, outcome: str | None, landed_kind: PlaceKind) -> Place:
    """The end of the flight, by how it ended: a touchdown only when it landed."""
    if outcome == "landed":
        return Place("touchdown", landed_kind, lat, lon, "landed")
    if outcome in ("crashed", "propellant_depleted", "hard_landing", "tipped_over", "missed_pad"):
        return Place(str(outcome).replace("_", " "), PlaceKind.CRASH, lat, lon, str(outcome))
    return Place("end of record", PlaceKind.END, lat, lon, str(outcome or ""))


def _predicted_impacts(result: Any) -> list[Place]:
    """The unpowered impact point after each event of ``PREDICT_AT`` the flight has."""
    from boostback.flight.predict import predict_impact
    from boostback.flight.setup import flight_setup

    traj = result.trajectory
    try:
        setup = flight_setup(result.vehicle, result.scenario)
    except Exception:  # a result whose set-up cannot be rebuilt: no predictions, not no report
        return []
    out = []
    for name in PREDICT_AT:
        ev = traj.event(name)
        if ev is None:
            continue
        i = int(np.searchsorted(traj.t_s, ev.t_s))
        i = min(i, len(traj.t_s) - 1)
        x = (*traj.r_ecef_m[i], *traj.v_ecef_mps[i], float(traj.mass_kg[i]))
        imp = predict_impact(
            x, float(traj.t_s[i]), setup.descent_body, setup.world, 0.0, setup.dry_mass_kg
        )
        if not imp.landed:
            continue
        lat, lon, _ = traj.earth.ecef_to_geodetic(np.asarray(imp.state[:3], float))
        when = f"unpowered from {name.replace('_', ' ')} (t = {ev.t_s:.0f} s)"
        out.append(
            Place(
                f"if no burn after {name.replace('_', ' ')}",
                PlaceKind.IMPACT_PREDICTION,
                math.degrees(float(lat)),
                math.degrees(float(lon)),
                when,
            )
        )
    return out


def track_from_result(result: Any, *, predictions: bool = True) -> GroundTrack | None:
    """The ground track of a whole-flight result (``None`` for a record with no geography):
    launch site, landing zone or drone ship, the end of the flight by its outcome, and, when
    ``predictions``, the predicted unpowered impacts after separation, boostback and entry."""
    traj = result.trajectory
    if not hasattr(traj, "r_ecef_m") or not hasattr(traj, "geodetic"):  # ECEF records only
        return None
    lat, lon, h = (np.degrees(a) if k < 2 else a for k, a in enumerate(traj.geodetic()))
    outcome = str(getattr(result, "outcome", "") or "") or None
    places = [_site_place(traj.launch_site, PlaceKind.LAUNCH_SITE)]
    mode = str(getattr(getattr(result.scenario, "recovery", None), "mode", ""))
    target = getattr(result, "target", None)
    kind = PlaceKind.DRONE_SHIP if mode == "droneship" else PlaceKind.LANDING_ZONE
    if target is not None:
        places.append(_site_place(target, kind))
    if predictions:
        places += _predicted_impacts(result)
    places.append(_end_place(float(lat[-1]), float(lon[-1]), outcome, PlaceKind.TOUCHDOWN))
    return GroundTrack(traj.t_s, lat, lon, h, np.asarray(traj.phase, object), places, outcome)


def track_from_columns(
    cols: Any, outcome: str | None = None, places: list[Place] | None = None
) -> GroundTrack | None:
    """The ground track of a flight folder's table (``lat_deg``, ``lon_deg``, ``altitude_m``):
    the ``places`` given (from :func:`read_places`) or else its first and last points."""
    if not {"t_s", "lat_deg", "lon_deg", "altitude_m"} <= set(cols.columns) or not len(cols):
        return None
    lat, lon = cols["lat_deg"].to_numpy(float), cols["lon_deg"].to_numpy(float)
    phase = (
        cols["phase"].astype(str).to_numpy(object)
        if "phase" in cols
        else np.full(len(lat), "flight", object)
    )
    if places is None:
        places = [
            Place("launch site", PlaceKind.LAUNCH_SITE, float(lat[0]), float(lon[0])),
            _end_place(float(lat[-1]), float(lon[-1]), outcome, PlaceKind.TOUCHDOWN),
        ]
    return GroundTrack(
        cols["t_s"].to_numpy(float),
        lat,
        lon,
        cols["altitude_m"].to_numpy(float),
        phase,
        places,
        outcome,
    )


def write_places(track: GroundTrack, folder: str | Path) -> Path:
    """``map_places.json`` beside a report: the places, so that ``boostback report DIR`` can
    draw them again without the flight."""
    path = Path(folder) / PLACES_FILE
    rows = [asdict(p) | {"kind": p.kind.value} for p in track.places]
    path.write_text(json.dumps({"outcome": track.outcome, "places": rows}, indent=1))
    return path


def read_places(folder: str | Path) -> tuple[list[Place] | None, str | None]:
    """The places and outcome :func:`write_places` left in ``folder`` (``None`` if none)."""
    path = Path(folder) / PLACES_FILE
    if not path.is_file():
        return None, None
    data = json.loads(path.read_text())
    places = [Place(**(p | {"kind": PlaceKind(p["kind"])})) for p in data.get("places", [])]
    return places, data.get("outcome")


def latlon_about(site: Any, east_m: ArrayLike, north_m: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude (deg) of points east and north (m) of ``site`` (local tangent
    plane, equirectangular: good to centimetres over the few km of a landing)."""
    k = math.degrees(1.0 / EARTH_RADIUS_M)
    lat = site.lat_deg + np.asarray(north_m, float) * k
    lon = site.lon_deg + np.asarray(east_m, float) * k / max(
        math.cos(math.radians(site.lat_deg)), 1e-6
    )
    return lat, lon


def track_from_enu(
    t_s: np.ndarray, r_enu_m: np.ndarray, phase: np.ndarray, site: Any, outcome: str | None
) -> GroundTrack:
    """A pad-centred landing placed on the map at ``site`` (a ``Site``, e.g. ``lz1``)."""
    r = np.asarray(r_enu_m, float)
    lat, lon = latlon_about(site, r[:, 0], r[:, 1])
    places = [
        _site_place(site, PlaceKind.LANDING_ZONE),
        Place("start of the record", PlaceKind.START, float(lat[0]), float(lon[0])),
    ]
    places.append(_end_place(float(lat[-1]), float(lon[-1]), outcome, PlaceKind.TOUCHDOWN))
    return GroundTrack(
        np.asarray(t_s, float), lat, lon, r[:, 2], np.asarray(phase, object), places, outcome
    )

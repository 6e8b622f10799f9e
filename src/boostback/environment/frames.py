"""Reference frames: ECI <-> ECEF, ECEF <-> ENU, launch azimuth, great circles and sites.

ECI/ECEF model: the ECEF frame turns about the common z axis at ``omega_radps`` and coincides with
the ECI frame at t = 0 (the mission epoch); no precession, nutation or polar motion. So
``r_ecef = R r_eci``, ``R = [[c, s, 0], [-s, c, 0], [0, 0, 1]]`` with ``c, s = cos, sin(omega t)``,
and ``v_ecef = R (v_eci - omega x r_eci)``.

ENU frames are local tangent frames at a (geodetic) latitude/longitude; ``enu_basis`` rows are
the east, north and up unit vectors expressed in ECEF. All angles are radians; functions
broadcast over leading dimensions of ``(..., 3)`` arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boostback.environment.earth import (
    MEAN_RADIUS_M,
    WGS84_A_M,
    WGS84_OMEGA_RADPS,
    EarthModel,
    WGS84Earth,
)

__all__ = [
    "CAPE_CANAVERAL_SLC40",
    "JIUQUAN_ZHUQUE3_PAD",
    "LC39A",
    "LZ1",
    "LZ4",
    "SITES",
    "VANDENBERG_SLC4E",
    "ZHUQUE3_LANDING_SITE",
    "Site",
    "destination",
    "ecef_to_eci",
    "ecef_to_enu",
    "ecef_to_enu_velocity",
    "eci_to_ecef",
    "enu_basis",
    "enu_to_ecef",
    "enu_to_ecef_velocity",
    "great_circle_distance_m",
    "initial_bearing",
    "launch_azimuth_rad",
    "out_of_reach_launch",
    "rotating_frame_accel_ecef",
    "rotation_eci_to_ecef",
]

Array = NDArray[np.float64]


def _f(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=np.float64)


def _out(x: Any) -> Any:
    return float(x) if np.ndim(x) == 0 else x


def rotation_eci_to_ecef(t_s: ArrayLike, omega_radps: float = WGS84_OMEGA_RADPS) -> Array:
    """The matrix ``R(t)`` (shape ``(..., 3, 3)``) with ``r_ecef = R r_eci``."""
    th = omega_radps * _f(t_s)
    c, s, z, o = np.cos(th), np.sin(th), np.zeros_like(th), np.ones_like(th)
    return np.stack(
        (np.stack((c, s, z), -1), np.stack((-s, c, z), -1), np.stack((z, z, o), -1)), -2
    )


def _rotz(v: Array, c: Array, s: Array) -> Array:
    """Apply ``[[c, s, 0], [-s, c, 0], [0, 0, 1]]`` to ``v`` (shape ``(..., 3)``)."""
    out = np.empty(np.broadcast_shapes(v.shape, (*np.shape(c), 3)))
    out[..., 0] = c * v[..., 0] + s * v[..., 1]
    out[..., 1] = c * v[..., 1] - s * v[..., 0]
    out[..., 2] = v[..., 2]
    return out


def eci_to_ecef(
    r_eci_m: ArrayLike, v_eci_mps: ArrayLike, t_s: ArrayLike, omega_radps: float = WGS84_OMEGA_RADPS
) -> tuple[Array, Array]:
    """ECI position/velocity at time ``t_s`` after the epoch to ECEF (``v`` relative to Earth)."""
    th = omega_radps * _f(t_s)
    c, s = np.cos(th), np.sin(th)
    r, v = (_rotz(x, c, s) for x in np.broadcast_arrays(_f(r_eci_m), _f(v_eci_mps)))
    v[..., 0] += omega_radps * r[..., 1]  # R (v - w x r) = R v - w x (R r)
    v[..., 1] -= omega_radps * r[..., 0]
    return r, v


def ecef_to_eci(
    r_ecef_m: ArrayLike,
    v_ecef_mps: ArrayLike,
    t_s: ArrayLike,
    omega_radps: float = WGS84_OMEGA_RADPS,
) -> tuple[Array, Array]:
    """Inverse of :func:`eci_to_ecef`: ``r_eci = R^T r_ecef``, ``v_eci = R^T v_ecef + w x r``."""
    th = omega_radps * _f(t_s)
    c, s = np.cos(th), -np.sin(th)
    r, v = (_rotz(x, c, s) for x in np.broadcast_arrays(_f(r_ecef_m), _f(v_ecef_mps)))
    v[..., 0] -= omega_radps * r[..., 1]
    v[..., 1] += omega_radps * r[..., 0]
    return r, v


def rotating_frame_accel_ecef(
    r_ecef_m: ArrayLike, v_ecef_mps: ArrayLike, omega_radps: float = WGS84_OMEGA_RADPS
) -> Array:
    """Centrifugal plus Coriolis acceleration in ECEF: ``-w x (w x r) - 2 w x v``."""
    r, v = np.broadcast_arrays(_f(r_ecef_m), _f(v_ecef_mps))
    w = omega_radps
    out = np.zeros(r.shape)
    out[..., 0] = w * w * r[..., 0] + 2.0 * w * v[..., 1]
    out[..., 1] = w * w * r[..., 1] - 2.0 * w * v[..., 0]
    return out


def enu_basis(lat_rad: ArrayLike, lon_rad: ArrayLike) -> Array:
    """Rows: east, north, up unit vectors in ECEF (shape ``(..., 3, 3)``); ``v_enu = B v_ecef``."""
    lat, lon = np.broadcast_arrays(_f(lat_rad), _f(lon_rad))
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack((-so, co, np.zeros_like(lat)), -1)
    north = np.stack((-sl * co, -sl * so, cl), -1)
    up = np.stack((cl * co, cl * so, sl), -1)
    return np.stack((east, north, up), -2)


def ecef_to_enu_velocity(v_ecef: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike) -> Array:
    """Rotate any free vector (velocity, acceleration, force) from ECEF axes to ENU axes."""
    return (enu_basis(lat_rad, lon_rad) @ _f(v_ecef)[..., None])[..., 0]


def enu_to_ecef_velocity(v_enu: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike) -> Array:
    """Rotate any free vector from ENU axes to ECEF axes."""
    return (np.swapaxes(enu_basis(lat_rad, lon_rad), -1, -2) @ _f(v_enu)[..., None])[..., 0]


def ecef_to_enu(
    r_ecef_m: ArrayLike, origin_ecef_m: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike
) -> Array:
    """Position in the ENU frame with origin ``origin_ecef_m`` at (``lat_rad``, ``lon_rad``)."""
    return ecef_to_enu_velocity(_f(r_ecef_m) - _f(origin_ecef_m), lat_rad, lon_rad)


def enu_to_ecef(
    r_enu_m: ArrayLike, origin_ecef_m: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike
) -> Array:
    """Inverse of :func:`ecef_to_enu`."""
    return _f(origin_ecef_m) + enu_to_ecef_velocity(r_enu_m, lat_rad, lon_rad)


def launch_azimuth_rad(
    lat_rad: float,
    inclination_rad: float,
    orbital_speed_mps: float = 7800.0,
    ascending: bool = True,
    omega_radps: float = WGS84_OMEGA_RADPS,
    radius_m: float = WGS84_A_M,
) -> float:
    """Launch azimuth (from north, clockwise, in [0, 2 pi)) corrected for Earth rotation.

    The inertial azimuth ``b`` solves ``sin b = cos i / cos lat``; the launch vehicle must add the
    inertial velocity ``v (sin b, cos b)`` (east, north) minus the eastward surface speed
    ``omega R cos lat`` it already has, so the returned Earth-relative azimuth is
    ``atan2(v sin b - omega R cos lat, v cos b)`` (north component negated for a descending-node
    launch). Set ``omega_radps=0`` for the non-rotating azimuth.
    """
    lat, inc = float(lat_rad), float(inclination_rad)
    if abs(lat) > math.pi / 2 or not 0.0 <= inc <= math.pi:
        raise ValueError(f"need |lat| <= pi/2 and 0 <= inclination <= pi, got {lat}, {inc}")
    if inc < abs(lat) - 1e-12 or inc > math.pi - abs(lat) + 1e-12:
        raise ValueError(
            f"inclination {math.degrees(inc):.4f} deg is not reachable by a direct launch from "
            f"latitude {math.degrees(lat):.4f} deg (need |lat| <= i <= 180 deg - |lat|)"
        )
    cl = math.cos(lat)
    sin_b = max(-1.0, min(1.0, math.cos(inc) / cl)) if cl > 0.0 else 0.0
    cos_b = math.sqrt(1.0 - sin_b * sin_b)
    east = orbital_speed_mps * sin_b - omega_radps * radius_m * cl
    north = orbital_speed_mps * cos_b * (1.0 if ascending else -1.0)
    return math.atan2(east, north) % (2.0 * math.pi)


def out_of_reach_launch(lat_deg: float, inclination_deg: float) -> tuple[float, str] | None:
    """The launch for an inclination that no direct launch from ``lat_deg`` reaches, or None.

    A direct ascent's orbit is inclined at least the launch latitude (``|lat| <= i <= 180 deg -
    |lat|``, ``launch_azimuth_rad``). Below that range the least plane change is from a launch due
    east (the orbit then inclined at the latitude), above it due west; the upper stage's yaw
    steering turns the plane the rest of the way. Returns the Earth-relative azimuth (deg from
    north) and a note saying so. The payload solve and the flight both launch through this.
    """
    lat = abs(lat_deg)
    if lat <= inclination_deg <= 180.0 - lat:
        return None
    east = inclination_deg < lat
    note = (
        f"launched due {'east' if east else 'west'} (the target's {inclination_deg:g} deg "
        f"inclination is out of reach from {lat_deg:.2f} deg latitude); the upper stage turns "
        "the plane"
    )
    return (90.0 if east else 270.0), note


def great_circle_distance_m(
    lat1_rad: ArrayLike,
    lon1_rad: ArrayLike,
    lat2_rad: ArrayLike,
    lon2_rad: ArrayLike,
    radius_m: float = MEAN_RADIUS_M,
) -> Any:
    """Great-circle distance on a sphere (haversine formula, well conditioned at short range)."""
    p1, p2 = _f(lat1_rad), _f(lat2_rad)
    dp, dl = p2 - p1, _f(lon2_rad) - _f(lon1_rad)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return _out(2.0 * radius_m * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def initial_bearing(
    lat1_rad: ArrayLike, lon1_rad: ArrayLike, lat2_rad: ArrayLike, lon2_rad: ArrayLike
) -> Any:
    """Initial great-circle bearing from point 1 to point 2 (from north, clockwise, [0, 2 pi))."""
    p1, p2, dl = _f(lat1_rad), _f(lat2_rad), _f(lon2_rad) - _f(lon1_rad)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return _out(np.arctan2(y, x) % (2.0 * np.pi))


def destination(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    azimuth_rad: ArrayLike,
    distance_m: ArrayLike,
    radius_m: float = MEAN_RADIUS_M,
) -> tuple[Any, Any]:
    """The point reached by following a great circle from (lat, lon) on ``azimuth_rad``.

    Returns (lat, lon) with lon wrapped to [-pi, pi).
    """
    p1, az, d = _f(lat_rad), _f(azimuth_rad), _f(distance_m) / radius_m
    sp2 = np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(az)
    p2 = np.arcsin(np.clip(sp2, -1.0, 1.0))
    dl = np.arctan2(np.sin(az) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * sp2)
    lon2 = (_f(lon_rad) + dl + np.pi) % (2.0 * np.pi) - np.pi
    return _out(p2), _out(lon2)


@dataclass(frozen=True, slots=True)
class Site:
    """A named place on the Earth: geodetic latitude/longitude in degrees, height in metres.

    ``alt_m`` is the height above the Earth model's reference surface (the WGS-84 ellipsoid by
    default). ``estimate`` flags coordinates that are not precisely published.
    """

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0
    source: str = ""
    estimate: bool = False

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat_deg <= 90.0 or not -180.0 <= self.lon_deg <= 360.0:
            raise ValueError(f"site {self.name!r}: bad lat/lon ({self.lat_deg}, {self.lon_deg})")

    @property
    def lat_rad(self) -> float:
        return math.radians(self.lat_deg)

    @property
    def lon_rad(self) -> float:
        return math.radians(self.lon_deg)

    def r_ecef(self, earth: EarthModel | None = None) -> Array:
        """ECEF position (m) on ``earth`` (WGS-84 by default)."""
        e = WGS84Earth() if earth is None else earth
        return e.geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m)


_WIKI = "Wikipedia infobox coordinates"
# Pad and landing-zone heights are a few metres above mean sea level; the geoid-ellipsoid
# separation (~-28 m at the Cape, ~-33 m at Vandenberg) is ignored, so alt_m = 0 is an estimate.
CAPE_CANAVERAL_SLC40 = Site("Cape Canaveral SLC-40", 28.562106, -80.577180, 0.0, _WIKI)
LZ1 = Site(  # LZ-1 (former LC-13); its last landing was on 1 August 2025.
    "Landing Zone 1, Cape Canaveral", 28.48583, -80.54444, 0.0, _WIKI
)
LC39A = Site(  # Kennedy Space Center (CRS-11, NROL-76, X-37B OTV-5, the 2017 GTO flights)
    "Kennedy Space Center LC-39A", 28.60839, -80.60417, 0.0, _WIKI
)
# Vandenberg coordinates are given to 0.001 deg (~100 m) in the Wikipedia infoboxes.
VANDENBERG_SLC4E = Site("Vandenberg SLC-4E", 34.632, -120.611, 0.0, _WIKI)
LZ4 = Site(  # about 425 m west of SLC-4E, on the former SLC-4W site
    "Landing Zone 4, Vandenberg", 34.633, -120.615, 0.0, _WIKI
)
# LandSpace's Zhuque-3 pad is in the Dongfeng Commercial Space Innovation Test Zone of the
# Jiuquan Satellite Launch Center (SpaceNews, 3 Dec 2025); its exact coordinates are not
# published: the JSLC coordinates (Wikipedia) and ~1000 m elevation stand in for it.
JIUQUAN_ZHUQUE3_PAD = Site(
    "Jiuquan (JSLC), Zhuque-3 pad", 40.958, 100.291, 1000.0, "JSLC, Wikipedia; estimate", True
)
# The Zhuque-3 recovery pad is "around 390 km downrange in Minqin county, Gansu" (SpaceNews,
# 3 Dec 2025). Estimate: 390 km from JSLC on the great circle towards the Minqin county seat
# (38.62 N, 103.09 E, itself ~353 km away), height ~1300 m. Not a published point: treat it as
# uncertain by tens of km.
ZHUQUE3_LANDING_SITE = Site(
    "Zhuque-3 recovery pad, Minqin (estimate)", 38.37, 103.37, 1300.0, "estimate", True
)

SITES: dict[str, Site] = {
    "slc40": CAPE_CANAVERAL_SLC40,
    "lc39a": LC39A,
    "lz1": LZ1,
    "slc4e": VANDENBERG_SLC4E,
    "lz4": LZ4,
    "jslc": JIUQUAN_ZHUQUE3_PAD,
    "zq3_landing": ZHUQUE3_LANDING_SITE,
}

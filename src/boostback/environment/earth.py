"""Earth models: a rotating sphere and the WGS-84 ellipsoid (pure functions, SI units, radians).

Both models are frozen dataclasses with the same interface:

- ``gravity_ecef(r_ecef_m)``: gravitational acceleration only (inverse-square, plus J2 for
  WGS-84). The centrifugal term of the rotating frame is NOT included: see
  ``frames.rotating_frame_accel_ecef``.
- ``geodetic_to_ecef(lat_rad, lon_rad, h_m)`` and ``ecef_to_geodetic(r_ecef_m)``; for the sphere
  "geodetic" is geocentric latitude and height above the sphere.
- ``altitude_m(r_ecef_m)`` and ``surface_radius_m(lat_rad)``.

The vectorised methods accept shape ``(3,)`` or ``(..., 3)`` positions (and broadcastable angle
arrays) and return floats for single points. Hot loops that work on plain floats use the scalar
``gravity_xyz`` and ``geodetic_xyz`` (no numpy overhead).

The geodetic conversion, the height and the gravity are written once, as the compiled kernels of
``environment.earth_kernels`` that the flight kernel calls too: the methods here are thin wrappers
that hand them the model's parameters (``kernel_params``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boostback.environment import earth_kernels as ek

__all__ = [
    "MEAN_RADIUS_M",
    "WGS84_A_M",
    "WGS84_F",
    "WGS84_J2",
    "WGS84_MU_M3PS2",
    "WGS84_OMEGA_RADPS",
    "EarthModel",
    "SphericalEarth",
    "WGS84Earth",
]

# WGS-84 defining parameters, NIMA TR8350.2 (3rd ed., 2000), Table 3.1.
WGS84_A_M = 6_378_137.0  # semi-major axis
WGS84_F = 1.0 / 298.257223563  # flattening
WGS84_MU_M3PS2 = 3.986004418e14  # GM, including the atmosphere
WGS84_OMEGA_RADPS = 7.292115e-5  # nominal mean angular velocity of the Earth
# J2 = -sqrt(5) * C(2,0) with the normalised second-degree zonal C(2,0) = -0.484166774985e-3
# of the WGS-84 ellipsoid (NIMA TR8350.2, ch. 3).
WGS84_J2 = 1.08262668e-3
MEAN_RADIUS_M = 6_371_008.8  # IUGG mean radius R1 = (2a + b)/3 of GRS 80 (Moritz 2000)


def _positions(r_ecef_m: ArrayLike) -> NDArray[np.float64]:
    r = np.asarray(r_ecef_m, dtype=np.float64)
    if r.ndim == 0 or r.shape[-1] != 3:
        raise ValueError(f"r_ecef_m must have shape (3,) or (..., 3), got {r.shape}")
    return r


def _rows(r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Positions ``(..., 3)`` as a contiguous ``(n, 3)`` array for the kernels."""
    return np.ascontiguousarray(r.reshape(-1, 3))


def _geodetic(r_ecef_m: ArrayLike, wp: NDArray[np.float64]) -> tuple[Any, Any, Any]:
    r = _positions(r_ecef_m)
    out = ek.geodetic_points(_rows(r), wp).reshape((*r.shape[:-1], 3))
    return _out(out[..., 0]), _out(out[..., 1]), _out(out[..., 2])


def _height(r_ecef_m: ArrayLike, wp: NDArray[np.float64]) -> Any:
    r = _positions(r_ecef_m)
    return _out(ek.height_points(_rows(r), wp).reshape(r.shape[:-1]))


def _gravity(r_ecef_m: ArrayLike, wp: NDArray[np.float64]) -> NDArray[np.float64]:
    r = _positions(r_ecef_m)
    return ek.gravity_points(_rows(r), wp).reshape(r.shape)  # type: ignore[no-any-return]


def _broadcast(*values: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    return tuple(np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values)))


def _out(x: Any) -> Any:
    """0-d arrays become Python floats; other arrays pass through."""
    return float(x) if np.ndim(x) == 0 else x


def _check(value: float, name: str, *, allow_zero: bool = False) -> float:
    v = float(value)
    if not math.isfinite(v) or v < 0.0 or (v == 0.0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return v


@runtime_checkable
class EarthModel(Protocol):
    """What the flight code needs from an Earth model."""

    @property
    def mu_m3ps2(self) -> float: ...

    @property
    def omega_radps(self) -> float: ...

    @property
    def equatorial_radius_m(self) -> float: ...

    def gravity_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]: ...

    def gravity_ecef(self, r_ecef_m: ArrayLike) -> NDArray[np.float64]: ...

    def geodetic_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]: ...

    def geodetic_to_ecef(
        self, lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike = 0.0
    ) -> NDArray[np.float64]: ...

    def ecef_to_geodetic(self, r_ecef_m: ArrayLike) -> tuple[Any, Any, Any]: ...

    def altitude_m(self, r_ecef_m: ArrayLike) -> Any: ...

    def surface_radius_m(self, lat_rad: ArrayLike) -> Any: ...


@dataclass(frozen=True, slots=True)
class SphericalEarth:
    """A rotating sphere with point-mass gravity. Latitudes are geocentric."""

    radius_m: float = MEAN_RADIUS_M
    mu_m3ps2: float = WGS84_MU_M3PS2
    omega_radps: float = WGS84_OMEGA_RADPS
    _wp: NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "radius_m", _check(self.radius_m, "radius_m"))
        object.__setattr__(self, "mu_m3ps2", _check(self.mu_m3ps2, "mu_m3ps2"))
        omega = _check(self.omega_radps, "omega_radps", allow_zero=True)
        object.__setattr__(self, "omega_radps", omega)
        wp = np.zeros(ek.WP_SIZE)
        wp[ek.WP_A], wp[ek.WP_MU], wp[ek.WP_OMEGA] = self.radius_m, self.mu_m3ps2, omega
        object.__setattr__(self, "_wp", wp)

    @property
    def equatorial_radius_m(self) -> float:
        return self.radius_m

    @property
    def kernel_params(self) -> NDArray[np.float64]:
        """The sphere as the Earth kernels take it (``earth_kernels``' ``wp``, a copy)."""
        return self._wp.copy()

    def gravity_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        return ek.gravity(float(x), float(y), float(z), self._wp)  # type: ignore[no-any-return]

    def gravity_ecef(self, r_ecef_m: ArrayLike) -> NDArray[np.float64]:
        return _gravity(r_ecef_m, self._wp)

    def geodetic_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        return ek.geodetic(float(x), float(y), float(z), self._wp)  # type: ignore[no-any-return]

    def geodetic_to_ecef(
        self, lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike = 0.0
    ) -> NDArray[np.float64]:
        lat, lon, h = _broadcast(lat_rad, lon_rad, h_m)
        rr = self.radius_m + h
        return np.stack(
            (rr * np.cos(lat) * np.cos(lon), rr * np.cos(lat) * np.sin(lon), rr * np.sin(lat)),
            axis=-1,
        )

    def ecef_to_geodetic(self, r_ecef_m: ArrayLike) -> tuple[Any, Any, Any]:
        return _geodetic(r_ecef_m, self._wp)

    def altitude_m(self, r_ecef_m: ArrayLike) -> Any:
        return _height(r_ecef_m, self._wp)

    def surface_radius_m(self, lat_rad: ArrayLike) -> Any:
        return _out(np.full(np.shape(lat_rad), self.radius_m))


@dataclass(frozen=True, slots=True)
class WGS84Earth:
    """The WGS-84 ellipsoid, rotating, with point-mass + J2 gravity (``j2=0`` disables J2).

    Latitudes are geodetic. ``ecef_to_geodetic`` is accurate to far below 1 mm for altitudes from
    a few hundred km below the surface up to (and well beyond) 1000 km, poles included.
    """

    a_m: float = WGS84_A_M
    f: float = WGS84_F
    mu_m3ps2: float = WGS84_MU_M3PS2
    omega_radps: float = WGS84_OMEGA_RADPS
    j2: float = WGS84_J2
    b_m: float = field(init=False, repr=False)
    e2: float = field(init=False, repr=False)
    ep2: float = field(init=False, repr=False)
    _wp: NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "a_m", _check(self.a_m, "a_m"))
        object.__setattr__(self, "mu_m3ps2", _check(self.mu_m3ps2, "mu_m3ps2"))
        omega = _check(self.omega_radps, "omega_radps", allow_zero=True)
        object.__setattr__(self, "omega_radps", omega)
        object.__setattr__(self, "j2", _check(self.j2, "j2", allow_zero=True))
        f = _check(self.f, "f", allow_zero=True)
        if f >= 1.0:
            raise ValueError(f"f must be < 1, got {self.f!r}")
        object.__setattr__(self, "f", f)
        object.__setattr__(self, "b_m", self.a_m * (1.0 - f))
        object.__setattr__(self, "e2", f * (2.0 - f))
        object.__setattr__(self, "ep2", f * (2.0 - f) / (1.0 - f) ** 2)
        shape = (1.0, self.a_m, self.b_m, self.e2, self.ep2)
        wp = np.array([*shape, self.mu_m3ps2, omega, self.j2], dtype=np.float64)
        object.__setattr__(self, "_wp", wp)

    @property
    def equatorial_radius_m(self) -> float:
        return self.a_m

    @property
    def kernel_params(self) -> NDArray[np.float64]:
        """The ellipsoid as the Earth kernels take it (``earth_kernels``' ``wp``, a copy)."""
        return self._wp.copy()

    def gravity_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        return ek.gravity(float(x), float(y), float(z), self._wp)  # type: ignore[no-any-return]

    def gravity_ecef(self, r_ecef_m: ArrayLike) -> NDArray[np.float64]:
        return _gravity(r_ecef_m, self._wp)

    def geodetic_xyz(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        return ek.geodetic(float(x), float(y), float(z), self._wp)  # type: ignore[no-any-return]

    def geodetic_to_ecef(
        self, lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike = 0.0
    ) -> NDArray[np.float64]:
        lat, lon, h = _broadcast(lat_rad, lon_rad, h_m)
        sl, cl = np.sin(lat), np.cos(lat)
        n = self.a_m / np.sqrt(1.0 - self.e2 * sl * sl)  # prime-vertical radius of curvature
        return np.stack(
            (
                (n + h) * cl * np.cos(lon),
                (n + h) * cl * np.sin(lon),
                (n * (1.0 - self.e2) + h) * sl,
            ),
            axis=-1,
        )

    def ecef_to_geodetic(self, r_ecef_m: ArrayLike) -> tuple[Any, Any, Any]:
        return _geodetic(r_ecef_m, self._wp)

    def altitude_m(self, r_ecef_m: ArrayLike) -> Any:
        return _height(r_ecef_m, self._wp)

    def surface_radius_m(self, lat_rad: ArrayLike) -> Any:
        """Distance from the centre to the ellipsoid at geodetic latitude ``lat_rad``."""
        sl, cl = np.sin(np.asarray(lat_rad, np.float64)), np.cos(np.asarray(lat_rad, np.float64))
        n = self.a_m / np.sqrt(1.0 - self.e2 * sl * sl)
        return _out(n * np.hypot(cl, (1.0 - self.e2) * sl))
